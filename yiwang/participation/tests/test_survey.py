"""网上调查: single, multiple and free answers, required questions, one response per
person (the unique constraint under a race), closing, exact result counts, and who sees
the results."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from yiwang.hall.tests.factories import make_citizen
from yiwang.participation import actions, events, queries
from yiwang.participation.models import SurveyAnswer, SurveyQuestion, SurveyResponse

from .conftest import HOST, audit_actions, make_survey

pytestmark = pytest.mark.django_db


def url(page):
    return f"/canyu/diaocha/{page.pk}/"


def fields(page):
    single, multiple, text = page.questions.all()
    return f"q_{single.pk}", f"q_{multiple.pk}", f"q_{text.pk}"


def answers(page, single, multiple, text=""):
    q1, q2, q3 = page.questions.all()
    return {q1.pk: single, q2.pk: multiple, q3.pk: text}


def test_a_citizen_answers_single_multiple_and_free_questions(client, survey, citizen):
    assert client.get(url(survey), HTTP_HOST=HOST).status_code == 302
    client.force_login(citizen)
    form = client.get(url(survey), HTTP_HOST=HOST).content.decode()
    assert "（必答）" in form and "可多选，最多选 2 项" in form and 'type="radio"' in form
    single, multiple, text = fields(survey)
    response = client.post(
        url(survey), {single: "1", multiple: ["0", "3"], text: "希望延长服务时间"}, HTTP_HOST=HOST
    )
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    saved = SurveyResponse.objects.get()
    assert saved.respondent == citizen
    rows = sorted(
        (a.question.kind, a.option_index, a.option_label, a.text) for a in saved.answers.all()
    )
    assert rows == [
        ("multiple", 0, "效率", ""),
        ("multiple", 3, "预约", ""),
        ("single", 1, "窗口办理", ""),
        ("text", None, "", "希望延长服务时间"),
    ]
    assert audit_actions() == [events.SURVEY_SUBMITTED]
    thanks = client.get(url(survey) + "?sent=1", HTTP_HOST=HOST).content.decode()
    assert "您的答卷已提交" in thanks and "提交答卷</button>" not in thanks


def test_required_questions_and_bad_choices_give_errors_next_to_each_field(client, survey, citizen):
    client.force_login(citizen)
    single, multiple, text = fields(survey)
    empty = client.post(url(survey), {text: "只答了文字题"}, HTTP_HOST=HOST)
    html = empty.content.decode()
    assert empty.status_code == 400
    assert "第 1 题为必答题，请选择一项。" in html and "第 2 题为必答题，请至少选择一项。" in html
    assert "只答了文字题" in html and "您填写的内容已保留" in html
    bad = client.post(url(survey), {single: "7", multiple: ["0", "1", "2"]}, HTTP_HOST=HOST)
    html = bad.content.decode()
    assert bad.status_code == 400 and "请选择列出的选项。" in html
    too_many = client.post(url(survey), {single: "0", multiple: ["0", "1", "2"]}, HTTP_HOST=HOST)
    assert too_many.status_code == 400 and "本题最多选择 2 项。" in too_many.content.decode()
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()

    with pytest.raises(ValidationError) as exc:
        actions.submit_survey(page=survey, user=citizen, answers=answers(survey, [0, 1], [0]))
    assert exc.value.message_dict == {single: ["本题为单选题，只能选择一项。"]}


def test_one_response_per_person(client, survey, citizen):
    client.force_login(citizen)
    single, multiple, _text = fields(survey)
    data = {single: "0", multiple: ["1"]}
    assert client.post(url(survey), data, HTTP_HOST=HOST).status_code == 302
    second = client.post(url(survey), data, HTTP_HOST=HOST)
    assert second.status_code == 409 and "您已参与过本次调查" in second.content.decode()
    page = client.get(url(survey), HTTP_HOST=HOST).content.decode()
    assert "您已参与过本次调查" in page and "提交答卷</button>" not in page
    with pytest.raises(actions.AlreadyResponded):
        actions.submit_survey(page=survey, user=citizen, answers=answers(survey, 0, [1]))
    assert SurveyResponse.objects.count() == 1 and SurveyAnswer.objects.count() == 2


def test_a_double_submit_race_gives_one_response(survey, citizen, monkeypatch):
    actions.submit_survey(page=survey, user=citizen, answers=answers(survey, 0, [1]))
    # The second request checked before the first committed: only the constraint is left.
    monkeypatch.setattr(queries, "has_responded", lambda page, user: False)
    with pytest.raises(actions.AlreadyResponded, match="您已参与过本次调查"):
        actions.submit_survey(page=survey, user=citizen, answers=answers(survey, 2, [0]))
    assert SurveyResponse.objects.count() == 1 and SurveyAnswer.objects.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(page=survey, respondent=citizen)


def test_closed_and_upcoming_surveys_refuse_responses_keeping_the_answers(client, column, citizen):
    closed = make_survey(column, slug="jieshu", opens=-10, closes=-1)
    client.force_login(citizen)
    single, multiple, text = fields(closed)
    response = client.post(
        url(closed), {single: "2", multiple: ["1"], text: "保留我的建议"}, HTTP_HOST=HOST
    )
    html = response.content.decode()
    assert response.status_code == 400 and "结束，不再接收答卷" in html
    assert "保留我的建议" in html
    assert f'name="{single}" value="2" id="id_{single}_2" checked' in html
    upcoming = make_survey(column, slug="weikaishi", opens=1, closes=5)
    with pytest.raises(ValidationError, match="开始"):
        actions.submit_survey(page=upcoming, user=citizen, answers=answers(upcoming, 0, [0]))
    assert not SurveyResponse.objects.exists()


def test_results_counts_and_percentages_are_exact(column, editor, client):
    survey = make_survey(column, slug="jieguo", results_while_open=True)
    SurveyQuestion.objects.filter(page=survey, kind="multiple").update(required=False)
    picks = [(0, [0, 1], "建议甲"), (0, [1], ""), (1, [1, 3], "建议乙"), (2, [], "")]
    for single, multiple, text in picks:
        actions.submit_survey(
            page=survey,
            user=make_citizen(),
            answers=answers(survey, single, multiple, text),
        )
    one, two, three = queries.survey_results(survey, include_text=True)
    assert one["answered"] == 4
    assert [(o["label"], o["count"], o["percent"]) for o in one["options"]] == [
        ("网上办理", 2, 50.0),
        ("窗口办理", 1, 25.0),
        ("自助终端", 1, 25.0),
    ]
    # The fourth left the multiple-choice question out: shares are of those who answered.
    assert two["answered"] == 3
    assert [(o["count"], o["percent"]) for o in two["options"]] == [
        (1, 33.3),
        (3, 100.0),
        (0, 0.0),
        (1, 33.3),
    ]
    assert three["answered"] == 2 and sorted(three["texts"]) == ["建议乙", "建议甲"]

    html = client.get(survey.url, HTTP_HOST=HOST).content.decode()
    assert "调查结果" in html and "共 4 份答卷" in html
    assert '<td class="survey-count">2</td>' in html and "50.0%" in html
    assert 'aria-hidden="true"' in html and 'width="33.3"' in html
    assert "建议甲" not in html and "共 2 条文字回答，不公开" in html


def test_results_are_public_after_closing_or_when_the_survey_says_so(column, citizen, client):
    running = make_survey(column, slug="jinxing")
    actions.submit_survey(page=running, user=citizen, answers=answers(running, 0, [0]))
    html = client.get(running.url, HTTP_HOST=HOST).content.decode()
    assert "调查结束后公布统计结果" in html and "survey-count" not in html
    assert "参与人数" in html and "1 人" in html
    running.closes_at = running.opens_at + (running.closes_at - running.opens_at) / 100
    running.save_revision().publish()
    html = client.get(running.url, HTTP_HOST=HOST).content.decode()
    assert "调查结果" in html and "survey-count" in html and "已结束" in html


def test_question_definitions_are_checked_and_fixed_once_answered(survey, citizen):
    broken = SurveyQuestion(page=survey, text="只有一个选项", kind="single", options="是")
    with pytest.raises(ValidationError) as exc:
        broken.full_clean()
    assert "选择题至少需要两个选项" in str(exc.value)
    free = SurveyQuestion(page=survey, text="问答", kind="text", options="多余")
    with pytest.raises(ValidationError, match="问答题不需要选项"):
        free.full_clean()
    limit = SurveyQuestion(page=survey, text="多选", kind="multiple", options="a\nb", max_choices=3)
    with pytest.raises(ValidationError, match="最多可选应在 1 到 2 之间"):
        limit.full_clean()

    actions.submit_survey(page=survey, user=citizen, answers=answers(survey, 0, [0]))
    question = survey.questions.first()
    question.full_clean()
    question.options = "网上办理\n窗口办理"
    with pytest.raises(ValidationError, match="本题已有答卷"):
        question.full_clean()
