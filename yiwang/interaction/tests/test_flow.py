"""A message's life through the real actions: routing, dispatch, transfer, assignment,
extension, review, rating, reopening, invalidation, and what each writes."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.core.models import AuditEvent
from yiwang.interaction import actions, numbers
from yiwang.interaction.actions import StateError
from yiwang.interaction.constants import ErrorType, EventKind, Kind, ReplyState, Status
from yiwang.interaction.models import Message, RoutingRule

from .kit import at

pytestmark = pytest.mark.django_db


def kinds(message):
    return list(message.events.values_list("kind", flat=True))


def test_a_letter_goes_from_dispatch_to_a_rated_answer(
    kit, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message, code = kit.write()
    assert message.status == Status.SUBMITTED
    assert message.number.startswith("99010220261102")
    assert numbers.matches(message, code) and not numbers.matches(message, "WRONG123")
    assert code in sms[-1].text and message.number in sms[-1].text
    kit.to_housing(message)
    actions.assign(
        message=message, staff=kit.coordinator, handler=kit.handler, now=at(2026, 11, 2, 11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_reply(message=message, staff=kit.handler, text="草稿", now=at(2026, 11, 3, 9))
        actions.save_reply(
            message=message,
            staff=kit.handler,
            text="已修复。",
            submit=True,
            now=at(2026, 11, 3, 10),
        )
    message.refresh_from_db()
    assert message.status == Status.REVIEWING
    assert kit.reviewer.email in [to for m in mail.outbox for to in m.to]
    # The author cannot approve; a reviewer of another department cannot either.
    with pytest.raises(PermissionDenied):
        actions.review_reply(message=message, staff=kit.edu_reviewer, approve=True)
    with pytest.raises(ValidationError):
        actions.review_reply(message=message, staff=kit.reviewer, approve=False, note="")
    actions.review_reply(
        message=message,
        staff=kit.reviewer,
        approve=False,
        note="请写明完工时间",
        now=at(2026, 11, 3, 11),
    )
    message.refresh_from_db()
    assert message.status == Status.HANDLING
    actions.save_reply(
        message=message,
        staff=kit.handler,
        text="已修复，11月5日完工。",
        submit=True,
        now=at(2026, 11, 3, 14),
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.review_reply(
            message=message, staff=kit.reviewer, approve=True, now=at(2026, 11, 4, 9)
        )
    message.refresh_from_db()
    assert message.status == Status.REPLIED and message.replied_at == at(2026, 11, 4, 9)
    assert message.replies.get(state=ReplyState.SENT).text == "已修复，11月5日完工。"
    assert "已由松林县住房和城乡建设局答复" in sms[-1].text
    actions.rate(message=message, satisfaction=3, user=kit.citizen)
    message.refresh_from_db()
    assert message.status == Status.CLOSED and message.satisfaction == 3
    assert kinds(message) == [
        EventKind.SUBMITTED,
        EventKind.DISPATCHED,
        EventKind.ASSIGNED,
        EventKind.REPLY_DRAFTED,
        EventKind.REPLY_SUBMITTED,
        EventKind.REPLY_RETURNED,
        EventKind.REPLY_SUBMITTED,
        EventKind.REPLIED,
        EventKind.RATED,
    ]
    actions_logged = AuditEvent.objects.filter(object_id=str(message.pk)).values_list(
        "action", flat=True
    )
    assert "interaction.submitted" in actions_logged and "interaction.rated" in actions_logged


def test_keyword_rules_suggest_a_department_before_any_history(kit):
    RoutingRule.objects.create(keywords="道路 积水 小区", department=kit.housing)
    RoutingRule.objects.create(keywords="学校，学位", department=kit.education)
    message, _ = kit.write()
    assert message.suggested_department == kit.housing and message.route_method == "rule"
    message, _ = kit.write(
        title="学位申请", body="孩子入学的学位怎么申请？", kind=Kind.CONSULTATION
    )
    assert message.suggested_department == kit.education
    message, _ = kit.write(title="其他", body="没有关键词", kind=Kind.SUGGESTION)
    assert message.suggested_department is None and message.status == Status.SUBMITTED


def test_an_error_report_goes_straight_to_the_site_team(kit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message, _ = actions.submit_message(
            kind=Kind.ERROR_REPORT,
            title="",
            body="第二段“松林县人民政付”有错字。",
            portal=kit.portal,
            page_url="http://songlin.localhost/xinwen/1/",
            error_type=ErrorType.WORDING,
            now=at(2026, 11, 2, 10),
        )
    assert message.status == Status.DISPATCHED and message.department == kit.office
    assert message.route_method == "site" and message.writer is None
    assert message.title.startswith("错别字或表述错误")
    # One working day: the end of Tuesday.
    assert message.due_at == at(2026, 11, 4, 0)
    assert kit.office_coordinator.email in [to for m in mail.outbox for to in m.to]


def test_writing_a_letter_needs_a_login_and_valid_fields(kit):
    with pytest.raises(PermissionDenied):
        kit.write(writer=None)
    with pytest.raises(ValidationError) as error:
        kit.write(title="", body="x" * 6000)
    assert "title" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        actions.submit_message(kind=Kind.ERROR_REPORT, title="", body="x", portal=kit.portal)
    assert "page_url" in error.value.error_dict


def test_transfer_needs_a_reason_and_the_dispatcher(kit):
    message, _ = kit.write()
    kit.to_housing(message)
    with pytest.raises(PermissionDenied):
        actions.transfer(
            message=message, staff=kit.handler, department_id=kit.education.pk, reason="x"
        )
    with pytest.raises(ValidationError):
        actions.transfer(
            message=message, staff=kit.dispatcher, department_id=kit.education.pk, reason=""
        )
    with pytest.raises(ValidationError):
        actions.transfer(
            message=message,
            staff=kit.dispatcher,
            department_id=kit.other_county_dept.pk,
            reason="错",
        )
    actions.save_reply(message=message, staff=kit.handler, text="住建局草稿")
    actions.transfer(
        message=message, staff=kit.dispatcher, department_id=kit.education.pk, reason="涉及学校"
    )
    message.refresh_from_db()
    assert message.department == kit.education and message.status == Status.DISPATCHED
    assert message.replies.get().state == ReplyState.WITHDRAWN
    event = message.events.get(kind=EventKind.TRANSFERRED)
    assert (event.from_department, event.to_department, event.note) == (
        kit.housing,
        kit.education,
        "涉及学校",
    )
    # The old department no longer acts on it.
    with pytest.raises(PermissionDenied):
        actions.save_reply(message=message, staff=kit.handler, text="晚了")
    actions.save_reply(message=message, staff=kit.edu_handler, text="教育局答复", submit=True)


def test_a_department_returns_a_message_that_is_not_its_business(kit):
    message, _ = kit.write()
    kit.to_housing(message)
    actions.return_to_dispatcher(message=message, staff=kit.coordinator, reason="不属本局职责")
    message.refresh_from_db()
    assert message.status == Status.SUBMITTED and message.department is None


def test_reopening_is_allowed_once(kit):
    message, _ = kit.write(now=at(2026, 11, 2, 10))
    kit.to_housing(message)
    message = kit.answer(message, now=at(2026, 11, 3, 10))
    actions.reopen(message=message, reason="路还没修好", now=at(2026, 11, 5, 10))
    message.refresh_from_db()
    assert message.status == Status.HANDLING and message.reopen_count == 1
    # A new clock from the reopening: 13 working days after Thursday 11-05.
    assert message.clock_started_at == at(2026, 11, 5, 10)
    assert message.due_at == at(2026, 11, 25, 0)
    message = kit.answer(message, text="已再次修复。", now=at(2026, 11, 6, 10))
    with pytest.raises(StateError):
        actions.reopen(message=message, reason="还是不行", now=at(2026, 11, 7, 10))


def test_reopening_is_refused_after_thirty_days(kit):
    message, _ = kit.write()
    kit.to_housing(message)
    message = kit.answer(message, now=at(2026, 11, 3, 10))
    with pytest.raises(StateError):
        actions.reopen(message=message, reason="x", now=at(2026, 12, 4, 10))


def test_an_extension_must_be_asked_before_the_deadline(kit):
    message, _ = kit.write(kind=Kind.CONSULTATION, now=at(2026, 11, 2, 10))
    kit.to_housing(message)
    message.refresh_from_db()
    assert message.due_at == at(2026, 11, 6, 0)  # 3 working days: Tue, Wed, Thu
    with pytest.raises(ValidationError):
        actions.request_extension(message=message, staff=kit.handler, amount=0, reason="x")
    extension = actions.request_extension(
        message=message, staff=kit.handler, amount=2, reason="需现场核实", now=at(2026, 11, 4, 9)
    )
    with pytest.raises(StateError):
        actions.request_extension(
            message=message, staff=kit.handler, amount=1, reason="再来", now=at(2026, 11, 4, 9)
        )
    with pytest.raises(PermissionDenied):
        actions.decide_extension(extension=extension, staff=kit.coordinator, approve=True)
    actions.decide_extension(
        extension=extension, staff=kit.dispatcher, approve=True, now=at(2026, 11, 4, 10)
    )
    message.refresh_from_db()
    assert message.due_at == at(2026, 11, 10, 0) and message.extension_amount == 2
    with pytest.raises(StateError):
        actions.request_extension(
            message=message, staff=kit.handler, amount=1, reason="超期", now=at(2026, 11, 10, 1)
        )


def test_invalid_messages_leave_the_queue(kit):
    message, _ = kit.write()
    with pytest.raises(ValidationError):
        actions.mark_invalid(message=message, staff=kit.dispatcher, reason="")
    actions.mark_invalid(message=message, staff=kit.dispatcher, reason="重复留言")
    message.refresh_from_db()
    assert message.status == Status.INVALID


def test_a_dispatcher_of_another_county_cannot_dispatch(kit, regions):
    from yiwang.interaction.constants import InteractionRole
    from yiwang.orgs.models import Department

    from .kit import make_staff

    other = make_staff(
        Department.objects.create(name="临溪县政府办", region=regions["county_b"]),
        InteractionRole.DISPATCHER,
    )
    message, _ = kit.write()
    with pytest.raises(PermissionDenied):
        actions.dispatch(message=message, staff=other, department_id=kit.housing.pk)


def test_numbers_are_unique_per_day_and_division(kit):
    numbers_given = {kit.write(now=at(2026, 11, 2, 10))[0].number for _ in range(3)}
    assert numbers_given == {f"9901022026110200{i:03d}" for i in (1, 2, 3)}
    assert Message.objects.count() == 3
