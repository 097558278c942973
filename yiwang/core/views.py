"""Views of the platform as a whole: the 403 handler (``handler403`` in ``yiwang/urls.py``),
which writes every authorization denial to the audit log before it answers.

Wagtail's admin does not let its denials reach Django's handler: ``require_admin_access``
catches ``PermissionDenied`` and answers with a message and a redirect to the dashboard
(``wagtail.admin.auth.permission_denied``), and turns away logged-in users without admin
access with ``reject_request``. ``audit_wagtail_admin_denials()`` wraps those two so that
they audit too; ``CoreConfig.ready()`` calls it once.
"""

import functools
import logging

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from .audit import record

logger = logging.getLogger(__name__)

# Equal to yiwang.accounts.events.AUTHORIZATION_DENIED (a test keeps them equal): core sits
# below accounts and may not import from it.
AUTHORIZATION_DENIED = "accounts.authorization_denied"

MESSAGE = "抱歉，您没有权限访问此页面或执行此操作。"
MESSAGE_EN = "You do not have permission to access this page or perform this action."
AJAX_HEADER = "XMLHttpRequest"


def record_denial(request, *, source, reason=""):
    """Audit one denial. A failure to audit is logged, never turned into a 500 on top of
    the 403."""
    user = getattr(request, "user", None)
    try:
        record(
            action=AUTHORIZATION_DENIED,
            actor=user,
            request=request,
            detail={
                "path": request.path[:500],
                "method": request.method,
                "source": source,
                "reason": str(reason)[:200],
                "authenticated": bool(user is not None and user.is_authenticated),
            },
        )
    except Exception:
        logger.exception("授权拒绝未能写入审计日志：%s %s", request.method, request.path)


def wants_json(request):
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def permission_denied(request, exception=None):
    """Django's 403 handler: audit, then a Chinese page, or JSON (Chinese and English) for
    a client that prefers JSON."""
    record_denial(request, source="django", reason=exception or "")
    if wants_json(request):
        return JsonResponse(
            {"code": "permission_denied", "error": f"{MESSAGE} / {MESSAGE_EN}"}, status=403
        )
    return render(
        request,
        "403.html",
        {"message": MESSAGE, "login_url": settings.LOGIN_URL},
        status=403,
    )


def _audit_denials(original, *, source, authenticated_only=False):
    @functools.wraps(original)
    def audited(request, *args, **kwargs):
        # An AJAX denial raises PermissionDenied on to handler403, which audits it; an
        # anonymous visitor sent to the login page has not been denied anything yet.
        is_ajax = request.headers.get("x-requested-with") == AJAX_HEADER
        if not is_ajax and (not authenticated_only or request.user.is_authenticated):
            record_denial(request, source=source)
        return original(request, *args, **kwargs)

    audited.yiwang_audited = True
    return audited


def audit_wagtail_admin_denials():
    """Make Wagtail's admin audit its denials (idempotent)."""
    from wagtail.admin import auth

    if not getattr(auth.permission_denied, "yiwang_audited", False):
        auth.permission_denied = _audit_denials(auth.permission_denied, source="wagtail_admin")
    if not getattr(auth.reject_request, "yiwang_audited", False):
        auth.reject_request = _audit_denials(
            auth.reject_request, source="wagtail_admin_access", authenticated_only=True
        )


def denies_with_403_page(view):
    """Every ``PermissionDenied`` on the way through ``view`` (no scope, an object missing
    or outside the scope, an action's own refusal) gives the audited 403 page with its
    reason: for back-office views that Wagtail's admin would otherwise answer with a
    redirect."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        from django.core.exceptions import PermissionDenied

        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return permission_denied(request, exc)

    return guarded
