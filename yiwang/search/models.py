"""What search keeps in the database (docs/search.md). The index itself lives in the engine
(Tantivy on local disk by default); here are the editors' data:

- ``SynonymGroup``: terms that mean the same (身份证 / 居民身份证), applied to queries.
- ``SearchEntry``: the index of the PostgreSQL engine (``engines/postgres_engine.py``), one
  row per document with its segmented text as a weighted ``tsvector``. Unused (and empty)
  with the default engine; the table exists on every database, its GIN index only on
  PostgreSQL.
"""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models

_SEPARATORS = re.compile(r"[\s,，、/／;；|]+")


class SynonymGroup(models.Model):
    """Terms a query treats as one: searching any of them finds pages with any of them."""

    terms = models.TextField(
        "同义词",
        help_text="用顿号、逗号、斜杠或换行分隔，如：身份证、居民身份证。",
    )
    note = models.CharField("说明", max_length=200, blank=True)
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
        verbose_name = "同义词组"
        verbose_name_plural = "同义词组"
        ordering = ["terms"]

    def __str__(self):
        return " / ".join(self.term_list)

    @property
    def term_list(self):
        seen, out = set(), []
        for term in _SEPARATORS.split(self.terms or ""):
            term = term.strip()
            if term and term not in seen:
                seen.add(term)
                out.append(term)
        return out

    def clean(self):
        super().clean()
        terms = self.term_list
        if len(terms) < 2:
            raise ValidationError({"terms": "同义词组至少要有两个词。"})
        too_long = [t for t in terms if len(t) > 40]
        if too_long:
            raise ValidationError({"terms": f"词太长（最多 40 个字）：{'、'.join(too_long)}"})
        self.terms = "、".join(terms)


class SearchEntry(models.Model):
    """One document in the PostgreSQL engine's index (``key``: ``"<source>:<pk>"``)."""

    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, db_index=True)
    site_id = models.IntegerField(null=True, db_index=True)
    region_code = models.CharField(max_length=12, blank=True)
    # The region's code and its ancestors', each between spaces (" 99 9901 990121 ").
    region_path = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=100, blank=True)
    year = models.IntegerField(null=True)
    date = models.DateTimeField(null=True, db_index=True)
    doc = models.JSONField(default=dict)
    # setweight(title, A) || setweight(extra, B) || setweight(body, C), 'simple' config
    # over the segmented terms (PostgreSQL has no Chinese parser).
    vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = "检索条目"
        verbose_name_plural = "检索条目"

    def __str__(self):
        return self.key


class PromotedResult(models.Model):
    """A result editors put first for some queries (best bet): shown above the others when
    the visitor's words, normalised, are one of ``queries``."""

    queries = models.TextField(
        "搜索词", help_text="每行一个；访客的搜索词（规范化后）与其中之一相同时显示。"
    )
    title = models.CharField("标题", max_length=200)
    url = models.CharField("链接", max_length=500, help_text="本站路径（/fuwu/…）或完整网址。")
    description = models.CharField("说明", max_length=300, blank=True)
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name="网站",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="只在这个网站显示；留空则所有网站都显示。",
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)
    edited_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "推荐结果"
        verbose_name_plural = "推荐结果"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.title

    @property
    def query_list(self):
        from .text import normalise

        return [normalise(line) for line in (self.queries or "").splitlines() if line.strip()]

    def clean(self):
        super().clean()
        from django.core.validators import URLValidator

        errors = {}
        if not self.query_list:
            errors["queries"] = "请至少填写一个搜索词。"
        url = (self.url or "").strip()
        if not url.startswith("/") or url.startswith("//"):
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                errors["url"] = "链接须为本站路径（以 / 开头）或 http(s) 网址。"
        if errors:
            raise ValidationError(errors)
        self.url = url


class QueryStat(models.Model):
    """How often a query was searched on a day on a portal, and how often it found nothing
    (hot queries; the zero-result list editors work through). No visitor data is kept."""

    query = models.CharField("搜索词", max_length=100)
    day = models.DateField("日期")
    site_id = models.IntegerField("网站", default=0, help_text="0：不经某个网站（接口）。")
    searches = models.PositiveIntegerField("搜索次数", default=0)
    zero_results = models.PositiveIntegerField("无结果次数", default=0)

    class Meta:
        verbose_name = "检索统计"
        verbose_name_plural = "检索统计"
        constraints = [
            models.UniqueConstraint(fields=["query", "day", "site_id"], name="search_stat_unique")
        ]
        indexes = [models.Index(fields=["day", "query"], name="search_stat_day")]

    def __str__(self):
        return f"{self.query} {self.day}"


class SuggestionWord(models.Model):
    """A word of the indexed titles and of the platform dictionary, with its pinyin (no
    tones), for "did you mean" (``suggest.py``): a query word found nowhere is replaced by
    the most frequent word that sounds the same (身分证 → 身份证)."""

    word = models.CharField(max_length=40, unique=True)
    pinyin = models.CharField(max_length=200, db_index=True)
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "纠错词"
        verbose_name_plural = "纠错词"

    def __str__(self):
        return self.word
