"""The sweep (reminders once, no-shows and the suspension they bring) and the counter
(check-in numbers, walk-in tickets, calling the next number)."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yiwang.appointments import actions, queries
from yiwang.appointments.constants import BookingStatus, TicketStatus
from yiwang.appointments.models import Booking, BookingSuspension
from yiwang.appointments.tasks import appointments_sweep
from yiwang.core.sms import RecordingSmsBackend

from .kit import MONDAY, at

pytestmark = pytest.mark.django_db
TUESDAY = date(2026, 9, 29)


def test_a_reminder_goes_out_once_the_day_before(kit, django_capture_on_commit_callbacks):
    booking = kit.book(day=TUESDAY, start=time(10))
    RecordingSmsBackend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # Before the reminder hour nothing; then one; a second run (another worker) none.
        assert actions.send_reminders(now=at(MONDAY, 8)) == 0
        assert actions.send_reminders(now=at(MONDAY, 9, 15)) == 1
        assert actions.send_reminders(now=at(MONDAY, 9, 30)) == 0
    texts = [m.text for m in RecordingSmsBackend.outbox if m.mobile == kit.citizen.mobile]
    assert len(texts) == 1 and "提醒" in texts[0]
    booking.refresh_from_db()
    assert booking.reminder_sent_at is not None


def test_no_show_after_the_grace_period_and_the_suspension(kit):
    # Three bookings on three days, none checked in.
    days = [MONDAY, TUESDAY, date(2026, 9, 30)]
    bookings = [kit.book(day=day, start=time(10)) for day in days]
    # 10:30 end + 15 minutes of grace: not yet at 10:40.
    assert actions.record_no_shows(now=at(MONDAY, 10, 40)) == (0, 0)
    assert actions.record_no_shows(now=at(MONDAY, 10, 46)) == (1, 0)
    assert actions.record_no_shows(now=at(TUESDAY, 11)) == (1, 0)
    assert not BookingSuspension.objects.exists()
    assert actions.record_no_shows(now=at(date(2026, 9, 30), 11)) == (1, 1)
    for booking in bookings:
        booking.refresh_from_db()
        assert booking.status == BookingStatus.NO_SHOW
    suspension = BookingSuspension.objects.get(user=kit.citizen, centre=kit.centre)
    assert suspension.ends_on == date(2026, 9, 30) + timedelta(days=29)
    with pytest.raises(ValidationError, match="不能在松林县政务服务中心网上预约"):
        kit.book(day=date(2026, 10, 8), when=at(date(2026, 10, 1)))
    # Another centre is not affected; after the suspension booking works again.
    kit.book(centre=kit.far_centre, day=date(2026, 10, 8), when=at(date(2026, 10, 1)))
    later = suspension.ends_on + timedelta(days=1)
    assert queries.active_suspension(kit.citizen, kit.centre, later) is None


def test_the_task_runs_the_sweep(kit):
    day = timezone.localdate() - timedelta(days=1)
    Booking.objects.create(
        user=kit.citizen,
        centre=kit.centre,
        window=kit.a01,
        counter=kit.a01.slot_counters.create(day=day, start=time(10), end=time(10, 30), capacity=2),
        implementation=kit.item,
        day=day,
        start=time(10),
        end=time(10, 30),
    )
    result = appointments_sweep.call()
    assert result["no_shows"] == 1


def test_check_in_issues_numbers_from_a_daily_counter(kit):
    today = timezone.localdate()
    first = Booking.objects.create(
        user=kit.citizen,
        centre=kit.centre,
        window=kit.a01,
        counter=kit.a01.slot_counters.create(
            day=today, start=time(9), end=time(9, 30), capacity=2, booked=1
        ),
        implementation=kit.item,
        day=today,
        start=time(9),
        end=time(9, 30),
        name="张三",
    )
    second = Booking.objects.create(
        user=kit.other,
        centre=kit.centre,
        window=kit.a02,
        counter=kit.a02.slot_counters.create(
            day=today, start=time(9), end=time(9, 30), capacity=2, booked=1
        ),
        implementation=kit.item,
        day=today,
        start=time(9),
        end=time(9, 30),
        name="李四",
    )
    ticket = actions.check_in(booking=first, staff=kit.clerk)
    assert (ticket.number, ticket.window) == ("A001", kit.a01)
    with pytest.raises(ValidationError):
        actions.check_in(booking=first, staff=kit.clerk)
    # A02 has its own prefix; the sequence is the centre's.
    assert actions.check_in(booking=second, staff=kit.clerk).number == "B002"
    walk_in = actions.issue_walk_in(centre=kit.centre, staff=kit.clerk, name="王五")
    assert walk_in.number == "A003" and walk_in.window is None
    with pytest.raises(PermissionDenied):
        actions.issue_walk_in(centre=kit.centre, staff=kit.far_clerk)
    first.refresh_from_db()
    assert first.status == BookingStatus.CHECKED_IN

    # A01 (the clerk's window) calls its own booking first, then the walk-in; A02's is left.
    assert actions.call_next(window=kit.a01, staff=kit.clerk).number == "A001"
    assert actions.call_next(window=kit.a01, staff=kit.clerk).number == "A003"
    assert actions.call_next(window=kit.a01, staff=kit.clerk) is None
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE
    with pytest.raises(PermissionDenied):
        actions.call_next(window=kit.a02, staff=kit.clerk)


def test_check_in_only_on_the_day(kit):
    booking = kit.book(day=TUESDAY)
    with pytest.raises(ValidationError, match="当天"):
        actions.check_in(booking=booking, staff=kit.clerk, now=at(MONDAY, 9))
