"""The seam between the first factor (password or SMS code, accounts/views/login.py) and the
staff second factor (TOTP, accounts/views/staff.py).

The login views call ``begin_login(request, user, next_url)`` once the first factor is
right. For people who need no second factor it logs them in at once; for staff it logs
nobody in, remembers who passed the first factor in the session (a *pending login*, valid
for ``PENDING_LOGIN_SECONDS``), and sends them to the second-factor step, which finishes the
login. Staff thus never hold an authenticated session without their second factor; the
``StaffSecondFactorMiddleware`` ends any session that has one anyway (docs/
staff-second-factor.md).
"""

import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY, login
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_totp.models import TOTPDevice

PENDING_SESSION_KEY = "yiwang_pending_login"
PENDING_LOGIN_SECONDS = 5 * 60
# Wrong TOTP codes one pending login may take before it is dropped (password again).
MAX_SECOND_FACTOR_FAILURES = 5
DEFAULT_BACKEND = "django.contrib.auth.backends.ModelBackend"
STAFF_DEFAULT_NEXT = "/admin/"


def requires_second_factor(user):
    """Staff (and anyone who can reach the back office) need TOTP."""
    return bool(user.is_staff or user.is_superuser or user.kind == "staff")


def has_confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def safe_next(request, next_url, default):
    """``next_url`` when it points to this site (a relative path or an allowed host), else
    ``default``: a login never sends anyone to a foreign site."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


def login_url(next_url=""):
    """The login page, keeping ``next``."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return f"{settings.LOGIN_URL}{query}"


def begin_login(request, user, next_url, *, backend=DEFAULT_BACKEND, first_factor="password"):
    """Finish the first factor of ``user`` (already checked by the caller) and answer with
    the redirect to show.

    Without a second factor: ``login()`` and off to ``next_url``. With one (staff): nobody is
    logged in. Any session already there is ended, the pending login is kept in a fresh
    session, and the answer goes to the TOTP step, or to first-login enrolment when the user
    has no confirmed device yet. ``first_factor`` ("password" or "sms") is only recorded
    in the audit row of the completed login. The caller audits the login itself only when
    ``request.user.is_authenticated`` afterwards (for staff the TOTP step does it).
    """
    request.session.pop(PENDING_SESSION_KEY, None)
    if not requires_second_factor(user):
        login(request, user, backend=backend)
        return redirect(safe_next(request, next_url, settings.LOGIN_REDIRECT_URL))

    if SESSION_KEY in request.session:
        # Someone (perhaps this very user, without TOTP) is logged in in this browser.
        request.session.flush()
        request.user = AnonymousUser()
    else:
        request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user_id": user.pk,
        "backend": backend,
        "next": safe_next(request, next_url, STAFF_DEFAULT_NEXT),
        "started": time.time(),
        "first_factor": first_factor,
        "failures": 0,
    }
    if has_confirmed_device(user):
        return redirect(reverse("accounts:staff_second_factor"))
    return redirect(reverse("accounts:staff_enrol"))


@dataclass
class PendingLogin:
    """A login waiting for its second factor: who, by which backend, where to afterwards."""

    user: object
    backend: str
    next_url: str
    first_factor: str
    failures: int
    enrol_key: str = ""


def pending_login(request):
    """The session's pending login, or ``None`` when there is none, it is older than
    ``PENDING_LOGIN_SECONDS``, or its user can no longer log in (the caller then drops it
    with ``drop_pending_login``)."""
    from .models import User

    data = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(data, dict):
        return None
    age = time.time() - float(data.get("started", 0))
    if not 0 <= age <= PENDING_LOGIN_SECONDS:
        return None
    user = User.objects.filter(pk=data.get("user_id"), is_active=True).first()
    if user is None:
        return None
    return PendingLogin(
        user=user,
        backend=data.get("backend") or DEFAULT_BACKEND,
        next_url=data.get("next") or STAFF_DEFAULT_NEXT,
        first_factor=data.get("first_factor") or "",
        failures=int(data.get("failures", 0)),
        enrol_key=data.get("enrol_key", ""),
    )


def pending_next(request):
    """Where the pending login (even an expired one) was going: kept when it is dropped."""
    data = request.session.get(PENDING_SESSION_KEY)
    return data.get("next", "") if isinstance(data, dict) else ""


def drop_pending_login(request):
    request.session.pop(PENDING_SESSION_KEY, None)


def count_second_factor_failure(request):
    """Count one wrong code against the pending login; drop it at the
    ``MAX_SECOND_FACTOR_FAILURES``-th. Returns how many tries are left (0: dropped)."""
    data = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(data, dict):
        return 0
    failures = int(data.get("failures", 0)) + 1
    if failures >= MAX_SECOND_FACTOR_FAILURES:
        drop_pending_login(request)
        return 0
    request.session[PENDING_SESSION_KEY] = {**data, "failures": failures}
    return MAX_SECOND_FACTOR_FAILURES - failures


def set_enrol_key(request, key):
    """Keep the secret offered for enrolment with the pending login, so reloading the page
    shows the same QR code; the device is only written once a code from it is confirmed."""
    data = request.session.get(PENDING_SESSION_KEY)
    if isinstance(data, dict):
        request.session[PENDING_SESSION_KEY] = {**data, "enrol_key": key}
