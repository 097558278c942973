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
