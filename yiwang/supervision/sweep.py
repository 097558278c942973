"""The recurring supervision job (``tasks.sweep_warnings``, every 5 minutes).

Its cost follows what changed, never the number of open cases; there is no timer per case:

(a) the hall clocks written since the last run (``Clock.updated_at``, indexed; every clock
    write sets it, bulk ones and the calendar recompute included), read again from the
    watermark less ``OVERLAP`` (a transaction that committed late is not missed; re-reading
    an unchanged clock writes nothing). A running, unpaused clock is upserted into
    ``WatchedClock``; a stopped or paused one leaves it (its warning cleared, and why);
(b) the watched rows whose ``next_change`` day has come (indexed): yellow on the warn
    date, red the day after the due date;
(c) the enabled anomaly rules over the case events recorded since the last run
    (``anomalies.apply``).

Every level change writes a ``WarningEvent``; a clock turning red gets one
``EscalationNotice`` (unique per clock and level) and its department's heads an SMS and an
e-mail after commit, one digest per head and run. The whole run is one transaction holding
the ``SweepState`` row, so two workers never sweep at once.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import anomalies, notify
from .constants import LEVEL_SHORT, ClockScope, Level, WarningEventKind
from .levels import Thresholds, level_on, scope_of, warn_date
from .models import SweepState, WarningEvent, WatchedClock

logger = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=2)
BATCH = 2000
STATE_PK = 1

CLOCK_FIELDS = (
    "pk",
    "case_id",
    "task_id",
    "kind",
    "label",
    "start_date",
    "limit_days",
    "extension_days",
    "paused_days",
    "paused_since",
    "pause_reason",
    "stopped_on",
    "due_date",
    "updated_at",
    "task__department_id",
    "case__department_id",
    "case__region_id",
    "case__number",
)
# The watched fields a clock's write can change (compared before writing anything).
COMPARED = (
    "case_id",
    "department_id",
    "region_id",
    "scope",
    "kind",
    "label",
    "start_date",
    "allowed_days",
    "paused_days",
    "warn_date",
    "due_date",
    "level",
    "next_change",
)
PAUSE_LABELS = {"correction": "补正", "special": "特别程序", "extension": "延期"}


def locked_state():
    state = SweepState.objects.select_for_update().filter(pk=STATE_PK).first()
    if state is None:
        SweepState.objects.get_or_create(pk=STATE_PK)
        state = SweepState.objects.select_for_update().get(pk=STATE_PK)
    return state


class Run:
    """One sweep's working state: the day, the thresholds, and what it wrote."""

    def __init__(self, *, today, now):
        self.today = today
        self.now = now
        self.thresholds = Thresholds()
        self.events = []
        self.turned_red = []
        self.summary = defaultdict(int)

    def event(self, row, before, after, reason=""):
        if after > before:
            kind = (
                WarningEventKind.RAISED_RED
                if after == Level.RED
                else WarningEventKind.RAISED_YELLOW
            )
            self.summary["raised_red" if after == Level.RED else "raised_yellow"] += 1
        elif after == Level.NONE:
            kind = WarningEventKind.CLEARED
            self.summary["cleared"] += 1
        else:
            kind = WarningEventKind.LOWERED
            self.summary["lowered"] += 1
        self.events.append(
            WarningEvent(
                case_id=row["case_id"],
                clock_id=row["clock_id"],
                department_id=row["department_id"],
                region_id=row["region_id"],
                label=row["label"][:100],
                kind=kind,
                level_before=before,
                level_after=after,
                day=self.today,
                at=self.now,
                reason=reason[:200],
                due_date=row.get("due_date"),
            )
        )
        if after == Level.RED:
            self.turned_red.append(row)

    def flush(self):
        if self.events:
            WarningEvent.objects.bulk_create(self.events, batch_size=BATCH)
            self.events = []
        if self.turned_red:
            notify.escalate(self.turned_red, now=self.now, summary=self.summary)
            self.turned_red = []


def watched_values(clock, run):
    """The ``WatchedClock`` fields of a running, unpaused clock (a ``values()`` row)."""
    scope = scope_of(clock["task_id"])
    department_id = (
        clock["task__department_id"]
        if scope == ClockScope.STEP and clock["task__department_id"]
        else clock["case__department_id"]
    )
    region_id = clock["case__region_id"]
    allowed = clock["limit_days"] + clock["extension_days"]
    due = clock["due_date"]
    warn = warn_date(
        start=clock["start_date"],
        allowed=allowed,
        paused=clock["paused_days"],
        due=due,
        percent=run.thresholds.percent(region_id, scope),
    )
    level, next_change = level_on(run.today, warn=warn, due=due)
    return {
        "clock_id": clock["pk"],
        "case_id": clock["case_id"],
        "department_id": department_id,
        "region_id": region_id,
        "scope": scope,
        "kind": clock["kind"],
        "label": clock["label"][:100],
        "start_date": clock["start_date"],
        "allowed_days": allowed,
        "paused_days": clock["paused_days"],
        "warn_date": warn,
        "due_date": due,
        "level": int(level),
        "next_change": next_change,
        "number": clock["case__number"] or "",
    }


def removal_reason(clock):
    if clock["stopped_on"] is not None:
        return "计时已停止（环节已完成或办件已终结）"
    label = PAUSE_LABELS.get(clock["pause_reason"], "")
    return f"暂停计时（{label}）" if label else "暂停计时"


def change_reason(old, new):
    if new["due_date"] != old["due_date"]:
        return f"截止日调整为 {new['due_date']:%Y-%m-%d}（延期、暂停后恢复或工作日历调整）"
    if new["warn_date"] != old["warn_date"]:
        return f"预警日调整为 {new['warn_date']:%Y-%m-%d}（预警阈值调整）"
    return "时限变化"


def sync_clocks(run, clocks):
    """Bring the watched rows of ``clocks`` (``values()`` rows) in line with them."""
    pks = [clock["pk"] for clock in clocks]
    existing = {
        row["clock_id"]: row
        for row in WatchedClock.objects.filter(pk__in=pks).values(
            "clock_id", "level_since", *COMPARED
        )
    }
    remove, write = [], []
    for clock in clocks:
        old = existing.get(clock["pk"])
        if clock["stopped_on"] is not None or clock["paused_since"] is not None:
            if old is not None:
                remove.append(clock["pk"])
                if old["level"] != Level.NONE:
                    run.event(old, old["level"], Level.NONE, removal_reason(clock))
            continue
        new = watched_values(clock, run)
        if old is not None and all(old[name] == new[name] for name in COMPARED):
            continue
        before = old["level"] if old is not None else Level.NONE
        if new["level"] != before:
            reason = change_reason(old, new) if old is not None and new["level"] < before else ""
            run.event(new, before, new["level"], reason)
        write.append((new, old, before))
    if remove:
        WatchedClock.objects.filter(pk__in=remove).delete()
        run.summary["rows_removed"] += len(remove)
    if write:
        # Delete and insert: two statements per batch on both databases (an UPDATE per row,
        # or Django's CASE-per-field bulk_update, costs far more at this size).
        WatchedClock.objects.filter(
            pk__in=[new["clock_id"] for new, old, _ in write if old]
        ).delete()
        WatchedClock.objects.bulk_create(
            [
                WatchedClock(
                    **{key: value for key, value in new.items() if key != "number"},
                    level_since=run.today
                    if new["level"] != before
                    else (old or {}).get("level_since", run.today),
                    updated_at=run.now,
                )
                for new, old, before in write
            ],
            batch_size=BATCH,
        )
        run.summary["rows_written"] += len(write)


def read_changed_clocks(run, since):
    """(a): the clocks written after ``since`` (all running ones on the first run), in
    keyset batches by ``(updated_at, pk)``. Returns the latest ``updated_at`` seen."""
    from yiwang.hall.models import Clock

    queryset = Clock.objects.all()
    if since is None:
        queryset = queryset.filter(stopped_on__isnull=True, paused_since__isnull=True)
    else:
        queryset = queryset.filter(updated_at__gt=since)
    latest, last_pk = None, 0
    while True:
        batch = queryset
        if latest is not None:
            batch = batch.filter(Q(updated_at__gt=latest) | Q(updated_at=latest, pk__gt=last_pk))
        rows = list(batch.order_by("updated_at", "pk").values(*CLOCK_FIELDS)[:BATCH])
        if not rows:
            break
        run.summary["clocks_read"] += len(rows)
        sync_clocks(run, rows)
        run.flush()
        latest, last_pk = rows[-1]["updated_at"], rows[-1]["pk"]
        if len(rows) < BATCH:
            break
    return latest


def advance_due_rows(run):
    """(b): the rows whose level-change day has come (or that a threshold change marked
    for today). The warn date is worked out again (the threshold may have changed); each
    write moves the row's ``next_change`` past today (or clears it, once red), so the loop
    ends."""
    for _ in range(100_000):
        rows = list(
            WatchedClock.objects.filter(next_change__lte=run.today).values(
                "clock_id",
                "case_id",
                "department_id",
                "region_id",
                "scope",
                "label",
                "start_date",
                "allowed_days",
                "paused_days",
                "warn_date",
                "due_date",
                "level",
                "case__number",
            )[:BATCH]
        )
        if not rows:
            return
        run.summary["due_read"] += len(rows)
        groups = defaultdict(list)
        for row in rows:
            warn = warn_date(
                start=row["start_date"],
                allowed=row["allowed_days"],
                paused=row["paused_days"],
                due=row["due_date"],
                percent=run.thresholds.percent(row["region_id"], row["scope"]),
            )
            level, next_change = level_on(run.today, warn=warn, due=row["due_date"])
            row["number"] = row.pop("case__number") or ""
            changed = level != row["level"]
            if changed:
                reason = "预警阈值调整" if level < row["level"] else ""
                run.event(row, row["level"], level, reason)
            groups[(int(level), next_change, warn, changed)].append(row["clock_id"])
        for (level, next_change, warn, changed), pks in groups.items():
            fields = {
                "level": level,
                "next_change": next_change,
                "warn_date": warn,
                "updated_at": run.now,
            }
            if changed:
                fields["level_since"] = run.today
            for i in range(0, len(pks), 500):
                WatchedClock.objects.filter(pk__in=pks[i : i + 500]).update(**fields)
        run.flush()


def sweep(*, today=None, now=None, progress=None):
    """Run the supervision sweep for ``today`` (default: today in Asia/Shanghai) at ``now``.
    Returns a summary (JSON-serializable): rows read and written, levels raised and
    cleared, notices sent, anomalies found."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    run = Run(today=today, now=now)
    with transaction.atomic():
        state = locked_state()
        since = state.clocks_until - OVERLAP if state.clocks_until else None
        latest = read_changed_clocks(run, since)
        if progress is not None:
            progress("clocks", run.summary["clocks_read"])
        advance_due_rows(run)
        if progress is not None:
            progress("due", run.summary["due_read"])
        state.events_until = anomalies.apply(run, state.events_until, overlap=OVERLAP)
        if latest is not None and (state.clocks_until is None or latest > state.clocks_until):
            state.clocks_until = latest
        elif state.clocks_until is None:
            state.clocks_until = now
        summary = {key: run.summary[key] for key in sorted(run.summary)}
        summary["day"] = today.isoformat()
        state.last_run_at = now
        state.last_day = today
        state.last_summary = summary
        state.save()
    return summary


def level_label(level):
    return LEVEL_SHORT[Level(level)]
