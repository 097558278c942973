"""Working-day clocks: hand-checked due dates, pauses across holidays, extensions, the
clocks each step gets, and a calendar change moving the due dates of running cases."""

import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.catalog.constants import LimitKind
from yiwang.catalog.models import ProcessStep, SpecialProcedure
from yiwang.catalog.tests.factories import build_implementation, make_department, publish
from yiwang.core.actions import enter_official_arrangement
from yiwang.core.holiday_notice import parse_notice
from yiwang.core.models import WorkingCalendarState
from yiwang.core.signals import working_calendar_changed
from yiwang.hall import clocks
from yiwang.hall.constants import (
    CaseStatus,
    ClockKind,
    PauseReason,
    ProcessTemplate,
    Step,
    TaskState,
)
from yiwang.hall.models import Case, CaseTask, Clock, ClockPause, ProcessDefinition
from yiwang.hall.tasks import recompute_clocks

pytestmark = pytest.mark.django_db

_numbers = {"n": 0}


def make_case(region, *, department=None, template=None, number=None, implementation=None, **f):
    """A submitted case on a published implementation (no process engine involved)."""
    department = department or make_department(region)
    if implementation is None:
        implementation = publish(
            build_implementation(
                region=region,
                department=department,
                **{k: f.pop(k) for k in list(f) if k in IMPLEMENTATION_FIELDS},
            )
        )
    process = None
    if template is not None:
        _numbers["n"] += 1
        process = ProcessDefinition.objects.create(
            key=f"p{_numbers['n']}",
            version=1,
            name="测试流程",
            template=template,
            parameters=f.pop("parameters", {}),
            bpmn_xml="<definitions/>",
            process_id="p",
        )
    _numbers["n"] += 1
    values = {
        "number": number or f"99010220261202{_numbers['n']:06d}",
        "implementation": implementation,
        "item_code": implementation.code,
        "item_name": implementation.name,
        "department": implementation.department,
        "region": implementation.region,
        "process": process,
        "status": CaseStatus.SUBMITTED,
        "applicant_name": "张三",
        "applicant_mobile": "13800000001",
        "submitted_at": timezone.now(),
    }
    values.update(f)
    return Case.objects.create(**values)


IMPLEMENTATION_FIELDS = {
    "name",
    "statutory_limit_days",
    "promised_limit_days",
    "limit_kind",
    "result_name",
}


def make_task(case, step, name=None):
    return CaseTask.objects.create(
        case=case,
        spiff_task_id=str(uuid.uuid4()),
        bpmn_id=str(step),
        step=step,
        name=name or Step(step).label,
        department=case.department,
        role="acceptor",
    )


def close_task(task, day):
    task.state = TaskState.DONE
    task.save(update_fields=["state"])
    clocks.on_task_closed(task, day)


# --- hand-checked due dates -------------------------------------------------------------------


def test_the_standards_examples(regions):
    case = make_case(regions["county_a"])
    task = make_task(case, Step.ACCEPT)
    clocks.on_task_opened(task, date(2026, 9, 28))
    (clock,) = Clock.objects.filter(task=task)
    # National Day 10-01..07 off, Saturday 10-10 worked (调休).
    assert (clock.kind, clock.label, clock.limit_days) == (ClockKind.STATUTORY, "受理", 5)
    assert clock.due_date == date(2026, 10, 10)
    assert not clock.due_is_provisional
    assert clock.calendar_version == WorkingCalendarState.objects.get(pk=1).version

    other = clocks.start(
        case=case,
        kind=ClockKind.PROMISED,
        label="办结",
        limit_days=3,
        start_date=date(2026, 2, 13),
    )
    assert other.due_date == date(2026, 2, 25)  # across the 2026 Spring Festival


def test_a_correction_across_a_holiday_moves_the_due_date_by_the_paused_working_days(regions):
    case = make_case(regions["county_a"])
    task = make_task(case, Step.ACCEPT)
    clocks.on_task_opened(task, date(2026, 9, 28))
    clock = Clock.objects.get(task=task)
    assert clock.due_date == date(2026, 10, 10)

    # Correction asked on Tue 09-29 (that day used: 1 of 5), resubmitted Fri 10-09.
    clocks.pause(case, PauseReason.CORRECTION, date(2026, 9, 29))
    clock.refresh_from_db()
    assert clock.paused_since == date(2026, 9, 29)
    assert clock.pause_reason == PauseReason.CORRECTION
    (pause,) = clock.pauses.all()
    assert (pause.reason, pause.start_date, pause.end_date) == (
        "correction",
        date(2026, 9, 29),
        None,
    )

    # While paused the due date is not running: on 10-05 (a holiday) one working day (09-30)
    # has passed in the pause, so it would be 10-12 if the applicant resubmitted today.
    (row,) = clocks.summary(case, today=date(2026, 10, 5))
    assert row["paused"] and row["state"] == "暂停计时（补正）"
    assert row["pause_reason_label"] == "补正"
    assert row["due"] == date(2026, 10, 12)
    assert row["used"] == 1 and row["remaining"] == 4
    assert not row["overdue"]

    clocks.resume(case, date(2026, 10, 9))
    clock.refresh_from_db()
    # Paused: 09-30, 10-08, 10-09 = 3 working days; 10-10 + 3 working days = 10-14.
    assert clock.paused_days == 3
    assert clock.paused_since is None and clock.pause_reason == ""
    assert clock.due_date == date(2026, 10, 14)
    pause.refresh_from_db()
    assert pause.end_date == date(2026, 10, 9)
    # Counting restarts the day after the resubmission: 4 days left, 10-10 .. 10-14.
    (row,) = clocks.summary(case, today=date(2026, 10, 9))
    assert row["state"] == "正常" and row["used"] == 1 and row["remaining"] == 4
    (row,) = clocks.summary(case, today=date(2026, 10, 13))
    assert row["used"] == 4 and row["remaining"] == 1
    (row,) = clocks.summary(case, today=date(2026, 10, 15))
    assert row["overdue"] and row["state"] == "已超期" and row["remaining"] == -1


def test_pause_and_resume_on_the_same_day_count_no_day(regions):
    case = make_case(regions["county_a"])
    clock = clocks.start(
        case=case,
        kind=ClockKind.STATUTORY,
        label="受理",
        limit_days=5,
        start_date=date(2026, 11, 2),
    )
    assert clock.due_date == date(2026, 11, 9)
    clocks.pause(case, PauseReason.CORRECTION, date(2026, 11, 4))
    clocks.resume(case, date(2026, 11, 4))
    clock.refresh_from_db()
    assert clock.paused_days == 0 and clock.due_date == date(2026, 11, 9)
    # A pause from a Friday to the Monday after costs one working day (the Monday).
    clocks.pause(case, PauseReason.CORRECTION, date(2026, 11, 6))
    clocks.resume(case, date(2026, 11, 9))
    clock.refresh_from_db()
    assert clock.paused_days == 1 and clock.due_date == date(2026, 11, 10)


def test_a_second_reason_while_paused_is_recorded_but_not_counted_twice(regions):
    case = make_case(regions["county_a"])
    clock = clocks.start(
        case=case,
        kind=ClockKind.STATUTORY,
        label="办结",
        limit_days=20,
        start_date=date(2026, 11, 2),
    )
    clocks.pause(case, PauseReason.SPECIAL, date(2026, 11, 3))
    clocks.pause(case, PauseReason.CORRECTION, date(2026, 11, 5))
    clocks.pause(case, PauseReason.CORRECTION, date(2026, 11, 5))  # once only
    assert ClockPause.objects.filter(clock=clock).count() == 2
    # The special procedure ends first: still paused for the correction.
    clocks.resume(case, date(2026, 11, 6), reason=PauseReason.SPECIAL)
    clock.refresh_from_db()
    assert clock.paused_since == date(2026, 11, 3) and clock.pause_reason == "correction"
    assert clock.paused_days == 0
    # Resumed on Tue 11-10: 11-04 .. 11-10 = 5 working days, counted once.
    clocks.resume(case, date(2026, 11, 10))
    clock.refresh_from_db()
    assert clock.paused_since is None and clock.paused_days == 5
    assert clock.due_date == date(2026, 12, 7)  # 11-30 + 5 working days
    assert not ClockPause.objects.filter(clock=clock, end_date__isnull=True).exists()


def test_an_extension_moves_only_the_statutory_case_clock(regions):
    case = make_case(regions["county_a"], statutory_limit_days=20, promised_limit_days=5)
    clocks.on_accepted(case, date(2026, 11, 2))
    statutory = Clock.objects.get(case=case, kind=ClockKind.STATUTORY)
    promised = Clock.objects.get(case=case, kind=ClockKind.PROMISED)
    assert (statutory.label, promised.label) == ("办结", "办结")
    assert statutory.due_date == date(2026, 11, 30)
    assert promised.due_date == date(2026, 11, 9)
    clocks.extend(case, 10, date(2026, 11, 20))
    statutory.refresh_from_db()
    promised.refresh_from_db()
    assert statutory.extension_days == 10 and statutory.due_date == date(2026, 12, 14)
    assert promised.due_date == date(2026, 11, 9) and promised.extension_days == 0
    # on_accepted twice starts no second pair.
    clocks.on_accepted(case, date(2026, 11, 3))
    assert Clock.objects.filter(case=case).count() == 2


def test_case_limits_default_to_20_and_45_for_joint_approval(regions):
    plain = make_case(
        regions["county_a"],
        statutory_limit_days=None,
        promised_limit_days=None,
        limit_kind=LimitKind.ON_THE_SPOT,
    )
    clocks.on_accepted(plain, date(2026, 11, 2))
    (clock,) = Clock.objects.filter(case=plain)
    assert (clock.kind, clock.limit_days) == (ClockKind.STATUTORY, 20)

    joint = make_case(
        regions["county_a"],
        template=ProcessTemplate.JOINT,
        statutory_limit_days=20,
        promised_limit_days=10,
    )
    clocks.on_accepted(joint, date(2026, 11, 2))
    limits = dict(Clock.objects.filter(case=joint).values_list("kind", "limit_days"))
    assert limits == {ClockKind.STATUTORY: 45, ClockKind.PROMISED: 10}


# --- clocks of the steps -------------------------------------------------------------------


def test_steps_get_their_clocks(regions):
    department = make_department(regions["county_a"])
    implementation = build_implementation(region=regions["county_a"], department=department)
    implementation.process_steps = [
        ProcessStep(name="受理", time_limit_days=1),
        ProcessStep(name="审查", time_limit_days=Decimal("2.5")),
        ProcessStep(name="决定", time_limit_days=1),
    ]
    implementation = publish(implementation)
    case = make_case(regions["county_a"], implementation=implementation)

    review = make_task(case, Step.REVIEW)
    clocks.on_task_opened(review, date(2026, 11, 2))
    (clock,) = Clock.objects.filter(task=review)
    # 2.5 working days round up to 3.
    assert (clock.kind, clock.label, clock.limit_days) == (ClockKind.PROMISED, "审查", 3)
    assert clock.due_date == date(2026, 11, 5)
    clocks.on_task_opened(review, date(2026, 11, 3))  # once only
    assert Clock.objects.filter(task=review).count() == 1

    joint_review = make_task(case, Step.REVIEW, name="消防审查")
    clocks.on_task_opened(joint_review, date(2026, 11, 2))
    # "消防审查" has no step of its own; it falls back to the guide's 审查 step.
    assert Clock.objects.get(task=joint_review).limit_days == 3

    decide = make_task(case, Step.DECIDE)
    clocks.on_task_opened(decide, date(2026, 11, 5))
    assert Clock.objects.get(task=decide).due_date == date(2026, 11, 6)

    deliver = make_task(case, Step.DELIVER)
    clocks.on_task_opened(deliver, date(2026, 11, 6))
    clock = Clock.objects.get(task=deliver)
    assert (clock.kind, clock.label, clock.limit_days) == (ClockKind.STATUTORY, "送达", 10)
    assert clock.due_date == date(2026, 11, 20)

    close_task(review, date(2026, 11, 4))
    clock = Clock.objects.get(task=review)
    assert clock.stopped_on == date(2026, 11, 4)
    row = next(r for r in clocks.summary(case, today=date(2026, 11, 10)) if r["task"] == review)
    assert row["stopped"] and row["state"] == "已停止" and row["used"] == 2
    assert not row["overdue"]


def test_a_step_without_a_time_limit_in_the_guide_has_no_clock(regions):
    department = make_department(regions["county_a"])
    implementation = build_implementation(region=regions["county_a"], department=department)
    implementation.process_steps = [ProcessStep(name="审查", time_limit_days=None)]
    case = make_case(regions["county_a"], implementation=publish(implementation))
    task = make_task(case, Step.REVIEW)
    clocks.on_task_opened(task, date(2026, 11, 2))
    assert not Clock.objects.filter(task=task).exists()


def test_on_the_spot_is_due_the_same_day(regions):
    case = make_case(regions["county_a"])
    task = make_task(case, Step.HANDLE)
    clocks.on_submitted(case, date(2026, 11, 2))
    (clock,) = Clock.objects.filter(case=case)
    assert clock.task == task and clock.limit_days == 0
    assert clock.due_date == date(2026, 11, 2)
    (row,) = clocks.summary(case, today=date(2026, 11, 3))
    assert row["overdue"] and row["state"] == "已超期"


def test_on_submitted_gives_the_acceptance_clock_once(regions):
    case = make_case(regions["county_a"])
    # Before the accept task exists: a case-level acceptance clock the task takes over.
    clocks.on_submitted(case, date(2026, 9, 28))
    clock = Clock.objects.get(case=case)
    assert clock.task is None and clock.due_date == date(2026, 10, 10)
    task = make_task(case, Step.ACCEPT)
    clocks.on_task_opened(task, date(2026, 9, 28))
    clocks.on_submitted(case, date(2026, 9, 28))
    (clock,) = Clock.objects.filter(case=case)
    assert clock.task == task and clock.label == "受理"


def test_a_special_procedure_pauses_the_case_and_has_its_own_clock(regions):
    department = make_department(regions["county_a"])
    implementation = build_implementation(
        region=regions["county_a"], department=department, promised_limit_days=10
    )
    implementation.special_procedures = [
        SpecialProcedure(name="专家评审", time_limit_days=15, counts_in_limit=False)
    ]
    implementation = publish(implementation)
    case = make_case(
        regions["county_a"],
        implementation=implementation,
        template=ProcessTemplate.SPECIAL,
        parameters={"special_name": "专家评审"},
    )
    clocks.on_accepted(case, date(2026, 11, 2))
    review = make_task(case, Step.REVIEW, name="初审")
    clocks.on_task_opened(review, date(2026, 11, 2))
    special = make_task(case, Step.SPECIAL, name="专家评审")
    clocks.on_task_opened(special, date(2026, 11, 4))

    case_clocks = Clock.objects.filter(case=case, task=None)
    assert {c.paused_since for c in case_clocks} == {date(2026, 11, 4)}
    assert {c.pause_reason for c in case_clocks} == {PauseReason.SPECIAL}
    own = Clock.objects.get(task=special)
    assert own.paused_since is None and own.limit_days == 15 and own.label == "专家评审"
    assert own.due_date == date(2026, 11, 25)

    close_task(special, date(2026, 11, 11))  # Wed to Wed: 5 working days not counted
    own.refresh_from_db()
    assert own.stopped_on == date(2026, 11, 11)
    promised = Clock.objects.get(case=case, task=None, kind=ClockKind.PROMISED)
    assert promised.paused_since is None and promised.paused_days == 5
    assert promised.due_date == date(2026, 11, 23)  # 11-16 + 5 working days


def test_a_special_procedure_that_counts_in_the_limit_pauses_nothing(regions):
    department = make_department(regions["county_a"])
    implementation = build_implementation(region=regions["county_a"], department=department)
    implementation.special_procedures = [
        SpecialProcedure(name="现场核查", time_limit_days=None, counts_in_limit=True)
    ]
    case = make_case(regions["county_a"], implementation=publish(implementation))
    clocks.on_accepted(case, date(2026, 11, 2))
    special = make_task(case, Step.SPECIAL, name="现场核查")
    clocks.on_task_opened(special, date(2026, 11, 4))
    assert not Clock.objects.filter(case=case, paused_since__isnull=False).exists()
    assert not Clock.objects.filter(task=special).exists()


def test_stop_all_closes_open_pauses_and_stops_every_clock(regions):
    case = make_case(regions["county_a"])
    task = make_task(case, Step.ACCEPT)
    clocks.on_task_opened(task, date(2026, 11, 2))
    clocks.on_accepted(case, date(2026, 11, 2))
    clocks.pause(case, PauseReason.CORRECTION, date(2026, 11, 3))
    clocks.stop_all(case, date(2026, 11, 6))
    assert not Clock.objects.filter(case=case, stopped_on__isnull=True).exists()
    assert not ClockPause.objects.filter(clock__case=case, end_date__isnull=True).exists()
    assert set(Clock.objects.filter(case=case).values_list("paused_days", flat=True)) == {3}
    assert {row["state"] for row in clocks.summary(case)} == {"已停止"}


def test_summary_lists_case_clocks_first_with_chinese_labels(regions):
    case = make_case(regions["county_a"], statutory_limit_days=20, promised_limit_days=5)
    task = make_task(case, Step.ACCEPT)
    clocks.on_task_opened(task, date(2026, 11, 2))
    clocks.on_accepted(case, date(2026, 11, 3))
    rows = clocks.summary(case, today=date(2026, 11, 4))
    assert [(r["label"], r["kind_label"]) for r in rows] == [
        ("办结", "法定时限"),
        ("办结", "承诺时限"),
        ("受理", "法定时限"),
    ]
    assert rows[0]["due"] == date(2026, 12, 1) and rows[0]["used"] == 1
    assert rows[0]["remaining"] == 19 and rows[0]["state"] == "正常"
    assert rows[2]["task_name"] == "受理"


def test_recompute_is_idempotent_and_saves_only_a_change(regions, django_assert_num_queries):
    case = make_case(regions["county_a"])
    clock = clocks.start(
        case=case,
        kind=ClockKind.STATUTORY,
        label="办结",
        limit_days=5,
        start_date=date(2026, 11, 2),
    )
    clocks.recompute(clock)  # builds nothing new: the table is current
    with django_assert_num_queries(0):
        assert clocks.recompute(clock) is False
    Clock.objects.filter(pk=clock.pk).update(due_date=date(2026, 1, 1))
    clock.refresh_from_db()
    assert clocks.recompute(clock) is True
    clock.refresh_from_db()
    assert clock.due_date == date(2026, 11, 9)


# --- a calendar change moves running due dates ----------------------------------------------

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


def enter_2027(actor):
    parsed = parse_notice(NOTICE_2027, year=2027)
    return enter_official_arrangement(
        year=2027,
        holidays=parsed.holidays,
        working_days=parsed.working_days,
        notice_url="https://www.gov.cn/zhengce/zhengceku/example.htm",
        notice_title="国务院办公厅关于2027年部分节假日安排的通知",
        actor=actor,
    )


def test_entering_the_2027_arrangement_moves_running_due_dates(
    regions, calendar_admin, django_capture_on_commit_callbacks, settings
):
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")
    case = make_case(regions["county_a"])
    # Across the Spring Festival: provisional 02-05..08 off.
    festival = clocks.start(
        case=case, kind=ClockKind.STATUTORY, label="办结", limit_days=5, start_date=date(2027, 2, 1)
    )
    # After it: the official notice makes Saturday 02-20 a working day.
    saturday = clocks.start(
        case=case, kind=ClockKind.PROMISED, label="办结", limit_days=5, start_date=date(2027, 2, 15)
    )
    # Filed this December, running into 2027.
    december = clocks.start(
        case=case,
        kind=ClockKind.STATUTORY,
        label="受理",
        limit_days=5,
        start_date=date(2026, 12, 28),
    )
    # Entirely in 2026, and a stopped one in 2027: neither is touched.
    in_2026 = clocks.start(
        case=case, kind=ClockKind.PROMISED, label="送达", limit_days=5, start_date=date(2026, 11, 2)
    )
    stopped = clocks.start(
        case=case, kind=ClockKind.PROMISED, label="审查", limit_days=5, start_date=date(2027, 2, 1)
    )
    Clock.objects.filter(pk=stopped.pk).update(stopped_on=date(2027, 2, 3))
    assert (festival.due_date, festival.due_is_provisional) == (date(2027, 2, 10), True)
    assert (saturday.due_date, saturday.due_is_provisional) == (date(2027, 2, 22), True)
    # 12-29, 30, 31, (01-01 off), 01-04, 01-05.
    assert (december.due_date, december.due_is_provisional) == (date(2027, 1, 5), True)
    version_2026 = in_2026.calendar_version

    with django_capture_on_commit_callbacks(execute=True):
        enter_2027(calendar_admin)

    for clock in (festival, saturday, december, in_2026, stopped):
        clock.refresh_from_db()
    # Official: 02-05..12 off → 02-02, 03, 04, 15, 16.
    assert (festival.due_date, festival.due_is_provisional) == (date(2027, 2, 16), False)
    # Official: 02-16, 17, 18, 19, 20 (Saturday worked).
    assert (saturday.due_date, saturday.due_is_provisional) == (date(2027, 2, 20), False)
    # Official: 01-01..03 off, as the provisional calendar had it: same date, now official.
    assert (december.due_date, december.due_is_provisional) == (date(2027, 1, 5), False)
    assert festival.calendar_version == WorkingCalendarState.objects.get(pk=1).version
    assert in_2026.calendar_version == version_2026
    assert (stopped.due_date, stopped.due_is_provisional) == (date(2027, 2, 10), True)
    assert clocks.summary(case)[0]["provisional"] is False


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@override_settings(TASKS=DB_TASKS)
def test_the_receiver_only_enqueues_the_task(regions):
    from django_tasks_db.models import DBTaskResult

    case = make_case(regions["county_a"])
    clock = clocks.start(
        case=case, kind=ClockKind.STATUTORY, label="办结", limit_days=5, start_date=date(2027, 2, 1)
    )
    Clock.objects.filter(pk=clock.pk).update(due_date=date(2027, 3, 1))
    working_calendar_changed.send(
        sender=None, start=date(2027, 1, 1), end=date(2027, 12, 31), version=99
    )
    (result,) = DBTaskResult.objects.filter(task_path="yiwang.hall.tasks.recompute_clocks")
    assert result.args_kwargs["kwargs"] == {"start": "2027-01-01", "end": "2027-12-31"}
    clock.refresh_from_db()
    assert clock.due_date == date(2027, 3, 1)  # not yet: the worker does it

    assert recompute_clocks.call(start="2027-01-01", end="2027-12-31") == 1
    clock.refresh_from_db()
    assert clock.due_date == date(2027, 2, 10)


def test_recompute_running_only_touches_the_range(regions):
    case = make_case(regions["county_a"])
    inside = clocks.start(
        case=case, kind=ClockKind.STATUTORY, label="a", limit_days=5, start_date=date(2027, 2, 1)
    )
    outside = clocks.start(
        case=case, kind=ClockKind.STATUTORY, label="b", limit_days=5, start_date=date(2026, 11, 2)
    )
    paused = clocks.start(
        case=case, kind=ClockKind.STATUTORY, label="c", limit_days=5, start_date=date(2026, 6, 1)
    )
    Clock.objects.filter(pk=inside.pk).update(due_date=date(2027, 3, 1))
    Clock.objects.filter(pk=outside.pk).update(due_date=date(2026, 1, 5))
    Clock.objects.filter(pk=paused.pk).update(
        due_date=date(2026, 6, 8), paused_since=date(2026, 6, 2), pause_reason="correction"
    )
    seen = []
    changed = clocks.recompute_running(
        start=date(2027, 1, 1), end=date(2027, 12, 31), progress=lambda n, c: seen.append((n, c))
    )
    for clock in (inside, outside, paused):
        clock.refresh_from_db()
    # "outside" now ends before the range (the bad date stays: its span misses 2027).
    assert outside.due_date == date(2026, 1, 5)
    assert inside.due_date == date(2027, 2, 10)
    # A paused clock's due date runs with today: 1 day used of 5 before the pause.
    today = timezone.localdate()
    expected = clocks.workdays.add_working_days(
        date(2026, 6, 1), 5 + clocks.workdays.working_days_between(date(2026, 6, 2), today).days
    ).date
    assert paused.due_date == expected
    assert changed == 2 and seen == [(2, 2)]


def test_recompute_running_goes_in_batches(regions, monkeypatch):
    monkeypatch.setattr(clocks, "BATCH_SIZE", 3)
    case = make_case(regions["county_a"])
    rows = [
        Clock(
            case=case,
            kind=ClockKind.STATUTORY,
            label=str(n),
            start_date=date(2027, 2, 1),
            limit_days=5,
            due_date=date(2027, 1, 1),
        )
        for n in range(7)
    ]
    Clock.objects.bulk_create(rows)
    seen = []
    assert clocks.recompute_running(progress=lambda n, c: seen.append(n)) == 7
    assert seen == [3, 6, 7]
    assert set(Clock.objects.values_list("due_date", flat=True)) == {date(2027, 2, 10)}


def test_days_may_be_given_as_datetimes(regions):
    case = make_case(regions["county_a"])
    moment = timezone.make_aware(datetime(2026, 9, 28, 23, 30))  # Asia/Shanghai
    clock = clocks.start(
        case=case, kind=ClockKind.STATUTORY, label="受理", limit_days=5, start_date=moment
    )
    assert clock.start_date == date(2026, 9, 28) and clock.due_date == date(2026, 10, 10)


def test_case_clocks_started_during_a_special_procedure_start_paused(regions):
    """A custom process may open the special procedure right after acceptance: the case's
    clocks, started after the task opened, are held as well."""
    case = make_case(
        regions["county_a"], promised_limit_days=None, limit_kind=LimitKind.ON_THE_SPOT
    )
    special = make_task(case, Step.SPECIAL, name="检验检测")
    clocks.on_task_opened(special, date(2026, 11, 2))
    clocks.on_accepted(case, date(2026, 11, 2))
    (clock,) = Clock.objects.filter(case=case, task=None)
    assert clock.paused_since == date(2026, 11, 2) and clock.pause_reason == "special"
    close_task(special, date(2026, 11, 9))
    clock.refresh_from_db()
    assert clock.paused_since is None and clock.paused_days == 5
    assert clock.due_date == date(2026, 12, 7)  # 11-30 + 5
