"""在线访谈: questions before and during it, moderation, the guests' answers in the JSON
feed after a given id, the live page, and the archived transcript after the end."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.participation import actions, events
from yiwang.participation.constants import ModerationStatus
from yiwang.participation.models import InterviewQuestion

from .conftest import HOST, OTHER_HOST, audit_actions, make_interview

pytestmark = pytest.mark.django_db


def feed(client, page, after="0"):
    return client.get(f"/canyu/fangtan/{page.pk}/feed.json?after={after}", HTTP_HOST=HOST)


def test_questions_asked_beforehand_wait_for_moderation_and_the_start(
    client, column, citizen, editor
):
    upcoming = make_interview(column, slug="yugao", starts_in_minutes=24 * 60)
    page = client.get(upcoming.url, HTTP_HOST=HOST).content.decode()
    assert "预告" in page and "我要提问" in page and "访谈尚未开始" in page

    assert client.get(f"/canyu/fangtan/{upcoming.pk}/", HTTP_HOST=HOST).status_code == 302
    client.force_login(citizen)
    sent = client.post(
        f"/canyu/fangtan/{upcoming.pk}/", {"text": "什么时候开始报名？"}, HTTP_HOST=HOST
    )
    assert sent.status_code == 302 and sent["Location"].endswith("?sent=1")
    question = InterviewQuestion.objects.get()
    assert question.status == ModerationStatus.PENDING
    assert not question.asked_live and question.public_name == "张**"

    actions.moderate_question(question=question, actor=editor, decision=actions.APPROVE)
    guest = upcoming.guests.first()
    with pytest.raises(actions.StateError, match="尚未开始"):
        actions.answer_question(question=question, actor=editor, guest=guest, text="七月。")
    assert feed(client, upcoming).json()["entries"] == []
    assert audit_actions() == [events.QUESTION_ASKED, events.QUESTION_MODERATED]

    empty = client.post(f"/canyu/fangtan/{upcoming.pk}/", {"text": ""}, HTTP_HOST=HOST)
    assert empty.status_code == 400 and "请填写您的问题。" in empty.content.decode()


def test_answers_appear_in_the_feed_after_a_given_id(client, interview, citizen, editor):
    first_q = actions.ask_question(page=interview, user=citizen, text="第一个问题")
    second_q = actions.ask_question(page=interview, user=citizen, text="第二个问题", anonymous=True)
    refused = actions.ask_question(page=interview, user=citizen, text="无关的问题")
    assert first_q.asked_live
    wang, liu = interview.guests.all()

    # Answering a pending question approves it.
    first = actions.answer_question(question=first_q, actor=editor, guest=wang, text="回答一")
    first_q.refresh_from_db()
    assert first_q.status == ModerationStatus.APPROVED

    data = feed(client, interview).json()
    assert data["phase"] == "open" and data["phase_label"] == "直播中" and not data["ended"]
    assert [e["id"] for e in data["entries"]] == [first.pk]
    entry = data["entries"][0]
    assert entry["question"] == "第一个问题" and entry["asker"] == "张**"
    assert entry["guest"] == "王建国（县教育局局长）" and entry["answer"] == "回答一"
    assert data["last_id"] == first.pk
    assert feed(client, interview, first.pk).json()["entries"] == []

    second = actions.answer_question(question=second_q, actor=editor, guest=liu, text="回答二")
    also = actions.answer_question(question=first_q, actor=editor, guest=liu, text="补充一")
    hidden = actions.answer_question(question=refused, actor=editor, guest=liu, text="不该公开")
    actions.moderate_question(
        question=refused, actor=editor, decision=actions.REJECT, reason="与主题无关。"
    )
    data = feed(client, interview, first.pk).json()
    assert [e["id"] for e in data["entries"]] == [second.pk, also.pk]
    assert data["entries"][0]["asker"] == "匿名网友"
    assert data["last_id"] == also.pk and hidden.pk > also.pk
    with pytest.raises(actions.StateError):
        actions.answer_question(question=refused, actor=editor, guest=liu, text="再答")

    html = client.get(interview.url, HTTP_HOST=HOST).content.decode()
    assert 'aria-live="polite"' in html and "participation/interview.js" in html
    assert f'data-last-id="{also.pk}"' in html and "直播中" in html
    assert "回答一" in html and "补充一" in html and "不该公开" not in html
    # One entry per question, its answers in order.
    assert html.count(f'id="qa-{first_q.pk}"') == 1
    assert html.index("回答一") < html.index("补充一")
    assert "张三" not in html


def test_the_feed_refuses_bad_input_and_other_portals(client, interview):
    for bad in ("-1", "abc", "1" * 19, "１２"):
        response = feed(client, interview, bad)
        assert response.status_code == 400
        assert response.json() == {"error": "参数 after 应为非负整数。"}
    other = client.get(f"/canyu/fangtan/{interview.pk}/feed.json", HTTP_HOST=OTHER_HOST)
    assert other.status_code == 404
    assert client.get("/canyu/fangtan/999999/feed.json", HTTP_HOST=HOST).status_code == 404
    assert feed(client, interview, "").status_code == 200
    assert feed(client, interview)["Cache-Control"].startswith("max-age=0")


def test_after_the_end_the_page_is_the_archived_transcript(client, column, citizen, editor):
    ended = make_interview(column, slug="jieshu", starts_in_minutes=-200, minutes=60)
    host_q = actions.post_host_question(page=ended, actor=editor, text="请介绍总体安排。")
    assert host_q.status == ModerationStatus.APPROVED and host_q.public_name == "主持人"
    guest = ended.guests.first()
    actions.answer_question(question=host_q, actor=editor, guest=guest, text="总体安排如下。")

    html = client.get(ended.url, HTTP_HOST=HOST).content.decode()
    assert "文字实录" in html and "已结束" in html and "访谈综述" in html
    assert "总体安排如下。" in html and "主持人" in html
    assert "interview.js" not in html and "我要提问" not in html
    assert feed(client, ended).json()["ended"] is True

    client.force_login(citizen)
    response = client.post(f"/canyu/fangtan/{ended.pk}/", {"text": "还能问吗？"}, HTTP_HOST=HOST)
    body = response.content.decode()
    assert response.status_code == 400 and "结束，不再接收提问" in body and "还能问吗？" in body
    assert InterviewQuestion.objects.filter(from_host=False).count() == 0


def test_only_the_pages_editors_answer_and_only_with_its_guests(
    column, interview, citizen, editor, outsider
):
    question = actions.ask_question(page=interview, user=citizen, text="问题")
    other = make_interview(column, slug="qita")
    with pytest.raises(PermissionDenied):
        actions.answer_question(
            question=question, actor=outsider, guest=interview.guests.first(), text="答"
        )
    with pytest.raises(PermissionDenied):
        actions.post_host_question(page=interview, actor=citizen, text="问")
    with pytest.raises(ValidationError) as exc:
        actions.answer_question(
            question=question, actor=editor, guest=other.guests.first(), text="答"
        )
    assert exc.value.message_dict == {"guest": ["请选择本次访谈的嘉宾。"]}
    with pytest.raises(ValidationError) as exc:
        actions.answer_question(question=question, actor=editor, guest=None, text="答")
    assert exc.value.message_dict == {"guest": ["请选择回答问题的嘉宾。"]}
    assert not question.answers.exists()


def test_an_interview_without_questions_from_the_public(column, citizen):
    closed_to_questions = make_interview(column, slug="buwen")
    closed_to_questions.accepts_questions = False
    closed_to_questions.save_revision().publish()
    with pytest.raises(ValidationError, match="不接受网友提问"):
        actions.ask_question(page=closed_to_questions, user=citizen, text="问题")
