"""Back-office views of the catalog besides the snippet views: the lifecycle form of an
implementation (暂停 / 取消 / 恢复, through ``actions``) and the guide-completeness report
(``completeness.report``) with its Excel download."""

from io import BytesIO

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView
from openpyxl import Workbook
from openpyxl.styles import Font
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from yiwang.core.forms import add_action_errors
from yiwang.orgs.models import Department, Region

from . import actions, completeness
from .constants import KEY_ELEMENTS, VETO_ITEMS, VETO_MISSING_ELEMENTS
from .forms import ResumeForm, WithdrawForm
from .models import Implementation
from .viewsets import lifecycle_label

# Who may suspend, cancel and resume: the same people who may publish.
LIFECYCLE_PERMISSION = "catalog.publish_implementation"
REPORT_PERMISSIONS = ("catalog.view_implementation", "catalog.change_implementation")

LIFECYCLE_ACTIONS = {
    "suspend": ("暂停事项", "暂停", actions.suspend_implementation),
    "cancel": ("取消事项", "取消", actions.cancel_implementation),
    "resume": ("恢复事项", "恢复", actions.resume_implementation),
}


class LifecycleView(WagtailAdminTemplateMixin, FormView):
    """``lifecycle/<pk>/<action>/``: confirm a suspension, cancellation or resumption."""

    template_name = "catalog/admin/lifecycle.html"
    header_icon = "clipboard-list"
    edit_url_name = None
    index_url_name = None

    def setup(self, request, *args, pk, action, **kwargs):
        super().setup(request, *args, **kwargs)
        if action not in LIFECYCLE_ACTIONS:
            raise Http404("没有这个操作")
        self.action = action
        self.object = get_object_or_404(Implementation, pk=pk)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(LIFECYCLE_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return LIFECYCLE_ACTIONS[self.action][0]

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": "实施清单"},
            {"url": reverse(self.edit_url_name, args=(self.object.pk,)), "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_class(self):
        return ResumeForm if self.action == "resume" else WithdrawForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.action != "resume":
            kwargs["implementation"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object,
            action=self.action,
            submit_label=LIFECYCLE_ACTIONS[self.action][1],
            lifecycle=lifecycle_label(self.object),
            edit_url=reverse(self.edit_url_name, args=(self.object.pk,)),
            **kwargs,
        )

    def form_valid(self, form):
        _, verb, action = LIFECYCLE_ACTIONS[self.action]
        data = form.cleaned_data
        arguments = {
            "implementation": self.object,
            "actor": self.request.user,
            "reason": data["reason"],
            "request": self.request,
        }
        if self.action != "resume":
            arguments["effective_at"] = data["effective_at"]
            arguments["replacement"] = data.get("replacement")
        try:
            implementation = action(**arguments)
        except ValidationError as exc:
            add_action_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, f"已{verb}：{implementation}（{lifecycle_label(implementation)}）"
        )
        return redirect(self.edit_url_name, implementation.pk)


def can_view_report(user):
    return user.is_active and any(user.has_perm(p) for p in REPORT_PERMISSIONS)


class ReportFilterForm(forms.Form):
    region = forms.ModelChoiceField(
        label="区划", queryset=Region.objects.none(), required=False, empty_label="全部"
    )
    department = forms.ModelChoiceField(
        label="部门", queryset=Department.objects.none(), required=False, empty_label="全部"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = Region.objects.filter(pk__in=Implementation.objects.values("region").order_by())
        # Each region in use and the regions above it, so that a city covers its counties.
        ids = set()
        for region in used.select_related("parent__parent__parent"):
            ids.add(region.pk)
            ids.update(ancestor.pk for ancestor in region.ancestors())
        self.fields["region"].queryset = Region.objects.filter(pk__in=ids).order_by("code")
        self.fields["department"].queryset = (
            Department.objects.filter(pk__in=Implementation.objects.values("department").order_by())
            .select_related("region")
            .order_by("region__code", "name")
        )
        self.fields["department"].label_from_instance = lambda d: f"{d.region.name} · {d.name}"


def report_view(request):
    if not can_view_report(request.user):
        raise PermissionDenied
    form = ReportFilterForm(request.GET or None)
    region = department = None
    if form.is_bound and form.is_valid():
        region = form.cleaned_data["region"]
        department = form.cleaned_data["department"]
    result = completeness.report(region=region, department=department)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(result, region=region, department=department)
    query = request.GET.copy()
    query["format"] = "xlsx"
    return TemplateResponse(
        request,
        "catalog/admin/completeness.html",
        {
            "form": form,
            "report": result,
            "key_elements": KEY_ELEMENTS,
            "veto_missing": VETO_MISSING_ELEMENTS,
            "veto_items": VETO_ITEMS,
            "download_url": f"{reverse('catalog_completeness')}?{query.urlencode()}",
            "report_url": reverse("catalog_completeness"),
        },
    )


SUMMARY_HEADERS = [
    "事项数",
    "要素齐全",
    "齐全率（%）",
    f"缺{VETO_MISSING_ELEMENTS}项及以上的事项",
    "服务单项否决",
]


def _summary_row(summary):
    return [
        summary.total,
        summary.complete,
        summary.percent_complete,
        summary.many_missing,
        "不达标" if summary.veto_fails else "达标",
    ]


def report_workbook(result, *, region=None, department=None):
    """The report as an openpyxl workbook: 汇总, 按区划, 按部门, 事项明细."""
    workbook = Workbook()
    bold = Font(bold=True)

    summary = workbook.active
    summary.title = "汇总"
    summary.append(["办事指南完整性检查"])
    summary.append(["生成时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    summary.append(["区划", region.name if region else "全部"])
    summary.append(["部门", department.name if department else "全部"])
    summary.append(
        [
            "否决规则",
            f"{VETO_ITEMS}个及以上事项缺失{VETO_MISSING_ELEMENTS}个及以上关键要素即不达标",
        ]
    )
    summary.append([])
    summary.append(SUMMARY_HEADERS)
    summary.append(_summary_row(result.overall))
    summary["A1"].font = bold

    by_region = workbook.create_sheet("按区划")
    by_region.append(["区划代码", "区划", *SUMMARY_HEADERS])
    for row in result.by_region:
        by_region.append([row.group.code, row.group.name, *_summary_row(row)])

    by_department = workbook.create_sheet("按部门")
    by_department.append(["区划", "部门", "统一社会信用代码", *SUMMARY_HEADERS])
    for row in result.by_department:
        by_department.append(
            [row.group.region.name, row.group.name, row.group.uscc, *_summary_row(row)]
        )

    items = workbook.create_sheet("事项明细")
    items.append(
        ["实施编码", "事项名称", "区划", "部门", "缺失要素数", "缺失要素", *KEY_ELEMENTS.values()]
    )
    for item in result.items:
        obj = item.implementation
        items.append(
            [
                obj.code,
                obj.name,
                obj.region.name,
                obj.department.name,
                item.missing_count,
                "、".join(item.missing_labels),
                *("缺" if key in item.missing else "有" for key in KEY_ELEMENTS),
            ]
        )
    for sheet in (by_region, by_department, items):
        for cell in sheet[1]:
            cell.font = bold
    summary.column_dimensions["A"].width = 16
    items.column_dimensions["A"].width = 60
    items.column_dimensions["B"].width = 30
    return workbook


def xlsx_response(result, *, region=None, department=None):
    buffer = BytesIO()
    report_workbook(result, region=region, department=department).save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="guide-completeness-{stamp}.xlsx"; '
        f"filename*=UTF-8''%E5%8A%9E%E4%BA%8B%E6%8C%87%E5%8D%97%E5%AE%8C%E6%95%B4%E6%80%A7-{stamp}.xlsx"
    )
    return response
