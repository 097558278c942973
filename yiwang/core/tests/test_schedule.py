"""The recurring jobs: every entry of the schedule is a real task, every platform task is
scheduled, and a due job is enqueued once however many schedulers ask."""

import importlib
import threading
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks.base import Task

from yiwang.core.models import ScheduledJobRun
from yiwang.core.schedule import SCHEDULE, ScheduledJob
from yiwang.core.scheduler import ScheduleError, claim, resolve_schedule, run_due_jobs

DUMMY_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
}


def test_every_schedule_entry_is_a_real_task():
    resolved = resolve_schedule()
    assert [job.name for job in resolved] == [job.name for job in SCHEDULE]
    for job in resolved:
        assert isinstance(job.task, Task)
        assert job.task.get_backend().validate_task(job.task) is None
    intervals = {job.name: job.interval_seconds for job in SCHEDULE}
    assert intervals == {
        "publish_scheduled_pages": 60,
        "prune_task_results": 86400,
        "prune_audit_log": 86400,
        "clear_expired_sessions": 86400,
        "supervision_sweep": 300,
        "stats_refresh": 600,
        "evaluation_hourly": 3600,
        "evaluation_figures": 86400,
        "appointments_sweep": 900,
        "interaction_sweep": 300,
        "monitoring_probes": 300,
        "monitoring_daily_runs": 86400,
    }


# Tasks enqueued by an event (a change to the official calendar), never by time.
EVENT_TASKS = {
    "yiwang.hall.tasks.recompute_clocks",
    "yiwang.evaluation.tasks.recompute_deadlines",
    "yiwang.stats.tasks.rollups_after_calendar_change",
    "yiwang.interaction.tasks.recompute_deadlines",
    # A run's slices: enqueued by monitoring.runner.start_run and by the run itself.
    "yiwang.monitoring.tasks.execute_run",
    # The search index after a commit that changed pages, items or messages (search.index).
    "yiwang.search.tasks.update_documents",
}


def test_every_platform_task_is_scheduled():
    """Like notifications-api's test_all_queues_used: a task added to an app's tasks.py and
    forgotten in schedule.py would never run."""
    defined = set()
    for app in apps.get_app_configs():
        if not app.name.startswith("yiwang."):
            continue
        try:
            module = importlib.import_module(f"{app.name}.tasks")
        except ModuleNotFoundError:
            continue
        defined |= {task.module_path for task in vars(module).values() if isinstance(task, Task)}
    assert "yiwang.core.tasks.prune_audit_log" in defined
    scheduled = {job.task_path for job in SCHEDULE}
    assert defined - EVENT_TASKS == scheduled
    for path in EVENT_TASKS:
        assert path in defined, f"{path} is listed as an event task but does not exist"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (ScheduledJob("x", "yiwang.core.tasks.no_such_task", 60), "定时任务 x 的任务不存在"),
        (ScheduledJob("x", "yiwang.core.schedule.SCHEDULE", 60), "不是任务"),
        (ScheduledJob("x", "yiwang.core.tasks.prune_task_results", 0), "间隔必须是正整数秒"),
    ],
)
def test_a_broken_schedule_is_refused_with_a_chinese_message(entry, message):
    with pytest.raises(ScheduleError, match=message):
        resolve_schedule([entry])
    with pytest.raises(ScheduleError, match="名称重复"):
        resolve_schedule([SCHEDULE[0], SCHEDULE[0]])


@pytest.mark.django_db
@override_settings(TASKS=DUMMY_TASKS)
def test_a_due_job_is_enqueued_once_until_its_interval_passes(
    django_capture_on_commit_callbacks,
):
    backend = default_task_backend
    start = timezone.now()
    minute_job = [ScheduledJob("publish", "yiwang.core.tasks.publish_scheduled_pages", 60)]

    def tick(at):
        with django_capture_on_commit_callbacks(execute=True):
            return run_due_jobs(now=at, schedule=minute_job)

    assert tick(start) == ["publish"]
    assert tick(start) == []
    assert tick(start + timedelta(seconds=59)) == []
    assert len(backend.results) == 1
    assert tick(start + timedelta(seconds=60)) == ["publish"]
    assert tick(start + timedelta(seconds=61)) == []
    assert [r.task.module_path for r in backend.results] == [
        "yiwang.core.tasks.publish_scheduled_pages"
    ] * 2
    assert ScheduledJobRun.objects.get(name="publish").last_enqueued_at == start + timedelta(
        seconds=60
    )


@pytest.mark.django_db
@override_settings(TASKS=DUMMY_TASKS)
def test_nothing_is_enqueued_when_the_claim_rolls_back():
    """Enqueueing waits for the claim to commit (here it never does: the test's
    transaction is rolled back)."""
    assert run_due_jobs(schedule=SCHEDULE[:1]) == ["publish_scheduled_pages"]
    assert default_task_backend.results == []


@pytest.mark.django_db
def test_two_schedulers_claim_a_due_job_once():
    (job,) = resolve_schedule(SCHEDULE[:1])
    now = timezone.now()
    assert [claim(job, now=now), claim(job, now=now)] == [True, False]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database; SQLite's test database is in memory",
)
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DUMMY_TASKS)
def test_concurrent_schedulers_enqueue_a_due_job_once():
    barrier = threading.Barrier(4)
    results = []
    now = timezone.now()

    def scheduler():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(run_due_jobs(now=now, schedule=SCHEDULE[:1]))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [[], [], [], ["publish_scheduled_pages"]]
    assert ScheduledJobRun.objects.count() == 1


@pytest.mark.django_db
@override_settings(TASKS=DUMMY_TASKS)
def test_run_scheduler_once(capsys):
    call_command("run_scheduler", once=True)
    out = capsys.readouterr().out
    assert "已入队：publish_scheduled_pages" in out
    assert "已入队：prune_task_results" in out
    assert "已入队：prune_audit_log" in out
    assert "已入队：clear_expired_sessions" in out
    assert ScheduledJobRun.objects.count() == len(SCHEDULE)
    with pytest.raises(CommandError, match="--interval 必须大于 0"):
        call_command("run_scheduler", once=True, interval=0)
