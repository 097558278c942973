"""Small formatting helpers of the catalog's public pages (time limits, working days)."""

from decimal import Decimal

from django import template

from ..constants import LimitKind

register = template.Library()


@register.filter
def days(value):
    """A number of working days without a needless ".0" (1.0 -> "1", 0.5 -> "0.5")."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal | float):
        value = Decimal(str(value)).normalize()
        return f"{value:f}"
    return str(value)


@register.filter
def promised_limit(implementation):
    """承诺办结时限 as a visitor reads it: 即办件, "N 个工作日", or 未公布."""
    if implementation.limit_kind == LimitKind.ON_THE_SPOT:
        return "即办件（当场办结）"
    if implementation.promised_limit_days is None:
        return "未公布"
    return f"{implementation.promised_limit_days} 个工作日"


@register.filter
def statutory_limit(implementation):
    """法定办结时限: "N 个工作日" (with its note), or the note alone, or 无法定时限."""
    note = implementation.statutory_limit_note
    if implementation.statutory_limit_days is None:
        return note or "法律法规未规定"
    text = f"{implementation.statutory_limit_days} 个工作日"
    return f"{text}（{note}）" if note else text


@register.filter
def visits(implementation):
    if implementation.required_visits == 0:
        return "0 次（不见面办理）"
    return f"{implementation.required_visits} 次"
