"""The demo's statistics: the summary table rebuilt from whatever cases the demo holds (the
historic cases of ``history.py`` and the open ones), so the dashboards under /admin/stats/
show real distributions at once, without waiting for the recurring job.

Idempotent: a rebuild replaces the table with what the cases say. ``reset()`` deletes the
summary rows and the bookkeeping (the next refresh of the task worker rebuilds).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class StatsReport:
    cells: int
    months: int


def load(*, today, progress=None):
    """Rebuild the summary from the raw cases. ``today`` is not needed (the cases carry their
    dates) but kept for the loader's uniform signature. ``progress(done, total)`` follows
    the rebuild through the case ids. Returns a ``StatsReport``."""
    from yiwang.stats import rollups
    from yiwang.stats.models import MonthlyCell

    cells = rollups.rebuild(progress=progress)
    months = MonthlyCell.objects.values("month").distinct().count()
    return StatsReport(cells=cells, months=months)


def reset():
    """Delete the statistics' rows."""
    from yiwang.stats import rollups

    rollups.reset()


def describe(base_url="/"):
    """Summary lines for the demo's printout."""
    from yiwang.stats.models import MonthlyCell

    cells = MonthlyCell.objects.count()
    if not cells:
        return []
    months = MonthlyCell.objects.values("month").distinct().count()
    base = base_url.rstrip("/") + "/"
    return [
        "",
        f"统计分析：{months} 个月、{cells} 个汇总单元；{base}admin/stats/ "
        "（按区划、部门、事项，可导出 Excel；监察人员、部门负责人可看）",
    ]
