"""300 concurrent submissions against the real server (gunicorn, several processes and
threads) store 300 cases with 300 distinct numbers and answer no 5xx — on SQLite and on
PostgreSQL.

The drafts are prepared through the actions in the test database and committed; the server
runs as a subprocess on a free port against the same data: on PostgreSQL the test database
itself, on SQLite a file copy of the in-memory test database (SQLite's backup API). Every
applicant gets a session (database sessions) and a CSRF cookie, and 32 threads post to
``hall:submit`` at once. As deployed, the server queues the receipt PDFs in the database
task queue (``case_jobs.issue_notice``); no worker runs, so the test measures submissions.
"""

import http.client
import os
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

CASES = int(os.environ.get("YIWANG_CONCURRENT_CASES", "300"))
WORKERS = 32
CSRF = "a" * 32
REPO = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_session(user):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = django_settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def prepare(count):
    from yiwang.hall.tests.casekit import World, make_draft, verified_citizen
    from yiwang.orgs.models import Region, level_of, stats_code

    def region(code, name, parent=None):
        full = stats_code(code)
        return Region.objects.create(
            code=full, division_code=full[:6], name=name, level=level_of(code), parent=parent
        )

    province = region("99", "示范省")
    city = region("9901", "青山市", province)
    regions = {
        "province": province,
        "city": city,
        "county_a": region("990102", "松林县", city),
        "county_b": region("990103", "临溪县", city),
    }
    implementation = World(regions).implementation()
    drafts = []
    for _ in range(count):
        citizen = verified_citizen()
        drafts.append((make_draft(implementation, citizen).pk, make_session(citizen)))
    return drafts


def server_database_url(tmp_path):
    vendor = connection.vendor
    if vendor == "postgresql":
        s = connection.settings_dict
        return (
            f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:"
            f"{s['PORT'] or 5432}/{s['NAME']}"
        )
    target = tmp_path / "server.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    return f"sqlite:///{target}"


def start_server(port, database_url, private_root):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "YIWANG_ENV": "test",
        # As deployed: notice PDFs go to the database queue (no worker runs here).
        "YIWANG_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "YIWANG_PRIVATE_ROOT": str(private_root),
        "DJANGO_SETTINGS_MODULE": "yiwang.settings",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "gunicorn", "yiwang.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "4", "--threads", "4",
        "--timeout", "120", "--log-level", "warning",
    ]  # fmt: skip
    try:
        from gunicorn.config import KNOWN_SETTINGS

        if any(s.name == "control_socket" for s in KNOWN_SETTINGS):
            command.append("--no-control-socket")
    except ImportError:
        pass
    process = subprocess.Popen(command, env=env, cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


def post_submit(port, pk, session_key):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(
            "POST",
            reverse("hall:submit", args=[pk]),
            body="",
            headers={
                "Host": "localhost",
                "Cookie": f"{django_settings.SESSION_COOKIE_NAME}={session_key}; "
                f"{django_settings.CSRF_COOKIE_NAME}={CSRF}",
                "X-CSRFToken": CSRF,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        conn.close()


def submitted_numbers(database_url):
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            rows = db.execute("select number from hall_case where status = 'submitted'").fetchall()
        return [row[0] for row in rows]
    from yiwang.hall.models import Case

    return list(Case.objects.filter(status="submitted").values_list("number", flat=True))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submissions_get_distinct_numbers(tmp_path, settings):
    private_root = tmp_path / "private"
    private_root.mkdir()
    settings.HALL_PRIVATE_ROOT = str(private_root)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    drafts = prepare(CASES)
    database_url = server_database_url(tmp_path)
    port = free_port()
    server = start_server(port, database_url, private_root)
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            results = list(pool.map(lambda d: post_submit(port, *d), drafts))
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    statuses = [status for status, _ in results]
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses == [302] * CASES, {s: statuses.count(s) for s in set(statuses)}
    assert all("/receipt/" in location for _, location in results)
    numbers = submitted_numbers(database_url)
    assert len(numbers) == CASES and len(set(numbers)) == CASES
    print(
        f"{CASES} submissions in {elapsed:.1f} s ({CASES / elapsed:.0f}/s) on {connection.vendor}"
    )
