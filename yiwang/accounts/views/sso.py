"""Single sign-on between the identity host and the portals (accounts/sso.py explains the
round trip): start (on a portal), authorize (on the identity host), callback (on the
portal)."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import sso
from ..actions.login import log_in_by_sso
from ..models import User
from ..otp import requires_second_factor

logger = logging.getLogger(__name__)


def _login_page(next_url):
    return sso.with_query(reverse("accounts:login"), next=next_url)


@never_cache
@require_GET
def start(request):
    """Begin a sign-on from this host: to the identity host and back to ``next``."""
    next_url = sso.safe_next(request, request.GET.get("next"))
    silent = request.GET.get("prompt") == "none"
    if request.user.is_authenticated:
        return redirect(next_url)
    if sso.is_identity_host(request):
        # The login lives here: nothing to fetch from elsewhere.
        return redirect(next_url if silent else _login_page(next_url))
    state = sso.remember_state(request, next_url=next_url, silent=silent)
    return_to = request.build_absolute_uri(sso.callback_path())
    return redirect(sso.authorize_url(return_to=return_to, state=state, silent=silent))


def _refuse(request, message):
    return render(request, "accounts/login/sso_error.html", {"message": message}, status=400)


@never_cache
@require_GET
def authorize(request):
    """On the identity host: send a portal a one-time ticket for the user logged in here."""
    if not sso.is_identity_host(request):
        return redirect(settings.IDENTITY_URL + request.get_full_path())
    return_to = request.GET.get("return_to", "")
    state = request.GET.get("state", "")
    host = sso.return_host(return_to, secure=request.is_secure())
    if host is None:
        logger.warning("SSO authorize refused a return_to outside the site group")
        return _refuse(request, "回调地址不属于本站群的网站，已拒绝。")
    if not state or len(state) > 100:
        return _refuse(request, "单点登录请求缺少参数，请从网站的“登录”重新进入。")
    user = request.user
    device = getattr(user, "otp_device", None)
    signed_in = user.is_authenticated and (device is not None or not requires_second_factor(user))
    if not signed_in:
        if request.GET.get("prompt") == "none":
            return redirect(sso.with_query(return_to, error="login_required", state=state))
        query = request.GET.copy()
        query.pop("prompt", None)
        return redirect(_login_page(f"{request.path}?{query.urlencode()}"))
    ticket = sso.issue_ticket(
        user=user,
        host=host,
        state=state,
        otp_device=device.persistent_id if device is not None else "",
    )
    return redirect(sso.with_query(return_to, ticket=ticket, state=state))


@never_cache
@require_GET
def callback(request):
    """On a portal: log in the user the ticket names, then go to the page they came from."""
    entry = sso.pop_state(request, request.GET.get("state"))
    if entry is None:
        if "error" in request.GET:
            # Nobody logged in, and this session lost the state (cookies blocked, expired):
            # a visitor on a silent check lands on the home page, not on an error.
            return redirect("/")
        return _refuse(request, "单点登录请求已失效（可能已超时或在其他窗口完成），请重新登录。")
    next_url = sso.safe_next(request, entry.get("next"))
    if "error" in request.GET:
        # prompt=none and nobody logged in on the identity host: back to the page, as is.
        return redirect(next_url)
    ticket = sso.consume_ticket(request.GET.get("ticket"))
    user = None
    if (
        ticket is not None
        and ticket["host"] == sso.request_netloc(request)
        and ticket["state"] == request.GET.get("state")
    ):
        user = User.objects.filter(pk=ticket["user_id"], is_active=True).first()
        if user is not None and user.session_generation != ticket["generation"]:
            user = None
    if user is None:
        if entry.get("silent"):
            return redirect(next_url)
        return _refuse(request, "登录凭据无效、已过期或已被使用，请重新登录。")
    device = _otp_device(user, ticket.get("otp_device"))
    if requires_second_factor(user) and device is None:
        return (
            redirect(next_url)
            if entry.get("silent")
            else _refuse(request, "工作人员须完成第二因素认证后才能单点登录，请重新登录。")
        )
    log_in_by_sso(request=request, user=user, otp_device=device)
    return redirect(next_url)


def _otp_device(user, persistent_id):
    if not persistent_id:
        return None
    from django_otp.models import Device

    try:
        device = Device.from_persistent_id(persistent_id)
    except (ValidationError, ValueError, LookupError):
        return None
    if device is None or device.user_id != user.pk:
        return None
    return device


@never_cache
def ping(request):
    """The identity host answers: the pages' script checks this before a silent sign-on,
    so that a visitor is never sent to an identity host that is down."""
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = "*"
    return response


urlpatterns = [
    path("sso/start", start, name="sso_start"),
    path("sso/authorize", authorize, name="sso_authorize"),
    path("sso/callback", callback, name="sso_callback"),
    path("sso/ping", ping, name="sso_ping"),
]
