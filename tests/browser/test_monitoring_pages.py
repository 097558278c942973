"""Website monitoring in Chromium, the issue's journey: a monitoring administrator opens the
dashboard and sees the county portal's score; a link on the portal breaks and its news
column is emptied; she starts a check again from the report and sees the deductions and the
veto (首页不更新) with their evidence; she adds an outside site by its address (the
engine's fixture site on 127.0.0.1) and gets its report with the known faults; downloads
the Excel report. axe-core checks the dashboard, the site page, the reports, the add form
with an error and the wording dictionary.

The worker's task (``tasks.execute_run``) is run by the test itself: the live server
answers one request at a time, so a crawl started inside one of its requests would wait
for itself. The task backend is the dummy one, which keeps what is enqueued."""

import dataclasses
import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_hall_journey import PASSWORD, log_in_staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def days_ago(n):
    return timezone.now() - datetime.timedelta(days=n)


@pytest.fixture
def monitoring(county_content, live_sites, live_server, settings, regions, monkeypatch):
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yiwang.accounts.models import User, UserKind
    from yiwang.catalog.tests.factories import build_implementation, make_department, publish
    from yiwang.monitoring import runner
    from yiwang.monitoring.constants import MONITORING_ADMIN_GROUP
    from yiwang.monitoring.models import CheckRun, MonitoredSite
    from yiwang.orgs.models import Department

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    # The identity host answers (as in the demo): the portals' "log in" links, which go
    # through it, are not broken links.
    settings.IDENTITY_URL = live_server.url.rstrip("/")
    # The policy document and its interpretation came out 40 days ago: once the news
    # column is empty, nothing on the home page is newer than two weeks.
    for key in ("document", "interpretation"):
        page = county_content[key]
        page.publish_date = days_ago(40)
        page.save_revision().publish()
    # One complete item that can be applied for online (veto 6 passes).
    county = regions["county_a"]
    department = make_department(county, name="松林县行政审批局")
    department.address = "松林县人民路 1 号"
    department.save()
    publish(build_implementation(region=county, department=department))

    office = Department.objects.create(name="青山市政府办公室", region=regions["city"])
    admin = User.objects.create_user(
        username="jiance",
        password=PASSWORD,
        kind=UserKind.STAFF,
        department=office,
        display_name="何静",
        is_staff=True,
    )
    admin.groups.add(Group.objects.get(name=MONITORING_ADMIN_GROUP))
    TOTPDevice.objects.create(user=admin, name="测试设备", confirmed=True)
    site = MonitoredSite.objects.create(
        name="松林县人民政府",
        base_url=live_sites.url("county_a"),
        region=county,
        portal=live_sites["county_a"],
        rate_per_second=500,
        max_pages=400,
        max_seconds=120,
        check_external=False,
    )
    # The live server serves one request at a time.
    limits = MonitoredSite.limits
    monkeypatch.setattr(
        MonitoredSite,
        "limits",
        lambda self, **kw: dataclasses.replace(limits(self, **kw), concurrency=1),
    )
    first = runner.execute(CheckRun.objects.create(site=site))
    assert first.state == "done", first.error
    return {"admin": admin, "site": site, "first": first}


def run_queued_check(site):
    """What the worker does with the enqueued task."""
    from yiwang.monitoring import runner

    run = site.runs.order_by("-pk").first()
    assert run.state == "queued"
    return runner.execute(run)


def test_an_administrator_sees_scores_breaks_things_and_reruns_the_check(
    monitoring, county_content, live_sites, new_page, assert_accessible
):
    from yiwang.monitoring.tests.fixture_site import FixtureSite

    site, first = monitoring["site"], monitoring["first"]
    page = new_page()
    dashboard = live_sites.url("county_a", "/admin/monitoring/")
    log_in_staff(page, dashboard, monitoring["admin"])
    page.goto(dashboard)
    row = page.get_by_role("row").filter(has_text="松林县人民政府")
    expect(row).to_contain_text(str(first.score.score))
    expect(row).to_contain_text("合格")
    assert first.score.passed, first.score.vetoes
    assert_accessible(page, "the monitoring dashboard")

    row.get_by_role("link", name="松林县人民政府", exact=True).click()
    expect(page.get_by_role("heading", name="最近一次评分")).to_be_visible()
    assert_accessible(page, "the site page")

    # The portal breaks: a link to a page that is not there, and the news column emptied.
    policy = county_content["document"]
    policy.body = '<p>详见<a href="/gzdt/no-such-article/">配套细则</a>。</p>'
    policy.save_revision().publish()
    county_content["article"].unpublish()

    page.get_by_role("button", name="立即检查").click()
    expect(page.get_by_text("排队中").first).to_be_visible()
    run = run_queued_check(site)
    assert run.state == "done", run.error
    page.reload()
    expect(page.get_by_role("heading", name="单项否决指标")).to_be_visible()
    vetoes = page.get_by_role("table").filter(has_text="单项否决").first
    home_row = vetoes.get_by_role("row").filter(has_text="首页不更新")
    expect(home_row).to_contain_text("未通过")
    deductions = page.locator("section").filter(has=page.get_by_role("heading", name="扣分指标"))
    expect(deductions).to_contain_text("/gzdt/no-such-article/")
    expect(deductions).to_contain_text("空白栏目")
    expect(deductions).to_contain_text("工作动态")
    expect(page.get_by_text("不合格").first).to_be_visible()
    assert_accessible(page, "the report with a veto")
    assert not run.score.passed and run.score.score < first.score.score

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel 报告").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # An outside site, added by its address.
    with FixtureSite(today=timezone.localdate()) as fixture:
        page.get_by_role("link", name="添加网站").click()
        page.get_by_label("网站名称").fill("示范县人民政府")
        page.get_by_label("首页地址").fill("示范县网站")
        page.get_by_label("所属区划").select_option(label="临溪县")
        page.get_by_role("button", name="添加").click()
        expect(page.get_by_text("网址须以 http:// 或 https:// 开头")).to_be_visible()
        expect(page.get_by_label("网站名称")).to_have_value("示范县人民政府")
        assert_accessible(page, "the add form with an error")
        page.get_by_label("首页地址").fill(fixture.url)
        page.get_by_label("每秒最多请求数").fill("500")
        page.get_by_role("button", name="添加").click()
        expect(page.get_by_text("已添加“示范县人民政府”")).to_be_visible()
        from yiwang.monitoring.models import MonitoredSite

        external = MonitoredSite.objects.get(name="示范县人民政府")
        run = run_queued_check(external)
        assert run.state == "done", run.error
    page.reload()
    expect(page.locator(".mon-score")).to_have_text("83")
    expect(page.get_by_role("row").filter(has_text="严重问题")).to_contain_text("未通过")
    expect(page.get_by_text("国务院办工厅").first).to_be_visible()
    assert_accessible(page, "the external site's report")

    page.get_by_role("link", name="监测总览").click()
    expect(page.get_by_role("row").filter(has_text="示范县人民政府")).to_contain_text("83")

    page.get_by_role("link", name="错敏词库").click()
    expect(page.get_by_role("link", name="国家工商行政管理总局")).to_be_visible()
    assert_accessible(page, "the wording dictionary")
