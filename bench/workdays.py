"""Working-day arithmetic: the precomputed table (``yiwang.core.workdays``) against the
per-day loop it replaces, in the same run.

Migrates a throwaway SQLite database (which seeds the official arrangements 2004–2026),
draws N random (start, n) pairs (start 2010–2027, n 1–60 working days), and times
``add_working_days`` for all of them, then a per-day loop over the same calendar data (a
dict of the named days and the weekday, the best a loop can do without a table), checking
that both give the same dates. Prints microseconds per call and the speed-up.

    .venv/bin/python bench/workdays.py [--calls 100000]
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


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000, help="add_working_days calls")
    return parser.parse_args()


def set_up_django(data_dir):
    os.environ.pop("DATABASE_URL", None)
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


def naive_loop(table):
    """add_working_days as a loop over days, on the same calendar as the table."""
    named = table.named

    def add(start, n):
        day, counted = start, 0
        while counted < n:
            day += timedelta(days=1)
            entry = named.get(day)
            if entry is not None:
                working = entry[0] == "working"
            else:
                working = day.weekday() < 5
            if working:
                counted += 1
        return day

    return add


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        set_up_django(Path(tmp))
        from yiwang.core import workdays

        table = workdays.ensure_current()
        rng = random.Random(42)
        first = date(2010, 1, 1)
        pairs = [
            (first + timedelta(days=rng.randrange(365 * 18)), rng.randrange(1, 61))
            for _ in range(args.calls)
        ]

        started = time.perf_counter()
        fast = [workdays.add_working_days(start, n).date for start, n in pairs]
        table_seconds = time.perf_counter() - started

        add = naive_loop(table)
        started = time.perf_counter()
        slow = [add(start, n) for start, n in pairs]
        loop_seconds = time.perf_counter() - started

        build_started = time.perf_counter()
        workdays.build_table()
        build_seconds = time.perf_counter() - build_started

        assert fast == slow, "the table and the loop disagree"
        per_call = 1e6 / args.calls
        print(f"{args.calls} add_working_days calls (n = 1..60), same dates from both:")
        print(f"  table:         {table_seconds:8.3f} s  {table_seconds * per_call:7.2f} µs/call")
        print(f"  per-day loop:  {loop_seconds:8.3f} s  {loop_seconds * per_call:7.2f} µs/call")
        print(f"  speed-up:      {loop_seconds / table_seconds:8.1f}×")
        days = len(table.cumulative)
        print(f"  table build:   {build_seconds * 1000:8.1f} ms for {days} days")


if __name__ == "__main__":
    main()
