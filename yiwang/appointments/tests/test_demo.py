"""The demo module against a small fixture: a 松林县 region of the demo's code with one
published item and the demo citizens; loading twice changes nothing; reset removes it."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from yiwang.appointments.constants import BookingStatus
from yiwang.appointments.models import Booking, OpeningSession, Window
from yiwang.catalog.tests.factories import make_implementation
from yiwang.demo import appointments as demo
from yiwang.hall.tests.factories import make_citizen, make_department
from yiwang.orgs.models import Region, ServiceCentre, level_of, stats_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_county(regions):
    code = stats_code(demo.SHOWCASE_PLACE)
    county = Region.objects.create(
        code=code,
        division_code=code[:6],
        name="松林县",
        level=level_of(code),
        parent=regions["city"],
    )
    department = make_department(county, "松林县政务服务管理局")
    make_implementation(region=county, department=department, name="居民身份证换领")
    make_implementation(region=county, department=department, name="个体工商户登记")
    make_citizen(username="zhangsan", display_name="张三", mobile="13900000001")
    make_citizen(username="lisi", display_name="李四", mobile="13900000002")
    return county


def test_load_is_idempotent_and_reset_removes_it(demo_county):
    today = date(2026, 9, 25)  # a Friday before National Day
    first = demo.load(today=today)
    assert first["windows"] == 3 and first["bookings"] == 2
    again = demo.load(today=today)
    assert again["bookings"] == 0
    centre = ServiceCentre.objects.get(region=demo_county)
    assert Window.objects.filter(centre=centre).count() == 3
    assert OpeningSession.objects.filter(centre=centre).count() == 10
    mine = Booking.objects.get(user__username="zhangsan")
    # The coming working day: Monday 28 September.
    assert mine.status == BookingStatus.BOOKED and mine.day == date(2026, 9, 28)
    clerk = get_user_model().objects.get(username="desk.songlin")
    assert Window.objects.get(centre=centre, number="A01").staff.filter(pk=clerk.pk).exists()
    assert demo.describe()
    demo.reset()
    assert not Booking.objects.exists() and not Window.objects.exists()
    assert not get_user_model().objects.filter(username__in=demo.appointment_usernames()).exists()
