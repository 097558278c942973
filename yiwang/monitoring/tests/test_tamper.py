"""Tamper protection: publishing records fingerprints; what the test client serves (as the
crawler would fetch it) has the same fingerprint for every page type; a changed body opens
a tamper event at once, with its finding and alert, until the page serves right again."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client

from yiwang.accounts.models import User, UserKind
from yiwang.monitoring import tamper
from yiwang.monitoring.constants import SITE_TEAM_GROUP, AlertKind
from yiwang.monitoring.models import Alert, MonitoredSite, PageFingerprint, TamperEvent
from yiwang.monitoring.results import FindingKind
from yiwang.orgs.models import Department
from yiwang.portal.models import ArticlePage
from yiwang.portal.tests.conftest import at, county_content, publish_page  # noqa: F401

pytestmark = pytest.mark.django_db
HOST = "songlin.localhost:8000"
BASE = f"http://{HOST}/"


@pytest.fixture
def site(county_content, regions):  # noqa: F811
    office = Department.objects.create(name="松林县人民政府办公室", region=regions["county_a"])
    team = User.objects.create_user(
        username="team",
        kind=UserKind.STAFF,
        department=office,
        email="team@songlin.gov.cn",
        mobile="13800000000",
    )
    team.groups.add(Group.objects.get(name=SITE_TEAM_GROUP))
    return MonitoredSite.objects.create(
        name="松林县人民政府",
        base_url=BASE,
        region=regions["county_a"],
        portal=county_content["site"],
        owner_department=office,
    )


def served(path):
    response = Client(HTTP_HOST=HOST).get(path)
    assert response.status_code == 200, path
    return response.content


PAGES = [
    "home",
    "news",
    "notices",
    "policies",
    "interpretations",
    "article",
    "old_document",
    "document",
    "interpretation",
    "catalog",
    "topic",
    "leader",
    "functions",
]


def test_publishing_records_what_visitors_are_served(
    site,
    county_content,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    news = county_content["news"]
    with django_capture_on_commit_callbacks(execute=True):
        article = publish_page(
            news,
            ArticlePage(
                title="松林县开展防汛演练", slug="fangxun", publish_date=at(0), body="<p>演练。</p>"
            ),
        )
    records = {r.url: r for r in PageFingerprint.objects.filter(site=site)}
    # The page and its ancestors (their listings show it).
    assert sorted(records) == [BASE, BASE + "gzdt/", BASE + "gzdt/fangxun/"]
    record = records[BASE + "gzdt/fangxun/"]
    assert record.page_id == article.pk
    assert record.revision_id == article.live_revision_id
    for url, row in records.items():
        path = url[len(BASE) - 1 :]
        assert tamper.fingerprint(served(path)) == row.sha256, url
    assert tamper.check(site, {url: r.sha256 for url, r in records.items()}) == []
    assert TamperEvent.objects.count() == 0


@pytest.mark.parametrize("name", PAGES)
def test_every_page_type_renders_as_served(site, county_content, name):  # noqa: F811
    page = county_content[name]
    url = tamper.page_url(site, page)
    assert url.startswith(BASE)
    assert tamper.eligible(page)
    rendered = tamper.render(site, page)
    assert tamper.fingerprint(rendered) == tamper.fingerprint(served(url[len(BASE) - 1 :]))
    outcome, event = tamper.compare(site, url, tamper.fingerprint(rendered))
    assert (outcome, event) == ("refreshed", None)
    assert tamper.compare(site, url, tamper.fingerprint(rendered)) == ("ok", None)


def test_a_changed_body_opens_an_event_at_once_until_it_serves_right_again(
    site,
    county_content,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    url = BASE + "gzdt/zhishu/"
    body = served("/gzdt/zhishu/")
    defaced = body.replace("植树造林".encode(), "被黑了".encode())
    assert defaced != body
    with django_capture_on_commit_callbacks(execute=True):
        findings = tamper.check(site, {url: tamper.fingerprint(defaced)})
    event = TamperEvent.objects.get()
    assert (event.url, event.page_id, event.resolved_at) == (
        url,
        county_content["article"].pk,
        None,
    )
    assert event.expected == tamper.fingerprint(body)
    assert [(f.kind, f.url) for f in findings] == [(FindingKind.TAMPERED, url)]
    alert = Alert.objects.get()
    assert (alert.kind, alert.key, alert.recipients) == (
        AlertKind.TAMPERED,
        f"tamper:{event.pk}",
        1,
    )
    assert [m.to for m in mail.outbox] == [["team@songlin.gov.cn"]]
    assert "疑似被篡改" in mail.outbox[0].subject

    # Still defaced next run: the same event, no second alert; a page not crawled this time
    # keeps its open event as a finding too.
    with django_capture_on_commit_callbacks(execute=True):
        again = tamper.check(site, {url: tamper.fingerprint(defaced)})
        assert tamper.check(site, {}) == again
    assert TamperEvent.objects.count() == 1 and Alert.objects.count() == 1
    assert len(again) == 1

    # Served right again: resolved, no finding.
    assert tamper.check(site, {url: tamper.fingerprint(body)}) == []
    event.refresh_from_db()
    assert event.resolved_at is not None
    assert event.resolution == "页面已恢复为发布内容"


def test_a_page_changed_without_publishing_is_not_tampering(site, county_content):  # noqa: F811
    url = BASE + "gzdt/"
    body = served("/gzdt/")
    PageFingerprint.objects.create(site=site, page=county_content["news"], url=url, sha256="0" * 64)
    assert tamper.compare(site, url, tamper.fingerprint(body)) == ("refreshed", None)
    assert PageFingerprint.objects.get(site=site, url=url).sha256 == tamper.fingerprint(body)
    assert TamperEvent.objects.count() == 0


def test_a_listing_with_a_query_is_not_its_published_page(site, county_content):  # noqa: F811
    """``?page=1`` of a column (or a filter) is served differently from the column as
    published; its key is the column's, but it is not compared with the column's record."""
    url = BASE + "gzdt/"
    assert tamper.compare(site, url, tamper.fingerprint(served("/gzdt/")))[0] in ("ok", "refreshed")
    page_one = tamper.fingerprint(served("/gzdt/?page=1"))
    assert tamper.compare(site, url + "?page=1", page_one) == ("unknown", None)
    assert tamper.check(site, {url + "?page=1": page_one, url + "?year=2026": "f" * 64}) == []
    assert TamperEvent.objects.count() == 0


def test_what_is_not_ours_is_not_compared(site):
    for url in (BASE + "hudong/", BASE + "gzdt/?page=2", BASE + "gzdt/feed/", BASE + "nosuch/"):
        assert tamper.compare(site, url, "f" * 64) == ("unknown", None)
    external = MonitoredSite.objects.create(
        name="外部", base_url="http://127.0.0.1:9/", region=site.region
    )
    assert tamper.check(external, {"http://127.0.0.1:9/": "f" * 64}) == []


def test_the_fingerprint_ignores_csrf_tokens_only():
    one = b'<form><input type="hidden" name="csrfmiddlewaretoken" value="abc123"><p>x</p></form>'
    two = b'<form><input type="hidden" name="csrfmiddlewaretoken" value="zzz999"><p>x</p></form>'
    swapped = b"<form><input value='q1' type='hidden' name='csrfmiddlewaretoken'><p>x</p></form>"
    swapped2 = b"<form><input value='q2' type='hidden' name='csrfmiddlewaretoken'><p>x</p></form>"
    assert tamper.fingerprint(one) == tamper.fingerprint(two)
    assert tamper.fingerprint(swapped) == tamper.fingerprint(swapped2)
    assert tamper.fingerprint(one) != tamper.fingerprint(one.replace(b"<p>x", b"<p>y"))
    assert tamper.fingerprint(b"abc") == tamper.fingerprint("abc")


def test_verify_page_on_demand(site, county_content):  # noqa: F811
    article = county_content["article"]
    body = served("/gzdt/zhishu/")
    [ok] = tamper.verify_page(article, fetch=lambda url: body)
    assert (ok["site"], ok["url"], ok["outcome"]) == (site, BASE + "gzdt/zhishu/", "refreshed")
    [again] = tamper.verify_page(article, fetch=lambda url: body)
    assert again["outcome"] == "ok"
    [bad] = tamper.verify_page(article, fetch=lambda url: body + b"<script>evil()</script>")
    assert bad["outcome"] == "tampered" and bad["event"].url == BASE + "gzdt/zhishu/"
    [down] = tamper.verify_page(article, fetch=lambda url: None)
    assert down["outcome"] == "unreachable"


def test_unpublishing_forgets_the_page(
    site,
    county_content,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    article = county_content["article"]
    tamper.compare(site, BASE + "gzdt/zhishu/", tamper.fingerprint(served("/gzdt/zhishu/")))
    assert PageFingerprint.objects.filter(page=article).exists()
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert not PageFingerprint.objects.filter(page=article).exists()
    assert PageFingerprint.objects.filter(site=site, url=BASE + "gzdt/").exists()


def test_nothing_is_recorded_for_portals_nobody_monitors(
    county_content,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        publish_page(
            county_content["news"],
            ArticlePage(title="无人监测", slug="wurenjiance", publish_date=at(0)),
        )
    assert PageFingerprint.objects.count() == 0


def test_a_page_row_changed_in_the_database_without_publishing_is_tampering(
    site,
    county_content,  # noqa: F811
):
    article = county_content["article"]
    url = BASE + "gzdt/zhishu/"
    assert tamper.compare(site, url, tamper.fingerprint(served("/gzdt/zhishu/")))[0] == "refreshed"
    ArticlePage.objects.filter(pk=article.pk).update(body="<p>被篡改的正文。</p>")
    changed = served("/gzdt/zhishu/")
    assert "被篡改的正文".encode() in changed
    outcome, event = tamper.compare(site, url, tamper.fingerprint(changed))
    assert outcome == "tampered" and event.page_id == article.pk


def test_microseconds_the_revision_lost_are_not_tampering(site, county_content):  # noqa: F811
    """A revision keeps datetimes to the millisecond; the row and the served page have the
    microseconds (a template printing ``|date:"c"`` shows them)."""
    moment = at(0).replace(microsecond=123456)
    article = publish_page(
        county_content["news"],
        ArticlePage(
            title="松林县微秒测试", slug="weimiao", publish_date=moment, body="<p>正文。</p>"
        ),
    )
    article = ArticlePage.objects.get(pk=article.pk)
    assert article.publish_date == moment
    assert article.live_revision.as_object().publish_date != moment  # the revision lost them
    assert tamper.published_version(article).publish_date == moment
    # A real change of the row's datetime is not taken from the row.
    ArticlePage.objects.filter(pk=article.pk).update(publish_date=moment.replace(day=1))
    article = ArticlePage.objects.get(pk=article.pk)
    assert tamper.published_version(article).publish_date.replace(microsecond=0) == (
        moment.replace(microsecond=0)
    )
