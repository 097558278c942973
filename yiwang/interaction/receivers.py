"""Signal receivers of 政民互动, connected in ``apps.InteractionConfig.ready``. Receivers
only schedule work: the work is a task."""

from django.dispatch import receiver

from yiwang.core.signals import working_calendar_changed


@receiver(working_calendar_changed, dispatch_uid="interaction.recompute_deadlines")
def recompute_deadlines_on_calendar_change(sender, **kwargs):
    from .tasks import recompute_deadlines

    recompute_deadlines.enqueue()
