"""Answer deadlines in working days and working hours on the official calendar (holidays
and adjusted working weekends), and the sweep's warnings, overdue flags, reminders,
escalations, follow-ups and automatic closing — each once."""

import pytest
from django.core import mail

from yiwang.interaction import actions, deadlines
from yiwang.interaction.constants import EventKind, Kind, Status, Unit, Urgency
from yiwang.interaction.models import DeadlineRule, Message

from .kit import at

pytestmark = pytest.mark.django_db


def test_working_days_skip_the_national_day_holiday_and_count_its_working_saturday():
    # 3 working days after Wed 09-30: Thu 10-08, Fri 10-09, Sat 10-10 (调休上班).
    due = deadlines.compute(at(2026, 9, 30, 10), 3, Unit.WORKING_DAYS)
    assert due.due_at == at(2026, 10, 11, 0)
    assert due.warn_at == at(2026, 10, 10, 0)
    # The Spring Festival 2026: Fri 02-13 + 3 = Wed 02-25.
    assert deadlines.compute(at(2026, 2, 13, 15), 3, Unit.WORKING_DAYS).due_at == at(2026, 2, 26, 0)


def test_working_hours_run_in_office_hours_of_working_days():
    # Fri 16:30 + 4 h: one hour on Friday, three on Monday morning.
    due = deadlines.compute(at(2026, 11, 6, 16, 30), 4, Unit.WORKING_HOURS)
    assert due.due_at == at(2026, 11, 9, 12, 0)
    assert due.warn_at == at(2026, 11, 9, 11, 0)
    # The lunch break is not counted.
    assert deadlines.compute(at(2026, 11, 9, 11), 2, Unit.WORKING_HOURS).due_at == at(
        2026, 11, 9, 14, 30
    )
    # Fri 10-09 17:00 + 4 h: half an hour, then the adjusted working Saturday 10-10.
    assert deadlines.compute(at(2026, 10, 9, 17), 4, Unit.WORKING_HOURS).due_at == at(
        2026, 10, 10, 14, 0
    )
    # Written at night during the holiday: counting starts on the first working morning.
    assert deadlines.compute(at(2026, 10, 3, 22), 1, Unit.WORKING_HOURS).due_at == at(
        2026, 10, 8, 10, 0
    )


def test_the_rules_are_data_and_urgency_counts(kit):
    message, _ = kit.write(kind=Kind.COMPLAINT, urgency=Urgency.URGENT, now=at(2026, 11, 6, 16, 30))
    assert (message.deadline_amount, message.deadline_unit) == (4, Unit.WORKING_HOURS)
    assert message.due_at == at(2026, 11, 9, 12, 0)
    DeadlineRule.objects.filter(kind=Kind.COMPLAINT, urgency=Urgency.NORMAL).update(amount=5)
    message, _ = kit.write(kind=Kind.COMPLAINT, now=at(2026, 11, 2, 10))
    assert message.due_at == at(2026, 11, 10, 0)  # Tue..Fri and Monday 11-09


def test_the_sweep_warns_flags_reminds_and_escalates_once_each(
    kit, django_capture_on_commit_callbacks
):
    message, _ = kit.write(kind=Kind.CONSULTATION, now=at(2026, 11, 2, 10))
    kit.to_housing(message)
    message.refresh_from_db()
    assert message.due_at == at(2026, 11, 6, 0)

    def sweep(*args):
        with django_capture_on_commit_callbacks(execute=True):
            return actions.sweep(now=at(*args))

    assert sweep(2026, 11, 4, 12)["warned"] == 0
    assert sweep(2026, 11, 5, 9)["warned"] == 1
    assert sweep(2026, 11, 5, 10)["warned"] == 0
    mail.outbox.clear()
    counts = sweep(2026, 11, 6, 1)
    assert (counts["overdue"], counts["reminded"], counts["escalated"]) == (1, 1, 0)
    assert kit.handler.email in [to for m in mail.outbox for to in m.to]
    # Three working days late (Fri, Mon, Tue): escalated to the county's supervisors.
    assert sweep(2026, 11, 9, 12)["escalated"] == 0
    mail.outbox.clear()
    assert sweep(2026, 11, 10, 9)["escalated"] == 1
    assert [m.to for m in mail.outbox] == [[kit.supervisor.email]]
    assert set(sweep(2026, 11, 10, 10).values()) == {0}
    kinds = list(message.events.values_list("kind", flat=True))
    for kind in (EventKind.WARNED, EventKind.OVERDUE, EventKind.REMINDED, EventKind.ESCALATED):
        assert kinds.count(kind) == 1


def test_an_approved_extension_lifts_the_warning(kit):
    message, _ = kit.write(kind=Kind.CONSULTATION, now=at(2026, 11, 2, 10))
    kit.to_housing(message)
    actions.sweep(now=at(2026, 11, 5, 9))
    extension = actions.request_extension(
        message=message, staff=kit.handler, amount=3, reason="需要现场勘查", now=at(2026, 11, 5, 9)
    )
    actions.decide_extension(
        extension=extension, staff=kit.supervisor, approve=True, now=at(2026, 11, 5, 10)
    )
    message.refresh_from_db()
    assert message.due_at == at(2026, 11, 11, 0) and message.warned_at is None
    assert actions.sweep(now=at(2026, 11, 6, 1))["overdue"] == 0


def test_no_message_waits_three_months_unescalated(kit):
    message, _ = kit.write(kind=Kind.MAILBOX, now=at(2026, 8, 1, 10))
    # Even with a long extension granted, 60 days after submission it is escalated.
    Message.objects.filter(pk=message.pk).update(
        due_at=at(2026, 12, 31, 0), warn_at=at(2026, 12, 30, 0)
    )
    counts = actions.sweep(now=at(2026, 10, 1, 10))
    assert counts["long_unanswered"] == 1
    message.refresh_from_db()
    assert message.escalated_at == at(2026, 10, 1, 10)


def test_an_unrated_reply_closes_itself_and_the_writer_is_asked_next_day(
    kit, sms, django_capture_on_commit_callbacks
):
    message, _ = kit.write(now=at(2026, 11, 2, 10))
    kit.to_housing(message)
    message = kit.answer(message, now=at(2026, 11, 3, 10))
    assert actions.sweep(now=at(2026, 11, 17, 10))["closed"] == 0
    assert actions.sweep(now=at(2026, 11, 18, 11))["closed"] == 1
    message.refresh_from_db()
    assert message.status == Status.CLOSED and message.satisfaction is None
    assert actions.sweep(now=at(2026, 11, 18, 12))["followed_up"] == 0
    sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.sweep(now=at(2026, 11, 19, 9))["followed_up"] == 1
    assert "请凭编号和查询码评价" in sms[-1].text
    # Still within 30 days of the reply: the writer may reopen it.
    actions.reopen(message=message, reason="问题依旧", now=at(2026, 11, 20, 9))


def test_a_calendar_change_moves_open_due_dates(kit):
    message, _ = kit.write(kind=Kind.CONSULTATION, now=at(2026, 11, 2, 10))
    Message.objects.filter(pk=message.pk).update(due_at=at(2026, 12, 1, 0))
    assert actions.recompute_open_deadlines() == 1
    message.refresh_from_db()
    assert message.due_at == at(2026, 11, 6, 0)
