"""Background tasks of the hall (``django_tasks``; run by ``manage.py db_worker``, at once
in tests). Thin: they call ``clocks`` and return something JSON-serializable."""

from datetime import date

from django_tasks import task

from yiwang.core import workdays


@task()
def recompute_clocks(start=None, end=None):
    """After a change of the working-day calendar (``working_calendar_changed``): rebuild
    this process's working-day table from the database, then recompute the due dates of the
    running clocks whose span touches ``start``–``end`` (ISO dates, inclusive; all running
    clocks when not given). Returns how many due dates changed."""
    from . import clocks

    workdays.ensure_current()
    return clocks.recompute_running(
        start=date.fromisoformat(start) if start else None,
        end=date.fromisoformat(end) if end else None,
    )
