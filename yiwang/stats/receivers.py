"""Signal receivers of the statistics, connected in ``apps.StatsConfig.ready``. Receivers
only schedule work: the work is a task."""

from django.dispatch import receiver

from yiwang.core.signals import working_calendar_changed


@receiver(working_calendar_changed, dispatch_uid="stats.rollups_after_calendar_change")
def rollups_on_calendar_change(sender, start=None, end=None, **kwargs):
    """Working days taken by cases that span a changed day are stale: enqueue the rebuild
    of the months from ``start`` on."""
    from .tasks import rollups_after_calendar_change

    rollups_after_calendar_change.enqueue(start=start.isoformat() if start else None)
