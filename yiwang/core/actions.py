"""Writes of the core app besides the audit log itself: the working-day calendar."""

from collections.abc import Mapping
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import workdays
from .audit import record
from .constants import CalendarDayKind, CalendarSource
from .events import WORKING_CALENDAR_ENTERED
from .models import CalendarDay, CalendarYear, WorkingCalendarState
from .signals import working_calendar_changed

# Who may enter a year's arrangement (superusers have every permission).
CALENDAR_PERMISSION = "core.change_calendaryear"
# How far outside its year a notice's days may lie (the 2019 notice set 2018-12-29).
NOTICE_MARGIN = timedelta(days=45)


def can_edit_calendar(user):
    return bool(user and user.is_authenticated and user.has_perm(CALENDAR_PERMISSION))


def _named_days(value, default_name=""):
    """``{date: name}`` from a mapping of dates to names, or from dates and ``(date, name)``
    pairs."""
    if isinstance(value, Mapping):
        return {day: (name or default_name) for day, name in value.items()}
    days = {}
    for item in value:
        if isinstance(item, date):
            days[item] = default_name
        else:
            day, name = item
            days[day] = name or default_name
    return days


def _validate(year, holidays, working_days):
    errors = []
    if not 2000 <= year <= 2100:
        errors.append(f"年份 {year} 不在 2000 至 2100 之间")
    if not holidays:
        errors.append("至少要有一个放假日")
    first, last = date(year, 1, 1) - NOTICE_MARGIN, date(year, 12, 31) + NOTICE_MARGIN
    for day in sorted({*holidays, *working_days}):
        if not first <= day <= last:
            errors.append(f"{day:%Y-%m-%d} 不属于 {year} 年的安排")
    for day in sorted(set(holidays) & set(working_days)):
        errors.append(f"{day:%Y-%m-%d} 不能既放假又上班")
    for day in sorted(working_days):
        # 调休上班 moves weekend days: a weekday is a working day anyway.
        if day.weekday() < 5:
            errors.append(
                f"{day:%Y-%m-%d} 是工作日（星期{'一二三四五'[day.weekday()]}），不是调休上班日"
            )
    if errors:
        raise ValidationError(errors)


def enter_official_arrangement(
    *, year, holidays, working_days, notice_url, notice_title, actor, request=None
):
    """Make ``year`` official with the State Council notice's days, replacing what the
    calendar had for it (the provisional arrangement, or an earlier entry, which this
    corrects). ``holidays``: the days off, as ``{date: name}`` or dates / ``(date, name)``
    pairs; ``working_days``: the adjusted working days (调休上班), likewise.

    One transaction: the ``CalendarYear`` row, its ``CalendarDay`` rows (a date another
    year's arrangement held moves to this one), the calendar version and an audit row. After
    commit every process's working-day table is stale and ``working_calendar_changed`` is
    sent with the affected range. Returns the ``CalendarYear``.

    Raises ``PermissionDenied`` when ``actor`` lacks ``core.change_calendaryear``, and
    ``ValidationError`` for days outside the year (give or take 45 days), a day both off and
    worked, an adjusted working day on a weekday, or no holiday at all."""
    if actor is not None and not can_edit_calendar(actor):
        raise PermissionDenied("没有修改工作日历的权限")
    holidays = _named_days(holidays)
    working_days = _named_days(working_days)
    _validate(year, holidays, working_days)

    with transaction.atomic():
        # Serializes calendar edits (on SQLite every transaction is IMMEDIATE anyway).
        state, _ = WorkingCalendarState.objects.select_for_update().get_or_create(pk=1)
        arrangement = CalendarYear.objects.filter(year=year).first()
        previous = {}
        if arrangement is not None:
            previous = {
                day.date: (day.kind, day.name)
                for day in CalendarDay.objects.filter(arrangement=arrangement)
            }
            arrangement.days.all().delete()
            arrangement.notice_title = notice_title
            arrangement.notice_url = notice_url
            arrangement.source = CalendarSource.NOTICE
            arrangement.entered_at = timezone.now()
            arrangement.entered_by = actor
            arrangement.save(
                update_fields=["notice_title", "notice_url", "source", "entered_at", "entered_by"]
            )
        else:
            arrangement = CalendarYear.objects.create(
                year=year,
                notice_title=notice_title,
                notice_url=notice_url,
                source=CalendarSource.NOTICE,
                entered_by=actor,
            )
        new_dates = {*holidays, *working_days}
        taken = list(
            CalendarDay.objects.filter(date__in=new_dates).values_list("date", "arrangement__year")
        )
        CalendarDay.objects.filter(date__in=new_dates).delete()
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(
                    arrangement=arrangement, date=day, kind=CalendarDayKind.HOLIDAY, name=name
                )
                for day, name in sorted(holidays.items())
            ]
            + [
                CalendarDay(
                    arrangement=arrangement, date=day, kind=CalendarDayKind.WORKING, name=name
                )
                for day, name in sorted(working_days.items())
            ]
        )
        WorkingCalendarState.objects.filter(pk=state.pk).update(
            version=F("version") + 1, changed_at=timezone.now()
        )
        version = state.version + 1
        touched = {*previous, *new_dates}
        start = min(date(year, 1, 1), *touched)
        end = max(date(year, 12, 31), *touched)
        record(
            action=WORKING_CALENDAR_ENTERED,
            actor=actor,
            obj=arrangement,
            request=request,
            detail={
                "year": year,
                "notice_title": notice_title,
                "notice_url": notice_url,
                "holidays": {day.isoformat(): name for day, name in sorted(holidays.items())},
                "working_days": {
                    day.isoformat(): name for day, name in sorted(working_days.items())
                },
                "replaced_days": len(previous),
                "moved_from_other_years": [
                    [day.isoformat(), other] for day, other in sorted(taken) if other != year
                ],
                "version": version,
            },
        )
        # This process's table now (a rollback makes the versions differ and it rebuilds);
        # other processes notice the new version within workdays.RECHECK_SECONDS.
        workdays.invalidate()

        def after_commit():
            workdays.invalidate()
            working_calendar_changed.send(
                sender=CalendarYear, start=start, end=end, version=version
            )

        transaction.on_commit(after_commit)
    return arrangement
