"""Signal receivers of the hall, connected in ``apps.HallConfig.ready``."""

from django.dispatch import receiver

from yiwang.core.signals import working_calendar_changed


@receiver(working_calendar_changed, dispatch_uid="hall.recompute_clocks")
def recompute_clocks_on_calendar_change(sender, **kwargs):
    """Entering a year's official arrangement moves the due dates of running cases."""
    from . import clocks

    clocks.recompute_running()
