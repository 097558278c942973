"""Reads of appointments: the slots of a day and their free places, the days that can be
booked, which centres a portal offers, a citizen's bookings and suspension, and which
centres and windows a staff member works at (the access rule of the counter desk).

Access rule. A citizen sees and changes only their own bookings. Counter staff work at the
centres where they sit at an active window (``Window.staff``) and call numbers only at their
own windows; appointment administrators (group ``预约管理员``) work at every centre of their
department's region and below, at any of its windows; superusers everywhere.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from yiwang.core import workdays
from yiwang.orgs.models import ServiceCentre, region_prefix

from .constants import (
    ADJUSTED_DAY_WEEKDAY,
    ADMINISTRATOR_GROUP,
    BookingStatus,
    TicketStatus,
)
from .models import (
    Booking,
    BookingPolicy,
    BookingSuspension,
    Closure,
    OpeningSession,
    QueueTicket,
    SlotCounter,
    Window,
)


def centres_for_region(region):
    """The service centres of ``region`` and the regions below it (every centre when the
    portal has no region)."""
    centres = ServiceCentre.objects.select_related("region")
    if region is None:
        return centres
    return centres.filter(region__code__startswith=region_prefix(region))


def bookable_implementations(centres):
    """Visible implementations that some active window of ``centres`` serves."""
    from yiwang.catalog.models import Implementation

    return (
        Implementation.objects.visible()
        .filter(appointment_windows__active=True, appointment_windows__centre__in=centres)
        .select_related("department")
        .distinct()
        .order_by("name", "pk")
    )


def centres_serving(implementation, centres):
    return centres.filter(
        appointment_windows__active=True, appointment_windows__implementations=implementation
    ).distinct()


# --- slots ---------------------------------------------------------------------------------

# The reason of a slot without a free place.
FULL = "已约满"


@dataclass
class Slot:
    start: object
    end: object
    capacity: int = 0
    booked: int = 0
    # Places of each window serving the item in this slot.
    per_window: int = 0
    bookable: bool = False
    reason: str = ""

    @property
    def free(self):
        return max(0, self.capacity - self.booked)

    @property
    def key(self):
        return self.start.strftime("%H:%M")


@dataclass
class DayPlan:
    """A centre's day for one item: open or not (and why), its slots."""

    day: object
    open: bool = False
    reason: str = ""
    slots: list = field(default_factory=list)
    provisional: bool = False
    windows: list = field(default_factory=list)

    @property
    def free(self):
        return sum(slot.free for slot in self.slots if slot.bookable)

    def slot(self, start):
        return next((slot for slot in self.slots if slot.start == start), None)


def slot_start_at(day, start):
    """The aware datetime a slot starts (the platform's time zone)."""
    return timezone.make_aware(datetime.combine(day, start))


class Planner:
    """The days of one centre for one item, with the configuration read once."""

    def __init__(self, centre, implementation, *, now=None):
        self.centre = centre
        self.implementation = implementation
        self.now = timezone.localtime(now or timezone.now())
        self.today = self.now.date()
        self.policy = BookingPolicy.for_centre(centre)
        self.sessions = {}
        for session in OpeningSession.objects.filter(centre=centre).order_by("start"):
            self.sessions.setdefault(session.weekday, []).append(session)
        windows = Window.objects.filter(centre=centre, active=True)
        if implementation is not None:
            windows = windows.filter(implementations=implementation)
        self.windows = list(windows.order_by("number"))

    @property
    def last_day(self):
        return self.today + timedelta(days=self.policy.horizon_days)

    def closures(self, first, last):
        return list(
            Closure.objects.filter(centre=self.centre, start_date__lte=last, end_date__gte=first)
        )

    def counters(self, first, last):
        rows = SlotCounter.objects.filter(
            window__in=self.windows, day__gte=first, day__lte=last
        ).values_list("window_id", "day", "start", "booked")
        return {(w, d, s): booked for w, d, s, booked in rows}

    def sessions_of(self, day, info):
        own = self.sessions.get(day.weekday(), [])
        if own or day.weekday() < 5:
            return own
        # An adjusted working weekend day (调休上班): the hours of a normal working day.
        return self.sessions.get(ADJUSTED_DAY_WEEKDAY, []) if info.is_working else []

    def plans(self, first, last):
        """``DayPlan`` of every day in ``first``..``last``."""
        closures = self.closures(first, last)
        counters = self.counters(first, last)
        out = []
        day = first
        while day <= last:
            out.append(self._plan(day, closures, counters))
            day += timedelta(days=1)
        return out

    def plan(self, day):
        return self.plans(day, day)[0]

    def _plan(self, day, closures, counters):
        plan = DayPlan(day=day)
        try:
            info = workdays.is_working_day(day)
        except workdays.OutsideCalendar:
            plan.reason = "该日期不在工作日历范围内"
            return plan
        plan.provisional = info.provisional
        if not info.is_working:
            plan.reason = f"{info.name}放假" if info.name else "周末休息"
            return plan
        closed = next(
            (c for c in closures if c.window_id is None and c.start_date <= day <= c.end_date), None
        )
        if closed is not None:
            plan.reason = f"暂停预约：{closed.reason}"
            return plan
        closed_windows = {
            c.window_id for c in closures if c.window_id and c.start_date <= day <= c.end_date
        }
        windows = [w for w in self.windows if w.pk not in closed_windows]
        sessions = self.sessions_of(day, info)
        if not windows or not sessions:
            plan.reason = "当天不办理该事项" if sessions else "当天不开放预约"
            return plan
        plan.open = True
        cutoff = timedelta(minutes=self.policy.cutoff_minutes)
        in_horizon = self.today <= day <= self.last_day
        for session in sessions:
            for start, end in session.slots():
                slot = Slot(
                    start=start,
                    end=end,
                    capacity=session.capacity * len(windows),
                    per_window=session.capacity,
                )
                slot.booked = sum(counters.get((w.pk, day, start), 0) for w in windows)
                if not in_horizon:
                    slot.reason = "不在可预约的日期范围内"
                elif self.now >= slot_start_at(day, start) - cutoff:
                    slot.reason = "已过预约截止时间"
                elif slot.free <= 0:
                    slot.reason = FULL
                else:
                    slot.bookable = True
                plan.slots.append(slot)
        plan.windows = windows
        return plan

    def bookable_days(self):
        """The days from today to the horizon, each with its plan."""
        return self.plans(self.today, self.last_day)


# --- citizens ------------------------------------------------------------------------------


def active_suspension(user, centre, today=None):
    """The suspension stopping ``user`` from booking at ``centre`` today, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    today = today or timezone.localdate()
    return (
        BookingSuspension.objects.filter(
            user=user, centre=centre, starts_on__lte=today, ends_on__gte=today
        )
        .order_by("-ends_on")
        .first()
    )


def suspensions_of(user, today=None):
    today = today or timezone.localdate()
    return BookingSuspension.objects.filter(user=user, ends_on__gte=today).select_related("centre")


def my_bookings(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return Booking.objects.none()
    return (
        Booking.objects.filter(user=user)
        .select_related("centre", "window", "implementation", "case")
        .order_by("-day", "-start", "-pk")
    )


def own_booking(user, pk):
    """The user's own booking ``pk``, or None (another's is never returned)."""
    return my_bookings(user).filter(pk=pk).first()


def linkable_cases(user, implementation):
    """The user's own submitted cases of ``implementation`` a booking may be tied to."""
    from yiwang.hall import queries as hall_queries
    from yiwang.hall.constants import CaseStatus

    return (
        hall_queries.my_cases(user)
        .filter(implementation=implementation)
        .exclude(status=CaseStatus.DRAFT)
    )


# --- staff ---------------------------------------------------------------------------------


def _active(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_administrator(user):
    if not _active(user):
        return False
    return user.is_superuser or user.groups.filter(name=ADMINISTRATOR_GROUP).exists()


def _administered(user):
    """Q of the centres ``user`` administers (None: none)."""
    if user.is_superuser:
        return Q()
    if not is_administrator(user) or getattr(user, "department_id", None) is None:
        return None
    return Q(region__code__startswith=region_prefix(user.department.region))


def administered_centres(user):
    """The centres whose configuration and bookings ``user`` may see in the back office's
    snippets: every centre for a superuser, an administrator's department's region and
    below, none for anyone else."""
    administered = _administered(user) if _active(user) else None
    if administered is None:
        return ServiceCentre.objects.none()
    return ServiceCentre.objects.filter(administered)


def desk_centres(user):
    """The centres whose counter desk ``user`` may open."""
    if not _active(user):
        return ServiceCentre.objects.none()
    administered = _administered(user)
    if administered is not None and not administered:
        return ServiceCentre.objects.order_by("region__code", "name")
    visible = Q(pk__in=Window.objects.filter(staff=user, active=True).values("centre_id"))
    if administered is not None:
        visible |= administered
    return ServiceCentre.objects.filter(visible).order_by("region__code", "name")


def can_work_at(user, centre):
    return desk_centres(user).filter(pk=centre.pk).exists()


def desk_windows(user, centre):
    """The windows of ``centre`` where ``user`` may call numbers."""
    windows = Window.objects.filter(centre=centre, active=True).order_by("number")
    if not _active(user):
        return windows.none()
    administered = _administered(user)
    if (
        administered is not None
        and ServiceCentre.objects.filter(administered, pk=centre.pk).exists()
    ):
        return windows
    return windows.filter(staff=user)


def day_bookings(centre, day, *, window=None):
    bookings = Booking.objects.filter(centre=centre, day=day).exclude(
        status=BookingStatus.CANCELLED
    )
    if window is not None:
        bookings = bookings.filter(window=window)
    return bookings.select_related("implementation", "window", "user", "ticket").order_by(
        "start", "window__number", "pk"
    )


def day_tickets(centre, day):
    return (
        QueueTicket.objects.filter(centre=centre, day=day)
        .select_related("window", "called_window", "implementation")
        .order_by("sequence")
    )


# --- the hall screen -----------------------------------------------------------------------


def screen(centre, day=None, *, recent=8):
    """What the hall screen shows: the numbers called most recently (with their windows),
    the number each window serves now, and how many are waiting."""
    day = day or timezone.localdate()
    tickets = QueueTicket.objects.filter(centre=centre, day=day)
    called = list(
        tickets.filter(called_at__isnull=False)
        .select_related("called_window")
        .order_by("-called_at", "-pk")[:recent]
    )
    current = {}
    for ticket in tickets.filter(status=TicketStatus.CALLED).select_related("called_window"):
        if ticket.called_window_id is not None:
            current[ticket.called_window_id] = ticket
    windows = list(Window.objects.filter(centre=centre, active=True).order_by("number"))
    return {
        "recent": called,
        "windows": [{"window": w, "ticket": current.get(w.pk)} for w in windows],
        "waiting": tickets.filter(status=TicketStatus.WAITING).count(),
    }
