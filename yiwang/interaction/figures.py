"""Reply figures (答复率, 答复用时) of a set of messages, overall and per department.

Counted: every message but the invalid ones (无效留言). Replied: those with an official
reply (``replied_at``). Reply time: ``replied_at - submitted_at`` in calendar days (what the
public sees; the deadlines themselves count working days). Shared by the public pages, the
back office and the import command's report."""

import statistics
from dataclasses import dataclass

from .constants import Status


@dataclass(frozen=True)
class Figures:
    total: int
    replied: int
    reply_rate: float | None  # 0..1, None when there is nothing to count
    median_days: float | None
    average_days: float | None

    @property
    def reply_rate_percent(self):
        return None if self.reply_rate is None else round(self.reply_rate * 100, 1)


def _figures(rows):
    """``rows``: (submitted_at, replied_at or None) pairs."""
    total = len(rows)
    lags = [(r - s).total_seconds() / 86400 for s, r in rows if r is not None]
    return Figures(
        total=total,
        replied=len(lags),
        reply_rate=len(lags) / total if total else None,
        median_days=round(statistics.median(lags), 2) if lags else None,
        average_days=round(statistics.fmean(lags), 2) if lags else None,
    )


def _rows(messages):
    return messages.exclude(status=Status.INVALID)


def of(messages):
    """``Figures`` of a ``Message`` queryset."""
    return _figures(list(_rows(messages).values_list("submitted_at", "replied_at")))


def by_department(messages):
    """``[(department_id, department_name, Figures)]`` ordered by name; messages with no
    department yet are left out."""
    grouped = {}
    names = {}
    rows = _rows(messages).filter(department__isnull=False)
    for department_id, name, submitted, replied in rows.values_list(
        "department_id", "department__name", "submitted_at", "replied_at"
    ):
        grouped.setdefault(department_id, []).append((submitted, replied))
        names[department_id] = name
    return sorted(
        ((pk, names[pk], _figures(rows)) for pk, rows in grouped.items()), key=lambda t: t[1]
    )
