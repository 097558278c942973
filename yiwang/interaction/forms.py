"""Forms of 政民互动's public pages. They check what a browser sends (required fields,
shapes, choices), so that every missing field is named at once; the rules (lengths, who may
write, leaders of the portal, screenshots by content) are ``actions``', whose errors ``views``
put next to the fields of the same names."""

from django import forms
from django.core.validators import URLValidator

from .constants import MAX_BODY, MAX_TITLE, REOPEN_DAYS, ErrorType, Kind, Satisfaction
from .models import Category

PHONE_MAX = 30
COMMENT_MAX = 500
REASON_MAX = 1000


def _textarea(rows, max_length):
    return forms.Textarea(attrs={"rows": rows, "maxlength": max_length})


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.position}）" if obj.position else obj.name


class ContactFields(forms.Form):
    writer_phone = forms.CharField(
        label="联系电话",
        required=False,
        max_length=PHONE_MAX,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    writer_email = forms.EmailField(
        label="电子邮箱",
        required=False,
        error_messages={"invalid": "电子邮箱格式不对，例如 name@example.com。"},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class LetterForm(ContactFields):
    """A letter of ``kind`` (not an error report) by a logged-in writer. ``leaders``: the
    portal's leaders, one of whom a mailbox letter is addressed to."""

    leader = LeaderChoiceField(
        label="收信领导",
        queryset=None,
        empty_label="请选择",
        error_messages={
            "required": "请选择收信领导。",
            "invalid_choice": "请选择本网站的领导。",
        },
    )
    title = forms.CharField(
        label="标题",
        error_messages={"required": "请填写标题。"},
        widget=forms.TextInput(attrs={"maxlength": MAX_TITLE}),
        help_text=f"不超过 {MAX_TITLE} 个字，概括您要反映的事情。",
    )
    body = forms.CharField(
        label="内容",
        error_messages={"required": "请填写内容。"},
        widget=_textarea(10, MAX_BODY),
        help_text=f"不超过 {MAX_BODY} 个字。请写明时间、地点和具体情况，便于办理。",
    )
    category = CategoryChoiceField(
        label="分类",
        queryset=Category.objects.select_related("parent"),
        required=False,
        empty_label="不确定（由工作人员分类）",
        error_messages={"invalid_choice": "请从列表中选择分类。"},
    )
    publish_consent = forms.BooleanField(label="同意公开，公开时隐去个人信息", required=False)

    field_order = ["leader", "title", "body", "category", "writer_phone", "writer_email"]

    def __init__(self, *args, kind, leaders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == Kind.MAILBOX and leaders is not None and leaders.exists():
            self.fields["leader"].queryset = leaders
        else:
            del self.fields["leader"]
        self.fields["writer_phone"].help_text = "答复后我们会短信通知您，并发送编号和查询码。"


class ErrorReportForm(ContactFields):
    """我为政府网站找错: anyone may send it; the screenshot is checked by content in the
    action (PNG, JPEG or WebP, at most 5 MB)."""

    page_url = forms.CharField(
        label="出错页面网址",
        max_length=1000,
        widget=forms.URLInput(attrs={"maxlength": 1000, "autocomplete": "url"}),
        help_text="以 http:// 或 https:// 开头，从“我为政府网站找错”链接进入时已自动填写。",
        error_messages={
            "required": "请填写出错页面的网址。",
            "max_length": "网址不能超过 1000 个字符。",
        },
    )
    error_type = forms.ChoiceField(
        label="错误类型",
        choices=ErrorType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择错误类型。", "invalid_choice": "请选择错误类型。"},
    )
    body = forms.CharField(
        label="问题描述",
        widget=_textarea(6, MAX_BODY),
        help_text="请写明出错的位置和内容，例如“第二段‘人民政付’应为‘人民政府’”。",
        error_messages={"required": "请描述页面上的问题。"},
    )
    screenshot = forms.FileField(
        label="截图（选填）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text="PNG、JPEG 或 WebP 图片，不超过 5 MB。截图只供工作人员核实，不会公开。",
    )
    writer_name = forms.CharField(
        label="姓名（选填）",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["page_url", "error_type", "body", "screenshot", "writer_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["writer_phone"].label = "联系电话（选填）"
        self.fields["writer_email"].label = "电子邮箱（选填）"
        self.fields["writer_phone"].help_text = "填写后可收到编号、查询码和处理结果的短信。"

    def clean_page_url(self):
        value = self.cleaned_data["page_url"].strip()
        try:
            URLValidator(schemes=["http", "https"])(value)
        except forms.ValidationError:
            raise forms.ValidationError("请填写完整的网址，以 http:// 或 https:// 开头。") from None
        return value


class LookupForm(forms.Form):
    number = forms.CharField(
        label="留言编号",
        max_length=30,
        error_messages={"required": "请填写留言编号。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    query_code = forms.CharField(
        label="查询码",
        max_length=16,
        error_messages={"required": "请填写查询码。"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="提交留言时页面和短信中给出的 8 位查询码。",
    )

    def clean_number(self):
        return "".join(self.cleaned_data["number"].split())


class RateForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label="您对答复是否满意",
        choices=Satisfaction.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意程度。", "invalid_choice": "请选择满意程度。"},
    )
    comment = forms.CharField(
        label="评价意见（选填）", required=False, widget=_textarea(3, COMMENT_MAX)
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="重新办理的理由",
        required=False,
        widget=_textarea(4, REASON_MAX),
        help_text=f"每条留言只能要求重新办理一次，须在答复后 {REOPEN_DAYS} 天内提出。",
    )
