"""Forms of 好差评 pages: they check shape; the rules live in ``actions``."""

from django import forms
from django.utils import timezone

from .actions import MAX_COMMENT_LENGTH, MAX_TEXT_LENGTH
from .constants import (
    INDICATORS,
    MAX_RECTIFICATION_DAYS,
    MIN_RECTIFICATION_DAYS,
    AppealKind,
    FollowUpMethod,
    Level,
    RatingChannel,
)

LEVEL_CHOICES = [(level.value, f"{level.value} 分 {level.label}") for level in Level]


def _level_field(label, required_message):
    """A 1–5 score as radio buttons, cleaned to an ``int``."""
    return forms.TypedChoiceField(
        label=label,
        choices=LEVEL_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


def _choice_field(label, choices, required_message, *, radio=True):
    """A required choice, as radio buttons unless ``radio`` is false (a select)."""
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect if radio else None,
        error_messages={"required": required_message},
    )


def _satisfied_field(label, yes_label, required_message):
    """Whether the applicant is satisfied with the rectification: "yes" closes it, "no"
    escalates it to the reviewers."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", yes_label), ("no", "不满意，提交复核")],
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


def _text_field(
    label, required_message=None, *, rows=3, max_length=MAX_TEXT_LENGTH, error_messages=None
):
    """A multi-line text, required when it has a ``required_message``."""
    messages = dict(error_messages or {})
    if required_message is not None:
        messages["required"] = required_message
    return forms.CharField(
        label=label,
        required=required_message is not None,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=messages,
    )


class RatingForm(forms.Form):
    """The overall level, each indicator of the channel, a comment and consent to publish."""

    level = _level_field("总体评价", "请选择总体评价。")
    comment = _text_field(
        "评价内容（选填）",
        rows=4,
        max_length=MAX_COMMENT_LENGTH,
        error_messages={"max_length": f"评价内容最多 {MAX_COMMENT_LENGTH} 个字。"},
    )
    publish_comment = forms.BooleanField(label="同意公开我的评价内容（姓名将隐去）", required=False)

    def __init__(self, *args, channel=RatingChannel.ONLINE, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.indicator_names = []
        for code, label in INDICATORS[channel]:
            name = f"indicator_{code}"
            self.fields[name] = _level_field(label, f"请为“{label}”评分。")
            self.indicator_names.append(name)
        # The comment fields after the indicators.
        order = ["level", *self.indicator_names, "comment", "publish_comment"]
        self.order_fields(order)

    def indicator_fields(self):
        return [self[name] for name in self.indicator_names]

    def indicators(self):
        return {
            name.removeprefix("indicator_"): self.cleaned_data[name]
            for name in self.indicator_names
        }


class ApplicantConfirmForm(forms.Form):
    satisfied = _satisfied_field("您对整改结果是否满意", "满意，同意办结", "请选择是否满意。")
    feedback = _text_field("您的意见（不满意时必填）")

    def clean(self):
        data = super().clean()
        if data.get("satisfied") == "no" and not (data.get("feedback") or "").strip():
            self.add_error("feedback", "请说明不满意的原因。")
        return data


class FollowUpForm(forms.Form):
    contacted_at = forms.DateTimeField(
        label="回访时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        error_messages={"required": "请填写回访时间。", "invalid": "回访时间格式不正确。"},
    )
    method = _choice_field("回访方式", FollowUpMethod.choices, "请选择回访方式。", radio=False)
    contact_person = forms.CharField(
        label="回访人", max_length=100, error_messages={"required": "请填写回访人。"}
    )
    applicant_said = _text_field("申请人反映的情况", "请记录申请人反映的情况。")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial", {"contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        )
        super().__init__(*args, **kwargs)


class OutcomeForm(forms.Form):
    kind = _choice_field(
        "处理结果",
        [("rectified", "已整改"), ("explained", "情况说明（无需整改）")],
        "请选择处理结果。",
    )
    text = _text_field("整改情况或情况说明", "请填写整改情况或情况说明。", rows=4)


class StaffConfirmForm(forms.Form):
    satisfied = _satisfied_field("申请人对整改结果的意见", "满意，办结", "请选择申请人是否满意。")
    feedback = _text_field("回访中申请人的原话", "请记录申请人的意见。")


class AppealForm(forms.Form):
    kind = _choice_field("申诉类型", AppealKind.choices, "请选择申诉类型。", radio=False)
    reason = _text_field("申诉理由及证据说明", "请填写申诉理由。", rows=4)


class ReviewForm(forms.Form):
    decision = _choice_field(
        "复核结论",
        [("upheld", "申诉成立（剔除该评价）"), ("rejected", "申诉不成立")],
        "请选择复核结论。",
    )
    note = _text_field("复核意见", "请填写复核意见。")


class CloseForm(forms.Form):
    note = _text_field("复核办结意见", "请填写复核办结意见。")


class DeviceForm(forms.Form):
    name = forms.CharField(
        label="设备名称", max_length=100, error_messages={"required": "请填写设备名称。"}
    )
    centre = forms.ModelChoiceField(label="政务服务中心", queryset=None, required=False)
    window = forms.CharField(label="窗口", max_length=50, required=False)

    def __init__(self, *args, centres=None, **kwargs):
        super().__init__(*args, **kwargs)
        from yiwang.orgs.models import ServiceCentre

        self.fields["centre"].queryset = (
            centres if centres is not None else ServiceCentre.objects.all()
        )


class InviteForm(forms.Form):
    device = forms.ModelChoiceField(
        label="评价设备",
        queryset=None,
        empty_label=None,
        error_messages={
            "required": "请选择评价设备。",
            "invalid_choice": "请选择本部门的评价设备。",
        },
    )
    case_number = forms.CharField(label="办件编号（选填）", max_length=40, required=False)

    def __init__(self, *args, devices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = devices


class RegionSettingForm(forms.Form):
    region = forms.ModelChoiceField(
        label="区划", queryset=None, error_messages={"required": "请选择区划。"}
    )
    days = forms.IntegerField(
        label="差评整改期限（工作日）",
        min_value=MIN_RECTIFICATION_DAYS,
        max_value=MAX_RECTIFICATION_DAYS,
        error_messages={
            "required": "请填写整改期限。",
            "invalid": "请填写整数。",
            "min_value": f"整改期限不得少于 {MIN_RECTIFICATION_DAYS} 个工作日。",
            "max_value": f"整改期限不得多于 {MAX_RECTIFICATION_DAYS} 个工作日。",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from yiwang.orgs.models import Region

        self.fields["region"].queryset = Region.objects.filter(level__lte=3).order_by("code")
