"""意见征集 over HTTP and through the actions: who may comment, on the whole draft or an
article, what the public page shows (approved comments only, masked names), closing,
errors next to the fields, and the feedback report with every comment's outcome."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from yiwang.participation import actions, events
from yiwang.participation.constants import Adoption, ModerationStatus
from yiwang.participation.models import ConsultationComment

from .conftest import HOST, OTHER_HOST, audit_actions, make_consultation

pytestmark = pytest.mark.django_db


def url(page):
    return f"/canyu/yijian/{page.pk}/"


def page_html(client, page, query=""):
    response = client.get(page.url + query, HTTP_HOST=HOST)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in_and_nothing_is_saved(client, consultation):
    for response in (
        client.get(url(consultation), HTTP_HOST=HOST),
        client.post(url(consultation), {"text": "意见"}, HTTP_HOST=HOST),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/sso/")
        assert "next=" in response["Location"]
    assert not ConsultationComment.objects.exists()
    with pytest.raises(PermissionDenied):
        actions.submit_comment(page=consultation, user=None, text="意见")


def test_a_citizen_comments_on_the_whole_draft_and_on_an_article(client, consultation, citizen):
    client.force_login(citizen)
    third = consultation.articles.get(number="第三条")
    form = client.get(url(consultation) + f"?article={third.pk}", HTTP_HOST=HOST)
    html = form.content.decode()
    assert form.status_code == 200 and "养犬人应当在三十日内办理登记。" in html
    assert f'<option value="{third.pk}" selected>' in html

    whole = client.post(
        url(consultation), {"article": "", "text": "建议增加宣传。"}, HTTP_HOST=HOST
    )
    assert whole.status_code == 302 and whole["Location"].endswith("?sent=1")
    on_article = client.post(
        url(consultation),
        {"article": str(third.pk), "text": "建议延长到六十日。", "anonymous": "on"},
        HTTP_HOST=HOST,
    )
    assert on_article.status_code == 302

    first, second = ConsultationComment.objects.order_by("pk")
    assert (first.article, first.article_label, first.public_name) == (None, "", "张**")
    assert second.article == third and second.article_label == "第三条 登记"
    assert second.anonymous and second.public_name == "匿名网友"
    assert {first.status, second.status} == {ModerationStatus.PENDING}
    assert first.author == citizen
    assert audit_actions() == [events.COMMENT_SUBMITTED, events.COMMENT_SUBMITTED]

    thanks = client.get(url(consultation) + "?sent=1", HTTP_HOST=HOST).content.decode()
    assert "经审核后公开" in thanks and "建议延长到六十日。" in thanks and "待审核" in thanks


def test_only_approved_comments_are_public_and_never_with_the_writers_name(
    client, consultation, citizen, other_citizen, editor
):
    article = consultation.articles.first()
    shown = actions.submit_comment(
        page=consultation, user=citizen, text="已公开的那条意见", article=article
    )
    pending = actions.submit_comment(page=consultation, user=other_citizen, text="待审核的意见")
    hidden = actions.submit_comment(page=consultation, user=other_citizen, text="广告内容")
    actions.moderate_comment(comment=shown, actor=editor, decision=actions.APPROVE)
    actions.moderate_comment(
        comment=hidden, actor=editor, decision=actions.REJECT, reason="与征求意见稿无关。"
    )

    html = page_html(client, consultation)
    assert "已公开的那条意见" in html and "张**" in html
    assert "待审核的意见" not in html and "广告内容" not in html
    assert "张三" not in html and "欧阳修" not in html and citizen.mobile not in html
    assert "共收到意见 3 条，经审核公开 1 条" in html
    assert "第一条的公开意见（1 条）" in html
    # Narrowed to the whole draft: the article's comment is not there.
    assert "已公开的那条意见" not in page_html(client, consultation, "?article=whole")
    assert "已公开的那条意见" in page_html(client, consultation, f"?article={article.pk}")
    # Bad filter values are ignored.
    assert "已公开的那条意见" in page_html(client, consultation, "?article=xyz&page=abc")

    pending.refresh_from_db()
    assert pending.status == ModerationStatus.PENDING
    # The rejected writer sees why, on their own list.
    client.force_login(other_citizen)
    mine = client.get(url(consultation), HTTP_HOST=HOST).content.decode()
    assert "未通过：与征求意见稿无关。" in mine and "待审核" in mine


def test_bad_input_gives_chinese_errors_next_to_the_field_and_keeps_the_text(
    client, consultation, column, citizen
):
    client.force_login(citizen)
    empty = client.post(url(consultation), {"article": "", "text": "  "}, HTTP_HOST=HOST)
    assert empty.status_code == 400 and "请填写您的意见。" in empty.content.decode()

    other = make_consultation(column, slug="qita")
    foreign = other.articles.first()
    wrong = client.post(
        url(consultation), {"article": str(foreign.pk), "text": "意见"}, HTTP_HOST=HOST
    )
    assert wrong.status_code == 400 and "请选择列出的选项。" in wrong.content.decode()
    with pytest.raises(ValidationError) as exc:
        actions.submit_comment(page=consultation, user=citizen, text="意见", article=foreign)
    assert exc.value.message_dict == {"article": ["请选择本征求意见稿中的条文。"]}

    long_text = "长" * 2001
    too_long = client.post(url(consultation), {"text": long_text}, HTTP_HOST=HOST)
    html = too_long.content.decode()
    assert too_long.status_code == 400 and "最多 2000 个字" in html and long_text in html

    actions.submit_comment(page=consultation, user=citizen, text="同样的意见")
    again = client.post(url(consultation), {"text": "同样的意见"}, HTTP_HOST=HOST)
    assert again.status_code == 400 and "请勿重复提交" in again.content.decode()
    assert ConsultationComment.objects.count() == 1


def test_after_closing_no_comment_is_accepted_and_nothing_written_is_lost(client, column, citizen):
    closed = make_consultation(column, slug="closed", opens=-20, closes=-1)
    client.force_login(citizen)
    page = client.get(url(closed), HTTP_HOST=HOST).content.decode()
    assert "截止，不再接收意见" in page and "提交意见</button>" not in page
    response = client.post(url(closed), {"text": "我的长篇意见，请保留。"}, HTTP_HOST=HOST)
    html = response.content.decode()
    assert response.status_code == 400
    assert "截止，不再接收意见" in html and "我的长篇意见，请保留。" in html
    assert not ConsultationComment.objects.exists()

    upcoming = make_consultation(column, slug="later", opens=2, closes=10)
    with pytest.raises(ValidationError, match="开始"):
        actions.submit_comment(page=upcoming, user=citizen, text="意见")
    public = page_html(client, closed)
    assert "已结束" in public and "对征求意见稿整体发表意见" not in public


def test_a_page_of_another_portal_or_not_live_is_not_found(client, consultation, citizen):
    client.force_login(citizen)
    assert client.get(url(consultation), HTTP_HOST=OTHER_HOST).status_code == 404
    consultation.unpublish()
    assert client.get(url(consultation), HTTP_HOST=HOST).status_code == 404
    assert client.get("/canyu/yijian/999999/", HTTP_HOST=HOST).status_code == 404


def test_the_feedback_report_is_published_after_closing_with_each_outcome(
    client, column, citizen, other_citizen, editor
):
    report = "<p>共收到意见若干条，采纳情况如下。</p>"
    page = make_consultation(column, slug="fankui", opens=-20, closes=10, feedback=report)
    adopted = actions.submit_comment(page=page, user=citizen, text="建议一")
    declined = actions.submit_comment(page=page, user=other_citizen, text="建议二")
    pending = actions.submit_comment(page=page, user=other_citizen, text="建议三")
    for comment in (adopted, declined):
        actions.moderate_comment(comment=comment, actor=editor, decision=actions.APPROVE)

    with pytest.raises(ValidationError) as exc:
        actions.record_adoption(comment=declined, actor=editor, outcome=Adoption.NOT_ADOPTED)
    assert exc.value.message_dict == {"reason": ["请说明部分采纳或未采纳的理由。"]}
    with pytest.raises(actions.StateError):
        actions.record_adoption(comment=pending, actor=editor, outcome=Adoption.ADOPTED)
    actions.record_adoption(comment=adopted, actor=editor, outcome=Adoption.ADOPTED)
    actions.record_adoption(
        comment=declined, actor=editor, outcome=Adoption.NOT_ADOPTED, reason="超出本办法范围。"
    )

    # Still open: the report and the outcomes wait for the close.
    html = page_html(client, page)
    assert "共收到意见若干条" not in html and "采纳情况：" not in html

    page.closes_at = page.opens_at + (page.closes_at - page.opens_at) / 100
    page.save_revision().publish()
    html = page_html(client, page)
    assert "意见采纳情况" in html and "共收到意见若干条" in html
    assert "采纳 1 条，部分采纳 0 条，未采纳 1 条" in html
    assert "采纳情况：采纳" in html and "采纳情况：未采纳" in html and "超出本办法范围。" in html
    assert "已反馈" in page_html(client, column)

    # A comment with an outcome cannot be taken down until the outcome is cleared.
    with pytest.raises(actions.StateError):
        actions.moderate_comment(comment=adopted, actor=editor, decision=actions.REJECT, reason="x")
    actions.record_adoption(comment=adopted, actor=editor, outcome="")
    actions.moderate_comment(comment=adopted, actor=editor, decision=actions.REJECT, reason="x")
    assert events.ADOPTION_RECORDED in audit_actions()


def test_the_database_refuses_an_outcome_on_an_unpublished_comment(consultation, citizen):
    comment = actions.submit_comment(page=consultation, user=citizen, text="意见")
    comment.adoption = Adoption.ADOPTED
    with pytest.raises(IntegrityError), transaction.atomic():
        comment.save(update_fields=["adoption"])


def test_moderation_needs_the_page_permission(consultation, citizen, editor, outsider):
    comment = actions.submit_comment(page=consultation, user=citizen, text="意见")
    for actor in (outsider, citizen):
        with pytest.raises(PermissionDenied):
            actions.moderate_comment(comment=comment, actor=actor, decision=actions.APPROVE)
        with pytest.raises(PermissionDenied):
            actions.approve_comments(page=consultation, comment_ids=[comment.pk], actor=actor)
    comment.refresh_from_db()
    assert comment.status == ModerationStatus.PENDING
    with pytest.raises(ValidationError) as exc:
        actions.moderate_comment(comment=comment, actor=editor, decision=actions.REJECT)
    assert exc.value.message_dict == {"reason": ["不通过时请填写理由。"]}
    assert (
        actions.approve_comments(page=consultation, comment_ids=[comment.pk, "x"], actor=editor)
        == 1
    )
