"""Case transitions per second through the hall's actions (BPMN included) against a bare
ORM loop, in the same run.

Migrates a throwaway database — SQLite in a temporary folder by default; with
``DATABASE_URL`` (or ``--database-url``) pointing at a PostgreSQL server, a scratch database
``yiwang_bench_<pid>`` created there and dropped afterwards — submits N cases of a standard
item (not timed), then times:

- actions: every case through accept → review → decide → deliver with
  ``yiwang.hall.actions`` (lock, engine load/complete/dump, task rows, clocks, event, audit
  row; one transaction each);
- bare: the same number of transitions as "update the case's status + insert an event row",
  each in its own transaction.

The after-commit side effects (notice PDFs, SMS) are switched off for the timing: they run
after the transaction (a worker's job in production) and would measure the PDF library, not
the transitions. Prints transitions per second for both and the ratio (target ≥ 0.5).

    .venv/bin/python bench/hall_transitions.py [--cases 200] [--database-url postgres://…]
"""

import argparse
import logging
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200, help="cases (4 transitions each)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL server to create a scratch database on (default SQLite)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the actions run")
    return parser.parse_args()


def scratch_postgres(url):
    """Create a scratch database on the server of ``url``; returns (its URL, drop())."""
    import psycopg

    parts = urlsplit(url)
    name = f"yiwang_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def set_up_django(data_dir, database_url):
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ["YIWANG_DATA_DIR"] = str(data_dir)
    os.environ["YIWANG_PRIVATE_ROOT"] = str(data_dir / "private")
    os.environ["YIWANG_ENV"] = "test"
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.settings"
    sys.path.insert(0, str(REPO))
    (data_dir / "static").mkdir()

    import django
    from django.core.management import call_command

    django.setup()
    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)


def prepare(count):
    from yiwang.hall import actions
    from yiwang.hall.tests.casekit import World, make_draft, verified_citizen
    from yiwang.orgs.models import Region, level_of, stats_code

    def region(code, name, parent=None):
        full = stats_code(code)
        return Region.objects.create(
            code=full, division_code=full[:6], name=name, level=level_of(code), parent=parent
        )

    province = region("99", "示范省")
    city = region("9901", "青山市", province)
    world = World(
        {
            "province": province,
            "city": city,
            "county_a": region("990102", "松林县", city),
            "county_b": region("990103", "临溪县", city),
        }
    )
    implementation = world.implementation()
    citizen = verified_citizen()
    cases = []
    for _ in range(count):
        case, _code = actions.submit(case=make_draft(implementation, citizen), user=citizen)
        cases.append(case)
    return world, cases


def run_actions(world, cases):
    from yiwang.hall import actions
    from yiwang.hall.constants import TaskState
    from yiwang.hall.models import CaseTask

    steps = (
        lambda task: actions.accept(task=task, staff=world.acceptor),
        lambda task: actions.review(task=task, staff=world.reviewer, opinion="agree"),
        lambda task: actions.decide(task=task, staff=world.decider, decision="approved", reason=""),
        lambda task: actions.deliver(task=task, staff=world.acceptor, method="pickup"),
    )
    elapsed, count = 0.0, 0
    for step in steps:
        # Finding the open task is the caller's (a view has it from its URL): not timed.
        tasks = list(CaseTask.objects.filter(case__in=cases, state=TaskState.OPEN))
        assert len(tasks) == len(cases)
        started = time.perf_counter()
        for task in tasks:
            step(task)
        elapsed += time.perf_counter() - started
        count += len(tasks)
    return count, elapsed


def run_bare(cases, staff):
    from django.db import transaction
    from django.utils import timezone

    from yiwang.hall.models import Case, CaseEvent

    flow = (("accepted", "accepted"), ("accepted", "reviewed"), ("decided", "decided"))
    flow += (("completed", "delivered"),)
    started = time.perf_counter()
    count = 0
    for status, kind in flow:
        for case in cases:
            with transaction.atomic():
                now = timezone.now()
                Case.objects.filter(pk=case.pk).update(status=status, updated_at=now)
                CaseEvent.objects.create(case_id=case.pk, kind=kind, at=now, actor=staff)
            count += 1
    return count, time.perf_counter() - started


def main():
    args = parse_args()
    drop = None
    database_url = args.database_url
    if database_url.startswith(("postgres://", "postgresql://")):
        database_url, drop = scratch_postgres(database_url)
    elif database_url:
        sys.exit("--database-url: only PostgreSQL (SQLite is the default)")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            set_up_django(Path(tmp), database_url)
            from django.db import connection, connections

            from yiwang.hall import actions

            # Side effects after commit are not transitions (see the docstring).
            actions._after_commit = lambda func, *a, **k: None
            started = time.perf_counter()
            world, cases = prepare(args.cases)
            setup = time.perf_counter() - started
            if args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.enable()
            done, seconds = run_actions(world, cases)
            if args.profile:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            from yiwang.hall.models import Case

            assert Case.objects.filter(status="completed").count() == len(cases)
            bare_done, bare_seconds = run_bare(cases, world.acceptor)
            ours, bare = done / seconds, bare_done / bare_seconds
            print(f"database: {connection.vendor}; {len(cases)} cases prepared in {setup:.1f} s")
            print(f"actions (BPMN, tasks, clocks, event, audit): {ours:8.0f} transitions/s")
            print(f"bare ORM update + event row:                 {bare:8.0f} transitions/s")
            print(f"ratio: {ours / bare:.2f} (target >= 0.5)")
            connections.close_all()
    finally:
        if drop is not None:
            drop()


if __name__ == "__main__":
    main()
