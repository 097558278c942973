"""Background tasks of 好差评 (``django_tasks``). Thin: they call ``actions``/``figures``."""

from django_tasks import task


@task()
def evaluation_hourly():
    """Hourly: one reminder to rate each completed, unrated case (once); overdue
    rectifications flagged / escalated. Returns a JSON-serializable summary."""
    from . import actions

    return {
        "reminded": actions.send_reminders(),
        "escalated": actions.escalate_overdue(),
    }


@task()
def publish_figures():
    """Daily: recompute the public satisfaction and rectification figures per department."""
    from . import figures

    return {"departments": figures.publish()}


@task()
def recompute_deadlines(start=None, end=None):
    """After ``working_calendar_changed``: move the deadlines of rectifications still owed."""
    from datetime import date

    from . import actions

    return {
        "changed": actions.recompute_deadlines(
            start=date.fromisoformat(start) if start else None,
            end=date.fromisoformat(end) if end else None,
        )
    }
