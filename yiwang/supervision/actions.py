"""Every write of supervision by a person (the sweep writes in ``sweep.py``).

Keyword-only arguments; one transaction each with an audit row (``yiwang.core.audit``,
names in ``events.py``); messages after commit. Bad input raises ``ValidationError``
(Chinese, keyed by field); acting without the right raises ``PermissionDenied``; a memo
already answered or an anomaly already handled raises ``TransitionError``.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from yiwang.core import audit, workdays
from yiwang.core.sms import send_sms

from . import events
from .constants import (
    DEFAULT_MEMO_ANSWER_DAYS,
    RULES,
    AnomalyStatus,
    ClockScope,
    MemoStatus,
    RuleCode,
)
from .models import (
    Anomaly,
    AnomalyRule,
    EscalationNotice,
    SupervisionMemo,
    WarningThreshold,
    WatchedClock,
)
from .roles import department_heads, is_department_head, is_regional_supervisor, scope_for

logger = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_ANSWER_DAYS = 30


class TransitionError(Exception):
    """The memo or anomaly is not in a state that allows this (message in Chinese)."""


def _active(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def _text(value, field, message, *, required=True):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: f"内容过长，请控制在 {MAX_TEXT} 字以内。"})
    return value


def _after_commit(func, *args):
    def run():
        try:
            func(*args)
        except Exception:
            logger.exception("supervision side effect %s failed", func.__name__)

    transaction.on_commit(run)


def may_send_memo(user, case):
    """Regional supervisors (their region and below) and superusers write 督办 memos."""
    if not _active(user):
        return False
    if not (user.is_superuser or is_regional_supervisor(user)):
        return False
    return scope_for(user).covers(department_id=case.department_id, region_id=case.region_id)


def memo_departments(case):
    """The departments a memo about ``case`` may go to: its lead and those with a step."""
    from yiwang.orgs.models import Department

    ids = {case.department_id} | set(case.tasks.values_list("department_id", flat=True))
    return Department.objects.filter(pk__in=ids).order_by("name")


def _message_heads(department_id, text, subject):
    from yiwang.orgs.models import Department

    for head in department_heads(Department(pk=department_id)):
        if head.mobile:
            try:
                send_sms(mobile=head.mobile, text=text)
            except Exception:
                logger.exception("督办短信未能发送给 %s", head.pk)
        if head.email:
            try:
                send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [head.email])
            except Exception:
                logger.exception("督办邮件未能发送给 %s", head.pk)


def send_memo(
    *,
    case,
    author,
    text,
    department=None,
    answer_days=DEFAULT_MEMO_ANSWER_DAYS,
    request=None,
):
    """A 督办 memo about ``case`` to ``department`` (default: the case's lead department),
    to be answered within ``answer_days`` working days (default 3). The department's heads
    get an SMS and an e-mail after commit. Raises ``PermissionDenied`` unless ``author`` is a
    regional supervisor covering the case (or a superuser)."""
    if not may_send_memo(author, case):
        raise PermissionDenied("只有负责该区划的效能监察人员可以督办此办件。")
    text = _text(text, "text", "请填写督办事项。")
    try:
        answer_days = int(answer_days)
    except (TypeError, ValueError):
        raise ValidationError({"answer_days": "答复期限应为整数个工作日。"}) from None
    if not 1 <= answer_days <= MAX_ANSWER_DAYS:
        raise ValidationError({"answer_days": f"答复期限应为 1 至 {MAX_ANSWER_DAYS} 个工作日。"})
    allowed = memo_departments(case)
    if department is None:
        department = case.department
    elif not allowed.filter(pk=department.pk).exists():
        raise ValidationError({"department": "只能督办该办件的牵头部门或办理环节所在部门。"})
    today = timezone.localdate()
    due = workdays.add_working_days(today, answer_days).date
    with transaction.atomic():
        memo = SupervisionMemo.objects.create(
            case=case,
            department=department,
            region_id=case.region_id,
            text=text,
            created_at=timezone.now(),
            created_by=author,
            answer_due=due,
        )
        audit.record(
            action=events.MEMO_SENT,
            actor=author,
            obj=memo,
            detail={
                "case": case.number or str(case.pk),
                "department": department.pk,
                "answer_due": due.isoformat(),
            },
            request=request,
        )
        message = (
            f"【电子监察】督办：办件 {case.number or case.pk}（{case.item_name}）——"
            f"{text[:60]}。请于 {due:%Y-%m-%d} 前在后台“电子监察”答复。"
        )
        _after_commit(_message_heads, department.pk, message, "【电子监察】督办通知")
    return memo


def may_answer(user, memo):
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return is_department_head(user) and user.department_id == memo.department_id


def answer_memo(*, memo, user, answer, request=None):
    """The department head's answer to an open memo. Raises ``PermissionDenied`` for anyone
    but the heads of the memo's department (and superusers), ``TransitionError`` when it was
    answered already."""
    if not may_answer(user, memo):
        raise PermissionDenied("只有被督办部门的负责人可以答复督办。")
    answer = _text(answer, "answer", "请填写答复内容（办理情况、原因和整改措施）。")
    with transaction.atomic():
        locked = SupervisionMemo.objects.select_for_update().get(pk=memo.pk)
        if locked.status != MemoStatus.OPEN:
            raise TransitionError("该督办已经答复。")
        now = timezone.now()
        locked.status = MemoStatus.ANSWERED
        locked.answer = answer
        locked.answered_at = now
        locked.answered_by = user
        locked.save(update_fields=["status", "answer", "answered_at", "answered_by"])
        audit.record(
            action=events.MEMO_ANSWERED,
            actor=user,
            obj=locked,
            detail={
                "case": locked.case_id,
                "late": timezone.localdate(now) > locked.answer_due,
            },
            request=request,
        )
    for name in ("status", "answer", "answered_at", "answered_by_id"):
        setattr(memo, name, getattr(locked, name))
    return memo


def may_handle_anomaly(user, anomaly):
    return _active(user) and scope_for(user).covers(
        department_id=anomaly.department_id, region_id=anomaly.region_id
    )


def handle_anomaly(*, anomaly, user, status, note="", request=None):
    """Confirm an anomaly or dismiss it (a note required to dismiss). Raises
    ``PermissionDenied`` for anyone whose scope does not cover it, ``TransitionError`` when
    it was handled already."""
    if not may_handle_anomaly(user, anomaly):
        raise PermissionDenied("你无权核查该异常。")
    if status not in (AnomalyStatus.CONFIRMED, AnomalyStatus.DISMISSED):
        raise ValidationError({"status": "请选择确认异常或排除。"})
    note = _text(
        note,
        "note",
        "排除异常时请说明理由。",
        required=status == AnomalyStatus.DISMISSED,
    )
    with transaction.atomic():
        locked = Anomaly.objects.select_for_update().get(pk=anomaly.pk)
        if locked.status != AnomalyStatus.OPEN:
            raise TransitionError("该异常已经核查。")
        locked.status = status
        locked.note = note
        locked.handled_at = timezone.now()
        locked.handled_by = user
        locked.save(update_fields=["status", "note", "handled_at", "handled_by"])
        audit.record(
            action=events.ANOMALY_HANDLED,
            actor=user,
            obj=locked,
            detail={"status": status, "rule": locked.rule_id, "case": locked.case_id},
            request=request,
        )
    anomaly.status, anomaly.note = locked.status, locked.note
    return anomaly


def may_configure(user):
    return _active(user) and (
        user.has_perm("supervision.change_anomalyrule")
        and user.has_perm("supervision.change_warningthreshold")
    )


def update_rule(*, rule, user, enabled, parameters, request=None):
    """Switch a rule on or off and set its parameters (integers in the rule's ranges). It
    applies to case events recorded from then on."""
    if not may_configure(user):
        raise PermissionDenied("你无权修改异常规则。")
    _description, defaults, fields = RULES[RuleCode(rule.code)]
    clean = {}
    errors = {}
    for name, (label, low, high) in fields.items():
        value = (parameters or {}).get(name, defaults[name])
        try:
            value = int(value)
        except (TypeError, ValueError):
            errors[name] = f"“{label}”应为整数。"
            continue
        if not low <= value <= high:
            errors[name] = f"“{label}”应在 {low} 至 {high} 之间。"
            continue
        clean[name] = value
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = AnomalyRule.objects.select_for_update().get(pk=rule.pk)
        before = {"enabled": locked.enabled, "parameters": locked.parameters}
        locked.enabled = bool(enabled)
        locked.parameters = clean
        locked.save(update_fields=["enabled", "parameters", "updated_at"])
        audit.record(
            action=events.RULE_CHANGED,
            actor=user,
            obj=locked,
            detail={"before": before, "enabled": locked.enabled, "parameters": clean},
            request=request,
        )
    rule.enabled, rule.parameters = locked.enabled, locked.parameters
    return rule


def set_threshold(*, user, percent, region=None, scope="", request=None):
    """Set the yellow threshold (percent of the limit) for ``region`` (None: the province
    default) and ``scope`` (step / case / "" for both). The watched rows it may affect are
    marked for the next sweep (``next_change`` = today), which works their warn dates out
    again: one UPDATE here, the work in the worker."""
    if not may_configure(user):
        raise PermissionDenied("你无权修改预警阈值。")
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        raise ValidationError({"percent": "预警比例应为 1 至 100 的整数。"}) from None
    if not 1 <= percent <= 100:
        raise ValidationError({"percent": "预警比例应为 1 至 100 的整数。"})
    if scope and scope not in ClockScope.values:
        raise ValidationError({"scope": "时限范围无效。"})
    with transaction.atomic():
        threshold, _ = WarningThreshold.objects.update_or_create(
            region=region, scope=scope or "", defaults={"percent": percent}
        )
        rows = WatchedClock.objects.all()
        if region is not None:
            from .roles import subtree_region_ids

            rows = rows.filter(region_id__in=subtree_region_ids(region))
        if scope:
            rows = rows.filter(scope=scope)
        marked = rows.update(next_change=timezone.localdate())
        audit.record(
            action=events.THRESHOLD_CHANGED,
            actor=user,
            obj=threshold,
            detail={
                "region": region.pk if region is not None else None,
                "scope": scope or "",
                "percent": percent,
                "marked": marked,
            },
            request=request,
        )
    return threshold


def mark_notice_read(*, notice, user, request=None):
    """A head (or supervisor covering it) marks an escalation notice read."""
    if not _active(user) or not scope_for(user).covers(
        department_id=notice.department_id, region_id=notice.region_id
    ):
        raise PermissionDenied("你无权处理该通知。")
    with transaction.atomic():
        updated = EscalationNotice.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=timezone.now(), read_by=user
        )
        if updated:
            audit.record(action=events.NOTICE_READ, actor=user, obj=notice, request=request)
    return bool(updated)
