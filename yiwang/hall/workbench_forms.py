"""The forms of the staff workbench (``workbench.py``): one per action, with Chinese
errors at their fields, and the walk-in applicant of one-window acceptance."""

from django import forms
from django.core.exceptions import ValidationError

from yiwang.catalog.constants import DeliveryMethod

from .constants import Decision, ReviewOpinion


def material_choices(case):
    """The guide's materials of the case (and any uploaded under another name) for the
    correction checkboxes."""
    names = list(case.implementation.materials.values_list("name", flat=True))
    for name in case.materials.values_list("material_name", flat=True):
        if name not in names:
            names.append(name)
    return names


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="不予受理的理由及法律依据",
        help_text="写明不予受理的理由和所依据的法律、法规条款。",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写不予受理的理由及法律依据。"},
    )


class CorrectionForm(forms.Form):
    materials = forms.MultipleChoiceField(
        label="需补正的材料", required=False, widget=forms.CheckboxSelectMultiple
    )
    other = forms.CharField(
        label="指南以外需补正的材料（每行一项，可写“材料名称：补正要求”）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.names = material_choices(case)
        self.fields["materials"].choices = [(n, n) for n in self.names]
        for index, name in enumerate(self.names):
            self.fields[f"reason_{index}"] = forms.CharField(
                label=f"“{name}”的补正要求",
                required=False,
                max_length=500,
            )

    def reason_fields(self):
        return [self[f"reason_{index}"] for index in range(len(self.names))]

    def clean(self):
        data = super().clean()
        items = []
        for index, name in enumerate(self.names):
            reason = (data.get(f"reason_{index}") or "").strip()
            if name in (data.get("materials") or []):
                if not reason:
                    self.add_error(f"reason_{index}", f"请写明“{name}”需要如何补正。")
                items.append({"material": name, "reason": reason})
        for line in (data.get("other") or "").splitlines():
            name, _, reason = line.replace(":", "：").partition("：")
            if name.strip():
                items.append({"material": name.strip(), "reason": reason.strip() or "请补充提交。"})
        if not items and not self.errors:
            raise ValidationError(
                "请至少勾选一项需补正的材料或填写其他需补正的事项（一次性告知）。"
            )
        data["items"] = items
        return data


class ReviewForm(forms.Form):
    opinion = forms.ChoiceField(
        label="审查意见",
        choices=ReviewOpinion.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择同意或不同意。"},
    )
    comment = forms.CharField(
        label="意见说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("opinion") == ReviewOpinion.DISAGREE and not data.get("comment", "").strip():
            self.add_error("comment", "不同意时请写明理由。")
        return data


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="决定",
        choices=[(Decision.APPROVED, "准予"), (Decision.DENIED, "不予")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择准予或不予。"},
    )
    reason = forms.CharField(
        label="理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="不予决定必须写明理由和依据。",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == Decision.DENIED and not data.get("reason", "").strip():
            self.add_error("reason", "不予决定必须写明理由。")
        return data


class SpecialForm(forms.Form):
    result = forms.CharField(
        label="特别程序结果",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写特别程序的结果。"},
    )


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        label="延长工作日数",
        min_value=1,
        max_value=15,
        error_messages={
            "required": "请填写延长的工作日数。",
            "invalid": "请填写整数。",
            "min_value": "至少延长 1 个工作日。",
            "max_value": "最多延长 15 个工作日。",
        },
    )
    reason = forms.CharField(
        label="延长理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写延长理由。"},
    )


class DeliverForm(forms.Form):
    method = forms.ChoiceField(
        label="送达方式",
        choices=DeliveryMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择送达方式。"},
    )
    tracking_number = forms.CharField(label="邮件单号", required=False, max_length=50)
    address = forms.CharField(
        label="邮寄地址", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("method") == DeliveryMethod.POST
            and not data.get("tracking_number", "").strip()
        ):
            self.add_error("tracking_number", "邮寄送达必须填写邮件单号。")
        return data


class CommentForm(forms.Form):
    text = forms.CharField(
        label="内部备注（申请人不可见）",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写备注内容。"},
    )


class AttachForm(forms.Form):
    title = forms.CharField(
        label="附件标题", max_length=200, error_messages={"required": "请填写附件标题。"}
    )
    file = forms.FileField(label="文件", error_messages={"required": "请选择文件。"})
    visible_to_applicant = forms.BooleanField(label="申请人可见", required=False)


class ApplicantForm(forms.Form):
    applicant_name = forms.CharField(
        label="申请人姓名", max_length=100, error_messages={"required": "请填写申请人姓名。"}
    )
    id_number = forms.CharField(
        label="身份证号码", max_length=18, error_messages={"required": "请填写身份证号码。"}
    )
    mobile = forms.CharField(
        label="手机号码", max_length=11, error_messages={"required": "请填写手机号码。"}
    )
    email = forms.EmailField(
        label="电子邮箱（选填）", required=False, error_messages={"invalid": "电子邮箱格式不正确。"}
    )
    legal_person_name = forms.CharField(
        label="申请单位名称（代表企业申请时填写）", required=False, max_length=200
    )
    legal_person_uscc = forms.CharField(label="统一社会信用代码", required=False, max_length=18)

    def clean_id_number(self):
        from stdnum.cn import ric
        from stdnum.exceptions import ValidationError as StdnumError

        value = self.cleaned_data["id_number"].strip().upper()
        try:
            return ric.validate(value)
        except StdnumError:
            raise ValidationError("身份证号码无效（长度、出生日期或校验位不正确）。") from None

    def clean_mobile(self):
        value = self.cleaned_data["mobile"].strip()
        if len(value) != 11 or not value.isdigit() or not value.startswith("1"):
            raise ValidationError("手机号码应为以 1 开头的 11 位数字。")
        return value

    def clean_legal_person_uscc(self):
        from stdnum.cn import uscc
        from stdnum.exceptions import ValidationError as StdnumError

        value = self.cleaned_data["legal_person_uscc"].strip().upper()
        if not value:
            return ""
        try:
            return uscc.validate(value)
        except StdnumError:
            raise ValidationError("统一社会信用代码无效（长度、字符或校验位不正确）。") from None

    def clean(self):
        data = super().clean()
        name, code = data.get("legal_person_name", "").strip(), data.get("legal_person_uscc")
        if name and not code and "legal_person_uscc" not in self.errors:
            self.add_error("legal_person_uscc", "代表企业申请时请填写统一社会信用代码。")
        if code and not name:
            self.add_error("legal_person_name", "请填写申请单位名称。")
        return data
