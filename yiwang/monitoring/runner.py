"""Runs of checks and reachability tries (docs/monitoring.md, "Runs").

A run (``CheckRun``) goes queued → running → done, in slices: each slice is one task
(``tasks.execute_run``) that crawls for at most ``SLICE_SECONDS`` (``crawler.crawl``),
stores what the crawl found so far, and, when the crawl is not through and the site's time
budget (``MonitoredSite.max_seconds``) not spent, saves the crawl's state, pauses the run
and enqueues the next slice. The last slice judges: freshness (from our own data for our
portals), own-data checks, tamper comparison, the score, the alerts. A failure marks the run
failed with its message and keeps what was stored; a cancel stops the crawl at its next poll.

Reachability: ``probe_due_sites`` tries every active site's home page ``tries_per_day``
times a day at fixed times of the day (an offset per site spreads the sites out), and
``availability`` counts the last seven days for veto 2.
"""

import datetime
import hashlib
import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.core import audit

from . import alerts, constants, own_data, scoring, tamper
from .constants import FindingOrigin, RunState
from .models import CheckRun, ColumnStatus, Finding, MonitoredSite, Probe, SiteScore, WordingTerm
from .results import FindingKind

logger = logging.getLogger(__name__)
DAY_SECONDS = 24 * 3600
_clock = time.monotonic  # the slices' time budget is counted by it


class RunError(Exception):
    """A run cannot be started or resumed (the message is Chinese, for the user)."""


def _crawler():
    from . import crawler

    return crawler


def _enqueue(run_pk, run_after=None):
    from .tasks import execute_run

    if run_after is not None and execute_run.get_backend().supports_defer:
        execute_run.using(run_after=run_after).enqueue(run_pk)
    else:
        execute_run.enqueue(run_pk)


def active_run(site):
    return site.runs.filter(state__in=constants.ACTIVE_RUN_STATES).order_by("-pk").first()


def start_run(site, *, user=None, now=None, run_after=None):
    """Queue a full check of ``site`` (the task is enqueued after commit; ``run_after``: not
    before that moment, for a backend that can defer). A site has one run at a time: when
    one is under way, it is returned instead. Raises ``RunError`` for a site whose
    monitoring is switched off."""
    if not site.active:
        raise RunError(f"网站“{site.name}”已停用监测，不能发起检查。")
    with transaction.atomic():
        running = active_run(site)
        if running is not None:
            return running
        run = CheckRun.objects.create(
            site=site, triggered_by=user, created_at=now or timezone.now()
        )
        if user is not None:
            audit.record(action="monitoring.run_started", actor=user, obj=run)
        transaction.on_commit(lambda: _enqueue(run.pk, run_after))
    return run


def cancel(run, *, user=None):
    """Stop a run: a queued or paused one at once, a running one at the crawl's next poll.
    Whatever it stored stays. Returns whether the run was still going."""
    with transaction.atomic():
        changed = CheckRun.objects.filter(pk=run.pk, state__in=constants.ACTIVE_RUN_STATES).update(
            state=RunState.CANCELLED, progress="已取消"
        )
        if changed and user is not None:
            audit.record(action="monitoring.run_cancelled", actor=user, obj=run)
    run.refresh_from_db()
    return bool(changed)


def resume(run, *, user=None):
    """Go on with a paused or failed run from its saved crawl state (a failed run without
    one starts its crawl again). Raises ``RunError`` for a run that is done, cancelled or
    still running."""
    if run.state not in (RunState.PAUSED, RunState.FAILED):
        raise RunError(f"检查任务处于“{run.get_state_display()}”状态，不能继续。")
    with transaction.atomic():
        CheckRun.objects.filter(pk=run.pk).update(state=RunState.QUEUED, error="")
        if user is not None:
            audit.record(action="monitoring.run_resumed", actor=user, obj=run)
        transaction.on_commit(lambda: _enqueue(run.pk))
    run.refresh_from_db()
    return run


def wording_terms():
    """The active dictionary as the crawler wants it, ``[(wrong, correct, category)]``."""
    return list(
        WordingTerm.objects.filter(active=True)
        .order_by("wrong")
        .values_list("wrong", "correct", "category")
    )


class _Watch:
    """The crawl's callbacks (the crawler calls them in this thread): progress written, the
    cancel flag read, each at most once per ``PROGRESS_INTERVAL``."""

    def __init__(self, run):
        self.run_pk = run.pk
        self.last_write = 0.0
        self.last_read = 0.0
        self.cancelled = False
        self.done = run.pages
        self.queued = run.pages_queued

    def progress(self, done, queued):
        self.done, self.queued = done, queued
        moment = time.monotonic()
        if moment - self.last_write < constants.PROGRESS_INTERVAL:
            return
        self.last_write = moment
        CheckRun.objects.filter(pk=self.run_pk).update(
            pages=done,
            pages_queued=queued,
            progress=f"已检查 {done} 页，待检查 {queued} 页",
            updated_at=timezone.now(),
        )

    def should_stop(self):
        moment = time.monotonic()
        if not self.cancelled and moment - self.last_read >= constants.PROGRESS_INTERVAL:
            self.last_read = moment
            self.cancelled = CheckRun.objects.filter(
                pk=self.run_pk, state=RunState.CANCELLED
            ).exists()
        return self.cancelled


def _claim(run, now):
    """queued/paused → running, once (two workers never run one slice twice)."""
    changed = CheckRun.objects.filter(
        pk=run.pk, state__in=(RunState.QUEUED, RunState.PAUSED)
    ).update(state=RunState.RUNNING, progress="检查中", updated_at=now)
    if changed:
        CheckRun.objects.filter(pk=run.pk, started_at__isnull=True).update(started_at=now)
    return bool(changed)


def _set_state(run, state, **fields):
    """Move a running run to ``state`` unless someone cancelled it meanwhile."""
    changed = CheckRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
        state=state, updated_at=timezone.now(), **fields
    )
    run.refresh_from_db()
    return bool(changed)


def _fail(run, exc):
    message = str(exc) or exc.__class__.__name__
    logger.exception("网站监测检查任务 %s 失败", run.pk)
    CheckRun.objects.filter(pk=run.pk).exclude(state=RunState.CANCELLED).update(
        state=RunState.FAILED,
        error=f"检查失败：{message}"[:2000],
        finished_at=timezone.now(),
        progress="失败",
    )
    run.refresh_from_db()


def _exceptions_by_term():
    return {
        term.wrong: term.exception_list
        for term in WordingTerm.objects.filter(active=True).exclude(exceptions="")
    }


def _excepted(finding, exceptions):
    """A wording hit that is only part of an allowed phrase (文化部 in 文化部门)."""
    allowed = exceptions.get(finding.target)
    if not allowed:
        return False
    text = finding.context or ""
    if finding.target not in text:
        return False
    masked = text
    for phrase in allowed:
        masked = masked.replace(phrase, "\0" * len(phrase))
    return finding.target not in masked


def _store_crawl(run, report, *, queued):
    """The crawl's findings so far (a resumed crawl's report holds every slice's) replace
    those stored by the previous slice."""
    exceptions = _exceptions_by_term()
    rows = [
        Finding.from_result(f, run=run, origin=FindingOrigin.CRAWL)
        for f in report.findings
        if not (f.kind == FindingKind.WORDING and _excepted(f, exceptions))
    ]
    with transaction.atomic():
        run.findings.filter(origin=FindingOrigin.CRAWL).delete()
        Finding.objects.bulk_create(rows, batch_size=1000)
        CheckRun.objects.filter(pk=run.pk).update(
            pages=report.pages,
            links_checked=report.links_checked,
            pages_queued=0 if report.finished else queued,
            updated_at=timezone.now(),
        )


def execute(run, *, now=None):
    """One slice of ``run`` (the task's body). Returns the run, refreshed."""
    now = now or timezone.now()
    run.refresh_from_db()
    if not _claim(run, now):
        return run
    run.refresh_from_db()
    site = run.site
    started = _clock()
    watch = _Watch(run)
    budget = max(0.0, site.max_seconds - run.crawl_seconds)
    slice_seconds = min(float(constants.SLICE_SECONDS), budget)
    try:
        report = _crawler().crawl(
            site.base_url,
            limits=site.limits(max_seconds=slice_seconds),
            wording=wording_terms(),
            state=run.crawl_state or None,
            progress=watch.progress,
            should_stop=watch.should_stop,
            fingerprint_prefix=site.base_url if site.is_own else None,
            fingerprint=tamper.fingerprint,
            today=timezone.localdate(now),
        )
    except Exception as exc:
        _fail(run, exc)
        return run
    spent = _clock() - started
    try:
        _store_crawl(run, report, queued=watch.queued)
    except Exception as exc:
        _fail(run, exc)
        return run
    CheckRun.objects.filter(pk=run.pk).update(
        crawl_seconds=run.crawl_seconds + spent,
        slices=run.slices + 1,
        stopped_because=report.stopped_because,
    )
    run.refresh_from_db()
    if report.stopped_because == "stopped" or run.state == RunState.CANCELLED:
        CheckRun.objects.filter(pk=run.pk).update(
            state=RunState.CANCELLED, finished_at=timezone.now(), progress="已取消"
        )
        run.refresh_from_db()
        return run
    more_time = run.crawl_seconds < site.max_seconds
    if not report.finished and report.stopped_because == "max_seconds" and more_time:
        paused = _set_state(
            run,
            RunState.PAUSED,
            crawl_state=report.state,
            progress=f"已检查 {report.pages} 页，分段继续中",
        )
        if paused:
            transaction.on_commit(lambda: _enqueue(run.pk))
        return run
    try:
        finish(run, report, now=timezone.now())
    except Exception as exc:
        _fail(run, exc)
    run.refresh_from_db()
    return run


def finish(run, report, *, now):
    """The judging of a run whose crawl is over (through, or stopped by a limit): freshness,
    own data, tamper comparison, score, alerts. Returns the ``SiteScore``."""
    site = run.site
    today = timezone.localdate(now)
    if site.is_own:
        columns = own_data.columns(site)
        home_newest = own_data.home_newest(site)
    else:
        columns = list(report.columns)
        home_newest = report.home_newest
    judged, freshness = scoring.judge_freshness(
        columns, home_newest=home_newest, today=today, home_url=site.base_url
    )
    extra = [(f, FindingOrigin.FRESHNESS) for f in freshness]
    if site.is_own:
        extra += [(f, FindingOrigin.OWN_DATA) for f in own_data.findings(site, now=now)]
    # Renders pages: outside the transaction below (it writes its own rows).
    extra += [
        (f, FindingOrigin.TAMPER) for f in tamper.check(site, report.fingerprints, run=run, now=now)
    ]
    serious = set(WordingTerm.objects.filter(serious=True).values_list("wrong", flat=True))
    week = availability(site, now=now)
    with transaction.atomic():
        run.findings.exclude(origin=FindingOrigin.CRAWL).delete()
        run.columns.all().delete()
        ColumnStatus.objects.bulk_create(
            [
                ColumnStatus(
                    run=run,
                    url=j.column.url[:2000],
                    name=(j.column.name or "")[:200],
                    kind=j.column.kind,
                    items=j.column.items,
                    newest=j.column.newest,
                    stale=j.stale,
                    empty=j.empty,
                )
                for j in judged
            ],
            batch_size=1000,
        )
        Finding.objects.bulk_create(
            [Finding.from_result(f, run=run, origin=origin) for f, origin in extra],
            batch_size=1000,
        )
        findings = [row.as_result() for row in run.findings.order_by("pk")]
        result = scoring.score(
            findings, availability=week, own_site=site.is_own, serious_terms=serious
        )
        score = SiteScore.objects.create(
            run=run,
            site=site,
            at=now,
            score=result.score,
            passed=result.passed,
            vetoes=result.vetoes,
            deductions=result.deductions,
        )
        done = _set_state(
            run,
            RunState.DONE,
            finished_at=now,
            home_newest=home_newest,
            crawl_state={},
            pages_queued=0,
            progress=f"已完成：检查 {report.pages} 页、{report.links_checked} 个链接",
        )
        if not done:
            # Cancelled while judging: no verdict.
            transaction.set_rollback(True)
            return None
        alerts.after_run(run, score)
    return score


def availability(site, *, days=constants.AVAILABILITY_DAYS, now=None):
    """The reachability tries of ``site`` in the last ``days`` days (``scoring.Availability``:
    total, failed, ``veto_fails`` at 5 % or more)."""
    now = now or timezone.now()
    probes = site.probes.filter(at__gt=now - datetime.timedelta(days=days), at__lte=now)
    total = probes.count()
    failed = probes.filter(ok=False).count()
    return scoring.Availability(total=total, failed=failed, days=days)


def _offset_seconds(site, interval):
    digest = hashlib.sha256(f"monitoring-probe-{site.pk}".encode()).hexdigest()
    return int(digest, 16) % max(1, int(interval))


def due_slot(site, now):
    """The latest scheduled try time of ``site`` at or before ``now``: the day (local time)
    is cut into ``tries_per_day`` equal intervals and each site tries at its own offset
    inside every interval."""
    interval = DAY_SECONDS / max(1, site.tries_per_day)
    offset = _offset_seconds(site, interval)
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = (local - midnight).total_seconds()
    k = math.floor((elapsed - offset) / interval)
    return midnight + datetime.timedelta(seconds=offset + k * interval)


def due_sites(now):
    """Active sites whose latest try time has come and that have not been tried since."""
    due = []
    for site in MonitoredSite.objects.filter(active=True).order_by("pk"):
        slot = due_slot(site, now)
        if not site.probes.filter(at__gte=slot).exists():
            due.append(site)
    return due


def probe_due_sites(now=None):
    """Try every due site once (in threads, 15 s each at most) and keep each try as a
    ``Probe``. Returns the probes stored."""
    now = now or timezone.now()
    sites = due_sites(now)
    if not sites:
        return []
    crawler = _crawler()

    def one(site):
        limits = site.limits()
        try:
            return crawler.probe(
                site.base_url,
                timeout=constants.PROBE_TIMEOUT_SECONDS,
                resolve=limits.resolve,
                user_agent=limits.user_agent,
            )
        except Exception as exc:  # a probe that breaks counts as a failed try
            logger.exception("连通性检测 %s 出错", site.base_url)
            from .results import Probe as ProbeResult

            return ProbeResult(url=site.base_url, ok=False, detail=str(exc)[:300])

    with ThreadPoolExecutor(max_workers=constants.PROBE_THREADS) as pool:
        outcomes = list(pool.map(one, sites))
    rows = [
        Probe(
            site=site,
            at=now,
            ok=outcome.ok,
            status=outcome.status,
            elapsed_ms=max(0, int(outcome.elapsed_ms or 0)),
            detail=(outcome.detail or "")[:300],
        )
        for site, outcome in zip(sites, outcomes, strict=True)
    ]
    return Probe.objects.bulk_create(rows)


def schedule_daily_runs(now=None):
    """A full check of every active site not checked in the last ``DAILY_RUN_MIN_HOURS``
    hours (nor being checked). Returns the runs queued."""
    now = now or timezone.now()
    since = now - datetime.timedelta(hours=constants.DAILY_RUN_MIN_HOURS)
    busy = CheckRun.objects.filter(
        Q(created_at__gte=since) | Q(state__in=constants.ACTIVE_RUN_STATES)
    ).values("site_id")
    queued = []
    for site in MonitoredSite.objects.filter(active=True).exclude(pk__in=busy).order_by("pk"):
        queued.append(start_run(site, now=now))
    return queued


def recover_stalled(now=None):
    """Runs left "running" by a worker that stopped (no progress for ``STALLED_MINUTES``)
    are marked failed, so the site can be checked again and the run resumed."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=constants.STALLED_MINUTES)
    return CheckRun.objects.filter(state=RunState.RUNNING, updated_at__lt=cutoff).update(
        state=RunState.FAILED,
        error="检查中断：长时间没有进展（工作进程可能已停止），可以继续检查。",
        progress="中断",
        updated_at=now,
    )


def prune_probes(now=None):
    """Reachability tries older than ``PROBE_RETENTION_DAYS`` go."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=constants.PROBE_RETENTION_DAYS)
    deleted, _ = Probe.objects.filter(at__lt=cutoff).delete()
    return deleted
