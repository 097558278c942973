"""The back office editor of application forms (办件配置 → 申请表), namespace ``hall_forms``.

``edit`` (args [implementation pk]): the fields as a formset (one row per field, its section
named in the row), the material rules per guide material, a preview rendering the form as
applicants see it, and saving a new version through ``formdefs.save_form``. ``version`` (args
[form pk]): one saved version, read only. Only holders of ``hall.change_applicationform``
(group 办件配置管理员) and superusers get in; everyone else gets 403."""

import decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from yiwang.catalog.models import Implementation

from . import formdefs
from .models import ApplicationForm
from .process_admin import forbidden

PERMISSION = "hall.change_applicationform"


def can_edit_forms(user):
    return user.is_active and (user.is_superuser or user.has_perm(PERMISSION))


def _forbidden(request):
    return forbidden(
        request, "配置申请表需要“办件配置管理员”角色。如需此权限，请联系本单位的系统管理员。"
    )


# --- one field of the schema -------------------------------------------------------------


class FieldRowForm(forms.Form):
    section = forms.CharField(
        label="所属分组", max_length=100, help_text="同名分组的字段显示在一起，如“申请人信息”。"
    )
    name = forms.CharField(
        label="字段标识",
        max_length=50,
        help_text="小写英文字母开头，只含小写字母、数字、下划线，如 company_name。",
    )
    label = forms.CharField(label="显示名称", max_length=100)
    # An initial value, so an untouched blank row (its select shows the first type) is
    # recognised as unchanged and skipped.
    type = forms.ChoiceField(
        label="类型", choices=list(formdefs.FIELD_TYPE_LABELS.items()), initial="text"
    )
    required = forms.BooleanField(label="必填", required=False)
    help = forms.CharField(label="填写说明", max_length=300, required=False)
    min_length = forms.IntegerField(label="最少字数", min_value=0, required=False)
    max_length = forms.IntegerField(label="最多字数", min_value=1, required=False)
    min = forms.CharField(
        label="最小值", max_length=30, required=False, help_text="日期写成 2026-01-31"
    )
    max = forms.CharField(label="最大值", max_length=30, required=False)
    pattern = forms.CharField(label="格式（正则表达式）", max_length=300, required=False)
    pattern_message = forms.CharField(label="格式不符时的提示", max_length=200, required=False)
    choices = forms.CharField(
        label="选项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="单选、多选时填写：每行一个，格式“值|显示文字”，如 new|新办。",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = "此项必须填写。"
        self.fields["min_length"].error_messages["invalid"] = "请填写整数。"
        self.fields["max_length"].error_messages["invalid"] = "请填写整数。"

    def clean_choices(self):
        lines = [line.strip() for line in self.cleaned_data["choices"].splitlines()]
        choices = []
        for number, line in enumerate((line for line in lines if line), start=1):
            value, sep, text = line.partition("|")
            if not sep or not value.strip() or not text.strip():
                raise ValidationError(f"第 {number} 个选项须写成“值|显示文字”。")
            choices.append([value.strip(), text.strip()])
        return choices

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned.get("type"):
            return cleaned
        field = self.as_field()
        for problem in formdefs.field_problems(field, "本字段", set()):
            self.add_error(None, problem)
        return cleaned

    def as_field(self):
        """The schema's dict for this row (only the keys that are set)."""
        data = self.cleaned_data
        kind = data["type"]
        field = {
            "name": data["name"].strip(),
            "label": data["label"].strip(),
            "type": kind,
            "required": bool(data.get("required")),
        }
        if data.get("help"):
            field["help"] = data["help"].strip()
        for key in ("min_length", "max_length"):
            if data.get(key) is not None:
                field[key] = data[key]
        for key in ("min", "max"):
            value = (data.get(key) or "").strip()
            if value:
                field[key] = _bound_value(value, kind)
        if data.get("pattern"):
            field["pattern"] = data["pattern"]
            field["pattern_message"] = (data.get("pattern_message") or "").strip()
        if kind in formdefs.CHOICE_TYPES or data.get("choices"):
            field["choices"] = data.get("choices") or []
        return field


def _bound_value(value, kind):
    """A bound as the schema stores it: integers as numbers, the rest as text (left as
    typed when it does not parse, so ``validate_schema`` names the problem)."""
    try:
        if kind == "integer":
            return int(value)
        if kind == "decimal":
            return str(decimal.Decimal(value))
    except (ValueError, decimal.InvalidOperation):
        pass
    return value


class BaseFieldFormSet(forms.BaseFormSet):
    def clean(self):
        seen = {}
        for number, form in enumerate(self.forms, start=1):
            if not form.has_changed() or self._should_delete_form(form):
                continue
            name = (getattr(form, "cleaned_data", {}).get("name") or "").strip()
            if not name:
                continue
            if name in seen:
                form.add_error("name", f"字段标识“{name}”与第 {seen[name]} 行重复。")
            else:
                seen[name] = number
        if not any(self.errors) and not self.kept_forms():
            raise ValidationError("表单至少需要一个字段。")

    def kept_forms(self):
        forms_ = [
            form
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form) and form.is_valid()
        ]
        if self.can_order:
            forms_.sort(
                key=lambda f: (
                    f.cleaned_data.get("ORDER") is None,
                    f.cleaned_data.get("ORDER") or 0,
                    self.forms.index(f),
                )
            )
        return forms_

    def schema(self):
        sections = {}
        for form in self.kept_forms():
            title = form.cleaned_data["section"].strip()
            sections.setdefault(title, []).append(form.as_field())
        return {"sections": [{"title": t, "fields": f} for t, f in sections.items()]}


FieldFormSet = formset_factory(
    FieldRowForm, formset=BaseFieldFormSet, extra=2, can_delete=True, can_order=True
)


def rows_from_schema(schema):
    rows = []
    for section in (schema or {}).get("sections") or []:
        for field in section.get("fields") or []:
            row = {
                "section": section.get("title", ""),
                "name": field.get("name", ""),
                "label": field.get("label", ""),
                "type": field.get("type", "text"),
                "required": bool(field.get("required")),
                "help": field.get("help", ""),
                "min_length": field.get("min_length"),
                "max_length": field.get("max_length"),
                "min": "" if field.get("min") is None else str(field["min"]),
                "max": "" if field.get("max") is None else str(field["max"]),
                "pattern": field.get("pattern", ""),
                "pattern_message": field.get("pattern_message", ""),
                "choices": "\n".join(f"{v}|{t}" for v, t in field.get("choices") or []),
            }
            row["ORDER"] = len(rows) + 1
            rows.append(row)
    return rows


# --- material rules ----------------------------------------------------------------------

MODE_CHOICES = [
    (formdefs.RULE_GUIDE, "按办事指南（必要性和适用情形）"),
    (formdefs.RULE_ALWAYS, "始终必须提交"),
    (formdefs.RULE_NEVER, "不要求（申请人可选择提交）"),
    (formdefs.RULE_SITUATIONS, "仅在所选情形下必须提交"),
]


class MaterialRuleForm(forms.Form):
    mode = forms.ChoiceField(label="提交要求", choices=MODE_CHOICES, widget=forms.RadioSelect)
    situations = forms.MultipleChoiceField(
        label="适用情形", required=False, widget=forms.CheckboxSelectMultiple
    )
    max_files = forms.IntegerField(
        label="文件数上限",
        required=False,
        min_value=1,
        max_value=formdefs.MAX_FILES_LIMIT,
        help_text=f"留空为 {formdefs.DEFAULT_MAX_FILES} 个。",
        error_messages={
            "invalid": "请填写整数。",
            "min_value": "至少为 1。",
            "max_value": f"不能超过 {formdefs.MAX_FILES_LIMIT}。",
        },
    )

    def __init__(self, *args, material, situations, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.material = material
        self.fields["situations"].choices = [(s.code, f"{s.code} {s.name}") for s in situations]
        self.fields["situations"].error_messages["invalid_choice"] = "请从列出的情形中选择。"
        self.fields["mode"].error_messages["required"] = "请选择提交要求。"
        if not situations:
            self.fields["mode"].choices = MODE_CHOICES[:3]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == formdefs.RULE_SITUATIONS and not cleaned.get("situations"):
            self.add_error("situations", "选择了“仅在所选情形下必须提交”，请至少勾选一个情形。")
        return cleaned

    def rule(self):
        mode = self.cleaned_data["mode"]
        rule = {}
        if mode != formdefs.RULE_GUIDE:
            rule["required"] = mode
        if mode == formdefs.RULE_SITUATIONS:
            rule["situations"] = list(self.cleaned_data["situations"])
        if self.cleaned_data.get("max_files"):
            rule["max_files"] = self.cleaned_data["max_files"]
        return rule


def material_rule_forms(implementation, rules, data=None):
    situations = list(implementation.situations.all())
    result = []
    for index, material in enumerate(implementation.materials.all()):
        rule = (rules or {}).get(material.name) or {}
        initial = {
            "mode": rule.get("required") or formdefs.RULE_GUIDE,
            "situations": rule.get("situations") or [],
            "max_files": rule.get("max_files"),
        }
        result.append(
            MaterialRuleForm(
                data,
                prefix=f"material-{index}",
                initial=initial,
                material=material,
                situations=situations,
            )
        )
    return result


# --- views -------------------------------------------------------------------------------


def _preview(implementation, schema, rules):
    draft = ApplicationForm(implementation=implementation, schema=schema, material_rules=rules)
    return formdefs.build_form(draft, prefix="preview")


def edit(request, implementation_pk):
    if not can_edit_forms(request.user):
        return _forbidden(request)
    implementation = get_object_or_404(Implementation, pk=implementation_pk)
    current = formdefs.current_form(implementation)
    versions = ApplicationForm.objects.filter(implementation=implementation).select_related(
        "created_by"
    )
    base = current
    if request.method == "GET" and request.GET.get("from"):
        base = get_object_or_404(versions, pk=request.GET["from"])
    schema = base.schema if base else formdefs.default_schema(implementation)
    rules = base.material_rules if base else {}

    preview = None
    schema_problems = []
    if request.method == "POST":
        formset = FieldFormSet(request.POST, prefix="fields")
        rule_forms = material_rule_forms(implementation, rules, request.POST)
        valid = formset.is_valid()
        valid = all([form.is_valid() for form in rule_forms]) and valid
        if valid:
            new_schema = formset.schema()
            new_rules = {form.material.name: form.rule() for form in rule_forms if form.rule()}
            schema_problems = formdefs.validate_schema(
                new_schema, new_rules, implementation=implementation
            )
            if not schema_problems:
                if request.POST.get("action") == "save":
                    try:
                        saved = formdefs.save_form(
                            implementation=implementation,
                            schema=new_schema,
                            material_rules=new_rules,
                            actor=request.user,
                            request=request,
                        )
                    except ValidationError as error:
                        schema_problems = error.messages
                    else:
                        messages.success(
                            request, f"已保存申请表第 {saved.version} 版，新申请将使用此版本。"
                        )
                        return redirect("hall_forms:edit", implementation.pk)
                else:
                    preview = _preview(implementation, new_schema, new_rules)
    else:
        formset = FieldFormSet(initial=rows_from_schema(schema), prefix="fields")
        rule_forms = material_rule_forms(implementation, rules)

    return TemplateResponse(
        request,
        "hall/admin/form_edit.html",
        {
            "implementation": implementation,
            "current": current,
            "base": base,
            "formset": formset,
            "rule_forms": rule_forms,
            "schema_problems": schema_problems,
            "preview": preview,
            "versions": versions,
            "has_errors": request.method == "POST" and preview is None,
        },
        status=400 if request.method == "POST" and preview is None else 200,
    )


def version(request, form_pk):
    if not can_edit_forms(request.user):
        return _forbidden(request)
    application_form = get_object_or_404(
        ApplicationForm.objects.select_related("implementation", "created_by"), pk=form_pk
    )
    implementation = application_form.implementation
    current = formdefs.current_form(implementation)
    rules = application_form.material_rules or {}
    rule_rows = []
    situation_names = {s.code: s.name for s in implementation.situations.all()}
    labels = dict(MODE_CHOICES)
    for material in implementation.materials.all():
        rule = rules.get(material.name) or {}
        mode = rule.get("required") or formdefs.RULE_GUIDE
        rule_rows.append(
            {
                "name": material.name,
                "mode": labels.get(mode, mode),
                "situations": [
                    f"{code} {situation_names.get(code, '')}".strip()
                    for code in rule.get("situations") or []
                ],
                "max_files": rule.get("max_files") or formdefs.DEFAULT_MAX_FILES,
            }
        )
    return TemplateResponse(
        request,
        "hall/admin/form_version.html",
        {
            "implementation": implementation,
            "application_form": application_form,
            "is_current": current is not None and current.pk == application_form.pk,
            "preview": formdefs.build_form(application_form, prefix="preview"),
            "rule_rows": rule_rows,
            "field_types": formdefs.FIELD_TYPE_LABELS,
            "edit_from_url": reverse("hall_forms:edit", args=[implementation.pk])
            + f"?from={application_form.pk}",
        },
    )


urlpatterns = [
    path("<int:implementation_pk>/", edit, name="edit"),
    path("versions/<int:form_pk>/", version, name="version"),
]


def menu_item():
    return None
