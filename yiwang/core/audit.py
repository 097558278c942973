"""Writing audit rows. Call inside the action's transaction, so the row and the write stand
or fall together."""

from .models import AuditEvent


def client_address(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(*, action, actor=None, obj=None, detail=None, request=None, on_behalf_of=""):
    """Record that ``actor`` did ``action`` to ``obj``. Never stores secrets: callers pass
    masked values in ``detail``."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        on_behalf_of=on_behalf_of,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        detail=detail or {},
        client_address=client_address(request),
    )
