"""Message numbers and query codes.

A number is ``<6-digit division code><YYYYMMDD><5-digit sequence>``, e.g.
``99010220261203 00001`` without the space — counted per division and day in
``MessageNumberCounter`` inside the submitting transaction (row lock on PostgreSQL; SQLite's
IMMEDIATE transactions serialize writers; ``Message.number`` is unique as the last guard).

The query code (查询码) lets the writer follow the message without logging in: 8 characters
without look-alikes, made with ``secrets``; only an HMAC of it (keyed with ``SECRET_KEY`` and
bound to the number) is stored.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import MessageNumberCounter

SEQUENCE_DIGITS = 5
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


def _next_value(scope):
    for _attempt in range(3):
        counter = MessageNumberCounter.objects.select_for_update().filter(scope=scope).first()
        if counter is not None:
            counter.last += 1
            counter.save(update_fields=["last"])
            return counter.last
        try:
            with transaction.atomic():
                MessageNumberCounter.objects.create(scope=scope, last=1)
            return 1
        except IntegrityError:
            continue
    raise IntegrityError(f"留言编号计数器 {scope} 无法分配")


def allocate(region, *, day):
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers.allocate must run inside the message's transaction")
    value = _next_value(f"{region.division_code}-{day:%Y%m%d}")
    if value >= 10**SEQUENCE_DIGITS:
        raise IntegrityError("当日留言编号已用尽")
    return f"{region.division_code}{day:%Y%m%d}{value:0{SEQUENCE_DIGITS}d}"


def new_query_code():
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def normalize(code):
    return "".join((code or "").split()).upper()


def query_code_hash(number, code):
    message = f"{number}:{normalize(code)}".encode()
    key = f"yiwang.interaction.query_code:{settings.SECRET_KEY}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def matches(message, code):
    if not message.query_code_hash or not code:
        return False
    return hmac.compare_digest(message.query_code_hash, query_code_hash(message.number, code))
