"""The supervision pages over HTTP: who sees what (the scope matrix), the warning list's
filters and order, the case page, memos and anomalies through their forms, bad input."""

from datetime import date

import pytest

from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core.models import AuditEvent
from yiwang.hall.constants import HallRole
from yiwang.hall.tests.factories import make_citizen, make_staff
from yiwang.supervision import events
from yiwang.supervision.models import SupervisionMemo, WatchedClock
from yiwang.supervision.sweep import sweep

from .kit import (
    case_clock,
    department_head,
    make_case,
    make_department,
    person,
    regional_supervisor,
    step_clock,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(regions):
    """Warnings in two counties: a red and a yellow one in 松林县 (one of them in its
    township), a red one in 临溪县; and the people of the matrix."""
    county_a, county_b = regions["county_a"], regions["county_b"]
    market = make_department(county_a, "松林县市场监督管理局")
    health = make_department(county_a, "松林县卫生健康局")
    office = make_department(county_a, "松林县人民政府办公室")
    town = make_department(regions["town_a"], "青石镇人民政府")
    other = make_department(county_b, "临溪县市场监督管理局")
    red_a = make_case(county_a, department=market)
    case_clock(red_a, date(2026, 11, 2), 5)  # due 11-09
    yellow_town = make_case(regions["town_a"], department=town)
    case_clock(yellow_town, date(2026, 11, 2), 10)  # warn 11-12, due 11-16
    health_case = make_case(county_a, department=health)
    step_clock(health_case, date(2026, 11, 3))  # due 11-10
    red_b = make_case(county_b, department=other)
    case_clock(red_b, date(2026, 11, 2), 3)
    sweep(today=date(2026, 11, 13))
    people = {
        "superuser": person(office, superuser=True),
        "county_supervisor": regional_supervisor(office),
        "city_supervisor": regional_supervisor(
            make_department(regions["city"], "青山市政务服务管理局")
        ),
        "market_head": department_head(market),
        "hall_supervisor": make_staff(market, HallRole.SUPERVISOR),
        "other_head": department_head(other),
        "acceptor": make_staff(market, HallRole.ACCEPTOR),
        "citizen": make_citizen(),
    }
    return {
        "cases": {
            "red_a": red_a,
            "yellow_town": yellow_town,
            "health": health_case,
            "red_b": red_b,
        },
        "departments": {"market": market, "health": health, "town": town, "other": other},
        "people": people,
    }


def log_in(client, user):
    if user.is_staff:
        login_with_second_factor(client, user)
    else:
        client.force_login(user)


def listed(response):
    return set(response.context["rows"][i]["case_id"] for i in range(len(response.context["rows"])))


VISIBLE = {
    "superuser": {"red_a", "yellow_town", "health", "red_b"},
    "city_supervisor": {"red_a", "yellow_town", "health", "red_b"},
    "county_supervisor": {"red_a", "yellow_town", "health"},
    "market_head": {"red_a"},
    "hall_supervisor": {"red_a"},
    "other_head": {"red_b"},
}


@pytest.mark.parametrize("who", [*VISIBLE, "acceptor", "citizen"])
def test_scope_matrix(client, place, who):
    user = place["people"][who]
    log_in(client, user)
    cases = place["cases"]
    pages = [
        "/admin/supervision/",
        "/admin/supervision/warnings/",
        "/admin/supervision/memos/",
        "/admin/supervision/notices/",
        "/admin/supervision/anomalies/",
    ]
    if who not in VISIBLE:
        for url in pages + [f"/admin/supervision/cases/{cases['red_a'].pk}/"]:
            response = client.get(url)
            assert response.status_code in (302, 403), (who, url)
            if response.status_code == 403:
                assert "没有权限" in response.content.decode()
        return
    for url in pages:
        assert client.get(url).status_code == 200, (who, url)
    response = client.get("/admin/supervision/warnings/")
    expected = {cases[name].pk for name in VISIBLE[who]}
    assert listed(response) == expected
    for name, case in cases.items():
        response = client.get(f"/admin/supervision/cases/{case.pk}/")
        assert response.status_code == (200 if name in VISIBLE[who] else 403), (who, name)
    # The rules page is the administrators'.
    assert client.get("/admin/supervision/configuration/").status_code == (
        200 if who == "superuser" else 403
    )


def test_denials_are_audited(client, place):
    log_in(client, place["people"]["acceptor"])
    before = AuditEvent.objects.filter(action="accounts.authorization_denied").count()
    assert client.get("/admin/supervision/").status_code == 403
    assert AuditEvent.objects.filter(action="accounts.authorization_denied").count() == before + 1


def test_list_order_filters_and_counts(client, place):
    log_in(client, place["people"]["county_supervisor"])
    response = client.get("/admin/supervision/warnings/")
    levels = [row["level"] for row in response.context["rows"]]
    assert levels == sorted(levels, reverse=True)
    dues = [row["due_date"] for row in response.context["rows"] if row["level"] == 2]
    assert dues == sorted(dues)
    cases = place["cases"]
    assert listed(client.get("/admin/supervision/warnings/?level=1")) == {cases["yellow_town"].pk}
    town = place["cases"]["yellow_town"].region_id
    assert listed(client.get(f"/admin/supervision/warnings/?region={town}")) == {
        cases["yellow_town"].pk
    }
    health = place["departments"]["health"].pk
    assert listed(client.get(f"/admin/supervision/warnings/?department={health}")) == {
        cases["health"].pk
    }
    assert listed(client.get("/admin/supervision/warnings/?clock_scope=step")) == {
        cases["health"].pk
    }
    # Bad filter values: a Chinese error, no 500.
    response = client.get("/admin/supervision/warnings/?level=9&region=abc")
    assert response.status_code == 400
    overview = client.get("/admin/supervision/").context["counts"]
    assert (overview["red"], overview["yellow"]) == (2, 1)
    names = {row["name"]: (row["red"], row["yellow"]) for row in overview["departments"]}
    assert names["松林县市场监督管理局"] == (1, 0)
    assert names["青石镇人民政府"] == (0, 1)


def test_case_page_shows_clocks_history_and_timeline(client, place):
    log_in(client, place["people"]["county_supervisor"])
    case = place["cases"]["red_a"]
    response = client.get(f"/admin/supervision/cases/{case.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "亮红牌" in content and "办理时限" in content and "发出督办" in content
    # A department head sees the case but may not write a memo.
    client.logout()
    log_in(client, place["people"]["market_head"])
    response = client.get(f"/admin/supervision/cases/{case.pk}/")
    assert response.status_code == 200 and "发出督办" not in response.content.decode()
    response = client.post(f"/admin/supervision/cases/{case.pk}/memo/", {"memo-text": "x"})
    assert response.status_code == 403
    assert not SupervisionMemo.objects.exists()


def test_memo_round_trip_over_http(client, place, django_capture_on_commit_callbacks):
    from yiwang.core.sms import RecordingSmsBackend

    RecordingSmsBackend.clear()
    supervisor = place["people"]["county_supervisor"]
    head = place["people"]["market_head"]
    head.mobile = "13900000001"
    head.save(update_fields=["mobile"])
    case = place["cases"]["red_a"]
    log_in(client, supervisor)
    url = f"/admin/supervision/cases/{case.pk}/memo/"
    # Bad input: the form again, with the text kept and a Chinese message.
    response = client.post(
        url,
        {
            "memo-department": case.department_id,
            "memo-text": "请说明超期原因",
            "memo-answer_days": "0",
        },
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "答复期限至少 1 个工作日" in content and "请说明超期原因" in content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "memo-department": case.department_id,
                "memo-text": "请说明超期原因",
                "memo-answer_days": "3",
            },
        )
    assert response.status_code == 302
    memo = SupervisionMemo.objects.get()
    assert memo.department_id == case.department_id
    assert "督办" in RecordingSmsBackend.last_to("13900000001").text
    assert AuditEvent.objects.filter(action=events.MEMO_SENT, object_id=str(memo.pk)).exists()
    client.logout()
    log_in(client, head)
    response = client.get("/admin/supervision/memos/")
    assert [m.pk for m in response.context["page_obj"]] == [memo.pk]
    answer = f"/admin/supervision/memos/{memo.pk}/answer/"
    assert client.post(answer, {"answer-answer": " "}).status_code == 400
    assert client.post(answer, {"answer-answer": "已于当日办结。"}).status_code == 302
    memo.refresh_from_db()
    assert memo.status == "answered" and memo.answered_by == head
    # The other county's head cannot even see it.
    client.logout()
    log_in(client, place["people"]["other_head"])
    assert client.get(f"/admin/supervision/memos/{memo.pk}/").status_code == 403
    assert client.post(answer, {"answer-answer": "改写"}).status_code == 403


def test_configuration_over_http(client, place):
    from yiwang.supervision.models import AnomalyRule, WarningThreshold

    log_in(client, place["people"]["superuser"])
    rule = AnomalyRule.objects.get(code="corrections")
    url = f"/admin/supervision/configuration/rules/{rule.pk}/"
    response = client.post(url, {"enabled": "on", "max_rounds": "abc"})
    assert response.status_code == 400 and "应为整数" in response.content.decode()
    assert client.post(url, {"enabled": "on", "max_rounds": "3"}).status_code == 302
    rule.refresh_from_db()
    assert rule.enabled and rule.parameters == {"max_rounds": 3}
    response = client.post("/admin/supervision/configuration/thresholds/", {"t-percent": "120"})
    assert response.status_code == 400
    response = client.post(
        "/admin/supervision/configuration/thresholds/", {"t-percent": "60", "t-scope": "case"}
    )
    assert response.status_code == 302
    assert WarningThreshold.objects.get(region=None, scope="case").percent == 60
    # Every watched case clock is marked for the next sweep; the step clock is not.
    from django.utils import timezone

    marked = set(WatchedClock.objects.filter(scope="case").values_list("next_change", flat=True))
    assert marked == {timezone.localdate()}
    assert WatchedClock.objects.get(scope="step").next_change is None
