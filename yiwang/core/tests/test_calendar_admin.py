"""The working-day calendar in the back office, through the Django test client with the
staff second factor: the years and their status, a provisional year's computed holidays,
pasting a notice (preview writes nothing, confirming enters it), and who may do what."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from yiwang.accounts.models import User
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core.events import WORKING_CALENDAR_ENTERED
from yiwang.core.models import AuditEvent, CalendarYear
from yiwang.core.workdays import add_working_days, is_working_day

from .test_workdays import NOTICE_2027

pytestmark = pytest.mark.django_db


def make_staff(username, *permissions):
    user = User.objects.create_user(username=username, password="x-Unused-1", is_staff=True)
    for codename in ("access_admin", *permissions):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def editor_client(client):
    login_with_second_factor(client, make_staff("rili", "change_calendaryear"))
    return client


def test_years_and_a_provisional_year(editor_client):
    response = editor_client.get(reverse("working_calendar:index"))
    assert response.status_code == 200
    rows = {row["year"]: row for row in response.context["years"]}
    assert rows[2026]["arrangement"].notice_url.endswith("content_7047091.htm")
    assert rows[2027]["arrangement"] is None
    assert "暂定" in response.content.decode()

    response = editor_client.get(reverse("working_calendar:year", args=(2027,)))
    assert response.status_code == 200
    days = {row["date"]: row["name"] for row in response.context["days"]}
    assert days[date(2027, 2, 5)] == "春节" and days[date(2027, 6, 9)] == "端午节"
    assert reverse("working_calendar:enter", args=(2027,)) in response.content.decode()

    response = editor_client.get(reverse("working_calendar:year", args=(2026,)))
    page = response.content.decode()
    assert "2026-10-10" in page and "调休上班" in page


def test_menu_entry(editor_client):
    response = editor_client.get(reverse("wagtailadmin_home"))
    assert reverse("working_calendar:index") in response.content.decode()


def test_paste_preview_and_confirm(editor_client):
    url = reverse("working_calendar:enter", args=(2027,))
    response = editor_client.get(url)
    assert response.status_code == 200
    form = {
        "notice_title": "国务院办公厅关于2027年部分节假日安排的通知",
        "notice_url": "https://www.gov.cn/zhengce/zhengceku/example.htm",
        "text": NOTICE_2027,
    }
    response = editor_client.post(url, form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "确认录入" in page and "2月20日（六）" in page
    assert not CalendarYear.objects.filter(year=2027).exists()

    response = editor_client.post(url, {**form, "confirm": "1"})
    assert response.status_code == 302
    assert response.url == reverse("working_calendar:year", args=(2027,))
    arrangement = CalendarYear.objects.get(year=2027)
    assert arrangement.notice_url == form["notice_url"]
    assert arrangement.days.count() == 3 + 8 + 7 + 3
    assert AuditEvent.objects.filter(action=WORKING_CALENDAR_ENTERED).count() == 1
    assert is_working_day(date(2027, 2, 20)).kind == "working"
    assert add_working_days(date(2027, 2, 4), 1).date == date(2027, 2, 15)


def test_text_without_days_is_refused(editor_client):
    url = reverse("working_calendar:enter", args=(2027,))
    response = editor_client.post(
        url, {"notice_title": "通知", "notice_url": "", "text": "各地区要妥善安排好值班工作。"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_who_may_see_and_edit(client):
    viewer = make_staff("chakan", "view_calendaryear")
    login_with_second_factor(client, viewer)
    assert client.get(reverse("working_calendar:index")).status_code == 200
    page = client.get(reverse("working_calendar:year", args=(2027,))).content.decode()
    assert reverse("working_calendar:enter", args=(2027,)) not in page
    response = client.post(
        reverse("working_calendar:enter", args=(2027,)),
        {"notice_title": "x", "notice_url": "", "text": NOTICE_2027, "confirm": "1"},
    )
    assert response.status_code in (302, 403)
    assert not CalendarYear.objects.filter(year=2027).exists()

    clerk = make_staff("clerk")
    login_with_second_factor(client, clerk)
    assert client.get(reverse("working_calendar:index")).status_code in (302, 403)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("working_calendar:index") not in home


def test_superuser_may_edit(client):
    admin = User.objects.create_superuser(username="root", password="x-Unused-1")
    login_with_second_factor(client, admin)
    assert client.get(reverse("working_calendar:enter", args=(2027,))).status_code == 200
