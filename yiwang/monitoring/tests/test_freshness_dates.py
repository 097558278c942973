"""The Chinese date parser of listing pages (checks/freshness.py)."""

import datetime

import pytest

from yiwang.monitoring.checks.freshness import find_dates, parse_date

TODAY = datetime.date(2026, 12, 5)
D = datetime.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30", D(2026, 11, 30)),
        ("[2026-11-30]", D(2026, 11, 30)),
        ("（2026-11-30）", D(2026, 11, 30)),
        ("发布时间：2026-11-30 08:30:00", D(2026, 11, 30)),
        ("2026-11-30T08:30:00+08:00", D(2026, 11, 30)),
        ("2026/11/30", D(2026, 11, 30)),
        ("2026.11.30", D(2026, 11, 30)),
        ("2026-1-5", D(2026, 1, 5)),
        ("2026年11月30日", D(2026, 11, 30)),
        ("2026 年 1 月 5 日", D(2026, 1, 5)),
        ("2026年11月30号", D(2026, 11, 30)),
        ("二〇二六年十一月三十日", D(2026, 11, 30)),
        ("二〇二五年一月五日", D(2025, 1, 5)),
        ("二〇二五年十二月二十一日", D(2025, 12, 21)),
        ("标题标题 2026-03-01", D(2026, 3, 1)),
        ("1999-12-31", D(1999, 12, 31)),
        # The year implied: this year, or last year when this year's would be in the future.
        ("11-30", D(2026, 11, 30)),
        ("[11-30]", D(2026, 11, 30)),
        ("12-05", D(2026, 12, 5)),
        ("12-06", D(2025, 12, 6)),
        ("12/31", D(2025, 12, 31)),
        ("1-5", D(2026, 1, 5)),
        ("11月30日", D(2026, 11, 30)),
        ("12月25日", D(2025, 12, 25)),
        ("02-29", D(2024, 2, 29)),
    ],
)
def test_dates(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026年度",
        "2026年度工作总结",
        "2026年11月",
        "2026-11",
        "电话：0571-88886666",
        "010-6530-1234",
        "138-1234-5678",
        "12345",
        "20261130",
        "192.168.1.1",
        "版本 1.2.3",
        "3.14",
        "价格 12.50 元",
        "2026-13-01",
        "2026-02-30",
        "13-01",
        "11-31",
        "1899-01-01",
        "2026-11-30-1",
        "二〇二六年十三月一日",
        "国发〔2026〕11号",
    ],
)
def test_not_dates(text):
    assert parse_date(text, TODAY) is None, text


def test_implied_year_can_be_switched_off():
    assert parse_date("11-30", TODAY, implied=False) is None
    assert parse_date("11月30日", TODAY, implied=False) is None
    assert parse_date("2026-11-30", TODAY, implied=False) == D(2026, 11, 30)


def test_several_dates_in_order():
    text = "[2026-11-30] 通知 2026年10月1日 二〇二五年五月四日 09-09"
    assert find_dates(text, TODAY) == [
        D(2026, 11, 30),
        D(2026, 10, 1),
        D(2025, 5, 4),
        D(2026, 9, 9),
    ]


def test_a_full_date_is_not_read_twice():
    # "2026年11月30日" is one date, not also "11月30日" with the year implied.
    assert find_dates("2026年11月30日", TODAY) == [D(2026, 11, 30)]
    assert find_dates("2025-12-20", TODAY) == [D(2025, 12, 20)]


def test_today_defaults_to_beijing_today():
    value = parse_date("01-01")
    assert value is not None and value.month == 1 and value.day == 1
