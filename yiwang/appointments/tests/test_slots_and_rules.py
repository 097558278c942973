"""Slot generation on the working-day calendar (National Day 2026 and its adjusted working
Saturday), and the booking rules: horizon, cutoff, closed days, closures, items not served,
double bookings, full slots, change and cancel, cases tied to a booking."""

from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.appointments import actions, queries
from yiwang.appointments.constants import BookingStatus
from yiwang.appointments.models import Booking, Closure, SlotCounter
from yiwang.core.audit import AuditEvent
from yiwang.core.sms import RecordingSmsBackend
from yiwang.hall.tests.casekit import make_submitted
from yiwang.hall.tests.factories import make_hall_implementation

from .kit import MONDAY, at, now

pytestmark = pytest.mark.django_db


def codes(exc):
    """The codes of a ``ValidationError``, with or without fields."""
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def plans(kit, item=None):
    planner = queries.Planner(kit.centre, item or kit.item, now=now())
    return {plan.day: plan for plan in planner.bookable_days()}


def test_days_follow_the_calendar_across_national_day_and_the_adjusted_saturday(kit):
    days = plans(kit)
    # Today plus the 14-day horizon.
    assert min(days) == MONDAY and max(days) == date(2026, 10, 12)
    open_days = sorted(day for day, plan in days.items() if plan.open)
    assert open_days == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        # Saturday, an official working day (调休): Monday's hours.
        date(2026, 10, 10),
        date(2026, 10, 12),
    ]
    assert "国庆节" in days[date(2026, 10, 1)].reason
    assert days[date(2026, 10, 11)].reason == "周末休息"
    saturday = days[date(2026, 10, 10)]
    assert [slot.key for slot in saturday.slots][:2] == ["09:00", "09:30"]


def test_slots_have_the_sessions_times_and_the_windows_places(kit):
    plan = plans(kit)[date(2026, 9, 29)]
    keys = [slot.key for slot in plan.slots]
    assert keys == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
        "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30",
    ]  # fmt: skip
    # Two windows serve the item, two places each.
    assert {slot.capacity for slot in plan.slots} == {4}
    # Only A02 serves the other item.
    other = plans(kit, kit.other_item)[date(2026, 9, 29)]
    assert {slot.capacity for slot in other.slots} == {2}


def test_a_booking_takes_a_place_texts_and_is_audited(kit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = kit.book(day=date(2026, 9, 29), start=time(10))
    assert booking.status == BookingStatus.BOOKED and booking.end == time(10, 30)
    assert plans(kit)[date(2026, 9, 29)].slot(time(10)).free == 3
    message = RecordingSmsBackend.last_to(kit.citizen.mobile)
    assert message is not None and booking.reference in message.text
    event = AuditEvent.objects.get(action="appointments.booked", object_id=str(booking.pk))
    assert kit.citizen.mobile not in str(event.detail)


@pytest.mark.parametrize(
    ("day", "start", "code"),
    [
        (date(2026, 10, 13), time(10), "day_closed"),  # beyond the 14-day horizon
        (date(2026, 10, 1), time(10), "day_closed"),  # National Day
        (date(2026, 10, 11), time(10), "day_closed"),  # Sunday
        (MONDAY, time(9), "slot_closed"),  # 9:00 - 60 minutes is now: past the cutoff
        (MONDAY, time(9, 10), "no_slot"),  # not a slot's start
        (date(2026, 9, 27), time(10), "day_closed"),  # yesterday
    ],
)
def test_booking_rules_refuse_with_a_reason(kit, day, start, code):
    with pytest.raises(ValidationError) as refused:
        kit.book(day=day, start=start)
    assert (
        refused.value.error_list[0].code == code if hasattr(refused.value, "error_list") else True
    )
    assert not Booking.objects.exists()
    assert not SlotCounter.objects.filter(booked__gt=0).exists()


def test_beyond_the_horizon_the_days_plan_says_why(kit):
    planner = queries.Planner(kit.centre, kit.item, now=now())
    plan = planner.plan(date(2026, 10, 13))
    assert plan.open and not any(slot.bookable for slot in plan.slots)
    assert plan.slots[0].reason == "不在可预约的日期范围内"


def test_the_first_slot_after_the_cutoff_can_be_booked(kit):
    assert kit.book(day=MONDAY, start=time(9, 30)).start == time(9, 30)


def test_closures_and_items_not_served(kit):
    Closure.objects.create(
        centre=kit.centre,
        start_date=date(2026, 9, 29),
        end_date=date(2026, 9, 29),
        reason="停电检修",
    )
    with pytest.raises(ValidationError, match="停电检修"):
        kit.book(day=date(2026, 9, 29))
    Closure.objects.create(
        centre=kit.centre,
        window=kit.a02,
        start_date=date(2026, 9, 30),
        end_date=date(2026, 9, 30),
        reason="窗口培训",
    )
    # A02 closed: only A01's two places, and the other item (A02 only) not at all.
    assert plans(kit)[date(2026, 9, 30)].slot(time(10)).capacity == 2
    with pytest.raises(ValidationError):
        kit.book(day=date(2026, 9, 30), item=kit.other_item)
    with pytest.raises(ValidationError, match="没有办理此事项的窗口"):
        kit.book(item=kit.unserved)


def test_no_double_booking_of_a_person(kit):
    kit.book(day=date(2026, 9, 29), start=time(10))
    with pytest.raises(ValidationError, match="这个时间已有预约"):
        kit.book(day=date(2026, 9, 29), start=time(10), item=kit.other_item)
    with pytest.raises(ValidationError, match="当天已预约办理该事项"):
        kit.book(day=date(2026, 9, 29), start=time(14))
    assert Booking.objects.count() == 1


def test_a_full_slot_refuses_and_places_spread_over_the_windows(kit):
    from yiwang.hall.tests.casekit import verified_citizen

    people = [verified_citizen(name=f"市民{i}") for i in range(4)]
    bookings = [kit.book(user=p, day=date(2026, 9, 29)) for p in people]
    assert sorted(b.window.number for b in bookings) == ["A01", "A01", "A02", "A02"]
    with pytest.raises(ValidationError, match="已约满"):
        kit.book(day=date(2026, 9, 29))
    counters = SlotCounter.objects.filter(day=date(2026, 9, 29), start=time(10))
    assert sorted(c.booked for c in counters) == [2, 2]


def test_change_moves_the_booking_or_keeps_it_when_the_new_slot_is_full(kit):
    from yiwang.hall.tests.casekit import verified_citizen

    booking = kit.book(day=date(2026, 9, 29), start=time(10))
    for i in range(2):
        kit.book(
            user=verified_citizen(name=f"占位{i}"),
            day=date(2026, 9, 30),
            start=time(9),
            item=kit.other_item,
        )
    # The other item's slot is full, but this item has A01 free too: fill 9:00 entirely.
    for i in range(2):
        kit.book(user=verified_citizen(name=f"占位A{i}"), day=date(2026, 9, 30), start=time(9))
    with pytest.raises(ValidationError, match="已约满"):
        actions.change(
            booking=booking, user=kit.citizen, day=date(2026, 9, 30), start=time(9), now=now()
        )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED and booking.replaced_by is None
    assert SlotCounter.objects.get(pk=booking.counter_id).booked == 1
    new = actions.change(
        booking=booking, user=kit.citizen, day=date(2026, 10, 8), start=time(14), now=now()
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.replaced_by == new
    assert SlotCounter.objects.get(pk=booking.counter_id).booked == 0
    assert (new.day, new.start, new.status) == (date(2026, 10, 8), time(14), BookingStatus.BOOKED)


def test_cancel_frees_the_place_and_only_the_owner_may(kit):
    booking = kit.book(day=date(2026, 9, 29))
    with pytest.raises(PermissionDenied):
        actions.cancel(booking=booking, user=kit.other, now=now())
    actions.cancel(booking=booking, user=kit.citizen, now=now())
    assert plans(kit)[date(2026, 9, 29)].slot(time(10)).free == 4
    with pytest.raises(ValidationError):
        actions.cancel(booking=booking, user=kit.citizen, now=now())
    # Booked again after cancelling: the partial unique constraints allow it.
    assert kit.book(day=date(2026, 9, 29)).status == BookingStatus.BOOKED


def test_cancel_after_the_slot_started_is_refused(kit):
    booking = kit.book(day=MONDAY, start=time(10))
    with pytest.raises(ValidationError, match="已开始"):
        actions.cancel(booking=booking, user=kit.citizen, now=at(MONDAY, 10, 5))


def test_a_booking_can_be_tied_to_the_users_own_case_of_the_item(kit):
    case, _ = make_submitted(kit.item, kit.citizen)
    booking = kit.book(day=date(2026, 9, 29), case=case)
    assert booking.case == case
    others_case, _ = make_submitted(kit.item, kit.other)
    with pytest.raises(PermissionDenied):
        kit.book(day=date(2026, 9, 30), case=others_case)
    other_hall_item = make_hall_implementation(
        region=kit.item.region, department=kit.department, name="其他事项"
    )
    own_other_item, _ = make_submitted(other_hall_item, kit.citizen)
    with pytest.raises(ValidationError):
        kit.book(day=date(2026, 9, 30), case=own_other_item)
