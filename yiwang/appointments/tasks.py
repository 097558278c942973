"""Background tasks of appointments (``django_tasks``). Thin: they call ``actions``."""

from django_tasks import task

from . import actions


@task()
def appointments_sweep():
    """Every 15 minutes: reminders for tomorrow's bookings (once each), no-shows recorded
    for slots that have ended without a check-in (and their penalties). Returns a
    JSON-serializable summary."""
    return actions.sweep()
