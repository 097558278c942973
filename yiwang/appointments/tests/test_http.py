"""The pages over HTTP: booking on a portal, my appointments (only one's own), cancel and
change, the suspension shown, the counter desk (only the centre's staff) and the hall
screen (public, with an aria-live region)."""

from datetime import time

import lxml.html
import pytest
from django.utils import timezone

from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.appointments import actions
from yiwang.appointments.constants import BookingStatus
from yiwang.appointments.models import Booking, BookingSuspension

from .kit import next_open_day

pytestmark = pytest.mark.django_db
HOST = "songlin.localhost"


def text(response):
    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


@pytest.fixture
def portal(kit, site_group):
    return kit


def book_over_http(client, kit, day, start="10:00"):
    return client.post(
        "/yuyue/book/",
        {"item": kit.item.code, "centre": kit.centre.pk, "day": day.isoformat(), "start": start},
        HTTP_HOST=HOST,
    )


def test_a_citizen_books_a_slot_on_the_county_portal(client, portal):
    kit = portal
    day = next_open_day()
    page = client.get("/yuyue/", {"item": kit.item.code}, HTTP_HOST=HOST)
    assert page.status_code == 200
    body = page.content.decode()
    # The county portal offers its own centre, not the other county's.
    assert "松林县政务服务中心" in body and "临溪县政务服务中心" not in body
    slots = client.get(
        "/yuyue/",
        {"item": kit.item.code, "centre": kit.centre.pk, "day": day.isoformat()},
        HTTP_HOST=HOST,
    )
    assert 'id="slot-10:00"' in slots.content.decode() and "登录后预约" in text(slots)
    # Anonymous POST: to the login page, nothing booked.
    assert book_over_http(client, kit, day).status_code == 302
    assert not Booking.objects.exists()
    client.force_login(kit.citizen)
    response = book_over_http(client, kit, day)
    assert response.status_code == 302 and response["Location"].endswith("/yuyue/mine/")
    mine = client.get("/yuyue/mine/", HTTP_HOST=HOST)
    booking = Booking.objects.get()
    assert booking.reference in text(mine)
    # The same slot again: a Chinese error, status 400, the choice kept.
    again = book_over_http(client, kit, day)
    assert again.status_code == 400 and "已有预约" in text(again)
    bad = client.post("/yuyue/book/", {"item": "nope", "day": "x"}, HTTP_HOST=HOST)
    assert bad.status_code == 400 and "请选择事项" in text(bad)


def test_citizens_see_and_change_only_their_own_bookings(client, portal):
    kit = portal
    day = next_open_day()
    booking = actions.book(
        user=kit.citizen, centre=kit.centre, implementation=kit.item, day=day, start=time(10)
    )
    client.force_login(kit.other)
    assert booking.reference not in text(client.get("/yuyue/mine/", HTTP_HOST=HOST))
    assert client.post(f"/yuyue/bookings/{booking.pk}/cancel/", HTTP_HOST=HOST).status_code == 404
    assert client.get(f"/yuyue/bookings/{booking.pk}/change/", HTTP_HOST=HOST).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    client.force_login(kit.citizen)
    change = client.post(
        f"/yuyue/bookings/{booking.pk}/change/",
        {"day": day.isoformat(), "start": "14:00"},
        HTTP_HOST=HOST,
    )
    assert change.status_code == 302
    new = Booking.objects.get(status=BookingStatus.BOOKED)
    assert new.start == time(14)
    cancel = client.post(f"/yuyue/bookings/{new.pk}/cancel/", HTTP_HOST=HOST)
    assert cancel.status_code == 302
    assert not Booking.objects.filter(status=BookingStatus.BOOKED).exists()


def test_a_suspended_citizen_is_told_why(client, portal):
    kit = portal
    today = timezone.localdate()
    BookingSuspension.objects.create(
        user=kit.citizen, centre=kit.centre, starts_on=today, ends_on=today, no_shows=3
    )
    client.force_login(kit.citizen)
    page = client.get("/yuyue/", {"item": kit.item.code, "centre": kit.centre.pk}, HTTP_HOST=HOST)
    assert "未到场 3 次" in text(page)
    response = book_over_http(client, kit, next_open_day())
    assert response.status_code == 400 and "不能在松林县政务服务中心网上预约" in text(response)


def test_the_desk_is_for_the_centres_staff_only(client, portal):
    kit = portal
    today = timezone.localdate()
    booking = Booking.objects.create(
        user=kit.citizen,
        centre=kit.centre,
        window=kit.a01,
        counter=kit.a01.slot_counters.create(day=today, start=time(9), end=time(9, 30), capacity=2),
        implementation=kit.item,
        day=today,
        start=time(9),
        end=time(9, 30),
        name="张三",
    )
    login_with_second_factor(client, kit.far_clerk)
    far_desk = text(client.get("/admin/appointments/desk/"))
    assert "临溪县政务服务中心" in far_desk and "松林县政务服务中心" not in far_desk
    assert client.get(f"/admin/appointments/desk/?centre={kit.centre.pk}").status_code == 200
    assert booking.reference not in text(
        client.get(f"/admin/appointments/desk/?centre={kit.centre.pk}")
    )
    assert (
        client.post(f"/admin/appointments/desk/bookings/{booking.pk}/check-in/").status_code == 403
    )
    assert client.post(f"/admin/appointments/desk/windows/{kit.a01.pk}/call/").status_code == 403
    client.logout()
    login_with_second_factor(client, kit.clerk)
    desk = client.get("/admin/appointments/desk/")
    assert desk.status_code == 200 and booking.reference in text(desk)
    client.post(f"/admin/appointments/desk/bookings/{booking.pk}/check-in/")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN and booking.ticket.number == "A001"
    client.post(f"/admin/appointments/desk/windows/{kit.a01.pk}/call/")
    screen = client.get(f"/yuyue/centres/{kit.centre.pk}/screen/", HTTP_HOST=HOST)
    assert screen.status_code == 200
    tree = lxml.html.fromstring(screen.content.decode())
    live = tree.xpath("//*[@aria-live]")
    assert live and "A001" in live[0].text_content() and "A01" in live[0].text_content()
    fragment = client.get(f"/yuyue/centres/{kit.centre.pk}/screen/?fragment=1", HTTP_HOST=HOST)
    assert "A001" in fragment.content.decode() and "<html" not in fragment.content.decode()
