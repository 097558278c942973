"""View decorators of the identity layer.

``real_name_required(level)``: service pages that need a minimum real-name level (实名等级).
Anonymous visitors go to the login page; users below the level get a page (403) saying in
Chinese how to reach it, and the refusal is audited.

``staff_permission_required(perm)``: pages for staff who hold a permission and have passed
their second factor; every refusal is audited by the platform's 403 handler.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from yiwang.core.views import record_denial

from .models import RealNameLevel
from .otp import requires_second_factor
from .queries import meets_level, real_name_level


def real_name_required(level):
    """Let the view run only for users at real-name level ``level`` or above."""
    level = RealNameLevel(level)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not meets_level(request.user, level):
                record_denial(
                    request,
                    source="real_name_level",
                    reason=f"需要实名等级 {level.value} 级，当前 {request.user.real_name_level} 级",
                )
                return render(
                    request,
                    "accounts/centre/level_required.html",
                    {
                        "required_level": level,
                        "current_level": RealNameLevel(real_name_level(request.user)),
                        "has_id_number": bool(request.user.id_number_digest),
                    },
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def staff_permission_required(permission):
    """Let the view run only for a user with ``permission`` whose session passed the second
    factor (TOTP) when the user needs one. Anonymous visitors go to the login page; others
    get 403 (``PermissionDenied``), which the platform's 403 handler writes to the audit log
    (``yiwang.core.views.permission_denied``)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active or not user.has_perm(permission):
                raise PermissionDenied(f"你没有使用该功能的权限（{permission}）。")
            is_verified = getattr(user, "is_verified", None)
            if requires_second_factor(user) and not (is_verified and is_verified()):
                raise PermissionDenied("请先完成动态口令（双因素）验证。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
