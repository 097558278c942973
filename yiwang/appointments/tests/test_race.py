"""The issue's race: 100 concurrent bidders for the last 10 places of a slot get exactly 10
bookings, on SQLite and on PostgreSQL.

The data is made through the actions and committed (a ``transaction=True`` test); the
bidders run in two separate processes (``race_worker``) of 20 threads each against the same
database — the test database itself on PostgreSQL, a file copy of the in-memory test
database on SQLite (SQLite's backup API), where IMMEDIATE transactions and the busy timeout
of settings.py apply as deployed. 40 bids are in flight at once (PostgreSQL's default
``max_connections`` is 100 and is shared); every bidder's outcome is counted.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from datetime import time as clock
from pathlib import Path

import pytest
from django.db import connection

from yiwang.appointments.models import Booking, OpeningSession, SlotCounter
from yiwang.hall.tests.casekit import verified_citizen

from .kit import Kit, now

BIDDERS = 100
PROCESSES = 2
THREADS = 20
DAY = date(2026, 9, 29)
START = clock(10)
REPO = Path(__file__).resolve().parents[3]


def database_url(tmp_path):
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        return (
            f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:"
            f"{s['PORT'] or 5432}/{s['NAME']}"
        )
    target = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
        # A deployed database is in WAL mode from its first migrate on (the mode persists in
        # the file). The copy of an in-memory database is not: left so, each of the 40
        # bidders' first connection would try to switch it at once, and a switch needs the
        # whole file to itself ("database is locked" at connect, not a booking race).
        copy.execute("PRAGMA journal_mode=WAL")
    return f"sqlite:///{target}"


def run_worker(url, spec):
    env = {**os.environ, "DATABASE_URL": url, "YIWANG_ENV": "test"}
    done = subprocess.run(
        [sys.executable, "-m", "yiwang.appointments.tests.race_worker", json.dumps(spec)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def booked_rows(url):
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            bookings = db.execute(
                "select user_id from appointments_booking where day = ? and start = ? "
                "and status = 'booked'",
                (DAY.isoformat(), START.strftime("%H:%M:%S")),
            ).fetchall()
            counters = db.execute(
                "select booked, capacity from appointments_slotcounter where day = ? and start = ?",
                (DAY.isoformat(), START.strftime("%H:%M:%S")),
            ).fetchall()
        return [row[0] for row in bookings], counters
    bookings = Booking.objects.filter(day=DAY, start=START, status="booked")
    counters = SlotCounter.objects.filter(day=DAY, start=START).values_list("booked", "capacity")
    return list(bookings.values_list("user_id", flat=True)), list(counters)


# serialized_rollback: the flush after a transactional test would take the seeded calendar
# and groups with it; they are restored for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_100_bidders_for_the_last_10_places_get_exactly_10(regions, tmp_path):
    kit = Kit(regions)
    # Tuesday's sessions: 6 places per window, two windows: 12 places at 10:00.
    OpeningSession.objects.filter(centre=kit.centre, weekday=DAY.weekday()).update(capacity=6)
    early = [verified_citizen(name=f"先到{i}") for i in range(2)]
    for person in early:
        kit.book(user=person, day=DAY, start=START)
    bidders = [verified_citizen(name=f"抢号{i}") for i in range(BIDDERS)]
    url = database_url(tmp_path)
    start_at = time.time() + 8
    specs = [
        {
            "centre": kit.centre.pk,
            "item": kit.item.pk,
            "users": [u.pk for u in bidders[i::PROCESSES]],
            "day": DAY.isoformat(),
            "start": START.isoformat(),
            "now": now().isoformat(),
            "threads": THREADS,
            "start_at": start_at,
        }
        for i in range(PROCESSES)
    ]
    with ThreadPoolExecutor(max_workers=PROCESSES) as pool:
        outcomes = list(pool.map(lambda spec: run_worker(url, spec), specs))
    assert [o["errors"] for o in outcomes] == [[]] * PROCESSES
    assert sum(o["ok"] for o in outcomes) == 10
    assert sum(o["full"] for o in outcomes) == BIDDERS - 10
    users, counters = booked_rows(url)
    assert len(users) == 12 and len(set(users)) == 12
    assert sorted(counters) == [(6, 6), (6, 6)]
