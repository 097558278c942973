"""Reading the statistics: the dashboard's figures, from the summary table only (never the
raw cases), limited to what the user supervises (``supervision.roles.scope_for``).

Every figure is a sum over ``MonthlyCell`` rows or a ratio of two sums, so it is the same
whichever way the cells are grouped; docs/statistics.md defines each one.
"""

import math
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum
from django.utils import timezone

from yiwang.supervision.roles import region_prefix

from .models import BUCKET_FIELDS, BUCKETS, MEASURE_FIELDS, MonthlyCell
from .rollups import next_month

# Rows of the per-item table (the largest provinces have thousands of implementations).
ITEM_LIMIT = 200
PERCENTILE = 0.9


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


@dataclass
class Figures:
    """The figures of a union of cells, from their summed columns."""

    sums: dict = field(default_factory=dict)

    def __post_init__(self):
        self.sums = {name: int(self.sums.get(name) or 0) for name in MEASURE_FIELDS}

    def __getattr__(self, name):
        sums = self.__dict__.get("sums", {})
        if name in sums:
            return sums[name]
        raise AttributeError(name)

    @property
    def completion_rate(self):
        """办结率: of the cases received and accepted, the share completed."""
        return _ratio(self.sums["accepted_completed"], self.sums["accepted"])

    @property
    def on_time_rate(self):
        """按时办结率: of the completed cases with a time limit, the share on time."""
        return _ratio(self.sums["on_time"], self.sums["timed"])

    @property
    def average_days(self):
        """平均办理工作日."""
        return _ratio(self.sums["days_sum"], self.sums["timed"])

    @property
    def online_rate(self):
        """网上申请率: of the cases received, the share applied online."""
        return _ratio(self.sums["online"], self.sums["received"])

    @property
    def corrections_per_case(self):
        """件均补正次数: correction rounds of the completed cases per completed case."""
        return _ratio(self.sums["corrections"], self.sums["completed"])

    @property
    def histogram(self):
        return [self.sums[name] for name in BUCKET_FIELDS]

    @property
    def p90(self):
        """The bucket ``(low, high)`` holding the 90th percentile of working days taken
        (nearest rank: the smallest value with at least 90% of the cases at or below it);
        ``high`` None for the open last bucket; None without timed cases."""
        total = self.sums["timed"]
        if not total:
            return None
        rank = math.ceil(PERCENTILE * total)
        running = 0
        for count, bucket in zip(self.histogram, BUCKETS, strict=True):
            running += count
            if running >= rank:
                return bucket
        return BUCKETS[-1]

    @property
    def p90_label(self):
        bucket = self.p90
        if bucket is None:
            return "—"
        low, high = bucket
        if high is None:
            return f"{low} 以上"
        return str(low) if low == high else f"{low}–{high}"


@dataclass(frozen=True)
class Filters:
    """What the dashboard shows: months ``month_from``..``month_to`` (first days,
    inclusive), optionally a region's subtree, a department, an implementation."""

    month_from: date
    month_to: date
    region: object = None
    department: object = None
    implementation: object = None

    @property
    def start(self):
        return self.month_from

    @property
    def end(self):
        """The last day of ``month_to``."""
        return date.fromordinal(next_month(self.month_to).toordinal() - 1)

    def months(self):
        month, months = self.month_from, []
        while month <= self.month_to:
            months.append(month)
            month = next_month(month)
        return months


def this_month(today=None):
    return (today or timezone.localdate()).replace(day=1)


def preset(name, today=None):
    """``(month_from, month_to)`` of a preset: ``year`` (this year to date) or ``12m``
    (the last twelve months, this one included)."""
    current = this_month(today)
    if name == "year":
        return current.replace(month=1), current
    year, month = current.year, current.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1), current


def cells(scope, filters):
    """The summary rows the user may see and asked for (a queryset)."""
    queryset = MonthlyCell.objects.filter(scope.q()).filter(
        month__gte=filters.month_from, month__lte=filters.month_to
    )
    if filters.region is not None:
        queryset = queryset.filter(region__code__startswith=region_prefix(filters.region))
    if filters.department is not None:
        queryset = queryset.filter(department=filters.department)
    if filters.implementation is not None:
        queryset = queryset.filter(implementation=filters.implementation)
    return queryset


def _sums():
    return {name: Sum(name) for name in MEASURE_FIELDS}


def totals(queryset):
    return Figures(queryset.aggregate(**_sums()))


def combine(many):
    """The figures of a union of disjoint groups."""
    sums = dict.fromkeys(MEASURE_FIELDS, 0)
    for figures in many:
        for name in MEASURE_FIELDS:
            sums[name] += figures.sums[name]
    return Figures(sums)


def grouped(queryset, key):
    """``{key value: Figures}`` of the rows grouped by ``key`` (a field name)."""
    rows = queryset.values(key).annotate(**_sums()).order_by()
    return {row[key]: Figures(row) for row in rows}


def by_month(queryset, filters):
    found = grouped(queryset, "month")
    return [(month, found.get(month) or Figures()) for month in filters.months()]


def by_department(queryset):
    from yiwang.orgs.models import Department

    found = grouped(queryset, "department_id")
    names = Department.objects.only("pk", "name").in_bulk(list(found))
    rows = [(names[pk], figures) for pk, figures in found.items() if pk in names]
    rows.sort(key=lambda row: (-row[1].received, -row[1].completed, row[0].name))
    return rows


def by_item(queryset, limit=ITEM_LIMIT):
    """The implementations with the most cases received (then completed) first, at most
    ``limit`` (sorted and cut in the database); returns ``(rows, number of
    implementations)``."""
    from yiwang.catalog.models import Implementation

    shown = list(
        queryset.values("implementation_id")
        .annotate(**_sums())
        .order_by("-received", "-completed", "implementation_id")[:limit]
    )
    count = len(shown)
    if count == limit:
        count = queryset.values("implementation_id").distinct().count()
    names = (
        Implementation.objects.select_related("department")
        .only("pk", "name", "department__name")
        .in_bulk([row["implementation_id"] for row in shown])
    )
    rows = [
        (names[row["implementation_id"]], Figures(row))
        for row in shown
        if row["implementation_id"] in names
    ]
    return rows, count


def satisfaction(department_ids, filters):
    """好差评 figures per department from ``evaluation.queries`` (None when that part is not
    available)."""
    try:
        from yiwang.evaluation.queries import satisfaction_by_department

        return satisfaction_by_department(
            department_ids=list(department_ids), start=filters.start, end=filters.end
        )
    except (ImportError, NotImplementedError):
        return None


@dataclass
class Dashboard:
    filters: Filters
    totals: Figures
    months: list
    departments: list
    items: list
    item_count: int
    satisfaction: dict | None


def dashboard(scope, filters):
    """Everything the dashboard (and its Excel export) shows."""
    queryset = cells(scope, filters)
    departments = by_department(queryset)
    items, item_count = by_item(queryset)
    months = by_month(queryset, filters)
    return Dashboard(
        filters=filters,
        # The months' sums add up to the period's (every column is additive).
        totals=combine(figures for _month, figures in months),
        months=months,
        departments=departments,
        items=items,
        item_count=item_count,
        satisfaction=satisfaction([d.pk for d, _ in departments], filters),
    )
