"""Template tags of 好差评.

``{% rating_prompt case user %}`` on the hall's applicant case page: a link "评价本次服务"
when ``user`` may rate ``case`` now, "您已评价：满意" (with a link to the rating) once rated,
nothing otherwise. ``|percent``: a share (0–1) as "93.5%", or "—"."""

from django import template

from .. import queries
from ..constants import RATABLE_STATUSES

register = template.Library()


@register.inclusion_tag("evaluation/includes/rating_prompt.html", takes_context=True)
def rating_prompt(context, case, user):
    result = {"case": case, "rating": None, "may_rate": False}
    if case is None or getattr(case, "number", None) is None:
        return result
    if case.status not in RATABLE_STATUSES:
        return result
    from yiwang.hall.queries import is_applicant

    request = context.get("request")
    legal_person = None
    if request is not None:
        from yiwang.accounts.acting import acting_legal_person

        legal_person = acting_legal_person(request)
    if not is_applicant(user, case, legal_person=legal_person):
        return result
    rating = queries.online_rating(case)
    result["rating"] = rating
    result["may_rate"] = rating is None
    return result


@register.filter
def percent(value):
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return "—"
