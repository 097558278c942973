"""Running the processes of the embedded deployment side by side (``serve_embedded``).

Kept free of Django so it can be tested with any child processes. The supervisor starts
each child in its own session, so a Ctrl-C in the terminal reaches the supervisor alone;
it then asks every child to stop with SIGTERM (gunicorn and the workers finish what they
are doing), waits, and kills what is still running after ``grace_seconds``.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field


@dataclass
class ChildSpec:
    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    cwd: str | None = None


@dataclass
class Child:
    spec: ChildSpec
    process: subprocess.Popen = field(repr=False)


class Supervisor:
    """Start ``specs`` and wait. ``run()`` returns 0 after a SIGINT/SIGTERM stopped
    everything, or 1 if a child ended by itself (the others are then stopped)."""

    def __init__(self, specs, *, grace_seconds=15.0, poll_seconds=0.2, err=None):
        self.specs = list(specs)
        self.grace_seconds = grace_seconds
        self.poll_seconds = poll_seconds
        self.err = err or sys.stderr
        self.children: list[Child] = []
        self._stop_signal = None

    def _request_stop(self, signum, frame):
        self._stop_signal = signum

    def start(self):
        for spec in self.specs:
            process = subprocess.Popen(
                spec.argv, env=spec.env, cwd=spec.cwd, start_new_session=True
            )
            self.children.append(Child(spec, process))

    def run(self):
        previous = {
            signum: signal.signal(signum, self._request_stop)
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            try:
                self.start()
            except OSError as exc:
                self._say(f"无法启动子进程 / could not start a child process: {exc}")
                self.stop_all()
                return 1
            while True:
                if self._stop_signal is not None:
                    self.stop_all()
                    return 0
                dead = next((c for c in self.children if c.process.poll() is not None), None)
                if dead is not None:
                    code = dead.process.returncode
                    self._say(
                        f"子进程 {dead.spec.name} 意外退出（退出码 {code}），正在停止其他进程。"
                        f" / Child process {dead.spec.name} exited unexpectedly (code {code});"
                        " stopping the others."
                    )
                    self.stop_all()
                    return 1
                time.sleep(self.poll_seconds)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def stop_all(self):
        for child in self.children:
            if child.process.poll() is None:
                try:
                    child.process.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + self.grace_seconds
        for child in self.children:
            remaining = max(0.0, deadline - time.monotonic())
            try:
                child.process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                self._say(
                    f"子进程 {child.spec.name} 未在 {self.grace_seconds:g} 秒内退出，强制结束。"
                    f" / Killing {child.spec.name}: it did not stop in time."
                )
                # The child's own children (gunicorn's workers) share its session.
                try:
                    os.killpg(child.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                child.process.wait()

    def _say(self, message):
        print(message, file=self.err, flush=True)
