"""Recomputing the hall's running clocks after a calendar change (``clocks.recompute_running``).

Migrates a throwaway SQLite database (which seeds the official arrangements 2004–2026), or
the database of ``--database-url`` (an empty scratch database: it is migrated and filled),
creates N running clocks (``--clocks``, default 100,000: a statutory and a promised one per
case, starting between October 2026 and March 2027, limits 1–45 working days, one in ten
paused for a correction), enters a (fictional) official 2027 arrangement, then times
``recompute_running`` over 2027 — the work the ``working_calendar_changed`` receiver's task
does — and a second run in which nothing changes. Checks a sample of due dates against
``add_working_days``. Prints clocks per second.

    .venv/bin/python bench/hall_clocks.py [--clocks 100000] [--database-url postgres://…]
"""

import argparse
import logging
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知（测试用的虚构安排）
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。2月20日（周六）上班。
三、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clocks", type=int, default=100_000, help="running clocks")
    parser.add_argument("--database-url", default="", help="a scratch database (default SQLite)")
    return parser.parse_args()


def set_up_django(data_dir, database_url):
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ["YIWANG_DATA_DIR"] = str(data_dir)
    os.environ["YIWANG_ENV"] = "test"
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.settings"
    sys.path.insert(0, str(REPO))
    (data_dir / "static").mkdir()

    import django
    from django.core.management import call_command

    django.setup()
    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)


def make_cases(count):
    """``count`` submitted cases of one implementation, bulk-created."""
    from django.utils import timezone

    from yiwang.catalog.tests.factories import make_implementation
    from yiwang.hall.constants import CaseStatus
    from yiwang.hall.models import Case
    from yiwang.orgs.models import Region, level_of, stats_code

    full = stats_code("990102")
    region = Region.objects.create(
        code=full, division_code=full[:6], name="松林县", level=level_of("990102")
    )
    implementation = make_implementation(region=region)
    now = timezone.now()
    cases = [
        Case(
            number=f"BENCH{n:010d}",
            implementation=implementation,
            item_code=implementation.code,
            item_name=implementation.name,
            department=implementation.department,
            region=region,
            status=CaseStatus.ACCEPTED,
            submitted_at=now,
        )
        for n in range(count)
    ]
    Case.objects.bulk_create(cases, batch_size=2000)
    return list(Case.objects.values_list("pk", flat=True))


def make_clocks(case_ids, total, rng):
    from yiwang.core import workdays
    from yiwang.hall.constants import ClockKind, PauseReason
    from yiwang.hall.models import Clock

    first = date(2026, 10, 1)
    version = workdays.ensure_current().version
    rows = []
    for n in range(total):
        start = first + timedelta(days=rng.randrange(182))
        limit = rng.randrange(1, 46)
        paused = rng.random() < 0.1
        clock = Clock(
            case_id=case_ids[n // 2],
            kind=ClockKind.STATUTORY if n % 2 == 0 else ClockKind.PROMISED,
            label="办结",
            start_date=start,
            limit_days=limit,
            paused_days=rng.randrange(0, 5),
            paused_since=start + timedelta(days=1) if paused else None,
            pause_reason=PauseReason.CORRECTION if paused else "",
            calendar_version=version,
        )
        deadline = workdays.add_working_days(start, limit + clock.paused_days)
        clock.due_date, clock.due_is_provisional = deadline.date, deadline.provisional
        rows.append(clock)
    Clock.objects.bulk_create(rows, batch_size=2000)


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        set_up_django(Path(tmp), args.database_url)
        from django.db import connection
        from django.utils import timezone

        from yiwang.core import workdays
        from yiwang.core.actions import enter_official_arrangement
        from yiwang.core.holiday_notice import parse_notice
        from yiwang.core.signals import working_calendar_changed
        from yiwang.hall import clocks
        from yiwang.hall.models import Clock

        rng = random.Random(42)
        started = time.perf_counter()
        case_ids = make_cases((args.clocks + 1) // 2)
        make_clocks(case_ids, args.clocks, rng)
        setup_seconds = time.perf_counter() - started

        # Time the recomputation itself, not inside the signal: the receiver would run the
        # task at once here (the immediate task backend).
        working_calendar_changed.disconnect(dispatch_uid="hall.recompute_clocks")
        parsed = parse_notice(NOTICE_2027, year=2027)
        enter_official_arrangement(
            year=2027,
            holidays=parsed.holidays,
            working_days=parsed.working_days,
            notice_url="https://www.gov.cn/zhengce/zhengceku/example.htm",
            notice_title="国务院办公厅关于2027年部分节假日安排的通知",
            actor=None,
        )
        workdays.ensure_current()

        started = time.perf_counter()
        changed = clocks.recompute_running(start=date(2027, 1, 1), end=date(2027, 12, 31))
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        unchanged = clocks.recompute_running(start=date(2027, 1, 1), end=date(2027, 12, 31))
        second_seconds = time.perf_counter() - started

        sample = list(Clock.objects.order_by("?")[:500])
        for clock in sample:
            expected = clocks._derived(clock, timezone.localdate())
            assert (clock.due_date, clock.due_is_provisional) == expected, clock.pk
        in_range = Clock.objects.filter(
            stopped_on__isnull=True, start_date__lte=date(2027, 12, 31)
        ).count()

        vendor = connection.vendor
        print(f"{args.clocks} running clocks on {vendor} (set up in {setup_seconds:.1f} s):")
        print(
            f"  after entering 2027: {first_seconds:8.3f} s  {in_range / first_seconds:10.0f} "
            f"clocks/s  ({changed} due dates changed)"
        )
        print(
            f"  again, no change:    {second_seconds:8.3f} s  {in_range / second_seconds:10.0f} "
            f"clocks/s  ({unchanged} changed)"
        )
        print(f"  checked {len(sample)} due dates against add_working_days")


if __name__ == "__main__":
    main()
