"""Formatting of the statistics' figures (``views.show``)."""

from django import template

register = template.Library()


@register.filter
def stats_show(value, kind):
    from yiwang.stats.views import show

    return show(value, kind)
