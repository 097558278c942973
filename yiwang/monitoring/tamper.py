"""Tamper protection (网页防篡改) of our own published pages.

When a page of a monitored portal is published (``receivers``: Wagtail's ``page_published``,
after commit), ``record_published`` renders it and its ancestors (their listings change with
it) as an anonymous visitor of the monitored site's address would get them
(``page.serve`` on a ``RequestFactory`` request for that host) and keeps each page's
``fingerprint`` as a ``PageFingerprint``. Every run's crawl fingerprints the pages it
fetches with the same function (``crawler.crawl(fingerprint=tamper.fingerprint)``) and
``check`` compares:

- served = recorded: fine;
- served ≠ recorded: the published version of the page (its live revision, not its row,
  which someone with database access could have changed) is rendered again. Served = this
  fresh render: the page changed without being published (a listing, a related page), so
  the record is brought up to date. Otherwise what visitors get is not what we publish: a
  ``TamperEvent`` is opened at once, an alert sent, and every run carries a ``tampered``
  finding (veto 1) until the page serves right again or someone marks the event handled
  (``resolve``).

Pages of the portal's own types are protected (``portal`` app: home, channels, columns,
articles, documents...); the participation pages change by themselves (open, closed, live)
and are left out, as are pages with a query string and non-page addresses (/hudong/...).
What the fingerprint ignores (``normalise``): the CSRF token of forms, the only part of our
pages that differs between two requests (read counts are loaded by script).
"""

import hashlib
import http.client
import logging
import re
import socket
import ssl
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone, translation
from wagtail.models import Page

from .models import MonitoredSite, PageFingerprint, TamperEvent
from .own_data import page_url
from .results import CrawlLimits, Finding, FindingKind

logger = logging.getLogger(__name__)

_CSRF_VALUE_AFTER = re.compile(
    rb"""(name\s*=\s*["']csrfmiddlewaretoken["'][^>]*?value\s*=\s*["'])[^"']*""", re.I
)
_CSRF_VALUE_BEFORE = re.compile(
    rb"""(value\s*=\s*["'])[^"']*(["'][^>]*?name\s*=\s*["']csrfmiddlewaretoken["'])""", re.I
)


# Datetimes of a revision and of the page's row this close are one value (see
# ``_with_row_precision``).
PRECISION = timedelta(milliseconds=1)


def normalise(body):
    """``body`` (bytes) without what differs from one request to the next on our pages:
    the value of the CSRF token of forms. Nothing else is touched."""
    body = _CSRF_VALUE_AFTER.sub(rb"\1", body)
    return _CSRF_VALUE_BEFORE.sub(rb"\1\2", body)


def fingerprint(body):
    """The sha256 hex of a page's body as served (bytes), normalised (``normalise``)."""
    if isinstance(body, str):
        body = body.encode()
    return hashlib.sha256(normalise(body)).hexdigest()


def eligible(page):
    """A page tamper protection covers: a live, public page of the portal's own types."""
    from yiwang.portal.models import PortalPage

    specific = page.specific
    return (
        isinstance(specific, PortalPage)
        and specific._meta.app_label == "portal"
        and specific.live
        and not specific.get_view_restrictions().exists()
    )


def published_version(page):
    """``page`` as its live revision has it: what was published, whatever the page's row
    says now (a row changed in the database without publishing is tampering too)."""
    page = page.specific
    revision = page.live_revision
    if revision is None:
        return page
    try:
        published = revision.as_object()
    except Exception:  # a revision of an older shape: the row is the best we have
        logger.warning("页面 %s 的发布版本无法读取，按当前数据比对", page.pk)
        return page
    return _with_row_precision(published, page)


def _with_row_precision(published, row):
    """A revision keeps datetimes to the millisecond (Django's JSON encoder), the row to
    the microsecond, and templates may print them whole (``|date:"c"``): a datetime of the
    revision within a millisecond of the row's is the row's."""
    for field in row._meta.concrete_fields:
        if not isinstance(field, models.DateTimeField):
            continue
        theirs = getattr(published, field.attname, None)
        ours = getattr(row, field.attname, None)
        try:
            close = theirs and ours and theirs != ours and abs(theirs - ours) < PRECISION
        except TypeError:  # naive against aware: leave it
            close = False
        if close:
            setattr(published, field.attname, ours)
    return published


def render(site, page):
    """The body an anonymous visitor of ``site``'s address gets for the published version
    of ``page`` (bytes), or None when the page does not answer 200."""
    parts = urlsplit(site.base_url)
    path = urlsplit(page_url(site, page)).path
    request = RequestFactory().get(path, HTTP_HOST=parts.netloc, secure=parts.scheme == "https")
    request.user = AnonymousUser()
    try:
        with translation.override(settings.LANGUAGE_CODE):
            response = published_version(page).serve(request)
            if hasattr(response, "render"):
                response.render()
    except Http404:
        return None
    if response.status_code != 200:
        return None
    return response.content


def key(url):
    """``url`` compared as the crawler and we may spell it differently: host in lower case,
    the path percent-decoded."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{unquote(parts.path)}"


def _record(site, page, *, body=None, now=None):
    body = render(site, page) if body is None else body
    if body is None:
        PageFingerprint.objects.filter(site=site, page=page).delete()
        return None
    url = page_url(site, page)
    record, _ = PageFingerprint.objects.update_or_create(
        site=site,
        url=url,
        defaults={
            "page": page,
            "sha256": fingerprint(body),
            "recorded_at": now or timezone.now(),
            "revision_id": page.live_revision_id,
        },
    )
    return record


def monitored_sites_of(page):
    wagtail_site = page.get_site()
    if wagtail_site is None:
        return []
    return list(MonitoredSite.objects.filter(portal=wagtail_site, active=True))


def record_published(page_id):
    """After ``page_id`` was published: the fingerprints of it and its ancestors on every
    monitored site of its portal. Returns the records written."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return []
    sites = monitored_sites_of(page)
    if not sites:
        return []
    root = sites[0].portal.root_page
    chain = [p for p in page.get_ancestors(inclusive=True).filter(depth__gte=root.depth).specific()]
    written = []
    for site in sites:
        for candidate in chain:
            if eligible(candidate):
                record = _record(site, candidate)
                if record is not None:
                    written.append(record)
    return written


def forget_unpublished(page_id):
    """After ``page_id`` was unpublished: its records (and its descendants' that are no
    longer live) go, its ancestors' are taken again."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return
    gone = Page.objects.descendant_of(page, inclusive=True).filter(live=False)
    PageFingerprint.objects.filter(page__in=gone).delete()
    if page.get_parent() is not None:
        record_published(page.get_parent().pk)


def resolve_page(site, url):
    """The live page of ``site``'s portal at ``url`` (None: not a page of ours, a query
    string, another host, a sub-route such as a feed)."""
    parts = urlsplit(url)
    base = urlsplit(site.base_url)
    if parts.query or not key(url).startswith(key(site.base_url)):
        return None
    relative = unquote(parts.path)[len(unquote(base.path)) :]
    root_path = site.portal.root_page.url_path
    url_path = root_path + relative.strip("/") + ("/" if relative.strip("/") else "")
    return Page.objects.filter(url_path=url_path, live=True).first()


def compare(site, url, served, *, run=None, now=None, records=None, events=None):
    """Compare what ``url`` served (``served``: its fingerprint) with what we publish.
    Returns ``(outcome, event)``: outcome ``"ok"`` (matches the record), ``"refreshed"``
    (matches a fresh render: the record was updated), ``"tampered"`` (an event is open for
    the URL, new or not), or ``"unknown"`` (not a page of ours). ``records`` and ``events``
    (``{key(url): row}``) spare the look-ups when many URLs are compared."""
    now = now or timezone.now()
    if urlsplit(url).query:
        # Another page of a listing, a filter: not the page as published (``key`` drops the
        # query, so the published page's record must not be compared with it).
        return "unknown", None
    if records is None:
        records = {key(r.url): r for r in site.fingerprints.filter(url=url)}
    if events is None:
        events = {key(e.url): e for e in site.tamper_events.filter(url=url, resolved_at=None)}
    record = records.get(key(url))
    open_event = events.get(key(url))
    if record is not None and record.sha256 == served:
        _close(open_event, now)
        return "ok", None
    page = record.page if record is not None and record.page_id else resolve_page(site, url)
    if page is None or not eligible(page):
        return "unknown", None
    body = render(site, page)
    if body is None:
        return "unknown", None
    expected_now = fingerprint(body)
    if expected_now == served:
        _record(site, page.specific, body=body, now=now)
        _close(open_event, now)
        return "refreshed", None
    if open_event is not None:
        open_event.served = served
        open_event.last_seen_at = now
        open_event.save(update_fields=["served", "last_seen_at"])
        return "tampered", open_event
    event = TamperEvent.objects.create(
        site=site,
        page=page,
        url=url,
        expected=record.sha256 if record is not None else expected_now,
        served=served,
        detected_at=now,
        last_seen_at=now,
        run=run,
    )
    events[key(url)] = event
    from . import alerts

    transaction.on_commit(lambda: alerts.tampered(event.pk))
    return "tampered", event


def _close(event, now, *, user=None, resolution="页面已恢复为发布内容"):
    if event is None:
        return
    event.resolved_at = now
    event.resolved_by = user
    event.resolution = resolution
    event.save(update_fields=["resolved_at", "resolved_by", "resolution"])


def resolve(event, *, user, resolution="已处置", now=None):
    """Mark an event handled by ``user`` (the veto lifts from the next run on)."""
    _close(event, now or timezone.now(), user=user, resolution=resolution[:300])


def open_findings(site):
    """A ``tampered`` finding for each of ``site``'s unresolved events."""
    return [
        Finding(
            kind=FindingKind.TAMPERED,
            url=event.url,
            detail=f"应为 {event.expected[:12]}…，实际 {event.served[:12]}…",
            newest=timezone.localdate(event.detected_at),
        )
        for event in site.tamper_events.filter(resolved_at__isnull=True).order_by("url")
    ]


def check(site, fingerprints, *, run=None, now=None):
    """Compare every fingerprint the crawl took under ``site``'s address (``{url: sha256}``)
    and return the ``tampered`` findings of the site's unresolved events (new or older)."""
    if not site.is_own:
        return []
    records = {key(r.url): r for r in site.fingerprints.select_related("page")}
    events = {key(e.url): e for e in site.tamper_events.filter(resolved_at__isnull=True)}
    for url, served in sorted(fingerprints.items()):
        if served and url.startswith(site.base_url):
            compare(site, url, served, run=run, now=now, records=records, events=events)
    return open_findings(site)


def verify_page(page, *, fetch=None, now=None):
    """The on-demand check of one page: fetch it from every monitored site of its portal
    and compare (``compare``). Returns a list of ``{site, url, outcome, event}``;
    outcome ``"unreachable"`` when the page did not answer."""
    fetch = fetch or fetch_body
    out = []
    for site in monitored_sites_of(page):
        url = page_url(site, page)
        try:
            body = fetch(url)
        except OSError as exc:
            logger.info("防篡改核验 %s 无法访问：%s", url, exc)
            body = None
        if body is None:
            out.append({"site": site, "url": url, "outcome": "unreachable", "event": None})
            continue
        outcome, event = compare(site, url, fingerprint(body), now=now)
        out.append({"site": site, "url": url, "outcome": outcome, "event": event})
    return out


def _address(host):
    resolve = getattr(settings, "MONITORING_RESOLVE", {}) or {}
    if host in resolve:
        return resolve[host]
    if host == "localhost" or host.endswith(".localhost"):
        return "127.0.0.1"
    return host


def fetch_body(url, *, timeout=15.0):
    """The body of ``url`` as a visitor gets it (bytes; None unless 200), connecting to the
    address ``settings.MONITORING_RESOLVE`` or the .localhost rule gives for its host."""
    parts = urlsplit(url)
    host = parts.hostname
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = _address(host)
    if https:
        context = ssl.create_default_context()

        class Connection(http.client.HTTPSConnection):
            def connect(self):
                sock = socket.create_connection((address, port), timeout)
                self.sock = context.wrap_socket(sock, server_hostname=host)

        connection = Connection(host, port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(address, port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(
            "GET",
            path,
            headers={
                "Host": parts.netloc,
                "User-Agent": CrawlLimits().user_agent,
                "Accept-Encoding": "identity",
            },
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return body if response.status == 200 else None
