"""Single sign-on across the portals of the site group (一次认证、全网通行).

Every portal is the same Django install with one user table and one session store, but a
browser keeps cookies per host. The login lives on the identity host
(``settings.IDENTITY_URL``); a portal learns who is logged in there by a top-level round
trip with a one-time ticket:

1. ``/accounts/sso/start?next=…`` on the portal keeps a random ``state`` (and ``next``) in
   the portal host's session and redirects to the identity host's ``/accounts/sso/authorize``
   with ``return_to=<portal>/accounts/sso/callback`` and the state (``prompt=none`` for the
   silent check the pages' script makes).
2. ``authorize`` accepts ``return_to`` only on the callback path of a host and port that is
   exactly a Wagtail ``Site``'s (no open redirect). Logged in there: it issues a ticket
   (32 random bytes, in the cache for ``TICKET_SECONDS``, bound to the user, their
   ``session_generation``, the return host and the state) and redirects back with it. Not
   logged in: back with ``error=login_required`` when ``prompt=none``, else to the login page,
   which comes back to ``authorize`` afterwards.
3. ``callback`` checks the state against the session, consumes the ticket (``cache.delete``
   succeeds for one caller only), checks host and generation and logs the user in on the
   portal host, then goes to ``next``.

Logging out everywhere bumps ``session_generation``: every portal session dies, and a ticket
issued before it is refused.
"""

import secrets
import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail.models import Site

TICKET_SECONDS = 60
STATE_SESSION_KEY = "yiwang_sso_states"
# A few sign-ons may be under way at once (several tabs); older states are dropped.
MAX_STATES = 5
STATE_SECONDS = 10 * 60
DEFAULT_PORTS = {"http": 80, "https": 443}


def _netloc(scheme, hostname, port):
    hostname = (hostname or "").lower()
    if port is None or port == DEFAULT_PORTS.get(scheme):
        return hostname
    return f"{hostname}:{port}"


def identity_netloc():
    parts = urlsplit(settings.IDENTITY_URL)
    return _netloc(parts.scheme, parts.hostname, parts.port)


def request_netloc(request):
    host = request.get_host().lower()
    default = f":{DEFAULT_PORTS['https' if request.is_secure() else 'http']}"
    return host[: -len(default)] if host.endswith(default) else host


def is_identity_host(request):
    return request_netloc(request) == identity_netloc()


def site_netlocs():
    """``host`` and ``host:port`` of every Wagtail site, as ``next`` may name them."""
    netlocs = set()
    for hostname, port in Site.objects.values_list("hostname", "port"):
        hostname = hostname.lower()
        netlocs.add(f"{hostname}:{port}")
        if port in DEFAULT_PORTS.values():
            netlocs.add(hostname)
    return netlocs


def safe_next(request, next_url, default="/"):
    """``next_url`` if it stays in the site group (a path, this host, a portal's host or the
    identity host), else ``default``."""
    allowed = site_netlocs() | {request.get_host(), identity_netloc()}
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts=allowed, require_https=request.is_secure()
    ):
        return next_url
    return default


def callback_path():
    return reverse("accounts:sso_callback")


def return_host(return_to, *, secure=False):
    """The ``host[:port]`` a ticket may be sent to, or ``None`` when ``return_to`` is not
    the callback of a portal of the group: its host must be exactly a Wagtail site's
    hostname, with that site's port (or, without a port in the URL, a site on port 80 or
    443, the usual setup behind a TLS proxy), no user info, and the callback path. From an
    https identity host, only https."""
    try:
        parts = urlsplit(return_to or "")
        port = parts.port
    except ValueError:
        return None
    allowed_schemes = {"https"} if secure else {"http", "https"}
    if parts.scheme not in allowed_schemes or not parts.hostname or "@" in parts.netloc:
        return None
    if parts.path != callback_path() or parts.fragment:
        return None
    hostname = parts.hostname.lower()
    ports = [port] if port is not None else list(DEFAULT_PORTS.values())
    if not Site.objects.filter(hostname=hostname, port__in=ports).exists():
        return None
    return _netloc(parts.scheme, hostname, port)


def with_query(url, **params):
    separator = "&" if urlsplit(url).query else "?"
    return f"{url}{separator}{urlencode(params)}"


def authorize_url(*, return_to, state, silent):
    params = {"return_to": return_to, "state": state}
    if silent:
        params["prompt"] = "none"
    return with_query(settings.IDENTITY_URL + reverse("accounts:sso_authorize"), **params)


def remember_state(request, *, next_url, silent):
    """A new random state for this sign-on, kept in this host's session with ``next``."""
    state = secrets.token_urlsafe(24)
    now = time.time()
    states = {
        key: value
        for key, value in (request.session.get(STATE_SESSION_KEY) or {}).items()
        if isinstance(value, dict) and now - value.get("at", 0) < STATE_SECONDS
    }
    states[state] = {"next": next_url, "silent": silent, "at": now}
    newest = sorted(states.items(), key=lambda item: item[1]["at"])[-MAX_STATES:]
    request.session[STATE_SESSION_KEY] = dict(newest)
    return state


def pop_state(request, state):
    """The sign-on ``state`` started in this session (``{"next", "silent"}``), used up; or
    ``None``."""
    states = dict(request.session.get(STATE_SESSION_KEY) or {})
    entry = states.pop(state or "", None) if isinstance(state, str) else None
    if entry is None:
        return None
    request.session[STATE_SESSION_KEY] = states
    if time.time() - entry.get("at", 0) >= STATE_SECONDS:
        return None
    return entry


def _ticket_key(ticket):
    # The cache holds a hash of the ticket: whoever can read the cache cannot log in.
    return "accounts:sso:ticket:" + salted_hmac("yiwang.sso.ticket", ticket).hexdigest()


def issue_ticket(*, user, host, state, otp_device=""):
    """A one-time ticket for ``user`` to be logged in on ``host``, valid for
    ``TICKET_SECONDS``. ``otp_device``: the persistent id of the second factor the identity
    session passed (staff), carried over to the portal session."""
    ticket = secrets.token_urlsafe(32)
    cache.set(
        _ticket_key(ticket),
        {
            "user_id": user.pk,
            "generation": user.session_generation,
            "host": host,
            "state": state,
            "otp_device": otp_device,
        },
        TICKET_SECONDS,
    )
    return ticket


def consume_ticket(ticket):
    """The ticket's entry, once: a second use (or an expired or made-up ticket) gives
    ``None``."""
    if not isinstance(ticket, str) or not ticket or len(ticket) > 100:
        return None
    key = _ticket_key(ticket)
    entry = cache.get(key)
    # Of two requests racing with the same ticket, only one deletes the entry.
    if entry is None or not cache.delete(key):
        return None
    return entry
