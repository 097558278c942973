"""Login (password, SMS code), logout, registration, password change and password reset.

Thin: a form checks the input's shape, an action in ``actions/login.py`` does the rest and
raises ``ValidationError`` in Chinese, which lands on the form. Every SMS flow has two
steps, so that it works without JavaScript and Enter does the obvious thing: the mobile
and 获取验证码 first, then the code (and the rest) with 重新获取验证码 as a second button.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from yiwang.core.forms import add_action_errors
from yiwang.core.masking import mask_mobile

from .. import actions, sso
from ..login_forms import (
    PasswordChangeForm,
    PasswordLoginForm,
    RecoverForm,
    RegistrationForm,
    SendCodeForm,
    SmsLoginForm,
)
from ..otp import begin_login

VERIFY_STAGE = "verify"


def _next(request, default=None):
    value = request.POST.get("next") or request.GET.get("next")
    return sso.safe_next(request, value, default or settings.LOGIN_REDIRECT_URL)


def _next_context(next_url):
    """``next`` for the hidden input, and as a query string for the links between the
    login, SMS login and registration pages."""
    if next_url == settings.LOGIN_REDIRECT_URL:
        return {"next": next_url, "next_query": ""}
    return {"next": next_url, "next_query": "?" + urlencode({"next": next_url})}


@dataclass
class CodeStep:
    """Where an SMS flow stands: ``stage`` (``send`` or ``verify``), the form to show, a
    notice for the page (``role=status``, or ``role=alert`` when ``alert``), and the answer
    of ``submit`` when the work is done."""

    stage: str
    form: forms.Form
    response: HttpResponse | None = None
    notice: str = ""
    alert: bool = False

    def context(self):
        return {
            "form": self.form,
            "stage": self.stage,
            "notice": self.notice,
            "notice_alert": self.alert,
        }


def _code_flow(request, *, form_class, send, submit, keep=("mobile",)):
    """The two steps of an SMS flow. ``send(mobile=)`` texts the code, ``submit(form)`` does
    the work with a valid second-step form and returns a response."""
    if request.method != "POST":
        return CodeStep("send", SendCodeForm(initial={"mobile": request.GET.get("mobile", "")}))
    in_verify = request.POST.get("stage") == VERIFY_STAGE
    if "send_code" in request.POST:
        send_form = SendCodeForm(request.POST)
        kept = {name: request.POST.get(name, "") for name in keep}
        if not send_form.is_valid():
            if not in_verify:
                return CodeStep("send", send_form)
            message = " ".join(send_form.errors.get("mobile", []))
            return CodeStep(VERIFY_STAGE, form_class(initial=kept), notice=message, alert=True)
        try:
            mobile = send(mobile=send_form.cleaned_data["mobile"])
        except ValidationError as exc:
            if not in_verify:
                add_action_errors(send_form, exc)
                return CodeStep("send", send_form)
            # Asked again too soon: the code sent before still works.
            message = " ".join(exc.messages)
            return CodeStep(VERIFY_STAGE, form_class(initial=kept), notice=message, alert=True)
        kept["mobile"] = mobile
        minutes = settings.SMS_CODE_TTL_SECONDS // 60
        return CodeStep(
            VERIFY_STAGE,
            form_class(initial=kept),
            notice=f"验证码已发送至 {mask_mobile(mobile)}，{minutes} 分钟内有效，请查看短信。",
        )
    form = form_class(request.POST)
    if form.is_valid():
        try:
            return CodeStep(VERIFY_STAGE, form, response=submit(form))
        except ValidationError as exc:
            add_action_errors(form, exc)
    return CodeStep(VERIFY_STAGE, form)


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_password(request):
    next_url = _next(request)
    form = PasswordLoginForm(request.POST or None)
    locked = False
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.log_in_with_password(
                request=request,
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            locked = any(error.code == "locked" for error in exc.error_list)
            form.add_error(None, exc)
        else:
            return begin_login(request, user, next_url, first_factor="password")
    return render(
        request,
        "accounts/login/login.html",
        {"form": form, "tab": "password", "locked": locked, **_next_context(next_url)},
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_sms(request):
    next_url = _next(request)

    def submit(form):
        user = actions.log_in_with_sms_code(
            request=request, mobile=form.cleaned_data["mobile"], code=form.cleaned_data["code"]
        )
        return begin_login(request, user, next_url, first_factor="sms")

    step = _code_flow(request, form_class=SmsLoginForm, send=actions.send_login_code, submit=submit)
    if step.response is not None:
        return step.response
    return render(
        request,
        "accounts/login/login_sms.html",
        {**step.context(), "tab": "sms", **_next_context(next_url)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def logout(request):
    """GET asks (a page with the two choices), POST logs out. Logged in once for the whole
    site group, one logs out of the whole group by default: every session on every host
    ends, and every OAuth token. ``scope=device`` ends this browser's session only."""
    next_url = _next(request, default="/")
    if request.method == "GET":
        if not request.user.is_authenticated:
            return redirect(next_url)
        return render(request, "accounts/login/logout.html", {"next": next_url})
    if request.user.is_authenticated:
        if request.POST.get("scope") == "device":
            actions.log_out(request=request)
        else:
            actions.log_out_everywhere(user=request.user, request=request)
    return redirect(next_url)


@never_cache
@sensitive_post_parameters("password", "password2", "code", "id_number")
@require_http_methods(["GET", "POST"])
def register(request):
    next_url = _next(request)

    def submit(form):
        data = form.cleaned_data
        user = actions.register_natural_person(
            username=data["username"],
            mobile=data["mobile"],
            code=data["code"],
            password=data["password"],
            name=data["name"],
            id_number=data["id_number"],
            request=request,
        )
        if next_url == settings.LOGIN_REDIRECT_URL:
            # Shown by the personal centre; a public page would leave it for later.
            messages.success(request, "注册成功，手机号码已核验（实名等级二级）。")
        return begin_login(request, user, next_url, first_factor="password")

    step = _code_flow(
        request,
        form_class=RegistrationForm,
        send=actions.send_registration_code,
        submit=submit,
        keep=("mobile", "username", "name"),
    )
    if step.response is not None:
        return step.response
    return render(
        request, "accounts/login/register.html", {**step.context(), **_next_context(next_url)}
    )


@never_cache
@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                request=request,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            # This session stays; the user's other sessions end (their hash changed).
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改，其他设备上的登录已退出。")
            return redirect(_next(request))
    return render(request, "accounts/login/password_change.html", {"form": form})


@never_cache
@sensitive_post_parameters("code", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def recover(request):
    """Reset the password with a code texted to the verified mobile: the way back in for
    an owner whose password login is locked."""

    def submit(form):
        data = form.cleaned_data
        actions.reset_password_with_sms_code(
            mobile=data["mobile"],
            code=data["code"],
            new_password=data["new_password1"],
            request=request,
        )
        messages.success(request, "密码已重置，所有设备上的登录均已退出，请用新密码登录。")
        return redirect(reverse("accounts:login"))

    step = _code_flow(
        request, form_class=RecoverForm, send=actions.send_recovery_code, submit=submit
    )
    if step.response is not None:
        return step.response
    return render(request, "accounts/login/recover.html", step.context())


urlpatterns = [
    path("login/", login_password, name="login"),
    path("login/sms/", login_sms, name="login_sms"),
    path("logout/", logout, name="logout"),
    path("register/", register, name="register"),
    path("password/", password_change, name="password_change"),
    path("recover/", recover, name="recover"),
]
