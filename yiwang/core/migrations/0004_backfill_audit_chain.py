"""Chain the audit rows written before the chain existed, in id order, from the genesis hash.

The hash is computed by a frozen copy of yiwang.core.audit's format 1 (a migration must not
change meaning when the code does); yiwang/core/tests/test_audit_chain.py checks that the
rows it chains verify with the current code."""

import hashlib
import hmac
import ipaddress
import json
from datetime import UTC

from django.conf import settings
from django.db import migrations

GENESIS_HASH = "0" * 64
BATCH = 2000


def _number(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _number(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_number(item) for item in value]
    return value


def _address(value):
    if not value:
        return ""
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return str(value)


def row_hash(row):
    content = {
        "v": 1,
        "sequence": row.sequence,
        "occurred_at": row.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": row.actor_pk,
        "on_behalf_of": row.on_behalf_of,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "object_repr": row.object_repr,
        "detail": _number(row.detail),
        "client_address": _address(row.client_address),
        "prev_hash": row.prev_hash,
    }
    message = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode()
    return hmac.new(settings.AUDIT_CHAIN_KEY.encode(), message, hashlib.sha256).hexdigest()


def backfill(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    sequence, prev_hash, last_id = 0, GENESIS_HASH, 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            break
        for row in batch:
            sequence += 1
            row.sequence = sequence
            row.actor_pk = str(row.actor_id) if row.actor_id is not None else ""
            row.prev_hash = prev_hash
            row.row_hash = row_hash(row)
            prev_hash = row.row_hash
        AuditEvent.objects.bulk_update(batch, ["sequence", "actor_pk", "prev_hash", "row_hash"])
        last_id = batch[-1].id
    AuditChainHead.objects.update_or_create(
        pk=1, defaults={"last_sequence": sequence, "last_hash": prev_hash}
    )


def forget(apps, schema_editor):
    apps.get_model("core", "AuditChainHead").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_audit_chain_fields"),
    ]

    operations = [migrations.RunPython(backfill, forget)]
