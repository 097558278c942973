"""Background tasks of supervision (``django_tasks``). Thin: they call ``sweep``."""

from django_tasks import task


@task()
def sweep_warnings():
    """The recurring supervision job (``core/schedule.py``): bring the watched clocks in line
    with the clocks changed since the last run, raise and clear warnings whose threshold day
    has come, apply the anomaly rules to the new case events, send escalation notices.
    Cost in proportion to what changed. Returns a JSON-serializable summary."""
    from .sweep import sweep

    return sweep()
