"""The monitoring back office over HTTP: who sees and does what, the dashboard and its
per-region overview, adding a site by its address (bad input kept and explained), the run
report with vetoes and deductions and their evidence, starting, cancelling and resuming
runs, downloads, the wording dictionary, tamper events — and the issue's journey against
the fixture site served on 127.0.0.1: add it by URL, check it, read the report."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from yiwang.accounts.models import User, UserKind
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core.models import AuditEvent
from yiwang.core.views import AUTHORIZATION_DENIED
from yiwang.monitoring import crawler, runner
from yiwang.monitoring.constants import MONITORING_ADMIN_GROUP, SITE_TEAM_GROUP, RunState
from yiwang.monitoring.models import CheckRun, MonitoredSite, TamperEvent, WordingTerm
from yiwang.monitoring.results import CrawlReport, FindingKind
from yiwang.monitoring.results import Finding as F
from yiwang.orgs.models import Department

pytestmark = pytest.mark.django_db

CITY_URL = "http://www.qingshan.example.gov.cn/"
COUNTY_URL = "http://www.songlin.example.gov.cn/"
OTHER_URL = "http://www.linxi.example.gov.cn/"


def staff(department, *groups, name, superuser=False):
    user = User.objects.create_user(
        username=name,
        kind=UserKind.STAFF,
        department=department,
        display_name=name,
        is_staff=True,
        is_superuser=superuser,
    )
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def world(regions):
    city_office = Department.objects.create(name="青山市政府办公室", region=regions["city"])
    county_office = Department.objects.create(name="松林县政府办公室", region=regions["county_a"])
    other_office = Department.objects.create(name="临溪县政府办公室", region=regions["county_b"])
    sites = {
        "city": MonitoredSite.objects.create(
            name="青山市人民政府", base_url=CITY_URL, region=regions["city"]
        ),
        "county": MonitoredSite.objects.create(
            name="松林县人民政府",
            base_url=COUNTY_URL,
            region=regions["county_a"],
            owner_department=county_office,
        ),
        "other": MonitoredSite.objects.create(
            name="临溪县人民政府", base_url=OTHER_URL, region=regions["county_b"]
        ),
    }
    people = {
        "admin": staff(city_office, MONITORING_ADMIN_GROUP, name="city_admin"),
        "county_admin": staff(county_office, MONITORING_ADMIN_GROUP, name="county_admin"),
        "team": staff(county_office, SITE_TEAM_GROUP, name="team"),
        "outsider": staff(other_office, SITE_TEAM_GROUP, name="outsider"),
        "nobody": staff(city_office, name="nobody"),
    }
    # An editor of the back office without a monitoring role.
    people["nobody"].user_permissions.add(Permission.objects.get(codename="access_admin"))
    return {"sites": sites, "people": people, "regions": regions, "office": city_office}


def as_user(client, user):
    login_with_second_factor(client, user)
    return client


def crawl_report(url, findings=(), *, pages=12):
    return CrawlReport(
        start_url=url,
        pages=pages,
        links_checked=pages * 4,
        finished=True,
        findings=list(findings),
        home_newest=timezone.localdate(),
    )


def checked(site, monkeypatch, findings=()):
    """A finished run of ``site`` over a crawl that found ``findings``."""
    monkeypatch.setattr(crawler, "crawl", lambda url, **kw: crawl_report(url, findings))
    return runner.execute(CheckRun.objects.create(site=site))


BROKEN_HOME = F(
    kind=FindingKind.BROKEN_LINK,
    url=COUNTY_URL,
    target=COUNTY_URL + "missing.html",
    status=404,
    on_home=True,
)
SERIOUS = F(
    kind=FindingKind.WORDING,
    url=COUNTY_URL + "news/1.html",
    target="国务院办工厅",
    detail="国务院办公厅",
    context="……据国务院办工厅通知……",
    category="wrong",
)


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("monitoring:index"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "who, url_name, args, status",
    [
        ("nobody", "monitoring:index", [], 403),
        ("nobody", "monitoring:wording", [], 403),
        ("team", "monitoring:index", [], 200),
        ("team", "monitoring:site", ["county"], 200),
        ("team", "monitoring:site", ["city"], 403),
        ("team", "monitoring:site_edit", ["county"], 403),
        ("team", "monitoring:site_add", [], 403),
        ("team", "monitoring:wording", [], 403),
        ("outsider", "monitoring:site", ["county"], 403),
        ("county_admin", "monitoring:site", ["county"], 200),
        ("county_admin", "monitoring:site_edit", ["county"], 200),
        ("county_admin", "monitoring:site", ["city"], 403),
        ("county_admin", "monitoring:wording", [], 200),
        ("admin", "monitoring:site_edit", ["other"], 200),
        ("admin", "monitoring:site_add", [], 200),
    ],
)
def test_who_may_see_what(client, world, who, url_name, args, status):
    user = world["people"][who]
    as_user(client, user)
    url = reverse(url_name, args=[world["sites"][a].pk for a in args])
    response = client.get(url)
    assert response.status_code == status
    if status == 403:
        assert "您没有权限" in response.content.decode()
        assert AuditEvent.objects.filter(action=AUTHORIZATION_DENIED, actor=user).exists()


def test_the_dashboard_lists_scores_vetoes_and_the_regions(client, world, monkeypatch):
    checked(world["sites"]["county"], monkeypatch, [BROKEN_HOME, SERIOUS])
    checked(world["sites"]["city"], monkeypatch)
    as_user(client, world["people"]["admin"])
    response = client.get(reverse("monitoring:index"))
    assert response.status_code == 200
    rows = {s.name: s for s in response.context["page_obj"]}
    assert (
        rows["松林县人民政府"].latest_score == 99 and rows["松林县人民政府"].latest_passed is False
    )
    assert rows["松林县人民政府"].failed_titles == ["严重问题（严重错误表述、网页被篡改等）"]
    assert rows["青山市人民政府"].latest_passed is True
    assert rows["临溪县人民政府"].latest_score is None
    figures = response.context["figures"]
    assert (figures["sites"], figures["passed"], figures["failed"], figures["unscored"]) == (
        3,
        1,
        1,
        1,
    )
    overview = {row["region"].name: row for row in response.context["overview"]}
    assert (overview["松林县"]["failed"], overview["松林县"]["average"]) == (1, 99)
    assert overview["临溪县"]["scored"] == 0
    html = response.content.decode()
    assert "严重问题" in html and "尚未评分" in html

    failed = client.get(reverse("monitoring:index"), {"verdict": "failed"})
    assert [s.name for s in failed.context["page_obj"]] == ["松林县人民政府"]
    # A region filter takes the regions below it too.
    city = client.get(reverse("monitoring:index"), {"region": world["regions"]["city"].pk})
    assert len(city.context["page_obj"]) == 3

    # The site team sees its own site only.
    as_user(client, world["people"]["team"])
    mine = client.get(reverse("monitoring:index"))
    assert [s.name for s in mine.context["page_obj"]] == ["松林县人民政府"]


def test_the_report_shows_vetoes_and_deductions_with_their_evidence(client, world, monkeypatch):
    run = checked(world["sites"]["county"], monkeypatch, [BROKEN_HOME, SERIOUS])
    as_user(client, world["people"]["team"])
    response = client.get(reverse("monitoring:run", args=[run.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "不合格" in html and "未通过" in html
    assert "国务院办工厅" in html and "国务院办公厅" in html
    assert COUNTY_URL + "missing.html" in html and "首页链接可用性" in html
    report = response.context["report"]
    assert [v["rule"] for v in report.failed_vetoes] == [1]
    assert {g.kind: g.count for g in report.groups} == {"broken_link": 1, "wording": 1}

    xlsx = client.get(reverse("monitoring:run_xlsx", args=[run.pk]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) >= 3
    pdf = client.get(reverse("monitoring:run_pdf", args=[run.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Type"] == "application/pdf"

    # Outside the reader's sites: 403, downloads included.
    as_user(client, world["people"]["outsider"])
    assert client.get(reverse("monitoring:run", args=[run.pk])).status_code == 403
    assert client.get(reverse("monitoring:run_xlsx", args=[run.pk])).status_code == 403


def test_adding_a_site_by_its_address(client, world, django_capture_on_commit_callbacks):
    admin = world["people"]["county_admin"]
    as_user(client, admin)
    url = reverse("monitoring:site_add")
    data = {
        "name": "松林县教育局",
        "base_url": "ftp://jyj.songlin.example.gov.cn",
        "region": world["regions"]["county_a"].pk,
        "tries_per_day": 20,
        "max_pages": 500,
        "max_seconds": 600,
        "rate_per_second": 2,
        "active": "on",
        "check_now": "1",
    }
    bad = client.post(url, data)
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "网址须以 http:// 或 https:// 开头" in html
    assert 'value="松林县教育局"' in html  # nothing typed is lost
    assert 'aria-invalid="true"' in html

    # A region the administrator does not manage is no choice.
    outside = client.post(
        url,
        {
            **data,
            "base_url": "https://jyj.example.gov.cn",
            "region": world["regions"]["county_b"].pk,
        },
    )
    assert outside.status_code == 400 and "region" in outside.context["form"].errors

    duplicate = client.post(url, {**data, "base_url": COUNTY_URL.upper().replace("HTTP", "http")})
    assert duplicate.status_code == 400
    assert "这个首页地址已在监测中。" in duplicate.content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = client.post(url, {**data, "base_url": "HTTPS://JYJ.songlin.example.gov.cn"})
    site = MonitoredSite.objects.get(name="松林县教育局")
    assert site.base_url == "https://jyj.songlin.example.gov.cn/"
    assert site.created_by == admin and site.portal is None
    run = site.runs.get()
    assert done.status_code == 302 and done["Location"] == reverse("monitoring:run", args=[run.pk])
    assert run.state == RunState.QUEUED and run.triggered_by == admin
    assert callbacks  # the run's task is enqueued after commit
    assert AuditEvent.objects.filter(
        action="monitoring.site_added", object_id=str(site.pk)
    ).exists()


def test_editing_a_site(client, world):
    as_user(client, world["people"]["county_admin"])
    site = world["sites"]["county"]
    url = reverse("monitoring:site_edit", args=[site.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "tries_per_day": 500,
            "region": site.region_id,
            "owner_department": site.owner_department_id,
            "active": "on",
        }
    )
    bad = client.post(url, data)
    assert bad.status_code == 400
    assert "tries_per_day" in bad.context["form"].errors
    data["tries_per_day"] = 48
    assert client.post(url, data).status_code == 302
    site.refresh_from_db()
    assert site.tries_per_day == 48
    event = AuditEvent.objects.get(action="monitoring.site_changed")
    assert event.detail == {"tries_per_day": "48"}


def test_starting_cancelling_and_resuming_runs(client, world, django_capture_on_commit_callbacks):
    site = world["sites"]["county"]
    as_user(client, world["people"]["team"])
    start = reverse("monitoring:run_start", args=[site.pk])
    assert client.get(start).status_code == 405
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(start)
        again = client.post(start, follow=True)
    run = site.runs.get()
    assert first["Location"] == reverse("monitoring:run", args=[run.pk])
    assert "检查正在进行" in again.content.decode()
    page = client.get(reverse("monitoring:run", args=[run.pk]))
    assert "取消检查" in page.content.decode() and "monitoring/run.js" in page.content.decode()
    status = client.get(reverse("monitoring:run_status", args=[run.pk])).json()
    assert status["state"] == "queued" and status["active"] is True

    client.post(reverse("monitoring:run_cancel", args=[run.pk]))
    run.refresh_from_db()
    assert run.state == RunState.CANCELLED
    resumed = client.post(reverse("monitoring:run_resume", args=[run.pk]), follow=True)
    assert "不能继续" in resumed.content.decode()

    # Not the outsider's to start; an inactive site says why.
    as_user(client, world["people"]["outsider"])
    assert client.post(start).status_code == 403
    site.active = False
    site.save()
    as_user(client, world["people"]["team"])
    refused = client.post(start, follow=True)
    assert "已停用监测" in refused.content.decode()


def test_the_wording_dictionary(client, world):
    as_user(client, world["people"]["county_admin"])
    listing = client.get(reverse("monitoring:wording"), {"category": "outdated_name"})
    assert listing.status_code == 200
    assert all(t.category == "outdated_name" for t in listing.context["page_obj"])
    assert "国家工商行政管理总局" in listing.content.decode()

    add = reverse("monitoring:wording_add")
    bad = client.post(
        add,
        {
            "wrong": "松林县政府办",
            "correct": "松林县人民政府办公室",
            "category": "outdated_name",
            "exceptions": "青山市政府办公室",
            "active": "on",
        },
    )
    assert bad.status_code == 400
    assert "以下写法不包含错误表述“松林县政府办”：青山市政府办公室" in bad.content.decode()
    ok = client.post(
        add,
        {
            "wrong": "松林县政府办",
            "correct": "松林县人民政府办公室",
            "category": "outdated_name",
            "exceptions": "松林县政府办公室",
            "active": "on",
        },
    )
    assert ok.status_code == 302
    term = WordingTerm.objects.get(wrong="松林县政府办")
    assert term.edited_by == world["people"]["county_admin"]
    assert ("松林县政府办", "松林县人民政府办公室", "outdated_name") in runner.wording_terms()
    duplicate = client.post(add, {"wrong": "松林县政府办", "category": "wrong", "active": "on"})
    assert "词库中已有这个错误表述。" in duplicate.content.decode()

    edit = reverse("monitoring:wording_edit", args=[term.pk])
    client.post(
        edit,
        {
            "wrong": "松林县政府办",
            "correct": "松林县人民政府办公室",
            "category": "outdated_name",
            "exceptions": "松林县政府办公室",
        },
    )
    term.refresh_from_db()
    assert term.active is False
    assert AuditEvent.objects.filter(action="monitoring.wording_changed").count() == 1


def test_resolving_a_tamper_event(client, world):
    site = world["sites"]["county"]
    event = TamperEvent.objects.create(
        site=site, url=COUNTY_URL + "a.html", expected="a" * 64, served="b" * 64
    )
    url = reverse("monitoring:tamper_resolve", args=[event.pk])
    as_user(client, world["people"]["team"])
    assert client.post(url, {"resolution": "已恢复"}).status_code == 403
    as_user(client, world["people"]["county_admin"])
    empty = client.post(url, {"resolution": ""}, follow=True)
    assert "请填写处置说明" in empty.content.decode()
    client.post(url, {"resolution": "已从备份恢复"})
    event.refresh_from_db()
    assert event.resolved and event.resolution == "已从备份恢复"
    assert event.resolved_by == world["people"]["county_admin"]
    assert AuditEvent.objects.filter(action="monitoring.tamper_resolved").exists()


def test_an_external_site_added_by_url_is_checked_and_reported(client, world):
    """The issue's journey for any site: add it by its address, check it (the worker's
    task, run here directly), read the report with the fixture site's known faults."""
    from yiwang.monitoring.tests.fixture_site import FixtureSite

    as_user(client, world["people"]["admin"])
    with FixtureSite(today=timezone.localdate()) as fixture:
        response = client.post(
            reverse("monitoring:site_add"),
            {
                "name": "示范县人民政府",
                "base_url": fixture.url,
                "region": world["regions"]["county_b"].pk,
                "tries_per_day": 20,
                "max_pages": 500,
                "max_seconds": 60,
                "rate_per_second": 500,
                "active": "on",
                "check_external": "on",
                "check_now": "1",
            },
        )
        assert response.status_code == 302
        run = CheckRun.objects.get(site__name="示范县人民政府")
        runner.execute(run)
    page = client.get(reverse("monitoring:run", args=[run.pk]))
    html = page.content.decode()
    report = page.context["report"]
    assert report.score.score == 83 and not report.score.passed
    assert [v["rule"] for v in report.failed_vetoes] == [1]
    assert {d["indicator"] for d in report.deductions} == {
        "home_broken_links",
        "other_broken_links",
        "stale_columns",
        "empty_columns",
        "wording",
        "security",
    }
    assert "国务院办工厅" in html and "通知公告" in html and "空白" in html
    dashboard = client.get(reverse("monitoring:index"), {"kind": "external", "q": "示范县"})
    assert [s.latest_score for s in dashboard.context["page_obj"]] == [83]
