"""Lockout counters in Redis, the production cache: what one app process counts, another
sees. Needs the Redis server of the machine (127.0.0.1:6379, or YIWANG_TEST_REDIS_URL); the
test is skipped without one, except under CI."""

import os
import socket
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches

from yiwang.accounts.throttle import Throttle

REDIS_URL = os.environ.get("YIWANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_reachable():
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache(settings):
    if not redis_reachable():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"yiwang-test-{os.getpid()}",
        },
        # A second client of the same server stands for another app process.
        "other": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"yiwang-test-{os.getpid()}",
        },
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


def test_a_lockout_counted_in_one_process_holds_in_another(redis_cache, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_SECONDS = 60
    throttle = Throttle(account="user:1", address="203.0.113.7")
    for _ in range(3):
        failure = throttle.fail()
    assert failure.lock is not None and failure.lock.seconds == 60
    # The other process reads the same counters from the server.
    other = caches["other"]
    assert other is not redis_cache
    keys = [key for key in other.keys("*") if "pair:user:1" in key]
    assert keys, "the lockout is in Redis, where every app process sees it"
    assert Throttle(account="user:1", address="203.0.113.7").locked() is not None
    # The same account from another address is not locked (no malicious lockout).
    assert Throttle(account="user:1", address="198.51.100.9").locked() is None
