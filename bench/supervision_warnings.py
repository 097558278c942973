"""The supervision sweep and the supervisors' warning list at scale.

Migrates a throwaway SQLite database, or the database of ``--database-url`` (an empty
scratch database, e.g. ``postgres://postgres@127.0.0.1:5432/yiwang_bench_h1``: it is
migrated and filled), then fills ``--cases`` open cases (default 1,000,000) in a province
of 10 counties × 10 departments, each with a running promised clock and its watched row as
yesterday's sweep left it — raw multi-row inserts (COPY on PostgreSQL). On the sweep day 1%
of the rows cross a threshold (half turn yellow, half red) and 0.1% of the clocks were
written since the last run (an extension). Then it times:

- the sweep (``supervision.sweep.sweep``), seconds;
- the first page (20 rows) of a county supervisor's warning list and of a department
  head's, median of several runs, ms;
- the counts by level per region and department of the county supervisor and of the whole
  province, median, ms.

    .venv/bin/python bench/supervision_warnings.py [--cases 1000000] [--database-url postgres://…]
"""

import argparse
import logging
import math
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SWEEP_DAY = date(2026, 12, 2)  # a Wednesday, a working day
COUNTIES = 10
DEPARTMENTS_PER_COUNTY = 10
CHUNK = 50_000
RUNS = 15


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="open cases")
    parser.add_argument("--database-url", default="", help="a scratch database (default SQLite)")
    return parser.parse_args()


def set_up_django(data_dir, database_url):
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ["YIWANG_DATA_DIR"] = str(data_dir)
    os.environ["YIWANG_ENV"] = "test"
    os.environ["YIWANG_SMS_BACKEND"] = "yiwang.core.sms.RecordingSmsBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.settings"
    sys.path.insert(0, str(REPO))
    (data_dir / "static").mkdir()

    import django
    from django.core.management import call_command

    django.setup()
    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)


def make_places():
    from yiwang.catalog.tests.factories import make_implementation
    from yiwang.orgs.models import Department, Region, level_of, stats_code

    def region(code, name, parent=None):
        full = stats_code(code)
        return Region.objects.create(
            code=full, division_code=full[:6], name=name, level=level_of(code), parent=parent
        )

    province = region("99", "示范省")
    city = region("9901", "青山市", province)
    counties, departments = [], []
    for c in range(COUNTIES):
        county = region(f"9901{c + 1:02d}", f"第{c + 1}县", city)
        counties.append(county)
        for d in range(DEPARTMENTS_PER_COUNTY):
            departments.append(
                Department.objects.create(region=county, name=f"第{c + 1}县第{d + 1}局")
            )
    implementation = make_implementation(region=counties[0], department=departments[0])
    return province, counties, departments, implementation


class Inserter:
    """Raw inserts of many rows: COPY on PostgreSQL, multi-row INSERTs on SQLite."""

    def __init__(self, connection):
        self.connection = connection

    def insert(self, table, columns, rows):
        if not rows:
            return
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                per = max(1, 30_000 // len(columns))
                marks = "(" + ", ".join("%s" for _ in columns) + ")"
                for i in range(0, len(rows), per):
                    part = rows[i : i + per]
                    sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ' + ", ".join(
                        marks for _ in part
                    )
                    cursor.execute(sql, [value for row in part for value in row])


def fill(args, implementation, departments, progress):
    """Cases, clocks and watched rows, ``CHUNK`` at a time. Returns how many rows should
    change on the sweep day (yellow, red, re-read)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from yiwang.core import workdays
    from yiwang.supervision.levels import level_on, warn_date

    rng = random.Random(42)
    inserter = Inserter(connection)
    yesterday = SWEEP_DAY - timedelta(days=1)
    old = timezone.now() - timedelta(hours=1)
    sqlite = connection.vendor == "sqlite"
    ops = connection.ops

    def day_db(value):
        return ops.adapt_datefield_value(value) if sqlite else value

    old_v = ops.adapt_datetimefield_value(old) if sqlite else old
    case_columns = (
        "id number query_code_hash implementation_id implementation_version item_code item_name "
        "department_id region_id acting_role applicant_name applicant_id_number_encrypted "
        "applicant_id_number_masked applicant_mobile applicant_email form_data situation_codes "
        "status decision decision_reason refusal_reason withdrawal_reason channel "
        "correction_rounds delivery_method delivery_address tracking_number created_at "
        "updated_at submitted_at"
    ).split()
    clock_columns = (
        "id case_id kind label start_date limit_days extension_days paused_days pause_reason "
        "due_date due_is_provisional calendar_version updated_at"
    ).split()
    watch_columns = (
        "clock_id case_id department_id region_id scope kind label start_date allowed_days "
        "paused_days warn_date due_date level next_change level_since updated_at"
    ).split()
    version = workdays.ensure_current().version
    table = workdays.get_table()
    expected = {"yellow": 0, "red": 0, "changed": 0}
    n = 0
    started = time.perf_counter()
    while n < args.cases:
        size = min(CHUNK, args.cases - n)
        cases, clocks, watched = [], [], []
        for i in range(n + 1, n + size + 1):
            department = departments[rng.randrange(len(departments))]
            limit = rng.randrange(5, 31)
            roll = rng.random()
            warn_at = math.ceil(limit * 0.8)
            if roll < 0.005:
                # Turns yellow today: 80% of the limit is used on the sweep day.
                start = table.add(SWEEP_DAY, -warn_at).date
                expected["yellow"] += 1
            elif roll < 0.01:
                # Due yesterday: red today.
                start = table.add(yesterday, -limit).date
                expected["red"] += 1
            elif roll < 0.05:
                # Yellow already (5% of the rest are), due today or later.
                start = table.add(SWEEP_DAY, -rng.randrange(warn_at + 1, limit + 1)).date
            elif roll < 0.08:
                # Red already, overdue by up to 20 working days.
                start = table.add(yesterday, -(limit + rng.randrange(1, 21))).date
            else:
                # Normal: less than 80% used by today.
                start = table.add(SWEEP_DAY, -rng.randrange(0, warn_at)).date
            due = table.add(start, limit).date
            warn = warn_date(start=start, allowed=limit, paused=0, due=due, percent=80)
            level, nxt = level_on(yesterday, warn=warn, due=due)
            cases.append(
                (
                    i,
                    f"B{i:012d}",
                    "",
                    implementation.pk,
                    1,
                    implementation.code,
                    implementation.name,
                    department.pk,
                    department.region_id,
                    "",
                    "申请人",
                    "",
                    "",
                    "",
                    "",
                    "{}",
                    "[]",
                    "accepted",
                    "",
                    "",
                    "",
                    "",
                    "online",
                    0,
                    "",
                    "",
                    "",
                    old_v,
                    old_v,
                    old_v,
                )
            )
            clocks.append(
                (
                    i,
                    i,
                    "promised",
                    "办结",
                    day_db(start),
                    limit,
                    0,
                    0,
                    "",
                    day_db(due),
                    False,
                    version,
                    old_v,
                )
            )
            watched.append(
                (
                    i,
                    i,
                    department.pk,
                    department.region_id,
                    "case",
                    "promised",
                    "办结",
                    day_db(start),
                    limit,
                    0,
                    day_db(warn),
                    day_db(due),
                    int(level),
                    day_db(nxt) if nxt else None,
                    day_db(start),
                    old_v,
                )
            )
        with transaction.atomic():
            inserter.insert("hall_case", case_columns, cases)
            inserter.insert("hall_clock", clock_columns, clocks)
            inserter.insert("supervision_watchedclock", watch_columns, watched)
        n += size
        rate = n / (time.perf_counter() - started)
        progress(f"  filled {n:>9} cases ({rate:,.0f}/s)")
    return expected


def finish_fill(args, expected):
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from yiwang.hall.models import Clock
    from yiwang.supervision.models import SweepState

    # 0.1% of the clocks written since the last sweep: a 5-day extension.
    changed = max(1, args.cases // 1000)
    step = max(1, args.cases // changed)
    ids = list(range(1, args.cases + 1, step))[:changed]
    marker = timezone.now() - timedelta(minutes=30)
    SweepState.objects.update_or_create(pk=1, defaults={"clocks_until": marker})
    later = timezone.now() - timedelta(minutes=10)
    for i in range(0, len(ids), 500):
        Clock.objects.filter(pk__in=ids[i : i + 500]).update(
            extension_days=F("extension_days") + 5, updated_at=later
        )
    expected["changed"] = len(ids)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("hall_case", "hall_clock"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
            connection.set_autocommit(True)
            cursor.execute("VACUUM ANALYZE supervision_watchedclock")
            cursor.execute("VACUUM ANALYZE hall_clock")
            cursor.execute("ANALYZE hall_case")
        else:
            cursor.execute("ANALYZE")


def median_ms(func, runs=RUNS):
    func()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        set_up_django(Path(tmp), args.database_url)
        from django.db import connection

        from yiwang.supervision import queries
        from yiwang.supervision.constants import Level
        from yiwang.supervision.models import WatchedClock
        from yiwang.supervision.roles import Scope, subtree_region_ids
        from yiwang.supervision.sweep import sweep

        def progress(text):
            print(text, flush=True)

        started = time.perf_counter()
        province, counties, departments, implementation = make_places()
        expected = fill(args, implementation, departments, progress)
        finish_fill(args, expected)
        setup_seconds = time.perf_counter() - started

        started = time.perf_counter()
        summary = sweep(today=SWEEP_DAY)
        sweep_seconds = time.perf_counter() - started
        raised = summary.get("raised_yellow", 0) + summary.get("raised_red", 0)
        assert raised >= expected["yellow"] + expected["red"] - expected["changed"], summary
        assert summary["clocks_read"] == expected["changed"], summary

        started = time.perf_counter()
        again = sweep(today=SWEEP_DAY)
        again_seconds = time.perf_counter() - started

        county = Scope(region_ids=frozenset(subtree_region_ids(counties[3])))
        head = Scope(department_ids=frozenset({departments[37].pk}))
        everything = Scope(everything=True)

        def first_page(scope):
            return lambda: list(queries.warnings(scope)[:20])

        assert len(first_page(county)()) == 20
        figures = {
            "county supervisor, first page": median_ms(first_page(county)),
            "county supervisor, red only": median_ms(
                lambda: list(queries.warnings(county, level=Level.RED)[:20])
            ),
            "department head, first page": median_ms(first_page(head)),
            "province (superuser), first page": median_ms(first_page(everything)),
            "county supervisor, counts": median_ms(lambda: queries.counts(county), runs=7),
            "province (superuser), counts": median_ms(lambda: queries.counts(everything), runs=5),
        }
        warned = WatchedClock.objects.filter(level__gt=0).count()
        vendor = connection.vendor
        print(
            f"{args.cases:,} open cases on {vendor} (filled in {setup_seconds:.0f} s; "
            f"{warned:,} yellow or red after the sweep):"
        )
        print(
            f"  sweep:               {sweep_seconds:8.2f} s  (read {summary['due_read']:,} due "
            f"rows, {summary['clocks_read']:,} changed clocks; raised "
            f"{summary.get('raised_yellow', 0):,} yellow, {summary.get('raised_red', 0):,} red, "
            f"{summary.get('notices', 0):,} notices)"
        )
        print(
            f"  sweep again:         {again_seconds:8.2f} s  (read {again.get('due_read', 0)} "
            f"due rows, {again.get('clocks_read', 0)} clocks)"
        )
        for name, value in figures.items():
            print(f"  {name + ':':36} {value:8.2f} ms (median)")


if __name__ == "__main__":
    main()
