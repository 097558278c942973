"""API keys of the systems that post messages (``ApiClient``: a 12345 hotline system, an
Open311 client).

A key is made with ``secrets`` and shown once, on the page that answers its creation; only
its first characters (``key_prefix``, to recognise it in lists and logs) and the SHA-256 of
the whole key (``key_hash``, hex) are kept. ``client_for_key`` is how the API finds the
client of a request.
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from yiwang.core import audit

from . import events
from .models import ApiClient

KEY_PREFIX_LENGTH = 8
# 32 random bytes, URL-safe: about 43 characters.
KEY_BYTES = 32


def key_hash(key):
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_client(*, name, region, actor, request=None):
    """Register a system; returns ``(client, key)``. The key is not stored and cannot be
    shown again. Raises ``ValidationError`` (``name``, ``region``)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写接入系统的名称。"})
    if len(name) > 100:
        raise ValidationError({"name": "名称不能超过 100 个字。"})
    if region is None:
        raise ValidationError({"region": "请选择接入系统所属的区划。"})
    key = secrets.token_urlsafe(KEY_BYTES)
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name,
            region=region,
            key_prefix=key[:KEY_PREFIX_LENGTH],
            key_hash=key_hash(key),
        )
        audit.record(
            action=events.API_CLIENT_CREATED,
            actor=actor,
            obj=client,
            detail={"name": name, "region": region.pk, "key_prefix": client.key_prefix},
            request=request,
        )
    return client, key


def client_for_key(key):
    """The active ``ApiClient`` whose key is ``key``, or None (unknown, disabled, empty)."""
    if not isinstance(key, str):
        return None
    key = key.strip()
    if not key:
        return None
    return (
        ApiClient.objects.select_related("region")
        .filter(key_hash=key_hash(key), active=True)
        .first()
    )
