"""Forms of the personal centre, the legal-person registration and the counter.

They check the shape of what was typed; the actions check everything else, and their
``ValidationError`` lands on the form's fields through ``add_action_error``. Inputs with an
error point at it with ``aria-describedby``. A resident ID number typed into a form is never
written back into the page (``NoEchoTextInput``): after an error the field is empty again.
"""

import re
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from yiwang.core.forms import DescribedErrorsMixin

from .models import User, UserKind

BEIJING = ZoneInfo("Asia/Shanghai")
MOBILE_RE = re.compile(r"^1\d{10}$")


class NoEchoTextInput(forms.TextInput):
    """A text input that never renders its value: for ID numbers, which appear in pages only
    masked."""

    def format_value(self, value):
        return None


class AccessibleForm(DescribedErrorsMixin, forms.Form):
    """A form whose errors and help text are tied to their inputs (``DescribedErrorsMixin``,
    see accounts/includes/form_fields.html)."""

    def add_action_error(self, exc):
        """Put an action's ``ValidationError`` on the fields it names (or on the form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)


class IdNumberForm(AccessibleForm):
    name = forms.CharField(label="真实姓名", max_length=100)
    id_number = forms.CharField(
        label="居民身份证号码",
        max_length=30,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text="18 位，最后一位可以是 X。号码加密保存，页面上只显示前 4 位和后 4 位。",
    )


class RevealIdNumberForm(AccessibleForm):
    password = forms.CharField(
        label="登录密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="查看完整号码前请再次输入登录密码；每次查看都会记入审计日志。",
    )


class MobileForm(AccessibleForm):
    mobile = forms.CharField(
        label="手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text="我们将向该号码发送短信验证码。",
    )


class MobileCodeForm(AccessibleForm):
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="6 位数字，5 分钟内有效。",
    )


class AuthorizeAgentForm(AccessibleForm):
    """Who is authorized: typed by the administrator (a username or a verified mobile), never
    chosen from a list of the platform's users."""

    agent = forms.CharField(
        label="经办人用户名或已核验手机号码",
        max_length=150,
        help_text="经办人须是已注册的自然人用户。",
    )
    expires_at = forms.DateTimeField(
        label="授权失效时间（北京时间，可不填）",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="不填则长期有效，直到撤销。",
    )

    def __init__(self, *args, administrator=None, **kwargs):
        self.administrator = administrator
        super().__init__(*args, **kwargs)

    def clean_agent(self):
        value = self.cleaned_data["agent"].strip()
        agent = User.objects.filter(username=value).first()
        if agent is None and MOBILE_RE.match(value):
            agent = User.objects.filter(mobile=value, mobile_verified_at__isnull=False).first()
        if agent is None:
            raise ValidationError("未找到该用户，请核对用户名或已核验的手机号码。")
        if agent.kind != UserKind.NATURAL:
            raise ValidationError("经办人必须是自然人用户。")
        if self.administrator is not None and agent.pk == self.administrator.pk:
            raise ValidationError("你是该法人的管理员，可以直接以该法人身份办事，无需授权自己。")
        return agent

    def clean_expires_at(self):
        value = self.cleaned_data.get("expires_at")
        if value is None:
            return None
        # Typed as Beijing time whatever the active time zone.
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        value = timezone.make_aware(naive, BEIJING)
        if value <= timezone.now():
            raise ValidationError("失效时间必须晚于当前时间。")
        return value


class RevokeAgentForm(AccessibleForm):
    reason = forms.CharField(label="撤销原因", max_length=200)


class LegalPersonForm(AccessibleForm):
    name = forms.CharField(label="法人名称", max_length=200)
    uscc = forms.CharField(
        label="统一社会信用代码",
        max_length=30,
        help_text="18 位，见营业执照或登记证书。",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    legal_representative = forms.CharField(label="法定代表人", max_length=100)


class CounterSearchForm(AccessibleForm):
    id_number = forms.CharField(
        label="居民身份证号码",
        required=False,
        max_length=30,
        widget=NoEchoTextInput(attrs={"autocomplete": "off"}),
        help_text="按证件上的号码输入；每次按身份证号码查找都会记入审计日志。",
    )
    mobile = forms.CharField(
        label="或：已核验的手机号码",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def clean(self):
        cleaned = super().clean()
        id_number = (cleaned.get("id_number") or "").strip()
        mobile = (cleaned.get("mobile") or "").strip()
        if bool(id_number) == bool(mobile):
            raise ValidationError("请填写居民身份证号码或已核验的手机号码（二选一）。")
        if mobile and not MOBILE_RE.match(mobile):
            self.add_error("mobile", "手机号码应为以 1 开头的 11 位数字。")
        cleaned["id_number"], cleaned["mobile"] = id_number, mobile
        return cleaned


class CounterVerifyForm(AccessibleForm):
    id_number = forms.CharField(
        label="证件上的居民身份证号码",
        max_length=30,
        widget=NoEchoTextInput(attrs={"autocomplete": "off"}),
        help_text="请对照居民身份证原件再次输入号码，与账号登记的号码一致才能核验通过。",
    )


class CounterRegisterIdForm(IdNumberForm):
    """The counter registers the number on the card for an account that has none."""
