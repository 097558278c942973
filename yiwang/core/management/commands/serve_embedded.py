import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_tasks import task_backends

from yiwang.core.embedded import ChildSpec, Supervisor


def uses_database_queue():
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def gunicorn_has_control_socket():
    """Recent gunicorn releases open a control socket at one fixed path in the home
    directory, which two instances would share; the embedded deployment does not use it."""
    try:
        from gunicorn.config import KNOWN_SETTINGS
    except ImportError:
        return False
    return any(setting.name == "control_socket" for setting in KNOWN_SETTINGS)


def build_commands(
    *, port, workers=2, threads=4, with_worker=True, with_department_system=False, python=None
):
    """The child processes of the embedded deployment, as ``ChildSpec``s."""
    python = python or sys.executable
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "yiwang.settings"),
        "PYTHONUNBUFFERED": "1",
    }
    cwd = str(settings.BASE_DIR)
    specs = [
        ChildSpec(
            "web",
            [
                python, "-m", "gunicorn", "yiwang.wsgi:application",
                "--bind", f"0.0.0.0:{port}",
                "--workers", str(workers),
                "--threads", str(threads),
                "--graceful-timeout", "10",
                "--access-logfile", "-",
                *(["--no-control-socket"] if gunicorn_has_control_socket() else []),
            ],
            env=env,
            cwd=cwd,
        ),
    ]  # fmt: skip
    if with_worker:
        # No autoreload: the supervisor owns the process and its signals.
        specs.append(
            ChildSpec(
                "worker", [python, "-m", "django", "run_worker", "--no-reload"], env=env, cwd=cwd
            )
        )
    specs.append(
        ChildSpec("scheduler", [python, "-m", "django", "run_scheduler"], env=env, cwd=cwd)
    )
    if with_department_system:
        # The demo's "other department's system", a separate OpenID Connect relying party.
        specs.append(
            ChildSpec(
                "department-system",
                [
                    python, "-m", "django", "run_department_system",
                    "--port", str(port + 1), "--quiet",
                ],
                env=env,
                cwd=cwd,
            )
        )  # fmt: skip
    return specs


def demo_department_system_configured():
    from yiwang.demo.oidc_demo import read_config

    return read_config() is not None


class Command(BaseCommand):
    help = (
        "嵌入式部署一条命令运行：网站（gunicorn）、任务执行器（db_worker）和定时调度器"
        "（run_scheduler）。Ctrl-C 或 SIGTERM 停止全部；任一进程意外退出则全部停止并返回非零。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="网站端口（默认 8000）")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn 进程数（默认 2）")
        parser.add_argument(
            "--threads", type=int, default=4, help="每个 gunicorn 进程的线程数（默认 4）"
        )

    def handle(self, *args, port, workers, threads, **options):
        if not 0 < port < 65536:
            raise CommandError(f"端口必须在 1 到 65535 之间，收到 {port}")
        if workers < 1 or threads < 1:
            raise CommandError("--workers 和 --threads 至少为 1")
        with_worker = uses_database_queue()
        with_department_system = demo_department_system_configured()
        specs = build_commands(
            port=port,
            workers=workers,
            threads=threads,
            with_worker=with_worker,
            with_department_system=with_department_system,
        )
        worker = (
            "任务执行器 db_worker / task worker"
            if with_worker
            else "不启动 db_worker（任务后端不是数据库队列）/ no db_worker (tasks do not use the "
            "database queue)"
        )
        self.stdout.write(
            f"一网嵌入式部署 / Yiwang embedded: 网站 web http://0.0.0.0:{port} (gunicorn, "
            f"{workers} workers × {threads} threads)；{worker}；"
            f"定时调度器 scheduler run_scheduler"
            + (
                f"；演示部门系统 demo department system http://localhost:{port + 1}/"
                if with_department_system
                else ""
            )
            + "。Ctrl-C 停止 / to stop."
        )
        self.stdout.flush()
        code = Supervisor(specs, err=sys.stderr).run()
        if code != 0:
            raise CommandError(
                "嵌入式部署已停止：有进程意外退出。/ Embedded deployment stopped: a process "
                "exited unexpectedly.",
                returncode=code,
            )
