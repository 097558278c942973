"""Rectification, appeals and reminders through the actions and the hourly job; the staff
pages' access matrix."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core.models import AuditEvent
from yiwang.core.sms import RecordingSmsBackend
from yiwang.evaluation import actions, events, tasks
from yiwang.evaluation.constants import RectificationState
from yiwang.evaluation.models import Appeal, FollowUp, RatingReminder, Rectification
from yiwang.hall.tests.casekit import verified_citizen
from yiwang.hall.tests.factories import make_staff

from .conftest import GOOD, indicators

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=10):
    return timezone.make_aware(datetime(year, month, day, hour, 0))


def bad_rating(eworld, *, level=1, case=None):
    case = case or eworld.completed_case()
    return actions.rate_case(
        case=case, user=eworld.citizen, level=level, indicators=indicators(level), comment="差"
    )


def follow_up(rectification, staff, when=None):
    return actions.record_follow_up(
        rectification=rectification,
        staff=staff,
        contacted_at=when or timezone.now(),
        method="phone",
        contact_person="王科长",
        applicant_said="窗口让我跑了三次",
    )


def test_the_whole_way_closed_by_a_staff_recorded_confirmation(
    eworld, django_capture_on_commit_callbacks
):
    rectification = bad_rating(eworld).rectification
    with pytest.raises(actions.StateError):
        # A real-name bad rating is followed up before the outcome.
        actions.record_outcome(
            rectification=rectification, staff=eworld.manager, kind="rectified", text="已整改"
        )
    follow_up(rectification, eworld.manager)
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.FOLLOWED_UP
    assert FollowUp.objects.get().contact_person == "王科长"
    with django_capture_on_commit_callbacks(execute=True):
        actions.record_outcome(
            rectification=rectification,
            staff=eworld.manager,
            kind="rectified",
            text="已一次告知材料",
        )
    assert rectification.state == RectificationState.RECTIFIED
    # The applicant is told to confirm.
    assert "请登录确认" in RecordingSmsBackend.outbox[-1].text
    with pytest.raises(ValidationError):
        actions.record_confirmation(
            rectification=rectification, staff=eworld.manager, satisfied=True, feedback=""
        )
    actions.record_confirmation(
        rectification=rectification, staff=eworld.manager, satisfied=True, feedback="满意"
    )
    assert rectification.state == RectificationState.CLOSED
    assert rectification.closed_how == "staff_recorded"
    for action in (events.FOLLOW_UP_RECORDED, events.OUTCOME_RECORDED, events.CONFIRMED):
        assert AuditEvent.objects.filter(action=action, object_id=str(rectification.pk)).exists()
    with pytest.raises(actions.StateError):
        follow_up(rectification, eworld.manager)


def test_only_the_departments_manager_handles(eworld):
    rectification = bad_rating(eworld).rectification
    for staff in (eworld.other_manager, eworld.acceptor, eworld.reviewer_city, eworld.citizen):
        with pytest.raises(PermissionDenied):
            follow_up(rectification, staff)
    assert not FollowUp.objects.exists()


def test_not_satisfied_escalates_and_a_reviewer_closes(eworld, django_capture_on_commit_callbacks):
    rectification = bad_rating(eworld).rectification
    follow_up(rectification, eworld.manager)
    actions.record_outcome(
        rectification=rectification, staff=eworld.manager, kind="explained", text="依法不能办理"
    )
    with pytest.raises(PermissionDenied):
        actions.confirm_as_applicant(
            rectification=rectification, user=verified_citizen(name="李四"), satisfied=True
        )
    reviewer = eworld.reviewer_city
    reviewer.email = "reviewer@example.cn"
    reviewer.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm_as_applicant(
            rectification=rectification, user=eworld.citizen, satisfied=False, feedback="解释不清"
        )
    # The region's reviewers are told by e-mail.
    assert [m.to for m in mail.outbox] == [["reviewer@example.cn"]]
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.ESCALATED
    assert rectification.escalation_reason == "not_satisfied"
    with pytest.raises(PermissionDenied):
        actions.close_as_reviewer(
            rectification=rectification, reviewer=eworld.reviewer_other, note="不归我管"
        )
    actions.close_as_reviewer(rectification=rectification, reviewer=reviewer, note="已督促整改")
    assert rectification.state == RectificationState.CLOSED
    assert rectification.closed_how == "reviewer"


def test_the_hourly_job_escalates_overdue_across_the_holiday(
    eworld, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 9, 29))
    rectification = bad_rating(eworld).rectification
    assert rectification.deadline == date(2026, 10, 12)
    answered = bad_rating(eworld).rectification
    follow_up(answered, eworld.manager)
    actions.record_outcome(
        rectification=answered, staff=eworld.manager, kind="rectified", text="已整改"
    )
    # On the last day (and across the National Day holiday before it) nothing happens.
    for day in (date(2026, 10, 7), date(2026, 10, 12)):
        assert actions.escalate_overdue(today=day) == 0
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.OPEN and not rectification.overdue
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 10, 13))
    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.evaluation_hourly.call()
    assert summary["escalated"] == 1
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.ESCALATED and rectification.overdue
    assert rectification.escalation_reason == "overdue"
    answered.refresh_from_db()
    assert answered.state == RectificationState.RECTIFIED  # answered in time, not escalated
    assert actions.escalate_overdue(today=date(2026, 10, 14)) == 0  # flagged once


def test_the_calendar_change_moves_open_deadlines(eworld, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 9, 29))
    rectification = bad_rating(eworld).rectification
    rectification.deadline = date(2026, 10, 30)  # as if computed on another calendar
    rectification.save(update_fields=["deadline"])
    assert actions.recompute_deadlines(start=date(2026, 10, 1), end=date(2026, 10, 7)) == 1
    rectification.refresh_from_db()
    assert rectification.deadline == date(2026, 10, 12)


def test_appeal_upheld_excludes_the_rating_and_ends_its_rectification(eworld):
    rating = bad_rating(eworld)
    with pytest.raises(PermissionDenied):
        actions.file_appeal(rating=rating, staff=eworld.other_manager, kind="wrong", reason="x")
    with pytest.raises(ValidationError):
        actions.file_appeal(rating=rating, staff=eworld.manager, kind="wrong", reason="")
    appeal = actions.file_appeal(
        rating=rating, staff=eworld.manager, kind="malicious", reason="与事实不符的辱骂"
    )
    with pytest.raises(actions.StateError):
        actions.file_appeal(rating=rating, staff=eworld.manager, kind="wrong", reason="再来")
    with pytest.raises(PermissionDenied):
        actions.review_appeal(appeal=appeal, reviewer=eworld.reviewer_other, upheld=True, note="x")
    with pytest.raises(PermissionDenied):
        actions.review_appeal(appeal=appeal, reviewer=eworld.manager, upheld=True, note="x")
    actions.review_appeal(appeal=appeal, reviewer=eworld.reviewer_city, upheld=True, note="属实")
    rating.refresh_from_db()
    assert rating.excluded
    rectification = Rectification.objects.get(rating=rating)
    assert rectification.state == RectificationState.APPEAL_UPHELD
    assert rectification.get_state_display() == "申诉成立"
    with pytest.raises(actions.StateError):
        actions.review_appeal(appeal=appeal, reviewer=eworld.reviewer_city, upheld=False, note="x")
    assert AuditEvent.objects.filter(action=events.APPEAL_REVIEWED).count() == 1


def test_appeal_rejected_changes_nothing_else(eworld):
    rating = bad_rating(eworld, level=2)
    appeal = actions.file_appeal(rating=rating, staff=eworld.manager, kind="wrong", reason="误评")
    actions.review_appeal(appeal=appeal, reviewer=eworld.reviewer_city, upheld=False, note="不成立")
    rating.refresh_from_db()
    assert not rating.excluded
    assert Appeal.objects.get().state == "rejected"
    assert rating.rectification.state == RectificationState.OPEN


def test_exactly_one_reminder_a_day_after_completion(eworld, django_capture_on_commit_callbacks):
    case = eworld.completed_case()
    rated = eworld.completed_case()
    actions.rate_case(case=rated, user=eworld.citizen, level=5, indicators=GOOD)
    RecordingSmsBackend.clear()
    mail.outbox.clear()
    assert actions.send_reminders() == 0  # not a day yet
    later = timezone.now() + timedelta(days=1, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_reminders(now=later) == 1
        assert actions.send_reminders(now=later) == 0
        assert actions.send_reminders(now=later + timedelta(days=3)) == 0
    assert RatingReminder.objects.get().case == case
    texts = [m for m in RecordingSmsBackend.outbox if m.mobile == case.applicant_mobile]
    assert len(texts) == 1 and f"/pingjia/cases/{case.number}/" in texts[0].text
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhangsan@example.cn"]
    assert AuditEvent.objects.filter(action=events.REMINDER_SENT).count() == 1


def test_a_reminder_row_already_there_means_no_message(eworld, django_capture_on_commit_callbacks):
    """A second worker that read the same candidates loses on the unique case row."""
    case = eworld.completed_case()
    later = timezone.now() + timedelta(days=2)
    RatingReminder.objects.create(case=case, sent_at=later)
    RecordingSmsBackend.clear()
    from unittest import mock

    with (
        mock.patch.object(
            actions, "reminder_candidates", lambda now: type(case).objects.filter(pk=case.pk)
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert actions.send_reminders(now=later) == 0
    assert RecordingSmsBackend.outbox == []


def test_publish_figures_task(eworld):
    actions.rate_case(case=eworld.completed_case(), user=eworld.citizen, level=5, indicators=GOOD)
    assert tasks.publish_figures.call() == {"departments": 0}  # today's rating not yet in


# --- the staff pages -----------------------------------------------------------------------------


@pytest.fixture
def staff_world(eworld, client):
    rating = bad_rating(eworld)
    appeal_rating = bad_rating(eworld, level=2)
    appeal = actions.file_appeal(
        rating=appeal_rating, staff=eworld.manager, kind="wrong", reason="误评"
    )
    device = actions.register_device(department=eworld.lead, name="评价器", staff=eworld.manager)
    return {"rectification": rating.rectification, "appeal": appeal, "device": device}


def urls(w):
    r, a = w["rectification"].pk, w["appeal"].pk
    return {
        "rectifications": "/admin/evaluation/rectifications/",
        "rectification": f"/admin/evaluation/rectifications/{r}/",
        "ratings": "/admin/evaluation/ratings/",
        "appeals": "/admin/evaluation/appeals/",
        "appeal": f"/admin/evaluation/appeals/{a}/",
        "counter": "/admin/evaluation/counter/",
        "devices": "/admin/evaluation/devices/",
        "settings": "/admin/evaluation/settings/",
    }


PAGES = (
    "rectifications",
    "rectification",
    "ratings",
    "appeals",
    "appeal",
    "counter",
    "devices",
    "settings",
)
# Which pages answer 200 for whom (others: 403, or the login page for the anonymous).
ALLOWED = {
    "manager": {"rectifications", "rectification", "ratings", "counter", "devices"},
    "other_manager": {"rectifications", "ratings", "counter", "devices"},
    "reviewer_city": {"rectifications", "rectification", "appeals", "appeal"},
    "reviewer_other": {"rectifications", "appeals"},
    "acceptor": {"counter"},
    "other_acceptor": {"counter"},
    "plain_staff": set(),
    "superuser": set(PAGES),
    "anonymous": set(),
}


@pytest.mark.parametrize("who", list(ALLOWED))
def test_staff_pages_access_matrix(client, eworld, staff_world, who, django_user_model):
    people = {
        "manager": eworld.manager,
        "other_manager": eworld.other_manager,
        "reviewer_city": eworld.reviewer_city,
        "reviewer_other": eworld.reviewer_other,
        "acceptor": eworld.acceptor,
        "other_acceptor": eworld.other_acceptor,
        "plain_staff": make_staff(eworld.lead),
        "superuser": django_user_model.objects.create_superuser("root", password="x"),
        "anonymous": None,
    }
    user = people[who]
    if user is not None:
        login_with_second_factor(client, user)
    for name, url in urls(staff_world).items():
        response = client.get(url)
        assert response.status_code < 500, (who, name)
        if name in ALLOWED[who]:
            assert response.status_code == 200, (who, name, response.status_code)
        else:
            assert response.status_code in (302, 403), (who, name, response.status_code)
            if response.status_code == 302:
                assert "login" in response["Location"], (who, name)


def test_manager_works_a_rectification_over_http(client, eworld, staff_world):
    rectification = staff_world["rectification"]
    base = f"/admin/evaluation/rectifications/{rectification.pk}/act/"
    login_with_second_factor(client, eworld.other_manager)
    response = client.post(base + "follow_up/", {"follow_up-method": "phone"})
    assert response.status_code == 403
    login_with_second_factor(client, eworld.manager)
    response = client.post(base + "follow_up/", {"follow_up-method": "phone"})
    assert response.status_code == 400 and "请填写回访人。" in response.content.decode()
    response = client.post(
        base + "follow_up/",
        {
            "follow_up-contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "follow_up-method": "phone",
            "follow_up-contact_person": "王科长",
            "follow_up-applicant_said": "希望一次说清材料",
        },
    )
    assert response.status_code == 302
    response = client.post(
        base + "outcome/", {"outcome-kind": "rectified", "outcome-text": "已修订办事指南"}
    )
    assert response.status_code == 302
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.RECTIFIED
    page = client.get(f"/admin/evaluation/rectifications/{rectification.pk}/").content.decode()
    assert "已修订办事指南" in page and "记录申请人确认意见" in page
    # A reviewer's close does not apply to a department's manager.
    assert client.post(base + "close/", {"close-note": "x"}).status_code == 403


def test_counter_staff_invite_over_http(client, eworld, staff_world):
    device = staff_world["device"]
    login_with_second_factor(client, eworld.acceptor)
    page = client.get("/admin/evaluation/counter/").content.decode()
    assert "请办事人评价" in page
    response = client.post(
        "/admin/evaluation/counter/", {"device": device.pk, "case_number": "不存在的编号"}
    )
    assert response.status_code == 400 and "未找到本部门的该办件" in response.content.decode()
    response = client.post("/admin/evaluation/counter/", {"device": device.pk})
    assert response.status_code == 302
    assert device.invitations.filter(state="waiting").count() == 1
    login_with_second_factor(client, eworld.other_acceptor)
    response = client.post("/admin/evaluation/counter/", {"device": device.pk})
    assert response.status_code == 400  # not one of their department's devices
    assert device.invitations.count() == 1


def test_reviewer_decides_an_appeal_over_http(client, eworld, staff_world):
    appeal = staff_world["appeal"]
    url = f"/admin/evaluation/appeals/{appeal.pk}/"
    login_with_second_factor(client, eworld.reviewer_other)
    assert client.post(url, {"decision": "upheld", "note": "x"}).status_code == 403
    login_with_second_factor(client, eworld.reviewer_city)
    assert client.post(url, {"decision": "upheld"}).status_code == 400
    assert client.post(url, {"decision": "upheld", "note": "属实"}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == "upheld" and appeal.rating.excluded


def test_the_menu_item_shows_for_evaluation_staff_only(rf, eworld):
    from yiwang.evaluation.admin_views import menu_item

    item = menu_item()
    for user, shown in ((eworld.manager, True), (eworld.acceptor, True), (eworld.citizen, False)):
        request = rf.get("/admin/")
        request.user = user
        assert item.is_shown(request) is shown
