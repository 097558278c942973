"""Case numbers and query codes.

A case number is ``<6-digit division code><YYYYMMDD><6-digit sequence>`` — 20 digits, e.g.
``99010220261202000001`` (990102 · 20261202 · 000001) — counted per division and day in
``CaseNumberCounter`` (scope ``"<division>-<YYYYMMDD>"``). ``allocate`` runs inside the
submitting transaction: on PostgreSQL the counter row is locked (``SELECT … FOR UPDATE``)
until the transaction ends, and two first submitters of the day racing to create the row
meet on its unique scope (the loser retries in a savepoint); on SQLite every transaction is
``BEGIN IMMEDIATE`` (settings), so writers are serialized anyway. ``Case.number`` is unique
as the last guard.

The query code (查询码) lets anyone holding the receipt look a case up without logging in:
8 characters from an alphabet without look-alikes (no 0/O/1/I/L), made with ``secrets``;
only an HMAC-SHA256 of it (keyed with ``SECRET_KEY``, bound to the case number) is stored.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import CaseNumberCounter

SEQUENCE_DIGITS = 6
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


class NumbersExhausted(Exception):
    """More than 999,999 cases in one division on one day."""


def scope_of(region, day):
    return f"{region.division_code}-{day:%Y%m%d}"


def _next_value(scope):
    for _attempt in range(3):
        counter = CaseNumberCounter.objects.select_for_update().filter(scope=scope).first()
        if counter is not None:
            counter.last += 1
            counter.save(update_fields=["last"])
            return counter.last
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(scope=scope, last=1)
            return 1
        except IntegrityError:
            # Another transaction created the row first; lock it on the next round.
            continue
    raise IntegrityError(f"办件编号计数器 {scope} 无法分配")


def allocate(region, *, day):
    """The next case number of ``region``'s division on ``day`` (a date). Call inside the
    transaction that saves the case."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers.allocate must run inside the case's transaction")
    value = _next_value(scope_of(region, day))
    if value >= 10**SEQUENCE_DIGITS:
        raise NumbersExhausted("当日办件编号已用尽")
    return f"{region.division_code}{day:%Y%m%d}{value:0{SEQUENCE_DIGITS}d}"


def new_query_code():
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def normalize_query_code(code):
    return "".join((code or "").split()).upper()


def query_code_hash(number, code):
    """The stored form of ``code`` for case ``number`` (hex HMAC-SHA256)."""
    message = f"{number}:{normalize_query_code(code)}".encode()
    return hmac.new(
        f"yiwang.hall.query_code:{settings.SECRET_KEY}".encode(), message, hashlib.sha256
    ).hexdigest()


def query_code_matches(case, code):
    if not case.query_code_hash or not code:
        return False
    return hmac.compare_digest(case.query_code_hash, query_code_hash(case.number, code))
