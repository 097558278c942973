"""The demo's appointments (预约): the 松林县 service centre gets its booking rules, three
windows serving the county's items, Monday–Friday hours (9:00–12:00 and 13:30–17:00 in
30-minute slots), a counter clerk and an appointment administrator, and a few bookings on
coming working days, one of them by the demo citizen 张三 (``zhangsan``).

Bookings go through ``yiwang.appointments.actions.book`` (as of 07:00 on ``today``);
everything else is configuration, created as an administrator would in the back office.
Loading again changes nothing that exists. ``reset()`` deletes the appointments of the
demo's centres and these staff accounts.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from yiwang.appointments import actions
from yiwang.appointments.constants import ADMINISTRATOR_GROUP, COUNTER_GROUP
from yiwang.appointments.models import (
    Booking,
    BookingPolicy,
    BookingSuspension,
    Closure,
    OpeningSession,
    QueueCounter,
    QueueTicket,
    SlotCounter,
    Window,
)
from yiwang.catalog.models import Implementation
from yiwang.core import workdays
from yiwang.orgs.models import Department, Region, ServiceCentre, stats_code

from .spec import DEMO_CITIZENS, DEMO_PASSWORD

SHOWCASE_PLACE = "990121"
CENTRE_NAME = "松林县政务服务中心"
DEMO_PREFIX = "99"


@dataclass(frozen=True)
class AppointmentStaff:
    username: str
    display_name: str
    window: str  # the window number they sit at; "" for the administrator
    group: str
    role: str  # what the login list says


APPOINTMENT_STAFF = (
    AppointmentStaff(
        "desk.songlin",
        "钱婷",
        "A01",
        COUNTER_GROUP,
        "松林县政务服务中心 A01 窗口：预约签到、现场取号与叫号",
    ),
    AppointmentStaff(
        "appointments.songlin",
        "孙倩",
        "",
        ADMINISTRATOR_GROUP,
        "松林县预约管理员：窗口、办公时段、暂停预约日期与预约规则",
    ),
)
WINDOWS = (
    ("A01", "综合窗口", "all"),
    ("A02", "社会事务窗口", "even"),
    ("A03", "市场准入窗口", "odd"),
)
SESSIONS = ((time(9), time(12)), (time(13, 30), time(17)))


def appointment_usernames():
    return [spec.username for spec in APPOINTMENT_STAFF]


def _centre(region):
    centre = ServiceCentre.objects.filter(region=region).order_by("pk").first()
    if centre is None:
        centre = ServiceCentre.objects.create(
            name=CENTRE_NAME,
            region=region,
            address="松林县城关镇府前街 8 号",
            phone="0999-6120000",
            opening_hours="工作日 9:00-12:00，13:30-17:00",
        )
    return centre


def _configure(centre):
    BookingPolicy.objects.get_or_create(centre=centre)
    items = list(
        Implementation.objects.visible().filter(region=centre.region).order_by("name", "pk")
    )
    windows = {}
    for number, name, share in WINDOWS:
        window, created = Window.objects.get_or_create(
            centre=centre, number=number, defaults={"name": name}
        )
        if created:
            chosen = {
                "all": items,
                "even": items[0::2],
                "odd": items[1::2],
            }[share]
            window.implementations.add(*chosen)
        windows[number] = window
    if not OpeningSession.objects.filter(centre=centre).exists():
        OpeningSession.objects.bulk_create(
            OpeningSession(centre=centre, weekday=weekday, start=start, end=end, capacity=2)
            for weekday in range(5)
            for start, end in SESSIONS
        )
    return windows, items


def _staff(centre, windows):
    from yiwang.demo.staff_devices import ensure_staff_account

    department = (
        Department.objects.filter(region=centre.region, name__contains="政务服务").first()
        or Department.objects.filter(region=centre.region).order_by("pk").first()
    )
    users = {}
    for spec in APPOINTMENT_STAFF:
        user = ensure_staff_account(
            spec.username,
            display_name=spec.display_name,
            department=department,
            groups=[spec.group],
        )
        if spec.window:
            windows[spec.window].staff.add(user)
        users[spec.username] = user
    return users


def _coming_days(today, count):
    days, day = [], today
    while len(days) < count:
        day += timedelta(days=1)
        try:
            if workdays.is_working_day(day) and day.weekday() < 5:
                days.append(day)
        except workdays.OutsideCalendar:
            break
    return days


def _bookings(centre, items, today):
    """One booking for each demo citizen on the coming working days (张三's first)."""
    User = get_user_model()
    if not items or Booking.objects.filter(centre=centre).exists():
        return []
    now = timezone.make_aware(datetime.combine(today, time(7)))
    days = _coming_days(today, 3)
    made = []
    citizens = [User.objects.filter(username=c.username).first() for c in DEMO_CITIZENS]
    for index, user in enumerate(u for u in citizens if u is not None):
        for day in days[index:] + days[:index]:
            try:
                made.append(
                    actions.book(
                        user=user,
                        centre=centre,
                        implementation=items[index % len(items)],
                        day=day,
                        start=time(9, 30) if index == 0 else time(14),
                        now=now,
                    )
                )
                break
            except ValidationError:
                # A demo day that cannot be booked (full, closed) is skipped.
                continue
    return made


def load(*, today, progress=None, place_code=SHOWCASE_PLACE):
    """Create the demo's appointments (idempotent). ``progress(done, total)`` after each
    of the three steps. Returns a summary dict."""
    region = Region.objects.filter(code=stats_code(place_code)).first()
    if region is None:
        return {"centre": None}
    with transaction.atomic():
        centre = _centre(region)
        windows, items = _configure(centre)
        if progress:
            progress(1, 3)
        _staff(centre, windows)
        if progress:
            progress(2, 3)
    bookings = _bookings(centre, items, today)
    if progress:
        progress(3, 3)
    return {"centre": centre.pk, "windows": len(windows), "bookings": len(bookings)}


def describe(base_url="/"):
    """Summary lines for the demo's printout."""
    base = base_url.rstrip("/") + "/"
    centres = ServiceCentre.objects.filter(
        region__code__startswith=DEMO_PREFIX, appointment_windows__isnull=False
    ).distinct()
    lines = []
    for centre in centres:
        lines += [
            "",
            f"预约服务：{centre.name}，{centre.appointment_windows.count()} 个窗口，"
            f"{Booking.objects.filter(centre=centre).count()} 条预约。",
            f"  预约（以 zhangsan 登录）：{base}yuyue/ ；"
            f"叫号屏：{base}yuyue/centres/{centre.pk}/screen/",
            f"  后台：{base}admin/appointments/ ；账号（密码同上）：",
        ]
    if not lines:
        return []
    present = set(
        get_user_model()
        .objects.filter(username__in=appointment_usernames())
        .values_list("username", flat=True)
    )
    for spec in APPOINTMENT_STAFF:
        if spec.username in present:
            lines.append(f"  {spec.username} / {DEMO_PASSWORD}  {spec.display_name}，{spec.role}")
    return lines


def reset():
    """Delete the appointments of the demo's centres and the appointment staff."""
    centres = ServiceCentre.objects.filter(region__code__startswith=DEMO_PREFIX)
    with transaction.atomic():
        QueueTicket.objects.filter(centre__in=centres).delete()
        QueueCounter.objects.filter(centre__in=centres).delete()
        Booking.objects.filter(centre__in=centres).delete()
        BookingSuspension.objects.filter(centre__in=centres).delete()
        SlotCounter.objects.filter(window__centre__in=centres).delete()
        Closure.objects.filter(centre__in=centres).delete()
        OpeningSession.objects.filter(centre__in=centres).delete()
        Window.objects.filter(centre__in=centres).delete()
        BookingPolicy.objects.filter(centre__in=centres).delete()
        get_user_model().objects.filter(username__in=appointment_usernames()).delete()
