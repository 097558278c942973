"""Statuses and defaults of appointments (预约), one comment per status."""

from django.db import models


class BookingStatus(models.TextChoices):
    # Booked online, not yet at the centre.
    BOOKED = "booked", "已预约"
    # Cancelled by the citizen, or replaced by a change of time.
    CANCELLED = "cancelled", "已取消"
    # The citizen came and got a queue number.
    CHECKED_IN = "checked_in", "已签到"
    # Nobody came by the end of the slot and the grace period (爽约).
    NO_SHOW = "no_show", "爽约"


# Bookings that hold a place (and block a second booking of the same person and time).
ACTIVE_BOOKING_STATUSES = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN)


class TicketStatus(models.TextChoices):
    # Waiting in the hall.
    WAITING = "waiting", "等候中"
    # Called to a window (shown on the hall screen).
    CALLED = "called", "已叫号"
    # Served, or passed over by the window (过号).
    DONE = "done", "已办结"
    SKIPPED = "skipped", "已过号"


class TicketSource(models.TextChoices):
    BOOKING = "booking", "预约签到"
    WALK_IN = "walk_in", "现场取号"


WEEKDAYS = [
    (0, "星期一"),
    (1, "星期二"),
    (2, "星期三"),
    (3, "星期四"),
    (4, "星期五"),
    (5, "星期六"),
    (6, "星期日"),
]
WEEKDAY_NAMES = dict(WEEKDAYS)
# An adjusted working weekend day (调休上班) keeps the hours of this weekday unless the centre
# has sessions for its own weekday.
ADJUSTED_DAY_WEEKDAY = 0

# Defaults of a centre's booking policy (BookingPolicy), used when a centre has none.
DEFAULT_HORIZON_DAYS = 14
DEFAULT_CUTOFF_MINUTES = 60
DEFAULT_GRACE_MINUTES = 15
DEFAULT_NO_SHOW_LIMIT = 3
DEFAULT_NO_SHOW_WINDOW_DAYS = 90
DEFAULT_SUSPENSION_DAYS = 30
DEFAULT_TICKET_PREFIX = "A"
# Reminders for tomorrow's bookings go out from this hour (local time) today.
REMINDER_FROM_HOUR = 9

# The back office's groups of appointments (data migration 0002).
ADMINISTRATOR_GROUP = "预约管理员"
# Counter staff: the back office only; their centre is the windows they sit at.
COUNTER_GROUP = "预约窗口人员"
