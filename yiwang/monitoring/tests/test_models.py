"""The monitoring models: addresses normalised and refused in Chinese, the crawler's limits
from a site, findings to and from the crawler's dataclasses, the seeded dictionary and
groups, and who sees which site."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from yiwang.accounts.models import User, UserKind
from yiwang.monitoring import roles
from yiwang.monitoring.constants import (
    MONITORING_ADMIN_GROUP,
    SITE_TEAM_GROUP,
    FindingOrigin,
    RunState,
)
from yiwang.monitoring.models import (
    CheckRun,
    Finding,
    MonitoredSite,
    WordingTerm,
    normalize_base_url,
)
from yiwang.monitoring.results import CrawlLimits, FindingKind
from yiwang.monitoring.results import Finding as ResultFinding
from yiwang.orgs.models import Department

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("HTTP://Songlin.LOCALHOST:8000", "http://songlin.localhost:8000/"),
        ("https://www.example.gov.cn/portal", "https://www.example.gov.cn/portal/"),
        (" https://www.example.gov.cn/?x=1#top ", "https://www.example.gov.cn/"),
    ],
)
def test_base_urls_are_normalised(given, stored):
    assert normalize_base_url(given) == stored


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("ftp://example.gov.cn/", "网址须以 http:// 或 https:// 开头并包含域名"),
        ("www.example.gov.cn", "网址须以 http:// 或 https:// 开头并包含域名"),
        ("http://example.gov.cn:99999/", "网址无效"),
    ],
)
def test_bad_addresses_are_refused_in_chinese(regions, given, message):
    site = MonitoredSite(name="外部网站", base_url=given, region=regions["city"])
    with pytest.raises(ValidationError) as raised:
        site.full_clean()
    assert message in str(raised.value.message_dict["base_url"])


def test_a_site_gives_the_crawler_its_limits(regions, settings):
    settings.MONITORING_RESOLVE = {"www.example.gov.cn": "127.0.0.1"}
    site = MonitoredSite.objects.create(
        name="示例网站",
        base_url="https://www.example.gov.cn",
        region=regions["city"],
        max_pages=300,
        max_seconds=900,
        rate_per_second=2.5,
        check_external=False,
    )
    assert site.base_url == "https://www.example.gov.cn/"
    assert site.is_own is False
    assert site.limits(max_seconds=120) == CrawlLimits(
        max_pages=300,
        max_seconds=120.0,
        rate_per_second=2.5,
        timeout=15.0,
        check_external=False,
        resolve={"www.example.gov.cn": "127.0.0.1"},
    )
    assert site.limits().max_seconds == 900.0
    assert (site.tries_per_day, site.active) == (20, True)


def test_findings_round_trip_with_the_crawler_dataclass(regions):
    site = MonitoredSite.objects.create(
        name="示例", base_url="http://x.localhost/", region=regions["city"]
    )
    run = CheckRun.objects.create(site=site)
    result = ResultFinding(
        kind=FindingKind.STALE_COLUMN,
        url="http://x.localhost/gzdt/",
        detail="工作动态",
        category="news",
        newest=datetime.date(2026, 10, 1),
        count=60,
    )
    row = Finding.from_result(result, run=run, origin=FindingOrigin.FRESHNESS)
    row.save()
    row.refresh_from_db()
    assert row.site == site
    assert row.as_result() == result
    assert str(row) == "栏目不更新：http://x.localhost/gzdt/"


def test_run_progress(regions):
    site = MonitoredSite.objects.create(
        name="示例", base_url="http://x.localhost/", region=regions["city"]
    )
    run = CheckRun.objects.create(site=site, pages=30, pages_queued=90)
    assert (run.state, run.is_active, run.progress_percent) == (RunState.QUEUED, True, 25)
    run.state = RunState.DONE
    assert (run.is_active, run.progress_percent) == (False, 100)
    run.stopped_because = "max_pages"
    assert run.stopped_because_label == "达到页数上限"


def test_the_starter_dictionary_and_the_groups_are_there():
    terms = {t.wrong: t for t in WordingTerm.objects.all()}
    assert len(terms) >= 30
    assert terms["国家工商行政管理总局"].correct == "国家市场监督管理总局"
    assert terms["国家卫生和计划生育委员会"].correct == "国家卫生健康委员会"
    assert terms["国土资源部"].correct == "自然资源部"
    assert terms["环境保护部"].correct == "生态环境部"
    assert terms["文化部"].exception_list == ["文化部门"]
    assert terms["国务院办工厅"].serious is True
    assert terms["按装"].serious is False
    assert {t.category for t in terms.values()} == {"wrong", "outdated_name", "sensitive"}
    # No entry's correct form contains its wrong one (it would hit correct text).
    assert [t.wrong for t in terms.values() if t.wrong in t.correct] == []
    assert set(
        Group.objects.filter(name__in=[MONITORING_ADMIN_GROUP, SITE_TEAM_GROUP]).values_list(
            "name", flat=True
        )
    ) == {MONITORING_ADMIN_GROUP, SITE_TEAM_GROUP}


def test_wording_terms_are_checked():
    term = WordingTerm(wrong=" 农业部 ", correct="农业部", exceptions="农业部门\n农村工作")
    with pytest.raises(ValidationError) as raised:
        term.full_clean()
    errors = raised.value.message_dict
    assert errors["correct"] == ["正确表述不能与错误表述相同。"]
    assert errors["exceptions"] == ["以下写法不包含错误表述“农业部”：农村工作"]
    with pytest.raises(ValidationError) as raised:
        WordingTerm(wrong="  ").full_clean()
    assert "请填写错误表述。" in raised.value.message_dict["wrong"]
    new = WordingTerm.objects.create(wrong="某敏感词", category="sensitive")
    assert new.serious is True


def make_user(department, group, name):
    user = User.objects.create_user(
        username=name, kind=UserKind.STAFF, department=department, is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def test_who_sees_which_site(regions):
    city_office = Department.objects.create(name="青山市政府办公室", region=regions["city"])
    county_office = Department.objects.create(name="松林县政府办公室", region=regions["county_a"])
    other_office = Department.objects.create(name="临溪县政府办公室", region=regions["county_b"])
    city_site = MonitoredSite.objects.create(
        name="青山市", base_url="http://qingshan.localhost/", region=regions["city"]
    )
    county_site = MonitoredSite.objects.create(
        name="松林县",
        base_url="http://songlin.localhost/",
        region=regions["county_a"],
        owner_department=county_office,
    )
    other_site = MonitoredSite.objects.create(
        name="临溪县", base_url="http://linxi.localhost/", region=regions["county_b"]
    )
    city_admin = make_user(city_office, MONITORING_ADMIN_GROUP, "city_admin")
    county_admin = make_user(county_office, MONITORING_ADMIN_GROUP, "county_admin")
    team = make_user(county_office, SITE_TEAM_GROUP, "team")
    outsider = make_user(other_office, SITE_TEAM_GROUP, "outsider")
    nobody = User.objects.create_user(
        username="nobody", kind=UserKind.STAFF, department=city_office
    )

    def seen(user):
        return sorted(roles.visible_sites(user).values_list("name", flat=True))

    assert seen(city_admin) == sorted(["青山市", "松林县", "临溪县"])
    assert seen(county_admin) == ["松林县"]
    assert seen(team) == ["松林县"]
    assert seen(outsider) == []
    assert seen(nobody) == []
    assert roles.may_manage(city_admin, other_site) and not roles.may_manage(
        county_admin, city_site
    )
    assert roles.may_start_run(team, county_site) and not roles.may_manage(team, county_site)
    assert not roles.may_start_run(outsider, county_site)
    assert roles.may_edit_wording(county_admin) and not roles.may_edit_wording(team)
    assert list(roles.site_team(county_site)) == [team]
    assert sorted(u.username for u in roles.admins_for(county_site)) == [
        "city_admin",
        "county_admin",
    ]
    assert list(roles.admins_for(other_site)) == [city_admin]
