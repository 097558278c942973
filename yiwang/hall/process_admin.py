"""办件配置 in the back office: the implementations applied online with their process and
form versions; per implementation, a template with its parameters or an uploaded BPMN file,
the versions with who made them and when, a diagram of any version, its XML.

Only users with ``hall.change_processdefinition`` (group 办件配置管理员) and superusers;
anyone else in the back office gets a 403, anonymous users the login page (Wagtail's
``require_admin_access`` wraps these views). docs/hall-processes.md describes it."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from yiwang.catalog.constants import ONLINE_APPLICATION_DEPTH
from yiwang.catalog.models import Implementation, SpecialProcedure
from yiwang.core.forms import add_action_errors
from yiwang.orgs.models import Department, Region

from . import processes
from .constants import ProcessTemplate
from .models import ProcessDefinition, ServiceSetup

PERMISSION = "hall.change_processdefinition"
MAX_UPLOAD_BYTES = 1024 * 1024
PAGE_SIZE = 50


def can_configure(user):
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm(PERMISSION))
    )


def forbidden(request, message):
    """A 403 page inside the back office, for the configuration pages (Wagtail would turn a
    raised ``PermissionDenied`` into a redirect to the dashboard)."""
    return TemplateResponse(request, "hall/admin/forbidden.html", {"message": message}, status=403)


def _forbidden(request):
    return forbidden(
        request,
        "办件配置只对办件配置管理员开放。如需配置事项的办理流程，"
        "请联系本级政务服务管理机构开通权限。",
    )


def _form_editor_url(implementation):
    return reverse("hall_forms:edit", args=[implementation.pk])


def _department_names(ids):
    names = dict(Department.objects.filter(pk__in=ids or []).values_list("pk", "name"))
    return [names.get(pk, f"（已删除的部门 {pk}）") for pk in ids or []]


def describe(definition):
    """A one-line Chinese description of a definition's template and parameters."""
    if definition is None:
        return "未配置（首次申请时按事项类型自动使用默认流程）"
    text = definition.get_template_display()
    joint = definition.parameters.get("joint_departments")
    if joint:
        text += "；配合部门：" + "、".join(_department_names(joint))
    special = definition.parameters.get("special_name")
    if special:
        text += f"；特别程序：{special}"
    return text


# --- the list --------------------------------------------------------------------------


class FilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=100)
    region = forms.ModelChoiceField(
        label="区划", queryset=Region.objects.order_by("code"), required=False, empty_label="全部"
    )
    department = forms.ModelChoiceField(
        label="实施部门",
        queryset=Department.objects.order_by("region__code", "name"),
        required=False,
        empty_label="全部",
    )


def index(request):
    if not can_configure(request.user):
        return _forbidden(request)
    filters = FilterForm(request.GET or None)
    implementations = (
        Implementation.objects.filter(online_depth__gte=ONLINE_APPLICATION_DEPTH)
        .select_related("region", "department", "hall_setup__process", "hall_setup__form")
        .order_by("region__code", "department__name", "name", "pk")
    )
    if filters.is_valid():
        query = filters.cleaned_data["q"].strip()
        if query:
            implementations = implementations.filter(
                Q(name__icontains=query) | Q(code__icontains=query)
            )
        if filters.cleaned_data["region"]:
            implementations = implementations.filter(region=filters.cleaned_data["region"])
        if filters.cleaned_data["department"]:
            implementations = implementations.filter(department=filters.cleaned_data["department"])
    page = Paginator(implementations, PAGE_SIZE).get_page(request.GET.get("p"))
    rows = []
    for implementation in page:
        setup = getattr(implementation, "hall_setup", None)
        rows.append(
            {
                "implementation": implementation,
                "process": setup.process if setup else None,
                "form": setup.form if setup else None,
                "edit_url": reverse("hall_processes:edit", args=[implementation.pk]),
                "form_url": _form_editor_url(implementation),
            }
        )
    query_string = request.GET.copy()
    query_string.pop("p", None)
    return TemplateResponse(
        request,
        "hall/admin/process_index.html",
        {
            "filters": filters,
            "rows": rows,
            "page": page,
            "query_string": query_string.urlencode(),
        },
    )


# --- configuring one implementation ----------------------------------------------------


class ProcessForm(forms.Form):
    template = forms.ChoiceField(
        label="流程模板", choices=ProcessTemplate.choices, widget=forms.RadioSelect
    )
    joint_departments = forms.ModelMultipleChoiceField(
        label="配合部门（并联审批）",
        queryset=Department.objects.select_related("region").order_by("region__code", "name"),
        required=False,
        help_text="并联审批时必选，可多选（按住 Ctrl 或 Command 键）；不能选牵头部门本身。",
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    special_name = forms.CharField(
        label="特别程序名称",
        required=False,
        max_length=processes.SPECIAL_NAME_MAX,
        help_text="选“含特别程序”时必填，如专家评审、检验检测；特别程序期间不计时。",
    )
    xml = forms.FileField(
        label="上传 BPMN 2.0 文件",
        required=False,
        help_text="选“自定义 BPMN”时上传 .bpmn 文件（不超过 1 MB）。用户任务的 ID 以环节开头："
        "handle、accept、review、special、decide、deliver，如 review_fire。",
    )

    def __init__(self, *args, implementation, **kwargs):
        super().__init__(*args, **kwargs)
        self.implementation = implementation
        self.fields["joint_departments"].label_from_instance = self._department_label

    def _department_label(self, department):
        label = f"{department.region.name} {department.name}"
        if department.pk == self.implementation.department_id:
            label += "（牵头部门）"
        return label

    def clean_xml(self):
        upload = self.cleaned_data.get("xml")
        if not upload:
            return None
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("文件过大：BPMN 文件不超过 1 MB。")
        return upload.read()

    def clean(self):
        cleaned = super().clean()
        template = cleaned.get("template")
        if template and cleaned.get("xml") and template != ProcessTemplate.CUSTOM:
            self.add_error("xml", "上传文件时请选择“自定义 BPMN”；使用模板时不要上传文件。")
        return cleaned


def _initial(implementation, definition):
    if definition is not None:
        return {
            "template": definition.template,
            "joint_departments": definition.parameters.get("joint_departments", []),
            "special_name": definition.parameters.get("special_name", ""),
        }
    template, parameters = processes.default_template(implementation)
    special = SpecialProcedure.objects.filter(implementation=implementation).first()
    return {
        "template": template,
        "special_name": parameters.get("special_name") or (special.name if special else ""),
    }


def edit(request, implementation_pk):
    if not can_configure(request.user):
        return _forbidden(request)
    implementation = get_object_or_404(
        Implementation.objects.select_related("region", "department"), pk=implementation_pk
    )
    current = processes.current_process(implementation)
    if request.method == "POST":
        form = ProcessForm(request.POST, request.FILES, implementation=implementation)
        if form.is_valid():
            data = form.cleaned_data
            parameters = {
                "joint_departments": [d.pk for d in data["joint_departments"]],
                "special_name": data["special_name"],
            }
            try:
                definition = processes.configure_process(
                    implementation=implementation,
                    template=data["template"],
                    parameters=parameters,
                    xml=data["xml"],
                    actor=request.user,
                    request=request,
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"已保存“{implementation.name}”的办理流程第 {definition.version} 版。"
                    "新提交的办件使用新版本，办理中的办件仍按原版本办理。",
                )
                return redirect("hall_processes:edit", implementation.pk)
    else:
        form = ProcessForm(implementation=implementation, initial=_initial(implementation, current))
    setup = (
        ServiceSetup.objects.select_related("form").filter(implementation=implementation).first()
    )
    versions = (
        ProcessDefinition.objects.filter(key=processes.process_key(implementation))
        .select_related("created_by")
        .annotate(case_count=Count("cases"))
        .order_by("-version")
    )
    return TemplateResponse(
        request,
        "hall/admin/process_edit.html",
        {
            "implementation": implementation,
            "current": current,
            "current_description": describe(current),
            "application_form": setup.form if setup else None,
            "form_url": _form_editor_url(implementation),
            "form": form,
            "versions": [
                {
                    "definition": definition,
                    "description": describe(definition),
                    "url": reverse("hall_processes:version", args=[definition.pk]),
                    "xml_url": reverse("hall_processes:xml", args=[definition.pk]),
                }
                for definition in versions
            ],
            "index_url": reverse("hall_processes:index"),
        },
    )


# --- one version -----------------------------------------------------------------------


def _definition_or_404(definition_pk):
    definition = get_object_or_404(ProcessDefinition, pk=definition_pk)
    if not definition.key.startswith("impl-"):
        raise Http404("不是事项的办理流程")
    return definition


def version(request, definition_pk):
    if not can_configure(request.user):
        return _forbidden(request)
    definition = _definition_or_404(definition_pk)
    implementation = (
        Implementation.objects.select_related("region", "department")
        .filter(pk=definition.key.removeprefix("impl-"))
        .first()
        if definition.key.removeprefix("impl-").isdigit()
        else None
    )
    return TemplateResponse(
        request,
        "hall/admin/process_version.html",
        {
            "definition": definition,
            "subtitle": f"第 {definition.version} 版",
            "description": describe(definition),
            "implementation": implementation,
            "is_current": implementation is not None
            and processes.current_process(implementation) == definition,
            "case_count": definition.cases.count(),
            "xml_url": reverse("hall_processes:xml", args=[definition.pk]),
            "edit_url": reverse("hall_processes:edit", args=[implementation.pk])
            if implementation
            else "",
        },
    )


def xml(request, definition_pk):
    if not can_configure(request.user):
        return _forbidden(request)
    definition = _definition_or_404(definition_pk)
    response = HttpResponse(definition.bpmn_xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{definition.key}-v{definition.version}.bpmn"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("", index, name="index"),
    path("<int:implementation_pk>/", edit, name="edit"),
    path("versions/<int:definition_pk>/", version, name="version"),
    path("versions/<int:definition_pk>/xml/", xml, name="xml"),
]


class ProcessSetupMenuItem(MenuItem):
    def is_shown(self, request):
        return can_configure(request.user)


def menu_item():
    return ProcessSetupMenuItem(
        "办件配置",
        reverse("hall_processes:index"),
        name="hall-process-setup",
        icon_name="cogs",
        order=920,
    )
