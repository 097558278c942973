"""What visitors search (docs/search.md): counts per query, day and portal, for the hot
queries shown to visitors and the list of queries that found nothing, for editors. Only the
normalised words are kept, nothing about who searched."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from . import text
from .models import PromotedResult, QueryStat

HOT_DAYS = 30


def record(q, *, site_id, total, now=None):
    """One search of ``q`` on portal ``site_id`` (0: none) that found ``total`` results."""
    query = text.normalise(q)[:100]
    if not query:
        return
    day = timezone.localdate(now)
    changes = {"searches": F("searches") + 1}
    if not total:
        changes["zero_results"] = F("zero_results") + 1
    rows = QueryStat.objects.filter(query=query, day=day, site_id=site_id or 0)
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            QueryStat.objects.create(
                query=query,
                day=day,
                site_id=site_id or 0,
                searches=1,
                zero_results=0 if total else 1,
            )
    except IntegrityError:  # another request created the row first
        rows.update(**changes)


def _recent(days, now=None):
    since = timezone.localdate(now) - datetime.timedelta(days=days - 1)
    return QueryStat.objects.filter(day__gte=since)


def hot_queries(*, site_id=None, days=HOT_DAYS, limit=10, now=None):
    """The most searched queries of the last ``days`` days that found something:
    ``[(query, searches)]``."""
    rows = _recent(days, now)
    if site_id is not None:
        rows = rows.filter(site_id=site_id)
    rows = (
        rows.values("query")
        .annotate(n=Sum("searches"), zero=Sum("zero_results"))
        .filter(n__gt=F("zero"))
        .order_by("-n", "query")[:limit]
    )
    return [(row["query"], row["n"]) for row in rows]


def zero_result_queries(*, days=HOT_DAYS, limit=100, now=None):
    """Queries of the last ``days`` days that found nothing, most frequent first:
    ``[(query, times without result, last day)]``."""
    from django.db.models import Max

    rows = (
        _recent(days, now)
        .filter(zero_results__gt=0)
        .values("query")
        .annotate(n=Sum("zero_results"), last=Max("day"))
        .order_by("-n", "query")[:limit]
    )
    return [(row["query"], row["n"], row["last"]) for row in rows]


def promoted_for(q, site):
    """The promoted results for ``q`` on ``site`` (those for every site included)."""
    query = text.normalise(q)
    if not query:
        return []
    rows = PromotedResult.objects.filter(active=True)
    rows = (
        rows.filter(site__isnull=True) | rows.filter(site=site)
        if site
        else rows.filter(site__isnull=True)
    )
    return [row for row in rows.order_by("sort_order", "pk") if query in row.query_list]
