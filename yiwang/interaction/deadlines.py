"""The answer deadline (答复时限) of a message, in working days or working hours.

- **Working days:** the start day is not counted (docs/working-days.md); ``n`` working days
  end at midnight at the end of the ``n``-th working day after the start day (0: the end of
  the start day). Warned from the start of the last day.
- **Working hours:** counted inside ``OFFICE_HOURS`` of working days only (09:00–12:00 and
  13:30–17:30, Asia/Shanghai); a message of 16:30 with 4 working hours is due at 11:00 of
  the next working day. Warned when a quarter of the time (at least one hour) is left.

The official calendar (``core.workdays``) decides what a working day is, adjusted working
weekends included. ``provisional`` is true when a counted day lies in a year whose official
arrangement is not entered yet (show 暂定).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from yiwang.core import workdays

from .constants import OFFICE_HOURS, Unit

TZ = ZoneInfo("Asia/Shanghai")
_SPANS = tuple((time(h1, m1), time(h2, m2)) for h1, m1, h2, m2 in OFFICE_HOURS)


@dataclass(frozen=True)
class Due:
    due_at: datetime
    warn_at: datetime
    provisional: bool


def local(moment):
    return moment.astimezone(TZ)


def _end_of(day):
    return datetime.combine(day + timedelta(days=1), time(0), TZ)


def _days(start, amount):
    day = local(start).date()
    deadline = workdays.add_working_days(day, amount)
    due_day = deadline.date
    return Due(
        due_at=_end_of(due_day),
        warn_at=datetime.combine(due_day, time(0), TZ) if amount else local(start),
        provisional=deadline.provisional,
    )


def _add_hours(start, minutes):
    """The moment ``minutes`` office minutes after ``start``, and whether a provisional
    day was counted."""
    moment = local(start)
    provisional = False
    remaining = minutes
    day = moment.date()
    for _ in range(400):
        info = workdays.is_working_day(day)
        provisional = provisional or info.provisional
        if info:
            for begin, end in _SPANS:
                span_start = datetime.combine(day, begin, TZ)
                span_end = datetime.combine(day, end, TZ)
                if moment >= span_end:
                    continue
                cursor = max(moment, span_start)
                available = (span_end - cursor).total_seconds() / 60
                if remaining <= available:
                    return cursor + timedelta(minutes=remaining), provisional
                remaining -= available
                moment = span_end
        day += timedelta(days=1)
        moment = datetime.combine(day, time(0), TZ)
    raise workdays.OutsideCalendar(day)


def _hours(start, amount):
    total = amount * 60
    due_at, provisional = _add_hours(start, total)
    if total == 0:
        return Due(due_at=local(start), warn_at=local(start), provisional=provisional)
    warn_at, _ = _add_hours(start, max(0, total - max(60, total // 4)))
    return Due(due_at=due_at, warn_at=warn_at, provisional=provisional)


def compute(start, amount, unit):
    """The ``Due`` of a clock started at ``start`` (an aware datetime) running ``amount``
    units. Raises ``workdays.OutsideCalendar`` beyond the calendar."""
    if unit == Unit.WORKING_HOURS:
        return _hours(start, amount)
    return _days(start, amount)


def describe(amount, unit):
    return f"{amount}个{Unit(unit).label}" if unit == Unit.WORKING_HOURS else f"{amount}个工作日"
