"""Signals the core app sends. Receivers keep to scheduling work (enqueueing a task with
ids); the work itself lives in the receiving app's actions."""

from django.dispatch import Signal

# The working-day calendar changed (``yiwang.core.actions.enter_official_arrangement``).
# Sent after commit with ``start`` and ``end`` (dates, inclusive: the days whose working-day
# status may have changed) and ``version`` (the calendar's new version). Running deadlines
# that count any day in the range must be recomputed; call
# ``yiwang.core.workdays.ensure_current()`` before recomputing in another process.
working_calendar_changed = Signal()
