"""Signal receivers of 好差评, connected in ``apps.EvaluationConfig.ready``: they only
enqueue tasks."""

from django.dispatch import receiver

from yiwang.core.signals import working_calendar_changed


@receiver(working_calendar_changed, dispatch_uid="evaluation.recompute_deadlines")
def recompute_deadlines_on_calendar_change(sender, start=None, end=None, **kwargs):
    """A changed calendar moves the deadlines of rectifications still owed."""
    from .tasks import recompute_deadlines

    recompute_deadlines.enqueue(
        start=start.isoformat() if start else None, end=end.isoformat() if end else None
    )
