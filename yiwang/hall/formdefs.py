"""Application forms defined as data (CONTRACT — owner: helper "forms").

See ``models.ApplicationForm`` for the schema's shape. A schema becomes a Django ``Form``
here (``build_form``), so the applicant pages, the counter page and the actions validate the
same way; what the applicant must upload comes from the guide's materials overridden by the
form's ``material_rules`` (``required_materials``)."""

import datetime
import decimal
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import transaction

FIELD_TYPES = (
    "text",
    "textarea",
    "integer",
    "decimal",
    "date",
    "choice",
    "multichoice",
    "boolean",
    "id_number",
    "uscc",
    "mobile",
    "email",
    "address",
)

FIELD_TYPE_LABELS = {
    "text": "单行文本",
    "textarea": "多行文本",
    "integer": "整数",
    "decimal": "数值（可含小数）",
    "date": "日期",
    "choice": "单选",
    "multichoice": "多选",
    "boolean": "勾选（是/否）",
    "id_number": "居民身份证号码",
    "uscc": "统一社会信用代码",
    "mobile": "手机号码",
    "email": "电子邮箱",
    "address": "地址",
}

CHOICE_TYPES = ("choice", "multichoice")
# Types whose ``min``/``max`` bound the value (dates as ISO strings).
RANGE_TYPES = ("integer", "decimal", "date")
LENGTH_TYPES = ("text", "textarea", "address")

# Field names the hall's pages post next to the form's own fields.
RESERVED_NAMES = frozenset(
    {"csrfmiddlewaretoken", "action", "situations", "situation_codes", "materials", "next"}
)
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")

RULE_ALWAYS = "always"
RULE_NEVER = "never"
RULE_SITUATIONS = "situations"
RULE_KINDS = (RULE_ALWAYS, RULE_NEVER, RULE_SITUATIONS)
# No "required" key (or "guide"): the guide's necessity and situations decide.
RULE_GUIDE = "guide"
DEFAULT_MAX_FILES = 5
MAX_FILES_LIMIT = 50

DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000, "address": 300}


@dataclass(frozen=True)
class MaterialRequirement:
    """One material the applicant sees on the upload page."""

    name: str
    material_id: int | None
    required: bool
    max_files: int = DEFAULT_MAX_FILES
    note: str = ""


# --- schema validation -------------------------------------------------------------------


def _iter_fields(schema):
    for section in (schema or {}).get("sections") or []:
        if isinstance(section, dict):
            yield from (f for f in section.get("fields") or [] if isinstance(f, dict))


def _number(value, kind):
    if kind == "integer":
        if isinstance(value, bool):
            raise ValueError
        return int(value)
    if kind == "decimal":
        return decimal.Decimal(str(value))
    return datetime.date.fromisoformat(str(value))


def validate_schema(schema, material_rules=None, *, implementation=None):
    """Chinese problems with a schema (unknown types, duplicate names, bad patterns …);
    empty when it can be saved. With ``implementation``, ``material_rules`` may name only
    the guide's materials and its situation codes."""
    problems = []
    if not isinstance(schema, dict) or not isinstance(schema.get("sections"), list):
        return ["表单定义必须包含分组列表（sections）。"]
    if not schema["sections"]:
        problems.append("表单至少需要一个分组。")
    seen = set()
    for s_index, section in enumerate(schema["sections"], start=1):
        if not isinstance(section, dict):
            problems.append(f"第 {s_index} 个分组格式不正确。")
            continue
        title = str(section.get("title") or "").strip()
        where_section = f"分组“{title}”" if title else f"第 {s_index} 个分组"
        if not title:
            problems.append(f"{where_section}缺少标题。")
        fields = section.get("fields")
        if not isinstance(fields, list) or not fields:
            problems.append(f"{where_section}至少需要一个字段。")
            continue
        for f_index, field in enumerate(fields, start=1):
            problems.extend(field_problems(field, f"{where_section}第 {f_index} 个字段", seen))
    problems.extend(_rule_problems(material_rules or {}, implementation))
    return problems


def field_problems(field, where, seen):
    """Chinese problems with one field of a schema; ``where`` names it in the messages,
    ``seen`` collects the names met so far (duplicates are problems)."""
    if not isinstance(field, dict):
        return [f"{where}格式不正确。"]
    problems = []
    name = field.get("name")
    label = str(field.get("label") or "").strip()
    if label:
        where = f"字段“{label}”"
    if not isinstance(name, str) or not NAME_RE.match(name):
        problems.append(
            f"{where}的字段标识“{name or ''}”无效：须以小写英文字母开头，"
            "只含小写字母、数字和下划线，不超过 50 个字符。"
        )
    elif name in RESERVED_NAMES:
        problems.append(f"{where}的字段标识“{name}”为系统保留，请换一个。")
    elif name in seen:
        problems.append(f"字段标识“{name}”重复：每个字段的标识必须唯一。")
    else:
        seen.add(name)
    if not label:
        problems.append(f"{where}缺少显示名称。")
    kind = field.get("type")
    if kind not in FIELD_TYPES:
        problems.append(f"{where}的类型“{kind or ''}”未知。")
        return problems
    if kind in CHOICE_TYPES:
        choices = field.get("choices")
        values = []
        if not isinstance(choices, list) or not choices:
            problems.append(f"{where}是选择题，必须列出选项。")
        else:
            for choice in choices:
                if (
                    not isinstance(choice, (list, tuple))
                    or len(choice) != 2
                    or not str(choice[0]).strip()
                    or not str(choice[1]).strip()
                ):
                    problems.append(f"{where}的选项须为“值、显示文字”两项，且都不能为空。")
                    break
                values.append(str(choice[0]))
            if len(values) != len(set(values)):
                problems.append(f"{where}的选项值有重复。")
    for key in ("min_length", "max_length"):
        if field.get(key) not in (None, ""):
            value = field[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"{where}的长度限制须为非负整数。")
            elif kind not in LENGTH_TYPES:
                problems.append(f"{where}的类型不支持长度限制。")
    if (
        isinstance(field.get("min_length"), int)
        and isinstance(field.get("max_length"), int)
        and field["min_length"] > field["max_length"]
    ):
        problems.append(f"{where}的最短长度大于最长长度。")
    bounds = {}
    for key in ("min", "max"):
        if field.get(key) not in (None, ""):
            if kind not in RANGE_TYPES:
                problems.append(f"{where}的类型不支持取值范围。")
                continue
            try:
                bounds[key] = _number(field[key], kind)
            except (ValueError, TypeError, decimal.InvalidOperation):
                expected = "YYYY-MM-DD 格式的日期" if kind == "date" else "数字"
                problems.append(f"{where}的取值范围须为{expected}。")
    if len(bounds) == 2 and bounds["min"] > bounds["max"]:
        problems.append(f"{where}的最小值大于最大值。")
    pattern = field.get("pattern")
    if pattern not in (None, ""):
        if kind not in LENGTH_TYPES:
            problems.append(f"{where}的类型不支持格式（正则表达式）校验。")
        else:
            try:
                re.compile(str(pattern))
            except re.error as error:
                problems.append(f"{where}的格式（正则表达式）无效：{error}。")
            if not str(field.get("pattern_message") or "").strip():
                problems.append(f"{where}设置了格式校验，须同时填写不符合格式时的提示。")
    return problems


def _rule_problems(material_rules, implementation):
    if not isinstance(material_rules, dict):
        return ["材料规则格式不正确。"]
    problems = []
    names = codes = None
    if implementation is not None and implementation.pk:
        names = {m.name for m in implementation.materials.all()}
        codes = {s.code for s in implementation.situations.all()}
    for name, rule in material_rules.items():
        if names is not None and name not in names:
            problems.append(f"材料规则中的“{name}”不是本事项办事指南中的材料。")
            continue
        if not isinstance(rule, dict) or rule.get("required", RULE_GUIDE) not in (
            *RULE_KINDS,
            RULE_GUIDE,
        ):
            problems.append(
                f"材料“{name}”的规则须为：按办事指南、始终必须提交、不要求或仅限某些情形。"
            )
            continue
        if rule.get("required") == RULE_SITUATIONS:
            chosen = rule.get("situations")
            if not isinstance(chosen, list) or not chosen:
                problems.append(f"材料“{name}”限定了情形，但没有选择任何情形。")
            elif codes is not None:
                unknown = [str(c) for c in chosen if c not in codes]
                if unknown:
                    problems.append(f"材料“{name}”的情形代码不存在：{'、'.join(unknown)}。")
        max_files = rule.get("max_files")
        if max_files not in (None, "") and (
            isinstance(max_files, bool)
            or not isinstance(max_files, int)
            or not 1 <= max_files <= MAX_FILES_LIMIT
        ):
            problems.append(f"材料“{name}”的文件数上限须为 1 到 {MAX_FILES_LIMIT} 之间的整数。")
    return problems


# --- the default form and versions -------------------------------------------------------


def default_schema(implementation):
    """A sensible form for an implementation without one: the applicant's name, ID number
    or credit code by audience, contact mobile, address, a free description."""
    from yiwang.catalog.constants import Audience

    if implementation.audience == Audience.LEGAL_PERSON:
        applicant = [
            {
                "name": "name",
                "label": "单位名称",
                "type": "text",
                "required": True,
                "max_length": 200,
            },
            {
                "name": "uscc",
                "label": "统一社会信用代码",
                "type": "uscc",
                "required": True,
                "help": "18 位，见营业执照。",
            },
            {
                "name": "legal_representative",
                "label": "法定代表人",
                "type": "text",
                "required": True,
                "max_length": 100,
            },
        ]
    else:
        applicant = [
            {"name": "name", "label": "姓名", "type": "text", "required": True,
             "max_length": 100},
            {"name": "id_number", "label": "居民身份证号码", "type": "id_number",
             "required": True, "help": "18 位，末位可能是 X。"},
        ]  # fmt: skip
    applicant += [
        {"name": "mobile", "label": "联系电话", "type": "mobile", "required": True,
         "help": "11 位手机号码，用于接收办理进度短信。"},
        {"name": "address", "label": "联系地址", "type": "address", "required": False},
    ]  # fmt: skip
    return {
        "sections": [
            {"title": "申请人信息", "fields": applicant},
            {
                "title": "申请事项",
                "fields": [
                    {
                        "name": "reason",
                        "label": "申请事由",
                        "type": "textarea",
                        "required": True,
                        "max_length": 2000,
                        "help": "简要说明申请的内容和理由。",
                    }
                ],
            },
        ]
    }


def current_form(implementation):
    """The implementation's current ``ApplicationForm`` (its ``ServiceSetup.form``), or
    None."""
    from .models import ServiceSetup

    setup = (
        ServiceSetup.objects.select_related("form").filter(implementation=implementation).first()
    )
    return setup.form if setup is not None else None


def save_form(*, implementation, schema, material_rules=None, actor, request=None):
    """Save a new version of the form (audited) and make it current. Raises
    ``ValidationError`` with ``validate_schema``'s problems."""
    from yiwang.core import audit

    from .models import ApplicationForm, ServiceSetup

    material_rules = material_rules or {}
    problems = validate_schema(schema, material_rules, implementation=implementation)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        setup, _ = ServiceSetup.objects.select_for_update().get_or_create(
            implementation=implementation
        )
        last = (
            ApplicationForm.objects.filter(implementation=implementation)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        form = ApplicationForm.objects.create(
            implementation=implementation,
            version=(last or 0) + 1,
            schema=schema,
            material_rules=material_rules,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        setup.form = form
        setup.save(update_fields=["form", "updated_at"])
        audit.record(
            action="hall.form_saved",
            actor=actor,
            obj=form,
            detail={
                "implementation": implementation.pk,
                "version": form.version,
                "fields": [f.get("name") for f in _iter_fields(schema)],
            },
            request=request,
        )
    return form


def ensure_form(implementation):
    """The current form, or ``default_schema``'s saved now as version 1."""
    form = current_form(implementation)
    if form is None:
        form = save_form(
            implementation=implementation, schema=default_schema(implementation), actor=None
        )
    return form


# --- schema → Django form ----------------------------------------------------------------


def _messages(label, field):
    messages = {
        "required": f"请填写{label}。",
        "invalid": f"{label}格式不正确。",
        "min_length": f"{label}至少需要 %(limit_value)s 个字符（现有 %(show_value)s 个）。",
        "max_length": f"{label}最多 %(limit_value)s 个字符（现有 %(show_value)s 个）。",
        "min_value": f"{label}不能小于 %(limit_value)s。",
        "max_value": f"{label}不能大于 %(limit_value)s。",
        "invalid_choice": f"请从列出的选项中选择{label}。",
        "invalid_list": f"请从列出的选项中选择{label}。",
        "max_digits": f"{label}的数字位数过多。",
        "max_decimal_places": f"{label}的小数位数过多。",
        "max_whole_digits": f"{label}的整数位数过多。",
    }
    if field["type"] in CHOICE_TYPES:
        messages["required"] = f"请选择{label}。"
    if field["type"] == "boolean":
        messages["required"] = f"请勾选“{label}”。"
    if field["type"] == "integer":
        messages["invalid"] = f"{label}须为整数。"
    if field["type"] == "decimal":
        messages["invalid"] = f"{label}须为数字。"
    if field["type"] == "date":
        messages["invalid"] = f"{label}须为有效日期，格式如 2026-01-31。"
        messages["min_value"] = f"{label}不能早于 %(limit_value)s。"
        messages["max_value"] = f"{label}不能晚于 %(limit_value)s。"
    if field["type"] == "email":
        messages["invalid"] = "请填写有效的电子邮箱地址，如 name@example.com。"
    return messages


def _check_ric(value):
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        return ric.validate(value)
    except StdnumError:
        raise ValidationError(
            "居民身份证号码不正确，请核对 18 位号码（末位可能是 X）。", code="id_number"
        ) from None


def _check_uscc(value):
    from stdnum.cn import uscc
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        return uscc.validate(value)
    except StdnumError:
        raise ValidationError(
            "统一社会信用代码不正确，请核对营业执照上的 18 位代码。", code="uscc"
        ) from None


class IdentifierField(forms.CharField):
    """An ID number or credit code: spaces removed, upper case, checksum checked."""

    def __init__(self, *, check, **kwargs):
        self.check = check
        super().__init__(max_length=30, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return re.sub(r"\s+", "", value).upper()

    def validate(self, value):
        super().validate(value)
        if value not in self.empty_values:
            self.check(value)


class MobileField(forms.CharField):
    def to_python(self, value):
        return re.sub(r"[\s-]+", "", super().to_python(value))


class BoundedDateField(forms.DateField):
    def __init__(self, *, min_date=None, max_date=None, **kwargs):
        super().__init__(**kwargs)
        self.min_date, self.max_date = min_date, max_date

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        if self.min_date and value < self.min_date:
            raise ValidationError(
                self.error_messages["min_value"],
                code="min_value",
                params={"limit_value": self.min_date.isoformat()},
            )
        if self.max_date and value > self.max_date:
            raise ValidationError(
                self.error_messages["max_value"],
                code="max_value",
                params={"limit_value": self.max_date.isoformat()},
            )


def _bound(field, key, kind):
    value = field.get(key)
    if value in (None, ""):
        return None
    return _number(value, kind)


def make_field(field, *, draft=False):
    """The Django form field for one schema field; ``schema_required`` keeps whether the
    schema requires it (a draft's fields are all optional but still marked 必填)."""
    form_field = _make_field(field, draft=draft)
    form_field.schema_required = bool(field.get("required"))
    form_field.field_type = field["type"]
    return form_field


def _make_field(field, *, draft=False):
    kind = field["type"]
    label = str(field.get("label") or field["name"])
    common = {
        "label": label,
        "required": bool(field.get("required")) and not draft,
        "help_text": str(field.get("help") or ""),
        "error_messages": _messages(label, field),
    }
    if kind in LENGTH_TYPES:
        validators = []
        if field.get("pattern"):
            validators.append(
                RegexValidator(
                    re.compile(str(field["pattern"])),
                    message=str(field.get("pattern_message") or f"{label}格式不正确。"),
                    code="pattern",
                )
            )
        widget = forms.Textarea(attrs={"rows": 5}) if kind == "textarea" else None
        if kind == "address":
            widget = forms.TextInput(attrs={"autocomplete": "street-address"})
        return forms.CharField(
            min_length=field.get("min_length") or None,
            max_length=field.get("max_length") or DEFAULT_MAX_LENGTH[kind],
            validators=validators,
            widget=widget,
            **common,
        )
    if kind == "integer":
        return forms.IntegerField(
            min_value=_bound(field, "min", kind),
            max_value=_bound(field, "max", kind),
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    if kind == "decimal":
        return forms.DecimalField(
            min_value=_bound(field, "min", kind),
            max_value=_bound(field, "max", kind),
            max_digits=20,
            decimal_places=6,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            **common,
        )
    if kind == "date":
        return BoundedDateField(
            min_date=_bound(field, "min", kind),
            max_date=_bound(field, "max", kind),
            input_formats=["%Y-%m-%d"],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **common,
        )
    if kind == "choice":
        choices = [(str(v), str(text)) for v, text in field.get("choices") or []]
        return forms.ChoiceField(
            choices=[("", "请选择")] + choices if len(choices) > 5 else choices,
            widget=forms.Select if len(choices) > 5 else forms.RadioSelect,
            **common,
        )
    if kind == "multichoice":
        return forms.MultipleChoiceField(
            choices=[(str(v), str(text)) for v, text in field.get("choices") or []],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == "boolean":
        return forms.BooleanField(**common)
    if kind == "id_number":
        return IdentifierField(check=_check_ric, **common)
    if kind == "uscc":
        return IdentifierField(check=_check_uscc, **common)
    if kind == "mobile":
        return MobileField(
            max_length=20,
            validators=[
                RegexValidator(
                    r"^1\d{10}$",
                    message="手机号码须为以 1 开头的 11 位数字。",
                    code="mobile",
                )
            ],
            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            **common,
        )
    if kind == "email":
        return forms.EmailField(
            max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}), **common
        )
    raise ValueError(f"unknown field type {kind!r}")


class ApplicationDataForm(forms.Form):
    """The applicant's form for one ``ApplicationForm`` version."""

    template_name = "hall/includes/application_form.html"
    # Server-side validation only: the browser must not block saving a draft.
    use_required_attribute = False

    def __init__(self, *args, application_form, draft=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.application_form = application_form
        self.draft = draft
        self._section_names = []
        for section in (application_form.schema or {}).get("sections") or []:
            names = []
            for field in section.get("fields") or []:
                self.fields[field["name"]] = make_field(field, draft=draft)
                names.append(field["name"])
            self._section_names.append((str(section.get("title") or ""), names))

    @property
    def sections(self):
        """``[(title, [BoundField, ...]), ...]`` in schema order."""
        return [(title, [self[name] for name in names]) for title, names in self._section_names]

    def json_data(self):
        """``cleaned_data`` as JSON: dates as ISO strings, decimals as strings, empty
        values left out."""
        return {
            name: _to_json(value)
            for name, value in self.cleaned_data.items()
            if value not in (None, "", [])
        }


def _to_json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return value


def build_form(application_form, *, data=None, draft=False, initial=None, prefix=None):
    """A Django ``Form`` for the schema (sections as fieldsets via ``form.sections``), with
    labels, help texts and the validation of each field; ``draft`` makes every field
    optional (saving a draft). ``initial`` is typically a case's ``form_data``."""
    return ApplicationDataForm(
        data=data,
        initial=initial,
        prefix=prefix,
        application_form=application_form,
        draft=draft,
    )


def clean_data(application_form, data, *, draft=False):
    """Validate submitted data: ``(cleaned JSON-able dict, {field: [Chinese errors]})``.
    ``data`` is a ``QueryDict`` or a plain dict (a case's ``form_data`` re-checked at
    submission; lists for multichoice)."""
    form = build_form(application_form, data=_as_form_data(data), draft=draft)
    if form.is_valid():
        return form.json_data(), {}
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    return {
        name: _to_json(value)
        for name, value in getattr(form, "cleaned_data", {}).items()
        if value not in (None, "", [])
    }, errors


def _as_form_data(data):
    if data is None or hasattr(data, "getlist"):
        return data
    prepared = {}
    for key, value in dict(data).items():
        if value is True:
            value = "on"
        elif value is False or value is None:
            continue
        elif isinstance(value, (int, float, decimal.Decimal)):
            value = str(value)
        prepared[key] = value
    return prepared


# --- required materials ------------------------------------------------------------------


def required_materials(implementation, application_form, situation_codes):
    """What the applicant must upload for the chosen situations: a list of
    ``MaterialRequirement(name, material_id, required, max_files, note)`` in guide order.

    The guide decides by default: a material naming situations applies only when one of
    them is chosen (none named: every situation); it is required when its necessity is 必要,
    optional when 容缺后补 or 非必要. A rule in ``material_rules`` overrides that: "always"
    (required whatever the situation), "never" (offered, never required), "situations"
    (required for those situations, not asked otherwise)."""
    from yiwang.catalog.constants import MaterialNecessity

    chosen = {str(c) for c in situation_codes or []}
    rules = (application_form.material_rules if application_form is not None else None) or {}
    result = []
    for material in implementation.materials.all():
        rule = rules.get(material.name) or {}
        kind = rule.get("required")
        if kind == RULE_GUIDE:
            kind = None
        max_files = rule.get("max_files") or DEFAULT_MAX_FILES
        if kind == RULE_ALWAYS:
            required = True
        elif kind == RULE_NEVER:
            required = False
        elif kind == RULE_SITUATIONS:
            if not chosen & {str(c) for c in rule.get("situations") or []}:
                continue
            required = True
        else:
            codes = material.situation_code_list
            if codes and not chosen & set(codes):
                continue
            required = material.necessity == MaterialNecessity.REQUIRED
        note = material.requirements or ""
        if kind is None and material.necessity == MaterialNecessity.CONDITIONAL:
            note = "可容缺后补。" + (f" {note}" if note else "")
        result.append(
            MaterialRequirement(
                name=material.name,
                material_id=material.pk,
                required=required,
                max_files=max_files,
                note=note,
            )
        )
    return result
