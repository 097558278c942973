"""The staff second factor (TOTP, django-otp): checking a code, first-login enrolment,
finishing the login, and the security administrator's reset.

Codes are checked by the device's own ``verify_token``: it refuses a code at or before the
time step of the last accepted one (no replay), and backs off exponentially after wrong
codes (``throttling_failure_count``). Neither a code nor a secret is ever audited.
"""

import math

import django_otp
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.core.audit import record

from .. import events
from ..models import User

DEVICE_NAME = "身份验证器"


def _throttled_message(info):
    locked_until = (info or {}).get("locked_until")
    seconds = 1
    if locked_until is not None:
        seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return f"验证码错误次数较多，请 {seconds} 秒后再试。"


def verify_second_factor(*, user, token, request=None):
    """Check ``token`` against ``user``'s confirmed TOTP device and return the device.

    Raises ``ValidationError`` (code ``wrong_token``, ``throttled`` or ``no_device``) with a
    Chinese message otherwise; a wrong code is audited (SECOND_FACTOR_FAILED) and counted by
    the device's back-off, both kept although the check failed."""
    with transaction.atomic():
        # Locked, so that two requests cannot both accept the same code.
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise ValidationError("该账号尚未绑定身份验证器。", code="no_device")
        allowed, info = device.verify_is_allowed()
        if not allowed:
            error = ValidationError(_throttled_message(info), code="throttled")
        elif device.verify_token(token):
            return device
        else:
            error = ValidationError(
                "动态验证码不正确或已使用过，请输入身份验证器上当前显示的 6 位数字。",
                code="wrong_token",
            )
        record(
            action=events.SECOND_FACTOR_FAILED,
            actor=user,
            obj=user,
            request=request,
            detail={"second_factor": "totp", "stage": "login", "reason": error.code},
        )
    raise error


def confirm_enrolment(*, user, key, token, request=None):
    """Enrol ``user``'s authenticator app: the TOTP secret ``key`` (hex) becomes their
    confirmed device once ``token`` computed from it is right. Trust on first use: whoever
    passed the password may enrol, but only while the account has no confirmed device.

    Raises ``ValidationError`` (codes ``already_enrolled``, ``wrong_token``); nothing is
    written then except the audit row of the wrong code."""
    wrong = False
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationError(
                "该账号已绑定身份验证器，请用它登录；如已丢失请联系安全管理员重置。",
                code="already_enrolled",
            )
        try:
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                device = TOTPDevice.objects.create(
                    user=user, name=DEVICE_NAME, key=key, confirmed=True
                )
                # verify_token saves last_t: this very code cannot log in a second time.
                if not device.verify_token(token):
                    raise ValidationError("wrong")
        except ValidationError:
            wrong = True
        if wrong:
            record(
                action=events.SECOND_FACTOR_FAILED,
                actor=user,
                obj=user,
                request=request,
                detail={"second_factor": "totp", "stage": "enrolment", "reason": "wrong_token"},
            )
        else:
            record(
                action=events.SECOND_FACTOR_ENROLLED,
                actor=user,
                obj=user,
                request=request,
                detail={"second_factor": "totp", "device_id": device.pk},
            )
            return device
    raise ValidationError(
        "动态验证码不正确，请确认手机时间准确，并输入身份验证器上当前显示的 6 位数字。",
        code="wrong_token",
    )


def complete_second_factor_login(*, request, user, device, backend, first_factor=""):
    """Log ``user`` in with the OTP-verified ``device`` (the session then counts as
    verified, ``request.user.is_verified()``) and audit the login."""
    with transaction.atomic():
        login(request, user, backend=backend)
        django_otp.login(request, device)
        record(
            action=events.LOGIN,
            actor=user,
            obj=user,
            request=request,
            detail={"method": first_factor or "password", "second_factor": "totp"},
        )


def reset_second_factor(*, user, acting_user, request=None):
    """Remove ``user``'s TOTP devices, so that their next login enrols a new one, and end
    every session of theirs (``session_generation``).

    For security administrators: ``acting_user`` needs ``accounts.change_user`` and may not
    reset their own second factor (another administrator must). Raises
    ``PermissionDenied``; writes nothing then. Returns how many devices were removed."""
    if acting_user is None or not acting_user.has_perm("accounts.change_user"):
        raise PermissionDenied("你没有重置工作人员双因素认证的权限。")
    if acting_user.pk == user.pk:
        raise PermissionDenied("不能重置自己的双因素认证，请联系其他安全管理员办理。")
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
        record(
            action=events.SECOND_FACTOR_RESET,
            actor=acting_user,
            obj=user,
            request=request,
            detail={"second_factor": "totp", "devices_removed": removed},
        )
    user.refresh_from_db(fields=["session_generation"])
    return removed
