"""Brute-force protection of password login, counted in Django's cache.

The cache is shared by every app process (Redis in production, the database cache in the
embedded setup), so the counters hold whichever process answers a request.

Two limits:

- **Per (account, client address).** After ``settings.LOGIN_MAX_FAILURES`` failures the pair
  is locked for ``settings.LOGIN_LOCKOUT_SECONDS``, doubled for every further lockout of the
  same pair within a day, capped at 24 hours. Only that pair is locked: the owner logging in
  from another address is not affected, so nobody can lock someone else out of their
  account. A successful login of the pair (password or SMS code) clears it.
- **Per client address, across accounts** (credential stuffing): more than
  ``ADDRESS_MAX_FAILURES`` failures within ``ADDRESS_WINDOW_SECONDS`` lock password login from
  that address for the rest of the window.

Neither limit touches SMS-code login or the SMS password reset: the owner of the verified
mobile can always get in (those codes have their own limits, ``accounts.sms_codes``).

The account part of a key is the user's id when the identifier names an account, so trying
its username, mobile and ID number in turn counts as one; otherwise a keyed hash of the
identifier (an unknown account is counted like a known one, and no ID number or mobile
appears in a cache key).
"""

import hashlib
import hmac
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from yiwang.core.audit import client_ip

MAX_LOCKOUT_SECONDS = 24 * 3600
# How long a pair's failures and lockouts are remembered after the last one.
MEMORY_SECONDS = 24 * 3600
ADDRESS_WINDOW_SECONDS = 3600
PREFIX = "accounts:throttle"


def address_max_failures():
    return getattr(settings, "LOGIN_MAX_FAILURES_PER_ADDRESS", 10 * settings.LOGIN_MAX_FAILURES)


def _address_key(address):
    """IPv6 clients usually hold a whole /64: count them by it."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def account_key(*, user=None, identifier=""):
    if user is not None:
        return f"u{user.pk}"
    normalized = (identifier or "").strip().lower()
    digest = hmac.new(settings.SECRET_KEY.encode(), normalized.encode(), hashlib.sha256)
    return "i" + digest.hexdigest()[:32]


@dataclass(frozen=True)
class Lock:
    """A refusal: ``seconds`` left, and whether it is the address-wide limit."""

    seconds: int
    address_wide: bool = False

    @property
    def minutes(self):
        return max(1, math.ceil(self.seconds / 60))


@dataclass(frozen=True)
class Failure:
    """What one more failure did: the pair's failure count, and the lockout it started."""

    failures: int
    lock: Lock | None = None
    lockouts: int = 0


class Throttle:
    """The counters of one (account, address) pair and of the address."""

    def __init__(self, *, account, address):
        self.account = account
        self.address = _address_key(address)
        pair = f"{PREFIX}:pair:{account}:{self.address}"
        self._failures = f"{pair}:failures"
        self._lockouts = f"{pair}:lockouts"
        self._until = f"{pair}:until"
        self._address_failures = f"{PREFIX}:addr:{self.address}:failures"
        self._address_until = f"{PREFIX}:addr:{self.address}:until"

    @classmethod
    def for_request(cls, request, *, user=None, identifier=""):
        return cls(
            account=account_key(user=user, identifier=identifier), address=client_ip(request)
        )

    def locked(self):
        """The ``Lock`` in force for password login, or ``None``."""
        now = time.time()
        for key, address_wide in ((self._until, False), (self._address_until, True)):
            until = cache.get(key)
            if until is not None and until > now:
                return Lock(seconds=math.ceil(until - now), address_wide=address_wide)
        return None

    def fail(self):
        """Count a failed password login; lock the pair (or the address) when a limit is
        reached."""
        now = time.time()
        failures = _incr(self._failures, MEMORY_SECONDS)
        address_failures = _incr(self._address_failures, ADDRESS_WINDOW_SECONDS)
        lock = None
        lockouts = 0
        if failures >= settings.LOGIN_MAX_FAILURES:
            lockouts = _incr(self._lockouts, MEMORY_SECONDS)
            cache.touch(self._lockouts, MEMORY_SECONDS)
            seconds = min(settings.LOGIN_LOCKOUT_SECONDS * 2 ** (lockouts - 1), MAX_LOCKOUT_SECONDS)
            cache.set(self._until, now + seconds, seconds)
            cache.delete(self._failures)
            lock = Lock(seconds=seconds)
        if address_failures == address_max_failures() + 1:
            # Locked once, when the limit is passed; while locked, attempts are refused
            # before they are counted.
            seconds = ADDRESS_WINDOW_SECONDS
            cache.set(self._address_until, now + seconds, seconds)
            lock = lock or Lock(seconds=seconds, address_wide=True)
        return Failure(failures=failures, lock=lock, lockouts=lockouts)

    def succeed(self):
        """The owner got in from this address: forget the pair's failures and lockouts."""
        cache.delete_many([self._failures, self._lockouts, self._until])


def _incr(key, timeout):
    # add() then incr(): atomic in Redis; the window starts at the first failure.
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:
        # Expired between the two calls.
        cache.set(key, 1, timeout)
        return 1
