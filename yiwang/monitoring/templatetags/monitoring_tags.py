"""Small filters of the monitoring pages."""

from django import template

from ..constants import WordingCategory
from ..scoring import SECURITY_LABELS

register = template.Library()


@register.filter
def security_label(category):
    return SECURITY_LABELS.get(category, category)


@register.filter
def wording_category(category):
    return dict(WordingCategory.choices).get(category, category)


@register.filter
def bar_height(score, scale=100):
    """The height (0–100) of a score's bar in the history chart."""
    try:
        return max(0, min(100, int(score) * 100 // int(scale)))
    except (TypeError, ValueError):
        return 0
