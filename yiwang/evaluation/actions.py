"""Every write of 好差评.

Rules for every function: keyword-only arguments; one transaction; an audit row
(``yiwang.core.audit.record``, names in ``events.py``) in it, as its last write; messages
(SMS, e-mail) in ``transaction.on_commit``. Bad input raises ``ValidationError`` with
Chinese messages (keyed by field where there is one); acting without the right raises
``PermissionDenied``; a step the current state does not allow raises ``StateError``.

The flows (docs/evaluation.md):
- ``rate_case``: the applicant rates a final case once (一事一评); ``rate_on_site``: a visitor
  rates on a device once per invitation (一次一评). A rating of 1 or 2 opens a
  ``Rectification`` due ``N`` working days later (``deadline_days_for(region)``).
- Rectification: open → followed up (``record_follow_up``) → rectified or explained
  (``record_outcome``) → closed on the applicant's confirmation (``confirm_as_applicant``,
  or ``record_confirmation`` by staff from a follow-up call), or escalated to the region's
  reviewers when the applicant is not satisfied or the deadline passes
  (``escalate_overdue``, from the hourly job); a reviewer closes an escalated one
  (``close_as_reviewer``).
- Appeal: the department's manager appeals a rating (``file_appeal``); a reviewer upholds
  it (the rating leaves every figure, its rectification ends as 申诉成立) or rejects it
  (``review_appeal``).
"""

import logging
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core import audit, workdays
from yiwang.core.sms import send_sms

from . import events, queries
from .constants import (
    AWAITING_CONFIRMATION,
    BAD_LEVELS,
    DEFAULT_RECTIFICATION_DAYS,
    FINISHED_STATES,
    INDICATORS,
    MAX_RECTIFICATION_DAYS,
    MIN_RECTIFICATION_DAYS,
    RATABLE_STATUSES,
    WORKING_STATES,
    AppealKind,
    AppealState,
    ClosedHow,
    EscalationReason,
    FollowUpMethod,
    InvitationState,
    Level,
    RatingChannel,
    RectificationState,
)
from .models import (
    Appeal,
    FollowUp,
    Rating,
    RatingDevice,
    RatingInvitation,
    RatingReminder,
    Rectification,
    RegionSetting,
)

logger = logging.getLogger(__name__)

MAX_COMMENT_LENGTH = 500
MAX_TEXT_LENGTH = 2000
# A visitor has this long to rate on the device after staff pressed the button.
INVITATION_MINUTES = 10
# Reminders go to cases final at least a day ago, looking back this far (older cases are
# not reminded when the job was down for longer).
REMINDER_DELAY = timedelta(days=1)
REMINDER_WINDOW = timedelta(days=30)
REMINDER_BATCH = 1000
SIGNATURE = "【一网通办】"
RATING_PATH = "/pingjia/cases/{number}/"


class StateError(Exception):
    """The rating, rectification or appeal is not in a state that allows this (Chinese)."""


# --- helpers ---------------------------------------------------------------------------------


def _authenticated(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def _text(value, field, message, *, required=True, max_length=MAX_TEXT_LENGTH):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message})
    if len(value) > max_length:
        raise ValidationError({field: f"内容过长：最多 {max_length} 个字。"})
    return value


def _level(value, field="level", label="总体评价"):
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise ValidationError({field: f"请为“{label}”选择 1–5 分。"})
    return level


def _indicators(channel, values):
    """Every indicator of ``channel``, each 1–5."""
    values = values or {}
    clean = {}
    for code, label in INDICATORS[channel]:
        clean[code] = _level(values.get(code), field=f"indicator_{code}", label=label)
    return clean


def _check_department(staff, department_id, message, *, role=None):
    """``staff`` has ``role`` (default: 好差评管理员) and belongs to the department (a
    superuser: any department); else ``PermissionDenied(message)``."""
    if not (role or queries.is_manager)(staff) or not (
        staff.is_superuser or staff.department_id == department_id
    ):
        raise PermissionDenied(message)


def _check_reviewer(reviewer, region_id, message):
    """``reviewer`` is a 好差评复核人员 covering ``region_id``; else ``PermissionDenied``."""
    if not queries.is_reviewer(reviewer) or not queries.may_review_region(reviewer, region_id):
        raise PermissionDenied(message)


def _after_commit(func, *args, **kwargs):
    def run():
        try:
            func(*args, **kwargs)
        except Exception:
            logger.exception("好差评消息发送失败：%s", getattr(func, "__name__", func))

    transaction.on_commit(run)


def _rectification_detail(rectification, **extra):
    return {
        "rating": rectification.rating_id,
        "state": rectification.state,
        "deadline": rectification.deadline.isoformat(),
        **extra,
    }


# --- local rules -----------------------------------------------------------------------------


def deadline_days_for(region):
    """The rectification deadline in working days for ``region``: the nearest region up the
    tree with a ``RegionSetting``, else the national default (5)."""
    chain = [region, *reversed(region.ancestors())] if region is not None else []
    settings = {
        s.region_id: s.rectification_days
        for s in RegionSetting.objects.filter(region__in=[r.pk for r in chain])
    }
    for candidate in chain:
        if candidate.pk in settings:
            return settings[candidate.pk]
    return DEFAULT_RECTIFICATION_DAYS


def set_rectification_days(*, region, days, actor, request=None):
    """Set ``region``'s deadline (5–15 working days). Superusers only. Rectifications
    already open keep theirs."""
    if not (_authenticated(actor) and actor.is_superuser):
        raise PermissionDenied("只有系统管理员可以设置整改期限。")
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not MIN_RECTIFICATION_DAYS <= days <= MAX_RECTIFICATION_DAYS:
        raise ValidationError(
            {"days": f"整改期限应为 {MIN_RECTIFICATION_DAYS}–{MAX_RECTIFICATION_DAYS} 个工作日。"}
        )
    with transaction.atomic():
        setting, _ = RegionSetting.objects.update_or_create(
            region=region, defaults={"rectification_days": days}
        )
        audit.record(
            action=events.REGION_SETTING_CHANGED,
            actor=actor,
            obj=setting,
            detail={"region": region.code, "days": days},
            request=request,
        )
    return setting


# --- rating ----------------------------------------------------------------------------------


def _open_rectification(rating):
    days = deadline_days_for(rating.region)
    deadline = workdays.add_working_days(rating.rated_on, days)
    rectification = Rectification.objects.create(
        rating=rating,
        department_id=rating.department_id,
        region_id=rating.region_id,
        opened_on=rating.rated_on,
        deadline_days=days,
        deadline=deadline.date,
        deadline_provisional=deadline.provisional,
    )
    audit.record(
        action=events.RECTIFICATION_OPENED,
        obj=rectification,
        detail=_rectification_detail(rectification, days=days),
    )
    return rectification


def _rating_input(channel, level, indicators, comment):
    """The cleaned level, indicators of ``channel`` and comment of a rating."""
    return (
        _level(level),
        _indicators(channel, indicators),
        _text(comment, "comment", "", required=False, max_length=MAX_COMMENT_LENGTH),
    )


def _insert_rating(*, now, level, indicators, comment, publish_comment, duplicate, **fields):
    """Insert the rating (``fields``: whose, where, which channel) rated at ``now``; a level
    of 1 or 2 opens its rectification. The comment is published only when there is one.
    Raises ``StateError(duplicate)`` when a partial unique constraint finds it rated
    already (a double POST)."""
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                **fields,
                level=level,
                indicators=indicators,
                comment=comment,
                publish_comment=bool(publish_comment) and bool(comment),
                rated_at=now,
                rated_on=timezone.localdate(now),
            )
    except IntegrityError as exc:
        raise StateError(duplicate) from exc
    if level in BAD_LEVELS:
        _open_rectification(rating)
    return rating


def _lock_case(pk):
    from yiwang.hall.models import Case

    return Case.objects.select_for_update().get(pk=pk)


def rate_case(
    *,
    case,
    user,
    level,
    indicators,
    comment="",
    publish_comment=False,
    legal_person=None,
    request=None,
):
    """The applicant rates ``case`` (一事一评): once, when it is final with a result
    (``RATABLE_STATUSES``). ``indicators``: ``{code: 1–5}`` for every online indicator.
    A level of 1 or 2 opens a rectification. Raises ``PermissionDenied`` (not the
    applicant), ``StateError`` (not final, or already rated — also under a double POST:
    the case row is locked and a partial unique constraint guards the last step),
    ``ValidationError``."""
    from yiwang.hall.queries import is_applicant

    if not _authenticated(user):
        raise PermissionDenied("请先登录。")
    level, indicators, comment = _rating_input(RatingChannel.ONLINE, level, indicators, comment)
    with transaction.atomic():
        locked = _lock_case(case.pk)
        if not is_applicant(user, locked, legal_person=legal_person):
            raise PermissionDenied("你不是该办件的申请人，不能评价。")
        if locked.status not in RATABLE_STATUSES:
            raise StateError("办件办结后才能评价。")
        if Rating.objects.filter(case=locked, channel=RatingChannel.ONLINE).exists():
            raise StateError("该办件已评价，不能重复评价。")
        rating = _insert_rating(
            now=timezone.now(),
            level=level,
            indicators=indicators,
            comment=comment,
            publish_comment=publish_comment,
            duplicate="该办件已评价，不能重复评价。",
            channel=RatingChannel.ONLINE,
            case=locked,
            department_id=locked.department_id,
            region_id=locked.region_id,
            item_name=locked.item_name,
            rater=user,
            rater_name=(user.display_name or locked.applicant_name or "")[:100],
            real_name=True,
        )
        audit.record(
            action=events.RATED,
            actor=user,
            obj=rating,
            detail={"case": locked.number, "level": level, "channel": rating.channel},
            request=request,
        )
    return rating


# --- rectification ---------------------------------------------------------------------------


def _lock_rectification(pk):
    return Rectification.objects.select_for_update().select_related("rating").get(pk=pk)


def _check_handler(staff, rectification):
    if not queries.may_handle_rectification(staff, rectification):
        raise PermissionDenied("只有责任部门的好差评管理员可以办理差评整改。")


def record_follow_up(
    *, rectification, staff, contacted_at, method, contact_person, applicant_said, request=None
):
    """Record a follow-up contact (回访): when, how, who called, what the applicant said.
    An open rectification becomes 已回访. Not after it is finished."""
    _check_handler(staff, rectification)
    if method not in FollowUpMethod.values:
        raise ValidationError({"method": "请选择回访方式。"})
    contact_person = _text(contact_person, "contact_person", "请填写回访人。", max_length=100)
    applicant_said = _text(applicant_said, "applicant_said", "请记录申请人反映的情况。")
    if contacted_at is None:
        raise ValidationError({"contacted_at": "请填写回访时间。"})
    if contacted_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"contacted_at": "回访时间不能晚于现在。"})
    with transaction.atomic():
        locked = _lock_rectification(rectification.pk)
        if locked.state in FINISHED_STATES:
            raise StateError("该差评整改已办结，不能再登记回访。")
        follow_up = FollowUp.objects.create(
            rectification=locked,
            contacted_at=contacted_at,
            method=method,
            contact_person=contact_person,
            applicant_said=applicant_said,
            recorded_by=staff,
        )
        if locked.state == RectificationState.OPEN:
            locked.state = RectificationState.FOLLOWED_UP
            locked.save(update_fields=["state", "updated_at"])
        audit.record(
            action=events.FOLLOW_UP_RECORDED,
            actor=staff,
            obj=locked,
            detail=_rectification_detail(locked, method=method),
            request=request,
        )
    return follow_up


def record_outcome(*, rectification, staff, kind, text, request=None):
    """The department rectified (``kind`` "rectified") or explained ("explained") with
    ``text``; the applicant is asked to confirm. A real-name rating needs a follow-up first.
    Only while the department owes work (open, followed up)."""
    _check_handler(staff, rectification)
    states = {"rectified": RectificationState.RECTIFIED, "explained": RectificationState.EXPLAINED}
    if kind not in states:
        raise ValidationError({"kind": "请选择“已整改”或“情况说明”。"})
    text = _text(text, "text", "请填写整改情况或情况说明。")
    with transaction.atomic():
        locked = _lock_rectification(rectification.pk)
        if locked.state not in WORKING_STATES:
            raise StateError(f"当前状态为“{locked.get_state_display()}”，不能登记整改结果。")
        if locked.rating.real_name and not locked.follow_ups.exists():
            raise StateError("实名差评须先回访申请人，再登记整改结果。")
        locked.state = states[kind]
        locked.outcome = text
        locked.outcome_at = timezone.now()
        locked.outcome_by = staff
        locked.save(update_fields=["state", "outcome", "outcome_at", "outcome_by", "updated_at"])
        audit.record(
            action=events.OUTCOME_RECORDED,
            actor=staff,
            obj=locked,
            detail=_rectification_detail(locked, kind=kind),
            request=request,
        )
        _after_commit(_tell_applicant_outcome, locked.pk)
    _copy(rectification, locked)
    return locked


def _tell_applicant_outcome(pk):
    rectification = Rectification.objects.select_related("rating__case").get(pk=pk)
    case = rectification.rating.case
    if case is None or not case.applicant_mobile:
        return
    send_sms(
        mobile=case.applicant_mobile,
        text=(
            f"{SIGNATURE}您对“{case.item_name}”（办件编号 {case.number}）的评价已由部门"
            f"{'整改' if rectification.state == RectificationState.RECTIFIED else '作出说明'}，"
            f"请登录确认是否满意：{RATING_PATH.format(number=case.number)}"
        ),
    )


def _copy(target, source):
    if target is not None and target is not source:
        for f in source._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))


def _close(rectification, *, how, by, at, note=None, state=RectificationState.CLOSED):
    """Mark ``rectification`` closed (``how``, by whom, when, optionally a closing note);
    returns the fields set, for the caller's ``save(update_fields=...)``."""
    rectification.state = state
    rectification.closed_how = how
    rectification.closed_at = at
    rectification.closed_by = by
    fields = ["state", "closed_how", "closed_at", "closed_by", "updated_at"]
    if note is not None:
        rectification.closing_note = note
        fields.append("closing_note")
    return fields


def _confirm(locked, *, satisfied, feedback, actor, how, request):
    if locked.state not in AWAITING_CONFIRMATION:
        raise StateError(f"当前状态为“{locked.get_state_display()}”，无需确认。")
    now = timezone.now()
    locked.applicant_feedback = feedback
    fields = ["applicant_feedback"]
    if satisfied:
        fields += _close(locked, how=how, by=actor, at=now)
    else:
        locked.state = RectificationState.ESCALATED
        locked.escalation_reason = EscalationReason.NOT_SATISFIED
        locked.escalated_at = now
        fields += ["state", "escalation_reason", "escalated_at", "updated_at"]
    locked.save(update_fields=fields)
    audit.record(
        action=events.CONFIRMED if satisfied else events.ESCALATED,
        actor=actor,
        obj=locked,
        detail=_rectification_detail(locked, satisfied=bool(satisfied), how=str(how)),
        request=request,
    )
    if not satisfied:
        _after_commit(_tell_reviewers, locked.pk)


def confirm_as_applicant(*, rectification, user, satisfied, feedback="", request=None):
    """The applicant (the rating's author) says whether the rectification satisfies them:
    closed, or escalated to the region's reviewers."""
    if not _authenticated(user):
        raise PermissionDenied("请先登录。")
    feedback = _text(feedback, "feedback", "", required=False)
    if not satisfied and not feedback:
        raise ValidationError({"feedback": "请说明不满意的原因。"})
    with transaction.atomic():
        locked = _lock_rectification(rectification.pk)
        if locked.rating.rater_id != user.pk:
            raise PermissionDenied("只有评价人本人可以确认整改结果。")
        _confirm(
            locked,
            satisfied=satisfied,
            feedback=feedback,
            actor=user,
            how=ClosedHow.APPLICANT_ONLINE,
            request=request,
        )
    _copy(rectification, locked)
    return locked


def record_confirmation(*, rectification, staff, satisfied, feedback, request=None):
    """Staff record what the applicant said on a follow-up call about the outcome
    (``feedback`` required): closed or escalated."""
    _check_handler(staff, rectification)
    feedback = _text(feedback, "feedback", "请记录申请人的意见。")
    with transaction.atomic():
        locked = _lock_rectification(rectification.pk)
        _confirm(
            locked,
            satisfied=satisfied,
            feedback=feedback,
            actor=staff,
            how=ClosedHow.STAFF_RECORDED,
            request=request,
        )
    _copy(rectification, locked)
    return locked


def escalate_overdue(*, today=None):
    """Flag and escalate the rectifications whose deadline has passed while the department
    still owed work (open, followed up). Reads only those (index on state and deadline).
    Returns how many were escalated."""
    today = today or timezone.localdate()
    due = list(
        Rectification.objects.filter(state__in=WORKING_STATES, deadline__lt=today)
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )
    escalated = 0
    for pk in due:
        with transaction.atomic():
            locked = _lock_rectification(pk)
            if locked.state not in WORKING_STATES or locked.deadline >= today:
                continue
            now = timezone.now()
            locked.state = RectificationState.ESCALATED
            locked.overdue = True
            locked.overdue_flagged_at = now
            locked.escalation_reason = EscalationReason.OVERDUE
            locked.escalated_at = now
            locked.save(
                update_fields=[
                    "state",
                    "overdue",
                    "overdue_flagged_at",
                    "escalation_reason",
                    "escalated_at",
                    "updated_at",
                ]
            )
            audit.record(
                action=events.ESCALATED,
                obj=locked,
                detail=_rectification_detail(locked, reason=EscalationReason.OVERDUE.value),
            )
            _after_commit(_tell_reviewers, locked.pk)
            escalated += 1
    return escalated


def _tell_reviewers(pk):
    from django.contrib.auth import get_user_model

    from yiwang.supervision.roles import region_prefix

    from .constants import REVIEWER_GROUP

    rectification = Rectification.objects.select_related("region", "department").get(pk=pk)
    # Reviewers whose department's region covers the rectification's region.
    region = rectification.region
    chain = [region, *region.ancestors()]
    users = get_user_model().objects.filter(
        groups__name=REVIEWER_GROUP, is_active=True, department__region__in=chain
    )
    recipients = [
        u.email
        for u in users
        if u.email and region.code.startswith(region_prefix(u.department.region))
    ]
    if recipients:
        send_mail(
            f"{SIGNATURE}差评整改待复核：{rectification.department}",
            f"{rectification.department}的差评整改（编号 {rectification.pk}）"
            f"{rectification.get_escalation_reason_display()}，已提交复核，请登录后台处理。",
            None,
            recipients,
        )


def close_as_reviewer(*, rectification, reviewer, note, request=None):
    """A reviewer of the region closes an escalated rectification with their finding."""
    _check_reviewer(
        reviewer, rectification.region_id, "只有本区划的好差评复核人员可以办结升级的差评整改。"
    )
    note = _text(note, "note", "请填写复核办结意见。")
    with transaction.atomic():
        locked = _lock_rectification(rectification.pk)
        if locked.state != RectificationState.ESCALATED:
            raise StateError("只有已提交复核的差评整改可以由复核人员办结。")
        locked.save(
            update_fields=_close(
                locked, how=ClosedHow.REVIEWER, by=reviewer, at=timezone.now(), note=note
            )
        )
        audit.record(
            action=events.REVIEWER_CLOSED,
            actor=reviewer,
            obj=locked,
            detail=_rectification_detail(locked),
            request=request,
        )
    _copy(rectification, locked)
    return locked


def recompute_deadlines(*, start=None, end=None):
    """After a change of the working-day calendar: recompute the deadlines of the
    rectifications still owed (open, followed up) that count a day from ``start`` on."""
    workdays.ensure_current()
    pending = Rectification.objects.filter(state__in=WORKING_STATES)
    if end is not None:
        pending = pending.filter(opened_on__lte=end)
    if start is not None:
        pending = pending.filter(deadline__gte=start)
    changed = 0
    for rectification in pending:
        deadline = workdays.add_working_days(rectification.opened_on, rectification.deadline_days)
        if (deadline.date, deadline.provisional) == (
            rectification.deadline,
            rectification.deadline_provisional,
        ):
            continue
        with transaction.atomic():
            old = rectification.deadline
            rectification.deadline = deadline.date
            rectification.deadline_provisional = deadline.provisional
            rectification.save(update_fields=["deadline", "deadline_provisional", "updated_at"])
            audit.record(
                action=events.DEADLINES_RECOMPUTED,
                obj=rectification,
                detail=_rectification_detail(rectification, previous=old.isoformat()),
            )
        changed += 1
    return changed


# --- appeals ---------------------------------------------------------------------------------


def file_appeal(*, rating, staff, kind, reason, request=None):
    """The rated department's 好差评管理员 appeals ``rating`` as wrong or malicious. Once per
    rating."""
    _check_department(staff, rating.department_id, "只有被评价部门的好差评管理员可以申诉。")
    if kind not in AppealKind.values:
        raise ValidationError({"kind": "请选择申诉类型。"})
    reason = _text(reason, "reason", "请填写申诉理由。")
    with transaction.atomic():
        locked = Rating.objects.select_for_update().get(pk=rating.pk)
        if locked.excluded:
            raise StateError("该评价已被剔除。")
        if Appeal.objects.filter(rating=locked).exists():
            raise StateError("该评价已申诉过，不能重复申诉。")
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(
                    rating=locked,
                    department_id=locked.department_id,
                    region_id=locked.region_id,
                    kind=kind,
                    reason=reason,
                    filed_by=staff,
                    filed_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise StateError("该评价已申诉过，不能重复申诉。") from exc
        audit.record(
            action=events.APPEAL_FILED,
            actor=staff,
            obj=appeal,
            detail={"rating": locked.pk, "kind": kind},
            request=request,
        )
    return appeal


def review_appeal(*, appeal, reviewer, upheld, note, request=None):
    """A reviewer of the appeal's region (not its filer) decides. Upheld: the rating is
    excluded from every figure and its rectification, unless already closed, ends as
    申诉成立. Rejected: nothing else changes."""
    _check_reviewer(reviewer, appeal.region_id, "只有本区划的好差评复核人员可以复核申诉。")
    if appeal.filed_by_id == reviewer.pk:
        raise PermissionDenied("申诉人不能复核自己的申诉。")
    note = _text(note, "note", "请填写复核意见。")
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if locked.state != AppealState.PENDING:
            raise StateError("该申诉已复核。")
        now = timezone.now()
        locked.state = AppealState.UPHELD if upheld else AppealState.REJECTED
        locked.reviewed_by = reviewer
        locked.reviewed_at = now
        locked.review_note = note
        locked.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
        if upheld:
            Rating.objects.filter(pk=locked.rating_id).update(excluded=True)
            rectification = (
                Rectification.objects.select_for_update().filter(rating_id=locked.rating_id).first()
            )
            if rectification is not None and rectification.state != RectificationState.CLOSED:
                rectification.save(
                    update_fields=_close(
                        rectification,
                        how=ClosedHow.APPEAL_UPHELD,
                        by=reviewer,
                        at=now,
                        note=note,
                        state=RectificationState.APPEAL_UPHELD,
                    )
                )
        audit.record(
            action=events.APPEAL_REVIEWED,
            actor=reviewer,
            obj=locked,
            detail={"rating": locked.rating_id, "upheld": bool(upheld)},
            request=request,
        )
    _copy(appeal, locked)
    return locked


# --- reminders -------------------------------------------------------------------------------


def reminder_candidates(*, now=None):
    """Cases final with a result at least a day ago (within ``REMINDER_WINDOW``), with an
    applicant account or legal person (they rate after logging in), not rated online, not
    reminded yet."""
    from django.db.models import Q

    from yiwang.hall.models import Case

    now = now or timezone.now()
    return (
        Case.objects.filter(
            status__in=RATABLE_STATUSES,
            completed_at__lte=now - REMINDER_DELAY,
            completed_at__gte=now - REMINDER_WINDOW,
        )
        .filter(Q(applicant__isnull=False) | Q(legal_person__isnull=False))
        .exclude(rating_reminder__isnull=False)
        .exclude(ratings__channel=RatingChannel.ONLINE)
    )


def send_reminders(*, now=None, limit=REMINDER_BATCH):
    """One reminder per unrated case (SMS to ``applicant_mobile``, e-mail when set), at
    most ``limit`` per run. The ``RatingReminder`` row is inserted first, in the same
    transaction as the audit row: a second worker's insert fails on the unique case and
    sends nothing. Returns how many cases were reminded."""
    now = now or timezone.now()
    pks = list(reminder_candidates(now=now).order_by("completed_at", "pk")[:limit].values_list(
        "pk", flat=True
    ))  # fmt: skip
    from yiwang.hall.models import Case

    sent = 0
    for case in Case.objects.filter(pk__in=pks).order_by("completed_at", "pk"):
        mobile = (case.applicant_mobile or "").strip()
        email = (case.applicant_email or "").strip()
        try:
            with transaction.atomic():
                RatingReminder.objects.create(
                    case=case, sent_at=now, by_sms=bool(mobile), by_email=bool(email)
                )
                audit.record(
                    action=events.REMINDER_SENT,
                    obj=case,
                    detail={"number": case.number, "sms": bool(mobile), "email": bool(email)},
                )
                _after_commit(_send_reminder, case.number, case.item_name, mobile, email)
        except IntegrityError:
            continue
        sent += 1
    return sent


def _send_reminder(number, item_name, mobile, email):
    text = (
        f"{SIGNATURE}您办理的“{item_name}”（办件编号 {number}）已办结，欢迎对本次服务作出评价，"
        f"您的意见将帮助我们改进工作：{RATING_PATH.format(number=number)}"
    )
    if mobile:
        send_sms(mobile=mobile, text=text)
    if email:
        send_mail(f"{SIGNATURE}请评价本次服务（{number}）", text, None, [email])


# --- on-site rating (一次一评) ------------------------------------------------------------------


def _device_key():
    """The random key in a device's URL."""
    return secrets.token_urlsafe(24)


def register_device(*, department, name, staff, centre=None, window="", request=None):
    """Register a rating tablet for ``department`` (its manager, or a superuser). The
    device's URL carries a fresh random key."""
    _check_department(staff, department.pk, "只有本部门的好差评管理员可以登记评价设备。")
    name = _text(name, "name", "请填写设备名称。", max_length=100)
    window = _text(window, "window", "", required=False, max_length=50)
    with transaction.atomic():
        device = RatingDevice.objects.create(
            department=department,
            name=name,
            centre=centre,
            window=window,
            key=_device_key(),
            created_by=staff,
        )
        audit.record(
            action=events.DEVICE_REGISTERED,
            actor=staff,
            obj=device,
            detail={"department": department.pk, "window": window},
            request=request,
        )
    return device


def set_device_active(*, device, staff, active, new_key=False, request=None):
    """Switch a device off or on; ``new_key`` replaces its key (the old URL stops working)."""
    _check_department(staff, device.department_id, "只有本部门的好差评管理员可以管理评价设备。")
    with transaction.atomic():
        locked = RatingDevice.objects.select_for_update().get(pk=device.pk)
        locked.active = bool(active)
        fields = ["active"]
        if new_key:
            locked.key = _device_key()
            fields.append("key")
        locked.save(update_fields=fields)
        audit.record(
            action=events.DEVICE_CHANGED,
            actor=staff,
            obj=locked,
            detail={"active": locked.active, "new_key": bool(new_key)},
            request=request,
        )
    _copy(device, locked)
    return locked


def invite(*, device, staff, case_number="", request=None):
    """Counter staff ask the visitor to rate on ``device`` (请办事人评价), optionally for a
    case of the device's department. Earlier waiting invitations of the device are
    cancelled. The invitation lasts ``INVITATION_MINUTES``."""
    from yiwang.hall.models import Case

    _check_department(
        staff, device.department_id, "只能使用本部门的评价设备。", role=queries.is_counter_staff
    )
    if not device.active:
        raise StateError("该评价设备已停用。")
    case = None
    case_number = "".join((case_number or "").split())
    if case_number:
        case = Case.objects.filter(number=case_number, department_id=device.department_id).first()
        if case is None:
            raise ValidationError({"case_number": "未找到本部门的该办件，请核对办件编号。"})
    now = timezone.now()
    with transaction.atomic():
        RatingInvitation.objects.select_for_update().filter(
            device=device, state=InvitationState.WAITING
        ).update(state=InvitationState.CANCELLED)
        invitation = RatingInvitation.objects.create(
            device=device,
            department_id=device.department_id,
            staff=staff,
            case=case,
            created_at=now,
            expires_at=now + timedelta(minutes=INVITATION_MINUTES),
        )
        audit.record(
            action=events.INVITED,
            actor=staff,
            obj=invitation,
            detail={"device": device.pk, "case": case.number if case else ""},
            request=request,
        )
    return invitation


def waiting_invitation(device, *, now=None):
    now = now or timezone.now()
    return (
        RatingInvitation.objects.filter(
            device=device, state=InvitationState.WAITING, expires_at__gt=now
        )
        .select_related("case", "staff")
        .order_by("-created_at", "-pk")
        .first()
    )


def rate_on_site(
    *, device, invitation_id, level, indicators, comment="", publish_comment=False, request=None
):
    """The visitor rates on the device (一次一评): once per invitation, while it waits. The
    rating carries the channel on-site, the staff member, the department (and the case when
    staff named one). A level of 1 or 2 opens a rectification."""
    level, indicators, comment = _rating_input(RatingChannel.ON_SITE, level, indicators, comment)
    if not device.active:
        raise StateError("该评价设备已停用。")
    with transaction.atomic():
        invitation = (
            RatingInvitation.objects.select_for_update()
            .filter(pk=invitation_id, device=device)
            .first()
        )
        if invitation is None or invitation.state != InvitationState.WAITING:
            raise StateError("本次评价已结束，请等待工作人员再次发起评价。")
        now = timezone.now()
        if invitation.expires_at <= now:
            raise StateError("评价邀请已过期，请等待工作人员再次发起评价。")
        case = invitation.case
        region_id = case.region_id if case else device.department.region_id
        rating = _insert_rating(
            now=now,
            level=level,
            indicators=indicators,
            comment=comment,
            publish_comment=publish_comment,
            duplicate="本次评价已提交，不能重复评价。",
            channel=RatingChannel.ON_SITE,
            case=case,
            invitation=invitation,
            device=device,
            staff_id=invitation.staff_id,
            department_id=invitation.department_id,
            region_id=region_id,
            item_name=case.item_name if case else "",
            rater=case.applicant if case else None,
            rater_name=(case.applicant_name if case else "")[:100],
            real_name=bool(case and case.applicant_id),
        )
        invitation.state = InvitationState.RATED
        invitation.save(update_fields=["state"])
        audit.record(
            action=events.RATED_ON_SITE,
            obj=rating,
            detail={"device": device.pk, "level": level, "invitation": invitation.pk},
            request=request,
        )
    return rating
