"""The supervision pages' remaining paths over HTTP: marking an escalation notice read,
handling an anomaly (and handling it twice), answering a memo already answered, the
administrators' configuration pages refused to everyone else, and notices, anomalies and
memos of another county refused to its outsiders.

Each test asserts what the user gets (status, redirect, the Chinese message on the page),
what changed in the database, and the audit rows written — exactly those, nothing more."""

import pytest
from django.utils import timezone

from yiwang.core.models import AuditEvent
from yiwang.core.views import AUTHORIZATION_DENIED
from yiwang.supervision import actions, events
from yiwang.supervision.anomalies import ensure_rules
from yiwang.supervision.constants import AnomalyStatus, MemoStatus
from yiwang.supervision.models import (
    Anomaly,
    AnomalyRule,
    EscalationNotice,
    SupervisionMemo,
    WarningThreshold,
)

from .test_pages import log_in, place  # noqa: F401  (the fixture of the scope matrix)

pytestmark = pytest.mark.django_db

DENIED = "没有权限"


def last_sequence():
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def audit_since(sequence):
    """The audit rows written after ``sequence``, as (action, object_type, object_id,
    actor)."""
    return [
        (row.action, row.object_type, row.object_id, row.actor_id)
        for row in AuditEvent.objects.filter(sequence__gt=sequence).order_by("sequence")
    ]


def assert_denied(response, user, since, path):
    """The audited 403 page: one denial row for ``path``, nothing else written."""
    assert response.status_code == 403
    assert DENIED in response.content.decode()
    assert audit_since(since) == [(AUTHORIZATION_DENIED, "", "", user.pk)]
    denial = AuditEvent.objects.get(sequence__gt=since)
    assert denial.detail["path"] == path and denial.detail["method"] == "POST"


def redirected_to(response, url):
    """``response`` followed: one redirect to ``url``, the page there shown."""
    assert response.redirect_chain == [(url, 302)]
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def anomaly(place):  # noqa: F811
    ensure_rules()
    case = place["cases"]["red_a"]
    return Anomaly.objects.create(
        rule=AnomalyRule.objects.get(code="corrections"),
        subject="page-paths",
        case=case,
        department=case.department,
        region=case.region,
        detail="多次退回补正",
        detected_at=timezone.now(),
    )


@pytest.fixture
def memo(place):  # noqa: F811
    """A memo from the county supervisor to 松林县市场监督管理局 about ``red_a``."""
    return actions.send_memo(
        case=place["cases"]["red_a"],
        author=place["people"]["county_supervisor"],
        text="请说明超期原因",
    )


def market_notice(place):  # noqa: F811
    return EscalationNotice.objects.get(department=place["departments"]["market"])


# Escalation notices -----------------------------------------------------------------------


def test_head_marks_a_notice_read(client, place):  # noqa: F811
    head = place["people"]["market_head"]
    notice = market_notice(place)
    assert notice.read_at is None
    log_in(client, head)
    url = f"/admin/supervision/notices/{notice.pk}/read/"
    since = last_sequence()
    content = redirected_to(client.post(url, follow=True), "/admin/supervision/notices/")
    assert "已标记为已阅。" in content
    notice.refresh_from_db()
    assert notice.read_by == head and notice.read_at is not None
    assert audit_since(since) == [
        (events.NOTICE_READ, "supervision.escalationnotice", str(notice.pk), head.pk)
    ]
    # Reading it again changes nothing and writes nothing, but says the same.
    read_at = notice.read_at
    since = last_sequence()
    content = redirected_to(client.post(url, follow=True), "/admin/supervision/notices/")
    assert "已标记为已阅。" in content
    notice.refresh_from_db()
    assert notice.read_at == read_at
    assert audit_since(since) == []


def test_a_notice_of_another_department_or_none_is_refused(client, place):  # noqa: F811
    head = place["people"]["market_head"]
    others = EscalationNotice.objects.exclude(department=place["departments"]["market"])
    assert others.exists()
    log_in(client, head)
    for notice in others:
        url = f"/admin/supervision/notices/{notice.pk}/read/"
        since = last_sequence()
        assert_denied(client.post(url), head, since, url)
    url = "/admin/supervision/notices/999999/read/"
    since = last_sequence()
    assert_denied(client.post(url), head, since, url)
    assert not EscalationNotice.objects.filter(read_at__isnull=False).exists()


# Anomalies ----------------------------------------------------------------------------------


def test_supervisor_confirms_an_anomaly_once(client, place, anomaly):  # noqa: F811
    supervisor = place["people"]["county_supervisor"]
    log_in(client, supervisor)
    url = f"/admin/supervision/anomalies/{anomaly.pk}/handle/"
    prefix = f"a{anomaly.pk}"
    since = last_sequence()
    response = client.post(
        url, {f"{prefix}-status": "confirmed", f"{prefix}-note": "确有多次退回"}, follow=True
    )
    content = redirected_to(response, "/admin/supervision/anomalies/")
    assert "核查结论已记录。" in content
    anomaly.refresh_from_db()
    assert anomaly.status == AnomalyStatus.CONFIRMED
    assert anomaly.note == "确有多次退回"
    assert anomaly.handled_by == supervisor and anomaly.handled_at is not None
    assert audit_since(since) == [
        (events.ANOMALY_HANDLED, "supervision.anomaly", str(anomaly.pk), supervisor.pk)
    ]
    row = AuditEvent.objects.get(sequence__gt=since)
    assert row.detail == {
        "status": "confirmed",
        "rule": anomaly.rule_id,
        "case": anomaly.case_id,
    }
    # Handled already: a Chinese error, back to the list, the first conclusion kept.
    since = last_sequence()
    response = client.post(
        url, {f"{prefix}-status": "dismissed", f"{prefix}-note": "改为排除"}, follow=True
    )
    content = redirected_to(response, "/admin/supervision/anomalies/")
    assert "该异常已经核查。" in content
    anomaly.refresh_from_db()
    assert (anomaly.status, anomaly.note) == (AnomalyStatus.CONFIRMED, "确有多次退回")
    assert audit_since(since) == []


@pytest.mark.parametrize(
    "data, error",
    [
        ({"note": "没有结论"}, "请选择核查结论。"),
        ({"status": "dismissed"}, "排除异常时请说明理由。"),
    ],
)
def test_a_bad_anomaly_conclusion_is_shown_again(client, place, anomaly, data, error):  # noqa: F811
    log_in(client, place["people"]["county_supervisor"])
    since = last_sequence()
    response = client.post(
        f"/admin/supervision/anomalies/{anomaly.pk}/handle/",
        {f"a{anomaly.pk}-{name}": value for name, value in data.items()},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "未能记录核查结论：请按提示修改。" in content and error in content
    anomaly.refresh_from_db()
    assert anomaly.status == AnomalyStatus.OPEN and anomaly.handled_by is None
    assert audit_since(since) == []


# Memos ------------------------------------------------------------------------------------


def test_a_memo_answered_already_keeps_its_answer(client, place, memo):  # noqa: F811
    head = place["people"]["market_head"]
    actions.answer_memo(memo=memo, user=head, answer="已于当日办结。")
    log_in(client, head)
    url = f"/admin/supervision/memos/{memo.pk}/answer/"
    since = last_sequence()
    response = client.post(url, {"answer-answer": "再次答复"}, follow=True)
    content = redirected_to(response, f"/admin/supervision/memos/{memo.pk}/")
    assert "该督办已经答复。" in content
    memo.refresh_from_db()
    assert memo.status == MemoStatus.ANSWERED and memo.answer == "已于当日办结。"
    assert audit_since(since) == []


# The administrators' pages ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["county_supervisor", "market_head", "acceptor"])
def test_configuration_is_refused_to_others(client, place, who):  # noqa: F811
    user = place["people"][who]
    ensure_rules()
    rule = AnomalyRule.objects.get(code="corrections")
    before = (rule.enabled, rule.parameters)
    log_in(client, user)

    since = last_sequence()
    response = client.get("/admin/supervision/configuration/")
    assert response.status_code == 403 and DENIED in response.content.decode()
    assert audit_since(since) == [(AUTHORIZATION_DENIED, "", "", user.pk)]

    url = f"/admin/supervision/configuration/rules/{rule.pk}/"
    since = last_sequence()
    assert_denied(client.post(url, {"enabled": "on", "max_rounds": "4"}), user, since, url)
    rule.refresh_from_db()
    assert (rule.enabled, rule.parameters) == before

    # A rule that does not exist is refused the same way, not 404.
    url = "/admin/supervision/configuration/rules/999999/"
    since = last_sequence()
    assert_denied(client.post(url), user, since, url)

    url = "/admin/supervision/configuration/thresholds/"
    since = last_sequence()
    assert_denied(client.post(url, {"t-percent": "60", "t-scope": "case"}), user, since, url)
    assert not WarningThreshold.objects.exists()


# Another county's objects -------------------------------------------------------------------


def test_another_countys_head_is_refused_everything(client, place, anomaly, memo):  # noqa: F811
    outsider = place["people"]["other_head"]
    notice = market_notice(place)
    log_in(client, outsider)

    url = f"/admin/supervision/notices/{notice.pk}/read/"
    since = last_sequence()
    assert_denied(client.post(url), outsider, since, url)
    notice.refresh_from_db()
    assert notice.read_at is None

    url = f"/admin/supervision/anomalies/{anomaly.pk}/handle/"
    since = last_sequence()
    data = {f"a{anomaly.pk}-status": "confirmed", f"a{anomaly.pk}-note": "越权"}
    assert_denied(client.post(url, data), outsider, since, url)
    anomaly.refresh_from_db()
    assert anomaly.status == AnomalyStatus.OPEN

    url = f"/admin/supervision/memos/{memo.pk}/answer/"
    since = last_sequence()
    assert_denied(client.post(url, {"answer-answer": "越权答复"}), outsider, since, url)
    memo.refresh_from_db()
    assert memo.status == MemoStatus.OPEN and memo.answer == ""
    assert not SupervisionMemo.objects.exclude(status=MemoStatus.OPEN).exists()
