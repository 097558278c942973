"""Supervision's data (电子监察): one watched row per running clock with its warning level and
the next day the level can change, the warning history, escalation notices, 督办 memos, the
anomaly rules and what they found, the warning thresholds, and the sweep's watermarks.

Every write goes through ``sweep.py`` (the recurring job) or ``actions.py``."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .constants import (
    DEFAULT_WARN_PERCENT,
    AnomalyStatus,
    ClockScope,
    Level,
    MemoStatus,
    RuleCode,
    WarningEventKind,
)

WARNING_LEVELS = Q(level__gt=Level.NONE)


class WarningThreshold(models.Model):
    """The share of a clock's limit used on the day it turns yellow. The most specific row
    wins: the clock's region before its parent regions before the province-wide default (no
    region); a row for the clock's scope (step or case) before one for both (blank)."""

    region = models.ForeignKey(
        "orgs.Region",
        verbose_name="区划（空：全省默认）",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    scope = models.CharField(
        "时限范围（空：环节和办件）", max_length=10, choices=ClockScope.choices, blank=True
    )
    percent = models.PositiveSmallIntegerField(
        "预警比例（%）",
        default=DEFAULT_WARN_PERCENT,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="时限已用去这一比例的当天亮黄牌。",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "预警阈值"
        verbose_name_plural = "预警阈值"
        ordering = ["region__code", "scope"]
        constraints = [
            # One row per region and scope, and one province-wide default per scope (two
            # partial constraints: SQLite has no NULLS NOT DISTINCT).
            models.UniqueConstraint(
                fields=["region", "scope"],
                name="supervision_threshold_region_scope_unique",
                condition=Q(region__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["scope"],
                name="supervision_threshold_default_scope_unique",
                condition=Q(region__isnull=True),
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=100),
                name="supervision_threshold_percent_range",
            ),
        ]

    def __str__(self):
        where = self.region.name if self.region_id else "全省默认"
        scope = ClockScope(self.scope).label if self.scope else "全部时限"
        return f"{where}·{scope}：{self.percent}%"


class WatchedClock(models.Model):
    """One running, unpaused hall clock as supervision sees it. ``next_change``: the first
    day the level changes by the calendar alone (``warn_date`` while normal, the day after
    ``due_date`` while yellow, none once red), so the sweep reads only the rows whose day
    has come and the clocks written since its last run — never every open case."""

    clock = models.OneToOneField(
        "hall.Clock",
        verbose_name="时限",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="supervision",
    )
    case = models.ForeignKey(
        "hall.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="责任部门",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    region = models.ForeignKey(
        "orgs.Region",
        verbose_name="区划",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    scope = models.CharField("时限范围", max_length=10, choices=ClockScope.choices)
    kind = models.CharField("时限类型", max_length=20)
    label = models.CharField("计时对象", max_length=100)
    start_date = models.DateField("起算日")
    allowed_days = models.PositiveIntegerField("时限（含延长，工作日）")
    paused_days = models.PositiveIntegerField("已暂停（工作日）", default=0)
    warn_date = models.DateField("预警日")
    due_date = models.DateField("截止日")
    level = models.PositiveSmallIntegerField("预警级别", choices=Level.choices, default=Level.NONE)
    next_change = models.DateField("下次变化日", null=True, blank=True)
    level_since = models.DateField("本级别起始日", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "监察中的时限"
        verbose_name_plural = "监察中的时限"
        ordering = ["-level", "due_date", "pk"]
        indexes = [
            # The sweep's second read: rows whose level-change day has come.
            models.Index(fields=["next_change"], name="sv_watch_next_change"),
            models.Index(fields=["case"], name="sv_watch_case"),
            # The warning lists, in their order, per scope: everything (superuser), one
            # department (its head), a region's rows (a regional supervisor: one index
            # range per region of the subtree).
            models.Index(
                fields=["-level", "due_date", "clock"],
                name="sv_watch_list",
                condition=WARNING_LEVELS,
            ),
            models.Index(
                fields=["department", "-level", "due_date", "clock"],
                name="sv_watch_dept_list",
                condition=WARNING_LEVELS,
            ),
            models.Index(
                fields=["region", "-level", "due_date", "clock"],
                name="sv_watch_region_list",
                condition=WARNING_LEVELS,
            ),
            # The counts by level per region and department read only this index.
            models.Index(
                fields=["level", "region", "department", "scope"],
                name="sv_watch_counts",
                condition=WARNING_LEVELS,
            ),
        ]

    def __str__(self):
        return f"{self.label} {Level(self.level).label} 截止 {self.due_date}"


class WarningEvent(models.Model):
    """A level change of a clock: the case's warning history."""

    case = models.ForeignKey(
        "hall.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="+"
    )
    clock = models.ForeignKey(
        "hall.Clock",
        verbose_name="时限",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    label = models.CharField("计时对象", max_length=100)
    kind = models.CharField("变化", max_length=20, choices=WarningEventKind.choices)
    level_before = models.PositiveSmallIntegerField(choices=Level.choices)
    level_after = models.PositiveSmallIntegerField(choices=Level.choices)
    day = models.DateField("日期")
    at = models.DateTimeField("记录时间")
    reason = models.CharField("说明", max_length=200, blank=True)
    due_date = models.DateField("截止日", null=True, blank=True)

    class Meta:
        verbose_name = "预警记录"
        verbose_name_plural = "预警记录"
        ordering = ["case", "at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="sv_warning_event_case")]

    def __str__(self):
        return f"{self.case_id} {self.label} {self.get_kind_display()}"


class EscalationNotice(models.Model):
    """A clock turned red: its department's heads are told, once per clock and level (a row
    shown on their supervision pages, and an SMS / e-mail after commit)."""

    case = models.ForeignKey(
        "hall.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="+"
    )
    clock = models.ForeignKey(
        "hall.Clock", verbose_name="时限", on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department", verbose_name="责任部门", on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)
    label = models.CharField("计时对象", max_length=100)
    due_date = models.DateField("截止日")
    text = models.CharField("通知内容", max_length=300)
    created_at = models.DateTimeField("通知时间")
    sent_to = models.PositiveSmallIntegerField("通知人数", default=0)
    read_at = models.DateTimeField("已阅时间", null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "超期督促通知"
        verbose_name_plural = "超期督促通知"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "level"], name="supervision_notice_clock_level_unique"
            )
        ]
        indexes = [models.Index(fields=["department", "-created_at"], name="sv_notice_department")]

    def __str__(self):
        return self.text


class SupervisionMemo(models.Model):
    """督办: a regional supervisor's memo about a case to the responsible department, which
    must answer it within ``answer_due`` (working days, default 3)."""

    case = models.ForeignKey(
        "hall.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department", verbose_name="被督办部门", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    text = models.TextField("督办事项")
    created_at = models.DateTimeField("督办时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督办人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer_due = models.DateField("答复期限")
    status = models.CharField(
        "状态", max_length=20, choices=MemoStatus.choices, default=MemoStatus.OPEN
    )
    answer = models.TextField("答复内容", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["department", "status", "answer_due"], name="sv_memo_department"),
            models.Index(fields=["region", "status", "answer_due"], name="sv_memo_region"),
            models.Index(fields=["case"], name="sv_memo_case"),
        ]

    def __str__(self):
        return f"督办 {self.case} → {self.department}"

    def is_overdue(self, today):
        if self.status == MemoStatus.OPEN:
            return today > self.answer_due
        return self.answered_at is not None and self.answered_at.date() > self.answer_due


class AnomalyRule(models.Model):
    """A data-driven anomaly rule an administrator switches on and tunes."""

    code = models.CharField("规则", max_length=40, choices=RuleCode.choices, unique=True)
    enabled = models.BooleanField("启用", default=False)
    parameters = models.JSONField("参数", default=dict, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "异常规则"
        verbose_name_plural = "异常规则"
        ordering = ["code"]

    def __str__(self):
        return RuleCode(self.code).label

    def parameter(self, name):
        from .constants import RULES

        default = RULES[RuleCode(self.code)][1][name]
        value = (self.parameters or {}).get(name, default)
        try:
            return int(value)
        except (TypeError, ValueError):
            return default


class Anomaly(models.Model):
    """What an anomaly rule found, once per rule and case or task (``subject``)."""

    rule = models.ForeignKey(
        AnomalyRule, verbose_name="规则", on_delete=models.CASCADE, related_name="anomalies"
    )
    subject = models.CharField(max_length=40, editable=False)
    case = models.ForeignKey(
        "hall.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(
        "hall.CaseTask",
        verbose_name="环节",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    department = models.ForeignKey(
        "orgs.Department", verbose_name="责任部门", on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    detail = models.CharField("发现的问题", max_length=300)
    detected_at = models.DateTimeField("发现时间")
    status = models.CharField(
        "状态", max_length=20, choices=AnomalyStatus.choices, default=AnomalyStatus.OPEN
    )
    note = models.TextField("核查意见", blank=True)
    handled_at = models.DateTimeField("核查时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核查人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "异常办件"
        verbose_name_plural = "异常办件"
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject"], name="supervision_anomaly_rule_subject_unique"
            )
        ]
        indexes = [
            models.Index(fields=["status", "department"], name="sv_anomaly_status_dept"),
            models.Index(fields=["status", "region"], name="sv_anomaly_status_region"),
            models.Index(fields=["case"], name="sv_anomaly_case"),
        ]

    def __str__(self):
        return f"{self.rule}：{self.detail}"


class SweepState(models.Model):
    """The sweep's watermarks (one row): clocks written and case events recorded after these
    times (less a small overlap) are read by the next run."""

    clocks_until = models.DateTimeField(null=True, blank=True)
    events_until = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    last_summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "监察扫描状态"
        verbose_name_plural = "监察扫描状态"

    def __str__(self):
        return f"监察扫描 {self.last_run_at or '未运行'}"
