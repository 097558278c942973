"""The embedded deployment's one command: what it starts, and how it stops."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from yiwang.core.management.commands.serve_embedded import (
    build_commands,
    gunicorn_has_control_socket,
)

REPO = Path(settings.BASE_DIR)


def test_builds_the_three_processes():
    web, worker, scheduler = build_commands(port=8123, workers=2, threads=4, python="/py")
    assert web.name == "web"
    assert web.argv[:4] == ["/py", "-m", "gunicorn", "yiwang.wsgi:application"]
    argv = " ".join(web.argv)
    assert "--bind 0.0.0.0:8123" in argv
    assert "--workers 2" in argv and "--threads 4" in argv
    # Two instances on one machine must not fight over gunicorn's control socket.
    assert ("--no-control-socket" in argv) == gunicorn_has_control_socket()
    assert worker.argv == ["/py", "-m", "django", "run_worker", "--no-reload"]
    assert scheduler.argv == ["/py", "-m", "django", "run_scheduler"]
    for spec in (web, worker, scheduler):
        assert spec.cwd == str(REPO)
        assert spec.env["DJANGO_SETTINGS_MODULE"]
        assert spec.env["PYTHONUNBUFFERED"] == "1"

    without_queue = build_commands(port=8000, with_worker=False, python="/py")
    assert [spec.name for spec in without_queue] == ["web", "scheduler"]


def test_bad_options_are_refused_in_chinese():
    with pytest.raises(CommandError, match="端口必须在 1 到 65535 之间"):
        call_command("serve_embedded", port=70000)
    with pytest.raises(CommandError, match="至少为 1"):
        call_command("serve_embedded", workers=0)


# --- The supervisor with stand-in children ----------------------------------------------

SUPERVISOR = textwrap.dedent(
    """
    import sys
    from yiwang.core.embedded import ChildSpec, Supervisor

    class Announcing(Supervisor):
        def start(self):
            super().start()
            print(" ".join(str(c.process.pid) for c in self.children), flush=True)

    py = sys.executable
    codes = sys.argv[1:]
    specs = [ChildSpec(f"child{i}", [py, "-c", code]) for i, code in enumerate(codes)]
    sys.exit(Announcing(specs, grace_seconds=1.5, poll_seconds=0.05).run())
    """
)
SLEEP = "import time; time.sleep(60)"
CRASH = "import sys, time; time.sleep(0.3); sys.exit(3)"
STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"


def start_supervisor(*codes):
    process = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, *codes],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pids = [int(pid) for pid in process.stdout.readline().split()]
    assert len(pids) == len(codes)
    return process, pids


def gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie has exited but not been reaped: the supervisor reaps its children.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" in status.read_text()


def test_sigterm_stops_every_child_and_exits_zero():
    process, pids = start_supervisor(SLEEP, SLEEP)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    assert all(gone(pid) for pid in pids)


def test_a_child_that_dies_stops_the_others_and_exits_non_zero():
    process, pids = start_supervisor(SLEEP, CRASH)
    assert process.wait(timeout=10) == 1
    err = process.stderr.read()
    assert "子进程 child1 意外退出（退出码 3）" in err
    assert "Child process child1 exited unexpectedly (code 3)" in err
    assert gone(pids[0])


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period():
    process, pids = start_supervisor(STUBBORN)
    time.sleep(0.3)  # let the child install its handler
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    assert "强制结束" in process.stderr.read()
    assert gone(pids[0])


# --- The real thing, briefly -------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_embedded_starts_gunicorn_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "YIWANG_ENV", "DJANGO_SETTINGS_MODULE"}
    }
    # A fresh data directory; tasks run inline, so no db_worker is started.
    env.update(
        YIWANG_DATA_DIR=str(tmp_path),
        YIWANG_TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve_embedded", "--port", str(port), "--threads", "1"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        assert f"网站 web http://0.0.0.0:{port} (gunicorn, 2 workers × 1 threads)" in banner
        assert "不启动 db_worker" in banner
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, process.stdout.read()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # any HTTP answer means gunicorn serves the application
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 20 s"
                time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(1)
        sock.connect(("127.0.0.1", port))
