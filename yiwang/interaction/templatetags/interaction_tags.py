"""Template helpers of 政民互动: the footer's 我为政府网站找错 link on every portal page, and
how deadlines and figures read on the public pages."""

from datetime import time, timedelta
from urllib.parse import urlencode

from django import template
from django.core.exceptions import DisallowedHost
from django.urls import reverse

from yiwang.portal.models import PortalHomePage, PortalSettings

from ..constants import Unit
from ..deadlines import local

register = template.Library()


def _national_default():
    return PortalSettings._meta.get_field("error_report_url").default


@register.simple_tag(takes_context=True)
def error_report_href(context, portal_settings=None):
    """Where 我为政府网站找错 leads: our own report page with the current page's address;
    a portal whose settings name another entry (changed from the national default) keeps
    it, and so does a site that is no portal (it has no 政民互动)."""
    override = (getattr(portal_settings, "error_report_url", "") or "").strip()
    if override and override != _national_default():
        return override
    request = context.get("request")
    home = None
    chrome = context.get("chrome")
    if isinstance(chrome, dict):
        home = chrome.get("home")
    if request is not None and home is not None and not isinstance(home, PortalHomePage):
        return override
    base = reverse("interaction:error_report")
    if request is None:
        return base
    if request.path.startswith(base):
        # On the report page itself: the page being reported stays the one already named.
        page_url = request.GET.get("url", "")
    else:
        try:
            page_url = request.build_absolute_uri()
        except DisallowedHost:
            page_url = ""
    return f"{base}?{urlencode({'url': page_url})}" if page_url else base


@register.filter
def due_text(message):
    """The answer deadline as the writer reads it: a deadline in working days ends at
    midnight, shown as the end of the last day (“2026年11月3日 24:00 前”); one in working hours with
    its time. ``期限待定`` when it is beyond the official calendar."""
    if message.due_at is None:
        return "期限待定（待官方节假日安排公布后确定）"
    moment = local(message.due_at)
    provisional = "（暂定）" if message.due_is_provisional else ""
    if message.deadline_unit == Unit.WORKING_DAYS and moment.time() == time(0):
        day = (moment - timedelta(days=1)).date()
        return f"{day.year}年{day.month}月{day.day}日 24:00 前{provisional}"
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M} 前{provisional}"


@register.filter
def days(value):
    """Reply days with two decimals, ``—`` when there is nothing to count."""
    return "—" if value is None else f"{value:.2f}"


@register.filter
def percent(value):
    return "—" if value is None else f"{value:.1f}%"
