"""公众参与 in Chromium: a citizen logs in from a consultation's article, comments on it and
answers a survey; a live interview page shows a guest's new answer without reloading.
axe-core checks the column, the consultation, the comment form (with an error and after
sending), the survey form, the results and the live interview page.

The pages are built before the browser starts (as an editor publishes them); the only
write while a page is open is the guest's answer, made right after the page's poll got its
answer, so the live server is idle."""

import re
from datetime import timedelta
from urllib.parse import urljoin

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_hall_journey import PASSWORD, log_in_citizen

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

POLL_SECONDS = 2


@pytest.fixture
def participation(live_sites, live_server, settings, monkeypatch):
    from yiwang.accounts.models import User, UserKind
    from yiwang.hall.tests.factories import make_department, make_staff
    from yiwang.participation import actions, queries
    from yiwang.participation.models import (
        ConsultationArticle,
        ConsultationPage,
        InterviewGuest,
        InterviewPage,
        ParticipationIndexPage,
        SurveyPage,
        SurveyQuestion,
    )
    from yiwang.portal.editorial import Role, grant

    settings.IDENTITY_URL = live_server.url.rstrip("/")
    monkeypatch.setattr(queries, "FEED_POLL_SECONDS", POLL_SECONDS)
    home = live_sites["county_a"].root_page.specific
    now = timezone.now()

    def publish(parent, page):
        parent.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        return page

    column = publish(home, ParticipationIndexPage(title="公众参与", slug="gzcy"))
    consultation = publish(
        column,
        ConsultationPage(
            title="关于征求《松林县城区养犬管理办法（征求意见稿）》意见的公告",
            slug="yangquan",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=20),
            summary="现向社会公开征求意见。",
            articles=[
                ConsultationArticle(number="第一条", heading="目的", text="为了规范养犬行为。"),
                ConsultationArticle(number="第二条", heading="登记", text="三十日内办理登记。"),
            ],
        ),
    )
    survey = publish(
        column,
        SurveyPage(
            title="松林县政务服务满意度网上调查",
            slug="diaocha",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=20),
            results_while_open=True,
            questions=[
                SurveyQuestion(
                    text="您主要通过哪种方式办事？", kind="single", options="网上\n窗口"
                ),
                SurveyQuestion(
                    text="您对哪些方面满意？", kind="multiple", options="效率\n态度\n环境"
                ),
                SurveyQuestion(text="您还有什么建议？", kind="text", required=False),
            ],
        ),
    )
    interview = publish(
        column,
        InterviewPage(
            title="县教育局负责同志做客在线访谈",
            slug="fangtan",
            starts_at=now - timedelta(minutes=10),
            ends_at=now + timedelta(hours=2),
            guests=[InterviewGuest(name="王建国", position="县教育局局长")],
        ),
    )
    citizen = User.objects.create_user(
        username="zhangsan",
        password=PASSWORD,
        kind=UserKind.NATURAL,
        display_name="张三",
        mobile="13900000001",
        real_name_level=3,
    )
    editor = make_staff(make_department(home.region, "松林县教育局"), display_name="编辑")
    grant(editor, live_sites["county_a"], Role.EDITOR)
    question = actions.ask_question(page=interview, user=citizen, text="今年什么时候报名？")
    actions.moderate_question(question=question, actor=editor, decision=actions.APPROVE)
    return {
        "column": column.get_full_url(),
        "consultation": consultation.get_full_url(),
        "article": consultation.articles.get(number="第二条"),
        "survey": survey.get_full_url(),
        "interview": interview.get_full_url(),
        "interview_page": interview,
        "question": question,
        "editor": editor,
        "citizen": citizen,
    }


def open_page(page, url):
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    page.wait_for_load_state("networkidle")


def test_a_citizen_comments_on_an_article_and_answers_a_survey(
    participation, new_page, assert_accessible, results_dir
):
    from yiwang.participation.models import ConsultationComment, SurveyResponse

    page = new_page()
    open_page(page, participation["column"])
    expect(page.locator(".participation-list")).to_contain_text("征集中")
    assert_accessible(page, "participation column")

    open_page(page, participation["consultation"])
    assert_accessible(page, "consultation page")
    page.screenshot(path=str(results_dir / "participation-consultation.png"), full_page=True)
    link = page.get_by_role("link", name="对第二条发表意见")
    log_in_citizen(page, urljoin(page.url, link.get_attribute("href")))
    page.wait_for_url(re.compile(r"/canyu/yijian/\d+/\?article="))
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label("意见针对")).to_have_value(str(participation["article"].pk))
    expect(page.locator(".article-quote")).to_contain_text("三十日内办理登记。")

    page.get_by_role("button", name="提交意见").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".p-field-error")).to_contain_text("请填写您的意见。")
    assert_accessible(page, "comment form with an error")

    page.get_by_label(re.compile("^意见内容")).fill("建议把登记期限延长到六十日，并开通网上办理。")
    page.get_by_role("button", name="提交意见").click()
    page.wait_for_url(re.compile(r"\?sent=1$"))
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("status")).to_contain_text("您的意见已提交，经审核后公开")
    expect(page.locator(".participation-table")).to_contain_text("待审核")
    assert_accessible(page, "comment form after sending")

    open_page(page, participation["survey"])
    page.get_by_role("link", name="参与调查").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "survey form")
    page.screenshot(path=str(results_dir / "participation-survey-form.png"), full_page=True)
    page.get_by_role("group", name=re.compile("您主要通过哪种方式办事")).get_by_label(
        "窗口"
    ).check()
    satisfied = page.get_by_role("group", name=re.compile("您对哪些方面满意"))
    satisfied.get_by_label("效率").check()
    satisfied.get_by_label("环境").check()
    page.get_by_label(re.compile("您还有什么建议")).fill("希望延长午间服务。")
    page.get_by_role("button", name="提交答卷").click()
    page.wait_for_url(re.compile(r"\?sent=1$"))
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("status")).to_contain_text("您的答卷已提交")

    open_page(page, participation["survey"])
    results = page.locator(".survey-results")
    expect(results).to_contain_text("共 1 份答卷")
    expect(results.get_by_role("row", name=re.compile("窗口"))).to_contain_text("100.0%")
    assert_accessible(page, "survey results")
    page.screenshot(path=str(results_dir / "participation-survey-results.png"), full_page=True)

    comment = ConsultationComment.objects.get()
    assert comment.article == participation["article"] and comment.public_name == "张**"
    response = SurveyResponse.objects.get()
    assert response.respondent == participation["citizen"] and response.answers.count() == 4


def test_the_live_interview_page_shows_a_new_answer_without_reloading(
    participation, new_page, assert_accessible, results_dir
):
    from yiwang.participation import actions

    page = new_page()
    open_page(page, participation["interview"])
    expect(page.locator("[data-interview-phase]")).to_have_text("直播中")
    live = page.locator('[aria-live="polite"]')
    expect(live).to_contain_text("暂无问答")
    assert_accessible(page, "live interview page")
    page.evaluate("() => { window.__sameDocument = true; }")

    # Right after a poll was answered the server is idle for POLL_SECONDS.
    with page.expect_response(lambda r: "feed.json" in r.url, timeout=15_000):
        pass
    guest = participation["interview_page"].guests.get()
    actions.answer_question(
        question=participation["question"],
        actor=participation["editor"],
        guest=guest,
        text="城区小学七月一日开始网上报名。",
    )

    expect(live).to_contain_text("城区小学七月一日开始网上报名。", timeout=15_000)
    expect(live).to_contain_text("今年什么时候报名？")
    expect(live).to_contain_text("王建国（县教育局局长）")
    expect(live).not_to_contain_text("暂无问答")
    assert page.evaluate("() => window.__sameDocument === true")
    page.wait_for_timeout(300)
    assert_accessible(page, "live interview page with a new answer")
    page.screenshot(path=str(results_dir / "participation-interview-live.png"), full_page=True)
