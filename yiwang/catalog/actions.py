"""Writes of the service catalog that are not the admin's own guide editing.

Guide content changes through Wagtail revisions (draft, then publish); publishing bumps
``Implementation.version`` and is audited by ``on_published`` (connected in ``apps.py``).
The lifecycle — suspend, cancel, resume — goes through the functions here.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from yiwang.core.audit import record

from . import events
from .constants import ImplementationStatus
from .models import Implementation


def on_published(sender, instance, revision=None, user=None, **kwargs):
    """Wagtail's ``published`` signal for an implementation: one more version, audited."""
    Implementation.objects.filter(pk=instance.pk).update(version=F("version") + 1)
    instance.refresh_from_db(fields=["version"])
    record(
        action=events.IMPLEMENTATION_PUBLISHED,
        actor=user or getattr(revision, "user", None),
        obj=instance,
        detail={
            "code": instance.code,
            "version": instance.version,
            "revision": revision.pk if revision is not None else None,
        },
    )


def _withdraw(*, implementation, status, action, actor, effective_at, reason, replacement, request):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写原因。"})
    if replacement is not None:
        if replacement.pk == implementation.pk:
            raise ValidationError({"replacement": "替代事项不能是事项本身。"})
        if not replacement.is_visible():
            raise ValidationError({"replacement": "替代事项必须是已发布且在用的事项。"})
    effective_at = effective_at or timezone.now()
    with transaction.atomic():
        locked = Implementation.objects.select_for_update().get(pk=implementation.pk)
        if locked.status == ImplementationStatus.CANCELLED:
            raise ValidationError("事项已取消，不能再变更状态。")
        if not locked.live:
            raise ValidationError("事项尚未发布，直接删除草稿即可。")
        Implementation.objects.filter(pk=locked.pk).update(
            status=status,
            status_effective_at=effective_at,
            status_reason=reason,
            replaced_by=replacement,
        )
        locked.refresh_from_db()
        record(
            action=action,
            actor=actor,
            obj=locked,
            request=request,
            detail={
                "code": locked.code,
                "effective_at": effective_at.isoformat(),
                "reason": reason,
                "replacement": replacement.code if replacement is not None else None,
            },
        )
    return locked


def suspend_implementation(
    *, implementation, actor, reason, effective_at=None, replacement=None, request=None
):
    """Suspend (暂停) from ``effective_at`` (now): the item leaves every portal, list and
    search from that moment, and its URL explains why. ``resume_implementation`` undoes it."""
    return _withdraw(
        implementation=implementation,
        status=ImplementationStatus.SUSPENDED,
        action=events.IMPLEMENTATION_SUSPENDED,
        actor=actor,
        effective_at=effective_at,
        reason=reason,
        replacement=replacement,
        request=request,
    )


def cancel_implementation(
    *, implementation, actor, reason, effective_at=None, replacement=None, request=None
):
    """Cancel (取消) from ``effective_at`` (now), for good."""
    return _withdraw(
        implementation=implementation,
        status=ImplementationStatus.CANCELLED,
        action=events.IMPLEMENTATION_CANCELLED,
        actor=actor,
        effective_at=effective_at,
        reason=reason,
        replacement=replacement,
        request=request,
    )


def resume_implementation(*, implementation, actor, reason="", request=None):
    """Put a suspended implementation back in force."""
    with transaction.atomic():
        locked = Implementation.objects.select_for_update().get(pk=implementation.pk)
        if locked.status != ImplementationStatus.SUSPENDED:
            raise ValidationError("只有暂停的事项可以恢复。")
        Implementation.objects.filter(pk=locked.pk).update(
            status=ImplementationStatus.IN_FORCE,
            status_effective_at=None,
            status_reason="",
            replaced_by=None,
        )
        locked.refresh_from_db()
        record(
            action=events.IMPLEMENTATION_RESUMED,
            actor=actor,
            obj=locked,
            request=request,
            detail={"code": locked.code, "reason": (reason or "").strip()},
        )
    return locked
