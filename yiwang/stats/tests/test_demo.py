"""The demo's statistics part: ``load`` rebuilds from the cases there, idempotently;
``reset`` empties the tables."""

from datetime import date

import pytest

from yiwang.demo import stats as demo_stats
from yiwang.stats.models import MonthlyCell, RefreshState, WorkingDayIndex

pytestmark = pytest.mark.django_db


def test_load_is_idempotent_and_reset_empties(known):
    calls = []
    report = demo_stats.load(today=date(2025, 11, 1), progress=lambda d, t: calls.append((d, t)))
    assert report.cells == 3 and report.months == 2
    assert calls and calls[-1][0] == calls[-1][1]
    rows = sorted(MonthlyCell.objects.values_list("month", "implementation_id", "received"))
    again = demo_stats.load(today=date(2025, 11, 1))
    assert again == report
    assert sorted(MonthlyCell.objects.values_list("month", "implementation_id", "received")) == rows
    demo_stats.reset()
    assert not MonthlyCell.objects.exists()
    assert not WorkingDayIndex.objects.exists() and not RefreshState.objects.exists()
