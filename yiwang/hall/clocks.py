"""Working-day clocks of cases and steps (CONTRACT — owner: helper "clocks").

A ``Clock``'s due date is always derived — ``workdays.add_working_days(start_date,
limit_days + extension_days + paused_days)`` with the open pause counted too — so
``recompute`` gives the same answer however often it runs, and a calendar change moves every
running case's due dates (``recompute_running``, from the ``working_calendar_changed``
receiver through a task). Days are dates in Asia/Shanghai; the start day is not counted.

Which clocks a case has (limits from the implementation, defaults from STANDARDS.md):
- the acceptance step: statutory 5 working days from submission (``accept`` task);
- the case, from acceptance: statutory (``statutory_limit_days``, else 20, 45 for joint
  approval) and promised (``promised_limit_days`` when set);
- each review/decide step: the catalog's ``ProcessStep.time_limit_days`` when one matches,
  else none;
- delivery: statutory 10 working days from the decision;
- 即办件: due the same day.
Corrections, special procedures and approved extensions pause the clocks.

Conventions of a pause (docs/hall-clocks.md): a clock paused on day P and resumed on day R
has used the working days up to and including P; the days after P up to and including R
are not counted (``working_days_between(P, R)``, 0 when P == R), so counting restarts the
day after the resubmission, as it starts the day after submission. While a clock is paused
its due date is "not running": it is the date it would have if it resumed today, so it
moves forward with every working day of the pause (``recompute`` on a later day, or
``summary``). Filters for overdue clocks must leave paused ones out (``paused_since`` set).
One pause is open per clock at a time; another reason while paused adds its own
``ClockPause`` row (for the record) but no further days.
"""

import logging
import math
from collections import defaultdict
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.core import workdays

from .constants import ClockKind, PauseReason, ProcessTemplate, Step, TaskState
from .models import Clock, ClockPause

logger = logging.getLogger(__name__)

ACCEPTANCE_LIMIT_DAYS = 5
DECISION_LIMIT_DAYS = 20
JOINT_DECISION_LIMIT_DAYS = 45
DELIVERY_LIMIT_DAYS = 10

ACCEPT_LABEL = "受理"
CASE_LABEL = "办结"
DELIVER_LABEL = "送达"
HANDLE_LABEL = "即办"

BATCH_SIZE = 2000
# Primary keys per UPDATE (SQLite allows 999 parameters in older builds).
UPDATE_CHUNK = 500

STATE_NORMAL = "正常"
STATE_OVERDUE = "已超期"
STATE_STOPPED = "已停止"


def _day(value):
    if value is None:
        return timezone.localdate()
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _open_pause_days(clock, today):
    if clock.paused_since is None or clock.stopped_on is not None:
        return 0
    return max(0, workdays.working_days_between(clock.paused_since, today).days)


def _derived(clock, today):
    """``(due_date, provisional)`` of ``clock`` as its data say on ``today``."""
    total = (
        clock.limit_days + clock.extension_days + clock.paused_days + _open_pause_days(clock, today)
    )
    deadline = workdays.add_working_days(clock.start_date, total)
    return deadline.date, deadline.provisional


def _apply(clock, today, version):
    """Set the derived fields on ``clock``; returns (due date changed, anything changed)."""
    due, provisional = _derived(clock, today)
    due_changed = due != clock.due_date or provisional != clock.due_is_provisional
    changed = due_changed or version != clock.calendar_version
    clock.due_date, clock.due_is_provisional, clock.calendar_version = due, provisional, version
    return due_changed, changed


DERIVED_FIELDS = ["due_date", "due_is_provisional", "calendar_version"]


def start(*, case, kind, label, limit_days, start_date, task=None):
    """Start a clock. Returns it (saved)."""
    start_date = _day(start_date)
    clock = Clock(
        case=case,
        task=task,
        kind=kind,
        label=label,
        start_date=start_date,
        limit_days=max(0, int(limit_days)),
    )
    table = workdays.get_table()
    clock.due_date, clock.due_is_provisional = _derived(clock, start_date)
    clock.calendar_version = table.version
    clock.save()
    return clock


def _running(case):
    # By primary key: the model's ordering (by task) would join, and PostgreSQL cannot lock
    # the nullable side of an outer join.
    return Clock.objects.filter(case=case, stopped_on__isnull=True).order_by("pk")


def _find_open(case, *, task, label):
    return _running(case).filter(task=task, label=label).first()


def on_submitted(case, day):
    """Clocks for a submitted case (the acceptance step's)."""
    day = _day(day)
    tasks = list(case.tasks.filter(state__in=(TaskState.OPEN, TaskState.CLAIMED)))
    for task in tasks:
        on_task_opened(task, day)
    if not any(task.step in (Step.ACCEPT, Step.HANDLE) for task in tasks):
        # No acceptance task (yet): a case-level acceptance clock, which the accept task
        # takes over when it opens.
        if not _running(case).filter(label=ACCEPT_LABEL).exists():
            start(
                case=case,
                kind=ClockKind.STATUTORY,
                label=ACCEPT_LABEL,
                limit_days=ACCEPTANCE_LIMIT_DAYS,
                start_date=day,
            )


# The guide's step limits per (implementation, version): {step name: working days}. A
# published implementation changes only by a new version, so an entry never goes stale;
# the cache is bounded by dropping it whole when it grows large.
_STEP_LIMITS = {}
_STEP_LIMITS_MAX = 2048


def _step_limits(case):
    key = (case.implementation_id, case.implementation_version)
    limits = _STEP_LIMITS.get(key)
    if limits is None:
        from yiwang.catalog.models import ProcessStep

        limits = {
            name: math.ceil(days)
            for name, days in ProcessStep.objects.filter(
                implementation_id=case.implementation_id, time_limit_days__isnull=False
            ).values_list("name", "time_limit_days")
        }
        if len(_STEP_LIMITS) >= _STEP_LIMITS_MAX:
            _STEP_LIMITS.clear()
        _STEP_LIMITS[key] = limits
    return limits


def _process_step_limit(task):
    limits = _step_limits(task.case)
    for name in (task.name, Step(task.step).label):
        if name in limits:
            return limits[name]
    return None


def _special_procedure(task):
    implementation = task.case.implementation
    procedures = list(implementation.special_procedures.all())
    if not procedures:
        return None
    process = task.case.process
    wanted = [task.name]
    if process is not None and process.parameters.get("special_name"):
        wanted.append(process.parameters["special_name"])
    for name in wanted:
        for procedure in procedures:
            if procedure.name == name:
                return procedure
    return procedures[0] if len(procedures) == 1 else None


def on_task_opened(task, day, *, new=False):
    """Clocks of a newly opened task; a ``special`` task pauses the case's clocks. ``new``:
    the task row was just created, so it cannot have clocks yet (saves a query)."""
    day = _day(day)
    case = task.case
    if not new and Clock.objects.filter(task=task).exists():
        return
    if task.step == Step.ACCEPT:
        existing = _find_open(case, task=None, label=ACCEPT_LABEL)
        if existing is not None:
            existing.task = task
            existing.save(update_fields=["task", "updated_at"])
            return
        start(
            case=case,
            kind=ClockKind.STATUTORY,
            label=ACCEPT_LABEL,
            limit_days=ACCEPTANCE_LIMIT_DAYS,
            start_date=day,
            task=task,
        )
    elif task.step == Step.HANDLE:
        existing = _find_open(case, task=None, label=ACCEPT_LABEL)
        if existing is not None:
            existing.delete()
        start(
            case=case,
            kind=ClockKind.PROMISED,
            label=HANDLE_LABEL,
            limit_days=0,
            start_date=day,
            task=task,
        )
    elif task.step in (Step.REVIEW, Step.DECIDE):
        limit = _process_step_limit(task)
        if limit is not None:
            start(
                case=case,
                kind=ClockKind.PROMISED,
                label=task.name,
                limit_days=limit,
                start_date=day,
                task=task,
            )
    elif task.step == Step.DELIVER:
        start(
            case=case,
            kind=ClockKind.STATUTORY,
            label=DELIVER_LABEL,
            limit_days=DELIVERY_LIMIT_DAYS,
            start_date=day,
            task=task,
        )
    elif task.step == Step.SPECIAL:
        procedure = _special_procedure(task)
        if procedure is None or not procedure.counts_in_limit:
            pause(case, PauseReason.SPECIAL, day)
        if procedure is not None and procedure.time_limit_days:
            start(
                case=case,
                kind=ClockKind.STATUTORY,
                label=task.name or procedure.name,
                limit_days=procedure.time_limit_days,
                start_date=day,
                task=task,
            )


def _stop(clock, day):
    _close_pauses(clock, day, reason=None)
    clock.stopped_on = day
    clock.save()


def _stop_all_of(clocks, day):
    """Stop ``clocks``: the running ones (no open pause: a clock without ``paused_since``
    has none) in one UPDATE, the paused ones one by one with their pauses closed."""
    running = [clock for clock in clocks if clock.paused_since is None]
    if running:
        Clock.objects.filter(pk__in=[clock.pk for clock in running]).update(
            stopped_on=day, updated_at=timezone.now()
        )
        for clock in running:
            clock.stopped_on = day
    for clock in clocks:
        if clock.paused_since is not None:
            _stop(clock, day)


def on_task_closed(task, day):
    """Stop the task's clocks; a closed ``special`` task resumes the case's clocks."""
    day = _day(day)
    _stop_all_of(list(Clock.objects.filter(task=task, stopped_on__isnull=True).order_by("pk")), day)
    if task.step == Step.SPECIAL:
        resume(task.case, day, reason=PauseReason.SPECIAL)


def on_accepted(case, day):
    """Start the case's statutory and promised clocks."""
    day = _day(day)
    implementation = case.implementation
    joint = case.process is not None and case.process.template == ProcessTemplate.JOINT
    statutory = implementation.statutory_limit_days
    if joint:
        statutory = max(statutory or 0, JOINT_DECISION_LIMIT_DAYS)
    elif not statutory:
        statutory = DECISION_LIMIT_DAYS
    limits = [(ClockKind.STATUTORY, statutory)]
    if implementation.promised_limit_days is not None:
        limits.append((ClockKind.PROMISED, implementation.promised_limit_days))
    # A special procedure already under way (a custom process may open one right after
    # acceptance) holds the new clocks too.
    specials = case.tasks.filter(step=Step.SPECIAL, state__in=(TaskState.OPEN, TaskState.CLAIMED))
    holding = any(
        (procedure := _special_procedure(task)) is None or not procedure.counts_in_limit
        for task in specials
    )
    for kind, limit in limits:
        if _running(case).filter(task=None, kind=kind, label=CASE_LABEL).exists():
            continue
        clock = start(case=case, kind=kind, label=CASE_LABEL, limit_days=limit, start_date=day)
        if holding:
            _pause_clock(clock, PauseReason.SPECIAL, day, clock.calendar_version)


def _pause_clock(clock, reason, day, version):
    if clock.pauses.filter(reason=reason, end_date__isnull=True).exists():
        return
    ClockPause.objects.create(clock=clock, reason=reason, start_date=day)
    if clock.paused_since is None:
        clock.paused_since = day
        clock.pause_reason = reason
        _apply(clock, day, version)
        clock.save()


def pause(case, reason, day):
    """Pause every running clock of ``case`` (``PauseReason``)."""
    day = _day(day)
    reason = PauseReason(reason)
    version = workdays.get_table().version
    for clock in _running(case).select_for_update():
        _pause_clock(clock, reason, day, version)


def _close_pauses(clock, day, *, reason):
    """End ``clock``'s open pauses (of ``reason``, or all); when none stays open the clock
    runs again, its paused days increased by the working days of the pause."""
    open_pauses = clock.pauses.filter(end_date__isnull=True)
    if reason is not None:
        open_pauses.filter(reason=reason).update(end_date=day)
    else:
        open_pauses.update(end_date=day)
    if clock.paused_since is None:
        return False
    remaining = clock.pauses.filter(end_date__isnull=True).order_by("start_date", "pk").first()
    if remaining is not None:
        clock.pause_reason = remaining.reason
        return True
    clock.paused_days += max(0, workdays.working_days_between(clock.paused_since, day).days)
    clock.paused_since = None
    clock.pause_reason = ""
    _apply(clock, day, workdays.get_table().version)
    return True


def resume(case, day, *, reason=None):
    """End the open pauses of ``case``'s clocks; due dates move by the paused working days.
    With ``reason``, only pauses of that reason end (a clock still paused for another
    reason stays paused)."""
    day = _day(day)
    if reason is not None:
        reason = PauseReason(reason)
    for clock in _running(case).filter(paused_since__isnull=False).select_for_update():
        if _close_pauses(clock, day, reason=reason):
            clock.save()


def extend(case, days, day):
    """Add an approved extension to the case's statutory clock."""
    day = _day(day)
    days = int(days)
    if days <= 0:
        return None
    clock = _running(case).filter(task=None, kind=ClockKind.STATUTORY).first()
    if clock is None:
        return None
    clock.extension_days += days
    _apply(clock, day, workdays.get_table().version)
    clock.save()
    return clock


def stop_all(case, day):
    """Stop every clock of a case that ended (completed, refused, withdrawn)."""
    day = _day(day)
    _stop_all_of(list(_running(case).select_for_update()), day)


def recompute(clock, *, today=None):
    """Recompute ``clock.due_date`` (and whether it is provisional) from its data; saves
    only when it changed. Returns True when it changed."""
    due_changed, changed = _apply(clock, _day(today), workdays.get_table().version)
    if changed:
        clock.save(update_fields=[*DERIVED_FIELDS, "updated_at"])
    return due_changed


def recompute_running(*, start=None, end=None, progress=None):
    """Recompute every running clock whose span touches ``start``–``end`` (all running ones
    when not given), in batches. Returns how many due dates changed.

    A running clock's span is from its start day to its due date; a paused clock's due date
    moves with today, so every paused one is included. Batches go by primary key (each a
    short transaction, rows locked on PostgreSQL so a transition waits for it), so the cost
    is O(running clocks in the range) with O(1) working-day lookups each; changed rows are
    written with one UPDATE per new due date in the batch. ``progress`` is
    called as ``progress(processed, changed)`` after each batch."""
    if isinstance(start, str):
        start = date.fromisoformat(start)
    if isinstance(end, str):
        end = date.fromisoformat(end)
    today = timezone.localdate()
    version = workdays.get_table().version
    queryset = Clock.objects.filter(stopped_on__isnull=True)
    if end is not None:
        queryset = queryset.filter(start_date__lte=end)
    if start is not None:
        queryset = queryset.filter(Q(due_date__gte=start) | Q(paused_since__isnull=False))
    queryset = queryset.only(
        "pk",
        "start_date",
        "limit_days",
        "extension_days",
        "paused_days",
        "paused_since",
        "stopped_on",
        *DERIVED_FIELDS,
    ).order_by("pk")
    last_pk, processed, changed_count = 0, 0, 0
    while True:
        with transaction.atomic():
            batch = queryset.filter(pk__gt=last_pk).select_for_update()[:BATCH_SIZE]
            # Rows with the same new due date are updated together: a batch has a few
            # hundred distinct dates at most, so a few hundred short UPDATEs (Django's
            # bulk_update writes one CASE over the whole batch, quadratic on SQLite).
            dirty, seen = defaultdict(list), 0
            for clock in batch.iterator(chunk_size=BATCH_SIZE):
                seen += 1
                last_pk = clock.pk
                try:
                    due_changed, changed = _apply(clock, today, version)
                except workdays.OutsideCalendar:
                    logger.warning("时限 %s 超出工作日历范围，未重新计算", clock.pk)
                    continue
                if changed:
                    dirty[(clock.due_date, clock.due_is_provisional)].append(clock.pk)
                changed_count += due_changed
            for (due, provisional), pks in dirty.items():
                for i in range(0, len(pks), UPDATE_CHUNK):
                    Clock.objects.filter(pk__in=pks[i : i + UPDATE_CHUNK]).update(
                        due_date=due,
                        due_is_provisional=provisional,
                        calendar_version=version,
                        updated_at=timezone.now(),
                    )
        processed += seen
        if progress is not None and seen:
            progress(processed, changed_count)
        if seen < BATCH_SIZE:
            break
    return changed_count


def _state(clock, *, paused, overdue):
    if clock.stopped_on is not None:
        return STATE_STOPPED
    if paused:
        if clock.pause_reason:
            return f"暂停计时（{PauseReason(clock.pause_reason).label}）"
        return "暂停计时"
    if overdue:
        return STATE_OVERDUE
    return STATE_NORMAL


def describe(clock, *, today=None):
    """One clock as ``summary`` gives it."""
    today = _day(today)
    end = clock.stopped_on or today
    paused = clock.stopped_on is None and clock.paused_since is not None
    if paused:
        due, provisional = _derived(clock, today)
        counted_until = min(clock.paused_since, end)
    else:
        due, provisional = clock.due_date, clock.due_is_provisional
        counted_until = end
    used = workdays.working_days_between(clock.start_date, counted_until).days
    used = max(0, used - clock.paused_days)
    allowed = clock.limit_days + clock.extension_days
    overdue = (end > due) if not paused else (allowed - used < 0)
    return {
        "clock": clock,
        "label": clock.label,
        "kind": clock.kind,
        "kind_label": ClockKind(clock.kind).label,
        "task": clock.task,
        "task_name": clock.task.name if clock.task_id else "",
        "start": clock.start_date,
        "due": due,
        "provisional": provisional,
        "limit_days": clock.limit_days,
        "extension_days": clock.extension_days,
        "paused_days": clock.paused_days,
        "used": used,
        "remaining": allowed - used,
        "paused": paused,
        "paused_since": clock.paused_since if paused else None,
        "pause_reason": clock.pause_reason if paused else "",
        "pause_reason_label": PauseReason(clock.pause_reason).label
        if paused and clock.pause_reason
        else "",
        "overdue": overdue,
        "stopped": clock.stopped_on is not None,
        "stopped_on": clock.stopped_on,
        "state": _state(clock, paused=paused, overdue=overdue),
    }


def summary(case, *, today=None):
    """For pages: one dict per clock — label, kind, start, due, provisional, used and
    remaining working days, paused (and why), overdue, stopped.

    Keys: ``label``, ``kind`` / ``kind_label`` (法定时限/承诺时限), ``task`` /
    ``task_name`` (empty for the case's own clocks), ``start``, ``due`` (a paused clock's as
    if it resumed ``today``), ``provisional`` (show 暂定), ``limit_days``,
    ``extension_days``, ``paused_days``, ``used``, ``remaining`` (negative when overdue),
    ``paused``, ``paused_since``, ``pause_reason`` / ``pause_reason_label``, ``overdue``
    (a stopped clock: stopped after its due date), ``stopped``, ``stopped_on``, ``state``
    (正常 / 暂停计时（补正） / 已超期 / 已停止) and ``clock``. The case's clocks first
    (statutory before promised), then the steps' in the order they started."""
    today = _day(today)
    clocks = Clock.objects.filter(case=case).select_related("task")
    order = {ClockKind.STATUTORY: 0, ClockKind.PROMISED: 1}
    clocks = sorted(
        clocks,
        key=lambda c: (c.task_id is not None, c.start_date, order.get(c.kind, 2), c.pk),
    )
    return [describe(clock, today=today) for clock in clocks]
