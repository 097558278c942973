"""Working-day arithmetic on the platform's calendar (docs/working-days.md).

The calendar is data: the official arrangements entered from the State Council's yearly
notices (``CalendarYear`` and its ``CalendarDay`` rows), and, for every other year, a
provisional arrangement computed here from the national holiday regulations
(全国年节及纪念日放假办法, as revised in 2024) with weekends off.

Every answer comes from a table built once per process over the covered range (the first
official year to ten years past the later of the last official year and this year): for
each date, whether it is a working day and how many working days there are from the start
of the range up to it. Each call is then a lookup (O(1)) or a binary search (O(log n)),
never a loop over days. The table carries the ``WorkingCalendarState.version`` it was built
from; a process compares it with the database at most every ``RECHECK_SECONDS`` (and at
once in ``ensure_current()``), so an edit made by one process reaches all of them.

The rule of counting (行政许可法 and the licensing practice): the day a clock starts is not
counted; the deadline of ``n`` working days is the ``n``-th working day after it. So
``add_working_days(start, n)`` is the ``n``-th working day after ``start`` and
``working_days_between(a, b)`` counts the working days in ``(a, b]``: after ``a``, up to
and including ``b``. They agree: ``working_days_between(a, add_working_days(a, n).date)``
is ``n``.

Each answer says whether it rests on a provisional year: a counted day (or the day asked
about) lies in a year whose arrangement has not been entered.
"""

import bisect
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from .constants import CalendarDayKind

# How often (seconds) a process asks the database whether the calendar changed.
RECHECK_SECONDS = 1.0
# Provisional years covered past the later of the last official year and this year.
YEARS_AHEAD = 10

NEW_YEAR = "元旦"
SPRING_FESTIVAL = "春节"
QINGMING = "清明节"
LABOUR_DAY = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL_DAY = "国庆节"


class OutsideCalendar(ValueError):
    """The date (or the deadline reached) lies outside the range the calendar covers."""


# --- the provisional arrangement -------------------------------------------------------------


def lunar_to_solar(year, month, day):
    """The Gregorian date of ``month``/``day`` of the lunar year that begins in ``year``."""
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def qingming(year):
    """The date of the Qingming solar term (清明) in ``year``."""
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def statutory_holidays(year):
    """The holidays of the national regulations (as revised in 2024) in ``year``, as
    ``{date: name}``: New Year's Day 1 day; Spring Festival 4 days from the lunar New Year's
    Eve; Qingming 1 (the solar term's date); Labour Day 1–2 May; Dragon Boat 1 (lunar 5/5);
    Mid-Autumn 1 (lunar 8/15); National Day 1–3 October. Holidays that fall on the same day
    (Mid-Autumn on 1 October, say) share it; no day is made up for them, and none for a
    holiday on a weekend: a provisional year has no adjusted working days."""
    days = {}

    def add(day, name):
        days[day] = f"{days[day]}、{name}" if day in days else name

    add(date(year, 1, 1), NEW_YEAR)
    eve = lunar_to_solar(year, 1, 1) - timedelta(days=1)
    for offset in range(4):
        add(eve + timedelta(days=offset), SPRING_FESTIVAL)
    add(qingming(year), QINGMING)
    add(date(year, 5, 1), LABOUR_DAY)
    add(date(year, 5, 2), LABOUR_DAY)
    add(lunar_to_solar(year, 5, 5), DRAGON_BOAT)
    add(lunar_to_solar(year, 8, 15), MID_AUTUMN)
    for day in (1, 2, 3):
        add(date(year, 10, day), NATIONAL_DAY)
    # The lunar New Year's Eve of a year can fall in the year before (never so far, but the
    # table must not hold days of another year's arrangement).
    return {day: name for day, name in days.items() if day.year == year}


# --- answers -------------------------------------------------------------------------------


# What a day is, as ``DayInfo.kind``.
WORKDAY = "workday"
WEEKEND = "weekend"
HOLIDAY = CalendarDayKind.HOLIDAY.value
ADJUSTED_WORKING_DAY = CalendarDayKind.WORKING.value


@dataclass(frozen=True)
class DayInfo:
    """Whether ``date`` is a working day. True in a boolean context when it is.
    ``kind``: ``workday``, ``weekend``, ``holiday`` or ``working`` (调休上班); ``name``: the
    holiday's name for a holiday or an adjusted working day."""

    date: date
    is_working: bool
    kind: str
    name: str
    provisional: bool

    def __bool__(self):
        return self.is_working


@dataclass(frozen=True)
class Deadline:
    """The date reached by ``add_working_days``; ``provisional`` when a counted day lies in a
    provisional year."""

    date: date
    provisional: bool


@dataclass(frozen=True)
class WorkingDayCount:
    """The working days in ``(start, end]`` (negative when ``end`` is before ``start``);
    ``provisional`` when a day of that span lies in a provisional year."""

    days: int
    provisional: bool


# --- the table -----------------------------------------------------------------------------


class Table:
    """The calendar over ``first``..``last``: per day index ``i`` (days since ``first``),
    ``working[i]`` (1 or 0), ``cumulative[i]`` (working days in ``first``..that day),
    ``provisional_cumulative[i]`` (days of provisional years in ``first``..that day), and
    the named days."""

    def __init__(self, *, version, first, last, named, official_years):
        self.version = version
        self.first = first
        self.last = last
        self.named = named
        self.official_years = frozenset(official_years)
        size = (last - first).days + 1
        working = bytearray(size)
        cumulative = [0] * size
        provisional_cumulative = [0] * size
        count = provisional_count = 0
        # Weekday of the first day; stepping it avoids a date object per day.
        weekday = first.weekday()
        year, year_end = first.year, date(first.year, 12, 31)
        year_provisional = year not in self.official_years
        for i in range(size):
            day = first + timedelta(days=i) if i else first
            if day > year_end:
                year, year_end = day.year, date(day.year, 12, 31)
                year_provisional = year not in self.official_years
            entry = named.get(day)
            if entry is not None:
                is_working = entry[0] == ADJUSTED_WORKING_DAY
            else:
                is_working = weekday < 5
            if is_working:
                working[i] = 1
                count += 1
            if year_provisional:
                provisional_count += 1
            cumulative[i] = count
            provisional_cumulative[i] = provisional_count
            weekday = (weekday + 1) % 7
        self.working = working
        self.cumulative = cumulative
        self.provisional_cumulative = provisional_cumulative

    def index(self, day):
        i = (day - self.first).days
        if i < 0 or day > self.last:
            covered = f"{self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d}"
            raise OutsideCalendar(f"{day:%Y-%m-%d} 不在工作日历范围内（{covered}）")
        return i

    def date_at(self, i):
        if i < 0 or i >= len(self.cumulative):
            raise OutsideCalendar("期限超出工作日历范围")
        return self.first + timedelta(days=i)

    def provisional_between(self, i, j):
        """Whether a day with index in ``(i, j]`` (or ``(j, i]``) is provisional."""
        low, high = min(i, j), max(i, j)
        return self.provisional_cumulative[high] - self.provisional_cumulative[low] > 0

    def day_provisional(self, i):
        before = self.provisional_cumulative[i - 1] if i else 0
        return self.provisional_cumulative[i] > before

    def day_info(self, day):
        i = self.index(day)
        entry = self.named.get(day)
        if entry is not None:
            kind, name = entry
        else:
            kind, name = (WORKDAY if day.weekday() < 5 else WEEKEND), ""
        return DayInfo(day, bool(self.working[i]), kind, name, self.day_provisional(i))

    def add(self, start, n):
        i = self.index(start)
        cumulative = self.cumulative
        if n == 0:
            return Deadline(start, self.day_provisional(i))
        if n > 0:
            # The first day whose running count reaches cumulative[i] + n is the n-th
            # working day after start (it is a working day: the count rises on it).
            j = bisect.bisect_left(cumulative, cumulative[i] + n, lo=i + 1)
        else:
            # Working days strictly before start: cumulative[i] - working[i]; the |n|-th of
            # them counting back is the first day whose count reaches that total + n + 1.
            target = cumulative[i] - self.working[i] + n + 1
            if target < 1:
                raise OutsideCalendar("期限超出工作日历范围")
            j = bisect.bisect_left(cumulative, target, hi=i)
        if j >= len(cumulative):
            raise OutsideCalendar("期限超出工作日历范围")
        return Deadline(self.date_at(j), self.provisional_between(i, j))

    def between(self, a, b):
        i, j = self.index(a), self.index(b)
        return WorkingDayCount(
            self.cumulative[j] - self.cumulative[i], self.provisional_between(i, j)
        )


def _database_version():
    from .models import WorkingCalendarState

    return WorkingCalendarState.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def build_table(version=None):
    """A fresh table from the database (``version`` read first, so a change committed while
    building makes the next check rebuild)."""
    from .models import CalendarDay, CalendarYear

    if version is None:
        version = _database_version()
    official_years = set(CalendarYear.objects.values_list("year", flat=True))
    named = {
        day: (kind, name)
        for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name")
    }
    this_year = timezone.localdate().year
    first_year = min(official_years, default=this_year)
    last_year = max(max(official_years, default=this_year), this_year) + YEARS_AHEAD
    for year in range(first_year, last_year + 1):
        if year in official_years:
            continue
        for day, name in statutory_holidays(year).items():
            # A date set by an entered notice (the next year's New Year days, say) wins.
            named.setdefault(day, (HOLIDAY, name))
    return Table(
        version=version,
        first=date(first_year, 1, 1),
        last=date(last_year, 12, 31),
        named=named,
        official_years=official_years,
    )


_lock = threading.Lock()
_table = None
_checked_at = 0.0


def get_table(*, recheck=False):
    """This process's table, rebuilt when the database's calendar version differs from the
    one it was built from. The version is read at most every ``RECHECK_SECONDS``, or now
    with ``recheck=True``."""
    global _table, _checked_at
    table = _table
    now = time.monotonic()
    if table is not None and not recheck and now - _checked_at < RECHECK_SECONDS:
        return table
    version = _database_version()
    if table is None or table.version != version:
        with _lock:
            table = _table
            if table is None or table.version != version:
                table = build_table(version)
                _table = table
    _checked_at = now
    return table


def ensure_current():
    """The table as of the database now. Whoever recomputes deadlines after
    ``working_calendar_changed`` calls this first (another process sent the signal)."""
    return get_table(recheck=True)


def invalidate():
    """Forget this process's table (after this process changed the calendar)."""
    global _table
    _table = None


def is_working_day(day):
    """``DayInfo`` of ``day`` (true when it is a working day). Raises ``OutsideCalendar``."""
    return get_table().day_info(day)


def is_provisional(day):
    """Whether ``day`` lies in a year whose official arrangement has not been entered."""
    table = get_table()
    return table.day_provisional(table.index(day))


def add_working_days(start, n):
    """The ``n``-th working day after ``start`` (``start`` itself not counted, whatever it
    is), as a ``Deadline``. ``n`` = 0 gives ``start``; a negative ``n`` counts back (the
    ``|n|``-th working day before ``start``, for warnings ahead of a deadline). Raises
    ``OutsideCalendar`` when ``start`` or the result is outside the covered range."""
    return get_table().add(start, n)


def working_days_between(start, end):
    """The working days after ``start`` up to and including ``end``, as a
    ``WorkingDayCount`` (negative when ``end`` is before ``start``: minus the working days
    in ``(end, start]``). Raises ``OutsideCalendar``."""
    return get_table().between(start, end)
