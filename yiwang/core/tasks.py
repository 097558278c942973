"""Background tasks of the platform itself (``django_tasks``). Recurring ones are declared
in ``schedule.py``; ``manage.py run_scheduler`` enqueues them and ``manage.py db_worker``
runs them.

Tasks stay thin: they call a management command or an action and return something
JSON-serializable for the task result."""

import io
import logging

from django.core.management import call_command
from django_tasks import task, task_backends

from . import audit

logger = logging.getLogger(__name__)

TASK_RESULT_RETENTION_DAYS = 7


@task()
def publish_scheduled_pages():
    """Publish pages (and other drafts) whose go-live time has come, unpublish expired
    ones: Wagtail's ``publish_scheduled`` command."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue().strip()


@task()
def prune_task_results(min_age_days=TASK_RESULT_RETENTION_DAYS):
    """Delete finished task results older than ``min_age_days`` from the database queue
    (``prune_db_task_results``). Returns how many were deleted; with a backend that keeps
    no results in the database there is nothing to prune."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task_backends["default"]
    if not isinstance(backend, DatabaseBackend):
        logger.info("任务后端 %s 不在数据库中保存结果，无需清理", type(backend).__name__)
        return 0
    before = DBTaskResult.objects.filter(backend_name=backend.alias).count()
    call_command(
        "prune_db_task_results",
        f"--backend={backend.alias}",
        "--queue-name=*",
        f"--min-age-days={int(min_age_days)}",
        verbosity=0,
    )
    return before - DBTaskResult.objects.filter(backend_name=backend.alias).count()


@task()
def prune_audit_log():
    """Delete audit rows older than ``settings.AUDIT_RETENTION_DAYS`` (at least 180 days),
    recording the pruning in the chain (``yiwang.core.audit.prune``). Returns how many rows
    were deleted; fails, deleting nothing, when the chain does not verify."""
    return audit.prune()


@task()
def clear_expired_sessions():
    """Delete expired sessions (Django's ``clearsessions``): every first visit to a portal
    keeps a small anonymous session for the single sign-on check. Nothing to do when
    sessions live in Redis, which expires them itself."""
    call_command("clearsessions")
    return "ok"
