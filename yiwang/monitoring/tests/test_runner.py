"""Runs: a monkeypatched crawl resumed across slices, cancelled, failing (what was stored
stays), an own portal judged from our data with tamper and alerts told once; reachability
tries on their schedule; and, at the end, real crawls: the engine's fixture site and a
portal served by the live server."""

import dataclasses
import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import User, UserKind
from yiwang.core.models import AuditEvent
from yiwang.monitoring import crawler, runner, scoring, tamper
from yiwang.monitoring.constants import SITE_TEAM_GROUP, AlertKind, FindingOrigin, RunState
from yiwang.monitoring.models import (
    Alert,
    CheckRun,
    MonitoredSite,
    PageFingerprint,
    Probe,
    SiteScore,
    TamperEvent,
)
from yiwang.monitoring.results import (
    Column,
    ColumnKind,
    CrawlReport,
    FindingKind,
)
from yiwang.monitoring.results import Finding as F
from yiwang.monitoring.results import Probe as ProbeResult
from yiwang.orgs.models import Department
from yiwang.portal.models import ArticlePage
from yiwang.portal.tests.conftest import at, county_content, publish_page  # noqa: F401

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
EXTERNAL = "http://www.example.gov.cn/"


def broken(target, *, url=EXTERNAL, on_home=False):
    return F(kind=FindingKind.BROKEN_LINK, url=url, target=target, status=404, on_home=on_home)


class FakeCrawl:
    """Stands in for ``crawler.crawl``: returns (or raises) the given outcomes in turn and
    keeps the keyword arguments of every call."""

    def __init__(self, *outcomes, during=None):
        self.outcomes = list(outcomes)
        self.calls = []
        self.during = during

    def __call__(self, start_url, **kwargs):
        self.calls.append({"start_url": start_url, **kwargs})
        if self.during is not None:
            self.during(kwargs)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@pytest.fixture
def external(regions):
    return MonitoredSite.objects.create(
        name="示例局网站", base_url=EXTERNAL, region=regions["city"]
    )


def report(findings=(), *, finished=True, stopped="", state=None, pages=10, **extra):
    return CrawlReport(
        start_url=EXTERNAL,
        pages=pages,
        links_checked=pages * 3,
        finished=finished,
        stopped_because=stopped,
        findings=list(findings),
        state=state or {},
        **extra,
    )


def test_a_run_resumes_across_slices_and_is_judged_at_the_end(
    external, monkeypatch, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    first = report([broken(EXTERNAL + "a")], finished=False, stopped="max_seconds", state={"n": 1})
    last = report(
        [broken(EXTERNAL + "a"), broken(EXTERNAL + "b", url=EXTERNAL, on_home=True)],
        pages=25,
        home_newest=today - datetime.timedelta(days=3),
        columns=[
            Column(url=EXTERNAL + "xw/", name="新闻", kind=ColumnKind.NEWS, items=0),
            Column(
                url=EXTERNAL + "tz/",
                name="通知",
                kind=ColumnKind.NOTICE,
                items=4,
                newest=today - datetime.timedelta(days=10),
            ),
        ],
    )
    fake = FakeCrawl(first, last)
    monkeypatch.setattr(crawler, "crawl", fake)
    with django_capture_on_commit_callbacks(execute=True):
        run = runner.start_run(external)
        assert run.state == RunState.QUEUED
    run.refresh_from_db()
    assert run.state == RunState.DONE
    assert (run.slices, run.pages, run.links_checked, run.pages_queued) == (2, 25, 75, 0)
    assert run.crawl_state == {}
    assert [call["state"] for call in fake.calls] == [None, {"n": 1}]
    first_call = fake.calls[0]
    assert first_call["start_url"] == EXTERNAL
    assert first_call["limits"].max_seconds == 120.0
    assert first_call["limits"].max_pages == 2000
    assert first_call["fingerprint_prefix"] is None
    assert first_call["fingerprint"] is tamper.fingerprint
    assert ("国家工商行政管理总局", "国家市场监督管理总局", "outdated_name") in first_call[
        "wording"
    ]
    # The last slice's findings replaced the first's: no duplicates.
    assert sorted(
        run.findings.filter(origin=FindingOrigin.CRAWL).values_list("target", flat=True)
    ) == [EXTERNAL + "a", EXTERNAL + "b"]
    assert list(run.findings.exclude(origin=FindingOrigin.CRAWL).values_list("kind", "url")) == [
        (FindingKind.EMPTY_COLUMN, EXTERNAL + "xw/")
    ]
    assert list(run.columns.order_by("url").values_list("name", "stale", "empty")) == [
        ("通知", False, False),
        ("新闻", False, True),
    ]
    score = run.score
    assert (score.score, score.passed) == (96, True)  # 1 home link, 1 other link, 1 empty
    assert [d["indicator"] for d in score.deductions] == [
        "home_broken_links",
        "other_broken_links",
        "empty_columns",
    ]
    assert [v["checked"] for v in score.vetoes] == [True, True, True, True, False, False]


def test_progress_is_written_while_crawling(external, monkeypatch):
    seen = {}

    def during(kwargs):
        kwargs["progress"](5, 15)
        row = CheckRun.objects.get(site=external)
        seen.update(
            state=row.state, pages=row.pages, progress=row.progress, pct=row.progress_percent
        )

    monkeypatch.setattr(crawler, "crawl", FakeCrawl(report(), during=during))
    run = CheckRun.objects.create(site=external)
    runner.execute(run)
    assert seen == {
        "state": RunState.RUNNING,
        "pages": 5,
        "progress": "已检查 5 页，待检查 15 页",
        "pct": 25,
    }
    assert run.state == RunState.DONE


def test_a_cancelled_run_stops_and_keeps_what_it_found(external, monkeypatch):
    def during(kwargs):
        runner.cancel(CheckRun.objects.get(site=external))
        assert kwargs["should_stop"]() is True

    fake = FakeCrawl(
        report([broken(EXTERNAL + "x")], finished=False, stopped="stopped"), during=during
    )
    monkeypatch.setattr(crawler, "crawl", fake)
    run = runner.execute(CheckRun.objects.create(site=external))
    assert run.state == RunState.CANCELLED
    assert list(run.findings.values_list("target", flat=True)) == [EXTERNAL + "x"]
    assert not SiteScore.objects.exists()
    # A cancelled run is not run again, and a queued one cancelled never crawls.
    assert runner.execute(run).state == RunState.CANCELLED
    queued = CheckRun.objects.create(site=external)
    assert runner.cancel(queued) is True
    assert runner.execute(queued).state == RunState.CANCELLED
    assert len(fake.calls) == 1


def test_a_failure_keeps_what_was_stored_and_the_run_can_resume(
    external, monkeypatch, django_capture_on_commit_callbacks
):
    fake = FakeCrawl(
        report([broken(EXTERNAL + "a")], finished=False, stopped="max_seconds", state={"n": 1}),
        RuntimeError("连接池耗尽"),
        report([broken(EXTERNAL + "a"), broken(EXTERNAL + "c")], pages=30),
    )
    monkeypatch.setattr(crawler, "crawl", fake)
    with django_capture_on_commit_callbacks(execute=True):
        run = runner.start_run(external)
    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert run.error == "检查失败：连接池耗尽"
    assert run.crawl_state == {"n": 1}
    assert list(run.findings.values_list("target", flat=True)) == [EXTERNAL + "a"]
    # One run at a time: a failed one does not block a new start, a paused one would.
    with django_capture_on_commit_callbacks(execute=True):
        runner.resume(run)
    run.refresh_from_db()
    assert run.state == RunState.DONE
    assert fake.calls[-1]["state"] == {"n": 1}
    assert sorted(run.findings.filter(kind="broken_link").values_list("target", flat=True)) == [
        EXTERNAL + "a",
        EXTERNAL + "c",
    ]
    with pytest.raises(runner.RunError, match="不能继续"):
        runner.resume(run)


def test_a_failure_while_judging_keeps_the_crawl(external, monkeypatch):
    monkeypatch.setattr(crawler, "crawl", FakeCrawl(report([broken(EXTERNAL + "a")])))

    def broken_score(*args, **kwargs):
        raise ValueError("评分出错")

    monkeypatch.setattr(scoring, "score", broken_score)
    run = runner.execute(CheckRun.objects.create(site=external))
    assert (run.state, run.error) == (RunState.FAILED, "检查失败：评分出错")
    assert run.findings.count() == 1
    assert not SiteScore.objects.exists()


def test_the_time_budget_ends_a_run_after_its_last_slice(external, monkeypatch):
    external.max_seconds = 200
    external.save()
    run = CheckRun.objects.create(site=external, crawl_seconds=150)
    fake = FakeCrawl(report(finished=False, stopped="max_seconds", state={"n": 2}))
    monkeypatch.setattr(crawler, "crawl", fake)
    monkeypatch.setattr(runner, "_clock", iter([0.0, 60.0]).__next__)
    run = runner.execute(run)
    assert fake.calls[0]["limits"].max_seconds == 50.0  # what is left of the budget
    assert (run.state, run.stopped_because, run.crawl_seconds) == (
        RunState.DONE,
        "max_seconds",
        210.0,
    )
    assert run.stopped_because_label == "达到时长上限"


def test_one_run_at_a_time_and_inactive_sites(external):
    admin = User.objects.create_superuser(username="root", password="x" * 12)
    run = runner.start_run(external, user=admin)
    assert runner.start_run(external) == run
    assert run.triggered_by == admin
    assert runner.cancel(run, user=admin) is True
    assert list(
        AuditEvent.objects.filter(object_id=str(run.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == ["monitoring.run_started", "monitoring.run_cancelled"]
    assert runner.cancel(run) is False
    external.active = False
    external.save()
    with pytest.raises(runner.RunError, match="已停用监测"):
        runner.start_run(external)


def test_allowed_phrases_are_no_wording_hits(external, monkeypatch):
    hits = [
        F(
            kind="wording",
            url=EXTERNAL,
            target="文化部",
            detail="文化和旅游部",
            context="各级文化部门要",
        ),
        F(
            kind="wording",
            url=EXTERNAL + "b",
            target="文化部",
            detail="文化和旅游部",
            context="原文化部发布",
        ),
        F(
            kind="wording",
            url=EXTERNAL + "c",
            target="文化部",
            detail="文化和旅游部",
            context="文化部门和文化部",
        ),
    ]
    monkeypatch.setattr(crawler, "crawl", FakeCrawl(report(hits)))
    run = runner.execute(CheckRun.objects.create(site=external))
    assert sorted(run.findings.filter(kind="wording").values_list("url", flat=True)) == [
        EXTERNAL + "b",
        EXTERNAL + "c",
    ]


@pytest.fixture
def portal(county_content, regions):  # noqa: F811
    office = Department.objects.create(name="松林县人民政府办公室", region=regions["county_a"])
    team = User.objects.create_user(
        username="team", kind=UserKind.STAFF, department=office, email="team@songlin.gov.cn"
    )
    team.groups.add(Group.objects.get(name=SITE_TEAM_GROUP))
    return MonitoredSite.objects.create(
        name="松林县人民政府",
        base_url="http://songlin.localhost:8000/",
        region=regions["county_a"],
        portal=county_content["site"],
        owner_department=office,
    )


def test_an_own_portal_is_judged_from_our_data_and_alerts_are_told_once(
    portal, monkeypatch, django_capture_on_commit_callbacks
):
    base = portal.base_url
    body = Client(HTTP_HOST="songlin.localhost:8000").get("/gzdt/zhishu/").content
    defaced = tamper.fingerprint(body + b"<p>hacked</p>")

    def portal_report(*links, fingerprints=None):
        return CrawlReport(
            start_url=base,
            pages=12,
            links_checked=40,
            findings=[broken(t, url=base) for t in links],
            # The crawler's own column guesses are ignored for our portals.
            columns=[Column(url=base + "x/", name="猜的栏目", kind=ColumnKind.NEWS, items=0)],
            fingerprints=fingerprints or {},
        )

    fake = FakeCrawl(
        portal_report(base + "gone", fingerprints={base + "gzdt/zhishu/": defaced}),
        portal_report(base + "gone"),
        portal_report(base + "gone", base + "gone2"),
    )
    monkeypatch.setattr(crawler, "crawl", fake)
    now = datetime.datetime(2026, 3, 30, 10, tzinfo=TZ)  # a month after the content's dates

    def run_once():
        with django_capture_on_commit_callbacks(execute=True):
            run = runner.start_run(portal, now=now)
        run.refresh_from_db()
        return run

    monkeypatch.setattr(runner.timezone, "now", lambda: now)
    first = run_once()
    assert first.state == RunState.DONE
    assert fake.calls[0]["fingerprint_prefix"] == base
    assert fake.calls[0]["today"] == datetime.date(2026, 3, 30)
    kinds = sorted(first.findings.exclude(origin=FindingOrigin.CRAWL).values_list("kind", "url"))
    assert kinds == sorted(
        [
            (FindingKind.STALE_COLUMN, base + "gzdt/"),
            (FindingKind.EMPTY_COLUMN, base + "gzdt/tzgg/"),
            (FindingKind.HOME_STALE, base),
            (FindingKind.NO_ONLINE_SERVICE, base),
            (FindingKind.TAMPERED, base + "gzdt/zhishu/"),
        ]
    )
    assert [c.name for c in first.columns.order_by("url")] == [
        "工作动态",
        "通知公告",
        "政策解读",
        "政策文件",
    ]
    score = first.score
    assert [v["rule"] for v in score.failed_vetoes] == [1, 3, 6]
    assert set(Alert.objects.values_list("kind", "key")) == {
        (AlertKind.TAMPERED, f"tamper:{TamperEvent.objects.get().pk}"),
        (AlertKind.VETO, "veto:1"),
        (AlertKind.VETO, "veto:3"),
        (AlertKind.VETO, "veto:6"),
        (AlertKind.BROKEN_LINKS, f"broken_links:{first.pk}"),
    }
    assert all(m.to == ["team@songlin.gov.cn"] for m in mail.outbox)
    assert len(mail.outbox) == 5

    # The same problems again: the tamper event stays open (not served this time, still a
    # veto), nobody is told again.
    second = run_once()
    assert [v["rule"] for v in second.score.failed_vetoes] == [1, 3, 6]
    assert Alert.objects.count() == 5

    # A new broken link: told once, with that link only.
    third = run_once()
    new = Alert.objects.order_by("-pk").first()
    assert (new.kind, new.key) == (AlertKind.BROKEN_LINKS, f"broken_links:{third.pk}")
    assert "/gone2（404）" in new.text and "/gone（404）" not in new.text
    assert Alert.objects.count() == 6


def test_reachability_tries_on_their_schedule(external, regions, monkeypatch):
    other = MonitoredSite.objects.create(
        name="另一网站",
        base_url="http://other.example.gov.cn/",
        region=regions["city"],
        tries_per_day=96,
    )
    MonitoredSite.objects.create(
        name="停用", base_url="http://off.example.gov.cn/", region=regions["city"], active=False
    )
    tried = []

    def fake_probe(url, **kwargs):
        tried.append((url, kwargs["timeout"]))
        return ProbeResult(
            url=url,
            ok=url == EXTERNAL,
            status=200 if url == EXTERNAL else None,
            elapsed_ms=120,
            detail="" if url == EXTERNAL else "timeout",
        )

    monkeypatch.setattr(crawler, "probe", fake_probe)
    now = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
    slot = runner.due_slot(external, now)
    interval = datetime.timedelta(seconds=86400 / 20)
    assert slot <= now < slot + interval
    midnight = datetime.datetime(2026, 11, 30, tzinfo=TZ)
    offset = (slot - midnight).total_seconds() % interval.total_seconds()
    assert offset == runner._offset_seconds(external, interval.total_seconds())

    probes = runner.probe_due_sites(now=slot + datetime.timedelta(seconds=1))
    assert sorted(tried) == sorted([(EXTERNAL, 15.0), ("http://other.example.gov.cn/", 15.0)])
    assert {(p.site.name, p.ok, p.detail) for p in probes} == {
        ("示例局网站", True, ""),
        ("另一网站", False, "timeout"),
    }
    tried.clear()
    runner.probe_due_sites(now=slot + interval - datetime.timedelta(seconds=1))
    assert EXTERNAL not in [url for url, _ in tried]  # tried in this slot already
    tried.clear()
    runner.probe_due_sites(now=slot + interval)
    assert EXTERNAL in [url for url, _ in tried]
    assert Probe.objects.filter(site=other).count() >= 2


def test_availability_counts_the_last_seven_days(external):
    now = timezone.now()
    rows = [
        Probe(site=external, at=now - datetime.timedelta(hours=i), ok=i >= 7) for i in range(143)
    ]
    rows += [Probe(site=external, at=now - datetime.timedelta(days=8), ok=False) for _ in range(50)]
    Probe.objects.bulk_create(rows)
    week = runner.availability(external, now=now)
    assert (week.total, week.failed, week.percent_failed, week.veto_fails) == (143, 7, 4.9, False)
    Probe.objects.create(site=external, at=now - datetime.timedelta(minutes=1), ok=False)
    Probe.objects.filter(site=external, ok=True).order_by("at").first().delete()
    week = runner.availability(external, now=now)
    assert (week.total, week.failed, week.veto_fails) == (143, 8, True)


def test_daily_runs_and_stalled_runs(external, regions):
    MonitoredSite.objects.create(
        name="停用", base_url="http://off.example.gov.cn/", region=regions["city"], active=False
    )
    now = timezone.now()
    queued = runner.schedule_daily_runs(now=now)
    assert [run.site for run in queued] == [external]
    assert runner.schedule_daily_runs(now=now + datetime.timedelta(hours=1)) == []
    run = queued[0]
    CheckRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, updated_at=now - datetime.timedelta(hours=1)
    )
    assert runner.recover_stalled(now=now) == 1
    run.refresh_from_db()
    assert run.state == RunState.FAILED and "检查中断" in run.error
    old = Probe.objects.create(site=external, at=now - datetime.timedelta(days=401), ok=True)
    Probe.objects.create(site=external, at=now, ok=True)
    assert runner.prune_probes(now=now) == 1
    assert not Probe.objects.filter(pk=old.pk).exists()


# -- real crawls ----------------------------------------------------------------------------


def test_a_run_against_the_fixture_site_with_the_real_crawler(regions):
    from yiwang.monitoring.tests.fixture_site import FixtureSite

    today = timezone.localdate()
    with FixtureSite(today=today) as fixture:
        site = MonitoredSite.objects.create(
            name="示范县人民政府",
            base_url=fixture.url,
            region=regions["county_b"],
            rate_per_second=500,
            max_seconds=60,
        )
        run = runner.execute(CheckRun.objects.create(site=site))
        expected = fixture.expected
    assert run.state == RunState.DONE, run.error
    assert (run.pages, run.links_checked) == (expected["pages"], expected["links_checked"])
    crawled = {
        (f.kind, f.url, f.target, f.category)
        for f in run.findings.filter(origin=FindingOrigin.CRAWL)
    }
    assert crawled == {(f.kind, f.url, f.target, f.category) for f in expected["findings"]}
    assert list(run.columns.order_by("url").values_list("name", "stale", "empty")) == [
        ("工作动态", True, False),
        ("通知公告", False, True),
        ("政策文件", False, False),
    ]
    assert run.home_newest == expected["home_newest"]
    score = run.score
    # 国务院办工厅 is a serious error in the dictionary: veto 1.
    assert [v["rule"] for v in score.failed_vetoes] == [1]
    assert {d["indicator"]: d["points"] for d in score.deductions} == {
        "home_broken_links": 1,
        "other_broken_links": 1,
        "stale_columns": 2,
        "empty_columns": 2,
        "wording": 1,
        "security": 10,
    }
    assert (score.score, score.passed) == (83, False)


# serialized_rollback: the Wagtail root page, the groups and the wording dictionary come
# from migrations, and a flush by an earlier transactional test would have removed them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_portal_served_by_the_live_server_matches_its_fingerprints(
    live_server,
    county_content,  # noqa: F811
    regions,
    monkeypatch,
):
    port = live_server.url.rsplit(":", 1)[1]
    site = MonitoredSite.objects.create(
        name="松林县人民政府",
        base_url=f"http://songlin.localhost:{port}/",
        region=regions["county_a"],
        portal=county_content["site"],
        rate_per_second=500,
        max_pages=400,
        max_seconds=120,
        check_external=False,
    )
    # The live server shares SQLite's in-memory database between its threads: one request
    # at a time.
    limits = MonitoredSite.limits
    monkeypatch.setattr(
        MonitoredSite,
        "limits",
        lambda self, **kw: dataclasses.replace(limits(self, **kw), concurrency=1),
    )
    # Published while monitored: its fingerprint is taken at once (after commit).
    article = publish_page(
        county_content["news"],
        ArticlePage(
            title="松林县开展防汛演练", slug="fangxun", publish_date=at(0), body="<p>演练</p>"
        ),
    )
    recorded = PageFingerprint.objects.get(site=site, page=article)
    assert recorded.url == site.base_url + "gzdt/fangxun/"

    run = runner.execute(CheckRun.objects.create(site=site))
    assert run.state == RunState.DONE, run.error
    assert run.pages > 10
    # Every page of ours the crawler fetched matches what we publish: no tampering.
    assert TamperEvent.objects.count() == 0
    assert not run.findings.filter(kind=FindingKind.TAMPERED).exists()
    assert PageFingerprint.objects.get(pk=recorded.pk).sha256 == recorded.sha256
    urls = set(PageFingerprint.objects.filter(site=site).values_list("url", flat=True))
    expected = {"", "gzdt/", "gzdt/zhishu/", "gzdt/fangxun/", "zcwj/senlin-fanghuo/", "xxgk/"}
    assert {site.base_url + path for path in expected} <= urls
    assert run.score.vetoes[0]["passed"] is True
