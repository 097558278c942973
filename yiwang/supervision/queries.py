"""Reads of supervision across the permission line: everything is filtered by the reader's
``roles.scope_for`` (regional supervisor: their region and below; department head or hall
department supervisor: their department; superuser: all).

The warning list and the counts read ``WatchedClock`` by its partial indexes
(``level > 0``): the list in index order (``-level, due_date, clock``), the counts from
``sv_watch_counts`` alone."""

from django.db.models import Count

from yiwang.hall import clocks as hall_clocks
from yiwang.hall import queries as hall_queries
from yiwang.hall.models import Case, CaseTask

from .constants import AnomalyStatus, Level, MemoStatus
from .models import (
    WARNING_LEVELS,
    Anomaly,
    EscalationNotice,
    SupervisionMemo,
    WarningEvent,
    WatchedClock,
)

LIST_FIELDS = (
    "clock_id",
    "case_id",
    "department_id",
    "region_id",
    "scope",
    "kind",
    "label",
    "start_date",
    "allowed_days",
    "warn_date",
    "due_date",
    "level",
    "level_since",
    "case__number",
    "case__item_name",
    "case__status",
    "department__name",
    "region__name",
)


def warnings(scope, *, level=None, region_id=None, department_id=None, clock_scope="", kind=""):
    """The yellow and red clocks in ``scope``: red first, then by due date (the index's
    order). Filters: ``level`` (1 or 2), ``region_id`` (that region and below when it is in
    the scope), ``department_id``, ``clock_scope`` (step / case), ``kind`` (statutory /
    promised). A ``values()`` queryset."""
    rows = WatchedClock.objects.filter(WARNING_LEVELS).filter(scope.q())
    if level:
        # As a range, not an equality: SQLite then reads the list index's range in its
        # order; with ``level=`` it sorts every row of the scope at that level (21 ms
        # instead of 1 at 1,000,000 clocks).
        rows = rows.filter(level__gt=level - 1, level__lt=level + 1)
    if region_id:
        from yiwang.orgs.models import Region

        from .roles import subtree_region_ids

        region = Region.objects.filter(pk=region_id).first()
        rows = rows.filter(region_id__in=subtree_region_ids(region)) if region else rows.none()
    if department_id:
        rows = rows.filter(department_id=department_id)
    if clock_scope:
        rows = rows.filter(scope=clock_scope)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-level", "due_date", "clock_id").values(*LIST_FIELDS)


def counts(scope):
    """``{"regions": [...], "departments": [...], "total": {level: n}}``: yellow and red
    counts per region and per department in ``scope``, largest red first."""
    from yiwang.orgs.models import Department, Region

    rows = list(
        WatchedClock.objects.filter(WARNING_LEVELS)
        .filter(scope.q())
        .values("level", "region_id", "department_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    by_region, by_department, total = {}, {}, {Level.YELLOW: 0, Level.RED: 0}
    for row in rows:
        level = Level(row["level"])
        total[level] += row["n"]
        for key, table in ((row["region_id"], by_region), (row["department_id"], by_department)):
            entry = table.setdefault(key, {Level.YELLOW: 0, Level.RED: 0})
            entry[level] += row["n"]
    region_names = dict(Region.objects.filter(pk__in=list(by_region)).values_list("pk", "name"))
    departments = {
        pk: (name, region)
        for pk, name, region in Department.objects.filter(pk__in=list(by_department)).values_list(
            "pk", "name", "region__name"
        )
    }

    def listing(table, name_of):
        items = [
            {
                "id": key,
                "name": name_of(key),
                "yellow": value[Level.YELLOW],
                "red": value[Level.RED],
                "total": value[Level.YELLOW] + value[Level.RED],
            }
            for key, value in table.items()
        ]
        return sorted(items, key=lambda item: (-item["red"], -item["total"], item["name"]))

    return {
        "regions": listing(by_region, lambda pk: region_names.get(pk, str(pk))),
        "departments": listing(
            by_department,
            lambda pk: departments.get(pk, (str(pk), ""))[0],
        ),
        "yellow": total[Level.YELLOW],
        "red": total[Level.RED],
    }


def case_in_scope(scope, case):
    """Whether ``scope`` covers ``case``: its lead department or region, or a department
    with a step on it."""
    if not scope:
        return False
    if scope.covers(department_id=case.department_id, region_id=case.region_id):
        return True
    if scope.department_ids:
        return CaseTask.objects.filter(
            case=case, department_id__in=sorted(scope.department_ids)
        ).exists()
    return False


def supervised_case(scope, pk):
    """The case ``pk`` if ``scope`` covers it, else None (also when it does not exist)."""
    case = (
        Case.objects.select_related("department", "region", "implementation")
        .exclude(status="draft")
        .filter(pk=pk)
        .first()
    )
    if case is None or not case_in_scope(scope, case):
        return None
    return case


def case_page(case):
    """What the supervision case page shows."""
    return {
        "case": case,
        "clocks": hall_clocks.summary(case),
        "watched": list(
            WatchedClock.objects.filter(case=case).select_related("department").order_by("pk")
        ),
        "history": list(
            WarningEvent.objects.filter(case=case).select_related("department").order_by("at", "pk")
        ),
        "memos": list(
            SupervisionMemo.objects.filter(case=case)
            .select_related("department", "created_by", "answered_by")
            .order_by("-created_at", "-pk")
        ),
        "notices": list(EscalationNotice.objects.filter(case=case).order_by("-created_at")),
        "anomalies": list(Anomaly.objects.filter(case=case).select_related("rule")),
        "timeline": list(hall_queries.timeline(case, for_applicant=False)),
    }


def memos(scope, *, status=""):
    """Memos to departments in ``scope`` (a head's: their department's; a regional
    supervisor's: those in their regions). ``status``: open / answered / overdue."""
    rows = SupervisionMemo.objects.filter(scope.q()).select_related(
        "case", "department", "created_by", "answered_by"
    )
    if status == "overdue":
        from django.utils import timezone

        rows = rows.filter(status=MemoStatus.OPEN, answer_due__lt=timezone.localdate())
    elif status in MemoStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("answer_due", "-created_at", "-pk")


def memo_in_scope(scope, pk):
    return (
        SupervisionMemo.objects.filter(scope.q())
        .filter(pk=pk)
        .select_related("case", "department", "created_by", "answered_by")
        .first()
    )


def notices(scope, *, unread=False):
    rows = EscalationNotice.objects.filter(scope.q()).select_related("case", "department")
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def anomalies(scope, *, status=AnomalyStatus.OPEN):
    rows = Anomaly.objects.filter(scope.q()).select_related("rule", "case", "department")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-detected_at", "-pk")


def overview(scope):
    from django.utils import timezone

    today = timezone.localdate()
    memo_rows = SupervisionMemo.objects.filter(scope.q()).filter(status=MemoStatus.OPEN)
    return {
        "counts": counts(scope),
        "open_memos": memo_rows.count(),
        "overdue_memos": memo_rows.filter(answer_due__lt=today).count(),
        "open_anomalies": Anomaly.objects.filter(scope.q())
        .filter(status=AnomalyStatus.OPEN)
        .count(),
        "unread_notices": list(notices(scope, unread=True)[:10]),
    }
