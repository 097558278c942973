"""Forms of the supervision pages (Chinese labels and messages)."""

from django import forms

from .constants import DEFAULT_MEMO_ANSWER_DAYS, AnomalyStatus, ClockScope, Level


class WarningFilterForm(forms.Form):
    level = forms.TypedChoiceField(
        label="级别",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "黄牌和红牌"), (Level.RED, "红牌（超期）"), (Level.YELLOW, "黄牌（预警）")],
    )
    region = forms.TypedChoiceField(label="区划", required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(label="部门", required=False, coerce=int, empty_value=None)
    clock_scope = forms.ChoiceField(
        label="时限范围", required=False, choices=[("", "全部"), *ClockScope.choices]
    )
    kind = forms.ChoiceField(
        label="时限类型",
        required=False,
        choices=[("", "全部"), ("statutory", "法定时限"), ("promised", "承诺时限")],
    )

    def __init__(self, *args, regions=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "全部"), *regions]
        self.fields["department"].choices = [("", "全部"), *departments]


class MemoForm(forms.Form):
    department = forms.TypedChoiceField(label="被督办部门", coerce=int)
    text = forms.CharField(
        label="督办事项",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写督办事项。"},
    )
    answer_days = forms.IntegerField(
        label="答复期限（工作日）",
        initial=DEFAULT_MEMO_ANSWER_DAYS,
        min_value=1,
        max_value=30,
        error_messages={
            "required": "请填写答复期限。",
            "invalid": "答复期限应为整数个工作日。",
            "min_value": "答复期限至少 1 个工作日。",
            "max_value": "答复期限最多 30 个工作日。",
        },
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = list(departments)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="答复内容（办理情况、原因和整改措施）",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "请填写答复内容。"},
    )


class AnomalyForm(forms.Form):
    status = forms.ChoiceField(
        label="核查结论",
        choices=[(AnomalyStatus.CONFIRMED, "确认异常"), (AnomalyStatus.DISMISSED, "排除（正常）")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择核查结论。"},
    )
    note = forms.CharField(
        label="核查意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ThresholdForm(forms.Form):
    region = forms.TypedChoiceField(label="区划", required=False, coerce=int, empty_value=None)
    scope = forms.ChoiceField(
        label="时限范围", required=False, choices=[("", "环节和办件"), *ClockScope.choices]
    )
    percent = forms.IntegerField(
        label="预警比例（%）",
        min_value=1,
        max_value=100,
        error_messages={
            "required": "请填写预警比例。",
            "invalid": "预警比例应为整数。",
            "min_value": "预警比例应为 1 至 100。",
            "max_value": "预警比例应为 1 至 100。",
        },
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "全省默认"), *regions]
