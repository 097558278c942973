"""The arithmetic of warning levels, on official working days (``yiwang.core.workdays``).

A clock of ``allowed`` working days (limit plus approved extension) that started on
``start`` and was paused for ``paused`` working days (finished pauses) turns yellow on
``warn_date``: the day on which ``ceil(allowed × percent / 100)`` working days have been
used — ``add_working_days(start, paused + that)`` — never after its due date; it turns red
the day after its due date (a clock due today is not yet overdue). A holiday in between
pushes both days, as it pushes the due date. Paused and stopped clocks have no level.
"""

import math
from datetime import timedelta

from yiwang.core import workdays

from .constants import DEFAULT_WARN_PERCENT, ClockScope, Level

ONE_DAY = timedelta(days=1)


def warn_date(*, start, allowed, paused, due, percent):
    used = math.ceil(allowed * percent / 100)
    try:
        day = workdays.add_working_days(start, paused + used).date
    except workdays.OutsideCalendar:
        return due
    return min(day, due)


def level_on(today, *, warn, due):
    """``(level, next_change)`` of a running clock on ``today``."""
    if today > due:
        return Level.RED, None
    if today >= warn:
        return Level.YELLOW, due + ONE_DAY
    return Level.NONE, warn


def scope_of(task_id):
    return ClockScope.STEP if task_id is not None else ClockScope.CASE


class Thresholds:
    """The thresholds (``WarningThreshold``) and region parents, loaded once per sweep (or
    per page): ``percent(region_id, scope)`` walks from the region up to the province
    default. With ``region_ids``, only those regions and their ancestors are loaded (a page
    asks about a few regions; a sweep, about any)."""

    def __init__(self, region_ids=None):
        from .models import WarningThreshold

        self.rows = {
            (region_id, scope): percent
            for region_id, scope, percent in WarningThreshold.objects.values_list(
                "region_id", "scope", "percent"
            )
        }
        self.parents = {}
        if any(region_id is not None for region_id, _ in self.rows):
            self.parents = _parents(region_ids)
        self._cache = {}

    def percent(self, region_id, scope):
        key = (region_id, scope)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        value = None
        chain = []
        current = region_id
        while current is not None and len(chain) < 10:
            chain.append(current)
            current = self.parents.get(current)
        for candidate in [*chain, None]:
            for wanted in (scope, ""):
                if (candidate, wanted) in self.rows:
                    value = self.rows[(candidate, wanted)]
                    break
            if value is not None:
                break
        if value is None:
            value = DEFAULT_WARN_PERCENT
        self._cache[key] = value
        return value


def _parents(region_ids=None):
    """``{pk: parent_id}`` of every region, or of ``region_ids`` and their ancestors (one
    query per level)."""
    from yiwang.orgs.models import Region

    rows = Region.objects.values_list("pk", "parent_id")
    if region_ids is None:
        return dict(rows)
    parents, wanted = {}, set(region_ids) - {None}
    while wanted:
        found = dict(rows.filter(pk__in=wanted))
        parents.update(found)
        wanted = set(found.values()) - set(parents) - {None}
    return parents
