"""``manage.py load_demo``: the whole demo site group, loaded for real.

Loading takes a while (every page is created, validated and published the way an editor's
would be), so one test loads it, checks it, runs the command again and resets it.
"""

import datetime
import io
import sys
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from stdnum.cn import uscc
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Site

from yiwang.demo.spec import (
    BASE_DATE,
    DEMO_PASSWORD,
    SPAN_DAYS,
    TZ,
    demo_hostnames,
)
from yiwang.orgs.models import Department, Region, ServiceCentre
from yiwang.portal.constants import InterpretationForm, Validity
from yiwang.portal.models import (
    ArticlePage,
    ColumnPage,
    DisclosureCatalogPage,
    LeaderPage,
    OrganizationFunctionsPage,
    PolicyDocumentPage,
    PolicyInterpretationPage,
    PortalHomePage,
    PortalSettings,
    SiteMigration,
    SubsiteHomePage,
    TopicPage,
)

CONTENT_MODELS = (ArticlePage, PolicyDocumentPage, PolicyInterpretationPage)
PORTAL_HOSTS = [
    "mingchuan.localhost",
    "qinglan.localhost",
    "bailu.localhost",
    "songlin.localhost",
    "tongxi.localhost",
    "luming.localhost",
]
CLOSED_HOSTS = [
    "jyj-songlin.localhost",
    "scjgj-songlin.localhost",
    "qingshi-songlin.localhost",
    "songtao-songlin.localhost",
]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    # The demo writes the department system's client secret into the data directory.
    settings.DATA_DIR = tmp_path
    # And the search index into a folder of its own.
    from yiwang.search.engines import forget_engines

    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    forget_engines()
    yield tmp_path
    forget_engines()


@pytest.fixture(autouse=True)
def no_stale_closed_sites():
    # The site-migration code caches closed site ids; the test's transaction is rolled back,
    # so ids cached here must not leak into other tests in this process.
    from yiwang.portal.migration import CLOSED_SITES_CACHE_KEY

    cache.delete(CLOSED_SITES_CACHE_KEY)
    yield
    cache.delete(CLOSED_SITES_CACHE_KEY)


def run(*args):
    out = io.StringIO()
    call_command("load_demo", *args, verbosity=0, stdout=out)
    return out.getvalue()


def service_counts():
    from yiwang.appointments.models import Booking
    from yiwang.demo import history
    from yiwang.evaluation.models import Rating, Rectification
    from yiwang.stats.models import MonthlyCell
    from yiwang.supervision.models import WatchedClock

    return {
        "history": history.history_cases().count(),
        "open": history.open_cases().count(),
        "watched": WatchedClock.objects.count(),
        "yellow": WatchedClock.objects.filter(level=1).count(),
        "red": WatchedClock.objects.filter(level=2).count(),
        "ratings": Rating.objects.count(),
        "bad": Rating.objects.filter(level__lte=2).count(),
        "rectifications": Rectification.objects.count(),
        "bookings": Booking.objects.count(),
        "cells": MonthlyCell.objects.count(),
        "months": MonthlyCell.objects.values("month").distinct().count(),
    }


def content_snapshot():
    """Everything the seed decides, in a form that survives new primary keys."""
    rows = []
    for model in CONTENT_MODELS:
        for page in model.objects.order_by("url_path"):
            rows.append((model.__name__, page.url_path, page.title, page.publish_date, page.body))
    return rows


@pytest.mark.django_db(transaction=False)
def test_load_demo_builds_the_site_group_once_and_reset_rebuilds_it_identically():
    started = time.monotonic()
    output = run()
    seconds = time.monotonic() - started
    print(f"\nload_demo took {seconds:.1f} s on {connection.vendor}", file=sys.stderr)

    # Six live portals, the province the default site; four closed migrated sites.
    sites = {s.hostname: s for s in Site.objects.filter(hostname__in=demo_hostnames())}
    assert sorted(sites) == sorted(PORTAL_HOSTS + CLOSED_HOSTS)
    assert all(s.port == 8000 for s in sites.values())
    assert sites["mingchuan.localhost"].is_default_site
    assert Site.objects.filter(is_default_site=True).count() == 1
    for host in PORTAL_HOSTS:
        home = sites[host].root_page.specific
        assert isinstance(home, PortalHomePage) and home.live
        assert home.region.code.startswith("99")
        settings = PortalSettings.for_site(sites[host])
        assert len(settings.site_id_code) == 10 and settings.site_id_code.isdigit()
        assert settings.index_code == home.owner_department.uscc
        assert settings.organizer == home.owner_department.name
        assert settings.icp_number and settings.contact_phone
        assert settings.error_report_url == "https://zfwzzc.www.gov.cn/"
        in_portal = Page.objects.filter(path__startswith=home.path)
        assert 2 <= LeaderPage.objects.filter(path__startswith=home.path).count() <= 4
        for model in (OrganizationFunctionsPage, DisclosureCatalogPage, TopicPage):
            assert model.objects.filter(path__startswith=home.path).exists(), (host, model)
        topic = TopicPage.objects.get(path__startswith=home.path)
        assert ArticlePage.objects.filter(
            path__startswith=home.path, tags__name__in=topic.tags_list()
        ).exists()
        # Everything in a portal is published.
        assert not in_portal.filter(live=False).exists()

    migrations = SiteMigration.objects.filter(closed_site__hostname__in=CLOSED_HOSTS)
    assert migrations.count() == 4
    songlin = sites["songlin.localhost"].root_page
    for migration in migrations:
        assert not migration.closed_site.root_page.live
        assert migration.target_page.is_descendant_of(songlin)
        assert Redirect.objects.filter(site=migration.closed_site).exists()
    subsites = SubsiteHomePage.objects.filter(path__startswith=songlin.path)
    assert sorted(s.department.name for s in subsites) == ["松林县市场监督管理局", "松林县教育局"]
    assert all(s.kind == "department" and s.live for s in subsites)
    townships = ColumnPage.objects.filter(
        path__startswith=songlin.path, title__in=["青石镇", "松涛镇"]
    )
    assert townships.count() == 2
    assert all(ArticlePage.objects.child_of(t).count() == 0 for t in townships)
    assert all(ArticlePage.objects.descendant_of(t).count() == 9 for t in townships)

    # About three hundred content pages, all live, dated in the 18 months before BASE_DATE.
    total = sum(model.objects.count() for model in CONTENT_MODELS)
    assert 260 <= total <= 340
    assert f"{total} 篇内容" in output
    start = datetime.datetime.combine(
        BASE_DATE - datetime.timedelta(days=SPAN_DAYS + 3), datetime.time(), tzinfo=TZ
    )
    end = datetime.datetime.combine(BASE_DATE, datetime.time(), tzinfo=TZ)
    for model in CONTENT_MODELS:
        assert not model.objects.filter(live=False).exists()
        # All of it in the window before BASE_DATE, but the day's news of the monitoring
        # step (jr-<today>, below).
        dated = model.objects.exclude(slug__startswith="jr-")
        assert not dated.exclude(publish_date__range=(start, end)).exists()
    assert ArticlePage.objects.filter(kind="notice").count() >= 40

    # Policy documents: numbered, indexed, in several categories, some superseded.
    documents = PolicyDocumentPage.objects.all()
    assert all("〔" in d.document_number and d.document_number.endswith("号") for d in documents)
    assert len({d.index_number for d in documents}) == documents.count()
    assert documents.values("subject_category").distinct().count() >= 6
    assert documents.values("issuing_authority").distinct().count() >= 20
    assert {d.date_written.year for d in documents} == {2025, 2026}
    superseded = documents.exclude(validity=Validity.IN_FORCE)
    assert {d.validity for d in superseded} == {Validity.AMENDED, Validity.REPEALED}
    for doc in superseded:
        newer = doc.superseded_by
        assert newer is not None, doc.title
        assert newer.validity == Validity.IN_FORCE
        assert newer.publish_date > doc.publish_date
        assert newer.get_parent().pk == doc.get_parent().pk
        doc.full_clean()
    assert not documents.filter(validity=Validity.IN_FORCE, superseded_by__isnull=False).exists()

    # Interpretations: every one linked to a document of its own portal, all four forms.
    interpretations = PolicyInterpretationPage.objects.all()
    assert {i.form for i in interpretations} == set(InterpretationForm.values)
    for interpretation in interpretations:
        linked = list(interpretation.documents.all())
        assert linked, interpretation.title
        portal_path = interpretation.path[: Page.steplen * 2]
        assert all(d.path.startswith(portal_path) for d in linked)
        if interpretation.form == InterpretationForm.VIDEO:
            assert interpretation.video_url.startswith("http://video.")
            interpretation.full_clean()
        if interpretation.form == InterpretationForm.INTERVIEW:
            assert interpretation.interviewees

    # Regions, bodies and their credit codes.
    regions = Region.objects.filter(code__startswith="99")
    assert regions.filter(level=1).get().name == "明川省"
    assert regions.filter(level=2).count() == 2
    assert regions.filter(level=3).count() == 3
    assert regions.filter(level=4).count() >= 9
    departments = Department.objects.filter(region__in=regions)
    assert departments.count() >= 6 * 9
    for department in departments:
        assert uscc.is_valid(department.uscc) and department.uscc.startswith("11"), department
        department.full_clean()
    assert len({d.uscc for d in departments}) == departments.count()
    assert ServiceCentre.objects.filter(region__in=regions).count() == 6

    # Logins, with the groups the editorial setup made.
    from yiwang.portal.editorial import GROUP_WIDE_EDITORS

    User = get_user_model()
    users = {
        u.username: u
        for u in User.objects.filter(department__region__in=regions).exclude(
            username__startswith="history."
        )
    }
    from yiwang.demo.interaction import interaction_usernames

    interaction_staff = set(interaction_usernames())
    assert interaction_staff <= set(users)
    assert sorted(set(users) - interaction_staff) == [
        "admin",
        "appointments.songlin",
        "auditor",
        "clerk.songlin",
        "desk.songlin",
        "editor.province",
        "editor.songlin",
        "env.songlin",
        "fuhe.songlin",
        "hallconfig",
        "head.env.songlin",
        "head.gov.songlin",
        "head.health.songlin",
        "head.housing.songlin",
        "head.land.songlin",
        "health.songlin",
        "housing.songlin",
        "jiance.mingchuan",
        "jiancha.songlin",
        "land.songlin",
        "pingjia.gov",
        "pingjia.health",
        "pingjia.housing",
        "reviewer.songlin",
        "secadmin",
        "supervisor.songlin",
        "sysadmin",
        "window.songlin",
    ]
    for user in users.values():
        assert user.kind == "staff" and user.check_password(DEMO_PASSWORD)
        user.full_clean()
    assert users["admin"].is_superuser
    assert not any(u.is_superuser for name, u in users.items() if name != "admin")

    def groups(name):
        return set(users[name].groups.values_list("name", flat=True))

    assert groups("editor.province") == {GROUP_WIDE_EDITORS}
    assert groups("editor.songlin") == {"松林县人民政府·编辑"}
    assert groups("reviewer.songlin") == {
        "松林县人民政府·初审",
        "松林县人民政府·终审",
        "明川省人民政府·初审",
        "明川省人民政府·终审",
    }
    # Three separated administrators, one role each; a clerk who verifies identities.
    assert groups("sysadmin") == {"系统管理员"}
    assert groups("secadmin") == {"安全管理员"}
    assert groups("auditor") == {"审计管理员"}
    assert groups("housing.songlin") == {"窗口受理人员", "审查人员", "审批决定人员"}
    assert groups("land.songlin") == {"审查人员"}
    assert groups("hallconfig") == {"办件配置管理员"}
    assert users["land.songlin"].department.name == "松林县自然资源和规划局"
    # The hall: every online item has a form and a process, the construction permit is a
    # joint approval with two departments, one application waits at the health commission.
    from yiwang.hall.models import Case, ServiceSetup

    setups = ServiceSetup.objects.select_related("process", "implementation")
    assert setups.count() and all(s.process_id and s.form_id for s in setups)
    joint = setups.get(implementation__name="建筑工程施工许可证核发")
    assert joint.process.template == "joint"
    assert len(joint.process.parameters["joint_departments"]) == 2
    from yiwang.demo import history

    demo_made = history.history_cases() | history.open_cases()
    (waiting,) = Case.objects.exclude(number=None).exclude(pk__in=demo_made.values("pk"))
    assert (waiting.item_name, waiting.status) == ("医师执业注册", "submitted")
    assert waiting.tasks.get().department.name == "松林县卫生健康局"
    assert users["clerk.songlin"].has_perm("accounts.verify_identity")
    assert not users["auditor"].has_perm("accounts.verify_identity")
    # Every staff account has its demo authenticator, whose secret the summary prints.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yiwang.demo.staff_devices import is_demo_key

    for user in users.values():
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert is_demo_key(device)
    # Two citizens: 张三 at level 3 (verified at the counter) administers the demo company,
    # 李四 at level 2 is its agent; their ID numbers are stored encrypted, shown masked.
    from yiwang.accounts.models import AgentAuthorization, LegalPerson

    zhang = User.objects.get(username="zhangsan")
    li = User.objects.get(username="lisi")
    assert (zhang.real_name_level, li.real_name_level) == (3, 2)
    assert zhang.identity_verified_by == users["clerk.songlin"]
    assert zhang.id_number_masked == "1101**********4514"
    assert "110101199003074514" not in zhang.id_number_encrypted
    company = LegalPerson.objects.get(administrator=zhang)
    assert AgentAuthorization.objects.get(legal_person=company, agent=li).is_active()
    # The department system is registered for OpenID Connect and its config written.
    from oauth2_provider.models import Application

    from yiwang.demo.oidc_demo import CLIENT_ID, read_config

    assert Application.objects.filter(client_id=CLIENT_ID).exists()
    assert read_config()["base_url"] == "http://localhost:8001"

    # The summary names every portal, the closed sites and the logins.
    lines = output.splitlines()
    first = lines.index("门户网站：") + 1
    portal_lines = lines[first : first + 6]
    assert lines[first + 6].startswith("已关停迁移的站点")
    assert [line.split("http://")[1].split(":")[0] for line in portal_lines] == PORTAL_HOSTS
    for host in CLOSED_HOSTS:
        assert f"http://{host}:8000/ → http://songlin.localhost:8000/" in output
    assert "管理后台：http://mingchuan.localhost:8000/admin/" in output
    for username in [*users, "zhangsan", "lisi"]:
        assert f"{username} / {DEMO_PASSWORD}" in output
    assert "演示部门系统（OpenID Connect 单点登录）：http://localhost:8001/" in output

    # A year of cases, forty open ones in all three colours, and what the other services
    # made from them.
    services = service_counts()
    assert 2500 <= services["history"] <= 3000 and services["open"] == 40
    assert services["red"] and services["yellow"] and services["watched"] >= 40
    assert services["ratings"] > 500 and services["bad"] and services["rectifications"]
    assert services["bookings"] and services["cells"] and services["months"] >= 12
    assert (
        "历史办件：" in output
        and "电子监察：http://songlin.localhost:8000/admin/supervision/" in output
    )
    assert "好差评：" in output and "预约服务：松林县政务服务中心" in output
    assert "统计分析：" in output and "jiancha.songlin" in output

    # 网站监测: every portal monitored by its office, a week of tries (the flaky county's
    # with three failures), its first check queued; the two accounts.
    from yiwang.monitoring.models import CheckRun, MonitoredSite

    monitored = list(MonitoredSite.objects.select_related("portal", "owner_department"))
    assert sorted(m.portal.hostname for m in monitored) == sorted(PORTAL_HOSTS)
    for m in monitored:
        assert m.base_url == f"http://{m.portal.hostname}:8000/" and not m.check_external
        assert m.owner_department.name.endswith(("办公厅", "办公室"))
        assert m.probes.count() == 7 * m.tries_per_day
        assert CheckRun.objects.filter(site=m, state="queued").count() == 1
    failures = {m.portal.hostname: m.probes.filter(ok=False).count() for m in monitored}
    assert sum(failures.values()) == failures["tongxi.localhost"] == 3
    assert groups("jiance.mingchuan") == {"网站监测管理员"}
    assert "网站主办单位" in groups("wangzhan.songlin")
    assert users["wangzhan.songlin"].department.name == "松林县人民政府办公室"
    assert "网站监测：http://songlin.localhost:8000/admin/monitoring/" in output
    # The search index holds the group's pages, items and replies: 身份证 on the county's
    # portal finds the ID-card items, and news and replies of the group.
    from yiwang.search import query as search_query

    found = search_query.search("身份证", per_page=50)
    kinds = {value for value, _, _ in found.facets["kind"]}
    assert {"item", "news", "message"} <= kinds
    assert "松林县公安局推出居民身份证跨省通办服务" in [
        r.title for r in search_query.search("身份证", kinds=["news"]).results
    ]
    assert "身份证丢了怎么补办？" in [
        r.title for r in search_query.search("身份证", kinds=["message"]).results
    ]
    assert len({value for value, _, _ in found.facets["site_id"]}) >= 3
    assert "全网检索：http://songlin.localhost:8000/sousuo/?q=身份证" in output

    # Each portal's site team has published the day's news (the rest ends at BASE_DATE).
    today = timezone.localdate()
    for m in monitored:
        news = ArticlePage.objects.descendant_of(m.portal.root_page).filter(
            url_path__endswith=f"/xwzx/gzdt/jr-{today:%Y%m%d}/"
        )
        assert news.count() == 1 and news.get().live, m.portal.hostname

    # 政民互动: the error report reached 松林县's site team and was answered within its
    # working day; the 12345 work order was transferred once and closed.
    from yiwang.interaction import numbers
    from yiwang.interaction.models import Message

    report = Message.objects.get(external_id="demo-error-1")
    county = sites["songlin.localhost"].root_page.specific
    assert report.department == county.owner_department and report.status == "replied"
    assert report.replied_at <= report.due_at and numbers.matches(report, "DEMO2026")
    order = Message.objects.get(external_id="demo-hotline-1")
    assert order.channel == "hotline" and order.status == "closed" and order.is_published
    assert list(order.events.filter(kind="transferred").values_list("note", flat=True)) == [
        "道路维修属住建局职责，教育局反馈后转办"
    ]
    assert "赵" not in order.public_body + order.public_title
    assert Message.objects.filter(external_id="demo-letter-3", escalated_at__isnull=False).exists()
    assert "查询码 DEMO2026" in output
    assert "政民互动：http://songlin.localhost:8000/hudong/" in output
    from yiwang.participation.models import ConsultationPage, SurveyPage

    assert ConsultationPage.objects.live().descendant_of(county).count() == 2
    assert SurveyPage.objects.live().descendant_of(county).exists()
    assert "公众参与（意见征集、在线访谈、网上调查）：http://songlin.localhost:8000/gzcy/" in output

    # A second run changes nothing and prints the same addresses and logins.
    before = content_snapshot()
    page_count = Page.objects.count()
    again = run()
    assert "已经加载过了" in again
    assert again.splitlines()[1:] == lines[1:]
    assert Page.objects.count() == page_count
    assert content_snapshot() == before

    # --reset removes it all and loads the same content again, here on another port.
    reset = run("--reset", "--port", "8123")
    assert "加载完成" in reset
    assert "管理后台：http://mingchuan.localhost:8123/admin/" in reset
    assert content_snapshot() == before
    assert Page.objects.count() == page_count
    assert User.objects.filter(username__in=[*users, "zhangsan", "lisi"]).count() == len(users) + 2
    assert service_counts() == services
    assert Case.objects.exclude(number=None).exclude(pk__in=demo_made.values("pk")).count() == 1
    assert LegalPerson.objects.filter(name="松林县青禾农业科技有限公司").count() == 1
    ports = Site.objects.filter(hostname__in=demo_hostnames()).values_list("port", flat=True)
    assert sorted(ports) == [8123] * 10
    monitored = MonitoredSite.objects.all()
    assert sorted(m.base_url for m in monitored) == sorted(
        f"http://{host}:8123/" for host in PORTAL_HOSTS
    )
    assert all(m.probes.count() == 7 * m.tries_per_day for m in monitored)


@pytest.mark.django_db(transaction=False)
def test_unrelated_user_with_a_demo_name_stops_the_load_and_writes_nothing():
    get_user_model().objects.create_user("admin", password="someone-elses-1")
    pages = Page.objects.count()
    with pytest.raises(CommandError, match="admin"):
        run()
    with pytest.raises(CommandError, match="admin"):
        run("--reset")
    assert Page.objects.count() == pages
    assert not Region.objects.filter(code__startswith="99").exists()
    assert get_user_model().objects.get(username="admin").check_password("someone-elses-1")


@pytest.mark.django_db(transaction=False)
def test_missing_site_migration_fails_loudly_and_writes_nothing(monkeypatch):
    # Stands for the site-migration module not being there (an ImportError on import).
    monkeypatch.setitem(sys.modules, "yiwang.portal.migration", None)
    pages = Page.objects.count()
    with pytest.raises(ImportError, match="migrate_site"):
        run()
    assert Page.objects.count() == pages
    assert not Region.objects.filter(code__startswith="99").exists()
    assert not Site.objects.filter(hostname__in=demo_hostnames()).exists()
