"""Escalation notices (超期督促通知): a clock that turns red gets one ``EscalationNotice``
(unique per clock and level), shown on its department heads' supervision pages; after the
transaction commits, each head gets one SMS and one e-mail per sweep listing their
department's newly overdue clocks. A failure to send is logged, never raised: the sweep has
happened."""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from yiwang.core.sms import send_sms

from .constants import Level
from .models import EscalationNotice
from .roles import department_heads

logger = logging.getLogger(__name__)

# Clocks named in one SMS; the rest are counted.
SMS_EXAMPLES = 2


def notice_text(row):
    number = row.get("number") or f"办件 {row['case_id']}"
    return f"{number}“{row['label']}”已超过截止日 {row['due_date']:%Y-%m-%d}，请督促办理。"[:300]


def escalate(rows, *, now, summary):
    """Notices for the watched rows (dicts) that just turned red; messages after commit."""
    by_clock = {row["clock_id"]: row for row in rows}
    existing = set(
        EscalationNotice.objects.filter(clock_id__in=list(by_clock), level=Level.RED).values_list(
            "clock_id", flat=True
        )
    )
    fresh = [row for pk, row in by_clock.items() if pk not in existing]
    if not fresh:
        return []
    departments = {row["department_id"] for row in fresh}
    heads = {
        department_id: [
            (user.mobile, user.email, str(user)) for user in department_heads_by_id(department_id)
        ]
        for department_id in departments
    }
    notices = [
        EscalationNotice(
            case_id=row["case_id"],
            clock_id=row["clock_id"],
            department_id=row["department_id"],
            region_id=row["region_id"],
            level=Level.RED,
            label=row["label"][:100],
            due_date=row["due_date"],
            text=notice_text(row),
            created_at=now,
            sent_to=len(heads[row["department_id"]]),
        )
        for row in fresh
    ]
    EscalationNotice.objects.bulk_create(notices, batch_size=2000)
    summary["notices"] += len(notices)
    per_department = defaultdict(list)
    for notice in notices:
        per_department[notice.department_id].append(notice.text)
    messages = [
        (contact, texts)
        for department_id, texts in per_department.items()
        for contact in heads[department_id]
    ]
    if messages:
        transaction.on_commit(lambda: send_digests(messages))
    return notices


def department_heads_by_id(department_id):
    from yiwang.orgs.models import Department

    return list(department_heads(Department(pk=department_id)))


def digest(texts):
    head = "；".join(texts[:SMS_EXAMPLES])
    more = f"等 {len(texts)} 项" if len(texts) > SMS_EXAMPLES else ""
    return f"【电子监察】贵部门办件时限超期：{head}{more}。请登录后台“电子监察”查看并督促办理。"


def send_digests(messages):
    for (mobile, email, name), texts in messages:
        text = digest(texts)
        if mobile:
            try:
                send_sms(mobile=mobile, text=text)
            except Exception:
                logger.exception("超期督促短信未能发送给 %s", name)
        if email:
            try:
                send_mail(
                    "【电子监察】办件时限超期督促",
                    f"{name}：\n\n" + "\n".join(texts) + "\n\n请登录后台“电子监察”查看并督促办理。",
                    settings.DEFAULT_FROM_EMAIL,
                    [email],
                )
            except Exception:
                logger.exception("超期督促邮件未能发送给 %s", name)
