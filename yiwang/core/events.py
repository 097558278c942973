"""The names of the core app's audit actions (``AuditEvent.action``). The audit log's own
actions (pruning, verification) are named in ``yiwang.core.audit``."""

# An administrator entered (or corrected) a year's official holiday arrangement.
WORKING_CALENDAR_ENTERED = "core.working_calendar_entered"
