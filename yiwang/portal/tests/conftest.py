"""Fixtures of the public portal tests, general enough for other portal tests to import:
``publish`` puts a page live under a parent; ``county_content`` fills the county portal
松林县 (from the shared ``site_group``) with one page of every public type."""

import datetime

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Wagtail caches each site's root paths and the read-count guard lives in the cache; a
    # test must not see another test's sites.
    cache.clear()
    yield
    cache.clear()


def publish_page(parent, page, **extra):
    """Add ``page`` under ``parent``, publish it and return it fresh from the database."""
    for name, value in extra.items():
        setattr(page, name, value)
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def publish():
    return publish_page


def at(days_ago, hour=9):
    """A publish time ``days_ago`` days before a fixed 'now' (2026-03-01 09:00 Beijing)."""
    base = datetime.datetime(
        2026, 3, 1, hour, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    return base - datetime.timedelta(days=days_ago)


@pytest.fixture
def county_content(site_group):
    """松林县 portal with a news column (two articles), a notices sub-column, a policy column
    holding a repealed document and the one that replaced it, an interpretation column, a
    disclosure catalog, a topic, a leader and an organization-functions page."""
    from yiwang.portal.constants import (
        ColumnType,
        InterpretationForm,
        SubjectCategory,
        Validity,
    )
    from yiwang.portal.models import (
        ArticlePage,
        ColumnPage,
        DisclosureCatalogPage,
        LeaderPage,
        OrganizationFunctionsPage,
        PolicyDocumentPage,
        PolicyInterpretationPage,
        TopicPage,
    )

    home = site_group["county_a"].root_page.specific
    news = publish_page(
        home, ColumnPage(title="工作动态", slug="gzdt", column_type=ColumnType.NEWS)
    )
    notices = publish_page(
        news, ColumnPage(title="通知公告", slug="tzgg", column_type=ColumnType.NOTICE)
    )
    policies = publish_page(
        home, ColumnPage(title="政策文件", slug="zcwj", column_type=ColumnType.POLICY)
    )
    interpretations = publish_page(
        home,
        ColumnPage(title="政策解读", slug="zcjd", column_type=ColumnType.INTERPRETATION),
    )
    older_article = publish_page(
        news,
        ArticlePage(
            title="松林县启动春耕备耕工作",
            slug="chungeng",
            publish_date=at(3),
            body="<p>春耕备耕工作全面启动。</p>",
        ),
    )
    article = publish_page(
        news,
        ArticlePage(
            title="松林县召开春季植树造林工作会议",
            slug="zhishu",
            publish_date=at(1),
            summary="会议部署了今年的植树造林任务。",
            content_source="松林县林业局",
            author="李明",
            keywords="植树造林,春季",
            body="<p>会议要求各乡镇按时完成植树造林任务。</p>",
        ),
    )
    article.tags.add("森林防火")
    article.save_revision().publish()
    old_document = publish_page(
        policies,
        PolicyDocumentPage(
            title="松林县森林防火管理暂行办法",
            slug="senlin-zanxing",
            issuing_authority="松林县林业局",
            document_number="松林发〔2020〕3号",
            date_written=datetime.date(2020, 4, 1),
            publish_date=at(2000),
            subject_category=SubjectCategory.AGRICULTURE,
            body="<p>暂行办法全文。</p>",
        ),
    )
    document = publish_page(
        policies,
        PolicyDocumentPage(
            title="松林县人民政府关于加强森林防火工作的通知",
            slug="senlin-fanghuo",
            issuing_authority="松林县人民政府",
            document_number="松政发〔2026〕1号",
            date_written=datetime.date(2026, 1, 5),
            publish_date=at(2),
            subject_category=SubjectCategory.AGRICULTURE,
            body="<p>各乡镇人民政府，县直各部门：现就加强森林防火工作通知如下。</p>",
        ),
    )
    old_document.validity = Validity.REPEALED
    old_document.superseded_by = document
    old_document.save_revision().publish()
    old_document.refresh_from_db()
    interpretation = PolicyInterpretationPage(
        title="图解：松林县加强森林防火工作",
        slug="tujie-fanghuo",
        form=InterpretationForm.INTERVIEW,
        interviewees="县林业局局长 王强",
        video_url="https://video.example.cn/fanghuo.mp4",
        publish_date=at(1, hour=15),
        body="<p>一图读懂森林防火工作要求。</p>",
    )
    interpretation.documents = [document]
    interpretation = publish_page(interpretations, interpretation)
    catalog = publish_page(home, DisclosureCatalogPage(title="政府信息公开目录", slug="xxgk"))
    topic = publish_page(
        home, TopicPage(title="森林防火专题", slug="fanghuo-zt", tag_names="森林防火，防火")
    )
    leader = publish_page(
        home,
        LeaderPage(
            title="张华",
            slug="zhanghua",
            name="张华",
            position="县长",
            responsibilities="<p>主持县政府全面工作。</p>",
        ),
    )
    functions = publish_page(
        home,
        OrganizationFunctionsPage(
            title="机构职能",
            slug="jgzn",
            functions="<p>执行县人民代表大会的决议。</p>",
            address="松林县人民路1号",
            phone="0000-1234567",
        ),
    )
    return {
        "site": site_group["county_a"],
        "home": home,
        "news": news,
        "notices": notices,
        "policies": policies,
        "interpretations": interpretations,
        "older_article": older_article,
        "article": article,
        "old_document": old_document,
        "document": document,
        "interpretation": interpretation,
        "catalog": catalog,
        "topic": topic,
        "leader": leader,
        "functions": functions,
    }
