"""No staff session without a second factor.

``otp.begin_login`` never logs staff in before their TOTP code, but a session may still come
about another way (a login view that forgot the seam, ``force_login``, a session from before
two-factor was required). This middleware, placed after django-otp's ``OTPMiddleware``,
ends any authenticated session of a user who ``requires_second_factor`` and whose session is
not OTP-verified (``request.user.is_verified()``), on every path except those needed to log
in or out: it audits the refusal, logs the session out and sends the browser to the login
page (``next`` kept), or answers 401 JSON to API calls.
"""

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import JsonResponse
from django.shortcuts import redirect

from yiwang.core.audit import record

from . import events
from .otp import login_url, requires_second_factor

# The first factor, the second-factor and enrolment steps, logging out, and static files.
# The admin login URLs only redirect to the first one.
EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/staff/second-factor/",
    "/accounts/staff/enrol/",
    "/accounts/logout/",
    "/admin/login/",
    "/django-admin/login/",
)


def _exempt(path):
    static = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else None
    prefixes = (settings.LOGIN_URL, *EXEMPT_PREFIXES) + ((static,) if static else ())
    return path.startswith(prefixes) or path == "/favicon.ico"


def wants_json(request):
    accept = request.headers.get("Accept", "")
    return request.content_type == "application/json" or (
        "application/json" in accept and "text/html" not in accept
    )


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _exempt(request.path) and self.unverified_staff_session(request):
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def unverified_staff_session(request):
        session = getattr(request, "session", None)
        if session is None:
            return False
        # Looking into the session must not add "Vary: Cookie" to anonymous public pages
        # (their cacheability): the answer does not depend on it unless someone is logged in.
        accessed = session.accessed
        try:
            if SESSION_KEY not in session:
                return False
        finally:
            session.accessed = accessed
        user = request.user
        if not user.is_authenticated or not requires_second_factor(user):
            return False
        is_verified = getattr(user, "is_verified", None)
        return not (is_verified is not None and is_verified())

    @staticmethod
    def refuse(request):
        user = request.user
        record(
            action=events.AUTHORIZATION_DENIED,
            actor=user,
            obj=user,
            request=request,
            detail={"reason": "second_factor_missing", "path": request.path[:200]},
        )
        logout(request)
        target = login_url(request.get_full_path())
        if wants_json(request):
            return JsonResponse(
                {
                    "error": "工作人员须完成双因素认证，请重新登录。"
                    " / Staff must log in with their second factor (TOTP).",
                    "code": "second_factor_required",
                    "login_url": target,
                },
                status=401,
            )
        return redirect(target)
