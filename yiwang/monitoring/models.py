"""What website monitoring keeps (docs/monitoring.md).

- ``MonitoredSite``: a website under monitoring: one of our portals (``portal`` set) or any
  other government site added by URL.
- ``CheckRun``: one full check of a site (a crawl, possibly in several slices, then the
  judging); its ``Finding`` and ``ColumnStatus`` rows; its ``SiteScore``.
- ``Probe``: one reachability try of a site's home page (many a day, ``runner``).
- ``WordingTerm``: the dictionary of wrong and sensitive expressions (错敏词), data the
  administrators maintain.
- ``PageFingerprint`` and ``TamperEvent``: tamper protection of our own published pages.
- ``Alert``: a notice sent to a site's team, so that each problem is told once.

Rows are written by ``runner``, ``tamper`` and ``alerts``; the back office reads them.
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from . import results
from .constants import (
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_SECONDS,
    DEFAULT_RATE_PER_SECOND,
    DEFAULT_TRIES_PER_DAY,
    MAX_TRIES_PER_DAY,
    PROBE_TIMEOUT_SECONDS,
    STOPPED_BECAUSE_LABELS,
    AlertKind,
    ColumnKindChoice,
    FindingKindChoice,
    FindingOrigin,
    RunState,
    WordingCategory,
)

URL_LENGTH = 2000


def normalize_base_url(value):
    """``value`` as a site's base URL: scheme and host in lower case, a path ending in "/",
    no query or fragment. Raises ``ValidationError`` (Chinese) for anything else than an
    http(s) address with a host."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        raise ValidationError(f"网址无效：{value}") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"网址须以 http:// 或 https:// 开头并包含域名：{value}")
    host = parts.hostname.lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    path = parts.path or "/"
    if not path.endswith("/"):
        path += "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, "", ""))


class MonitoredSite(models.Model):
    """A website under monitoring. ``portal`` set: one of our portals (its freshness, guides
    and interaction are read from our own data, its pages are tamper-protected); empty: an
    external site added by its address, checked only by crawling."""

    name = models.CharField("网站名称", max_length=200)
    base_url = models.CharField(
        "首页地址",
        max_length=500,
        unique=True,
        help_text="如 https://www.example.gov.cn/；只检查这个地址下的页面。",
    )
    region = models.ForeignKey(
        "orgs.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    portal = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name="本平台站点",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitored_sites",
        help_text="本平台的门户网站；外部网站留空。",
    )
    owner_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="问题通知该单位的网站主办单位人员。",
    )
    active = models.BooleanField("启用监测", default=True)
    tries_per_day = models.PositiveSmallIntegerField(
        "每日连通性检测次数",
        default=DEFAULT_TRIES_PER_DAY,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TRIES_PER_DAY)],
    )
    max_pages = models.PositiveIntegerField(
        "每次检查最多页数", default=DEFAULT_MAX_PAGES, validators=[MinValueValidator(1)]
    )
    max_seconds = models.PositiveIntegerField(
        "每次检查最长时间（秒）",
        default=DEFAULT_MAX_SECONDS,
        validators=[MinValueValidator(10)],
    )
    rate_per_second = models.FloatField(
        "每秒最多请求数",
        default=DEFAULT_RATE_PER_SECOND,
        validators=[MinValueValidator(0.1), MaxValueValidator(1000)],
    )
    check_external = models.BooleanField("检查外部链接", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="添加人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "监测网站"
        verbose_name_plural = "监测网站"
        ordering = ["region__code", "name"]
        indexes = [models.Index(fields=["active", "region"], name="monitoring_site_active")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.base_url = normalize_base_url(self.base_url)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if not self.base_url:
            return  # required: said by the field's own validation (or a form's)
        try:
            self.base_url = normalize_base_url(self.base_url)
        except ValidationError as exc:
            raise ValidationError({"base_url": exc.messages}) from exc

    @property
    def is_own(self):
        """One of our portals (own data, tamper protection)."""
        return self.portal_id is not None

    def limits(self, *, max_seconds=None):
        """The crawler's limits for this site (``max_seconds``: of one slice)."""
        return results.CrawlLimits(
            max_pages=self.max_pages,
            max_seconds=float(max_seconds if max_seconds is not None else self.max_seconds),
            rate_per_second=self.rate_per_second,
            timeout=PROBE_TIMEOUT_SECONDS,
            check_external=self.check_external,
            resolve=dict(getattr(settings, "MONITORING_RESOLVE", {}) or {}),
        )


class CheckRun(models.Model):
    """One full check of a site: queued, crawled (in slices, ``paused`` in between), judged,
    scored; or failed or cancelled, keeping whatever was stored before."""

    site = models.ForeignKey(
        MonitoredSite, verbose_name="网站", on_delete=models.CASCADE, related_name="runs"
    )
    state = models.CharField(
        "状态", max_length=20, choices=RunState.choices, default=RunState.QUEUED
    )
    created_at = models.DateTimeField("发起时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    updated_at = models.DateTimeField("最近进展", default=timezone.now)
    pages = models.PositiveIntegerField("已检查页数", default=0)
    pages_queued = models.PositiveIntegerField("待检查页数", default=0)
    links_checked = models.PositiveIntegerField("已检查链接数", default=0)
    progress = models.CharField("进度", max_length=200, blank=True)
    crawl_state = models.JSONField("抓取断点", default=dict, blank=True)
    crawl_seconds = models.FloatField("已用抓取时间（秒）", default=0)
    slices = models.PositiveSmallIntegerField("抓取分段数", default=0)
    stopped_because = models.CharField("提前停止原因", max_length=20, blank=True)
    home_newest = models.DateField("首页最新信息日期", null=True, blank=True)
    error = models.TextField("错误信息", blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="为空：定时检查。",
    )

    class Meta:
        verbose_name = "检查任务"
        verbose_name_plural = "检查任务"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["site", "-created_at"], name="monitoring_run_site"),
            models.Index(fields=["state"], name="monitoring_run_state"),
        ]

    def __str__(self):
        return f"{self.site} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @property
    def is_active(self):
        return self.state in (RunState.QUEUED, RunState.RUNNING, RunState.PAUSED)

    @property
    def progress_percent(self):
        """Pages done of pages known (done + queued), 0–100; 100 once done."""
        if self.state == RunState.DONE:
            return 100
        known = self.pages + self.pages_queued
        return int(self.pages * 100 / known) if known else 0

    @property
    def stopped_because_label(self):
        return STOPPED_BECAUSE_LABELS.get(self.stopped_because, self.stopped_because)


class Finding(models.Model):
    """One problem found by a run (the fields of ``results.Finding``; what each means per
    kind is said there), with where it came from (``origin``)."""

    run = models.ForeignKey(
        CheckRun, verbose_name="检查任务", on_delete=models.CASCADE, related_name="findings"
    )
    site = models.ForeignKey(
        MonitoredSite, verbose_name="网站", on_delete=models.CASCADE, related_name="findings"
    )
    kind = models.CharField("类型", max_length=30, choices=FindingKindChoice.choices)
    origin = models.CharField(
        "来源", max_length=20, choices=FindingOrigin.choices, default=FindingOrigin.CRAWL
    )
    url = models.CharField("页面", max_length=URL_LENGTH, blank=True)
    target = models.CharField("对象", max_length=URL_LENGTH, blank=True)
    status = models.IntegerField("状态码", null=True, blank=True)
    detail = models.TextField("说明", blank=True)
    context = models.TextField("上下文", blank=True)
    category = models.CharField("分类", max_length=40, blank=True)
    on_home = models.BooleanField("在首页", default=False)
    external = models.BooleanField("外部链接", default=False)
    newest = models.DateField("最新日期", null=True, blank=True)
    count = models.PositiveIntegerField("数量", default=0)

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题"
        ordering = ["run", "kind", "pk"]
        indexes = [
            models.Index(fields=["run", "kind"], name="monitoring_finding_run"),
            models.Index(fields=["site", "kind"], name="monitoring_finding_site"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.url}"

    def as_result(self):
        return results.Finding(
            kind=self.kind,
            url=self.url,
            target=self.target,
            status=self.status,
            detail=self.detail,
            context=self.context,
            category=self.category,
            on_home=self.on_home,
            external=self.external,
            newest=self.newest,
            count=self.count,
        )

    @classmethod
    def from_result(cls, finding, *, run, origin):
        return cls(
            run=run,
            site_id=run.site_id,
            origin=origin,
            kind=finding.kind,
            url=(finding.url or "")[:URL_LENGTH],
            target=(finding.target or "")[:URL_LENGTH],
            status=finding.status,
            detail=finding.detail or "",
            context=finding.context or "",
            category=(finding.category or "")[:40],
            on_home=bool(finding.on_home),
            external=bool(finding.external),
            newest=finding.newest,
            count=finding.count or 0,
        )


class ColumnStatus(models.Model):
    """A column (栏目) as a run saw it: its kind, dated items, newest date, and the judgement
    (``stale``: older than its kind's threshold; ``empty``: a column that must update has no
    item)."""

    run = models.ForeignKey(
        CheckRun, verbose_name="检查任务", on_delete=models.CASCADE, related_name="columns"
    )
    url = models.CharField("栏目地址", max_length=URL_LENGTH)
    name = models.CharField("栏目名称", max_length=200, blank=True)
    kind = models.CharField(
        "栏目类型", max_length=20, choices=ColumnKindChoice.choices, default="other"
    )
    items = models.PositiveIntegerField("信息条数", default=0)
    newest = models.DateField("最新信息日期", null=True, blank=True)
    stale = models.BooleanField("不更新", default=False)
    empty = models.BooleanField("空白", default=False)

    class Meta:
        verbose_name = "栏目情况"
        verbose_name_plural = "栏目情况"
        ordering = ["run", "url"]
        indexes = [models.Index(fields=["run", "kind"], name="monitoring_column_run")]

    def __str__(self):
        return self.name or self.url


class Probe(models.Model):
    """One reachability try of a site's home page (a failure: no answer, an error status or
    more than 15 seconds)."""

    site = models.ForeignKey(
        MonitoredSite, verbose_name="网站", on_delete=models.CASCADE, related_name="probes"
    )
    at = models.DateTimeField("检测时间", default=timezone.now)
    ok = models.BooleanField("可访问")
    status = models.IntegerField("状态码", null=True, blank=True)
    elapsed_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    detail = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "连通性检测"
        verbose_name_plural = "连通性检测"
        ordering = ["-at"]
        indexes = [models.Index(fields=["site", "at"], name="monitoring_probe_site_at")]

    def __str__(self):
        return f"{self.site} {self.at:%Y-%m-%d %H:%M} {'正常' if self.ok else '失败'}"


class WordingTerm(models.Model):
    """One entry of the wording dictionary (错敏词库): a wrong or sensitive expression, its
    correct form, and phrases that contain it without being wrong (``exceptions``, e.g. 文化部
    in 文化部门). ``serious`` hits fail the site (veto rule 1, 严重错误表述)."""

    wrong = models.CharField("错误表述", max_length=100, unique=True)
    correct = models.CharField("正确表述", max_length=200, blank=True)
    category = models.CharField(
        "类别", max_length=20, choices=WordingCategory.choices, default=WordingCategory.WRONG
    )
    serious = models.BooleanField(
        "严重错误", default=False, help_text="命中即触发单项否决（严重错误表述）。"
    )
    exceptions = models.TextField(
        "不算错误的写法",
        blank=True,
        help_text="包含错误表述但本身正确的写法，每行一个，如“文化部门”。",
    )
    note = models.CharField("说明", max_length=300, blank=True)
    active = models.BooleanField("启用", default=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "错敏词"
        verbose_name_plural = "错敏词"
        ordering = ["category", "wrong"]

    def __str__(self):
        return f"{self.wrong} → {self.correct}" if self.correct else self.wrong

    def save(self, *args, **kwargs):
        if self.category == WordingCategory.SENSITIVE and self._state.adding:
            self.serious = True
        super().save(*args, **kwargs)

    @property
    def exception_list(self):
        return [line.strip() for line in self.exceptions.splitlines() if line.strip()]

    def clean(self):
        super().clean()
        self.wrong = (self.wrong or "").strip()
        self.correct = (self.correct or "").strip()
        errors = {}
        if not self.wrong:
            errors["wrong"] = "请填写错误表述。"
        elif self.correct == self.wrong:
            errors["correct"] = "正确表述不能与错误表述相同。"
        bad = [line for line in self.exception_list if self.wrong and self.wrong not in line]
        if bad:
            errors["exceptions"] = f"以下写法不包含错误表述“{self.wrong}”：{'、'.join(bad)}"
        if errors:
            raise ValidationError(errors)


class PageFingerprint(models.Model):
    """The fingerprint (``tamper.fingerprint``) of one of our pages as it should be served
    at ``url`` (under the monitored site's base URL), recorded when it was published."""

    site = models.ForeignKey(
        MonitoredSite,
        verbose_name="网站",
        on_delete=models.CASCADE,
        related_name="fingerprints",
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="页面",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    url = models.CharField("地址", max_length=URL_LENGTH)
    sha256 = models.CharField("指纹", max_length=64)
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)
    revision_id = models.BigIntegerField("版本号", null=True, blank=True)

    class Meta:
        verbose_name = "网页指纹"
        verbose_name_plural = "网页指纹"
        constraints = [
            models.UniqueConstraint(fields=["site", "url"], name="monitoring_fingerprint_url")
        ]

    def __str__(self):
        return self.url


class TamperEvent(models.Model):
    """A page of ours served differently from what we publish (网页被篡改): a veto (serious
    incident) of every run until resolved (the page serves right again, or someone marks
    it handled)."""

    site = models.ForeignKey(
        MonitoredSite,
        verbose_name="网站",
        on_delete=models.CASCADE,
        related_name="tamper_events",
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="页面",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    url = models.CharField("地址", max_length=URL_LENGTH)
    expected = models.CharField("应有指纹", max_length=64)
    served = models.CharField("实际指纹", max_length=64)
    detected_at = models.DateTimeField("发现时间", default=timezone.now)
    last_seen_at = models.DateTimeField("最近发现时间", default=timezone.now)
    run = models.ForeignKey(
        CheckRun,
        verbose_name="发现于",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField("处置时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处置人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.CharField("处置说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "篡改事件"
        verbose_name_plural = "篡改事件"
        ordering = ["-detected_at"]
        indexes = [models.Index(fields=["site", "resolved_at"], name="monitoring_tamper_open")]

    def __str__(self):
        return f"{self.url} {timezone.localtime(self.detected_at):%Y-%m-%d %H:%M}"

    @property
    def resolved(self):
        return self.resolved_at is not None


class SiteScore(models.Model):
    """The national check's verdict on one run (``scoring.score``): 100 minus the
    deductions (floor 0), and passed when no veto rule failed. ``vetoes``: a list of
    ``{rule, title, passed, checked, evidence}``; ``deductions``: a list of ``{indicator,
    title, points, evidence}`` (evidence: a list of texts). The rows of a site over time are
    its history."""

    run = models.OneToOneField(
        CheckRun, verbose_name="检查任务", on_delete=models.CASCADE, related_name="score"
    )
    site = models.ForeignKey(
        MonitoredSite, verbose_name="网站", on_delete=models.CASCADE, related_name="scores"
    )
    at = models.DateTimeField("评分时间", default=timezone.now)
    score = models.PositiveSmallIntegerField(
        "得分", validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    passed = models.BooleanField("合格")
    vetoes = models.JSONField("单项否决指标", default=list)
    deductions = models.JSONField("扣分指标", default=list)

    class Meta:
        verbose_name = "网站得分"
        verbose_name_plural = "网站得分"
        ordering = ["-at"]
        indexes = [models.Index(fields=["site", "at"], name="monitoring_score_site_at")]

    def __str__(self):
        return f"{self.site}：{self.score}（{'合格' if self.passed else '不合格'}）"

    @property
    def failed_vetoes(self):
        return [veto for veto in self.vetoes if not veto.get("passed")]


class Alert(models.Model):
    """A notice sent to a site's team: a veto newly failed, broken links newly found, a page
    tampered with. ``key`` names the problem (``veto:3``, ``tamper:<event id>``...)."""

    site = models.ForeignKey(
        MonitoredSite, verbose_name="网站", on_delete=models.CASCADE, related_name="alerts"
    )
    run = models.ForeignKey(
        CheckRun,
        verbose_name="检查任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    kind = models.CharField("类型", max_length=20, choices=AlertKind.choices)
    key = models.CharField("问题", max_length=100)
    subject = models.CharField("标题", max_length=200)
    text = models.TextField("内容")
    recipients = models.PositiveIntegerField("通知人数", default=0)
    created_at = models.DateTimeField("通知时间", default=timezone.now)

    class Meta:
        verbose_name = "监测通知"
        verbose_name_plural = "监测通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["site", "kind"], name="monitoring_alert_site")]

    def __str__(self):
        return self.subject
