"""Forms of the login, registration and password pages. They check the shape of the input
(required fields, the two passwords alike); the actions in ``actions/login.py`` check the
rest (codes, password strength, ID number checksum, duplicates)."""

from django import forms

MOBILE_HELP = "11 位中国大陆手机号码。"


def _required(label):
    return {"required": f"请填写{label}。"}


def mobile_field(label="手机号码"):
    return forms.CharField(
        label=label,
        max_length=11,
        help_text=MOBILE_HELP,
        error_messages={**_required(label), "max_length": "手机号码应为以 1 开头的 11 位数字。"},
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "inputmode": "numeric"}
        ),
    )


def code_field():
    return forms.CharField(
        label="短信验证码",
        max_length=6,
        error_messages={**_required("短信验证码"), "max_length": "验证码为 6 位数字。"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def password_field(label, *, autocomplete, help_text=""):
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        help_text=help_text,
        error_messages=_required(label),
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


NEW_PASSWORD_HELP = (
    "至少 10 个字符，须包含大写字母、小写字母、数字、符号中的至少 3 类，"
    "不能是常见密码、纯数字或与用户名相近。"
)


class PasswordLoginForm(forms.Form):
    identifier = forms.CharField(
        label="账号",
        max_length=150,
        help_text="用户名、已核验的手机号码或居民身份证号码。",
        error_messages=_required("账号"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = password_field("密码", autocomplete="current-password")


class SendCodeForm(forms.Form):
    """The first step of every SMS flow: the mobile the code goes to."""

    mobile = mobile_field()


class SmsLoginForm(forms.Form):
    mobile = mobile_field()
    code = code_field()


class NewPasswordMixin(forms.Form):
    """A new password typed twice: the two fields named by ``password_field_name`` and
    ``confirm_field_name`` must be alike."""

    password_field_name = "new_password1"
    confirm_field_name = "new_password2"

    def clean(self):
        cleaned = super().clean()
        first = cleaned.get(self.password_field_name)
        second = cleaned.get(self.confirm_field_name)
        if first and second and first != second:
            self.add_error(self.confirm_field_name, "两次输入的密码不一致。")
        return cleaned


class RegistrationForm(NewPasswordMixin):
    password_field_name = "password"
    confirm_field_name = "password2"

    mobile = mobile_field()
    code = code_field()
    username = forms.CharField(
        label="用户名",
        max_length=30,
        help_text="4 至 30 位字母、数字或下划线，以字母开头；登录时也可用手机号码。",
        error_messages=_required("用户名"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = password_field("密码", autocomplete="new-password", help_text=NEW_PASSWORD_HELP)
    password2 = password_field("再次输入密码", autocomplete="new-password")
    name = forms.CharField(
        label="真实姓名（选填）",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label="居民身份证号码（选填）",
        max_length=18,
        required=False,
        help_text=(
            "18 位，最后一位可以是 X；填写时须同时填写真实姓名。号码加密保存，只显示部分数字。"
        ),
        error_messages={"max_length": "居民身份证号码应为 18 位。"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PasswordChangeForm(NewPasswordMixin):
    old_password = password_field("原密码", autocomplete="current-password")
    new_password1 = password_field(
        "新密码", autocomplete="new-password", help_text=NEW_PASSWORD_HELP
    )
    new_password2 = password_field("再次输入新密码", autocomplete="new-password")


class RecoverForm(NewPasswordMixin):
    mobile = mobile_field("已核验的手机号码")
    code = code_field()
    new_password1 = password_field(
        "新密码", autocomplete="new-password", help_text=NEW_PASSWORD_HELP
    )
    new_password2 = password_field("再次输入新密码", autocomplete="new-password")
