"""``db_worker`` with quieter logs: django_tasks_db logs every task's start and end at
verbosity 1 (thousands of lines after a demo load). Here verbosity 1 means the level of
``YIWANG_TASK_LOG_LEVEL`` (WARNING by default: failures are still logged); 2 and more log
everything, as ``db_worker`` does."""

import logging

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "运行数据库任务队列的执行器（db_worker，日志较少）。/ " + (DbWorkerCommand.help or "")

    def configure_logging(self, verbosity):
        super().configure_logging(verbosity)
        if verbosity == 1:
            level = settings.LOGGING["loggers"]["django_tasks"]["level"]
            logging.getLogger("django_tasks").setLevel(level)
            logging.getLogger("django_tasks_db").setLevel(level)
