"""The back office of 公众参与: only staff who may edit a page moderate it (others get a 403,
audited), comments approved one by one or together, rejected with a reason, outcomes
recorded; interview answers typed; survey results with the free answers and the CSV."""

import pytest
from django.urls import reverse

from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core.models import AuditEvent
from yiwang.participation import actions, events, wagtail_hooks
from yiwang.participation.constants import Adoption, ModerationStatus
from yiwang.participation.models import ConsultationComment, InterviewAnswer

from .conftest import HOST, audit_actions, make_consultation

pytestmark = pytest.mark.django_db


def admin_url(name, *args):
    return reverse(f"participation_admin:{name}", args=args)


def test_anonymous_visitors_are_sent_to_the_login(client, consultation):
    response = client.get(admin_url("consultation", consultation.pk), HTTP_HOST=HOST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_without_the_page_permission_are_refused(
    client, consultation, interview, survey, citizen, outsider
):
    comment = actions.submit_comment(page=consultation, user=citizen, text="意见")
    question = actions.ask_question(page=interview, user=citizen, text="问题")
    login_with_second_factor(client, outsider)
    denials_before = AuditEvent.objects.filter(action="accounts.authorization_denied").count()
    for get in (
        admin_url("consultation", consultation.pk),
        admin_url("interview", interview.pk),
        admin_url("survey", survey.pk),
        admin_url("survey_export", survey.pk),
        admin_url("consultations"),
        admin_url("index"),
    ):
        assert client.get(get).status_code == 403, get
    moderate = client.post(
        admin_url("comment_moderate", consultation.pk, comment.pk),
        {f"m{comment.pk}-decision": "approve"},
    )
    answer = client.post(
        admin_url("question_answer", interview.pk, question.pk),
        {f"a{question.pk}-guest": str(interview.guests.first().pk), f"a{question.pk}-text": "答"},
    )
    assert moderate.status_code == 403 and answer.status_code == 403
    comment.refresh_from_db()
    assert comment.status == ModerationStatus.PENDING and not InterviewAnswer.objects.exists()
    denials = AuditEvent.objects.filter(action="accounts.authorization_denied").count()
    assert denials - denials_before == 8
    # Nor does the explorer offer them the button.
    assert list(wagtail_hooks.page_listing_more_buttons(consultation, outsider)) == []


def test_the_editor_moderates_and_records_outcomes(
    client, column, consultation, citizen, other_citizen, editor
):
    first = actions.submit_comment(page=consultation, user=citizen, text="第一条意见")
    second = actions.submit_comment(page=consultation, user=other_citizen, text="第二条意见")
    third = actions.submit_comment(page=consultation, user=other_citizen, text="第三条意见")
    login_with_second_factor(client, editor)

    listing = client.get(admin_url("consultations")).content.decode()
    assert consultation.title in listing and "<strong>3</strong>" in listing
    page = client.get(admin_url("consultation", consultation.pk)).content.decode()
    assert "第一条意见" in page and "张三" in page and citizen.mobile[-4:] in page
    assert citizen.mobile not in page

    bulk = client.post(
        admin_url("comments_approve", consultation.pk),
        {"comment": [str(first.pk), str(second.pk)], "return_query": "status=pending"},
    )
    assert bulk.status_code == 302 and bulk["Location"].endswith("?status=pending")
    no_reason = client.post(
        admin_url("comment_moderate", consultation.pk, third.pk),
        {f"m{third.pk}-decision": "reject"},
    )
    assert no_reason.status_code == 400 and "不通过时请填写理由。" in no_reason.content.decode()
    rejected = client.post(
        admin_url("comment_moderate", consultation.pk, third.pk),
        {f"m{third.pk}-decision": "reject", f"m{third.pk}-reason": "重复内容。"},
    )
    assert rejected.status_code == 302
    missing_reason = client.post(
        admin_url("comment_adoption", consultation.pk, second.pk),
        {f"a{second.pk}-outcome": Adoption.PARTLY},
    )
    assert missing_reason.status_code == 400
    assert "请说明部分采纳或未采纳的理由。" in missing_reason.content.decode()
    adopted = client.post(
        admin_url("comment_adoption", consultation.pk, first.pk),
        {f"a{first.pk}-outcome": Adoption.ADOPTED, f"a{first.pk}-reason": "已修改第三条。"},
    )
    assert adopted.status_code == 302
    not_approved = client.post(
        admin_url("comment_adoption", consultation.pk, third.pk),
        {f"a{third.pk}-outcome": Adoption.ADOPTED},
    )
    assert not_approved.status_code == 302  # refused with a message, nothing saved

    statuses = dict(ConsultationComment.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: ModerationStatus.APPROVED,
        second.pk: ModerationStatus.APPROVED,
        third.pk: ModerationStatus.REJECTED,
    }
    first.refresh_from_db()
    third.refresh_from_db()
    assert first.adoption == Adoption.ADOPTED and first.adoption_by == editor
    assert third.adoption == "" and third.moderation_reason == "重复内容。"
    assert audit_actions() == [
        *[events.COMMENT_SUBMITTED] * 3,
        *[events.COMMENT_MODERATED] * 3,
        events.ADOPTION_RECORDED,
    ]
    other_page = make_consultation(column, slug="qita")
    assert (
        client.post(
            admin_url("comment_moderate", other_page.pk, first.pk),
            {f"m{first.pk}-decision": "approve"},
        ).status_code
        == 404
    )
    buttons = list(wagtail_hooks.page_listing_more_buttons(consultation, editor))
    assert [b.label for b in buttons] == ["意见审核与采纳"]


def test_the_editor_answers_during_the_interview(client, interview, citizen, editor):
    question = actions.ask_question(page=interview, user=citizen, text="报名时间？")
    login_with_second_factor(client, editor)
    page = client.get(admin_url("interview", interview.pk)).content.decode()
    assert "报名时间？" in page and "发布回答" in page

    no_guest = client.post(
        admin_url("question_answer", interview.pk, question.pk),
        {f"a{question.pk}-text": "七月一日。"},
    )
    assert no_guest.status_code == 400 and "请选择回答问题的嘉宾。" in no_guest.content.decode()
    guest = interview.guests.first()
    answered = client.post(
        admin_url("question_answer", interview.pk, question.pk),
        {f"a{question.pk}-guest": str(guest.pk), f"a{question.pk}-text": "七月一日。"},
    )
    assert answered.status_code == 302
    host = client.post(admin_url("host_question", interview.pk), {"text": "请介绍总体安排。"})
    assert host.status_code == 302 and host["Location"].endswith("?status=unanswered")
    empty_host = client.post(admin_url("host_question", interview.pk), {"text": ""})
    assert empty_host.status_code == 400

    feed = client.get(f"/canyu/fangtan/{interview.pk}/feed.json", HTTP_HOST=HOST).json()
    assert [e["answer"] for e in feed["entries"]] == ["七月一日。"]
    answered_tab = client.get(admin_url("interview", interview.pk) + "?status=answered")
    assert "七月一日。" in answered_tab.content.decode()
    assert events.QUESTION_ANSWERED in audit_actions()
    assert events.HOST_QUESTION_POSTED in audit_actions()


def test_survey_results_with_free_answers_and_the_export(client, survey, citizen, editor):
    q1, q2, q3 = survey.questions.all()
    actions.submit_survey(
        page=survey,
        user=citizen,
        answers={q1.pk: 0, q2.pk: [1], q3.pk: '=HYPERLINK("x")'},
    )
    login_with_second_factor(client, editor)
    page = client.get(admin_url("survey", survey.pk)).content.decode()
    assert "统计结果" in page and "=HYPERLINK" in page and "100.0%" in page
    listing = client.get(admin_url("surveys")).content.decode()
    assert survey.title in listing and "<td>1</td>" in listing
    export = client.get(admin_url("survey_export", survey.pk))
    assert export["Content-Type"].startswith("text/csv")
    body = export.content.decode("utf-8-sig")
    assert "网上办理,1,100.0" in body and "'=HYPERLINK" in body
    assert "张三" not in body
