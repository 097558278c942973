"""Alerts to a site's team (docs/monitoring.md, "Alerts"): a veto rule that failed in this
run but not in the site's previous finished run, broken links not seen by the previous run,
and a page tampered with (at once, by ``tamper``). Each is told once: while a problem
persists from run to run nobody is told again.

Who: the site team (``roles.site_team``: users of the site's ``owner_department`` in the
网站主办单位 group), or, when it has none, the monitoring administrators of the site's region
and the regions above it. How: the platform's channels, e-mail (``send_mail``) to every one
of them with an address, and for vetoes and tampering an SMS (``yiwang.core.sms``) to
those with a mobile number. Every alert is kept as an ``Alert`` row. Sending happens after
commit; a failure is logged, never raised.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from yiwang.core.sms import send_sms

from . import roles
from .constants import AlertKind, RunState
from .models import Alert, CheckRun, Finding, SiteScore, TamperEvent
from .results import FindingKind

logger = logging.getLogger(__name__)
SIGNATURE = "【网站监测】"
# Broken links named in one alert; the rest are counted.
EXAMPLES = 10


def report_url(run):
    """The run's report in the back office (the UI's ``monitoring:run`` view when there)."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    try:
        return base + reverse("monitoring:run", args=[run.pk])
    except NoReverseMatch:
        return f"{base}/admin/monitoring/runs/{run.pk}/"


def recipients(site):
    """The users told about ``site``'s problems (site team, else monitoring admins)."""
    users = list(roles.site_team(site))
    return users or list(roles.admins_for(site))


def _send(users, subject, text, *, sms):
    """E-mail (and SMS when ``sms``) to ``users``; returns how many of them were reached."""
    reached = set()
    emails = {user.email: user.pk for user in users if user.email}
    if emails:
        try:
            send_mail(SIGNATURE + subject, text, None, sorted(emails))
            reached |= set(emails.values())
        except Exception:
            logger.exception("网站监测通知邮件发送失败：%s", subject)
    if sms:
        for user in users:
            if not user.mobile:
                continue
            try:
                send_sms(mobile=user.mobile, text=SIGNATURE + text[:200])
                reached.add(user.pk)
            except Exception:
                logger.exception("网站监测通知短信发送失败：%s", subject)
    return len(reached)


def _alert(site, run, kind, key, subject, text, *, sms):
    users = recipients(site)
    alert = Alert.objects.create(
        site=site, run=run, kind=kind, key=key[:100], subject=subject[:200], text=text
    )
    transaction.on_commit(lambda: _deliver(alert.pk, [u.pk for u in users], sms))
    return alert


def _deliver(alert_pk, user_pks, sms):
    from django.contrib.auth import get_user_model

    alert = Alert.objects.get(pk=alert_pk)
    users = list(get_user_model().objects.filter(pk__in=user_pks, is_active=True))
    reached = _send(users, alert.subject, alert.text, sms=sms)
    Alert.objects.filter(pk=alert_pk).update(recipients=reached)


def previous_run(run):
    """The site's finished run before ``run`` (None for the first)."""
    return (
        CheckRun.objects.filter(site_id=run.site_id, state=RunState.DONE, pk__lt=run.pk)
        .order_by("-pk")
        .first()
    )


def _broken(run):
    if run is None:
        return {}
    rows = Finding.objects.filter(run=run, kind=FindingKind.BROKEN_LINK).order_by("pk")
    return {(f.url, f.target): f for f in rows}


def after_run(run, score):
    """The alerts of a finished run (``score``: its ``SiteScore``). Returns the ``Alert``
    rows created."""
    site = run.site
    previous = previous_run(run)
    before = SiteScore.objects.filter(run=previous).first() if previous else None
    failed_before = {v["rule"] for v in before.vetoes if not v["passed"]} if before else set()
    created = []
    link = report_url(run)
    for veto in score.vetoes:
        if veto["passed"] or veto["rule"] in failed_before:
            continue
        evidence = "；".join(veto["evidence"][:3])
        created.append(
            _alert(
                site,
                run,
                AlertKind.VETO,
                f"veto:{veto['rule']}",
                f"{site.name}：单项否决“{veto['title']}”",
                f"{site.name}（{site.base_url}）触发单项否决指标“{veto['title']}”：{evidence}。"
                f"检查报告：{link}",
                sms=True,
            )
        )
    new_links = [f for pair, f in _broken(run).items() if pair not in _broken(previous)]
    if new_links:
        lines = "\n".join(
            f"{f.url} → {f.target}（{f.status if f.status is not None else f.detail or '无响应'}）"
            for f in new_links[:EXAMPLES]
        )
        more = f"\n……共 {len(new_links)} 个" if len(new_links) > EXAMPLES else ""
        created.append(
            _alert(
                site,
                run,
                AlertKind.BROKEN_LINKS,
                f"broken_links:{run.pk}",
                f"{site.name}：新增错链断链 {len(new_links)} 个",
                f"{site.name}（{site.base_url}）本次检查发现新增错链断链 {len(new_links)} 个：\n"
                f"{lines}{more}\n检查报告：{link}",
                sms=False,
            )
        )
    return created


def tampered(event_pk):
    """At once, for a newly opened ``TamperEvent``."""
    event = TamperEvent.objects.select_related("site").filter(pk=event_pk).first()
    if event is None:
        return None
    site = event.site
    key = f"tamper:{event.pk}"
    if Alert.objects.filter(site=site, key=key).exists():
        return None
    return _alert(
        site,
        event.run,
        AlertKind.TAMPERED,
        key,
        f"{site.name}：网页疑似被篡改",
        f"{site.name}的页面 {event.url} 对外显示的内容与发布的内容不一致，疑似被篡改，"
        "请立即核查处置。",
        sms=True,
    )
