"""Back-office forms of the catalog: the implementation's edit form (checks across its child
lists) and the lifecycle forms (suspend, cancel, resume)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateTimeInput

from yiwang.orgs.models import validate_uscc

from .constants import DeliveryMethod, ThemeKind
from .models import Implementation, Material, Theme, parse_implementation_code

# A credit code has 18 characters; older data carries 9-character organization codes
# ("00877868-5"), which the body part of an implementation code may still hold.
USCC_LENGTH = 18
# Topics before life events, as the portals list them.
KIND_ORDER = {kind: index for index, kind in enumerate(ThemeKind.values)}


def grouped_theme_choices(queryset):
    """Theme choices grouped by audience and kind (“个人办事 · 主题分类” …)."""
    groups = {}
    for theme in queryset:
        label = f"{theme.get_audience_display()} · {theme.get_kind_display()}"
        groups.setdefault(label, []).append((theme.pk, theme.name))
    return list(groups.items())


class ImplementationForm(WagtailAdminModelForm):
    """The implementation's edit form. Besides the model's own checks (code structure and its
    agreement with base item, region and department; a promised limit for 承诺件), it checks:

    - the implementing department's credit code, and the code's body part when it has the
      length of a credit code (``orgs.models.validate_uscc``);
    - every material's situation codes are among the implementation's situations;
    - publishing needs one or more themes.
    """

    delivery_methods = forms.MultipleChoiceField(
        label="送达方式",
        choices=DeliveryMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "themes" in self.fields:
            selected = list(self.instance.themes.all()) if self.instance.pk else []
            queryset = Theme.objects.filter(active=True) | Theme.objects.filter(
                pk__in=[t.pk for t in selected]
            )
            queryset = queryset.distinct()
            field = self.fields["themes"]
            field.queryset = queryset
            field.widget.choices = grouped_theme_choices(
                sorted(
                    queryset, key=lambda t: (t.audience, KIND_ORDER[t.kind], t.sort_order, t.code)
                )
            )
        if "delivery_methods" in self.fields and self.instance.pk:
            self.initial.setdefault("delivery_methods", list(self.instance.delivery_methods or []))

    def clean(self):
        cleaned = super().clean()
        department = cleaned.get("department")
        if department is not None and department.uscc:
            try:
                validate_uscc(department.uscc)
            except ValidationError as exc:
                self.add_error(
                    "department",
                    f"实施主体“{department.name}”的统一社会信用代码无效（{exc.messages[0]}），"
                    "请先在“组织机构 › 部门”中更正。",
                )
        # Every published implementation carries one or more themes (drafts may wait).
        if "action-publish" in self.data and "themes" in self.fields and not cleaned.get("themes"):
            self.add_error("themes", "发布前请至少选择一个主题。")
        parts = parse_implementation_code(cleaned.get("code"))
        if parts and len(parts["body"]) == USCC_LENGTH:
            try:
                validate_uscc(parts["body"])
            except ValidationError:
                self.add_error(
                    "code",
                    f"实施编码的实施主体编码部分（{parts['body']}）不是有效的统一社会信用代码。",
                )
        return cleaned

    def is_valid(self):
        valid = super().is_valid()
        situations = self.formsets.get("situations")
        materials = self.formsets.get("materials")
        if situations is None or materials is None or not situations.is_valid():
            return valid
        known = set()
        for form in situations.forms:
            code = (form.cleaned_data or {}).get("code", "").strip()
            if not code or form.cleaned_data.get("DELETE"):
                continue
            if code in known:
                form.add_error("code", f"情形代码“{code}”重复。")
                valid = False
            known.add(code)
        for form in materials.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            probe = Material(situation_codes=form.cleaned_data.get("situation_codes", ""))
            unknown = [code for code in probe.situation_code_list if code not in known]
            if unknown:
                form.add_error(
                    "situation_codes",
                    "以下情形代码不在本事项的办理情形中：" + "、".join(unknown),
                )
                valid = False
        return valid


class WithdrawForm(forms.Form):
    """Suspend or cancel: from when, why, and what replaces it."""

    effective_at = forms.DateTimeField(
        label="生效时间", widget=AdminDateTimeInput, help_text="默认立即生效"
    )
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 3}))
    replacement = forms.ModelChoiceField(
        label="替代事项",
        queryset=Implementation.objects.none(),
        required=False,
        help_text="可选：在用的其他事项，原事项页面将引导到这里",
    )

    def __init__(self, *args, implementation, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("effective_at", timezone.now())
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = (
            Implementation.objects.visible()
            .exclude(pk=implementation.pk)
            .select_related("region")
            .order_by("region__code", "code")
        )
        self.fields["replacement"].label_from_instance = lambda obj: (
            f"{obj.region.name} · {obj.name}（{obj.code}）"
        )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("请填写原因。")
        return reason


class ResumeForm(forms.Form):
    reason = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
