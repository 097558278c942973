"""Forms of the 政民互动 back office (Chinese labels and messages). They parse what was
typed; the rules themselves (who, when, how long) are the actions', whose errors
``add_action_errors`` puts next to these fields."""

from django import forms

from .constants import (
    HOTLINE_KINDS,
    MAX_BODY,
    MAX_REPLY,
    MAX_TITLE,
    Kind,
    Status,
    Urgency,
)
from .models import Category


def _text(label, *, max_length, rows=None, required=True, help_text=""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=widget,
        help_text=help_text,
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}不能超过 %(limit_value)d 个字（现有 %(show_value)d 个）。",
        },
    )


class MessageSearchForm(forms.Form):
    """The 全部 list: number or words, state, kind, department."""

    q = forms.CharField(label="编号或关键词", required=False, max_length=100)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *Status.choices]
    )
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *Kind.choices])
    department = forms.TypedChoiceField(
        label="承办部门",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "请选择列表中的部门。"},
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "全部"), *departments]


class DepartmentChoiceMixin:
    def set_departments(self, departments, *, initial=None):
        """``departments``: ``(region name, [(pk, name), ...])`` groups."""
        field = self.fields["department"]
        field.choices = [("", "请选择"), *departments]
        offered = {pk for _region, options in departments for pk, _name in options}
        if initial in offered:
            field.initial = initial


class DispatchForm(DepartmentChoiceMixin, forms.Form):
    department = forms.TypedChoiceField(
        label="承办部门",
        coerce=int,
        error_messages={
            "required": "请选择承办部门。",
            "invalid_choice": "只能交给本地区或上级的部门。",
        },
    )
    note = _text("交办意见", max_length=500, rows=2, required=False)

    def __init__(self, *args, departments=(), initial_department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_departments(departments, initial=initial_department)


class TransferForm(DepartmentChoiceMixin, forms.Form):
    department = forms.TypedChoiceField(
        label="转给部门",
        coerce=int,
        error_messages={
            "required": "请选择转给哪个部门。",
            "invalid_choice": "只能转给本地区或上级的其他部门。",
        },
    )
    reason = _text("转办理由", max_length=500, rows=2)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_departments(departments)


class ReasonForm(forms.Form):
    """One required reason: returning, marking invalid, withdrawing publication."""

    reason = forms.CharField()

    def __init__(self, *args, label="理由", max_length=500, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _text(label, max_length=max_length, rows=2)


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(
        label="承办人",
        queryset=None,
        empty_label="请选择",
        error_messages={
            "required": "请选择承办人。",
            "invalid_choice": "请选择本部门的承办人。",
        },
    )

    def __init__(self, *args, handlers, initial_handler=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["handler"]
        field.queryset = handlers
        field.label_from_instance = lambda user: user.display_name or user.username
        if initial_handler is not None:
            field.initial = initial_handler


class ExtensionRequestForm(forms.Form):
    amount = forms.IntegerField(
        label="延期时长",
        error_messages={"required": "请填写延期时长。", "invalid": "延期时长应为整数。"},
    )
    reason = _text("延期理由", max_length=500, rows=2)

    def __init__(self, *args, unit_label="工作日", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = f"延期时长（{unit_label}）"
        self.fields["amount"].help_text = "1 到 60；须在答复期限到达前申请。"


APPROVE_CHOICES = [("approve", "同意"), ("refuse", "不同意")]
REVIEW_CHOICES = [("approve", "审核通过，答复留言人"), ("return", "退回修改")]


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批结果",
        choices=APPROVE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择同意或不同意。"},
    )
    note = _text("审批意见", max_length=500, rows=2, required=False, help_text="不同意时必填。")


class ReplyForm(forms.Form):
    text = _text("答复内容", max_length=MAX_REPLY, rows=8)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结果",
        choices=REVIEW_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择审核结果。"},
    )
    note = _text("审核意见", max_length=500, rows=2, required=False, help_text="退回修改时必填。")


class CommentForm(forms.Form):
    note = _text("备注", max_length=1000, rows=2)


class PublishForm(forms.Form):
    title = _text("公开标题", max_length=200)
    body = _text("公开内容", max_length=MAX_BODY, rows=6)
    reply = _text("公开答复", max_length=MAX_REPLY, rows=6)


class WorkOrderForm(forms.Form):
    """A 12345 call typed in by the operator."""

    caller_name = _text("来电人姓名", max_length=100)
    caller_phone = _text("来电号码", max_length=30, help_text="手机号或带区号的固定电话。")
    kind = forms.ChoiceField(
        label="诉求类型",
        choices=[("", "请选择"), *((k.value, k.label) for k in HOTLINE_KINDS)],
        error_messages={"required": "请选择诉求类型。"},
    )
    category = forms.ModelChoiceField(
        label="分类",
        queryset=Category.objects.order_by("code"),
        required=False,
        empty_label="（不分类）",
    )
    urgency = forms.ChoiceField(
        label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect
    )
    location = _text("事发地点", max_length=300, required=False)
    title = _text("标题", max_length=MAX_TITLE)
    body = _text("诉求内容", max_length=MAX_BODY, rows=8)
    publish_consent = forms.BooleanField(label="来电人同意公开（去除个人信息后）", required=False)
