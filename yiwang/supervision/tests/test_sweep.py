"""The sweep's cost follows what changed; escalation notices once per clock and level;
anomaly rules on new events only, never duplicated; memos' deadlines and rights; the task
and the demo module."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yiwang.core.sms import RecordingSmsBackend
from yiwang.hall import actions as hall_actions
from yiwang.hall.constants import ProcessTemplate, Step
from yiwang.hall.models import Clock
from yiwang.hall.tests.casekit import (  # noqa: F401
    MATERIAL,
    make_submitted,
    open_task,
    pdf_upload,
    verified_citizen,
    world,
)
from yiwang.supervision import actions
from yiwang.supervision.constants import AnomalyStatus, Level
from yiwang.supervision.models import (
    Anomaly,
    AnomalyRule,
    EscalationNotice,
    SupervisionMemo,
    SweepState,
    WatchedClock,
)
from yiwang.supervision.sweep import sweep

from .kit import case_clock, department_head, make_case, make_department, regional_supervisor

pytestmark = pytest.mark.django_db


def test_an_unchanged_clock_is_not_read_again(regions, django_assert_max_num_queries):
    cases = [make_case(regions["county_a"]) for _ in range(30)]
    clocks = [case_clock(case, date(2026, 11, 2), 10) for case in cases]
    first = sweep(today=date(2026, 11, 3))
    assert first["clocks_read"] == 30 and first["rows_written"] == 30
    # Past the overlap nothing is read: neither clocks nor rows (nothing is due yet).
    later = timezone.now() + timedelta(minutes=10)
    SweepState.objects.update(clocks_until=timezone.now() - timedelta(minutes=5))
    with django_assert_max_num_queries(12):
        summary = sweep(today=date(2026, 11, 4), now=later)
    assert summary.get("clocks_read", 0) <= 30 and summary.get("rows_written", 0) == 0
    state = SweepState.objects.get()
    state.clocks_until = timezone.now() + timedelta(minutes=5)
    state.save()
    summary = sweep(today=date(2026, 11, 5), now=later)
    assert summary.get("clocks_read", 0) == 0 and summary.get("due_read", 0) == 0
    # One clock changes: one is read and rewritten.
    Clock.objects.filter(pk=clocks[0].pk).update(
        extension_days=5,
        due_date=date(2026, 11, 23),
        updated_at=timezone.now() + timedelta(minutes=6),
    )
    summary = sweep(today=date(2026, 11, 5), now=later)
    assert summary["clocks_read"] == 1 and summary["rows_written"] == 1
    # Their warn day: all 29 unchanged rows are read by their next-change index, once.
    summary = sweep(today=date(2026, 11, 12), now=later)
    assert summary["due_read"] == 29 and summary["raised_yellow"] == 29
    summary = sweep(today=date(2026, 11, 12), now=later)
    assert summary.get("due_read", 0) == 0


def test_red_escalates_once_to_the_heads(regions, django_capture_on_commit_callbacks):
    RecordingSmsBackend.clear()
    market = make_department(regions["county_a"], "松林县市场监督管理局")
    head = department_head(market, mobile="13900000002", email="head@example.gov.cn")
    cases = [make_case(regions["county_a"], department=market) for _ in range(3)]
    for case in cases:
        case_clock(case, date(2026, 11, 2), 5)  # due 11-09
    with django_capture_on_commit_callbacks(execute=True):
        summary = sweep(today=date(2026, 11, 9))
    assert summary.get("notices", 0) == 0 and not RecordingSmsBackend.outbox
    with django_capture_on_commit_callbacks(execute=True):
        summary = sweep(today=date(2026, 11, 10))
    assert summary["notices"] == 3
    notices = EscalationNotice.objects.filter(department=market)
    assert notices.count() == 3 and {n.sent_to for n in notices} == {1}
    # One digest per head and run.
    assert len(RecordingSmsBackend.outbox) == 1
    assert "等 3 项" in RecordingSmsBackend.last_to(head.mobile).text
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [head.email]
    # Cleared and red again (the clock re-read): no second notice for the same level.
    WatchedClock.objects.update(level=Level.NONE, next_change=date(2026, 11, 11))
    with django_capture_on_commit_callbacks(execute=True):
        summary = sweep(today=date(2026, 11, 11))
    assert summary["raised_red"] == 3 and summary.get("notices", 0) == 0
    assert EscalationNotice.objects.count() == 3 and len(RecordingSmsBackend.outbox) == 1
    # The head reads one.
    assert actions.mark_notice_read(notice=notices.first(), user=head)


def enable(code, **parameters):
    rule = AnomalyRule.objects.get(code=code)
    rule.enabled = True
    rule.parameters = parameters or rule.parameters
    rule.save()


def test_anomaly_rules_on_real_transitions(world):  # noqa: F811
    implementation = world.implementation(ProcessTemplate.STANDARD)
    sweep()  # the watermark starts now: older events are not rules' business
    for code in ("corrections", "fast_step", "refusal_without_basis"):
        enable(code)
    citizen = verified_citizen()
    # Three correction rounds (more than 2).
    case, _ = make_submitted(implementation, citizen)
    for _ in range(3):
        task = open_task(case, Step.ACCEPT)
        hall_actions.request_correction(
            task=task, staff=world.acceptor, items=[{"material": "居民身份证", "reason": "不清晰"}]
        )
        hall_actions.add_material(
            case=case, material_name=MATERIAL, upload=pdf_upload(), user=citizen
        )
        hall_actions.resubmit(case=case, user=citizen)
    # Accepted within seconds of arrival (a fast step).
    hall_actions.accept(task=open_task(case, Step.ACCEPT), staff=world.acceptor)
    # Refused with a reason that cites no law; another with a proper one.
    bad, _ = make_submitted(implementation, citizen)
    hall_actions.refuse(task=open_task(bad, Step.ACCEPT), staff=world.acceptor, reason="材料不行")
    good, _ = make_submitted(implementation, citizen)
    hall_actions.refuse(
        task=open_task(good, Step.ACCEPT),
        staff=world.acceptor,
        reason="依据《中华人民共和国行政许可法》第三十二条，申请事项不属于本机关职权范围。",
    )
    summary = sweep()
    found = {(a.rule.code, a.case_id) for a in Anomaly.objects.select_related("rule")}
    assert ("corrections", case.pk) in found
    assert ("fast_step", case.pk) in found
    assert ("refusal_without_basis", bad.pk) in found
    assert ("refusal_without_basis", good.pk) not in found
    assert summary["anomalies"] == len(found)
    # Re-reading the same events (the overlap) adds nothing.
    assert sweep().get("anomalies", 0) == 0
    SweepState.objects.update(events_until=None)
    assert sweep().get("anomalies", 0) == 0
    assert Anomaly.objects.count() == len(found)
    # Handled by the department's supervisor; dismissing needs a reason; only once.
    anomaly = Anomaly.objects.get(rule__code="refusal_without_basis")
    with pytest.raises(ValidationError):
        actions.handle_anomaly(anomaly=anomaly, user=world.supervisor, status="dismissed")
    with pytest.raises(PermissionDenied):
        actions.handle_anomaly(anomaly=anomaly, user=world.other_acceptor, status="confirmed")
    actions.handle_anomaly(anomaly=anomaly, user=world.supervisor, status="confirmed")
    assert Anomaly.objects.get(pk=anomaly.pk).status == AnomalyStatus.CONFIRMED
    with pytest.raises(actions.TransitionError):
        actions.handle_anomaly(anomaly=anomaly, user=world.supervisor, status="dismissed", note="x")


def test_disabled_rules_find_nothing(world):  # noqa: F811
    implementation = world.implementation()
    case, _ = make_submitted(implementation, verified_citizen())
    hall_actions.refuse(task=open_task(case, Step.ACCEPT), staff=world.acceptor, reason="不行")
    sweep()
    assert not Anomaly.objects.exists()


def test_memo_deadline_in_working_days_and_rights(regions):
    office = make_department(regions["county_a"], "松林县人民政府办公室")
    market = make_department(regions["county_a"], "松林县市场监督管理局")
    supervisor = regional_supervisor(office)
    outsider = regional_supervisor(make_department(regions["county_b"], "临溪县政务服务管理局"))
    head = department_head(market)
    case = make_case(regions["county_a"], department=market)
    with pytest.raises(PermissionDenied):
        actions.send_memo(case=case, author=outsider, text="督办")
    with pytest.raises(PermissionDenied):
        actions.send_memo(case=case, author=head, text="督办")
    with pytest.raises(ValidationError):
        actions.send_memo(case=case, author=supervisor, text="  ")
    with pytest.raises(ValidationError):
        actions.send_memo(case=case, author=supervisor, text="督办", department=office)
    memo = actions.send_memo(case=case, author=supervisor, text="请说明超期原因")
    today = timezone.localdate()
    from yiwang.core import workdays

    assert memo.answer_due == workdays.add_working_days(today, 3).date
    assert not memo.is_overdue(today)
    assert memo.is_overdue(memo.answer_due + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        actions.answer_memo(memo=memo, user=supervisor, answer="答")
    actions.answer_memo(memo=memo, user=head, answer="已办结")
    with pytest.raises(actions.TransitionError):
        actions.answer_memo(memo=memo, user=head, answer="再答")
    assert SupervisionMemo.objects.get().status == "answered"


def test_the_task_runs_the_sweep(regions):
    from yiwang.supervision.tasks import sweep_warnings

    case_clock(make_case(regions["county_a"]), date(2026, 11, 2), 5)
    result = sweep_warnings.call()
    assert result["clocks_read"] == 1 and WatchedClock.objects.count() == 1
