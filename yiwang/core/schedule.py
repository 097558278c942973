"""THE list of recurring jobs. Nothing else in the code base schedules work by time.

Each entry names a job, the dotted path of a ``django_tasks`` task that takes no arguments,
and how often it runs. ``manage.py run_scheduler`` enqueues a job when its interval has
passed since it was last enqueued (``ScheduledJobRun``); a worker (``manage.py db_worker``)
runs it. To add a job: write the task (``@task()`` in the app's ``tasks.py``), add an entry
here, and run the tests (``yiwang/core/tests/test_schedule.py`` checks every entry resolves
to a real task). docs/tasks.md says more.
"""

from dataclasses import dataclass

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


@dataclass(frozen=True)
class ScheduledJob:
    name: str  # stable: ScheduledJobRun rows are keyed by it
    task_path: str
    interval_seconds: int


SCHEDULE = [
    ScheduledJob("publish_scheduled_pages", "yiwang.core.tasks.publish_scheduled_pages", MINUTE),
    ScheduledJob("prune_task_results", "yiwang.core.tasks.prune_task_results", DAY),
    ScheduledJob("prune_audit_log", "yiwang.core.tasks.prune_audit_log", DAY),
    ScheduledJob("clear_expired_sessions", "yiwang.core.tasks.clear_expired_sessions", DAY),
    ScheduledJob("supervision_sweep", "yiwang.supervision.tasks.sweep_warnings", 5 * MINUTE),
    ScheduledJob("stats_refresh", "yiwang.stats.tasks.refresh_rollups", 10 * MINUTE),
    ScheduledJob("evaluation_hourly", "yiwang.evaluation.tasks.evaluation_hourly", HOUR),
    ScheduledJob("evaluation_figures", "yiwang.evaluation.tasks.publish_figures", DAY),
    ScheduledJob("appointments_sweep", "yiwang.appointments.tasks.appointments_sweep", 15 * MINUTE),
    ScheduledJob("interaction_sweep", "yiwang.interaction.tasks.interaction_sweep", 5 * MINUTE),
    ScheduledJob("monitoring_probes", "yiwang.monitoring.tasks.probe_sites", 5 * MINUTE),
    ScheduledJob("monitoring_daily_runs", "yiwang.monitoring.tasks.schedule_runs", DAY),
]
