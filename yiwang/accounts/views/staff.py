"""Staff two-factor login (TOTP): the second-factor step, first-login enrolment, and the
security administrator's reset of a staff member's authenticator.

The first factor (accounts/views/login.py) hands over through ``otp.begin_login``, which
leaves a *pending login* in the session; these pages finish it. See
docs/staff-second-factor.md.
"""

import re
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.util import random_hex

from .. import actions, otp
from ..models import User

TOKEN_RE = re.compile(r"^\d{6}$")


class TokenForm(forms.Form):
    token = forms.CharField(
        label="动态验证码",
        max_length=20,
        help_text="打开手机上的身份验证器应用，输入它为本账号显示的 6 位数字。",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
            }
        ),
        error_messages={"required": "请输入 6 位数字的动态验证码。"},
    )

    def clean_token(self):
        token = re.sub(r"\s+", "", self.cleaned_data["token"])
        if not TOKEN_RE.match(token):
            raise ValidationError("动态验证码是 6 位数字，请重新输入。")
        return token


def _start_again(request, message):
    """The pending login is gone: back to the first factor, keeping where it was going."""
    next_url = otp.pending_next(request)
    otp.drop_pending_login(request)
    messages.error(request, message)
    return redirect(otp.login_url(next_url))


def _finish(request, pending, device):
    otp.drop_pending_login(request)
    actions.complete_second_factor_login(
        request=request,
        user=pending.user,
        device=device,
        backend=pending.backend,
        first_factor=pending.first_factor,
    )
    return redirect(pending.next_url)


def _wrong_code(request, form, error):
    """Count a wrong code against the pending login; on the last one, start again."""
    if error.code == "throttled":
        form.add_error("token", error.messages[0])
        return None
    left = otp.count_second_factor_failure(request)
    if left == 0:
        messages.error(request, "动态验证码错误次数过多，本次登录已取消，请重新输入账号和密码。")
        return redirect(otp.login_url(form.next_url))
    form.add_error("token", f"{error.messages[0]}（还可尝试 {left} 次）")
    return None


@never_cache
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def second_factor(request):
    """Step two of a staff login: the code of the enrolled authenticator app."""
    pending = otp.pending_login(request)
    if pending is None:
        return _start_again(request, "登录已超时或尚未输入账号和密码，请重新登录。")
    if not otp.has_confirmed_device(pending.user):
        return redirect("accounts:staff_enrol")
    form = TokenForm(request.POST or None)
    form.next_url = pending.next_url
    if request.method == "POST" and form.is_valid():
        try:
            device = actions.verify_second_factor(
                user=pending.user, token=form.cleaned_data["token"], request=request
            )
        except ValidationError as error:
            answer = _wrong_code(request, form, error)
            if answer is not None:
                return answer
        else:
            return _finish(request, pending, device)
    return render(
        request,
        "accounts/staff/second_factor.html",
        {
            "form": form,
            "pending_user": pending.user,
            "login_url": otp.login_url(pending.next_url),
        },
        status=400 if form.errors else 200,
    )


def otpauth_uri(user, key_hex):
    """The ``otpauth://`` URI authenticator apps read (Key URI Format), issuer = platform."""
    issuer = (getattr(settings, "OTP_TOTP_ISSUER", "") or settings.WAGTAIL_SITE_NAME).replace(
        ":", ""
    )
    secret = b32encode(unhexlify(key_hex)).decode()
    label = quote(f"{issuer}:{user.get_username()}")
    params = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": 6, "period": 30}
    )
    return f"otpauth://totp/{label}?{params}"


def grouped(secret):
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def enrol(request):
    """First login of a staff member without an authenticator: show a new secret (QR code,
    text) and confirm it with a code from the app; then the login completes."""
    pending = otp.pending_login(request)
    if pending is None:
        return _start_again(request, "登录已超时或尚未输入账号和密码，请重新登录。")
    if otp.has_confirmed_device(pending.user):
        return redirect("accounts:staff_second_factor")
    key = pending.enrol_key
    if not key:
        key = random_hex(20)
        otp.set_enrol_key(request, key)
    form = TokenForm(request.POST or None)
    form.next_url = pending.next_url
    if request.method == "POST" and form.is_valid():
        try:
            device = actions.confirm_enrolment(
                user=pending.user, key=key, token=form.cleaned_data["token"], request=request
            )
        except ValidationError as error:
            if error.code == "already_enrolled":
                return _start_again(request, error.messages[0])
            answer = _wrong_code(request, form, error)
            if answer is not None:
                return answer
        else:
            messages.success(request, "身份验证器绑定成功，今后登录请输入它显示的动态验证码。")
            return _finish(request, pending, device)
    uri = otpauth_uri(pending.user, key)
    secret = b32encode(unhexlify(key)).decode()
    return render(
        request,
        "accounts/staff/enrol.html",
        {
            "form": form,
            "pending_user": pending.user,
            "qr_data_uri": segno.make(uri, error="m").svg_data_uri(scale=4, border=4),
            "secret": grouped(secret),
            "otpauth_uri": uri,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reset(request, user_id):
    """A security administrator removes a staff member's authenticator (lost phone): their
    sessions end and their next login enrols a new one."""
    if not request.user.has_perm("accounts.change_user"):
        raise PermissionDenied("你没有重置工作人员双因素认证的权限。")
    target = get_object_or_404(User, pk=user_id)
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    if request.method == "POST":
        try:
            removed = actions.reset_second_factor(
                user=target, acting_user=request.user, request=request
            )
        except PermissionDenied as denied:
            messages.error(request, str(denied))
        else:
            messages.success(
                request,
                f"已重置“{target}”的双因素认证（移除 {removed} 个身份验证器），"
                "其所有会话已退出，下次登录时需重新绑定。",
            )
            if back:
                return redirect(back)
            return redirect("accounts:staff_reset_second_factor", user_id=target.pk)
    return render(
        request,
        "accounts/staff/reset_second_factor.html",
        {
            "target": target,
            "has_device": otp.has_confirmed_device(target),
            "is_self": target.pk == request.user.pk,
            "next": back,
        },
    )


@never_cache
def admin_login_redirect(request, default_next="/admin/"):
    """The Wagtail admin's and Django admin's own login pages would let staff in with a
    password alone: they send to the platform's login instead, ``next`` kept."""
    next_url = otp.safe_next(request, request.GET.get("next", ""), default_next)
    return redirect(otp.login_url(next_url))


urlpatterns = [
    path("staff/second-factor/", second_factor, name="staff_second_factor"),
    path("staff/enrol/", enrol, name="staff_enrol"),
    path(
        "staff/<int:user_id>/reset-second-factor/",
        reset,
        name="staff_reset_second_factor",
    ),
]
