"""Background tasks of the statistics (``django_tasks``). Thin: they call ``rollups``."""

from datetime import date

from django_tasks import task


@task()
def refresh_rollups():
    """The recurring job (``core/schedule.py``): recompute the summary rows touched by the
    cases changed since the last run. Returns a JSON-serializable summary."""
    from . import rollups

    return rollups.refresh()


@task()
def rollups_after_calendar_change(start=None):
    """After ``working_calendar_changed``: rebuild the working-day index and the months from
    ``start`` (an ISO date; None: everything). Returns the number of cells rewritten."""
    from yiwang.core import workdays

    from . import rollups

    workdays.ensure_current()
    return rollups.calendar_changed(start=date.fromisoformat(start) if start else None)
