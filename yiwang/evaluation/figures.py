"""The public figures (``PublishedFigure``), recomputed daily by ``tasks.publish_figures``.

Per department, over the last ``PERIOD_DAYS`` days up to yesterday: counted ratings (both
channels, not excluded by an upheld appeal), their average, the satisfied ones (4–5) and
the satisfaction rate, the bad ones (1–2), those whose rectification is closed and the
rectification rate (closed / bad). The public page reads only this table, so it costs the
same whatever the number of ratings.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from yiwang.orgs.models import Department

from .models import PublishedFigure
from .queries import satisfaction_by_department

PERIOD_DAYS = 365


def period(today=None):
    today = today or timezone.localdate()
    end = today - timedelta(days=1)
    return end - timedelta(days=PERIOD_DAYS - 1), end


def publish(*, today=None):
    """Replace the published figures with today's. Returns how many departments have
    figures."""
    start, end = period(today)
    figures = satisfaction_by_department(start=start, end=end)
    regions = dict(Department.objects.filter(pk__in=list(figures)).values_list("pk", "region_id"))
    now = timezone.now()
    with transaction.atomic():
        PublishedFigure.objects.exclude(department_id__in=list(figures)).delete()
        existing = {f.department_id: f for f in PublishedFigure.objects.all()}
        new, changed = [], []
        for department_id, row in figures.items():
            satisfied = round((row["satisfied_rate"] or 0) * row["ratings"])
            values = {
                "region_id": regions[department_id],
                "period_start": start,
                "period_end": end,
                "ratings": row["ratings"],
                "average": row["average"],
                "satisfied": satisfied,
                "satisfied_rate": row["satisfied_rate"],
                "bad": row["bad"],
                "rectified": row["rectified"],
                "rectification_rate": row["rectified"] / row["bad"] if row["bad"] else None,
                "computed_at": now,
            }
            figure = existing.get(department_id)
            if figure is None:
                new.append(PublishedFigure(department_id=department_id, **values))
            else:
                for name, value in values.items():
                    setattr(figure, name, value)
                changed.append(figure)
        PublishedFigure.objects.bulk_create(new)
        if changed:
            PublishedFigure.objects.bulk_update(changed, list(values))
    return len(figures)
