"""Every write of appointments: book, cancel, change; the sweep's reminders, no-shows and
suspensions; check-in, walk-in tickets and calling the next number.

Each action takes keyword arguments only, runs in one transaction, writes its audit row
(``yiwang.core.audit.record``) in that transaction and sends SMS in ``transaction.on_commit``.
Refusals are ``ValidationError`` (a Chinese message for the page) or ``PermissionDenied``.

Places are never overbooked: a booking takes a place with a conditional UPDATE of its
window's ``SlotCounter`` (``booked = booked + 1 WHERE booked < capacity``), which
PostgreSQL serializes on the row and SQLite on its IMMEDIATE write transaction; the check
constraint ``booked <= capacity`` is the last guard. A person's second booking of the same
time (or of the same item on the same day) meets a partial unique constraint.
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.masking import mask_mobile
from yiwang.core.sms import send_sms

from . import events, queries
from .constants import (
    ACTIVE_BOOKING_STATUSES,
    REMINDER_FROM_HOUR,
    BookingStatus,
    TicketSource,
    TicketStatus,
)
from .models import (
    Booking,
    BookingPolicy,
    BookingSuspension,
    QueueCounter,
    QueueTicket,
    SlotCounter,
)

SMS_SIGNATURE = "【一网】"


def _when(booking):
    return f"{booking.day:%Y年%m月%d日} {booking.start:%H:%M}-{booking.end:%H:%M}"


def _sms_later(mobile, text):
    if mobile:
        transaction.on_commit(lambda: send_sms(mobile=mobile, text=SMS_SIGNATURE + text))


def _detail(booking, **extra):
    return {
        "centre": booking.centre_id,
        "window": booking.window_id,
        "implementation": booking.implementation_id,
        "day": booking.day.isoformat(),
        "start": booking.start.strftime("%H:%M"),
        "status": booking.status,
        "mobile": mask_mobile(booking.mobile) if booking.mobile else "",
        **extra,
    }


def _active_user(user):
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("请先登录。")


# --- booking -------------------------------------------------------------------------------


def _check_case(*, user, case, implementation):
    if case is None:
        return
    from yiwang.hall import queries as hall_queries
    from yiwang.hall.constants import CaseStatus

    if not hall_queries.is_applicant(user, case):
        raise PermissionDenied("只能关联本人的办件。")
    if case.implementation_id != implementation.pk or case.status == CaseStatus.DRAFT:
        raise ValidationError({"case": "关联的办件须是本事项已提交的办件。"})


def _take_place(*, plan, slot):
    """Take one place of ``slot`` at the window of ``plan`` with most room; returns the
    ``SlotCounter``. Raises ``ValidationError`` when every window is full."""
    SlotCounter.objects.bulk_create(
        [
            SlotCounter(window=window, day=plan.day, start=slot.start, end=slot.end)
            for window in plan.windows
        ],
        ignore_conflicts=True,
    )
    counters = list(
        SlotCounter.objects.filter(
            window__in=plan.windows, day=plan.day, start=slot.start
        ).order_by("booked", "window__number")
    )
    for counter in counters:
        taken = SlotCounter.objects.filter(pk=counter.pk, booked__lt=slot.per_window).update(
            booked=F("booked") + 1, capacity=slot.per_window
        )
        if taken:
            counter.refresh_from_db(fields=["booked", "capacity"])
            return counter
    raise _full()


def _full():
    return ValidationError(
        {"start": ValidationError("该时段已约满，请选择其他时段。", code="full")}
    )


def _release_place(booking):
    SlotCounter.objects.filter(pk=booking.counter_id, booked__gt=0).update(booked=F("booked") - 1)


def _book(*, user, centre, implementation, day, start, case, now):
    policy = BookingPolicy.for_centre(centre)
    if not policy.online_booking:
        raise ValidationError("该中心暂未开放网上预约。", code="closed")
    suspension = queries.active_suspension(user, centre, timezone.localtime(now).date())
    if suspension is not None:
        raise ValidationError(
            f"您在 {policy.no_show_window_days} 天内爽约 {suspension.no_shows} 次，"
            f"{suspension.ends_on:%Y年%m月%d日}前不能在{centre.name}网上预约。",
            code="suspended",
        )
    planner = queries.Planner(centre, implementation, now=now)
    if not planner.windows:
        raise ValidationError(
            {"implementation": ValidationError("该中心没有办理此事项的窗口。", code="not_served")}
        )
    plan = planner.plan(day)
    if not plan.open:
        raise ValidationError(
            {"day": ValidationError(f"当天不能预约：{plan.reason}。", code="day_closed")}
        )
    slot = plan.slot(start)
    if slot is None:
        raise ValidationError({"start": ValidationError("没有这个预约时段。", code="no_slot")})
    if slot.reason == queries.FULL:
        raise _full()
    if not slot.bookable:
        raise ValidationError(
            {"start": ValidationError(f"该时段不能预约：{slot.reason}。", code="slot_closed")}
        )
    _check_case(user=user, case=case, implementation=implementation)
    active = Booking.objects.filter(user=user, day=day, status__in=ACTIVE_BOOKING_STATUSES)
    if active.filter(start=start).exists():
        raise ValidationError("您在这个时间已有预约。", code="duplicate")
    if active.filter(implementation=implementation).exists():
        raise ValidationError("您当天已预约办理该事项。", code="duplicate_item")
    counter = _take_place(plan=plan, slot=slot)
    booking = Booking(
        user=user,
        centre=centre,
        window=counter.window,
        counter=counter,
        implementation=implementation,
        case=case,
        day=day,
        start=slot.start,
        end=slot.end,
        name=user.display_name or user.get_username(),
        mobile=user.mobile or "",
    )
    try:
        with transaction.atomic():
            booking.save(force_insert=True)
    except IntegrityError as exc:
        # Another request of the same person got there first (the unique constraints).
        raise ValidationError("您在这个时间已有预约。", code="duplicate") from exc
    return booking


def book(*, user, centre, implementation, day, start, case=None, request=None, now=None):
    """Book ``start`` on ``day`` at ``centre`` for ``implementation`` (optionally tied to the
    user's own ``case`` of that item). Enforces: online booking open, no suspension, a
    window serving the item, a working day not closed, within the horizon and before the
    cutoff, a free place, no other active booking of the person at that time or for that
    item that day. Texts a confirmation after commit."""
    _active_user(user)
    now = now or timezone.now()
    with transaction.atomic():
        booking = _book(
            user=user,
            centre=centre,
            implementation=implementation,
            day=day,
            start=start,
            case=case,
            now=now,
        )
        audit.record(
            action=events.BOOKED,
            actor=user,
            obj=booking,
            detail=_detail(booking, case=case.pk if case else None),
            request=request,
        )
    _sms_later(
        booking.mobile,
        f"您已预约{centre.name}{_when(booking)}办理“{implementation.name}”，"
        f"预约号 {booking.reference}，请按时携带材料原件到场签到。",
    )
    return booking


def _cancel(*, booking, now):
    if now >= queries.slot_start_at(booking.day, booking.start):
        raise ValidationError("预约时段已开始，不能再取消或改约。", code="started")
    cancelled = Booking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
        status=BookingStatus.CANCELLED, cancelled_at=now
    )
    if not cancelled:
        raise ValidationError("该预约已不能取消（已取消、已签到或已爽约）。", code="not_active")
    _release_place(booking)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now


def _own(user, booking):
    _active_user(user)
    if booking.user_id != user.pk:
        raise PermissionDenied("只能操作本人的预约。")


def cancel(*, booking, user, request=None, now=None):
    """Cancel the user's own booking before its slot starts; the place is freed."""
    _own(user, booking)
    now = now or timezone.now()
    with transaction.atomic():
        _cancel(booking=booking, now=now)
        audit.record(
            action=events.CANCELLED,
            actor=user,
            obj=booking,
            detail=_detail(booking),
            request=request,
        )
    _sms_later(
        booking.mobile,
        f"您预约的{booking.centre.name}{_when(booking)}“{booking.implementation.name}”已取消。",
    )
    return booking


def change(*, booking, user, day, start, request=None, now=None):
    """Move the user's own booking to ``start`` on ``day`` (same centre and item): the old
    one is cancelled and the new one booked in one transaction, so when the new slot is
    full (or refused for any reason) the old booking stays as it was."""
    _own(user, booking)
    now = now or timezone.now()
    with transaction.atomic():
        _cancel(booking=booking, now=now)
        new = _book(
            user=user,
            centre=booking.centre,
            implementation=booking.implementation,
            day=day,
            start=start,
            case=booking.case,
            now=now,
        )
        Booking.objects.filter(pk=booking.pk).update(replaced_by=new)
        booking.replaced_by = new
        audit.record(
            action=events.CHANGED,
            actor=user,
            obj=new,
            detail=_detail(
                new,
                replaces=booking.pk,
                old_day=booking.day.isoformat(),
                old_start=booking.start.strftime("%H:%M"),
            ),
            request=request,
        )
    _sms_later(
        new.mobile,
        f"您的预约已改为{new.centre.name}{_when(new)}办理“{new.implementation.name}”，"
        f"预约号 {new.reference}。",
    )
    return new


# --- the sweep -----------------------------------------------------------------------------


def send_reminders(*, now=None):
    """Text tomorrow's bookings once each (from ``REMINDER_FROM_HOUR`` today). A booking is
    claimed by a conditional UPDATE of ``reminder_sent_at``, so two workers never both send.
    Returns how many were sent."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < REMINDER_FROM_HOUR:
        return 0
    tomorrow = now.date() + timedelta(days=1)
    due = Booking.objects.filter(
        day=tomorrow, status=BookingStatus.BOOKED, reminder_sent_at__isnull=True
    ).select_related("centre", "implementation")
    sent = 0
    for booking in due:
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=booking.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            audit.record(action=events.REMINDED, obj=booking, detail=_detail(booking))
            _sms_later(
                booking.mobile,
                f"提醒：您明天（{_when(booking)}）在{booking.centre.name}"
                f"{booking.centre.address}预约办理“{booking.implementation.name}”，"
                f"请携带材料原件按时签到。如不能前往请提前取消。",
            )
        sent += 1
    return sent


def _suspend_if_due(*, user, centre, policy, today):
    """A suspension when the user's no-shows at ``centre`` within the policy's window (since
    their last suspension ended) reach the limit; returns it or None."""
    if not policy.no_show_limit:
        return None
    if queries.active_suspension(user, centre, today) is not None:
        return None
    since = today - timedelta(days=policy.no_show_window_days)
    last = (
        BookingSuspension.objects.filter(user=user, centre=centre)
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    if last is not None and last >= since:
        since = last
    count = Booking.objects.filter(
        user=user, centre=centre, status=BookingStatus.NO_SHOW, day__gt=since, day__lte=today
    ).count()
    if count < policy.no_show_limit:
        return None
    suspension = BookingSuspension.objects.create(
        user=user,
        centre=centre,
        starts_on=today,
        ends_on=today + timedelta(days=max(1, policy.suspension_days) - 1),
        no_shows=count,
    )
    audit.record(
        action=events.SUSPENDED,
        obj=suspension,
        detail={
            "user": user.pk,
            "centre": centre.pk,
            "no_shows": count,
            "ends_on": suspension.ends_on.isoformat(),
        },
    )
    _sms_later(
        user.mobile,
        f"您在{policy.no_show_window_days}天内预约后未到场{count}次，"
        f"{suspension.ends_on:%Y年%m月%d日}前不能在{centre.name}网上预约，现场取号不受影响。",
    )
    return suspension


def record_no_shows(*, now=None):
    """Bookings not checked in by the end of their slot plus the centre's grace period
    become no-shows; a no-show may bring a suspension. Only bookings of today and before
    that are still ``booked`` are looked at. Returns ``(no_shows, suspensions)``."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    candidates = (
        Booking.objects.filter(status=BookingStatus.BOOKED, day__lte=today)
        .select_related("centre", "user")
        .order_by("day", "end", "pk")
    )
    policies = {}
    no_shows = suspensions = 0
    for booking in candidates:
        policy = policies.get(booking.centre_id)
        if policy is None:
            policy = policies[booking.centre_id] = BookingPolicy.for_centre(booking.centre)
        ends = timezone.make_aware(datetime.combine(booking.day, booking.end))
        if now < ends + timedelta(minutes=policy.grace_minutes):
            continue
        with transaction.atomic():
            marked = Booking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
                status=BookingStatus.NO_SHOW, no_show_at=now
            )
            if not marked:
                continue
            booking.status = BookingStatus.NO_SHOW
            audit.record(action=events.NO_SHOW, obj=booking, detail=_detail(booking))
            if _suspend_if_due(
                user=booking.user, centre=booking.centre, policy=policy, today=today
            ):
                suspensions += 1
        no_shows += 1
    return no_shows, suspensions


def sweep(*, now=None):
    """The 15-minute job: reminders, then no-shows and suspensions. A summary dict."""
    reminders = send_reminders(now=now)
    no_shows, suspensions = record_no_shows(now=now)
    return {"reminders": reminders, "no_shows": no_shows, "suspensions": suspensions}


# --- the counter ---------------------------------------------------------------------------


def _next_number(*, centre, day, prefix):
    """``(sequence, number)`` of the next queue number of ``centre`` on ``day``: the day's
    counter row, incremented by a conditional UPDATE (the row lock orders concurrent
    issuers on PostgreSQL; SQLite's write transaction does)."""
    QueueCounter.objects.bulk_create(
        [QueueCounter(centre=centre, day=day, last=0)], ignore_conflicts=True
    )
    QueueCounter.objects.filter(centre=centre, day=day).update(last=F("last") + 1)
    sequence = QueueCounter.objects.get(centre=centre, day=day).last
    return sequence, f"{prefix}{sequence:03d}"


def _require_desk(staff, centre):
    if not queries.can_work_at(staff, centre):
        raise PermissionDenied("您不是该政务服务中心的窗口工作人员。")


def _issue(*, centre, staff, source, window=None, implementation=None, booking=None, name=""):
    policy = BookingPolicy.for_centre(centre)
    prefix = (window.ticket_prefix if window is not None else "") or policy.ticket_prefix
    today = timezone.localdate()
    sequence, number = _next_number(centre=centre, day=today, prefix=prefix)
    return QueueTicket.objects.create(
        centre=centre,
        day=today,
        sequence=sequence,
        number=number,
        source=source,
        booking=booking,
        implementation=implementation,
        window=window,
        name=name,
        issued_by=staff,
    )


def check_in(*, booking, staff, request=None, now=None):
    """Check in today's booking at its centre and issue its queue number (for its window).
    Staff of that centre only. Returns the ticket."""
    _require_desk(staff, booking.centre)
    now = now or timezone.now()
    if booking.day != timezone.localtime(now).date():
        raise ValidationError("只能为当天的预约签到。", code="not_today")
    with transaction.atomic():
        checked = Booking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
            status=BookingStatus.CHECKED_IN, checked_in_at=now
        )
        if not checked:
            raise ValidationError("该预约不能签到（已签到、已取消或已爽约）。", code="not_active")
        booking.status = BookingStatus.CHECKED_IN
        ticket = _issue(
            centre=booking.centre,
            staff=staff,
            source=TicketSource.BOOKING,
            window=booking.window,
            implementation=booking.implementation,
            booking=booking,
            name=booking.name,
        )
        audit.record(
            action=events.CHECKED_IN,
            actor=staff,
            obj=booking,
            detail=_detail(booking, ticket=ticket.number),
            request=request,
        )
    return ticket


def issue_walk_in(*, centre, staff, implementation=None, name="", request=None):
    """A queue number for a visitor without a booking (any window serving the item)."""
    _require_desk(staff, centre)
    with transaction.atomic():
        ticket = _issue(
            centre=centre,
            staff=staff,
            source=TicketSource.WALK_IN,
            implementation=implementation,
            name=(name or "").strip()[:100],
        )
        audit.record(
            action=events.WALK_IN,
            actor=staff,
            obj=ticket,
            detail={
                "centre": centre.pk,
                "number": ticket.number,
                "implementation": implementation.pk if implementation else None,
            },
            request=request,
        )
    return ticket


def call_next(*, window, staff, request=None, now=None):
    """Call the next waiting number at ``window`` (叫号): the oldest one waiting for this
    window, or for any window and an item this window serves (or no item). The number this
    window called before is closed as served. Returns the ticket, or None when nobody waits.
    Staff of that window (or the centre's administrators) only."""
    if not queries.desk_windows(staff, window.centre).filter(pk=window.pk).exists():
        raise PermissionDenied("您不能在该窗口叫号。")
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    served = window.implementations.values("pk")
    candidates = (
        QueueTicket.objects.filter(
            centre_id=window.centre_id, day=today, status=TicketStatus.WAITING
        )
        .filter(
            Q(window=window)
            | Q(window__isnull=True, implementation__isnull=True)
            | Q(window__isnull=True, implementation__in=served)
        )
        .order_by("sequence")
    )
    with transaction.atomic():
        QueueTicket.objects.filter(
            centre_id=window.centre_id, day=today, status=TicketStatus.CALLED, called_window=window
        ).update(status=TicketStatus.DONE)
        for ticket in candidates[:20]:
            taken = QueueTicket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING).update(
                status=TicketStatus.CALLED, called_window=window, called_at=now, called_by=staff
            )
            if taken:
                ticket.refresh_from_db()
                audit.record(
                    action=events.CALLED,
                    actor=staff,
                    obj=ticket,
                    detail={"window": window.pk, "number": ticket.number},
                    request=request,
                )
                return ticket
    return None
