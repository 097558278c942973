"""Every write of 政民互动.

Rules for every function: keyword-only arguments; one transaction; an audit row
(``core.audit.record``, names in ``events.py``) in it as its last write; messages (SMS,
e-mail) in ``transaction.on_commit``. Bad input raises ``ValidationError`` with Chinese
messages keyed by field; acting without the right raises ``PermissionDenied``; a step the
current state does not allow raises ``StateError``.

The flow (docs/interaction.md): submitted (待分办) → dispatched to a department (已交办;
website error reports go straight to their site's team) → assigned to a handler (办理中) →
reply drafted and sent for review (答复待审核) → approved and sent (已答复) → rated, or
closed by itself after ``AUTO_CLOSE_DAYS`` (已办结). The dispatcher may transfer (转办) it to
another department with a reason, a department may return it to the dispatcher, a handler
may ask for more time before the deadline; the writer may reopen it once.
"""

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from yiwang.core import audit, workdays
from yiwang.orgs.models import Department

from . import deadlines, events, notify, numbers, roles, routing
from .constants import (
    AT_DEPARTMENT,
    AUTO_CLOSE_DAYS,
    ESCALATE_AFTER_DAYS,
    HOTLINE_KINDS,
    LONG_UNANSWERED_DAYS,
    MAX_BODY,
    MAX_REPLY,
    MAX_TITLE,
    OPEN_STATUSES,
    REOPEN_DAYS,
    URGENT_DEADLINE,
    Channel,
    ErrorType,
    EventKind,
    ExtensionState,
    InteractionRole,
    Kind,
    ReplyState,
    Satisfaction,
    Status,
    Unit,
    Urgency,
)
from .models import DeadlineRule, ExtensionRequest, Message, MessageEvent, Reply
from .redaction import mask_name, person_names, redact

logger = logging.getLogger(__name__)

SCREENSHOT_MAX_BYTES = 5 * 1024 * 1024
SCREENSHOT_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


class StateError(Exception):
    """The message is not in a state that allows this step."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- small helpers -------------------------------------------------------------------------


def _text(value, field, label, *, max_length, required=True):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"请填写{label}。"})
    if len(value) > max_length:
        raise ValidationError(
            {field: f"{label}不能超过 {max_length} 个字（现有 {len(value)} 个）。"}
        )
    return value


def _phone(value, field="writer_phone", *, required=False):
    value = "".join((value or "").split())
    if not value:
        if required:
            raise ValidationError({field: "请填写联系电话。"})
        return ""
    digits = value.replace("-", "").removeprefix("+86")
    if not digits.isdigit() or not 7 <= len(digits) <= 12:
        raise ValidationError({field: "联系电话格式不对：请填写手机号或带区号的固定电话。"})
    return value


def _event(message, kind, *, at, actor=None, note="", from_department=None, to_department=None):
    return MessageEvent.objects.create(
        message=message,
        kind=kind,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
        from_department=from_department,
        to_department=to_department,
    )


def _detail(message, **extra):
    return {"number": message.number, "status": message.status, **extra}


def _lock(message):
    """The message row again, locked until the transaction ends (PostgreSQL)."""
    return Message.objects.select_for_update().get(pk=message.pk)


def _require(condition, text="您没有权限办理这条留言。"):
    if not condition:
        raise PermissionDenied(text)


def _state(message, allowed, text):
    if message.status not in allowed:
        raise StateError(text)


def _after_commit(func, *args, **kwargs):
    def run():
        try:
            func(*args, **kwargs)
        except Exception:
            logger.exception("政民互动的通知发送失败：%s", getattr(func, "__name__", func))

    transaction.on_commit(run)


def deadline_for(kind, urgency):
    """``(amount, unit)`` of the rule for ``kind`` and ``urgency`` (the defaults when the
    admin has deleted the row)."""
    rule = DeadlineRule.objects.filter(kind=kind, urgency=urgency).first()
    if rule is not None:
        return rule.amount, rule.unit
    from .constants import DEFAULT_DEADLINES

    return URGENT_DEADLINE if urgency == Urgency.URGENT else DEFAULT_DEADLINES[Kind(kind)]


def _start_clock(message, start):
    message.clock_started_at = start
    _recompute_due(message)
    message.warned_at = message.overdue_at = message.reminded_at = message.escalated_at = None


def _recompute_due(message):
    try:
        due = deadlines.compute(
            message.clock_started_at,
            message.deadline_amount + message.extension_amount,
            message.deadline_unit,
        )
    except workdays.OutsideCalendar:
        # Beyond the official calendar: no date rather than a wrong one; the sweep retries
        # after the calendar is extended (and the page says 期限待定).
        message.due_at = message.warn_at = None
        message.due_is_provisional = True
        return
    message.due_at, message.warn_at = due.due_at, due.warn_at
    message.due_is_provisional = due.provisional


# --- submitting ----------------------------------------------------------------------------


def _check_screenshot(upload):
    import filetype

    if upload is None:
        return None
    if not upload.size:
        raise ValidationError({"screenshot": "截图文件是空的，请重新选择。"})
    if upload.size > SCREENSHOT_MAX_BYTES:
        raise ValidationError({"screenshot": "截图不能超过 5 MB。"})
    upload.seek(0)
    kind = filetype.guess(upload.read(512))
    upload.seek(0)
    if kind is None or kind.mime not in SCREENSHOT_TYPES:
        raise ValidationError({"screenshot": "截图只能是 PNG、JPEG 或 WebP 图片。"})
    upload.name = f"screenshot.{SCREENSHOT_TYPES[kind.mime]}"
    return upload


def submit_message(
    *,
    kind,
    title,
    body,
    portal=None,
    region=None,
    writer=None,
    writer_name="",
    writer_phone="",
    writer_email="",
    publish_consent=False,
    leader=None,
    page_url="",
    error_type="",
    screenshot=None,
    category=None,
    urgency=Urgency.NORMAL,
    channel=Channel.WEB,
    location="",
    latitude=None,
    longitude=None,
    entered_by=None,
    api_client=None,
    external_id="",
    now=None,
    request=None,
):
    """Record a new message; returns ``(message, query_code)`` (the code is shown once).

    Website letters need a logged-in writer (the platform's one identity), except website
    error reports, which anyone may send. ``region`` defaults to the portal's."""
    now = now or timezone.now()
    if kind not in Kind.values:
        raise ValidationError({"kind": "请选择留言类型。"})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": "紧急程度无效。"})
    region = region or (portal.region if portal is not None else None)
    if region is None:
        raise ValidationError("这个网站还没有设置所属区划，暂不能接收留言。")
    if channel == Channel.WEB and kind != Kind.ERROR_REPORT:
        if writer is None or not writer.is_authenticated:
            raise PermissionDenied("请先登录再写信。")
    if channel == Channel.HOTLINE and kind not in HOTLINE_KINDS:
        raise ValidationError(
            {"kind": "12345 工单的类型只能是咨询、求助、投诉、举报、建议或表扬。"}
        )
    is_error_report = kind == Kind.ERROR_REPORT
    if is_error_report:
        if not page_url:
            raise ValidationError({"page_url": "请填写出错页面的网址。"})
        if error_type not in ErrorType.values:
            raise ValidationError({"error_type": "请选择错误类型。"})
        title = title or f"{ErrorType(error_type).label}：{page_url}"[:MAX_TITLE]
    else:
        page_url, error_type = "", ""
    if leader is not None and (kind != Kind.MAILBOX or portal is None):
        leader = None
    if kind == Kind.MAILBOX and leader is not None and not leader.is_descendant_of(portal):
        raise ValidationError({"leader": "请选择本网站的领导。"})
    fields = {
        "title": _text(title, "title", "标题", max_length=MAX_TITLE),
        "body": _text(body, "body", "内容", max_length=MAX_BODY),
        "writer_name": _text(
            writer_name or (writer.display_name if writer is not None else ""),
            "writer_name",
            "姓名",
            max_length=100,
            required=channel == Channel.HOTLINE,
        ),
        "writer_phone": _phone(
            writer_phone or (getattr(writer, "mobile", "") if writer is not None else ""),
            required=channel == Channel.HOTLINE,
        ),
        "writer_email": (writer_email or (getattr(writer, "email", "") or "")).strip(),
        "location": _text(location, "location", "地点", max_length=300, required=False),
    }
    screenshot = _check_screenshot(screenshot) if is_error_report else None
    amount, unit = deadline_for(kind, urgency)
    suggestion = routing.suggest(
        kind=kind, title=fields["title"], body=fields["body"], region=region, portal=portal
    )
    code = numbers.new_query_code()
    with transaction.atomic():
        number = numbers.allocate(region, day=deadlines.local(now).date())
        message = Message(
            number=number,
            query_code_hash=numbers.query_code_hash(number, code),
            kind=kind,
            channel=channel,
            urgency=urgency,
            category=category,
            region=region,
            portal=portal,
            leader=leader,
            page_url=page_url[:1000],
            error_type=error_type,
            latitude=latitude,
            longitude=longitude,
            writer=writer if getattr(writer, "is_authenticated", False) else None,
            publish_consent=bool(publish_consent),
            entered_by=entered_by,
            api_client=api_client,
            external_id=external_id,
            submitted_at=now,
            clock_started_at=now,
            deadline_amount=amount,
            deadline_unit=unit,
            **fields,
        )
        if suggestion is not None:
            message.suggested_department = suggestion.department
            message.route_method = suggestion.method
            message.route_confidence = suggestion.confidence
        if suggestion is not None and suggestion.method == "site":
            message.department = suggestion.department
            message.status = Status.DISPATCHED
            message.dispatched_at = now
        _start_clock(message, now)
        if screenshot is not None:
            message.screenshot.save(screenshot.name, screenshot, save=False)
        message.save()
        _event(message, EventKind.SUBMITTED, at=now, actor=entered_by or writer)
        if suggestion is not None:
            _event(
                message,
                EventKind.ROUTED,
                at=now,
                to_department=suggestion.department,
                note=suggestion.method_label,
            )
        if message.status == Status.DISPATCHED:
            _event(
                message,
                EventKind.DISPATCHED,
                at=now,
                to_department=message.department,
                note="网站找错留言自动交网站主办单位办理",
            )
        audit.record(
            action=events.WORK_ORDER_ENTERED if channel == Channel.HOTLINE else events.SUBMITTED,
            actor=entered_by or writer,
            obj=message,
            detail=_detail(
                message,
                kind=kind,
                channel=channel,
                writer=mask_name(message.writer_name),
                department=message.department_id,
                api_client=api_client.pk if api_client is not None else None,
            ),
            request=request,
        )
        _after_commit(notify.submitted, message.pk, code)
        if message.status == Status.DISPATCHED:
            _after_commit(notify.to_department, message.pk, "dispatched")
        else:
            _after_commit(notify.to_dispatchers, message.pk)
    return message, code


def enter_work_order(
    *,
    operator,
    region,
    kind,
    title,
    body,
    caller_name,
    caller_phone,
    urgency=Urgency.NORMAL,
    category=None,
    location="",
    publish_consent=False,
    now=None,
    request=None,
):
    """A 12345 operator records a call as a work order (工单)."""
    _require(
        roles.may_enter_work_orders(operator, region), "只有本地区的 12345 话务员可以录入工单。"
    )
    return submit_message(
        kind=kind,
        title=title,
        body=body,
        region=region,
        writer_name=caller_name,
        writer_phone=caller_phone,
        urgency=urgency,
        category=category,
        location=location,
        publish_consent=publish_consent,
        channel=Channel.HOTLINE,
        entered_by=operator,
        now=now,
        request=request,
    )


# --- dispatching ---------------------------------------------------------------------------


def _department(department_id, user, field="department"):
    try:
        department = Department.objects.select_related("region").get(pk=department_id)
    except (Department.DoesNotExist, ValueError, TypeError):
        raise ValidationError({field: "请选择承办部门。"}) from None
    ids = roles.region_ids(user)
    if ids is not None and department.region_id not in ids:
        # A county's dispatcher may also hand a message to its city's or province's departments.
        region = user.department.region
        if department.region_id not in {r.pk for r in region.ancestors()}:
            raise ValidationError({field: "只能交给本地区或上级的部门。"})
    return department


def dispatch(*, message, staff, department_id, note="", now=None, request=None):
    """The dispatcher hands a waiting message to a department (交办)."""
    now = now or timezone.now()
    with transaction.atomic():
        message = _lock(message)
        _require(roles.may_dispatch(staff, message))
        _state(message, (Status.SUBMITTED,), "这条留言已经交办，如需改交请用“转办”。")
        department = _department(department_id, staff)
        message.department, message.status, message.dispatched_at = (
            department,
            Status.DISPATCHED,
            now,
        )
        message.handler = None
        message.save()
        _event(
            message, EventKind.DISPATCHED, at=now, actor=staff, to_department=department, note=note
        )
        audit.record(
            action=events.DISPATCHED,
            actor=staff,
            obj=message,
            detail=_detail(message, department=department.pk),
            request=request,
        )
        _after_commit(notify.to_department, message.pk, "dispatched")
    return message


def _withdraw_replies(message):
    message.replies.filter(state__in=[ReplyState.DRAFT, ReplyState.RETURNED]).update(
        state=ReplyState.WITHDRAWN
    )


def transfer(*, message, staff, department_id, reason, now=None, request=None):
    """The dispatcher moves a message to another department (转办), with a reason."""
    now = now or timezone.now()
    reason = _text(reason, "reason", "转办理由", max_length=500)
    with transaction.atomic():
        message = _lock(message)
        _require(roles.may_dispatch(staff, message))
        _state(
            message,
            (Status.DISPATCHED, Status.HANDLING),
            "只有已交办、办理中的留言可以转办（答复审核中的请先退回答复）。",
        )
        department = _department(department_id, staff)
        if department.pk == message.department_id:
            raise ValidationError({"department": "请选择另一个部门。"})
        previous = message.department
        _withdraw_replies(message)
        message.department, message.status, message.handler = department, Status.DISPATCHED, None
        message.dispatched_at = now
        message.save()
        _event(
            message,
            EventKind.TRANSFERRED,
            at=now,
            actor=staff,
            from_department=previous,
            to_department=department,
            note=reason,
        )
        audit.record(
            action=events.TRANSFERRED,
            actor=staff,
            obj=message,
            detail=_detail(
                message, department=department.pk, previous=getattr(previous, "pk", None)
            ),
            request=request,
        )
        _after_commit(notify.to_department, message.pk, "transferred")
    return message


def return_to_dispatcher(*, message, staff, reason, now=None, request=None):
    """A department gives back a message that is not its business (退回), with a reason."""
    now = now or timezone.now()
    reason = _text(reason, "reason", "退回理由", max_length=500)
    with transaction.atomic():
        message = _lock(message)
        _require(roles.may_coordinate(staff, message))
        _state(message, (Status.DISPATCHED, Status.HANDLING), "这条留言现在不能退回。")
        previous = message.department
        _withdraw_replies(message)
        message.department, message.status, message.handler = None, Status.SUBMITTED, None
        message.save()
        _event(
            message, EventKind.RETURNED, at=now, actor=staff, from_department=previous, note=reason
        )
        audit.record(
            action=events.RETURNED,
            actor=staff,
            obj=message,
            detail=_detail(message),
            request=request,
        )
        _after_commit(notify.to_dispatchers, message.pk)
    return message


def assign(*, message, staff, handler, now=None, request=None):
    """The department's coordinator gives the message to one of its handlers."""
    now = now or timezone.now()
    with transaction.atomic():
        message = _lock(message)
        _require(roles.may_coordinate(staff, message))
        _state(message, (Status.DISPATCHED, Status.HANDLING), "这条留言现在不能指派。")
        if (
            handler is None
            or handler.department_id != message.department_id
            or not roles.has_role(handler, InteractionRole.HANDLER, InteractionRole.COORDINATOR)
        ):
            raise ValidationError({"handler": "请选择本部门的承办人。"})
        message.handler, message.status = handler, Status.HANDLING
        message.save()
        _event(message, EventKind.ASSIGNED, at=now, actor=staff, note=handler.display_name)
        audit.record(
            action=events.ASSIGNED,
            actor=staff,
            obj=message,
            detail=_detail(message, handler=handler.pk),
            request=request,
        )
    return message


# --- time ----------------------------------------------------------------------------------


def request_extension(*, message, staff, amount, reason, now=None, request=None):
    """Ask for ``amount`` more units (working days or hours, as the message's deadline)
    before the deadline passes."""
    now = now or timezone.now()
    reason = _text(reason, "reason", "延期理由", max_length=500)
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        amount = 0
    if not 1 <= amount <= 60:
        raise ValidationError({"amount": "延期时长应在 1 到 60 之间。"})
    with transaction.atomic():
        message = _lock(message)
        _require(roles.may_handle(staff, message))
        _state(message, AT_DEPARTMENT, "这条留言现在不能申请延期。")
        if message.due_at is not None and now >= message.due_at:
            raise StateError("已超过答复期限，不能再申请延期：延期须在到期前申请。")
        if message.extensions.filter(state=ExtensionState.PENDING).exists():
            raise StateError("已有一个延期申请在审批中。")
        extension = ExtensionRequest.objects.create(
            message=message, amount=amount, reason=reason, requested_by=staff, requested_at=now
        )
        unit = Unit(message.deadline_unit).label
        _event(
            message,
            EventKind.EXTENSION_REQUESTED,
            at=now,
            actor=staff,
            note=f"{amount}个{unit}：{reason}",
        )
        audit.record(
            action=events.EXTENSION_REQUESTED,
            actor=staff,
            obj=message,
            detail=_detail(message, amount=amount),
            request=request,
        )
        _after_commit(notify.to_dispatchers, message.pk)
    return extension


def decide_extension(*, extension, staff, approve, note="", now=None, request=None):
    now = now or timezone.now()
    note = _text(note, "note", "审批意见", max_length=500, required=not approve)
    with transaction.atomic():
        extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        message = _lock(extension.message)
        _require(roles.may_decide_extension(staff, message))
        if extension.state != ExtensionState.PENDING:
            raise StateError("这个延期申请已经审批过了。")
        extension.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
        extension.decided_by, extension.decided_at, extension.decision_note = staff, now, note
        extension.save()
        if approve and message.is_open:
            message.extension_amount += extension.amount
            _recompute_due(message)
            if message.due_at and message.due_at > now:
                message.overdue_at = message.reminded_at = None
            if message.warn_at and message.warn_at > now:
                message.warned_at = None
            message.save()
        label = "同意" if approve else "不同意"
        _event(
            message,
            EventKind.EXTENSION_DECIDED,
            at=now,
            actor=staff,
            note=f"{label}。{note}".strip(),
        )
        audit.record(
            action=events.EXTENSION_DECIDED,
            actor=staff,
            obj=message,
            detail=_detail(message, approved=bool(approve), amount=extension.amount),
            request=request,
        )
    return extension


# --- replying ------------------------------------------------------------------------------


def save_reply(*, message, staff, text, submit=False, now=None, request=None):
    """Write (or change) the department's reply; ``submit`` sends it to a reviewer."""
    now = now or timezone.now()
    text = _text(text, "text", "答复内容", max_length=MAX_REPLY)
    with transaction.atomic():
        message = _lock(message)
        _require(roles.may_handle(staff, message))
        _state(message, (Status.DISPATCHED, Status.HANDLING), "这条留言现在不能起草答复。")
        reply = message.replies.filter(state__in=[ReplyState.DRAFT, ReplyState.RETURNED]).first()
        if reply is None:
            reply = Reply(message=message, author=staff, department=message.department)
        reply.text = text
        reply.author = staff
        reply.state = ReplyState.SUBMITTED if submit else ReplyState.DRAFT
        reply.save()
        if message.handler_id is None:
            message.handler = staff
        message.status = Status.REVIEWING if submit else Status.HANDLING
        message.save()
        kind = EventKind.REPLY_SUBMITTED if submit else EventKind.REPLY_DRAFTED
        _event(message, kind, at=now, actor=staff)
        audit.record(
            action=events.REPLY_SAVED,
            actor=staff,
            obj=message,
            detail=_detail(message, reply=reply.pk, submitted=bool(submit)),
            request=request,
        )
        if submit:
            _after_commit(notify.to_reviewers, message.pk)
    return reply


def review_reply(*, message, staff, approve, note="", now=None, request=None):
    """A reviewer approves the submitted reply (it is sent to the writer) or returns it."""
    now = now or timezone.now()
    note = _text(note, "note", "退回意见", max_length=500, required=not approve)
    with transaction.atomic():
        message = _lock(message)
        _require(roles.may_review(staff, message))
        _state(message, (Status.REVIEWING,), "这条留言没有待审核的答复。")
        reply = message.replies.get(state=ReplyState.SUBMITTED)
        if approve and reply.author_id == staff.pk and not staff.is_superuser:
            raise PermissionDenied("答复须由起草人以外的审核人审核。")
        reply.reviewer, reply.review_note = staff, note
        if approve:
            reply.state, reply.sent_at = ReplyState.SENT, now
            message.status, message.replied_at = Status.REPLIED, now
            _event(
                message, EventKind.REPLIED, at=now, actor=staff, from_department=reply.department
            )
        else:
            reply.state = ReplyState.RETURNED
            message.status = Status.HANDLING
            _event(message, EventKind.REPLY_RETURNED, at=now, actor=staff, note=note)
        reply.save()
        message.save()
        audit.record(
            action=events.REPLY_REVIEWED,
            actor=staff,
            obj=message,
            detail=_detail(message, reply=reply.pk, approved=bool(approve)),
            request=request,
        )
        if approve:
            _after_commit(notify.replied, message.pk)
    return reply


def add_comment(*, message, staff, note, now=None, request=None):
    now = now or timezone.now()
    note = _text(note, "note", "备注", max_length=1000)
    with transaction.atomic():
        message = _lock(message)
        _require(roles.of_department(staff, message) or roles.in_region(staff, message))
        _require(roles.is_staff_of_interaction(staff))
        event = _event(message, EventKind.COMMENTED, at=now, actor=staff, note=note)
        audit.record(
            action=events.COMMENTED,
            actor=staff,
            obj=message,
            detail=_detail(message, comment=event.pk),
            request=request,
        )
    return event


# --- the writer's side ---------------------------------------------------------------------


def rate(*, message, satisfaction, comment="", user=None, now=None, request=None):
    """The writer rates the answer (the view has checked it is the writer: logged in as
    them, or with the query code); the message is closed."""
    now = now or timezone.now()
    try:
        satisfaction = Satisfaction(int(satisfaction))
    except (TypeError, ValueError):
        raise ValidationError({"satisfaction": "请选择满意程度。"}) from None
    comment = _text(comment, "comment", "评价意见", max_length=500, required=False)
    with transaction.atomic():
        message = _lock(message)
        _state(message, (Status.REPLIED,), "这条留言现在不能评价。")
        message.satisfaction, message.rating_comment, message.rated_at = satisfaction, comment, now
        message.status, message.closed_at = Status.CLOSED, now
        message.save()
        _event(message, EventKind.RATED, at=now, actor=user, note=satisfaction.label)
        audit.record(
            action=events.RATED,
            actor=user,
            obj=message,
            detail=_detail(message, satisfaction=int(satisfaction)),
            request=request,
        )
    return message


def reopen(*, message, reason, user=None, now=None, request=None):
    """The writer is not satisfied: the message goes back to its department once, with a
    new clock, within ``REOPEN_DAYS`` of the reply."""
    now = now or timezone.now()
    reason = _text(reason, "reason", "重新办理的理由", max_length=1000)
    with transaction.atomic():
        message = _lock(message)
        _state(message, (Status.REPLIED, Status.CLOSED), "这条留言还没有答复，不能要求重新办理。")
        if message.reopen_count >= 1:
            raise StateError("每条留言只能要求重新办理一次。")
        if message.replied_at is None or now - message.replied_at > timedelta(days=REOPEN_DAYS):
            raise StateError(f"答复已超过 {REOPEN_DAYS} 天，不能再要求重新办理，请另写一封信。")
        message.reopen_count += 1
        message.status = Status.HANDLING if message.handler_id else Status.DISPATCHED
        message.closed_at = None
        message.satisfaction, message.rating_comment, message.rated_at = None, "", None
        message.extension_amount = 0
        _start_clock(message, now)
        message.followed_up_at = None
        message.save()
        _event(message, EventKind.REOPENED, at=now, actor=user, note=reason)
        audit.record(
            action=events.REOPENED,
            actor=user,
            obj=message,
            detail=_detail(message),
            request=request,
        )
        _after_commit(notify.to_department, message.pk, "reopened")
    return message


# --- dispatcher's other decisions ----------------------------------------------------------


def mark_invalid(*, message, staff, reason, now=None, request=None):
    """Not a real message (spam, abuse, a duplicate): closed without an answer, and left
    out of the reply figures."""
    now = now or timezone.now()
    reason = _text(reason, "reason", "无效原因", max_length=300)
    with transaction.atomic():
        message = _lock(message)
        _require(roles.may_dispatch(staff, message))
        _state(message, (Status.SUBMITTED, Status.DISPATCHED), "只有尚未办理的留言可以判定无效。")
        message.status, message.invalid_reason, message.closed_at = Status.INVALID, reason, now
        message.save()
        _event(message, EventKind.INVALIDATED, at=now, actor=staff, note=reason)
        audit.record(
            action=events.INVALIDATED,
            actor=staff,
            obj=message,
            detail=_detail(message),
            request=request,
        )
    return message


# --- publication ---------------------------------------------------------------------------


def _personal_names(message):
    return [message.writer_name, *person_names(message.title), *person_names(message.body)]


def public_texts(message):
    """Suggested public title, body and reply: personal data removed. A name found in the
    title or body (a signature, "我叫…") is masked in the reply too."""
    names = _personal_names(message)
    reply = message.replies.filter(state=ReplyState.SENT).order_by("-sent_at").first()
    return (
        redact(message.title, names=names),
        redact(message.body, names=names),
        redact(reply.text if reply else "", names=names),
    )


def publish(*, message, staff, title=None, body=None, reply=None, now=None, request=None):
    """Publish an answered message on its portal (the writer consented). The texts default
    to ``public_texts``; texts still holding a name, ID number, phone or e-mail are refused."""
    now = now or timezone.now()
    with transaction.atomic():
        message = _lock(message)
        _require(roles.may_review(staff, message) or roles.may_dispatch(staff, message))
        if not message.publish_consent:
            raise StateError("留言人没有同意公开，这条留言不能公开。")
        _state(message, (Status.REPLIED, Status.CLOSED), "只有已答复的留言可以公开。")
        suggested = public_texts(message)
        names = _personal_names(message)
        texts = {
            "public_title": _text(
                suggested[0] if title is None else title, "title", "公开标题", max_length=200
            ),
            "public_body": _text(
                suggested[1] if body is None else body, "body", "公开内容", max_length=MAX_BODY
            ),
            "public_reply": _text(
                suggested[2] if reply is None else reply, "reply", "公开答复", max_length=MAX_REPLY
            ),
        }
        for field, value in texts.items():
            if redact(value, names=names) != value:
                name = {"public_title": "title", "public_body": "body", "public_reply": "reply"}[
                    field
                ]
                raise ValidationError(
                    {name: "这段文字仍含有姓名、身份证号、电话或邮箱，请先删去。"}
                )
        for field, value in texts.items():
            setattr(message, field, value)
        message.is_published, message.published_at = True, message.published_at or now
        message.save()
        _event(message, EventKind.PUBLISHED, at=now, actor=staff)
        audit.record(
            action=events.PUBLISHED,
            actor=staff,
            obj=message,
            detail=_detail(message),
            request=request,
        )
    return message


def unpublish(*, message, staff, reason, now=None, request=None):
    now = now or timezone.now()
    reason = _text(reason, "reason", "撤销理由", max_length=300)
    with transaction.atomic():
        message = _lock(message)
        _require(roles.may_review(staff, message) or roles.may_dispatch(staff, message))
        message.is_published = False
        message.save()
        _event(message, EventKind.UNPUBLISHED, at=now, actor=staff, note=reason)
        audit.record(
            action=events.UNPUBLISHED,
            actor=staff,
            obj=message,
            detail=_detail(message),
            request=request,
        )
    return message


# --- the sweep (scheduled) ----------------------------------------------------------------


def _mark(message_pk, field, kind, now, note, notice):
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_pk).first()
        if message is None or getattr(message, field) is not None or not message.is_open:
            return False
        setattr(message, field, now)
        message.save(update_fields=[field, "updated_at"])
        _event(message, kind, at=now, note=note)
        if notice is not None:
            _after_commit(notice, message.pk, kind)
    return True


def sweep(*, now=None):
    """Warnings, overdue flags, reminders (the day after expiry), escalations (督办), the
    follow-up the day after closing, and closing replied messages nobody rated. Idempotent:
    each step happens once per message. Returns the counts."""
    now = now or timezone.now()
    counts = dict.fromkeys(
        [
            "recomputed",
            "warned",
            "overdue",
            "reminded",
            "escalated",
            "long_unanswered",
            "closed",
            "followed_up",
        ],
        0,
    )
    open_rows = Message.objects.filter(status__in=OPEN_STATUSES)
    # Clocks beyond the calendar when they started: try again.
    for message in open_rows.filter(due_at__isnull=True):
        _recompute_due(message)
        if message.due_at is not None:
            message.save(update_fields=["due_at", "warn_at", "due_is_provisional", "updated_at"])
            counts["recomputed"] += 1
    for pk in open_rows.filter(
        warned_at__isnull=True, warn_at__lte=now, due_at__gt=now
    ).values_list("pk", flat=True):
        counts["warned"] += _mark(
            pk, "warned_at", EventKind.WARNED, now, "答复期限将到", notify.to_department
        )
    for pk in open_rows.filter(overdue_at__isnull=True, due_at__lte=now).values_list(
        "pk", flat=True
    ):
        counts["overdue"] += _mark(
            pk, "overdue_at", EventKind.OVERDUE, now, "已超过答复期限", notify.to_department
        )
    today = deadlines.local(now).date()
    for message in open_rows.filter(reminded_at__isnull=True, due_at__lte=now).only("pk", "due_at"):
        # The reminder (催办) goes out the day after expiry.
        if deadlines.local(message.due_at - timedelta(microseconds=1)).date() < today:
            counts["reminded"] += _mark(
                message.pk, "reminded_at", EventKind.REMINDED, now, "超期催办", notify.to_department
            )
    for message in open_rows.filter(escalated_at__isnull=True, due_at__lte=now).only(
        "pk", "due_at", "submitted_at"
    ):
        try:
            late = workdays.working_days_between(
                deadlines.local(message.due_at - timedelta(microseconds=1)).date(), today
            ).days
        except workdays.OutsideCalendar:
            late = 0
        if late >= ESCALATE_AFTER_DAYS:
            counts["escalated"] += _mark(
                message.pk,
                "escalated_at",
                EventKind.ESCALATED,
                now,
                f"超期 {late} 个工作日，督办",
                notify.to_supervisors,
            )
    # However its deadline runs, no message may wait three months: escalated at 60 days.
    old = now - timedelta(days=LONG_UNANSWERED_DAYS)
    for pk in open_rows.filter(escalated_at__isnull=True, submitted_at__lte=old).values_list(
        "pk", flat=True
    ):
        counts["long_unanswered"] += _mark(
            pk,
            "escalated_at",
            EventKind.ESCALATED,
            now,
            f"提交已超过 {LONG_UNANSWERED_DAYS} 天仍未答复，督办",
            notify.to_supervisors,
        )
    # Replied and neither rated nor reopened for AUTO_CLOSE_DAYS: closed.
    stale = now - timedelta(days=AUTO_CLOSE_DAYS)
    for pk in Message.objects.filter(status=Status.REPLIED, replied_at__lte=stale).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            message = Message.objects.select_for_update().get(pk=pk)
            if message.status != Status.REPLIED:
                continue
            message.status, message.closed_at = Status.CLOSED, now
            message.save(update_fields=["status", "closed_at", "updated_at"])
            _event(
                message,
                EventKind.CLOSED,
                at=now,
                note=f"答复后 {AUTO_CLOSE_DAYS} 天未评价，自动办结",
            )
            audit.record(action=events.CLOSED, obj=message, detail=_detail(message, automatic=True))
            counts["closed"] += 1
    # The follow-up (回访) the day after closing: the writer is asked how it went.
    for message in Message.objects.filter(
        status=Status.CLOSED,
        followed_up_at__isnull=True,
        closed_at__isnull=False,
        satisfaction__isnull=True,
    ).only("pk", "closed_at"):
        if deadlines.local(message.closed_at).date() < today:
            with transaction.atomic():
                locked = Message.objects.select_for_update().get(pk=message.pk)
                if locked.followed_up_at is not None:
                    continue
                locked.followed_up_at = now
                locked.save(update_fields=["followed_up_at", "updated_at"])
                _event(locked, EventKind.FOLLOWED_UP, at=now, note="已请留言人评价答复")
                _after_commit(notify.follow_up, locked.pk)
                counts["followed_up"] += 1
    return counts


def recompute_open_deadlines():
    """After a calendar change: every open message's due date again."""
    changed = 0
    for message in Message.objects.filter(status__in=OPEN_STATUSES).iterator():
        before = (message.due_at, message.warn_at, message.due_is_provisional)
        _recompute_due(message)
        if (message.due_at, message.warn_at, message.due_is_provisional) != before:
            message.save(update_fields=["due_at", "warn_at", "due_is_provisional", "updated_at"])
            changed += 1
    return changed
