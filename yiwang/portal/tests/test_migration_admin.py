"""The "站点迁移" admin view and the ``migrate_site`` management command."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page

from yiwang.accounts.models import User
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core.models import AuditEvent
from yiwang.orgs.models import Department
from yiwang.portal import migration_hooks
from yiwang.portal.management.commands import migrate_site as command_module
from yiwang.portal.migration import CLOSED_SITES_CACHE_KEY
from yiwang.portal.models import ArticlePage, ColumnPage, SiteMigration, SubsiteHomePage
from yiwang.portal.sitegroup import create_portal

from .test_migration import publish, tree_snapshot


@pytest.fixture(autouse=True)
def fresh_closed_sites_cache():
    cache.delete(CLOSED_SITES_CACHE_KEY)
    yield
    cache.delete(CLOSED_SITES_CACHE_KEY)


@pytest.fixture
def bureau_site(site_group):
    site = create_portal(hostname="jyj.songlin.localhost", title="松林县教育局", slug="jyj")
    column = publish(site.root_page, ColumnPage(title="工作动态", slug="gzdt"))
    publish(column, ArticlePage(title="开学工作会议", slug="kxgzhy"))
    return site


@pytest.fixture
def department(regions):
    return Department.objects.create(name="松林县教育局", region=regions["county_a"])


def staff(username, *codenames):
    user = User.objects.create_user(username=username, password="x")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *[Permission.objects.get(codename=codename) for codename in codenames],
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser(username="admin", password="x")


def form_data(site_group, bureau_site, department, **extra):
    return {
        "source_site": bureau_site.pk,
        "source_page": "",
        "target_page": site_group["county_a"].root_page_id,
        "as_kind": "subsite",
        "subsite_kind": "department",
        "department": department.pk,
        "region_code": "",
        "title": "",
        "slug": "",
        **extra,
    }


# -- admin view --------------------------------------------------------------------------------


def test_superuser_previews_then_confirms_a_migration(
    client, admin_user, site_group, bureau_site, department
):
    login_with_second_factor(client, admin_user)
    index_url = reverse("portal_migration:index")
    create_url = reverse("portal_migration:create")
    response = client.get(index_url)
    assert response.status_code == 200 and "还没有迁移记录" in response.text

    response = client.get(create_url, {"page": bureau_site.root_page_id})
    assert response.status_code == 200
    assert response.context["form"].initial == {"source_site": bureau_site}

    before = tree_snapshot()
    data = form_data(site_group, bureau_site, department)
    response = client.post(create_url, data)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert (plan.moved_page_count, len(plan.redirects)) == (2, 3)
    assert "http://songlin.localhost/jyj/gzdt/kxgzhy/" in response.text
    assert 'name="confirm"' in response.text
    # The preview changed nothing.
    assert tree_snapshot() == before and not Redirect.objects.exists()
    assert not SiteMigration.objects.exists()

    response = client.post(create_url, {**data, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == index_url
    migration = SiteMigration.objects.get()
    assert migration.performed_by == admin_user and migration.redirect_count == 3
    assert SubsiteHomePage.objects.get().department == department
    assert AuditEvent.objects.get(action="portal.site_migrated").actor == admin_user
    response = client.get(index_url)
    assert "松林县教育局（jyj.songlin.localhost）" in response.text


def test_form_and_action_errors_are_shown_in_chinese(
    client, admin_user, site_group, bureau_site, department
):
    login_with_second_factor(client, admin_user)
    create_url = reverse("portal_migration:create")
    before = tree_snapshot()
    response = client.post(
        create_url,
        form_data(site_group, bureau_site, department, source_page=site_group["city"].root_page_id),
    )
    assert "选择且只选择一项" in response.text
    response = client.post(
        create_url,
        {
            **form_data(
                site_group,
                bureau_site,
                department,
                source_site="",
                source_page=site_group["city"].root_page_id,
            ),
            "confirm": "1",
        },
    )
    assert response.status_code == 200 and "是门户首页" in response.text
    response = client.post(
        create_url, form_data(site_group, bureau_site, department, region_code="990199999")
    )
    assert "找不到区划代码为 990199999 的区划" in response.text
    assert tree_snapshot() == before and not SiteMigration.objects.exists()


def test_users_without_the_permission_are_turned_away(client, site_group, bureau_site, department):
    editor = staff("editor")
    login_with_second_factor(client, editor)
    before = tree_snapshot()
    for url in [reverse("portal_migration:index"), reverse("portal_migration:create")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    response = client.post(
        reverse("portal_migration:create"),
        {**form_data(site_group, bureau_site, department), "confirm": "1"},
    )
    assert response.status_code == 302
    assert tree_snapshot() == before and not SiteMigration.objects.exists()

    request = RequestFactory().get("/admin/")
    request.user = editor
    assert not migration_hooks.register_menu_item().is_shown(request)
    assert list(migration_hooks.page_listing_more_buttons(bureau_site.root_page, editor)) == []


def test_users_with_the_permission_get_the_menu_and_the_page_button(
    client, site_group, bureau_site
):
    migrator = staff("migrator", "migrate_site")
    request = RequestFactory().get("/admin/")
    request.user = migrator
    assert migration_hooks.register_menu_item().is_shown(request)
    login_with_second_factor(client, migrator)
    assert client.get(reverse("portal_migration:index")).status_code == 200

    admin = User.objects.create_superuser(username="admin", password="x")
    login_with_second_factor(client, admin)
    response = client.get(reverse("wagtailadmin_explore", args=[bureau_site.root_page_id]))
    column = Page.objects.get(slug="gzdt")
    assert response.status_code == 200
    assert "迁移为子站/栏目…" in response.text
    assert f"{reverse('portal_migration:create')}?page={column.pk}" in response.text


# -- management command ------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("migrate_site", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_prints_pages_and_redirects_and_changes_nothing(site_group, bureau_site):
    before = tree_snapshot()
    out, _ = run(
        "--source-site",
        "jyj.songlin.localhost",
        "--target-site",
        "songlin.localhost",
        "--as",
        "subsite",
        "--kind",
        "department",
        "--dry-run",
    )
    assert "[文章] 开学工作会议" in out
    assert (
        "http://jyj.songlin.localhost/gzdt/kxgzhy/ → http://songlin.localhost/jyj/gzdt/kxgzhy/"
    ) in out
    assert "将创建的 301 重定向（3 条）" in out
    assert "没有做任何修改" in out
    assert tree_snapshot() == before
    assert not Redirect.objects.exists() and not SiteMigration.objects.exists()


def test_command_migrates_a_site_with_a_progress_bar(
    site_group, bureau_site, department, monkeypatch
):
    monkeypatch.setattr(command_module, "PROGRESS_THRESHOLD", 1)
    out, err = run(
        "--source-site",
        "jyj.songlin.localhost",
        "--target-site",
        "songlin.localhost",
        "--as",
        "subsite",
        "--kind",
        "department",
        "--department-id",
        str(department.pk),
    )
    assert "迁移页面 2 个，创建重定向 3 条" in out
    assert "站点 jyj.songlin.localhost 已关停" in out
    assert "创建重定向" in err and "3/3" in err
    migration = SiteMigration.objects.get()
    assert migration.performed_by is None and migration.closed_site == bureau_site


def test_command_moves_a_page_subtree_as_a_column(site_group, regions):
    county = site_group["county_a"].root_page
    old = publish(county, ColumnPage(title="青石镇", slug="qsz"))
    publish(old, ArticlePage(title="通知", slug="tz"))
    out, _ = run(
        "--source-page",
        str(old.pk),
        "--target-page",
        str(site_group["county_b"].root_page_id),
        "--as",
        "column",
    )
    assert "迁移页面 2 个" in out
    moved = Page.objects.get(pk=old.pk)
    assert moved.url_path == "/linxi/qsz/"
    assert Redirect.objects.get(old_path="/qsz/tz").site == site_group["county_a"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "--source-site",
                "nosuch.localhost",
                "--target-site",
                "songlin.localhost",
                "--as",
                "column",
            ],
            "找不到主机名为 nosuch.localhost 的站点",
        ),
        (
            ["--source-page", "999999", "--target-site", "songlin.localhost", "--as", "column"],
            "找不到 ID 为 999999 的页面",
        ),
        (
            [
                "--source-site",
                "sheng.localhost",
                "--target-site",
                "songlin.localhost",
                "--as",
                "column",
            ],
            "默认站点，不能关停迁移",
        ),
        (
            [
                "--source-site",
                "jyj.songlin.localhost",
                "--target-site",
                "songlin.localhost",
                "--as",
                "subsite",
                "--region-code",
                "000000000000",
            ],
            "找不到区划代码为 000000000000 的区划",
        ),
        (
            [
                "--source-site",
                "jyj.songlin.localhost",
                "--target-site",
                "songlin.localhost",
                "--as",
                "subsite",
            ],
            "请指定子站类型",
        ),
    ],
)
def test_command_errors_are_chinese_and_change_nothing(site_group, bureau_site, args, message):
    before = tree_snapshot()
    with pytest.raises(CommandError) as info:
        run(*args)
    assert message in str(info.value)
    assert tree_snapshot() == before and not Redirect.objects.exists()
