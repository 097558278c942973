"""Site migration (关停迁移): the action, the redirects it leaves and the closed-site
middleware, driven through real requests on the old and new hostnames."""

import copy

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Revision, Site

from yiwang.accounts.models import User
from yiwang.core.models import AuditEvent
from yiwang.orgs.models import Department
from yiwang.portal.migration import CLOSED_SITES_CACHE_KEY, migrate_site, plan_site_migration
from yiwang.portal.models import (
    ArticlePage,
    ChannelPage,
    ColumnPage,
    SiteMigration,
    SubsiteHomePage,
    SubsiteKind,
)
from yiwang.portal.sitegroup import create_portal


@pytest.fixture(autouse=True)
def fresh_closed_sites_cache():
    # Test transactions roll back but the local-memory cache does not: a closed site's id
    # left there would send another test's requests to a redirect.
    cache.delete(CLOSED_SITES_CACHE_KEY)
    yield
    cache.delete(CLOSED_SITES_CACHE_KEY)


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def draft(parent, page):
    page.live = False
    parent.add_child(instance=page)
    page.save_revision()
    return page


@pytest.fixture
def page_templates(settings, tmp_path):
    """Minimal page templates after the project's own, so a moved page can be requested at
    its new URL even before the portal's real templates exist (the real ones win)."""
    for name in [
        "404.html",
        "portal/article_page.html",
        "portal/column_page.html",
        "portal/subsite_home_page.html",
        "portal/portal_home_page.html",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{{ page.title }}" if name != "404.html" else "not found")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates


@pytest.fixture
def department(regions):
    return Department.objects.create(name="松林县教育局", region=regions["county_a"])


@pytest.fixture
def bureau_site(site_group):
    """松林县教育局's own site on jyj.songlin.localhost: two columns, a live and a draft
    article, and a leaf article with several revisions."""
    site = create_portal(hostname="jyj.songlin.localhost", title="松林县教育局", slug="jyj")
    home = site.root_page.specific
    home.intro = "教育局门户"
    home.save_revision().publish()
    news = publish(home, ColumnPage(title="工作动态", slug="gzdt"))
    notices = publish(home, ColumnPage(title="通知公告", slug="tzgg"))
    article = publish(news, ArticlePage(title="开学工作会议", slug="kxgzhy"))
    article.title = "开学工作会议召开"
    article.save_revision().publish()
    hidden = draft(notices, ArticlePage(title="未发布通知", slug="draft-notice"))
    return {
        "site": site,
        "home": home,
        "news": news,
        "notices": notices,
        "article": article,
        "hidden": hidden,
    }


def tree_snapshot():
    return list(
        Page.objects.order_by("path").values_list("id", "path", "url_path", "live", "title", "slug")
    )


def route(host, path):
    """The page Wagtail serves at ``path`` on ``host``, as the router finds it."""
    request = RequestFactory().get(path, HTTP_HOST=host)
    site = Site.find_for_request(request)
    assert site.hostname == host
    components = [c for c in path.split("/") if c]
    return site.root_page.specific.route(request, components).page


# -- case (a): a whole site becomes a sub-site ------------------------------------------------


def test_site_becomes_a_subsite_keeping_ids_and_revisions(site_group, bureau_site, department):
    county = site_group["county_a"].root_page
    article = bureau_site["article"]
    revisions_before = Revision.page_revisions.filter(object_id=str(article.pk)).count()
    audits_before = AuditEvent.objects.count()

    migration = migrate_site(
        source=bureau_site["site"],
        target_parent=county,
        as_kind="subsite",
        subsite_kind=SubsiteKind.DEPARTMENT,
        department=department,
    )

    subsite = SubsiteHomePage.objects.get(slug="jyj")
    assert subsite.get_parent().pk == county.pk
    assert (subsite.title, subsite.intro, subsite.kind, subsite.department) == (
        "松林县教育局",
        "教育局门户",
        SubsiteKind.DEPARTMENT,
        department,
    )
    assert subsite.live
    # The columns and the article are the same rows, now under the sub-site.
    news = Page.objects.get(pk=bureau_site["news"].pk)
    assert news.get_parent().pk == subsite.pk
    assert news.url_path == "/songlin/jyj/gzdt/"
    moved = Page.objects.get(pk=article.pk)
    assert moved.url_path == "/songlin/jyj/gzdt/kxgzhy/"
    assert moved.get_parent().pk == news.pk
    assert Revision.page_revisions.filter(object_id=str(article.pk)).count() == revisions_before
    hidden = Page.objects.get(pk=bureau_site["hidden"].pk)
    assert not hidden.live and hidden.url_path == "/songlin/jyj/tzgg/draft-notice/"

    # The old site is kept, closed, its home emptied and unpublished.
    old_home = Page.objects.get(pk=bureau_site["home"].pk)
    assert Site.objects.filter(hostname="jyj.songlin.localhost").exists()
    assert not old_home.live and old_home.numchild == 0

    assert migration.closed_site == bureau_site["site"]
    assert migration.target_page_id == subsite.pk
    assert (migration.as_kind, migration.moved_page_count, migration.redirect_count) == (
        "subsite",
        4,
        5,
    )
    audit = AuditEvent.objects.get(action="portal.site_migrated")
    assert AuditEvent.objects.count() == audits_before + 1
    assert audit.object_id == str(migration.pk)
    assert audit.detail["redirect_count"] == 5

    redirects = Redirect.objects.filter(site=bureau_site["site"])
    assert {(r.old_path, r.redirect_page_id, r.is_permanent) for r in redirects} == {
        ("/", subsite.pk, True),
        ("/gzdt", news.pk, True),
        ("/gzdt/kxgzhy", article.pk, True),
        ("/tzgg", bureau_site["notices"].pk, True),
        ("/tzgg/draft-notice", hidden.pk, True),
    }


def test_old_hostname_answers_every_path_with_301(
    client, site_group, bureau_site, department, page_templates
):
    migrate_site(
        source=bureau_site["site"],
        target_parent=site_group["county_a"].root_page,
        as_kind="subsite",
        subsite_kind="department",
        department=department,
    )
    old = "jyj.songlin.localhost"
    new = "http://songlin.localhost/jyj"
    cases = {
        "/gzdt/kxgzhy/": f"{new}/gzdt/kxgzhy/",
        "/gzdt/kxgzhy": f"{new}/gzdt/kxgzhy/",
        "/gzdt/kxgzhy/?from=weixin": f"{new}/gzdt/kxgzhy/?from=weixin",
        "/tzgg/": f"{new}/tzgg/",
        "/tzgg/draft-notice/": f"{new}/tzgg/draft-notice/",
        "/": f"{new}/",
        "/no/such/page/": f"{new}/",
        "/admin/": "http://songlin.localhost/admin/",
    }
    for path, location in cases.items():
        response = client.get(path, HTTP_HOST=old)
        assert (response.status_code, response["Location"]) == (301, location), path
    assert client.post("/gzdt/kxgzhy/", HTTP_HOST=old).status_code == 301

    # The new URLs serve the same pages.
    assert route("songlin.localhost", "/jyj/gzdt/kxgzhy/").pk == bureau_site["article"].pk
    assert route("songlin.localhost", "/jyj/").pk == SubsiteHomePage.objects.get().pk
    response = client.get("/jyj/gzdt/kxgzhy/", HTTP_HOST="songlin.localhost")
    assert response.status_code == 200
    assert response.context["page"].pk == bureau_site["article"].pk
    # Other sites are not touched by the middleware.
    assert client.get("/", HTTP_HOST="songlin.localhost").status_code == 200


def test_site_becomes_a_column(site_group, bureau_site):
    channel = publish(site_group["county_b"].root_page, ChannelPage(title="部门", slug="bm"))
    migrate_site(
        source=bureau_site["site"],
        target_parent=channel,
        as_kind="column",
        title="教育",
        slug="jiaoyu",
    )
    column = ColumnPage.objects.get(slug="jiaoyu")
    assert column.get_parent().pk == channel.pk and column.title == "教育"
    assert Page.objects.get(pk=bureau_site["article"].pk).url_path == (
        "/linxi/bm/jiaoyu/gzdt/kxgzhy/"
    )
    redirect = Redirect.objects.get(site=bureau_site["site"], old_path="/gzdt/kxgzhy")
    assert redirect.link == "http://linxi.localhost/bm/jiaoyu/gzdt/kxgzhy/"


def test_slug_taken_at_the_target_gets_a_suffix(site_group, bureau_site, department):
    county = site_group["county_a"].root_page
    publish(county, ColumnPage(title="旧教育栏目", slug="jyj"))
    publish(county, ColumnPage(title="另一个", slug="jyj-2"))
    plan = plan_site_migration(
        source=bureau_site["site"],
        target_parent=county,
        as_kind="subsite",
        subsite_kind="department",
    )
    assert plan.slug == "jyj-3"
    assert plan.new_home_url == "http://songlin.localhost/jyj-3/"
    migrate_site(
        source=bureau_site["site"],
        target_parent=county,
        as_kind="subsite",
        subsite_kind="department",
        department=department,
    )
    assert Page.objects.get(pk=bureau_site["article"].pk).url_path == (
        "/songlin/jyj-3/gzdt/kxgzhy/"
    )


def test_plan_lists_pages_and_redirects_and_writes_nothing(site_group, bureau_site):
    before = tree_snapshot()
    plan = plan_site_migration(
        source=bureau_site["site"],
        target_parent=site_group["county_a"].root_page,
        as_kind="subsite",
        subsite_kind="department",
    )
    assert tree_snapshot() == before
    assert not Redirect.objects.exists() and not SiteMigration.objects.exists()
    assert plan.moved_page_count == 4
    assert [p.title for p in plan.pages] == [
        "松林县教育局",
        "工作动态",
        "开学工作会议召开",
        "通知公告",
        "未发布通知",
    ]
    assert {(r.old_url, r.new_url) for r in plan.redirects} == {
        ("http://jyj.songlin.localhost/", "http://songlin.localhost/jyj/"),
        ("http://jyj.songlin.localhost/gzdt/", "http://songlin.localhost/jyj/gzdt/"),
        ("http://jyj.songlin.localhost/gzdt/kxgzhy/", "http://songlin.localhost/jyj/gzdt/kxgzhy/"),
        ("http://jyj.songlin.localhost/tzgg/", "http://songlin.localhost/jyj/tzgg/"),
        (
            "http://jyj.songlin.localhost/tzgg/draft-notice/",
            "http://songlin.localhost/jyj/tzgg/draft-notice/",
        ),
    }


# -- case (b): a subtree inside the group ------------------------------------------------------


def test_township_column_becomes_a_subsite_within_one_site(
    client, site_group, regions, page_templates
):
    county = site_group["county_a"].root_page
    townships = publish(county, ColumnPage(title="乡镇", slug="xz"))
    town = publish(townships, ColumnPage(title="青石镇", slug="qsz", intro="青石镇简介"))
    news = publish(town, ColumnPage(title="镇务动态", slug="zwdt"))
    article = publish(news, ArticlePage(title="青石镇召开会议", slug="hy"))

    migration = migrate_site(
        source=Page.objects.get(pk=town.pk),
        target_parent=county,
        as_kind="subsite",
        subsite_kind="township",
        region=regions["town_a"],
    )

    subsite = SubsiteHomePage.objects.get()
    assert (subsite.slug, subsite.title, subsite.intro, subsite.region) == (
        "qsz",
        "青石镇",
        "青石镇简介",
        regions["town_a"],
    )
    assert Page.objects.get(pk=article.pk).url_path == "/songlin/qsz/zwdt/hy/"
    # The emptied column stays, unpublished: the migration deletes nothing.
    old_column = Page.objects.get(pk=town.pk)
    assert not old_column.live and old_column.numchild == 0
    assert migration.closed_site is None and migration.moved_page_count == 2
    # One answer per old URL, on the same site; Wagtail's automatic ones are replaced.
    assert sorted(
        Redirect.objects.values_list("old_path", "redirect_page_id", "automatically_created")
    ) == [
        ("/xz/qsz", subsite.pk, False),
        ("/xz/qsz/zwdt", news.pk, False),
        ("/xz/qsz/zwdt/hy", article.pk, False),
    ]
    response = client.get("/xz/qsz/zwdt/hy/", HTTP_HOST="songlin.localhost")
    assert (response.status_code, response["Location"]) == (
        301,
        "http://songlin.localhost/qsz/zwdt/hy/",
    )
    response = client.get("/xz/qsz/", HTTP_HOST="songlin.localhost")
    assert (response.status_code, response["Location"]) == (301, "http://songlin.localhost/qsz/")
    assert client.get("/qsz/zwdt/hy/", HTTP_HOST="songlin.localhost").status_code == 200
    assert route("songlin.localhost", "/qsz/zwdt/hy/").pk == article.pk


def test_department_subsite_moves_as_it_is_to_another_county(
    client, site_group, department, page_templates
):
    county_a = site_group["county_a"].root_page
    subsite = publish(
        county_a,
        SubsiteHomePage(title="松林县教育局", slug="jyj", kind="department", department=department),
    )
    column = publish(subsite, ColumnPage(title="工作动态", slug="gzdt"))
    article = publish(column, ArticlePage(title="会议", slug="hy"))
    target = site_group["county_b"].root_page

    migration = migrate_site(source=subsite, target_parent=target, as_kind="subsite")

    moved = SubsiteHomePage.objects.get()
    assert moved.pk == subsite.pk and moved.get_parent().pk == target.pk
    assert moved.url_path == "/linxi/jyj/"
    assert migration.target_page_id == subsite.pk and migration.moved_page_count == 3
    response = client.get("/jyj/gzdt/hy/", HTTP_HOST="songlin.localhost")
    assert (response.status_code, response["Location"]) == (
        301,
        "http://linxi.localhost/jyj/gzdt/hy/",
    )
    assert route("linxi.localhost", "/jyj/gzdt/hy/").pk == article.pk


def test_column_moved_as_column_with_a_new_title_gets_a_new_container(site_group):
    county = site_group["county_a"].root_page
    old = publish(county, ColumnPage(title="旧栏目", slug="old", column_type="notice"))
    publish(old, ArticlePage(title="通知", slug="tz"))
    channel = publish(county, ChannelPage(title="频道", slug="pd"))
    migrate_site(source=old, target_parent=channel, as_kind="column", title="新栏目")
    new = ColumnPage.objects.get(title="新栏目")
    assert new.pk != old.pk and new.column_type == "notice"
    assert new.get_children().get().title == "通知"
    assert not Page.objects.get(pk=old.pk).live


# -- refusals ----------------------------------------------------------------------------------


@pytest.fixture
def unchanged():
    """Asserts the test's refused migration left the tree, redirects and records alone."""
    state = {}

    def start():
        state["tree"] = tree_snapshot()
        state["audits"] = AuditEvent.objects.count()

    def check():
        assert tree_snapshot() == state["tree"]
        assert not Redirect.objects.exists()
        assert not SiteMigration.objects.exists()
        assert AuditEvent.objects.count() == state["audits"]

    return start, check


def refused(message, **kwargs):
    with pytest.raises(ValidationError) as info:
        migrate_site(**kwargs)
    assert message in " ".join(info.value.messages)


def test_bad_inputs_are_refused_and_change_nothing(site_group, bureau_site, regions, unchanged):
    start, check = unchanged
    county = site_group["county_a"].root_page
    news = bureau_site["news"]
    column = publish(county, ColumnPage(title="栏目", slug="lm"))
    subsite = publish(county, SubsiteHomePage(title="子站", slug="zz", kind="department"))
    start()

    site = bureau_site["site"]
    refused("迁入方式", source=site, target_parent=county, as_kind="page")
    refused(
        "默认站点",
        source=site_group["province"],
        target_parent=county,
        as_kind="subsite",
        subsite_kind="department",
    )
    refused("门户首页", source=site_group["city"].root_page, target_parent=county, as_kind="column")
    refused("是门户首页", source=bureau_site["home"], target_parent=county, as_kind="column")
    refused("根节点", source=Page.get_first_root_node(), target_parent=county, as_kind="column")
    refused("自身之内", source=site, target_parent=news, as_kind="column")
    refused("自身之内", source=column, target_parent=column, as_kind="column")
    refused(
        "不在任何门户网站之内",
        source=column,
        target_parent=Page.get_first_root_node(),
        as_kind="column",
    )
    refused("请指定子站类型", source=site, target_parent=county, as_kind="subsite")
    refused(
        "子站类型必须是",
        source=site,
        target_parent=county,
        as_kind="subsite",
        subsite_kind="bureau",
    )
    refused(
        "迁为栏目时不能指定",
        source=site,
        target_parent=county,
        as_kind="column",
        subsite_kind="department",
    )
    refused("路径（slug）", source=site, target_parent=county, as_kind="column", slug="教育 局")
    # A sub-site cannot sit under a column, nor a portal's sub-site under a new sub-site.
    refused(
        "之下不能放子站首页",
        source=site,
        target_parent=column,
        as_kind="subsite",
        subsite_kind="department",
    )
    check()

    bureau_home = bureau_site["home"]
    publish(bureau_home, SubsiteHomePage(title="局属子站", slug="jszz", kind="department"))
    start()
    refused(
        "不能放在子站首页之下",
        source=site,
        target_parent=county,
        as_kind="subsite",
        subsite_kind="department",
    )
    refused("已在", source=subsite, target_parent=county, as_kind="subsite")
    check()


def test_a_closed_site_cannot_be_migrated_twice(site_group, bureau_site):
    county = site_group["county_a"].root_page
    migrate_site(source=bureau_site["site"], target_parent=county, as_kind="column")
    before = (tree_snapshot(), Redirect.objects.count(), SiteMigration.objects.count())
    refused("已经关停迁移过", source=bureau_site["site"], target_parent=county, as_kind="column")
    # Nor can anything move into the closed site's emptied home.
    column = ColumnPage.objects.get(slug="jyj")
    refused(
        "不在任何门户网站之内", source=column, target_parent=bureau_site["home"], as_kind="column"
    )
    assert before == (tree_snapshot(), Redirect.objects.count(), SiteMigration.objects.count())


def test_a_site_with_another_site_inside_is_refused(site_group, unchanged):
    start, check = unchanged
    county = site_group["county_a"].root_page
    townships = publish(county, ColumnPage(title="乡镇", slug="xz"))
    town = publish(townships, SubsiteHomePage(title="青石镇", slug="qsz", kind="township"))
    Site.objects.create(hostname="qsz.songlin.localhost", root_page=town)
    start()
    refused(
        "是站点 qsz.songlin.localhost 的首页",
        source=town,
        target_parent=site_group["county_b"].root_page,
        as_kind="subsite",
    )
    refused(
        "之下有站点 qsz.songlin.localhost",
        source=townships,
        target_parent=site_group["county_b"].root_page,
        as_kind="column",
    )
    check()


def test_users_without_the_permission_are_refused(site_group, bureau_site, unchanged):
    start, check = unchanged
    start()
    clerk = User.objects.create_user(username="clerk", password="x")
    with pytest.raises(PermissionDenied):
        migrate_site(
            source=bureau_site["site"],
            target_parent=site_group["county_a"].root_page,
            as_kind="column",
            acting_user=clerk,
        )
    check()
