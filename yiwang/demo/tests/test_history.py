"""The demo's year of historic cases and its open cases in every state of the clock
(``yiwang/demo/history.py``), on the demo's regions, catalog and hall built once for the
module (rolled back at the end), without the portals' content."""

import datetime
import re

import pytest
from django.db import transaction
from django.db.models import Count, Max
from django.test import override_settings
from django.utils import timezone

from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core import workdays
from yiwang.demo import catalog as demo_catalog
from yiwang.demo import history
from yiwang.demo.builder import DemoBuilder
from yiwang.demo.hall import build_hall
from yiwang.demo.spec import TZ
from yiwang.hall import clocks, engine
from yiwang.hall.constants import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    CaseStatus,
    Channel,
    EventKind,
    HallRole,
    TaskState,
)
from yiwang.hall.models import Case, CaseNumberCounter, CaseTask, Clock
from yiwang.hall.tests.factories import make_staff
from yiwang.orgs.models import Region, stats_code

pytestmark = pytest.mark.django_db

COUNT = 240
OPEN_COUNT = 20
HOST = "songlin.localhost"
NUMBER_RE = re.compile(r"^(\d{6})(\d{8})(\d{6})$")


class Bar:
    n = 0

    def update(self, n=1):
        self.n += n


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, media_dir, private_dir, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_dir, HALL_PRIVATE_ROOT=private_dir, DATA_DIR=data_dir),
    ):
        with transaction.atomic():
            workdays.invalidate()
            builder = DemoBuilder(port=8000, seed=2026)
            builder._create_regions_and_bodies()
            builder._create_users()
            demo_catalog.build_catalog(actor=builder.admin, bar=Bar())
            build_hall(actor=builder.admin)
            from yiwang.portal.sitegroup import create_portal

            create_portal(
                hostname=HOST,
                title="松林县人民政府",
                region=Region.objects.get(code=stats_code("990121")),
                is_default=True,
                site_id_code="9901210001",
            )
            today = timezone.localdate()
            calls = []
            result = history.load(
                today=today,
                count=COUNT,
                open_count=OPEN_COUNT,
                progress=lambda done, total: calls.append((done, total)),
            )
            yield {"admin": builder.admin, "today": today, "result": result, "calls": calls}
            transaction.set_rollback(True)


def test_counts_and_mix(demo):
    assert demo["result"]["history"] == COUNT and demo["result"]["open"] == OPEN_COUNT
    assert demo["calls"][-1] == (COUNT, COUNT)
    cases = history.history_cases()
    assert cases.count() == COUNT
    statuses = dict(cases.values_list("status").annotate(n=Count("pk")).order_by())
    assert set(statuses) <= set(FINAL_STATUSES)
    assert statuses[CaseStatus.COMPLETED] >= 0.75 * COUNT
    assert statuses.get(CaseStatus.REFUSED, 0) >= 3 and statuses.get(CaseStatus.WITHDRAWN, 0) >= 3
    online = cases.filter(channel=Channel.ONLINE).count()
    assert 0.6 <= online / COUNT <= 0.85
    counter = cases.filter(channel=Channel.COUNTER)
    assert not counter.filter(created_by=None).exists()
    assert not counter.filter(applicant__isnull=False).exists()
    corrected = cases.filter(correction_rounds__gte=1).count()
    assert 0.1 * COUNT <= corrected <= 0.3 * COUNT
    assert cases.filter(status=CaseStatus.COMPLETED, decision="denied").exists()
    assert not cases.filter(status=CaseStatus.REFUSED, refusal_reason="").exists()
    # Across the hall's implementations and departments, submitted within the year.
    assert cases.values("implementation").distinct().count() >= 15
    assert cases.values("department").distinct().count() >= 10
    today = demo["today"]
    first = datetime.datetime.combine(today - datetime.timedelta(days=366), datetime.time(), TZ)
    ends = datetime.datetime.combine(today, datetime.time(), TZ)
    assert not cases.filter(submitted_at__lt=first).exists()
    assert not cases.filter(completed_at__gte=ends).exists()
    # More on working days than on the rest.
    working = sum(
        1 for s in cases.values_list("submitted_at", flat=True)
        if workdays.is_working_day(timezone.localdate(s))
    )  # fmt: skip
    assert working >= 0.8 * COUNT
    # Some late against the promised limit.
    late = [
        c
        for c in Clock.objects.filter(case__in=cases, task=None, kind="promised")
        if c.stopped_on > c.due_date
    ]
    assert late


def test_case_lifecycles_are_consistent(demo):
    cases = history.history_cases().prefetch_related("tasks", "events", "corrections")
    for case in cases:
        assert case.submitted_at <= (case.accepted_at or case.completed_at) <= case.completed_at
        if case.status == CaseStatus.COMPLETED:
            assert case.decided_at and case.decision and case.delivery_method
            assert case.accepted_at <= case.decided_at <= case.completed_at
        tasks = list(case.tasks.all())
        assert tasks and all(t.state in (TaskState.DONE, TaskState.CANCELLED) for t in tasks)
        assert all(t.completed_at and t.created_at <= t.completed_at for t in tasks)
        events = sorted(case.events.all(), key=lambda e: (e.at, e.pk))
        kinds = [e.kind for e in events]
        assert kinds[-1] in (
            EventKind.DELIVERED,
            EventKind.REFUSED,
            EventKind.WITHDRAWN,
        ), (case.number, kinds)
        assert kinds.count(EventKind.CORRECTION_REQUESTED) == case.correction_rounds
        assert len(case.corrections.all()) == case.correction_rounds
        assert case.form_data and case.applicant_id_number_masked


def test_numbers_unique_well_formed_and_counters_moved_on(demo):
    cases = list(history.history_cases().select_related("region"))
    numbers = [c.number for c in cases]
    assert len(set(numbers)) == len(numbers)
    highest = {}
    for case in cases:
        match = NUMBER_RE.match(case.number)
        assert match, case.number
        division, day, seq = match.groups()
        assert division == case.region.division_code
        assert day == timezone.localdate(case.submitted_at).strftime("%Y%m%d")
        scope = f"{division}-{day}"
        highest[scope] = max(highest.get(scope, 0), int(seq))
    counters = dict(
        CaseNumberCounter.objects.filter(scope__in=list(highest)).values_list("scope", "last")
    )
    assert all(counters[scope] >= last for scope, last in highest.items())


def test_clocks_agree_with_the_working_day_calendar(demo):
    clocks_qs = Clock.objects.filter(case__in=history.history_cases()).prefetch_related("pauses")
    assert clocks_qs.count() >= 3 * COUNT
    kinds = set()
    for clock in clocks_qs:
        kinds.add((clock.kind, clock.label))
        assert clock.stopped_on is not None and clock.paused_since is None
        total = clock.limit_days + clock.extension_days + clock.paused_days
        assert clock.due_date == workdays.add_working_days(clock.start_date, total).date
        pauses = list(clock.pauses.all())
        assert clock.paused_days == sum(
            workdays.working_days_between(p.start_date, p.end_date).days for p in pauses
        )
        assert clocks.recompute(clock) is False
    assert {("statutory", "受理"), ("statutory", "办结"), ("promised", "办结")} <= kinds
    assert {("statutory", "送达"), ("promised", "即办")} <= kinds
    # Corrections paused the acceptance clock, special procedures the case's clocks.
    reasons = set(
        Clock.objects.filter(case__in=history.history_cases(), pauses__isnull=False)
        .values_list("pauses__reason", flat=True)
        .distinct()
    )
    assert "correction" in reasons
    # Every closed task's clocks stopped on the day it closed.
    for clock in clocks_qs.filter(task__isnull=False).select_related("task"):
        assert clock.stopped_on == timezone.localdate(clock.task.completed_at)


def test_workflow_states_load_and_show_the_path(demo):
    seen = set()
    for case in history.history_cases().select_related("process"):
        if case.process_id in seen:
            continue
        seen.add(case.process_id)
        workflow = engine.load(case.process, case.workflow_state)
        position = engine.position(workflow)
        ids = {str(t.id) for t in workflow.get_tasks()}
        if case.status == CaseStatus.COMPLETED:
            assert engine.is_completed(workflow) and not position["waiting"]
            spiff = set(case.tasks.values_list("spiff_task_id", flat=True))
            assert spiff <= ids
    # Task ids are renewed per case.
    ids = CaseTask.objects.filter(case__in=history.history_cases()).values_list(
        "spiff_task_id", flat=True
    )
    assert len(set(ids)) == len(ids)


def test_the_staff_and_applicant_pages_render_a_historic_case(client, demo):
    case = (
        history.history_cases()
        .filter(status=CaseStatus.COMPLETED, channel=Channel.ONLINE, correction_rounds__gte=1)
        .exclude(applicant=None)
        .first()
    )
    assert case is not None
    supervisor = make_staff(case.department, HallRole.SUPERVISOR, display_name="监察")
    login_with_second_factor(client, supervisor)
    page = client.get(f"/admin/hall/cases/{case.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert case.number in text and "已办结" in text and "补正" in text
    client.logout()
    client.force_login(case.applicant)
    mine = client.get(f"/banshi/cases/{case.number}/", HTTP_HOST=HOST)
    assert mine.status_code == 200
    assert case.number in mine.content.decode()


def test_open_cases_cover_the_states_of_the_clock(demo):
    today = demo["today"]
    cases = list(history.open_cases())
    assert len(cases) == OPEN_COUNT
    assert all(c.status in OPEN_STATUSES for c in cases)
    colours = {}
    for case in cases:
        colours.setdefault(history.colour_of(case, today=today), []).append(case)
        # Made by the actions: open tasks, clocks running and due dates as recompute says.
        assert case.tasks.filter(state=TaskState.OPEN).exists()
        for clock in Clock.objects.filter(case=case, stopped_on=None):
            assert clocks.recompute(clock, today=today) is False
    assert {"green", "yellow", "red"} <= set(colours)
    # A yellow case has a clock at 80% or more of its limit, a red one is past a due date.
    red = colours["red"][0]
    assert any(e["overdue"] for e in clocks.summary(red, today=today))
    assert any(
        not e["stopped"] and not e["paused"] and e["due"] < today
        for e in clocks.summary(red, today=today)
    )
    statuses = {c.status for c in cases}
    assert {CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.DECIDED} <= statuses
    assert CaseStatus.CORRECTION in statuses
    paused = Case.objects.filter(pk__in=[c.pk for c in cases], status=CaseStatus.CORRECTION)
    assert Clock.objects.filter(case__in=paused, paused_since__isnull=False).exists()
    # Back-dated: submitted before today, tasks opened when the step happened.
    assert min(c.submitted_at for c in cases).date() < today - datetime.timedelta(days=3)
    assert len({c.department_id for c in cases}) >= 3
    latest = CaseTask.objects.filter(case__in=cases).aggregate(m=Max("created_at"))["m"]
    assert latest <= timezone.now()


def test_load_is_idempotent_and_reset_removes_only_its_own(demo):
    before = Case.objects.count()
    again = history.load(today=demo["today"], count=COUNT, open_count=OPEN_COUNT)
    assert again["history"] == 0 and again["open"] == 0
    assert Case.objects.count() == before
    others = set(
        Case.objects.exclude(pk__in=history.history_cases().values("pk"))
        .exclude(pk__in=history.open_cases().values("pk"))
        .values_list("pk", flat=True)
    )
    # (the hall demo's waiting application when identity is built; none here)
    with transaction.atomic():
        history.reset()
        assert not history.history_cases().exists() and not history.open_cases().exists()
        assert set(Case.objects.values_list("pk", flat=True)) == others
        from django.contrib.auth import get_user_model

        assert not get_user_model().objects.filter(username__startswith="history.").exists()
        transaction.set_rollback(True)
