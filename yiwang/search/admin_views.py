"""The search statistics in the back office: the most searched queries and those that found
nothing, over the last 7, 30 or 90 days, for editors (a query without results is a page to
write, a synonym to add or a promoted result to set)."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from yiwang.core.views import denies_with_403_page

from . import stats

PERIODS = (7, 30, 90)


def may_view_stats(user):
    return user.is_active and (user.is_superuser or user.has_perm("search.view_querystat"))


@denies_with_403_page
def stats_page(request):
    if not may_view_stats(request.user):
        raise PermissionDenied("没有查看检索统计的权限")
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    if days not in PERIODS:
        days = 30
    return TemplateResponse(
        request,
        "search/admin/stats.html",
        {
            "days": days,
            "periods": PERIODS,
            "hot": stats.hot_queries(days=days, limit=50),
            "zero": stats.zero_result_queries(days=days, limit=100),
        },
    )
