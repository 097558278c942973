"""Background tasks of 政民互动 (``django_tasks``). Thin: they call ``actions``."""

from django_tasks import task

from yiwang.core import workdays

from . import actions


@task()
def interaction_sweep():
    """Every 5 minutes (core/schedule.py): warnings, overdue flags, reminders, escalations,
    follow-ups and closing of unrated replies. Returns the counts."""
    workdays.ensure_current()
    return actions.sweep()


@task()
def recompute_deadlines():
    """After ``working_calendar_changed``: the due dates of every open message again."""
    workdays.ensure_current()
    return {"changed": actions.recompute_open_deadlines()}
