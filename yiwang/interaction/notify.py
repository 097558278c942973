"""Texts to the writer (SMS and e-mail) and notices to staff (e-mail) about messages.
Called after commit with primary keys; failures are logged by the caller, never raised."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from yiwang.core.sms import send_sms

from .constants import EventKind, InteractionRole
from .models import Message

logger = logging.getLogger(__name__)
SIGNATURE = "【政民互动】"


def _message(pk):
    return Message.objects.select_related("department", "region", "portal").get(pk=pk)


def follow_url(message):
    """The follow-up page on the message's own portal (the platform's address otherwise)."""
    site = message.portal.get_site() if message.portal is not None else None
    base = site.root_url if site is not None else settings.WAGTAILADMIN_BASE_URL
    return f"{base.rstrip('/')}/hudong/chaxun/?number={message.number}"


def _to_writer(message, subject, text):
    sent = 0
    if message.writer_phone:
        try:
            send_sms(mobile=message.writer_phone, text=SIGNATURE + text)
            sent += 1
        except Exception:
            logger.exception("留言 %s 的短信发送失败", message.number)
    if message.writer_email:
        try:
            send_mail(SIGNATURE + subject, text, None, [message.writer_email])
            sent += 1
        except Exception:
            logger.exception("留言 %s 的邮件发送失败", message.number)
    return sent


def submitted(pk, query_code):
    message = _message(pk)
    return _to_writer(
        message,
        f"已收到您的留言（{message.number}）",
        f"您的留言“{message.title[:20]}”已收到，编号 {message.number}，查询码 {query_code}。"
        f"可凭编号和查询码查看办理进度和答复：{follow_url(message)}",
    )


def replied(pk):
    message = _message(pk)
    return _to_writer(
        message,
        f"您的留言（{message.number}）已答复",
        f"您的留言“{message.title[:20]}”已由{message.department}答复，请凭编号和查询码查看并评价：{follow_url(message)}",
    )


def follow_up(pk):
    message = _message(pk)
    return _to_writer(
        message,
        f"请评价留言（{message.number}）的答复",
        f"您的留言“{message.title[:20]}”已办结。您对答复满意吗？请凭编号和查询码评价：{follow_url(message)}",
    )


def _staff(roles, *, department=None, region=None):
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[r.label for r in roles])
        .exclude(email="")
    )
    if department is not None:
        users = users.filter(department=department)
    if region is not None:
        # Staff of this region and of the regions above it (a county message reaches the
        # city's supervisors too).
        codes = [region.code, *(r.code for r in region.ancestors())]
        users = users.filter(department__region__code__in=codes)
    return sorted(set(users.values_list("email", flat=True)))


def _mail(emails, subject, text):
    if emails:
        send_mail(SIGNATURE + subject, text, None, emails)
    return len(emails)


def _staff_link(message):
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/admin/interaction/messages/{message.pk}/"


WHAT = {
    "dispatched": "交办给你单位",
    "transferred": "转办给你单位",
    "reopened": "留言人要求重新办理",
    EventKind.WARNED: "答复期限将到",
    EventKind.OVERDUE: "已超过答复期限",
    EventKind.REMINDED: "超期催办",
}


def to_department(pk, what):
    message = _message(pk)
    if message.department is None:
        return 0
    emails = _staff(
        (InteractionRole.COORDINATOR, InteractionRole.HANDLER), department=message.department
    )
    label = WHAT.get(what, what)
    return _mail(
        emails,
        f"留言 {message.number}：{label}",
        f"留言“{message.title}”（{message.number}）{label}。答复期限："
        f"{message.due_at:%Y-%m-%d %H:%M}。办理：{_staff_link(message)}"
        if message.due_at
        else f"留言“{message.title}”（{message.number}）{label}。办理：{_staff_link(message)}",
    )


def to_dispatchers(pk):
    message = _message(pk)
    emails = _staff((InteractionRole.DISPATCHER,), region=message.region)
    return _mail(emails, f"留言 {message.number} 待分办或审批", f"请处理：{_staff_link(message)}")


def to_reviewers(pk):
    message = _message(pk)
    emails = _staff((InteractionRole.REVIEWER,), department=message.department)
    return _mail(emails, f"留言 {message.number} 的答复待审核", f"请审核：{_staff_link(message)}")


def to_supervisors(pk, kind):
    message = _message(pk)
    emails = _staff((InteractionRole.SUPERVISOR,), region=message.region)
    return _mail(
        emails,
        f"督办：留言 {message.number}",
        f"留言“{message.title}”（{message.number}，{message.department or '待分办'}）"
        f"超期未答复，请督办：{_staff_link(message)}",
    )
