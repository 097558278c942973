"""Enqueueing the recurring jobs of ``schedule.py`` when they are due.

A job is due when ``interval_seconds`` have passed since it was last enqueued. Claiming it
is one conditional UPDATE of its ``ScheduledJobRun`` row (``... WHERE last_enqueued_at <=
cutoff``): of two schedulers that see the job due at the same moment, one updates the row
and enqueues, the other updates nothing and moves on. PostgreSQL re-checks the condition
after waiting for the first writer's row lock; SQLite lets one writer in at a time.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from .models import ScheduledJobRun
from .schedule import SCHEDULE

logger = logging.getLogger(__name__)


class ScheduleError(Exception):
    """The schedule names a task that does not exist or is not a task, repeats a name, or
    has an interval that is not a positive number of seconds."""


@dataclass(frozen=True)
class ResolvedJob:
    name: str
    task: Task
    interval: timedelta


def resolve_schedule(schedule=None):
    """The schedule with each task imported. Raises ``ScheduleError``."""
    schedule = SCHEDULE if schedule is None else schedule
    resolved, names = [], set()
    for job in schedule:
        if job.name in names:
            raise ScheduleError(f"定时任务名称重复：{job.name}")
        names.add(job.name)
        if not isinstance(job.interval_seconds, int) or job.interval_seconds <= 0:
            raise ScheduleError(f"定时任务 {job.name} 的间隔必须是正整数秒")
        try:
            task = import_string(job.task_path)
        except ImportError as exc:
            raise ScheduleError(f"定时任务 {job.name} 的任务不存在：{job.task_path}") from exc
        if not isinstance(task, Task):
            raise ScheduleError(
                f"定时任务 {job.name} 指向的 {job.task_path} 不是任务（缺少 @task() 装饰器）"
            )
        resolved.append(ResolvedJob(job.name, task, timedelta(seconds=job.interval_seconds)))
    return resolved


def claim(job, *, now):
    """Mark ``job`` enqueued at ``now`` if it is due. True for exactly one caller per due
    period, however many schedulers ask."""
    ScheduledJobRun.objects.get_or_create(name=job.name)
    cutoff = now - job.interval
    claimed = (
        ScheduledJobRun.objects.filter(name=job.name)
        .filter(Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lte=cutoff))
        .update(last_enqueued_at=now)
    )
    return claimed == 1


def run_due_jobs(*, now=None, schedule=None):
    """Enqueue every due job once; returns the names of the jobs enqueued. Each job is
    enqueued after its claim commits."""
    now = now or timezone.now()
    enqueued = []
    for job in resolve_schedule(schedule):
        with transaction.atomic():
            if claim(job, now=now):
                transaction.on_commit(lambda job=job: _enqueue(job))
                enqueued.append(job.name)
    return enqueued


def _enqueue(job):
    try:
        result = job.task.enqueue()
    except Exception:
        # The claim stands: the job runs again at its next interval, not in a tight loop.
        logger.exception("定时任务 %s 入队失败", job.name)
        return
    logger.info("定时任务 %s 已入队（%s）", job.name, result.id)
