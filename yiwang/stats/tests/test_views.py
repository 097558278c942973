"""The dashboard and its Excel export over HTTP: access by supervision scope, figures
limited to the scope, filters validated in Chinese, the workbook holding the page's figures."""

from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from yiwang.accounts.models import User, UserKind
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.hall.constants import HallRole
from yiwang.hall.tests.factories import make_staff
from yiwang.stats import rollups
from yiwang.stats.models import MonthlyCell
from yiwang.supervision.roles import REGIONAL_SUPERVISOR

pytestmark = pytest.mark.django_db

URL = "/admin/stats/"
EXPORT = "/admin/stats/export.xlsx"
PERIOD = {"month_from": "2025-09", "month_to": "2025-10"}


@pytest.fixture
def built(known):
    rollups.rebuild()
    return known


def superuser():
    return User.objects.create_superuser(username="root", password="x", kind=UserKind.STAFF)


def regional_supervisor(department):
    user = make_staff(department)
    user.groups.add(Group.objects.get(name=REGIONAL_SUPERVISOR))
    return user


def test_nobody_without_a_scope_gets_in(client, built):
    clerk = make_staff(built.world.lead, HallRole.ACCEPTOR)
    login_with_second_factor(client, clerk)
    for url in (URL, EXPORT):
        response = client.get(url, PERIOD)
        assert response.status_code == 403
        assert "没有权限" in response.content.decode()


def test_anonymous_is_sent_to_login(client, built):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_superuser_sees_everything_with_charts_and_tables(client, built):
    login_with_second_factor(client, superuser())
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "松林县市场监督管理局" in html and "临溪县市场监督管理局" in html
    assert 'id="stats-table-total"' in html
    # Headline: 8 received, 5 completed, completion 71.4%, on time 60.0%, 6.0 days.
    total = html.split('id="stats-table-total"')[1].split("</table>")[0]
    for text in ('<td class="stats-int">8</td>', "71.4%", "60.0%", "6.0", "75.0%", "11–15"):
        assert text in total, text
    assert html.count('class="stats-chart"') == 3 and "<title id=" in html and "<desc id=" in html
    assert '<th scope="row">2025-10</th>' in html
    # Satisfaction comes from evaluation (no ratings here: shown as —).
    assert "好差评评价数" in html


def test_a_department_supervisor_sees_only_their_department(client, built):
    supervisor = built.world.supervisor  # hall supervisor of 松林县市场监督管理局
    login_with_second_factor(client, supervisor)
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "临溪县市场监督管理局" not in html
    total = html.split('id="stats-table-total"')[1].split("</table>")[0]
    assert '<td class="stats-int">7</td>' in total
    # Asking for another department's figures is refused by the filter, not answered.
    response = client.get(URL, {**PERIOD, "department": built.world.other.pk})
    assert response.status_code == 200
    assert "stats-table-total" not in response.content.decode()
    assert "选择一个有效的选项" in response.content.decode() or "有效" in response.content.decode()


def test_a_regional_supervisor_sees_their_region_subtree(client, built):
    regions = built.world.regions
    from yiwang.hall.tests.factories import make_department

    city_office = make_department(regions["city"], "青山市政务服务管理局")
    login_with_second_factor(client, regional_supervisor(city_office))
    html = client.get(URL, PERIOD).content.decode()
    assert "松林县市场监督管理局" in html and "临溪县市场监督管理局" in html
    county_office = make_department(regions["county_b"], "临溪县政务服务管理局")
    login_with_second_factor(client, regional_supervisor(county_office))
    html = client.get(URL, PERIOD).content.decode()
    assert "临溪县市场监督管理局" in html and "松林县市场监督管理局" not in html
    total = html.split('id="stats-table-total"')[1].split("</table>")[0]
    assert '<td class="stats-int">1</td>' in total


def test_filters_are_validated_in_chinese(client, built):
    login_with_second_factor(client, superuser())
    response = client.get(URL, {"month_from": "2025-13", "month_to": "abc"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "月份不存在" in html and "请按“年-月”填写月份" in html
    response = client.get(URL, {"month_from": "2025-10", "month_to": "2025-09"})
    assert "截止月份不能早于起始月份" in response.content.decode()
    response = client.get(EXPORT, {"month_from": "x"})
    assert response.status_code == 400
    assert "请按“年-月”填写月份" in response.content.decode()


def test_region_and_item_filters(client, built):
    login_with_second_factor(client, superuser())
    html = client.get(URL, {**PERIOD, "region": built.world.regions["county_b"].pk}).content
    total = html.decode().split('id="stats-table-total"')[1].split("</table>")[0]
    assert '<td class="stats-int">1</td>' in total
    html = client.get(URL, {**PERIOD, "implementation": built.a.pk}).content.decode()
    total = html.split('id="stats-table-total"')[1].split("</table>")[0]
    assert '<td class="stats-int">7</td>' in total


def test_presets(client, built):
    login_with_second_factor(client, superuser())
    for preset in ("12m", "year"):
        response = client.get(URL, {"preset": preset})
        assert response.status_code == 200
        assert "stats-table-total" in response.content.decode()
    assert client.get(URL).status_code == 200


def test_the_dashboard_reads_only_the_summary(client, built):
    login_with_second_factor(client, superuser())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, PERIOD).status_code == 200
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "stats_monthlycell" in sql
    assert '"hall_case"' not in sql and "hall_clock" not in sql


def test_excel_export_holds_the_figures(client, built):
    login_with_second_factor(client, superuser())
    response = client.get(EXPORT, PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["总体情况", "按部门", "按事项", "按月份"]
    sheet = book["总体情况"]
    rows = [row for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if row[0] == "范围")
    assert rows[header][1:4] == ("收件量", "办结量", "办结率")
    values = dict(zip(rows[header], rows[header + 1], strict=False))
    assert values["收件量"] == 8 and values["办结量"] == 5
    assert values["办结率"] == pytest.approx(5 / 7)
    assert values["按时办结率"] == pytest.approx(0.6)
    assert values["90% 办件在（工作日）内"] == "11–15"
    cell = sheet.cell(row=header + 2, column=4)
    assert cell.number_format == "0.0%"
    departments = [r for r in book["按部门"].iter_rows(values_only=True)]
    names = [r[0] for r in departments]
    assert "松林县市场监督管理局" in names and "临溪县市场监督管理局" in names
    months = {r[0]: r[1] for r in book["按月份"].iter_rows(values_only=True) if r and r[0]}
    assert months["2025-09"] == 2 and months["2025-10"] == 6


def test_excel_export_is_limited_to_the_scope(client, built):
    login_with_second_factor(client, built.world.supervisor)
    response = client.get(EXPORT, PERIOD)
    book = load_workbook(BytesIO(response.content))
    names = [r[0] for r in book["按部门"].iter_rows(values_only=True)]
    assert "临溪县市场监督管理局" not in names
    assert MonthlyCell.objects.count() == 3
