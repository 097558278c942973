"""A fixture of cases with known answers (the hand-counted figures are in ``EXPECTED``).

The calendar is the official one the core migration seeds: 2025's National Day holiday runs
1–8 October, with Sunday 28 September and Saturday 11 October working days.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from yiwang.catalog.tests.factories import make_implementation
from yiwang.hall.clocks import CASE_LABEL, HANDLE_LABEL
from yiwang.hall.constants import CaseStatus, Channel, ClockKind, Step, TaskState
from yiwang.hall.models import Case, CaseTask, Clock
from yiwang.hall.tests.casekit import world  # noqa: F401  (the hall's fixture)
from yiwang.hall.tests.factories import make_department

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day, hour=10, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _due(start, limit, paused=0):
    from yiwang.core import workdays

    return workdays.add_working_days(start, limit + paused).date


def make_case(
    implementation,
    *,
    submitted,
    status,
    channel=Channel.ONLINE,
    accepted=None,
    completed=None,
    corrections=0,
    clocks=(),
    number=None,
):
    """A case written directly with the given moments; ``clocks`` are ``(kind, label,
    start, limit, stopped, paused_days, on_task)``."""
    case = Case.objects.create(
        number=number,
        implementation=implementation,
        item_code=implementation.code,
        item_name=implementation.name,
        department=implementation.department,
        region=implementation.region,
        status=status,
        channel=channel,
        correction_rounds=corrections,
        submitted_at=submitted,
        accepted_at=accepted,
        completed_at=completed,
    )
    for kind, label, start, limit, stopped, paused, on_task in clocks:
        task = None
        if on_task:
            task = CaseTask.objects.create(
                case=case,
                spiff_task_id=f"t{case.pk}",
                bpmn_id="handle",
                step=Step.HANDLE,
                name="即时办理",
                department=implementation.department,
                role="acceptor",
                state=TaskState.DONE,
            )
        Clock.objects.create(
            case=case,
            task=task,
            kind=kind,
            label=label,
            start_date=start,
            limit_days=limit,
            paused_days=paused,
            due_date=_due(start, limit, paused),
            stopped_on=stopped,
        )
    return case


class Fixture:
    """Two implementations (A in 松林县, B in 临溪县) and nine cases across September and
    October 2025."""

    def __init__(self, hall_world):
        regions = hall_world.regions
        self.world = hall_world
        self.a = make_implementation(
            region=regions["county_a"], department=hall_world.lead, name="食品经营许可"
        )
        self.b = make_implementation(
            region=regions["county_b"], department=hall_world.other, name="个体工商户登记"
        )
        self.unused_department = make_department(regions["county_b"], "临溪县统计局")
        a, b = self.a, self.b
        P, S = ClockKind.PROMISED, ClockKind.STATUTORY
        D = date
        self.cases = {}
        # 1: across the National Day holiday, on time: (9-29, 10-10] has 3 working days
        # (9-30, 10-9, 10-10); due 10-13 (5 working days, 10-11 being one).
        self.cases[1] = make_case(
            a,
            submitted=at(D(2025, 9, 29)),
            accepted=at(D(2025, 9, 29), 15),
            completed=at(D(2025, 10, 10), 16),
            status=CaseStatus.COMPLETED,
            clocks=[
                (P, CASE_LABEL, D(2025, 9, 29), 5, D(2025, 10, 10), 0, False),
                (S, CASE_LABEL, D(2025, 9, 29), 20, D(2025, 10, 10), 0, False),
            ],
        )
        # 2: at the counter, statutory clock only, late: 9 working days for a limit of 5.
        self.cases[2] = make_case(
            a,
            submitted=at(D(2025, 10, 13)),
            channel=Channel.COUNTER,
            accepted=at(D(2025, 10, 13), 11),
            completed=at(D(2025, 10, 24)),
            status=CaseStatus.COMPLETED,
            clocks=[(S, CASE_LABEL, D(2025, 10, 13), 5, D(2025, 10, 24), 0, False)],
        )
        # 3: corrected once (3 paused days), submitted on a holiday: (10-9, 10-31] has 17
        # working days, minus 3 = 14 for a limit of 10: late.
        self.cases[3] = make_case(
            a,
            submitted=at(D(2025, 10, 8)),
            accepted=at(D(2025, 10, 9)),
            completed=at(D(2025, 10, 31)),
            status=CaseStatus.COMPLETED,
            corrections=1,
            clocks=[(P, CASE_LABEL, D(2025, 10, 9), 10, D(2025, 10, 31), 3, False)],
        )
        # 4: refused; 5: withdrawn after acceptance; 6: still open.
        self.cases[4] = make_case(
            a,
            submitted=at(D(2025, 10, 14)),
            completed=at(D(2025, 10, 15)),
            status=CaseStatus.REFUSED,
        )
        self.cases[5] = make_case(
            a,
            submitted=at(D(2025, 10, 20)),
            accepted=at(D(2025, 10, 21)),
            completed=at(D(2025, 10, 22)),
            status=CaseStatus.WITHDRAWN,
        )
        self.cases[6] = make_case(
            a,
            submitted=at(D(2025, 10, 27)),
            accepted=at(D(2025, 10, 27), 14),
            status=CaseStatus.ACCEPTED,
            clocks=[(P, CASE_LABEL, D(2025, 10, 27), 5, None, 0, False)],
        )
        # 7: 即办件 at the counter, done the same day (0 days, on time).
        self.cases[7] = make_case(
            b,
            submitted=at(D(2025, 10, 9)),
            channel=Channel.COUNTER,
            accepted=at(D(2025, 10, 9), 10, 5),
            completed=at(D(2025, 10, 9), 10, 5),
            status=CaseStatus.COMPLETED,
            clocks=[(P, HANDLE_LABEL, D(2025, 10, 9), 0, D(2025, 10, 9), 0, True)],
        )
        # 8: a draft never counts.
        self.cases[8] = make_case(b, submitted=None, status=CaseStatus.DRAFT)
        # 9: submitted at 00:30 on 1 September in Shanghai (31 August in UTC): September.
        self.cases[9] = make_case(
            a,
            submitted=at(D(2025, 9, 1), 0, 30),
            accepted=at(D(2025, 9, 1), 9),
            completed=at(D(2025, 9, 5), 9),
            status=CaseStatus.COMPLETED,
            clocks=[(P, CASE_LABEL, D(2025, 9, 1), 5, D(2025, 9, 5), 0, False)],
        )


# Hand-counted: {(implementation key, month): {column: value}}; columns not named are 0.
EXPECTED = {
    ("a", date(2025, 9, 1)): {
        "received": 2,
        "online": 2,
        "accepted": 2,
        "accepted_completed": 2,
        "completed": 1,
        "timed": 1,
        "on_time": 1,
        "days_sum": 4,
        "h04": 1,
    },
    ("a", date(2025, 10, 1)): {
        "received": 5,
        "online": 4,
        "accepted": 4,
        "accepted_completed": 2,
        "completed": 3,
        "refused": 1,
        "withdrawn": 1,
        "timed": 3,
        "on_time": 1,
        "days_sum": 26,
        "corrections": 1,
        "h03": 1,
        "h07": 1,
        "h08": 1,
    },
    ("b", date(2025, 10, 1)): {
        "received": 1,
        "accepted": 1,
        "accepted_completed": 1,
        "completed": 1,
        "timed": 1,
        "on_time": 1,
        "h00": 1,
    },
}


@pytest.fixture
def known(world):  # noqa: F811
    return Fixture(world)
