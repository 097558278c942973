"""The audit log: writing rows, chaining them, verifying the chain, pruning old rows.

Every row carries ``sequence`` (1, 2, 3, … without gaps), ``prev_hash`` (the previous row's
``row_hash``) and ``row_hash`` = HMAC-SHA256(``settings.AUDIT_CHAIN_KEY``, canonical JSON of
the row's content and ``prev_hash``). Whoever edits, deletes or inserts a row without the key
breaks the chain at that row; ``verify_chain`` (``manage.py verify_audit_log``) finds it.

Writers are serialized on the one-row ``AuditChainHead`` table: ``record()`` locks it
(``SELECT … FOR UPDATE`` on PostgreSQL) before numbering and hashing its row, and the lock
holds until the caller's transaction ends, so two writers can never take the same sequence
number or the same predecessor. On SQLite ``select_for_update`` does nothing, but every
transaction is ``BEGIN IMMEDIATE`` (settings.py), so writers are serialized there anyway.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

logger = logging.getLogger(__name__)

# The prev_hash of the very first row.
GENESIS_HASH = "0" * 64
# Bumped (and handled in row_content) if the hashed content ever changes shape.
CHAIN_FORMAT = 1
HEAD_PK = 1
MIN_RETENTION_DAYS = 180
# The audit action of pruning: its detail names the anchor the remaining chain starts from.
AUDIT_PRUNED = "core.audit_pruned"
# Someone verified the chain in the back office.
AUDIT_VERIFIED = "core.audit_verified"


class AuditChainBroken(Exception):
    """The chain does not verify; pruning refuses to delete evidence."""


def client_ip(request):
    """The client's address: ``REMOTE_ADDR``, or, behind ``settings.TRUSTED_PROXY_COUNT``
    reverse proxies, the address the outermost trusted proxy saw (the ``n``-th entry from the
    right of ``X-Forwarded-For``; entries further left were written by the client itself and
    could be anything)."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return remote


def client_address(request):
    """The client's IP address (``client_ip``), or None when there is none or it is not an
    address (an invalid value would make PostgreSQL's inet column refuse the row)."""
    if request is None:
        return None
    value = client_ip(request)
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return None
    return value


# --- hashing -------------------------------------------------------------------------------


def _canonical_number(value):
    """JSON numbers as the databases give them back: PostgreSQL's jsonb returns 1e20 as
    100000000000000000000 and keeps 1.0 as 1.0, so integral floats hash as integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _canonical_number(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical_number(item) for item in value]
    return value


def _canonical_address(value):
    if not value:
        return ""
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return str(value)


def _canonical_time(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_content(event):
    """What ``row_hash`` covers: every field the row states, and the previous hash."""
    return {
        "v": CHAIN_FORMAT,
        "sequence": event.sequence,
        "occurred_at": _canonical_time(event.occurred_at),
        "actor": event.actor_pk,
        "on_behalf_of": event.on_behalf_of,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "detail": _canonical_number(event.detail),
        "client_address": _canonical_address(event.client_address),
        "prev_hash": event.prev_hash,
    }


def compute_row_hash(event, *, key=None):
    key = settings.AUDIT_CHAIN_KEY if key is None else key
    message = json.dumps(
        row_content(event),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    ).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


# --- writing -------------------------------------------------------------------------------


def _locked_head():
    """The chain head, locked until the end of the current transaction. Made from the last
    row when missing (a fresh or flushed database); two first writers racing to make it
    meet on the primary key, and the loser waits for and locks the winner's row."""
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is not None:
        return head
    last = AuditEvent.objects.order_by("-sequence").values("sequence", "row_hash").first()
    try:
        with transaction.atomic():
            return AuditChainHead.objects.create(
                pk=HEAD_PK,
                last_sequence=last["sequence"] if last else 0,
                last_hash=last["row_hash"] if last else GENESIS_HASH,
            )
    except IntegrityError:
        return AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)


def record(*, action, actor=None, obj=None, detail=None, request=None, on_behalf_of=""):
    """Record that ``actor`` did ``action`` to ``obj``, as the next link of the chain.

    Call it inside the action's transaction, so the row and the write stand or fall
    together (outside one it opens its own). Best called as the transaction's last write:
    from here to the commit, other audited writers wait for this one. Never stores secrets:
    callers pass masked values in ``detail``, which must be JSON (it is stored as it reads
    back from JSON, so tuples become lists)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = AuditEvent(
        actor=actor,
        actor_pk=str(actor.pk) if actor is not None else "",
        on_behalf_of=(on_behalf_of or "")[:200],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk)[:64] if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        detail=json.loads(json.dumps(detail or {}, allow_nan=False)),
        client_address=client_address(request),
    )
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        event.sequence = head.last_sequence + 1
        event.prev_hash = head.last_hash
        # Taken under the lock, so times rise with the sequence (on one clock).
        event.occurred_at = timezone.now()
        event.row_hash = compute_row_hash(event)
        event.save(force_insert=True)
        head.last_sequence = event.sequence
        head.last_hash = event.row_hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return event


# --- verifying -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain does not hold. ``kind``: ``modified`` (a row's content or
    hash was changed), ``missing`` (rows deleted from the middle), ``relinked`` (a row does
    not follow its predecessor: inserted, or put in another's place), ``start`` (rows deleted
    from the beginning without a pruning record), ``end`` (rows cut off the end, or added
    after it without going through ``record``)."""

    kind: str
    message: str
    sequence: int | None = None
    event_id: int | None = None


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_sequence: int | None
    last_sequence: int | None
    anchor_hash: str | None
    head_hash: str | None
    broken: ChainBreak | None

    @property
    def ok(self):
        return self.broken is None


def _anchor_break(first, events):
    """Does the oldest remaining row start where it should: at sequence 1 after the genesis
    hash, or where the latest pruning record says the kept rows begin?"""
    pruning = events.filter(action=AUDIT_PRUNED).order_by("-sequence").first()
    if pruning is None:
        if first.sequence == 1 and first.prev_hash == GENESIS_HASH:
            return None
        return ChainBreak(
            "start",
            f"序号 1 至 {first.sequence - 1} 的记录缺失（从开头被删除），且没有相应的清理记录"
            if first.sequence > 1
            else "第一条记录的上一条哈希不是链的起点",
            first.sequence,
            first.pk,
        )
    anchor_sequence = pruning.detail.get("anchor_sequence")
    anchor_hash = pruning.detail.get("anchor_hash")
    if first.sequence == anchor_sequence and first.prev_hash == anchor_hash:
        return None
    return ChainBreak(
        "start",
        f"最早的记录（序号 {first.sequence}）与最近一次清理（序号 {pruning.sequence}）"
        f"留下的锚点（序号 {anchor_sequence}）不符：清理之外还有记录从开头被删除",
        first.sequence,
        first.pk,
    )


def _row_break(row, expected_sequence, expected_prev):
    if row.sequence != expected_sequence:
        first_missing, last_missing = expected_sequence, row.sequence - 1
        span = (
            f"序号 {first_missing} 的记录"
            if first_missing == last_missing
            else f"序号 {first_missing} 至 {last_missing} 的记录"
        )
        return ChainBreak("missing", f"{span}缺失（被删除）", row.sequence, row.pk)
    if not hmac.compare_digest(row.row_hash, compute_row_hash(row)):
        return ChainBreak("modified", "记录内容与其哈希不符（记录被修改）", row.sequence, row.pk)
    if row.actor_id is not None and str(row.actor_id) != row.actor_pk:
        return ChainBreak(
            "modified", "记录的操作人与哈希所记的操作人不符（被修改）", row.sequence, row.pk
        )
    if row.prev_hash != expected_prev:
        return ChainBreak(
            "relinked",
            "记录与上一条记录的哈希链接断开（记录被插入或替换）",
            row.sequence,
            row.pk,
        )
    return None


def _end_break(last_sequence, last_hash, max_sequence, head):
    if head is None:
        return ChainBreak("end", "审计链头缺失（链头记录被删除）", last_sequence)
    if max_sequence is not None and max_sequence > head.last_sequence:
        return ChainBreak(
            "end",
            f"序号 {head.last_sequence + 1} 之后的记录不是由审计程序写入的（被插入）",
            head.last_sequence + 1,
        )
    if last_sequence != head.last_sequence or last_hash != head.last_hash:
        return ChainBreak(
            "end",
            f"链尾记录缺失：链头记录的最后序号为 {head.last_sequence}，"
            f"表中最后一条为 {last_sequence or '无'}（末尾的记录被删除或链头被修改）",
            last_sequence,
        )
    return None


def verify_chain(*, batch_size=2000, progress=None):
    """Walk the chain from the oldest remaining row to the head, ``batch_size`` rows at a
    time; ``progress(n)`` is called after each batch. Returns a ``ChainReport`` naming the
    first break, if any. Rows written while it runs are left for the next run."""
    # Largest sequence first, head second: a row committed in between moves the head past
    # it, so only rows added outside record() are ever beyond the head.
    max_sequence = (
        AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    )
    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    events = AuditEvent.objects.all()
    if head is not None:
        events = events.filter(sequence__lte=head.last_sequence)
    first = events.order_by("sequence").first()

    def report(checked, last_sequence, broken):
        return ChainReport(
            checked=checked,
            first_sequence=first.sequence if first else None,
            last_sequence=last_sequence,
            anchor_hash=first.prev_hash if first else None,
            head_hash=head.last_hash if head else None,
            broken=broken,
        )

    if first is None:
        if max_sequence is None and (head is None or head.last_sequence == 0):
            return report(0, None, None)
        return report(0, None, _end_break(None, None, max_sequence, head))

    broken = _anchor_break(first, events)
    if broken:
        return report(0, None, broken)

    expected_sequence, expected_prev = first.sequence, first.prev_hash
    checked, last_sequence, last_hash = 0, None, None
    cursor = first.sequence - 1
    while True:
        batch = list(events.filter(sequence__gt=cursor).order_by("sequence")[:batch_size])
        if not batch:
            break
        for row in batch:
            broken = _row_break(row, expected_sequence, expected_prev)
            if broken:
                return report(checked, last_sequence, broken)
            checked += 1
            last_sequence, last_hash = row.sequence, row.row_hash
            expected_sequence, expected_prev = row.sequence + 1, row.row_hash
        cursor = last_sequence
        if progress is not None:
            progress(len(batch))
    return report(checked, last_sequence, _end_break(last_sequence, last_hash, max_sequence, head))


def run_verification(*, acting_user, request=None):
    """Verify the chain for ``acting_user`` (the back office's "校验审计链") and audit that
    they did, with the outcome. Returns the ``ChainReport``."""
    report = verify_chain()
    broken = report.broken
    record(
        action=AUDIT_VERIFIED,
        actor=acting_user,
        request=request,
        detail={
            "ok": report.ok,
            "checked": report.checked,
            "broken_kind": broken.kind if broken else "",
            "broken_sequence": broken.sequence if broken else None,
        },
    )
    return report


# --- retention -----------------------------------------------------------------------------


def retention_days():
    return max(MIN_RETENTION_DAYS, int(settings.AUDIT_RETENTION_DAYS))


def prune(*, now=None):
    """Delete the rows older than the retention (``settings.AUDIT_RETENTION_DAYS``, never
    under 180 days) and record the pruning, with the anchor the remaining chain starts from,
    as a new audit row. Only a prefix of the chain is deleted: rows up to the first one
    still within the retention. Returns how many rows were deleted.

    Refuses (``AuditChainBroken``, nothing deleted) when the chain does not verify: pruning
    must not destroy the evidence of tampering."""
    now = now or timezone.now()
    days = retention_days()
    cutoff = now - timedelta(days=days)
    report = verify_chain()
    if not report.ok:
        raise AuditChainBroken(report.broken.message)
    with transaction.atomic():
        head = _locked_head()
        kept = (
            AuditEvent.objects.filter(occurred_at__gte=cutoff)
            .order_by("sequence")
            .values("sequence", "prev_hash")
            .first()
        )
        if kept is None:
            through, anchor_hash = head.last_sequence, head.last_hash
        else:
            through, anchor_hash = kept["sequence"] - 1, kept["prev_hash"]
        deleted, _ = AuditEvent.objects.filter(sequence__lte=through).delete()
        if not deleted:
            return 0
        record(
            action=AUDIT_PRUNED,
            detail={
                "deleted": deleted,
                "deleted_through_sequence": through,
                "anchor_sequence": through + 1,
                "anchor_hash": anchor_hash,
                "cutoff": cutoff.isoformat(),
                "retention_days": days,
            },
        )
    logger.info("已清理 %s 条超过 %s 天的审计记录", deleted, days)
    return deleted
