"""The site crawler of website monitoring: fetches a site's pages (aiohttp, one session, a
bounded number of requests in flight, a per-host rate limit, robots.txt respected), checks
every link, attachment and file they use, and runs the checks of ``checks/`` on each page.

No Django here: the caller (``runner.py``) passes the wording dictionary in and stores the
``CrawlReport`` it gets back. docs/monitoring-crawler.md says what the crawler does and does
not do.

    report = crawl("http://songlin.localhost:8000/", limits=CrawlLimits(max_pages=500))
    if not report.finished:
        report = crawl(report.start_url, state=report.state)   # goes on where it stopped

``crawl`` runs its own asyncio loop (``asyncio.run``) in a thread of its own, so it can be
called from plain synchronous code, a task worker or even a running event loop; ``progress``
and ``should_stop`` are called in the caller's thread (so they may use the Django ORM).
"""

import asyncio
import datetime
import hashlib
import logging
import socket
import threading
import time
from dataclasses import dataclass
from urllib import robotparser
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver

from .checks import freshness, html, links, security
from .checks.wording import Dictionary
from .results import Column, CrawlLimits, CrawlReport, Finding, FindingKind, Probe

logger = logging.getLogger(__name__)

STATE_VERSION = 1
MAX_REDIRECTS = 10
# A page's body is read up to this size (the rest is not checked).
MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_PROBE_BYTES = 256 * 1024
# How often the caller's thread looks at should_stop() and reports progress (seconds).
POLL_SECONDS = 0.2
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_HTML_TYPES = ("text/html", "application/xhtml+xml")

PAGE, CHECK, PROBE = "page", "check", "probe"


def sha256(body):
    """The default page fingerprint: sha256 of the bytes as served."""
    return hashlib.sha256(body).hexdigest()


class _Resolver(AbstractResolver):
    """``limits.resolve`` (host name → IP address) first, names ending in ".localhost" to
    127.0.0.1, everything else by the system's resolver. The URL and its Host header stay
    as they are: only the address connected to changes."""

    def __init__(self, mapping=None):
        self.mapping = {k.lower().rstrip("."): v for k, v in (mapping or {}).items()}
        self.fallback = aiohttp.ThreadedResolver()

    async def resolve(self, host, port=0, family=socket.AF_INET):
        name = host.lower().rstrip(".")
        address = self.mapping.get(name)
        if address is None and (name == "localhost" or name.endswith(".localhost")):
            address = "127.0.0.1"
        if address is None:
            return await self.fallback.resolve(host, port, family)
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self):
        await self.fallback.close()


class _RateLimiter:
    """Requests per second to one host: a token bucket holding one token, refilled at
    ``rate`` per second (so requests to a host are evenly spaced). 0 or less: no limit."""

    def __init__(self, rate):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.intervals = {}
        self.next = {}

    def slow_down(self, netloc, interval):
        self.intervals[netloc] = max(self.interval, interval)

    async def wait(self, url):
        netloc = urlsplit(url).netloc
        interval = self.intervals.get(netloc, self.interval)
        if interval <= 0:
            return
        now = asyncio.get_running_loop().time()
        at = max(now, self.next.get(netloc, now))
        self.next[netloc] = at + interval
        if at > now:
            await asyncio.sleep(at - now)


@dataclass
class _Fetch:
    status: int | None = None
    url: str = ""  # after redirects
    headers: object = None
    body: bytes | None = None
    content_type: str = ""
    detail: str = ""
    elapsed: float = 0.0


def _is_html(content_type):
    return content_type.split(";")[0].strip().lower() in _HTML_TYPES


async def _read(response, max_bytes):
    chunks = []
    size = 0
    async for chunk in response.content.iter_chunked(65536):
        chunks.append(chunk)
        size += len(chunk)
        if size >= max_bytes:
            break
    return b"".join(chunks)


_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class _TooManyRedirects(Exception):
    pass


async def _fetch(
    session, method, url, *, timeout, read=False, max_bytes=MAX_PAGE_BYTES, limiter=None
):
    """One request, redirects followed (at most MAX_REDIRECTS, each one through ``limiter``),
    the whole of it (connecting, redirects, reading the body) within ``timeout`` seconds (the
    rate limiter's waits not counted). ``read``: True reads the body, "html" reads it when it
    is HTML. Never raises (but for cancellation): no answer gives ``status`` None and
    ``detail`` a short code."""
    started = time.monotonic()
    current = url
    try:
        async with asyncio.timeout(timeout) as deadline:
            for hop in range(MAX_REDIRECTS + 1):
                if hop and limiter is not None:
                    waited = time.monotonic()
                    await limiter.wait(current)
                    waited = time.monotonic() - waited
                    if waited > 0.001:
                        deadline.reschedule(deadline.when() + waited)
                async with session.request(method, current, allow_redirects=False) as response:
                    location = response.headers.get("Location")
                    if response.status in _REDIRECTS and location:
                        target = links.normalize(location, current)
                        if target is None:
                            raise ValueError(location)
                        current = target
                        if response.status == 303 and method != "HEAD":
                            method = "GET"
                        continue
                    content_type = response.headers.get("Content-Type", "")
                    body = None
                    if read is True or (read == "html" and _is_html(content_type)):
                        body = await _read(response, max_bytes)
                    elif read == "html" and not content_type and response.status < 400:
                        body = await _read(response, max_bytes)
                        if b"<html" not in body[:2048].lower():
                            body = None
                    return _Fetch(
                        status=response.status,
                        url=current,
                        headers=response.headers,
                        body=body,
                        content_type=content_type,
                        elapsed=time.monotonic() - started,
                    )
            raise _TooManyRedirects()
    except _TooManyRedirects:
        detail = "too many redirects"
    except Exception as exc:  # every way a request can fail is a finding, not a crash
        detail = links.error_detail(exc)
    return _Fetch(url=current, detail=detail, elapsed=time.monotonic() - started)


def _session(limits_or_ua, resolve, concurrency, timeout):
    connector = aiohttp.TCPConnector(
        limit=max(1, concurrency), resolver=_Resolver(resolve), ttl_dns_cache=300
    )
    return aiohttp.ClientSession(
        connector=connector,
        headers={
            "User-Agent": limits_or_ua,
            "Accept": _ACCEPT,
            "Accept-Language": "zh-CN,zh;q=0.9",
        },
        timeout=aiohttp.ClientTimeout(total=timeout + 5),
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        trust_env=False,
    )


def _finding_key(finding):
    return (
        finding.kind,
        finding.url,
        finding.target,
        finding.category,
        finding.detail,
        finding.context,
        -1 if finding.status is None else finding.status,
        finding.on_home,
        finding.external,
    )


class _Crawl:
    def __init__(self, start_url, limits, wording, state, fingerprint_prefix, fingerprint, today):
        start = links.normalize(start_url) if isinstance(start_url, str) else None
        if start is None:
            raise ValueError(f"网址无效：{start_url!r}（应为以 http:// 或 https:// 开头的网址）")
        self.start = start
        self.limits = limits
        self.dictionary = wording if isinstance(wording, Dictionary) else Dictionary(wording)
        self.fingerprint_prefix = fingerprint_prefix
        self.fingerprint = fingerprint or sha256
        self.today = today
        self.stop_event = threading.Event()
        self.report = None
        self.error = None
        self.queued = 0
        self.stopped_because = ""
        self._prefer_page = False
        self._load(state or {})

    # -- state ------------------------------------------------------------------------------

    def _load(self, state):
        if state:
            if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
                raise ValueError("续查状态无法识别（版本不符），请重新开始检查。")
            if state.get("start_url") != self.start:
                raise ValueError(
                    f"续查状态属于另一个网址（{state.get('start_url')}），不能用于 {self.start}。"
                )
        get = state.get
        self.site_hosts = {tuple(h) for h in get("site_hosts", [links.host_key(self.start)])}
        self.robots_text = get("robots")
        self.page_stack = list(get("page_stack", [self.start]))
        self.check_stack = [tuple(job) for job in get("check_stack", [])]
        self.refs = {
            url: [tuple(r) for r in rows] for url, rows in get("refs", {self.start: []}).items()
        }
        self.ok = set(get("ok", []))
        self.broken = {url: tuple(v) for url, v in get("broken", {}).items()}
        self.parsed = set(get("parsed", []))
        self.pages = get("pages", 0)
        self.pages_started = self.pages
        self.links_checked = get("links_checked", 0)
        self.seconds = self.seconds_before = get("seconds", 0.0)
        self.home_status = get("home_status")
        newest = get("home_newest")
        self.home_newest = datetime.date.fromisoformat(newest) if newest else None
        self.findings = {}
        for data in get("findings", []):
            self._add(Finding.from_dict(data))
        self.columns = [dict(c) for c in get("columns", [])]
        self.fingerprints = dict(get("fingerprints", {}))

    def _state(self):
        return {
            "version": STATE_VERSION,
            "start_url": self.start,
            "site_hosts": sorted([list(h) for h in self.site_hosts]),
            "robots": self.robots_text,
            "page_stack": list(self.page_stack),
            "check_stack": [list(job) for job in self.check_stack],
            "refs": {url: [list(r) for r in rows] for url, rows in self.refs.items()},
            "ok": sorted(self.ok),
            "broken": {url: list(v) for url, v in self.broken.items()},
            "parsed": sorted(self.parsed),
            "pages": self.pages,
            "links_checked": self.links_checked,
            "seconds": self.seconds,
            "home_status": self.home_status,
            "home_newest": self.home_newest.isoformat() if self.home_newest else None,
            "findings": [f.as_dict() for f in self.findings.values()],
            "columns": list(self.columns),
            "fingerprints": dict(self.fingerprints),
        }

    def _report(self):
        reason = self.stopped_because
        findings = sorted(self.findings.values(), key=_finding_key)
        return CrawlReport(
            start_url=self.start,
            pages=self.pages,
            links_checked=self.links_checked,
            seconds=round(self.seconds, 3),
            finished=not reason,
            stopped_because=reason,
            home_newest=self.home_newest,
            home_status=self.home_status,
            findings=findings,
            columns=self._merged_columns(),
            fingerprints=dict(sorted(self.fingerprints.items())),
            state=self._state() if reason else {},
        )

    def _merged_columns(self):
        """One Column per column: its listing pages (?page=2, index_1.html) merged, the items
        added up, the newest date the newest of all."""
        groups = {}
        for row in self.columns:
            groups.setdefault(row["key"], []).append(row)
        out = []
        for rows in groups.values():
            url = min((r["url"] for r in rows), key=lambda u: (len(u), u))
            first = next(r for r in rows if r["url"] == url)
            newest = max((r["newest"] for r in rows if r["newest"]), default=None)
            out.append(
                Column(
                    url=url,
                    name=first["name"],
                    kind=first["kind"],
                    items=sum(r["items"] for r in rows),
                    newest=datetime.date.fromisoformat(newest) if newest else None,
                )
            )
        out.sort(key=lambda c: c.url)
        return out

    def _add(self, finding):
        self.findings.setdefault(_finding_key(finding), finding)

    # -- robots.txt -------------------------------------------------------------------------

    async def _load_robots(self):
        url = links.origin(self.start) + "/robots.txt"
        await self.limiter.wait(url)
        fetch = await _fetch(
            self.session,
            "GET",
            url,
            timeout=self.limits.timeout,
            read=True,
            max_bytes=512 * 1024,
            limiter=self.limiter,
        )
        # Only a robots.txt that is there counts: a missing one (404), a forbidden one (401,
        # 403) or a failing one allows everything (as the big search engines do).
        if fetch.status is not None and 200 <= fetch.status < 300 and fetch.body is not None:
            self.robots_text = html.decode(fetch.body, fetch.content_type)
        else:
            self.robots_text = ""

    def _set_up_robots(self):
        self.robots = None
        if not self.robots_text:
            return
        parser = robotparser.RobotFileParser()
        parser.parse(self.robots_text.splitlines())
        self.robots = parser
        agent = self.limits.user_agent
        delay = 0.0
        try:
            crawl_delay = parser.crawl_delay(agent)
            if crawl_delay:
                delay = float(crawl_delay)
            rate = parser.request_rate(agent)
            if rate and rate.requests:
                delay = max(delay, rate.seconds / rate.requests)
        except (TypeError, ValueError):
            delay = 0.0
        if delay > 0:
            for host, port in self.site_hosts:
                self.limiter.slow_down(f"{host}:{port}", delay)
                self.limiter.slow_down(host, delay)

    def _allowed(self, url):
        if self.robots is None:
            return True
        return self.robots.can_fetch(self.limits.user_agent, url)

    # -- the crawl --------------------------------------------------------------------------

    def thread_main(self):
        try:
            asyncio.run(self.run())
        except BaseException as exc:  # handed to the caller's thread
            self.error = exc

    async def run(self):
        started = time.monotonic()
        self.deadline = started + max(0.0, float(self.limits.max_seconds))
        self.limiter = _RateLimiter(self.limits.rate_per_second)
        async with _session(
            self.limits.user_agent,
            self.limits.resolve,
            self.limits.concurrency,
            self.limits.timeout,
        ) as session:
            self.session = session
            if self.robots_text is None:
                await self._load_robots()
            self._set_up_robots()
            await self._loop()
        self.seconds = self.seconds_before + (time.monotonic() - started)
        self.report = self._report()

    def _next_job(self):
        self._prefer_page = not self._prefer_page
        for kind in (PAGE, CHECK) if self._prefer_page else (CHECK, PAGE):
            if kind == CHECK:
                while self.check_stack:
                    job_kind, url = self.check_stack.pop()
                    if job_kind == CHECK and (url in self.ok or url in self.broken):
                        continue
                    return job_kind, url
            else:
                while self.page_stack and self.pages_started < self.limits.max_pages:
                    url = self.page_stack.pop()
                    if url in self.ok or url in self.broken:
                        continue
                    self.pages_started += 1
                    return PAGE, url
        return None

    async def _run_job(self, kind, url):
        await self.limiter.wait(url)
        timeout = self.limits.timeout
        limiter = self.limiter
        if kind == PAGE:
            return await _fetch(
                self.session, "GET", url, timeout=timeout, read="html", limiter=limiter
            )
        if kind == PROBE:
            return await _fetch(
                self.session,
                "GET",
                url,
                timeout=timeout,
                read=True,
                max_bytes=MAX_PROBE_BYTES,
                limiter=limiter,
            )
        result = await _fetch(self.session, "HEAD", url, timeout=timeout, limiter=limiter)
        if result.status in (405, 501):
            await limiter.wait(url)
            result = await _fetch(self.session, "GET", url, timeout=timeout, limiter=limiter)
        return result

    async def _loop(self):
        in_flight = {}
        concurrency = max(1, int(self.limits.concurrency))
        reason = ""
        while True:
            if self.stop_event.is_set():
                reason = "stopped"
            elif time.monotonic() >= self.deadline:
                reason = "max_seconds"
            if reason:
                break
            while len(in_flight) < concurrency:
                job = self._next_job()
                if job is None:
                    break
                in_flight[asyncio.ensure_future(self._run_job(*job))] = job
            self.queued = len(self.page_stack) + len(self.check_stack) + len(in_flight)
            if not in_flight:
                if self.page_stack:
                    reason = "max_pages"
                break
            wait = max(0.0, min(POLL_SECONDS, self.deadline - time.monotonic()))
            done, _pending = await asyncio.wait(
                in_flight, timeout=wait, return_when=asyncio.FIRST_COMPLETED
            )
            for task in done:
                kind, url = in_flight.pop(task)
                self._handle(kind, url, task.result())
        if in_flight:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
            # Asked again when the crawl goes on (in the order they were taken).
            for kind, url in reversed(list(in_flight.values())):
                if kind == PAGE:
                    self.page_stack.append(url)
                    self.pages_started -= 1
                else:
                    self.check_stack.append((kind, url))
        self.queued = len(self.page_stack) + len(self.check_stack)
        self.stopped_because = reason

    # -- what a fetch shows -----------------------------------------------------------------

    def _handle(self, kind, url, fetch):
        if kind == PROBE:
            body = html.decode(fetch.body, fetch.content_type) if fetch.body else ""
            for finding in security.probe_findings(url, urlsplit(url).path, fetch.status, body):
                self._add(finding)
            return
        self.links_checked += 1
        if kind == PAGE:
            self.pages += 1
        broken = fetch.status is None or fetch.status >= 400
        if broken:
            self.broken[url] = (fetch.status, fetch.detail)
        else:
            self.ok.add(url)
        referrers = self.refs.pop(url, [])
        if broken:
            external = not links.same_site(url, self.site_hosts)
            for page, on_home in referrers:
                self._broken_link(page, url, fetch.status, fetch.detail, on_home, external)
        is_home = url == self.start
        if is_home:
            self.home_status = fetch.status
            if broken:
                self._add(
                    Finding(
                        kind=FindingKind.UNREACHABLE,
                        url=url,
                        status=fetch.status,
                        detail=fetch.detail,
                    )
                )
                self.page_stack.clear()
                self.check_stack.clear()
                self.refs.clear()
                return
            self.site_hosts.add(links.host_key(fetch.url))
            for finding in security.header_findings(fetch.url, fetch.headers or {}):
                self._add(finding)
            base = links.origin(fetch.url)
            for path in reversed(security.PROBE_PATHS):
                self.check_stack.append((PROBE, base + path))
        if broken or kind != PAGE or fetch.body is None:
            return
        final = fetch.url
        if final in self.parsed or not links.same_site(final, self.site_hosts):
            return
        self.parsed.add(final)
        try:
            self._parse(final, fetch, is_home)
        except Exception:  # one page the checks cannot read does not end the crawl
            logger.exception("monitoring: could not check page %s", final)

    def _broken_link(self, page, target, status, detail, on_home, external):
        self._add(
            Finding(
                kind=FindingKind.BROKEN_LINK,
                url=page,
                target=target,
                status=status,
                detail=detail or "",
                on_home=bool(on_home),
                external=external,
            )
        )

    def _parse(self, url, fetch, is_home):
        page = html.parse(
            html.decode(fetch.body, fetch.content_type),
            url,
            today=self.today,
            want_text=bool(self.dictionary),
            want_items=True if is_home else None,
        )
        prefix = self.fingerprint_prefix
        if prefix is not None and url.startswith(prefix):
            self.fingerprints[url] = self.fingerprint(fetch.body)
        for hit in self.dictionary.find(page.text):
            self._add(
                Finding(
                    kind=FindingKind.WORDING,
                    url=url,
                    target=hit.entry.wrong,
                    detail=hit.entry.correct,
                    context=hit.context,
                    category=hit.entry.category,
                )
            )
        for finding in security.mixed_content(url, [x.url for x in page.links if x.resource]):
            self._add(finding)
        if security.is_directory_listing(page.title):
            self._add(
                Finding(
                    kind=FindingKind.SECURITY,
                    url=url,
                    category="directory_listing",
                    detail=page.title,
                )
            )
        column = freshness.column_of(
            page.meta, page.h1, page.title, page.item_dates, page.body_text, is_home=is_home
        )
        dates = page.item_dates
        if column is not None:
            name, column_kind = column
            self.columns.append(
                {
                    "url": url,
                    "name": name,
                    "kind": column_kind,
                    "items": len(dates),
                    "newest": max(dates).isoformat() if dates else None,
                    "key": freshness.column_key(url, name),
                }
            )
        if is_home:
            self.home_newest = max(dates) if dates else None
        new_pages = []
        for link in page.links:
            target = link.url
            if target in self.broken:
                status, detail = self.broken[target]
                external = not links.same_site(target, self.site_hosts)
                self._broken_link(url, target, status, detail, is_home, external)
            elif target in self.ok:
                continue
            elif target in self.refs:
                self.refs[target].append((url, is_home))
            elif links.same_site(target, self.site_hosts):
                if not self._allowed(target):
                    continue
                self.refs[target] = [(url, is_home)]
                if links.is_attachment(target) or links.is_asset(target):
                    self.check_stack.append((CHECK, target))
                else:
                    new_pages.append(target)
            elif self.limits.check_external:
                self.refs[target] = [(url, is_home)]
                self.check_stack.append((CHECK, target))
        # Depth first, in the page's order: the first link is taken next.
        self.page_stack.extend(reversed(new_pages))


def _limits(limits):
    if limits is None:
        return CrawlLimits()
    if isinstance(limits, dict):
        return CrawlLimits.from_dict(limits)
    return limits


def crawl(
    start_url,
    *,
    limits=None,
    wording=(),
    state=None,
    progress=None,
    should_stop=None,
    fingerprint_prefix=None,
    fingerprint=None,
    today=None,
):
    """Crawl the site at ``start_url`` and check it (see the module's docstring).

    ``limits``: CrawlLimits (default CrawlLimits()). ``wording``: (wrong, correct, category)
    triples. ``state``: the ``state`` of an unfinished CrawlReport, to go on with it
    (``max_pages`` counts the pages of all its runs, ``max_seconds`` this run's time).
    ``progress(pages_done, pages_queued)`` is called now and then and ``should_stop()`` polled
    (both in the caller's thread). ``fingerprint_prefix``: pages whose URL starts with it get
    ``fingerprint(body_bytes)`` (default sha256 hex) in ``report.fingerprints``. ``today``:
    the date month-day dates ("11-30") take their year from (default: today).

    A start URL that is no http(s) URL, or a ``state`` of another crawl, raises ValueError
    with a Chinese message; everything the site does (no answer, errors) is in the report.
    """
    job = _Crawl(
        start_url,
        _limits(limits),
        wording,
        state,
        fingerprint_prefix,
        fingerprint,
        today,
    )
    if should_stop is not None and should_stop():
        job.stop_event.set()
    thread = threading.Thread(target=job.thread_main, name="yiwang-crawl", daemon=True)
    thread.start()
    last = None
    try:
        while thread.is_alive():
            thread.join(POLL_SECONDS)
            if should_stop is not None and not job.stop_event.is_set() and should_stop():
                job.stop_event.set()
            if progress is not None and thread.is_alive():
                now = (job.pages, job.queued)
                if now != last:
                    last = now
                    progress(*now)
    except BaseException:
        job.stop_event.set()
        thread.join()
        raise
    if job.error is not None:
        raise job.error
    if progress is not None:
        progress(job.pages, job.queued)
    return job.report


def _run_sync(coroutine):
    """Run a coroutine to its end from synchronous code, also when this thread already runs
    an event loop (then in a thread of its own)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    box = {}

    def main():
        try:
            box["result"] = asyncio.run(coroutine)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=main, name="yiwang-probe", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


def probe(url, *, timeout=15.0, resolve=None, user_agent=CrawlLimits.user_agent):
    """One reachability try of ``url`` (a GET, redirects followed, the whole body read):
    ``ok`` when it answered below 400 within ``timeout`` seconds."""
    target = links.normalize(url) if isinstance(url, str) else None
    if target is None:
        return Probe(url=str(url), ok=False, detail="invalid url")

    async def go():
        async with _session(user_agent, resolve, 1, timeout) as session:
            return await _fetch(session, "GET", target, timeout=timeout, read=True)

    fetch = _run_sync(go())
    ok = fetch.status is not None and fetch.status < 400
    detail = fetch.detail
    if not detail and not ok:
        detail = f"HTTP {fetch.status}"
    return Probe(
        url=url,
        ok=ok,
        status=fetch.status,
        elapsed_ms=int(round(fetch.elapsed * 1000)),
        detail=detail,
    )
