from django.conf import settings
from django.db import models
from django.utils import timezone

from .constants import CalendarDayKind, CalendarSource


class AuditEvent(models.Model):
    """One row per audited event. Written only by ``yiwang.core.audit.record``, in the same
    transaction as the write it records.

    The rows form a hash chain: ``row_hash`` is an HMAC (key ``settings.AUDIT_CHAIN_KEY``) of
    the row's content together with the previous row's hash (``prev_hash``), and ``sequence``
    numbers the rows without gaps. Editing, deleting or inserting a row breaks the chain at
    that row, which ``manage.py verify_audit_log`` reports."""

    sequence = models.PositiveBigIntegerField("序号", unique=True, editable=False)
    # Set by record() before hashing (not auto_now_add), so the time is part of the chain.
    occurred_at = models.DateTimeField("发生时间", default=timezone.now, db_index=True)
    # Who acted, as hashed: the user's primary key at the time. ``actor`` is the same user for
    # joins; it becomes NULL when the user is deleted, which leaves the chain intact.
    actor_pk = models.CharField("操作人标识", max_length=64, blank=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # An agent acting for a legal person is recorded as "agent X for company Y".
    on_behalf_of = models.CharField("代表主体", max_length=200, blank=True)
    action = models.CharField("操作", max_length=100, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象标识", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    client_address = models.GenericIPAddressField("客户端地址", null=True, blank=True)
    prev_hash = models.CharField("上一条哈希", max_length=64, editable=False)
    row_hash = models.CharField("本条哈希", max_length=64, editable=False)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        when = f"{self.occurred_at:%Y-%m-%d %H:%M:%S}"
        return f"#{self.sequence} {when} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The end of the audit chain: one row (pk 1) with the last sequence number and hash.

    ``record()`` locks this row (SELECT ... FOR UPDATE) before it numbers and hashes a new
    audit row, so concurrent writers on PostgreSQL queue up instead of forking the chain.
    ``verify_audit_log`` compares it with the last row: rows cut off the end are noticed."""

    last_sequence = models.PositiveBigIntegerField("最后序号", default=0)
    last_hash = models.CharField("最后哈希", max_length=64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self):
        return f"#{self.last_sequence} {self.last_hash[:12]}"


class ScheduledJobRun(models.Model):
    """When each recurring job of ``yiwang.core.schedule`` was last put on the task queue.

    One row per job name. A scheduler claims a due job with a conditional UPDATE on this row,
    so two schedulers running at once enqueue it once."""

    name = models.CharField("任务名称", max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField("上次入队时间", null=True, blank=True)

    class Meta:
        verbose_name = "定时任务运行记录"
        verbose_name_plural = "定时任务运行记录"
        ordering = ["name"]

    def __str__(self):
        return self.name


class CalendarYear(models.Model):
    """A year whose official holiday arrangement (the State Council's yearly notice, 国务院
    办公厅关于某年部分节假日安排的通知) has been entered. A year without a row is provisional:
    ``yiwang.core.workdays`` then computes it from the national holiday regulations.

    Written only by ``yiwang.core.actions.enter_official_arrangement`` (and the seed
    migration); its days are ``CalendarDay`` rows."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    notice_title = models.CharField("通知标题", max_length=200, blank=True)
    notice_url = models.URLField("通知网址", max_length=500, blank=True)
    source = models.CharField("来源", max_length=20, choices=CalendarSource.choices)
    entered_at = models.DateTimeField("录入时间", default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "工作日历年度安排"
        verbose_name_plural = "工作日历年度安排"
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}年节假日安排"


class CalendarDay(models.Model):
    """One date that differs from the plain week: a holiday (with its name) or an adjusted
    working day (调休上班, a weekend day worked). Belongs to the arrangement of the notice
    that set it, which may lie in the year before (the 2019 notice set 2018-12-29 to 31)."""

    arrangement = models.ForeignKey(
        CalendarYear, verbose_name="年度安排", on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=20, choices=CalendarDayKind.choices)
    name = models.CharField("节日名称", max_length=50, blank=True)

    class Meta:
        verbose_name = "节假日与调休日"
        verbose_name_plural = "节假日与调休日"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class WorkingCalendarState(models.Model):
    """One row (pk 1): the calendar's version, raised by every change in the same transaction.
    Each process keeps its working-day table with the version it was built from and rebuilds
    it when the row says otherwise (``yiwang.core.workdays``)."""

    version = models.PositiveBigIntegerField("版本", default=0)
    changed_at = models.DateTimeField("修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "工作日历版本"
        verbose_name_plural = "工作日历版本"

    def __str__(self):
        return f"v{self.version}"
