"""The statistics' summary table against the raw GROUP BY (``yiwang.stats``).

Migrates a throwaway SQLite file, or the PostgreSQL database of ``--database-url`` (dropped
and created again: give a scratch database such as ``yiwang_bench_h2``), creates a province
(110 regions, ``--departments`` departments, ``--items`` implementations), fills N raw hall
cases across 2025 (``--cases``, default 10,000,000: 85% completed, 3% refused, 2% withdrawn,
10% still open; 70% online; 10% corrected once) with their case-level clocks (statutory on
every completed case, promised on half), by ``executemany`` on SQLite and ``COPY`` on
PostgreSQL, then:

1. builds the summary (``rollups.rebuild``) and prints its size as a share of the raw rows;
2. times the dashboard's queries (``queries.dashboard``: headline, per department, per item,
   per month, for the whole province over the year; median of 7 runs) and a regional
   supervisor's (one city);
3. times the equivalent raw GROUP BY (the same figures from the cases and clocks; median of
   3 runs) and checks that it gives the same totals;
4. completes 1% of the open cases and times the incremental ``rollups.refresh``.

    .venv/bin/python bench/stats_rollups.py [--cases 10000000] [--database-url postgres://…]
"""

import argparse
import io
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BATCH = 50_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--database-url", default="", help="a scratch PostgreSQL database")
    return parser.parse_args()


def recreate_postgres(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def set_up_django(data_dir, database_url):
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        recreate_postgres(database_url)
        os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ["YIWANG_DATA_DIR"] = str(data_dir)
    os.environ["YIWANG_ENV"] = "test"
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.settings"
    sys.path.insert(0, str(REPO))
    (data_dir / "static").mkdir(exist_ok=True)

    import django
    from django.core.management import call_command

    django.setup()
    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)


def make_province(departments, items):
    from yiwang.catalog.models import CatalogItem, Implementation
    from yiwang.orgs.models import Department, Region, level_of, stats_code

    def region(code, name, parent=None):
        full = stats_code(code)
        return Region.objects.create(
            code=full, division_code=full[:6], name=name, level=level_of(code), parent=parent
        )

    province = region("99", "示范省")
    cities = [region(f"99{c:02d}", f"第{c}市", province) for c in range(1, 11)]
    counties = [
        region(f"{city.code[:4]}{k:02d}", f"{city.name}第{k}县", city)
        for city in cities
        for k in range(1, 11)
    ]
    places = [province, *cities, *counties]
    depts = Department.objects.bulk_create(
        [Department(region=places[n % len(places)], name=f"部门{n}") for n in range(departments)]
    )
    catalog = CatalogItem.objects.bulk_create(
        [CatalogItem(code=f"BENCH{n:08d}", name=f"事项{n}", item_type=1) for n in range(items)]
    )
    rows = []
    for n, item in enumerate(catalog):
        department = depts[n % len(depts)]
        rows.append(
            Implementation(
                catalog_item=item,
                code=f"{item.code}-{department.region.code}",
                name=item.name,
                region=department.region,
                department=department,
                statutory_limit_days=20,
                promised_limit_days=5,
            )
        )
    return Implementation.objects.bulk_create(rows), cities[0]


def case_columns():
    """The hall_case columns in order, with the default (database) value of each."""
    from django.db import connection, models

    from yiwang.hall.models import Case

    columns, defaults = [], []
    for field in Case._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        value = field.get_default()
        if isinstance(field, models.JSONField):
            defaults.append(json.dumps(value))
        else:
            defaults.append(field.get_db_prep_save(value, connection))
    return columns, defaults


def generate(args, implementations, rng):
    """Yields ``(case_row, clocks)`` batches; clocks are ``(case_id, kind, start, limit,
    paused, due, stop, updated)``."""
    from yiwang.core import workdays
    from yiwang.hall.constants import CaseStatus, Channel

    table = workdays.get_table()
    columns, defaults = case_columns()
    index = {name: i for i, name in enumerate(columns)}
    first = date(2025, 1, 1)
    due_cache = {}

    def due(start, limit):
        key = (start, limit)
        if key not in due_cache:
            due_cache[key] = table.add(start, limit).date
        return due_cache[key]

    def moment(day, seconds):
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)

    impl = [(i.pk, i.department_id, i.region_id, i.code, i.name) for i in implementations]
    case_id = 0
    cases, clocks = [], []
    for _n in range(args.cases):
        case_id += 1
        row = list(defaults)
        pk, department, region, code, name = impl[rng.randrange(len(impl))]
        submitted_day = first + timedelta(days=rng.randrange(365))
        submitted = moment(submitted_day, rng.randrange(1, 86000))
        roll = rng.random()
        status = (
            CaseStatus.COMPLETED
            if roll < 0.85
            else CaseStatus.REFUSED
            if roll < 0.88
            else CaseStatus.WITHDRAWN
            if roll < 0.90
            else CaseStatus.ACCEPTED
        )
        corrections = 1 if rng.random() < 0.1 else 0
        paused = rng.randrange(1, 6) if corrections else 0
        taken = max(0, int(rng.expovariate(1 / 5)))
        end_day = table.add(submitted_day, taken + paused).date if taken + paused else submitted_day
        completed = moment(end_day, 40000) if status != CaseStatus.ACCEPTED else None
        row[index["implementation_id"]] = pk
        row[index["department_id"]] = department
        row[index["region_id"]] = region
        row[index["item_code"]] = code
        row[index["item_name"]] = name
        row[index["status"]] = status.value
        row[index["channel"]] = (Channel.ONLINE if rng.random() < 0.7 else Channel.COUNTER).value
        row[index["correction_rounds"]] = corrections
        row[index["submitted_at"]] = submitted
        row[index["created_at"]] = submitted
        row[index["updated_at"]] = completed or submitted
        row[index["accepted_at"]] = None if status == CaseStatus.REFUSED else submitted
        row[index["completed_at"]] = completed
        cases.append(row)
        if status == CaseStatus.COMPLETED:
            stamp = completed
            clocks.append((case_id, "statutory", submitted_day, 20, paused,
                           due(submitted_day, 20 + paused), end_day, stamp))  # fmt: skip
            if rng.random() < 0.5:
                clocks.append((case_id, "promised", submitted_day, 5, paused,
                               due(submitted_day, 5 + paused), end_day, stamp))  # fmt: skip
        if len(cases) >= BATCH:
            yield cases, clocks
            cases, clocks = [], []
    if cases:
        yield cases, clocks


CLOCK_COLUMNS = (
    "case_id", "kind", "start_date", "limit_days", "paused_days", "due_date", "stopped_on",
    "updated_at", "label", "extension_days", "pause_reason", "due_is_provisional",
    "calendar_version",
)  # fmt: skip


def _clock_row(clock, version):
    return (*clock, "办结", 0, "", False, version)


def _copy_value(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def fill(args, implementations):
    from django.db import connection, transaction

    from yiwang.core import workdays

    rng = random.Random(6)
    ops = connection.ops

    def adapt(value):
        if isinstance(value, datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, date):
            return value.isoformat()
        return value

    columns, _ = case_columns()
    version = workdays.get_table().version
    started = time.perf_counter()
    done = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Bulk load: no per-row foreign-key triggers (the generator only uses real ids).
            cursor.execute("SET session_replication_role = replica")
        for cases, clocks in generate(args, implementations, rng):
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    raw = cursor.cursor
                    buffer = io.StringIO()
                    for row in cases:
                        buffer.write("\t".join(_copy_value(v) for v in row) + "\n")
                    with raw.copy(f"COPY hall_case ({', '.join(columns)}) FROM STDIN") as copy:
                        copy.write(buffer.getvalue())
                    buffer = io.StringIO()
                    for clock in clocks:
                        buffer.write(
                            "\t".join(_copy_value(v) for v in _clock_row(clock, version)) + "\n"
                        )
                    with raw.copy(
                        f"COPY hall_clock ({', '.join(CLOCK_COLUMNS)}) FROM STDIN"
                    ) as copy:
                        copy.write(buffer.getvalue())
                else:
                    raw = cursor.cursor
                    marks = ", ".join("?" * len(columns))
                    raw.executemany(
                        f"INSERT INTO hall_case ({', '.join(columns)}) VALUES ({marks})",
                        [[adapt(v) for v in row] for row in cases],
                    )
                    marks = ", ".join("?" * len(CLOCK_COLUMNS))
                    raw.executemany(
                        f"INSERT INTO hall_clock ({', '.join(CLOCK_COLUMNS)}) VALUES ({marks})",
                        [[adapt(v) for v in _clock_row(c, version)] for c in clocks],
                    )
            done += len(cases)
            rate = done / (time.perf_counter() - started)
            print(f"\r  filled {done:,}/{args.cases:,} cases ({rate:,.0f}/s)", end="", flush=True)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")
    print()
    return time.perf_counter() - started


def median_time(func, runs):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        set_up_django(Path(tmp), args.database_url)
        from django.db import connection, transaction
        from django.utils import timezone

        from yiwang.hall.models import Case
        from yiwang.stats import queries, rollups
        from yiwang.stats.models import MEASURE_FIELDS, MonthlyCell
        from yiwang.supervision.roles import Scope, subtree_region_ids

        vendor = connection.vendor
        print(f"stats rollups on {vendor}: {args.cases:,} cases, {args.items} items")
        implementations, city = make_province(args.departments, args.items)
        fill_seconds = fill(args, implementations)
        print(f"  fill: {fill_seconds:.1f} s ({args.cases / fill_seconds:,.0f} cases/s)")
        started = time.perf_counter()
        last = [0.0]

        def progress(done, total):
            if time.perf_counter() - last[0] > 5:
                last[0] = time.perf_counter()
                print(f"\r  rebuild: {done * 100 // total}%", end="", flush=True)

        cells = rollups.rebuild(progress=progress)
        rebuild_seconds = time.perf_counter() - started
        raw_rows = Case.objects.count()
        print(
            f"\r  rebuild: {rebuild_seconds:.1f} s; summary {cells:,} rows = "
            f"{cells / raw_rows:.3%} of {raw_rows:,} raw cases"
        )

        everything = Scope(everything=True)
        year = queries.Filters(month_from=date(2025, 1, 1), month_to=date(2025, 12, 1))
        city_scope = Scope(region_ids=frozenset(subtree_region_ids(city)))
        parts = {
            "headline": lambda s: queries.totals(queries.cells(s, year)),
            "by department": lambda s: queries.by_department(queries.cells(s, year)),
            "by item": lambda s: queries.by_item(queries.cells(s, year)),
            "by month": lambda s: queries.by_month(queries.cells(s, year), year),
            "whole dashboard": lambda s: queries.dashboard(s, year),
        }
        for label, scope in (("province", everything), ("one city", city_scope)):
            for name, func in parts.items():
                seconds, _ = median_time(lambda f=func, s=scope: f(s), 7)
                print(f"  summary {label:8} {name:16} {seconds * 1000:8.1f} ms (median of 7)")
        summary_totals = queries.totals(queries.cells(everything, year))

        start, _ = rollups.month_bounds(year.month_from)
        _, end = rollups.month_bounds(year.month_to)

        def raw_group_by():
            found = rollups._aggregate(
                {},
                received_where="c.submitted_at >= %s AND c.submitted_at < %s",
                received_params=[rollups._dt(start), rollups._dt(end)],
                closed_where="c.completed_at >= %s AND c.completed_at < %s",
                closed_params=[rollups._dt(start), rollups._dt(end)],
            )
            sums = dict.fromkeys(MEASURE_FIELDS, 0)
            for values in found.values():
                for name, value in zip(MEASURE_FIELDS, values, strict=True):
                    sums[name] += value
            return queries.Figures(sums)

        seconds, raw_totals = median_time(raw_group_by, 3)
        print(f"  raw GROUP BY (same figures)      {seconds * 1000:8.1f} ms (median of 3)")
        assert raw_totals.sums == summary_totals.sums, (raw_totals.sums, summary_totals.sums)
        print(
            f"  same totals: received {summary_totals.received:,}, completed "
            f"{summary_totals.completed:,}, on time {summary_totals.on_time_rate:.1%}, "
            f"p90 {summary_totals.p90_label} days"
        )

        # 1% of the open cases complete now.
        open_ids = list(
            Case.objects.filter(status="accepted").order_by("pk").values_list("pk", flat=True)
        )
        chosen = open_ids[:: max(1, len(open_ids) // max(1, args.cases // 100))][
            : args.cases // 100
        ]
        now = timezone.now()
        with transaction.atomic():
            for i in range(0, len(chosen), 500):
                Case.objects.filter(pk__in=chosen[i : i + 500]).update(
                    status="completed", completed_at=now, updated_at=now
                )
        started = time.perf_counter()
        result = rollups.refresh()
        refresh_seconds = time.perf_counter() - started
        print(
            f"  refresh after {len(chosen):,} cases changed: {refresh_seconds:.2f} s "
            f"({result['months']} months, {result['cells']:,} cells rewritten)"
        )
        started = time.perf_counter()
        result = rollups.refresh()
        print(
            f"  refresh again (only the overlap window): {time.perf_counter() - started:.3f} s "
            f"({result['cells']} cells)"
        )
        print(f"  summary rows now {MonthlyCell.objects.count():,}")


if __name__ == "__main__":
    main()
