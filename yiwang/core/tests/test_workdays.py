"""The working-day calendar: the checked examples of the standards, every day of 2007–2026
against the official arrangements (NateScarlet/holiday-cn, in ../shared/real-material), the
provisional arrangement of 2027 computed from the regulations, entering an official
arrangement (results change, the provisional flag goes, the signal fires, the audit row is
written), the notice parser on every real sentence, and the table against a per-day loop."""

import json
import random
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from lunar_python import Lunar

from yiwang.accounts.models import User
from yiwang.core import workdays
from yiwang.core.actions import enter_official_arrangement
from yiwang.core.constants import CalendarSource
from yiwang.core.events import WORKING_CALENDAR_ENTERED
from yiwang.core.holiday_notice import NoticeParseError, parse_notice
from yiwang.core.models import AuditEvent, CalendarDay, CalendarYear, WorkingCalendarState
from yiwang.core.signals import working_calendar_changed
from yiwang.core.workdays import (
    OutsideCalendar,
    add_working_days,
    is_provisional,
    is_working_day,
    working_days_between,
)

pytestmark = pytest.mark.django_db

REAL = Path(settings.BASE_DIR).parent / "shared" / "real-material" / "holidays-holiday-cn"
needs_real_data = pytest.mark.skipif(
    not (REAL / "2026.json").exists(),
    reason=f"the holiday-cn data is not at {REAL} (../shared/real-material)",
)


def real_days():
    """``{date: (is_off_day, name)}`` of every day listed in holiday-cn's 2007–2026 files."""
    days = {}
    for year in range(2007, 2027):
        for entry in json.loads((REAL / f"{year}.json").read_text())["days"]:
            days[date.fromisoformat(entry["date"])] = (entry["isOffDay"], entry["name"])
    return days


def real_cases():
    if not (REAL / "description_parsing_cases.json").exists():
        return []
    return json.loads((REAL / "description_parsing_cases.json").read_text())


def solar(lunar_year, month, day):
    value = Lunar.fromYmd(lunar_year, month, day).getSolar()
    return date(value.getYear(), value.getMonth(), value.getDay())


# --- the checked examples ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 10-01..07 off, 10-10 (a Saturday) worked: 29, 30, 9 (Fri), 10 (Sat) ... the 5th.
        (date(2026, 9, 28), 5, date(2026, 10, 10)),
        # 2-14 (Sat) worked, 2-15..23 off: 14, 24, 25.
        (date(2026, 2, 13), 3, date(2026, 2, 25)),
    ],
)
def test_checked_examples(start, n, expected):
    deadline = add_working_days(start, n)
    assert deadline.date == expected
    assert deadline.provisional is False
    assert working_days_between(start, expected).days == n


def test_adjusted_working_saturday_and_holiday_weekday():
    saturday = is_working_day(date(2026, 10, 10))
    assert saturday and saturday.kind == "working" and saturday.name == "国庆节"
    holiday = is_working_day(date(2026, 10, 5))
    assert not holiday and holiday.kind == "holiday" and holiday.name == "国庆节"
    assert not is_working_day(date(2026, 11, 7))  # a plain Saturday
    assert is_working_day(date(2026, 11, 9)).kind == "workday"


def test_counting_rules():
    # The start day is not counted, whatever it is: from a holiday, the 1st working day after.
    assert add_working_days(date(2026, 10, 1), 1).date == date(2026, 10, 8)
    assert add_working_days(date(2026, 10, 8), 0).date == date(2026, 10, 8)
    # Counting back: the working day before 10-08 is 09-30.
    assert add_working_days(date(2026, 10, 8), -1).date == date(2026, 9, 30)
    assert add_working_days(date(2026, 10, 10), -2).date == date(2026, 10, 8)
    assert working_days_between(date(2026, 10, 10), date(2026, 9, 28)).days == -5
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 7)).days == 0


def test_outside_the_range():
    with pytest.raises(OutsideCalendar):
        is_working_day(date(2003, 12, 31))
    with pytest.raises(OutsideCalendar):
        add_working_days(date(2004, 1, 5), -10)
    with pytest.raises(OutsideCalendar):
        add_working_days(date(2026, 1, 5), 100_000)


# --- official years ------------------------------------------------------------------------


@needs_real_data
def test_every_day_2007_to_2026_agrees_with_the_official_arrangements():
    listed = real_days()
    day, mismatches = date(2007, 1, 1), []
    while day <= date(2026, 12, 31):
        if day in listed:
            expected = not listed[day][0]
        else:
            expected = day.weekday() < 5
        answer = is_working_day(day)
        if answer.is_working != expected or answer.provisional:
            mismatches.append(day)
        day += timedelta(days=1)
    assert mismatches == []


def test_the_seed_is_chinesecalendar():
    """The migration seeded 2004–2026 from chinesecalendar, day by day."""
    day = date(2004, 1, 1)
    while day <= date(2026, 12, 31):
        assert is_working_day(day).is_working == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    years = CalendarYear.objects.filter(source=CalendarSource.SEED)
    assert list(years.values_list("year", flat=True)) == list(range(2004, 2027))
    # The New Year days of late December 2018 belong to the 2019 notice.
    assert CalendarDay.objects.get(date=date(2018, 12, 29)).arrangement.year == 2019
    assert CalendarYear.objects.get(year=2026).notice_url.endswith("content_7047091.htm")


# --- the lunar library against the official data -------------------------------------------


@needs_real_data
@pytest.mark.parametrize("year", range(2007, 2027))
def test_lunar_dates_match_the_official_holidays(year):
    """Each festival's computed day is an official day off named for that festival. The
    official holidays often start before the day itself (to join a weekend), so the day is
    looked up among the named days off rather than compared with the holiday's first day.
    Qingming, Dragon Boat and Mid-Autumn are holidays from 2008 on."""
    listed = real_days()
    festivals = {"春节": solar(year, 1, 1)}
    if year >= 2008:
        festivals.update(
            {"端午": solar(year, 5, 5), "中秋": solar(year, 8, 15), "清明": workdays.qingming(year)}
        )
    for keyword, day in festivals.items():
        off, name = listed[day]
        assert off and keyword in name, (keyword, day, name)
    assert (
        workdays.qingming(year)
        in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))[0]
    )


def test_lunar_dates_named_in_the_notices():
    """Dates the notices themselves annotate with the lunar calendar."""
    notes = {
        "2月6日（除夕）、2月7日（春节）": (
            solar(2008, 1, 1) - timedelta(days=1),
            solar(2008, 1, 1),
        ),
        "2月2日（农历除夕）": (solar(2011, 1, 1) - timedelta(days=1),),
        "6月8日（农历五月初五，端午节）": (solar(2008, 5, 5),),
        "9月14日（农历八月十五，中秋节）": (solar(2008, 8, 15),),
    }
    expected = {
        "2月6日（除夕）、2月7日（春节）": (date(2008, 2, 6), date(2008, 2, 7)),
        "2月2日（农历除夕）": (date(2011, 2, 2),),
        "6月8日（农历五月初五，端午节）": (date(2008, 6, 8),),
        "9月14日（农历八月十五，中秋节）": (date(2008, 9, 14),),
    }
    texts = " ".join(case["description"] for case in real_cases())
    for note, computed in notes.items():
        if texts:
            assert note in texts
        assert computed == expected[note]


# --- provisional years ---------------------------------------------------------------------


def test_2027_is_provisional_by_the_regulations():
    new_year = solar(2027, 1, 1)
    assert new_year == date(2027, 2, 6)  # 正月初一 2027, from the lunar library
    eve = new_year - timedelta(days=1)
    expected = {
        date(2027, 1, 1): "元旦",
        eve: "春节",
        eve + timedelta(days=1): "春节",
        eve + timedelta(days=2): "春节",
        eve + timedelta(days=3): "春节",
        date(2027, 4, 5): "清明节",
        date(2027, 5, 1): "劳动节",
        date(2027, 5, 2): "劳动节",
        solar(2027, 5, 5): "端午节",
        solar(2027, 8, 15): "中秋节",
        date(2027, 10, 1): "国庆节",
        date(2027, 10, 2): "国庆节",
        date(2027, 10, 3): "国庆节",
    }
    assert workdays.statutory_holidays(2027) == expected
    # The values the lunar library gives, written out: 除夕 2-05, 端午 6-09, 中秋 9-15.
    assert (eve, solar(2027, 5, 5), solar(2027, 8, 15)) == (
        date(2027, 2, 5),
        date(2027, 6, 9),
        date(2027, 9, 15),
    )
    assert chinese_calendar.get_solar_terms(date(2027, 4, 1), date(2027, 4, 10)) == [
        (date(2027, 4, 5), "清明")
    ]
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))

    friday = is_working_day(date(2027, 2, 5))
    assert not friday and friday.provisional and friday.name == "春节"
    assert is_working_day(date(2027, 2, 9)).is_working  # 初四, a Tuesday
    assert is_working_day(date(2027, 6, 9)).kind == "holiday"
    assert is_provisional(date(2027, 3, 1)) and not is_provisional(date(2026, 12, 31))


def test_deadlines_into_a_provisional_year_say_so():
    inside = add_working_days(date(2026, 12, 1), 10)
    assert inside.date == date(2026, 12, 15) and not inside.provisional
    across = add_working_days(date(2026, 12, 25), 10)
    # 28–31 Dec (4), 1 Jan off, 4–8 Jan (5), 11 Jan: the 10th.
    assert across.date == date(2027, 1, 11) and across.provisional
    assert working_days_between(date(2026, 12, 25), date(2027, 1, 11)).provisional
    # Five working days before the Spring Festival of 2027 (2-05 .. 2-08 off).
    assert add_working_days(date(2027, 2, 4), 1).date == date(2027, 2, 9)


# --- entering the official arrangement -----------------------------------------------------

NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知（测试用的虚构安排）
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。2月20日（周六）上班。
三、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""


@pytest.fixture
def calendar_admin(db):
    user = User.objects.create_user(username="rili", password="x-Unused-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_calendaryear"))
    return User.objects.get(pk=user.pk)


def test_entering_2027_changes_results_and_drops_the_provisional_flag(
    calendar_admin, django_capture_on_commit_callbacks
):
    before = add_working_days(date(2027, 2, 4), 1)
    assert before.date == date(2027, 2, 9) and before.provisional
    version = WorkingCalendarState.objects.get(pk=1).version
    received = []

    def receiver(sender, signal, **kwargs):
        received.append(kwargs)

    working_calendar_changed.connect(receiver)
    try:
        parsed = parse_notice(NOTICE_2027, year=2027)
        with django_capture_on_commit_callbacks(execute=True):
            arrangement = enter_official_arrangement(
                year=2027,
                holidays=parsed.holidays,
                working_days=parsed.working_days,
                notice_url="https://www.gov.cn/zhengce/zhengceku/example.htm",
                notice_title="国务院办公厅关于2027年部分节假日安排的通知",
                actor=calendar_admin,
            )
    finally:
        working_calendar_changed.disconnect(receiver)

    after = add_working_days(date(2027, 2, 4), 1)
    assert after.date == date(2027, 2, 15) and not after.provisional
    assert is_working_day(date(2027, 2, 20)).kind == "working"
    assert not is_working_day(date(2027, 2, 12))
    # The days the notice leaves out are plain again: no Qingming holiday in this notice.
    assert is_working_day(date(2027, 4, 5)).is_working
    assert not is_provisional(date(2027, 7, 1)) and is_provisional(date(2028, 7, 1))

    assert received == [
        {"start": date(2027, 1, 1), "end": date(2027, 12, 31), "version": version + 1}
    ]
    assert WorkingCalendarState.objects.get(pk=1).version == version + 1
    event = AuditEvent.objects.get(action=WORKING_CALENDAR_ENTERED)
    assert event.actor == calendar_admin and event.object_id == str(arrangement.pk)
    assert event.detail["working_days"] == {
        "2027-02-20": "春节",
        "2027-09-26": "国庆节",
        "2027-10-09": "国庆节",
    }
    assert len(event.detail["holidays"]) == 3 + 8 + 7


def test_correcting_a_year_replaces_its_days(calendar_admin):
    enter_official_arrangement(
        year=2027,
        holidays={date(2027, 1, 1): "元旦"},
        working_days={},
        notice_url="",
        notice_title="第一稿",
        actor=calendar_admin,
    )
    enter_official_arrangement(
        year=2027,
        holidays=[(date(2027, 1, 1), "元旦"), (date(2026, 12, 31), "元旦")],
        working_days=[date(2026, 12, 26)],
        notice_url="",
        notice_title="更正",
        actor=calendar_admin,
    )
    arrangement = CalendarYear.objects.get(year=2027)
    assert arrangement.notice_title == "更正"
    assert sorted(arrangement.days.values_list("date", flat=True)) == [
        date(2026, 12, 26),
        date(2026, 12, 31),
        date(2027, 1, 1),
    ]
    assert not is_working_day(date(2026, 12, 31))
    assert is_working_day(date(2026, 12, 26)).kind == "working"
    assert AuditEvent.objects.filter(action=WORKING_CALENDAR_ENTERED).count() == 2


def test_entering_needs_the_permission_and_valid_days(calendar_admin):
    clerk = User.objects.create_user(username="clerk", password="x-Unused-1", is_staff=True)
    with pytest.raises(PermissionDenied):
        enter_official_arrangement(
            year=2027,
            holidays={date(2027, 1, 1): "元旦"},
            working_days={},
            notice_url="",
            notice_title="",
            actor=clerk,
        )
    for holidays, working in [
        ({}, {}),
        ({date(2029, 1, 1): "元旦"}, {}),
        ({date(2027, 1, 1): "元旦"}, {date(2027, 1, 1): "元旦"}),
        ({date(2027, 1, 1): "元旦"}, {date(2027, 1, 4): "元旦"}),  # a Monday
    ]:
        with pytest.raises(ValidationError):
            enter_official_arrangement(
                year=2027,
                holidays=holidays,
                working_days=working,
                notice_url="",
                notice_title="",
                actor=calendar_admin,
            )
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not AuditEvent.objects.filter(action=WORKING_CALENDAR_ENTERED).exists()


def test_other_processes_see_an_edit(monkeypatch):
    """Another process's edit (here: rows changed and the version raised behind this
    process's back) is seen at the next version check."""
    assert is_working_day(date(2027, 3, 1)).is_working
    arrangement = CalendarYear.objects.create(year=2027, source=CalendarSource.NOTICE)
    CalendarDay.objects.create(arrangement=arrangement, date=date(2027, 3, 1), kind="holiday")
    WorkingCalendarState.objects.filter(pk=1).update(version=999)
    # Within RECHECK_SECONDS the table is not re-read ...
    assert is_working_day(date(2027, 3, 1)).is_working
    # ... at the next check it is.
    assert not workdays.ensure_current().day_info(date(2027, 3, 1)).is_working
    monkeypatch.setattr(workdays, "RECHECK_SECONDS", 0)
    WorkingCalendarState.objects.filter(pk=1).update(version=1000)
    CalendarDay.objects.filter(date=date(2027, 3, 1)).delete()
    assert is_working_day(date(2027, 3, 1)).is_working


# --- the table against the per-day loop ----------------------------------------------------


def naive_add(start, n):
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day).is_working:
            counted += 1
    return day


def test_table_agrees_with_a_per_day_loop():
    rng = random.Random(5)
    for _ in range(300):
        start = date(2005, 1, 1) + timedelta(days=rng.randrange(365 * 24))
        n = rng.randrange(0, 70)
        deadline = add_working_days(start, n).date
        assert deadline == naive_add(start, n)
        assert working_days_between(start, deadline).days == n
        if n:
            assert add_working_days(deadline, -n).date <= start


# --- the notice parser ---------------------------------------------------------------------


@needs_real_data
@pytest.mark.parametrize("case", real_cases(), ids=lambda case: case["description"][:20])
def test_parser_reads_every_real_notice_sentence(case):
    parsed = parse_notice(case["description"], year=case["year"])
    expected_off = {date.fromisoformat(e["date"]) for e in case["expected"] if e["isOffDay"]}
    expected_on = {date.fromisoformat(e["date"]) for e in case["expected"] if not e["isOffDay"]}
    assert set(parsed.holidays) == expected_off
    assert set(parsed.working_days) == expected_on


NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置。
国务院办公厅
2025年11月4日
"""


@needs_real_data
def test_parser_reads_a_whole_notice():
    parsed = parse_notice(NOTICE_2026, year=2026)
    assert [item.name for item in parsed.items] == [
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ]
    days = json.loads((REAL / "2026.json").read_text())["days"]
    assert parsed.holidays == {
        date.fromisoformat(e["date"]): e["name"] for e in days if e["isOffDay"]
    }
    assert set(parsed.working_days) == {
        date.fromisoformat(e["date"]) for e in days if not e["isOffDay"]
    }


def test_parser_refuses_text_without_days():
    with pytest.raises(NoticeParseError):
        parse_notice("节假日期间，各地区要妥善安排好值班工作。", year=2027)
    with pytest.raises(NoticeParseError):
        parse_notice("2月30日放假。", year=2027)
