"""What search keeps in the database (docs/search.md). The index itself lives in the engine
(Tantivy on local disk by default); here are the editors' data:

- ``SynonymGroup``: terms that mean the same (身份证 / 居民身份证), applied to queries.
"""

import re

from django.conf import settings
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
