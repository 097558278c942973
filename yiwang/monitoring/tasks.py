"""Background tasks of website monitoring (``django_tasks``). Thin: they call ``runner``."""

from django_tasks import task

from . import runner
from .models import CheckRun


@task()
def execute_run(run_id):
    """One slice of a check run (``runner.execute``); enqueued by ``runner.start_run`` and
    by the run itself between slices, never by time."""
    run = CheckRun.objects.filter(pk=run_id).first()
    if run is None:
        return {"run": run_id, "state": "missing"}
    run = runner.execute(run)
    return {"run": run.pk, "state": run.state, "pages": run.pages}


@task()
def probe_sites():
    """Every 5 minutes (core/schedule.py): the reachability tries that are due."""
    probes = runner.probe_due_sites()
    return {"probes": len(probes), "failed": sum(1 for p in probes if not p.ok)}


@task()
def schedule_runs():
    """Daily (core/schedule.py): a full check of every active site, stalled runs marked
    failed, old reachability tries pruned."""
    stalled = runner.recover_stalled()
    runs = runner.schedule_daily_runs()
    pruned = runner.prune_probes()
    return {"queued": len(runs), "stalled": stalled, "probes_pruned": pruned}
