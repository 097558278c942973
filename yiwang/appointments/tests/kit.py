"""Shared setup of the appointment tests: a service centre of 松林县 with two windows (A01
serves the main item, A02 serves it and a second one), Monday–Friday sessions 9:00–12:00 and
13:30–17:00 in 30-minute slots of 2 places per window, counter staff at A01, and citizens.
Times are fixed by passing ``now`` to the actions: 2026-09-28 (a Monday) 08:00, two days
before the National Day holiday (1–7 October 2026) and its adjusted working Saturday
(10 October)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from yiwang.appointments import actions
from yiwang.appointments.constants import COUNTER_GROUP
from yiwang.appointments.models import BookingPolicy, OpeningSession, Window
from yiwang.catalog.tests.factories import make_implementation
from yiwang.core import workdays
from yiwang.core.sms import RecordingSmsBackend
from yiwang.hall.tests.casekit import verified_citizen
from yiwang.hall.tests.factories import make_department, make_hall_implementation, make_staff
from yiwang.orgs.models import ServiceCentre

MONDAY = date(2026, 9, 28)


def at(day, hour=8, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def now():
    return at(MONDAY)


class Kit:
    def __init__(self, regions):
        RecordingSmsBackend.clear()
        county = regions["county_a"]
        self.department = make_department(county, "松林县市场监督管理局")
        self.centre_department = make_department(county, "松林县政务服务中心")
        self.other_department = make_department(regions["county_b"], "临溪县政务服务中心")
        # Only the main item needs the hall's process and form (cases are tied to it).
        self.item = make_hall_implementation(
            region=county, department=self.department, name="个体工商户登记"
        )
        self.other_item = make_implementation(
            region=county, department=self.department, name="食品经营许可"
        )
        self.unserved = make_implementation(
            region=county, department=self.department, name="药品经营许可"
        )
        self.centre = ServiceCentre.objects.create(
            name="松林县政务服务中心", region=regions["county_a"], address="松林县府前街 1 号"
        )
        self.far_centre = ServiceCentre.objects.create(
            name="临溪县政务服务中心", region=regions["county_b"], address="临溪县人民路 2 号"
        )
        BookingPolicy.objects.create(centre=self.centre)
        self.a01 = Window.objects.create(centre=self.centre, number="A01", name="综合窗口")
        self.a02 = Window.objects.create(
            centre=self.centre, number="A02", name="市场准入窗口", ticket_prefix="B"
        )
        self.a01.implementations.add(self.item)
        self.a02.implementations.add(self.item, self.other_item)
        self.far_window = Window.objects.create(
            centre=self.far_centre, number="C01", name="综合窗口"
        )
        self.far_window.implementations.add(self.item)
        for centre in (self.centre, self.far_centre):
            for weekday in range(5):
                OpeningSession.objects.create(
                    centre=centre, weekday=weekday, start=time(9), end=time(12), capacity=2
                )
                OpeningSession.objects.create(
                    centre=centre, weekday=weekday, start=time(13, 30), end=time(17), capacity=2
                )
        self.clerk = make_staff(self.centre_department, display_name="窗口人员")
        self.a01.staff.add(self.clerk)
        self.far_clerk = make_staff(self.other_department, display_name="外县窗口")
        self.far_window.staff.add(self.far_clerk)
        counter_group = Group.objects.get(name=COUNTER_GROUP)
        for clerk in (self.clerk, self.far_clerk):
            clerk.groups.add(counter_group)
        self.citizen = verified_citizen(name="张三")
        self.other = verified_citizen(name="李四")

    def book(self, *, user=None, day=MONDAY, start=time(10), item=None, when=None, **kwargs):
        return actions.book(
            user=user or self.citizen,
            centre=kwargs.pop("centre", self.centre),
            implementation=item or self.item,
            day=day,
            start=start,
            now=when or now(),
            **kwargs,
        )


def next_open_day(start_offset=2):
    """A working day (Monday–Friday) from ``start_offset`` days after the real today on."""
    day = timezone.localdate() + timedelta(days=start_offset)
    while not (workdays.is_working_day(day) and day.weekday() < 5):
        day += timedelta(days=1)
    return day


@pytest.fixture
def kit(regions):
    return Kit(regions)
