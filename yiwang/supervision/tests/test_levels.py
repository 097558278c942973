"""Warning levels and their transitions: yellow on the warn date, red the day after the due
date, cleared on completion and pause, moved by an extension and by holidays (National Day
2026: 1–7 October off, Saturday 10 October worked)."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from yiwang.hall import clocks
from yiwang.hall.constants import ClockKind, PauseReason
from yiwang.hall.models import Clock
from yiwang.supervision import actions, levels
from yiwang.supervision.constants import ClockScope, Level, WarningEventKind
from yiwang.supervision.models import WarningEvent, WarningThreshold, WatchedClock
from yiwang.supervision.sweep import sweep

from .kit import case_clock, make_case, person, step_clock

pytestmark = pytest.mark.django_db

LATER = timedelta(minutes=10)


def level(clock):
    row = WatchedClock.objects.filter(pk=clock.pk).first()
    return None if row is None else row.level


def test_warn_date_arithmetic_across_national_day():
    # 5 working days from Monday 28 September 2026: 29, 30 September, 8, 9, 10 October.
    assert levels.warn_date(
        start=date(2026, 9, 28), allowed=5, paused=0, due=date(2026, 10, 10), percent=80
    ) == date(2026, 10, 9)
    assert levels.level_on(date(2026, 10, 9), warn=date(2026, 10, 9), due=date(2026, 10, 10)) == (
        Level.YELLOW,
        date(2026, 10, 11),
    )
    # A clock due today is not yet overdue.
    assert (
        levels.level_on(date(2026, 10, 10), warn=date(2026, 10, 9), due=date(2026, 10, 10))[0]
        == Level.YELLOW
    )
    assert levels.level_on(date(2026, 10, 11), warn=date(2026, 10, 9), due=date(2026, 10, 10)) == (
        Level.RED,
        None,
    )
    # A one-day limit warns on its due day; a zero-day one is yellow at once.
    assert levels.warn_date(
        start=date(2026, 9, 30), allowed=1, paused=0, due=date(2026, 10, 8), percent=80
    ) == date(2026, 10, 8)


def test_acceptance_step_turns_yellow_then_red_across_national_day(regions):
    case = make_case(regions["county_a"])
    task, clock = step_clock(case, date(2026, 9, 28))
    assert clock.due_date == date(2026, 10, 10)
    now = clock.updated_at + LATER
    sweep(today=date(2026, 9, 30), now=now)
    row = WatchedClock.objects.get(pk=clock.pk)
    assert (row.scope, row.department_id, row.region_id) == (
        ClockScope.STEP,
        task.department_id,
        case.region_id,
    )
    assert (row.warn_date, row.due_date, row.level, row.next_change) == (
        date(2026, 10, 9),
        date(2026, 10, 10),
        Level.NONE,
        date(2026, 10, 9),
    )
    # The whole holiday passes without a warning.
    for day in range(1, 9):
        sweep(today=date(2026, 10, day), now=now)
        assert level(clock) == Level.NONE, day
    sweep(today=date(2026, 10, 9), now=now)
    assert level(clock) == Level.YELLOW
    sweep(today=date(2026, 10, 10), now=now)
    assert level(clock) == Level.YELLOW
    sweep(today=date(2026, 10, 11), now=now)
    assert level(clock) == Level.RED
    history = list(WarningEvent.objects.filter(case=case).values_list("kind", "day"))
    assert history == [
        (WarningEventKind.RAISED_YELLOW, date(2026, 10, 9)),
        (WarningEventKind.RAISED_RED, date(2026, 10, 11)),
    ]
    # The step is done: the warning is cleared, with the reason, and the row goes.
    clocks.on_task_closed(task, date(2026, 10, 12))
    sweep(today=date(2026, 10, 12), now=now + LATER)
    assert level(clock) is None
    last = WarningEvent.objects.filter(case=case).order_by("-pk").first()
    assert (last.kind, last.level_before, last.level_after) == (
        WarningEventKind.CLEARED,
        Level.RED,
        Level.NONE,
    )
    assert "停止" in last.reason


def test_a_pause_clears_and_a_resume_brings_the_warning_back_later(regions):
    case = make_case(regions["county_a"])
    clock = case_clock(case, date(2026, 11, 2), 10)  # due 2026-11-16, warn 11-12
    now = clock.updated_at + LATER
    sweep(today=date(2026, 11, 12), now=now)
    assert level(clock) == Level.YELLOW
    clocks.pause(case, PauseReason.CORRECTION, date(2026, 11, 12))
    sweep(today=date(2026, 11, 13), now=now + LATER)
    assert level(clock) is None
    cleared = WarningEvent.objects.filter(case=case, kind=WarningEventKind.CLEARED).get()
    assert "补正" in cleared.reason
    # Resumed five working days later: the due date moves by them, so does the warn date.
    clocks.resume(case, date(2026, 11, 19))
    clock.refresh_from_db()
    assert clock.due_date == date(2026, 11, 23)
    sweep(today=date(2026, 11, 19), now=now + 2 * LATER)
    row = WatchedClock.objects.get(pk=clock.pk)
    # Paused 12 → 19 November: five working days (13, 16–19) not counted, so the 8th
    # counted working day (80% of 10) moves from 11-12 to 11-19.
    assert (row.paused_days, row.warn_date, row.due_date) == (
        5,
        date(2026, 11, 19),
        date(2026, 11, 23),
    )
    assert row.level == Level.YELLOW
    raised = WarningEvent.objects.filter(case=case, kind=WarningEventKind.RAISED_YELLOW)
    assert raised.count() == 2


def test_an_extension_lowers_a_red_clock(regions):
    case = make_case(regions["county_a"])
    clock = case_clock(case, date(2026, 11, 2), 5, kind=ClockKind.STATUTORY)  # due 11-09
    now = clock.updated_at + LATER
    sweep(today=date(2026, 11, 10), now=now)
    assert level(clock) == Level.RED
    clocks.extend(case, 10, date(2026, 11, 10))
    sweep(today=date(2026, 11, 10), now=now + LATER)
    row = WatchedClock.objects.get(pk=clock.pk)
    assert row.due_date == date(2026, 11, 23)
    assert row.level == Level.NONE  # 15 days allowed: warn on the 12th working day, 11-18
    assert row.warn_date == date(2026, 11, 18)
    last = WarningEvent.objects.filter(case=case).order_by("-pk").first()
    assert last.kind == WarningEventKind.CLEARED and "截止日调整" in last.reason


def test_the_official_arrangement_entered_later_pushes_the_warning(
    regions, django_capture_on_commit_callbacks
):
    """Entering 2027's notice (National Day 1–7 October, Saturday 9 October worked) makes the
    hall recompute its due dates (their ``updated_at`` moves); the next sweep moves the warn
    date past the new holidays."""
    from yiwang.hall.tests.test_clocks import enter_2027

    admin = person(None, superuser=True)
    case = make_case(regions["county_a"])
    clock = case_clock(case, date(2027, 9, 29), 5)
    # Provisional: only 1–3 October off: 30 Sep, 4, 5, 6, 7 October.
    assert clock.due_date == date(2027, 10, 7)
    now = clock.updated_at + LATER
    sweep(today=date(2027, 9, 30), now=now)
    assert WatchedClock.objects.get(pk=clock.pk).warn_date == date(2027, 10, 6)
    with django_capture_on_commit_callbacks(execute=True):
        enter_2027(admin)
    clock.refresh_from_db()
    # Official: 30 Sep, 8, 9 (Saturday worked), 11, 12 October.
    assert clock.due_date == date(2027, 10, 12)
    sweep(today=date(2027, 10, 6), now=clock.updated_at + LATER)
    row = WatchedClock.objects.get(pk=clock.pk)
    assert (row.warn_date, row.due_date, row.level) == (
        date(2027, 10, 11),
        date(2027, 10, 12),
        Level.NONE,
    )
    sweep(today=date(2027, 10, 11), now=clock.updated_at + LATER)
    assert level(clock) == Level.YELLOW


def test_thresholds_per_region_and_scope(regions):
    admin = person(None, superuser=True)
    case = make_case(regions["town_a"])
    clock = case_clock(case, date(2026, 11, 2), 10)  # due 11-16
    step_case = make_case(regions["town_a"])
    _task, step = step_clock(step_case, date(2026, 11, 2))  # due 11-09
    now = max(clock.updated_at, step.updated_at) + LATER
    sweep(today=date(2026, 11, 3), now=now)
    assert WatchedClock.objects.get(pk=clock.pk).warn_date == date(2026, 11, 12)
    # Half the limit for case clocks in the county (the town inherits it); steps unchanged.
    actions.set_threshold(user=admin, percent=50, region=regions["county_a"], scope=ClockScope.CASE)
    sweep(today=date(2026, 11, 9), now=now)
    row = WatchedClock.objects.get(pk=clock.pk)
    assert (row.warn_date, row.level) == (date(2026, 11, 9), Level.YELLOW)
    assert WatchedClock.objects.get(pk=step.pk).warn_date == date(2026, 11, 6)
    assert WarningThreshold.objects.get(region=regions["county_a"]).percent == 50
    # Setting again changes the row; the province default is one row per scope too.
    actions.set_threshold(user=admin, percent=60, region=regions["county_a"], scope=ClockScope.CASE)
    actions.set_threshold(user=admin, percent=70, region=None, scope=ClockScope.CASE)
    actions.set_threshold(user=admin, percent=75, region=None, scope=ClockScope.CASE)
    assert WarningThreshold.objects.get(region=regions["county_a"]).percent == 60
    assert WarningThreshold.objects.get(region=None, scope=ClockScope.CASE).percent == 75
    for region in (None, regions["county_a"]):
        with pytest.raises(IntegrityError), transaction.atomic():
            WarningThreshold.objects.create(region=region, scope=ClockScope.CASE, percent=90)


def test_stopped_and_paused_clocks_have_no_row(regions):
    case = make_case(regions["county_a"])
    running = case_clock(case, date(2026, 11, 2), 5)
    stopped = case_clock(case, date(2026, 11, 2), 5, kind=ClockKind.STATUTORY)
    Clock.objects.filter(pk=stopped.pk).update(stopped_on=date(2026, 11, 3))
    sweep(today=date(2026, 11, 20), now=running.updated_at + LATER)
    assert list(WatchedClock.objects.values_list("pk", flat=True)) == [running.pk]
