"""The participation column and page types in the portal: where they may be placed, the
column's list with each page's phase and its filters, the national meta tags, and the
portal's chrome (breadcrumbs, navigation) on the public form pages."""

import pytest

from yiwang.participation.models import (
    ConsultationPage,
    InterviewPage,
    ParticipationIndexPage,
    SurveyPage,
)
from yiwang.portal.models import ColumnPage, PortalHomePage, SubsiteHomePage

from .conftest import HOST, make_consultation, make_interview, make_survey

pytestmark = pytest.mark.django_db


def test_the_column_lives_in_portals_columns_and_sub_sites_and_holds_the_three_types():
    for parent in (PortalHomePage, ColumnPage, SubsiteHomePage):
        assert ParticipationIndexPage in parent.allowed_subpage_models()
    assert set(ParticipationIndexPage.allowed_subpage_models()) == {
        ConsultationPage,
        InterviewPage,
        SurveyPage,
    }
    for model in (ConsultationPage, InterviewPage, SurveyPage):
        assert model.allowed_parent_page_models() == [ParticipationIndexPage]
        assert model.allowed_subpage_models() == []


def test_the_column_lists_its_pages_with_their_phase_and_filters(client, column):
    make_consultation(column, slug="open")
    make_consultation(column, slug="closed", opens=-30, closes=-2)
    make_interview(column, slug="soon", starts_in_minutes=600)
    make_survey(column, slug="survey")
    html = client.get(column.url, HTTP_HOST=HOST).content.decode()
    for label in ("征集中", "已结束", "预告", "进行中"):
        assert label in html
    assert html.count('class="participation-list-title"') == 4

    def titles(query):
        page = client.get(column.url + query, HTTP_HOST=HOST)
        assert page.status_code == 200
        return page.content.decode().count('class="participation-list-title"')

    assert titles("?kind=consultation") == 2
    assert titles("?kind=interview") == 1
    assert titles("?phase=closed") == 1
    assert titles("?phase=upcoming") == 1
    assert titles("?phase=open&kind=survey") == 1
    assert titles("?kind=nonsense&phase=%00&page=x") == 4
    # The column shows in the portal's main navigation.
    home = client.get("/", HTTP_HOST=HOST).content.decode()
    assert 'href="/gzcy/"' in home


def test_pages_carry_the_national_meta_tags_of_an_article_in_their_column(client, consultation):
    html = client.get(consultation.url, HTTP_HOST=HOST).content.decode()
    assert '<meta name="ColumnName" content="公众参与">' in html
    assert '<meta name="ColumnType" content="互动交流">' in html
    assert f'<meta name="ArticleTitle" content="{consultation.title}">' in html
    assert "第二条 范围" in html or "第二条" in html


def test_form_pages_have_the_portals_frame_and_breadcrumbs(client, consultation, citizen):
    client.force_login(citizen)
    html = client.get(f"/canyu/yijian/{consultation.pk}/", HTTP_HOST=HOST).content.decode()
    assert 'aria-label="当前位置"' in html and ">公众参与</a>" in html
    assert 'href="/gzcy/yangquan/"' in html and '<span aria-current="page">发表意见</span>' in html
    assert "csrfmiddlewaretoken" in html
    # The public page itself carries no token: it is the same for every visitor.
    public = client.get(consultation.url, HTTP_HOST=HOST).content.decode()
    assert "csrfmiddlewaretoken" not in public


def test_previews_of_pages_not_saved_yet_render(rf, column):
    """The editor previews a new page before it has an id (no rows can be read yet)."""
    from django.contrib.auth.models import AnonymousUser

    from .conftest import days

    pages = (
        ConsultationPage(title="新征集", slug="new-c", opens_at=days(-1), closes_at=days(9)),
        InterviewPage(title="新访谈", slug="new-i", starts_at=days(-1), ends_at=days(1)),
        SurveyPage(title="新调查", slug="new-s", opens_at=days(-9), closes_at=days(-1)),
    )
    for n, page in enumerate(pages):
        page.path = f"{column.path}Z00{n}"
        page.depth = column.depth + 1
        request = rf.get("/", HTTP_HOST=HOST)
        request.user = AnonymousUser()
        response = page.serve_preview(request, page.default_preview_mode)
        assert response.status_code == 200, page.title
        assert page.title in response.rendered_content
