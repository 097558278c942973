"""The statistics' summary tables, kept current by the task worker (``rollups.py``).

``MonthlyCell`` is the one summary: one row per month × region × department ×
implementation, with additive columns only (counts, sums and a histogram of working days),
so any union of cells — a region's subtree, a department, a period of months — is answered
by summing rows, and the 90th percentile of the union is exact up to the histogram bucket.
A case counts in two cells: the month it was submitted (``received``, ``online``,
``accepted``, ``accepted_completed``) and the month it ended (everything else).
Definitions: docs/statistics.md.

``WorkingDayIndex`` is the working-day calendar as a table (the running count of working
days per date), so the rollups' GROUP BY can count working days in SQL.
"""

from django.db import models

# Histogram buckets of working days taken, ``(low, high)`` inclusive (``high`` None: and
# more). Column ``h00`` is the first bucket.
BUCKETS = (
    (0, 0),
    (1, 1),
    (2, 2),
    (3, 3),
    (4, 4),
    (5, 5),
    (6, 7),
    (8, 10),
    (11, 15),
    (16, 20),
    (21, 30),
    (31, 45),
    (46, 60),
    (61, 90),
    (91, None),
)
BUCKET_FIELDS = tuple(f"h{i:02d}" for i in range(len(BUCKETS)))

# The additive columns of a cell, in the order the rollup queries return them.
RECEIVED_FIELDS = ("received", "online", "accepted", "accepted_completed")
CLOSED_FIELDS = (
    "completed",
    "refused",
    "withdrawn",
    "timed",
    "on_time",
    "days_sum",
    "corrections",
    *BUCKET_FIELDS,
)
MEASURE_FIELDS = RECEIVED_FIELDS + CLOSED_FIELDS


def _bucket_label(low, high):
    if high is None:
        return f"{low} 个工作日以上"
    if low == high:
        return f"{low} 个工作日"
    return f"{low}–{high} 个工作日"


class MonthlyCell(models.Model):
    """One month of one implementation in one department and region (统计汇总单元)."""

    month = models.DateField("月份（当月 1 日）")
    region = models.ForeignKey(
        "orgs.Region", verbose_name="区划", on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department", verbose_name="部门", on_delete=models.CASCADE, related_name="+"
    )
    implementation = models.ForeignKey(
        "catalog.Implementation", verbose_name="事项", on_delete=models.CASCADE, related_name="+"
    )

    # By the month of submission.
    received = models.PositiveIntegerField("收件量", default=0)
    online = models.PositiveIntegerField("网上申请量", default=0)
    accepted = models.PositiveIntegerField("其中已受理", default=0)
    accepted_completed = models.PositiveIntegerField("其中已受理且已办结", default=0)

    # By the month the case ended (``completed_at``).
    completed = models.PositiveIntegerField("办结量", default=0)
    refused = models.PositiveIntegerField("不予受理量", default=0)
    withdrawn = models.PositiveIntegerField("撤回量", default=0)
    timed = models.PositiveIntegerField("有办结时限的办结量", default=0)
    on_time = models.PositiveIntegerField("按时办结量", default=0)
    days_sum = models.BigIntegerField("办理工作日合计", default=0)
    corrections = models.BigIntegerField("补正次数合计", default=0)

    h00 = models.PositiveIntegerField(_bucket_label(*BUCKETS[0]), default=0)
    h01 = models.PositiveIntegerField(_bucket_label(*BUCKETS[1]), default=0)
    h02 = models.PositiveIntegerField(_bucket_label(*BUCKETS[2]), default=0)
    h03 = models.PositiveIntegerField(_bucket_label(*BUCKETS[3]), default=0)
    h04 = models.PositiveIntegerField(_bucket_label(*BUCKETS[4]), default=0)
    h05 = models.PositiveIntegerField(_bucket_label(*BUCKETS[5]), default=0)
    h06 = models.PositiveIntegerField(_bucket_label(*BUCKETS[6]), default=0)
    h07 = models.PositiveIntegerField(_bucket_label(*BUCKETS[7]), default=0)
    h08 = models.PositiveIntegerField(_bucket_label(*BUCKETS[8]), default=0)
    h09 = models.PositiveIntegerField(_bucket_label(*BUCKETS[9]), default=0)
    h10 = models.PositiveIntegerField(_bucket_label(*BUCKETS[10]), default=0)
    h11 = models.PositiveIntegerField(_bucket_label(*BUCKETS[11]), default=0)
    h12 = models.PositiveIntegerField(_bucket_label(*BUCKETS[12]), default=0)
    h13 = models.PositiveIntegerField(_bucket_label(*BUCKETS[13]), default=0)
    h14 = models.PositiveIntegerField(_bucket_label(*BUCKETS[14]), default=0)

    class Meta:
        verbose_name = "统计汇总单元"
        verbose_name_plural = "统计汇总单元"
        ordering = ["month", "department", "implementation"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department", "implementation", "region"],
                name="stats_cell_unique",
            )
        ]
        indexes = [models.Index(fields=["month", "department"], name="stats_cell_month_dept")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.department_id}/{self.implementation_id}"


class WorkingDayIndex(models.Model):
    """The working-day calendar as rows: ``ordinal`` is the number of working days from
    the calendar's first day up to and including ``day``, so the working days in
    ``(a, b]`` are ``ordinal(b) - ordinal(a)`` (``workdays.working_days_between``)."""

    day = models.DateField("日期", primary_key=True)
    ordinal = models.PositiveIntegerField("累计工作日")

    class Meta:
        verbose_name = "工作日序号"
        verbose_name_plural = "工作日序号"

    def __str__(self):
        return f"{self.day}: {self.ordinal}"


class RefreshState(models.Model):
    """The rollups' bookkeeping (one row, pk 1)."""

    case_watermark = models.DateTimeField("已汇总至（办件更新时间）", null=True, blank=True)
    calendar_version = models.PositiveIntegerField("工作日序号所依据的日历版本", default=0)
    last_refresh_at = models.DateTimeField("上次增量汇总", null=True, blank=True)
    last_refresh_cells = models.PositiveIntegerField("上次增量汇总的单元数", default=0)
    last_rebuild_at = models.DateTimeField("上次全量重建", null=True, blank=True)

    class Meta:
        verbose_name = "统计汇总状态"
        verbose_name_plural = "统计汇总状态"

    def __str__(self):
        return f"统计汇总至 {self.case_watermark}"
