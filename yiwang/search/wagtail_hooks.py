"""The search's data in the back office (menu 全网检索): synonym groups and promoted results,
snippets any user with the models' permissions may edit (groups get them from the security
administrator); the search statistics (hot queries, queries without results) under 报告."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import PromotedResult, SynonymGroup


class SynonymGroupViewSet(SnippetViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = "同义词"
    menu_name = "search-synonyms"
    list_display = ["__str__", "note", "active", "edited_at"]
    list_filter = ["active"]
    search_fields = ["terms", "note"]
    form_fields = ["terms", "note", "active"]


class PromotedResultViewSet(SnippetViewSet):
    model = PromotedResult
    icon = "pick"
    menu_label = "推荐结果"
    menu_name = "search-promoted"
    list_display = ["title", "url", "site", "active", "edited_at"]
    list_filter = ["active"]
    search_fields = ["title", "queries"]
    form_fields = ["queries", "title", "url", "description", "site", "sort_order", "active"]


class SearchGroup(SnippetViewSetGroup):
    items = (SynonymGroupViewSet, PromotedResultViewSet)
    menu_icon = "search"
    menu_label = "全网检索"
    menu_name = "search"
    menu_order = 290


register_snippet(SearchGroup)


class StatsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_view_stats(request.user)


@hooks.register("register_admin_urls")
def register_stats_url():
    return [path("search-stats/", admin_views.stats_page, name="search_stats")]


@hooks.register("register_reports_menu_item")
def register_stats_menu_item():
    return StatsMenuItem("检索统计", reverse("search_stats"), icon_name="search", order=900)
