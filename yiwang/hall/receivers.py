"""Signal receivers of the hall, connected in ``apps.HallConfig.ready``. Receivers only
schedule work: the work is a task."""

from django.dispatch import receiver

from yiwang.core.signals import working_calendar_changed


def _iso(value):
    return value.isoformat() if value is not None else None


@receiver(working_calendar_changed, dispatch_uid="hall.recompute_clocks")
def recompute_clocks_on_calendar_change(sender, start=None, end=None, **kwargs):
    """Entering a year's official arrangement moves the due dates of running cases: enqueue
    ``tasks.recompute_clocks`` for the changed range."""
    from .tasks import recompute_clocks

    recompute_clocks.enqueue(start=_iso(start), end=_iso(end))
