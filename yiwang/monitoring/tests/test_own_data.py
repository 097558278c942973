"""The own-data checks of our portals, on the shared 松林县 content (portal tests'
``county_content``), the interaction kit and catalog factories: columns and their dates, a
stale news column, an empty notice column, the home page's date, messages unanswered over
three months, incomplete guides and missing online services."""

import datetime

import pytest

from yiwang.catalog.constants import OnlineDepth
from yiwang.catalog.tests.factories import build_implementation, make_department, publish
from yiwang.interaction.constants import Status
from yiwang.interaction.models import Message
from yiwang.interaction.tests.kit import Kit, at
from yiwang.monitoring import own_data
from yiwang.monitoring.models import MonitoredSite
from yiwang.monitoring.results import Column, ColumnKind, FindingKind
from yiwang.monitoring.scoring import judge_freshness
from yiwang.portal.tests.conftest import county_content  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
BASE = "http://songlin.localhost:8000/"


def monitored(site_group, regions, key="county_a"):
    return MonitoredSite.objects.create(
        name=site_group[key].site_name,
        base_url=BASE if key == "county_a" else f"http://{site_group[key].hostname}:8000/",
        region=regions[key],
        portal=site_group[key],
    )


def test_columns_and_the_home_page_from_our_own_data(county_content, site_group, regions):  # noqa: F811
    site = monitored(site_group, regions)
    columns = own_data.columns(site)
    assert columns == [
        Column(
            url=BASE + "gzdt/",
            name="工作动态",
            kind=ColumnKind.NEWS,
            items=2,
            newest=datetime.date(2026, 2, 28),
        ),
        Column(url=BASE + "gzdt/tzgg/", name="通知公告", kind=ColumnKind.NOTICE, items=0),
        Column(
            url=BASE + "zcwj/",
            name="政策文件",
            kind=ColumnKind.POLICY,
            items=2,
            newest=datetime.date(2026, 2, 27),
        ),
        Column(
            url=BASE + "zcjd/",
            name="政策解读",
            kind=ColumnKind.OTHER,
            items=1,
            newest=datetime.date(2026, 2, 28),
        ),
    ]
    assert own_data.home_newest(site) == datetime.date(2026, 2, 28)
    # A month later the news column is stale, the notice column empty, the home page stale.
    _, findings = judge_freshness(
        columns,
        home_newest=own_data.home_newest(site),
        today=datetime.date(2026, 3, 30),
        home_url=BASE,
    )
    assert [(f.kind, f.url, f.count) for f in findings] == [
        (FindingKind.STALE_COLUMN, BASE + "gzdt/", 30),
        (FindingKind.EMPTY_COLUMN, BASE + "gzdt/tzgg/", 0),
        (FindingKind.HOME_STALE, BASE, 30),
    ]


def test_a_portal_without_content_has_no_dated_home_page(site_group, regions):
    site = monitored(site_group, regions, "county_b")
    assert own_data.columns(site) == []
    assert own_data.home_newest(site) is None
    external = MonitoredSite.objects.create(
        name="外部", base_url="http://127.0.0.1:9/", region=regions["city"]
    )
    assert own_data.columns(external) == [] and own_data.findings(external) == []


def test_messages_unanswered_over_three_months_within_the_year(site_group, regions):
    kit = Kit(regions, site_group)
    site = monitored(site_group, regions)
    now = at(2026, 11, 30, 10)
    days = datetime.timedelta(days=1)

    def write(ago):
        message, _ = kit.write(now=now - ago * days)
        return message

    late = write(100)  # unanswered for 100 days: counts
    write(60)  # not yet three months
    write(400)  # more than a year ago
    answered = kit.to_housing(write(120))
    kit.answer(answered, now=now - 110 * days)
    invalid = write(150)
    Message.objects.filter(pk=invalid.pk).update(status=Status.INVALID)
    findings = own_data.interaction_findings(site, now=now)
    assert [(f.kind, f.count) for f in findings] == [(FindingKind.UNANSWERED_MESSAGES, 1)]
    assert findings[0].detail == f"近一年有 1 件有效留言超过 90 天未答复：{late.number}"
    assert findings[0].url == BASE + "hudong/"
    kit.answer(kit.to_housing(late), now=now)
    assert own_data.interaction_findings(site, now=now) == []


def test_a_portal_without_a_region_has_no_consultation_channel(site_group, regions):
    site = monitored(site_group, regions)
    home = site_group["county_a"].root_page.specific
    home.region = None
    home.save()
    assert [f.kind for f in own_data.interaction_findings(site)] == [
        FindingKind.NO_CONSULTATION_CHANNEL
    ]
    assert own_data.guide_findings(site) == []


def test_incomplete_guides_and_online_services(site_group, regions):
    county = regions["county_a"]
    site = monitored(site_group, regions)
    department = make_department(county, name="松林县行政审批局")
    department.address = "松林县人民路 1 号"
    department.save()
    publish(build_implementation(region=county, department=department))  # complete, online
    for _ in range(4):
        publish(build_implementation(region=county, department=department, complete=False))
    # Another county's gaps are not this portal's.
    other = make_department(regions["county_b"], name="临溪县民政局")
    publish(build_implementation(region=regions["county_b"], department=other, complete=False))

    findings = own_data.guide_findings(site)
    assert [(f.kind, f.count) for f in findings] == [(FindingKind.GUIDE_INCOMPLETE, 4)]
    assert findings[0].detail.startswith("松林县共 5 项事项，4 项缺少 4 个及以上关键要素：")

    publish(build_implementation(region=county, department=department, complete=False))
    assert [(f.kind, f.count) for f in own_data.guide_findings(site)] == [
        (FindingKind.GUIDE_INCOMPLETE, 5)
    ]


def test_no_online_service_when_no_item_can_be_applied_for_online(site_group, regions):
    county = regions["county_a"]
    site = monitored(site_group, regions)
    assert [(f.kind, f.count) for f in own_data.guide_findings(site)] == [
        (FindingKind.NO_ONLINE_SERVICE, 0)
    ]
    department = make_department(county, name="松林县民政局")
    publish(
        build_implementation(region=county, department=department, online_depth=OnlineDepth.GUIDE)
    )
    findings = own_data.guide_findings(site)
    assert [(f.kind, f.count) for f in findings] == [(FindingKind.NO_ONLINE_SERVICE, 1)]
    assert findings[0].detail == "松林县的 1 项事项均不能在网上申请办理"
    publish(build_implementation(region=county, department=department))
    assert own_data.guide_findings(site) == []
