"""Keeping the summary table (``MonthlyCell``) equal to what the raw cases say.

Definitions (docs/statistics.md has the long form):

- A case is *received* in the month (Asia/Shanghai) of ``submitted_at``; drafts never count.
- It *ends* in the month of ``completed_at``: ``completed`` (办结, status COMPLETED),
  ``refused`` (不予受理) or ``withdrawn`` (撤回) — the hall sets ``completed_at`` for all three.
- The *binding clock* of a completed case is its case-level promised clock (label 办结), else
  its case-level statutory clock, else the on-the-spot clock (即办) of a 即办件.
- *Working days taken* = working days in ``(start_date, stopped_on]`` of the binding clock
  minus its ``paused_days`` (corrections, special procedures), never below 0.
- *On time*: the binding clock stopped on or before its ``due_date``.
- ``timed`` counts the completed cases that have a binding clock: the denominator of the
  on-time rate and of the average days.
- ``accepted`` / ``accepted_completed``: of the cases received in the month, those accepted
  (``accepted_at`` set) and, of those, the ones now completed: the completion rate's parts.

Refreshing. Every hall transition saves ``Case.updated_at``. ``refresh()`` reads the cases
updated since the watermark (less ``OVERLAP``, for transactions still open when the last run
read), maps each to its cells (its submission month and its end month, with its department
and implementation), and recomputes exactly those cells from the raw rows with a GROUP BY
restricted to them: delete the rows, insert the new ones. The cost is the changed cells'
cases, not all cases; running it twice changes nothing. ``rebuild()`` recomputes everything,
in slices of primary keys (with progress), and replaces the table in one transaction.

Working days are counted in SQL against ``WorkingDayIndex``. A change of the calendar
(``working_calendar_changed``, with the first changed day) rebuilds that table and the
months from the changed day's month on (``calendar_changed``); a refresh that finds the table
built from another calendar version does a full rebuild.
"""

import logging
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from yiwang.core import workdays
from yiwang.hall.clocks import CASE_LABEL, HANDLE_LABEL
from yiwang.hall.constants import CaseStatus, Channel, ClockKind
from yiwang.hall.models import Case, Clock

from .models import (
    BUCKETS,
    CLOSED_FIELDS,
    MEASURE_FIELDS,
    RECEIVED_FIELDS,
    MonthlyCell,
    RefreshState,
    WorkingDayIndex,
)

logger = logging.getLogger(__name__)

# Re-read cases updated this long before the last run's start: a transaction that saved a
# case before the last run read, and committed after, is picked up by the next one.
OVERLAP = timedelta(minutes=5)
# Primary keys per slice of a rebuild.
REBUILD_SLICE = 250_000
# Ids per IN list (SQLite's parameter limit).
IN_CHUNK = 500
INSERT_BATCH = 500

KEY_SIZE = 4  # month, region, department, implementation


# --- months ---------------------------------------------------------------------------------


def local_zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def month_of(value):
    """The first day of the local month of a datetime (or date)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value, local_zone()).date()
    return value.replace(day=1)


def next_month(month):
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_bounds(month):
    """Aware datetimes ``[start, end)`` of the local month."""
    zone = local_zone()
    start = datetime.combine(month, time.min, tzinfo=zone)
    return start, datetime.combine(next_month(month), time.min, tzinfo=zone)


def _month_sql(column):
    """SQL for the first day of the local month of a timestamp column."""
    if connection.vendor == "postgresql":
        zone = local_zone().key.replace("'", "")
        return f"CAST(date_trunc('month', {column} AT TIME ZONE '{zone}') AS date)"
    # SQLite keeps timestamps as UTC text. China keeps one offset all year (no daylight
    # saving since 1991), so a fixed shift is exact for Asia/Shanghai.
    offset = int(timezone.now().astimezone(local_zone()).utcoffset().total_seconds() // 60)
    return f"strftime('%%Y-%%m-01', {column}, '{offset:+d} minutes')"


def _as_date(value):
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _dt(value):
    return connection.ops.adapt_datetimefield_value(value)


# --- the working-day index -------------------------------------------------------------------


def rebuild_day_index():
    """Fill ``WorkingDayIndex`` from the platform's calendar; returns its version."""
    table = workdays.ensure_current()
    rows = [
        WorkingDayIndex(day=table.first + timedelta(days=i), ordinal=count)
        for i, count in enumerate(table.cumulative)
    ]
    with transaction.atomic():
        WorkingDayIndex.objects.all().delete()
        WorkingDayIndex.objects.bulk_create(rows, batch_size=2000)
    return table.version


# --- the GROUP BYs --------------------------------------------------------------------------


def _received_sql(where):
    case = Case._meta.db_table
    month = _month_sql("c.submitted_at")
    sql = f"""
        SELECT {month}, c.region_id, c.department_id, c.implementation_id,
            COUNT(*),
            SUM(CASE WHEN c.channel = %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN c.accepted_at IS NOT NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN c.accepted_at IS NOT NULL AND c.status = %s THEN 1 ELSE 0 END)
        FROM {case} c
        WHERE c.submitted_at IS NOT NULL AND {where}
        GROUP BY 1, 2, 3, 4"""
    return sql, [Channel.ONLINE.value, CaseStatus.COMPLETED.value]


def _closed_sql(where):
    case = Case._meta.db_table
    clock = Clock._meta.db_table
    days_table = WorkingDayIndex._meta.db_table
    month = _month_sql("c.completed_at")
    buckets = []
    for _low, high in BUCKETS:
        test = "d.days >= %s" if high is None else "d.days BETWEEN %s AND %s"
        buckets.append(f"SUM(CASE WHEN d.days IS NOT NULL AND {test} THEN 1 ELSE 0 END)")
    bucket_params = [v for low, high in BUCKETS for v in ((low,) if high is None else (low, high))]
    # The binding clock: promised, else statutory (both case-level, label 办结), else 即办.
    pick = "CASE WHEN p.id IS NOT NULL THEN p.{f} WHEN s.id IS NOT NULL THEN s.{f} ELSE h.{f} END"
    sql = f"""
        SELECT d.month, d.region_id, d.department_id, d.implementation_id,
            SUM(CASE WHEN d.status = %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN d.status = %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN d.status = %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN d.days IS NOT NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN d.days IS NOT NULL AND d.stop_day <= d.due_day THEN 1 ELSE 0 END),
            SUM(CASE WHEN d.days IS NOT NULL THEN d.days ELSE 0 END),
            SUM(CASE WHEN d.status = %s THEN d.correction_rounds ELSE 0 END),
            {", ".join(buckets)}
        FROM (
            SELECT b.month, b.region_id, b.department_id, b.implementation_id, b.status,
                b.correction_rounds, b.stop_day, b.due_day,
                CASE WHEN b.status = %s AND b.stop_day IS NOT NULL
                          AND e.ordinal IS NOT NULL AND f.ordinal IS NOT NULL THEN
                    CASE WHEN e.ordinal - f.ordinal - b.paused < 0 THEN 0
                         ELSE e.ordinal - f.ordinal - b.paused END
                END AS days
            FROM (
                SELECT {month} AS month, c.region_id, c.department_id, c.implementation_id,
                    c.status, c.correction_rounds,
                    {pick.format(f="start_date")} AS start_day,
                    {pick.format(f="stopped_on")} AS stop_day,
                    {pick.format(f="due_date")} AS due_day,
                    {pick.format(f="paused_days")} AS paused
                FROM {case} c
                LEFT JOIN {clock} p ON p.case_id = c.id AND p.task_id IS NULL
                    AND p.label = %s AND p.kind = %s AND p.stopped_on IS NOT NULL
                LEFT JOIN {clock} s ON s.case_id = c.id AND s.task_id IS NULL
                    AND s.label = %s AND s.kind = %s AND s.stopped_on IS NOT NULL
                LEFT JOIN {clock} h ON h.case_id = c.id AND h.label = %s
                    AND h.stopped_on IS NOT NULL
                WHERE c.completed_at IS NOT NULL AND c.status IN (%s, %s, %s) AND {where}
            ) b
            LEFT JOIN {days_table} f ON f.day = b.start_day
            LEFT JOIN {days_table} e ON e.day = b.stop_day
        ) d
        GROUP BY 1, 2, 3, 4"""
    statuses = [CaseStatus.COMPLETED.value, CaseStatus.REFUSED.value, CaseStatus.WITHDRAWN.value]
    params = [
        *statuses,
        CaseStatus.COMPLETED.value,
        *bucket_params,
        CaseStatus.COMPLETED.value,
        CASE_LABEL,
        ClockKind.PROMISED.value,
        CASE_LABEL,
        ClockKind.STATUTORY.value,
        HANDLE_LABEL,
        *statuses,
    ]
    return sql, params


def _aggregate(into, *, received_where, received_params, closed_where, closed_params):
    """Add the cells of the cases matching the conditions to ``into`` ({key: [measures]})."""
    parts = (
        (_received_sql, received_where, received_params, 0, len(RECEIVED_FIELDS)),
        (_closed_sql, closed_where, closed_params, len(RECEIVED_FIELDS), len(CLOSED_FIELDS)),
    )
    with connection.cursor() as cursor:
        for build, where, params, offset, _width in parts:
            if where is None:
                continue
            sql, head = build(where)
            cursor.execute(sql, head + list(params))
            for row in cursor.fetchall():
                key = (_as_date(row[0]), row[1], row[2], row[3])
                values = into.get(key)
                if values is None:
                    values = into[key] = [0] * len(MEASURE_FIELDS)
                for i, value in enumerate(row[KEY_SIZE:]):
                    values[offset + i] += int(value or 0)
    return into


def _cells(aggregated):
    return [
        MonthlyCell(
            month=month,
            region_id=region_id,
            department_id=department_id,
            implementation_id=implementation_id,
            **dict(zip(MEASURE_FIELDS, values, strict=True)),
        )
        for (month, region_id, department_id, implementation_id), values in aggregated.items()
        if any(values)
    ]


def _in(column, ids):
    ids = sorted(ids)
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


# --- state ----------------------------------------------------------------------------------


def state(*, lock=False):
    queryset = RefreshState.objects.filter(pk=1)
    if lock:
        queryset = queryset.select_for_update()
    found = queryset.first()
    if found is None:
        RefreshState.objects.get_or_create(pk=1)
        found = queryset.first()
    return found


# --- rebuilding -----------------------------------------------------------------------------


def _rebuild(*, since_month=None, progress=None):
    """Recompute every cell (of ``since_month`` and later) from raw, slice by slice of case
    primary keys; replace the rows. Returns the number of cells written."""
    bounds = Case.objects.filter(submitted_at__isnull=False)
    first = bounds.order_by("pk").values_list("pk", flat=True).first()
    last = bounds.order_by("-pk").values_list("pk", flat=True).first()
    aggregated = {}
    if first is not None:
        total = last - first + 1
        low = first
        while low <= last:
            high = min(last, low + REBUILD_SLICE - 1)
            received_where, closed_where = "c.id BETWEEN %s AND %s", "c.id BETWEEN %s AND %s"
            received_params, closed_params = [low, high], [low, high]
            if since_month is not None:
                start, _end = month_bounds(since_month)
                received_where += " AND c.submitted_at >= %s"
                closed_where += " AND c.completed_at >= %s"
                received_params.append(_dt(start))
                closed_params.append(_dt(start))
            _aggregate(
                aggregated,
                received_where=received_where,
                received_params=received_params,
                closed_where=closed_where,
                closed_params=closed_params,
            )
            if progress is not None:
                progress(high - first + 1, total)
            low = high + 1
    cells = _cells(aggregated)
    with transaction.atomic():
        existing = MonthlyCell.objects.all()
        if since_month is not None:
            existing = existing.filter(month__gte=since_month)
        existing.delete()
        MonthlyCell.objects.bulk_create(cells, batch_size=INSERT_BATCH)
    return len(cells)


def rebuild(*, progress=None):
    """Rebuild the whole summary (and the working-day index) from the raw cases.
    ``progress(done, total)`` is called after each slice of case ids. Returns the number of
    cells."""
    started = timezone.now()
    version = rebuild_day_index()
    count = _rebuild(progress=progress)
    with transaction.atomic():
        current = state(lock=True)
        current.case_watermark = started
        current.calendar_version = version
        current.last_rebuild_at = timezone.now()
        current.save()
    return count


def calendar_changed(*, start=None, progress=None):
    """The working-day calendar changed from ``start`` on (a date; None: anywhere):
    rebuild the working-day index and the months from ``start``'s month on (the working
    days of a case end in the month it ended, and only spans that reach ``start`` change).
    Returns the number of cells rewritten."""
    if start is None:
        return rebuild(progress=progress)
    version = rebuild_day_index()
    count = _rebuild(since_month=month_of(start), progress=progress)
    with transaction.atomic():
        current = state(lock=True)
        current.calendar_version = version
        current.save(update_fields=["calendar_version"])
    return count


# --- the incremental refresh ------------------------------------------------------------------


def dirty_cells(since):
    """``{month: (department ids, implementation ids)}`` of the cases updated after
    ``since``: each case's submission month and end month."""
    dirty = defaultdict(lambda: (set(), set()))
    changed = Case.objects.filter(updated_at__gt=since, submitted_at__isnull=False).values_list(
        "submitted_at", "completed_at", "department_id", "implementation_id"
    )
    for submitted_at, completed_at, department_id, implementation_id in changed.iterator(
        chunk_size=5000
    ):
        for moment in (submitted_at, completed_at):
            if moment is not None:
                departments, implementations = dirty[month_of(moment)]
                departments.add(department_id)
                implementations.add(implementation_id)
    return dirty


def recompute_cells(month, department_ids, implementation_ids):
    """Recompute every cell of ``month`` whose department and implementation are in the
    given sets (all regions), from raw; replace their rows. Returns the cells written."""
    start, end = month_bounds(month)
    department_ids = sorted(department_ids)
    written = 0
    implementation_ids = sorted(implementation_ids)
    for i in range(0, len(implementation_ids), IN_CHUNK):
        chunk = implementation_ids[i : i + IN_CHUNK]
        impl_sql, impl_params = _in("c.implementation_id", chunk)
        dept_sql, dept_params = _in("c.department_id", department_ids[:IN_CHUNK])
        # More departments than one IN list takes: filter by implementation only (an
        # implementation has one department, so the cells are the same).
        where_ids = f"{impl_sql} AND {dept_sql}" if len(department_ids) <= IN_CHUNK else impl_sql
        ids_params = impl_params + (dept_params if len(department_ids) <= IN_CHUNK else [])
        aggregated = _aggregate(
            {},
            received_where=f"{where_ids} AND c.submitted_at >= %s AND c.submitted_at < %s",
            received_params=[*ids_params, _dt(start), _dt(end)],
            closed_where=f"{where_ids} AND c.completed_at >= %s AND c.completed_at < %s",
            closed_params=[*ids_params, _dt(start), _dt(end)],
        )
        stale = MonthlyCell.objects.filter(month=month, implementation_id__in=chunk)
        if len(department_ids) <= IN_CHUNK:
            stale = stale.filter(department_id__in=department_ids)
        stale.delete()
        cells = _cells(aggregated)
        MonthlyCell.objects.bulk_create(cells, batch_size=INSERT_BATCH)
        written += len(cells)
    return written


def refresh(*, now=None):
    """The recurring job: recompute the cells of the cases changed since the last run.
    Does a full ``rebuild`` the first time and when the working-day index was built from
    another calendar version. Returns ``{"mode", "cases_months", "cells"}``."""
    started = now or timezone.now()
    current = state()
    table = workdays.get_table(recheck=True)
    if current.case_watermark is None or current.calendar_version != table.version:
        return {"mode": "rebuild", "cells": rebuild()}
    with transaction.atomic():
        current = state(lock=True)
        dirty = dirty_cells(current.case_watermark - OVERLAP)
        cells = 0
        for month in sorted(dirty):
            departments, implementations = dirty[month]
            cells += recompute_cells(month, departments, implementations)
        current.case_watermark = started
        current.last_refresh_at = timezone.now()
        current.last_refresh_cells = cells
        current.save(update_fields=["case_watermark", "last_refresh_at", "last_refresh_cells"])
    return {"mode": "refresh", "months": len(dirty), "cells": cells}


def reset():
    """Delete every summary row and the bookkeeping (the next refresh rebuilds)."""
    with transaction.atomic():
        MonthlyCell.objects.all().delete()
        WorkingDayIndex.objects.all().delete()
        RefreshState.objects.all().delete()
