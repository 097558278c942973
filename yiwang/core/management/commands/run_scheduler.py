import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from yiwang.core.scheduler import ScheduleError, resolve_schedule, run_due_jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "按 yiwang/core/schedule.py 把到期的定时任务放入任务队列（由 db_worker 执行）。"
        "多个调度器同时运行时，每个到期任务也只入队一次。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=10.0, help="两次检查之间的秒数（默认 10）"
        )
        parser.add_argument("--once", action="store_true", help="只检查一次，然后退出")

    def handle(self, *args, interval, once, verbosity, **options):
        if interval <= 0:
            raise CommandError("--interval 必须大于 0")
        try:
            jobs = resolve_schedule()
        except ScheduleError as exc:
            raise CommandError(str(exc)) from exc
        if once:
            self._tick(verbosity)
            return

        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        if verbosity >= 1:
            names = "、".join(job.name for job in jobs)
            self.stdout.write(f"调度器已启动，每 {interval:g} 秒检查一次：{names}")
        while not stop.is_set():
            try:
                self._tick(verbosity)
            except DatabaseError:
                # A database that restarts or is not migrated yet should not end the
                # scheduler: try again at the next tick.
                logger.exception("调度器访问数据库失败，%s 秒后重试", interval)
            close_old_connections()
            stop.wait(interval)
        if verbosity >= 1:
            self.stdout.write("调度器已停止")

    def _tick(self, verbosity):
        for name in run_due_jobs():
            if verbosity >= 1:
                self.stdout.write(f"已入队：{name}")
