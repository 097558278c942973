"""The summary table against hand-counted answers and against the raw cases, and the
incremental refresh against a full rebuild."""

from collections import defaultdict
from datetime import UTC, date, timedelta

import pytest
from django.utils import timezone

from yiwang.core import workdays
from yiwang.hall.clocks import CASE_LABEL, HANDLE_LABEL
from yiwang.hall.constants import CaseStatus, Channel, ClockKind
from yiwang.hall.models import Case, Clock
from yiwang.stats import queries, rollups
from yiwang.stats.models import BUCKET_FIELDS, BUCKETS, MEASURE_FIELDS, MonthlyCell, RefreshState
from yiwang.supervision.roles import Scope

from .conftest import EXPECTED, at, make_case

pytestmark = pytest.mark.django_db

EVERYTHING = Scope(everything=True)


def table():
    """``{(month, department, implementation, region): {column: value}}`` of the summary."""
    return {
        (c.month, c.department_id, c.implementation_id, c.region_id): {
            name: getattr(c, name) for name in MEASURE_FIELDS
        }
        for c in MonthlyCell.objects.all()
    }


def raw_figures():
    """The same cells computed in Python from the raw cases with the documented
    definitions, independently of the SQL."""
    cells = defaultdict(lambda: dict.fromkeys(MEASURE_FIELDS, 0))
    for case in Case.objects.exclude(submitted_at=None).prefetch_related("clocks"):
        key = (case.department_id, case.implementation_id, case.region_id)
        received = cells[(rollups.month_of(case.submitted_at), *key)]
        received["received"] += 1
        received["online"] += case.channel == Channel.ONLINE
        received["accepted"] += case.accepted_at is not None
        received["accepted_completed"] += (
            case.accepted_at is not None and case.status == CaseStatus.COMPLETED
        )
        if case.completed_at is None:
            continue
        ended = cells[(rollups.month_of(case.completed_at), *key)]
        if case.status == CaseStatus.REFUSED:
            ended["refused"] += 1
        elif case.status == CaseStatus.WITHDRAWN:
            ended["withdrawn"] += 1
        elif case.status == CaseStatus.COMPLETED:
            ended["completed"] += 1
            ended["corrections"] += case.correction_rounds
            clocks = [c for c in case.clocks.all() if c.stopped_on is not None]
            binding = (
                next((c for c in clocks if c.task_id is None and c.label == CASE_LABEL
                      and c.kind == ClockKind.PROMISED), None)
                or next((c for c in clocks if c.task_id is None and c.label == CASE_LABEL
                         and c.kind == ClockKind.STATUTORY), None)
                or next((c for c in clocks if c.label == HANDLE_LABEL), None)
            )  # fmt: skip
            if binding is None:
                continue
            days = workdays.working_days_between(binding.start_date, binding.stopped_on).days
            days = max(0, days - binding.paused_days)
            ended["timed"] += 1
            ended["on_time"] += binding.stopped_on <= binding.due_date
            ended["days_sum"] += days
            for name, (low, high) in zip(BUCKET_FIELDS, BUCKETS, strict=True):
                if days >= low and (high is None or days <= high):
                    ended[name] += 1
    return {
        (month, department, implementation, region): values
        for (month, department, implementation, region), values in cells.items()
    }


def expected(known):
    implementations = {"a": known.a, "b": known.b}
    result = {}
    for (which, month), values in EXPECTED.items():
        implementation = implementations[which]
        key = (month, implementation.department_id, implementation.pk, implementation.region_id)
        result[key] = {name: values.get(name, 0) for name in MEASURE_FIELDS}
    return result


def test_rebuild_gives_the_hand_counted_figures(known):
    assert rollups.rebuild() == 3
    assert table() == expected(known)
    assert table() == raw_figures()


def test_headline_figures_of_the_fixture(known):
    rollups.rebuild()
    filters = queries.Filters(month_from=date(2025, 9, 1), month_to=date(2025, 10, 1))
    figures = queries.totals(queries.cells(EVERYTHING, filters))
    assert figures.received == 8
    assert figures.completed == 5
    assert figures.refused == 1 and figures.withdrawn == 1
    assert figures.completion_rate == pytest.approx(5 / 7)
    assert figures.on_time_rate == pytest.approx(3 / 5)
    assert figures.average_days == pytest.approx(30 / 5)
    assert figures.online_rate == pytest.approx(6 / 8)
    assert figures.corrections_per_case == pytest.approx(1 / 5)
    # Days taken [0, 3, 4, 9, 14]: the 90th percentile (nearest rank 5 of 5) is 14.
    assert figures.p90 == (11, 15)
    # One department, one month.
    october = queries.Filters(
        month_from=date(2025, 10, 1), month_to=date(2025, 10, 1), department=known.world.lead
    )
    figures = queries.totals(queries.cells(EVERYTHING, october))
    assert (figures.received, figures.completed, figures.on_time, figures.timed) == (5, 3, 1, 3)
    assert figures.average_days == pytest.approx(26 / 3)
    # Region subtree: 临溪县 holds only implementation B.
    linxi = queries.Filters(
        month_from=date(2025, 9, 1),
        month_to=date(2025, 10, 1),
        region=known.world.regions["county_b"],
    )
    figures = queries.totals(queries.cells(EVERYTHING, linxi))
    assert (figures.received, figures.completed, figures.average_days) == (1, 1, 0)
    assert figures.p90 == (0, 0)


def test_grouped_figures_add_up(known):
    rollups.rebuild()
    filters = queries.Filters(month_from=date(2025, 8, 1), month_to=date(2025, 11, 1))
    queryset = queries.cells(EVERYTHING, filters)
    months = queries.by_month(queryset, filters)
    assert [m for m, _ in months] == [date(2025, m, 1) for m in (8, 9, 10, 11)]
    assert [f.received for _, f in months] == [0, 2, 6, 0]
    departments = queries.by_department(queryset)
    assert [(d.name, f.received) for d, f in departments] == [
        ("松林县市场监督管理局", 7),
        ("临溪县市场监督管理局", 1),
    ]
    items, count = queries.by_item(queryset)
    assert count == 2 and [(i.pk, f.completed) for i, f in items] == [(known.a.pk, 4),
                                                                      (known.b.pk, 1)]  # fmt: skip


def _pks():
    return {(c.month, c.implementation_id): c.pk for c in MonthlyCell.objects.all()}


def test_refresh_recomputes_only_the_changed_cells_and_equals_a_rebuild(known):
    # The fixture's cases were written an hour ago.
    Case.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    rollups.rebuild()
    before = _pks()
    assert rollups.refresh() == {"mode": "refresh", "months": 0, "cells": 0}
    assert _pks() == before

    # Case 6 (open, submitted in October) completes in November, on time.
    case = known.cases[6]
    case.status = CaseStatus.COMPLETED
    case.completed_at = at(date(2025, 11, 3))
    case.save()
    Clock.objects.filter(case=case).update(stopped_on=date(2025, 11, 3))
    result = rollups.refresh()
    assert result["mode"] == "refresh" and result["months"] == 2
    after = _pks()
    # Untouched: September's cell and B's October cell keep their rows.
    assert after[(date(2025, 9, 1), known.a.pk)] == before[(date(2025, 9, 1), known.a.pk)]
    assert after[(date(2025, 10, 1), known.b.pk)] == before[(date(2025, 10, 1), known.b.pk)]
    # Rewritten: A's October cell; new: A's November cell.
    assert after[(date(2025, 10, 1), known.a.pk)] != before[(date(2025, 10, 1), known.a.pk)]
    assert (date(2025, 11, 1), known.a.pk) in after
    refreshed = table()
    october = refreshed[(date(2025, 10, 1), known.world.lead.pk, known.a.pk, known.a.region_id)]
    assert october["accepted_completed"] == 3
    november = refreshed[(date(2025, 11, 1), known.world.lead.pk, known.a.pk, known.a.region_id)]
    assert (november["completed"], november["on_time"], november["days_sum"]) == (1, 1, 5)
    assert refreshed == raw_figures()
    # Running it again changes nothing; a full rebuild gives the same table.
    rollups.refresh()
    assert table() == refreshed
    rollups.rebuild()
    assert table() == refreshed


def test_refresh_picks_up_new_cases_and_drops_emptied_cells(known):
    rollups.rebuild()
    new = make_case(
        known.b,
        submitted=at(date(2025, 12, 1)),
        status=CaseStatus.SUBMITTED,
        channel=Channel.COUNTER,
    )
    rollups.refresh()
    assert table() == raw_figures()
    assert MonthlyCell.objects.filter(month=date(2025, 12, 1), implementation=known.b).exists()
    # A case that disappears (deleted by hand, say) is no longer counted once a change in
    # its cell brings the cell up for recomputation.
    make_case(known.b, submitted=at(date(2025, 12, 2)), status=CaseStatus.SUBMITTED)
    new.delete()
    rollups.refresh()
    assert table() == raw_figures()


def test_first_refresh_rebuilds(known):
    assert rollups.refresh()["mode"] == "rebuild"
    assert table() == expected(known)
    assert RefreshState.objects.get().case_watermark is not None


def test_a_calendar_change_rebuilds_the_months_from_the_changed_day(known):
    from yiwang.core.models import CalendarDay

    rollups.rebuild()
    september = MonthlyCell.objects.get(month=date(2025, 9, 1)).pk
    # Make 2 October a working day (as an adjusted one): case 1 took 4 working days.
    CalendarDay.objects.filter(date=date(2025, 10, 2)).update(kind="working")
    workdays.invalidate()
    rollups.calendar_changed(start=date(2025, 10, 2))
    cell = MonthlyCell.objects.get(month=date(2025, 10, 1), implementation=known.a)
    assert cell.days_sum == 26 + 1  # case 1 spans 2 October; case 3 starts on the 9th
    assert MonthlyCell.objects.get(month=date(2025, 9, 1)).pk == september
    assert table() == raw_figures()


def test_a_stale_calendar_version_makes_the_refresh_rebuild(known):
    rollups.rebuild()
    RefreshState.objects.update(calendar_version=999)
    assert rollups.refresh()["mode"] == "rebuild"
    assert table() == expected(known)


def test_the_scheduled_task_refreshes(known):
    from yiwang.stats.tasks import refresh_rollups

    result = refresh_rollups.enqueue()
    assert result.return_value["mode"] == "rebuild"
    assert table() == expected(known)


def test_the_management_command_rebuilds_with_progress(known, capsys):
    from django.core.management import call_command

    call_command("rebuild_stats")
    out = capsys.readouterr().out
    assert "3" in out and "100%" in out
    assert table() == expected(known)


def test_month_of_uses_local_time():
    moment = at(date(2025, 9, 1), 0, 30)
    assert moment.astimezone(UTC).day == 31
    assert rollups.month_of(moment) == date(2025, 9, 1)
    assert rollups.month_of(moment - timedelta(hours=1)) == date(2025, 8, 1)
