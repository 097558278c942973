"""Writes of the portal that are not Wagtail's own page editing."""

from django.core.cache import cache
from django.db.models import F
from wagtail.models import Page

from .models import PageReadCount

# One reader counts once per page in this window, so reloading does not inflate counts.
READ_DEDUP_SECONDS = 600


def count_read(*, page_id, request):
    """Count one read of a live page and return the new count (None if no such page)."""
    if not Page.objects.live().filter(pk=page_id).exists():
        return None
    reader = request.META.get("REMOTE_ADDR", "") + request.META.get("HTTP_USER_AGENT", "")[:80]
    key = f"portal:read:{page_id}:{hash(reader)}"
    if cache.add(key, 1, READ_DEDUP_SECONDS):
        updated = PageReadCount.objects.filter(page_id=page_id).update(count=F("count") + 1)
        if not updated:
            PageReadCount.objects.get_or_create(page_id=page_id, defaults={"count": 1})
    return read_count_of(page_id=page_id)


def read_count_of(*, page_id):
    if not Page.objects.live().filter(pk=page_id).exists():
        return None
    row = PageReadCount.objects.filter(page_id=page_id).values_list("count", flat=True).first()
    return row or 0
