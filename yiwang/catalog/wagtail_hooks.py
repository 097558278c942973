"""The "政务服务事项" menu of the back office: themes, the base catalog, implementations and
the guide-completeness report. docs/catalog-admin.md describes it to people."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from .admin_views import can_view_report, report_view
from .models import Implementation, Theme
from .viewsets import (
    CatalogItemViewSet,
    ImplementationPermissionPolicy,
    ImplementationViewSet,
    ThemePermissionPolicy,
    ThemeViewSet,
)

# Registered before the viewsets so that they pick these policies up.
register_permission_policy(Implementation, ImplementationPermissionPolicy(Implementation))
register_permission_policy(Theme, ThemePermissionPolicy(Theme))

CATALOG_MENU_HOOK = "register_catalog_menu_item"


class CatalogGroup(SnippetViewSetGroup):
    menu_label = "政务服务事项"
    menu_icon = "clipboard-list"
    menu_name = "catalog"
    menu_order = 240
    submenu_hook = CATALOG_MENU_HOOK
    items = (ImplementationViewSet, CatalogItemViewSet, ThemeViewSet)


register_snippet(CatalogGroup)


@hooks.register("register_admin_urls")
def register_report_url():
    return [path("catalog/completeness/", report_view, name="catalog_completeness")]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_report(request.user)


@hooks.register(CATALOG_MENU_HOOK)
def register_report_menu_item():
    return ReportMenuItem(
        "办事指南完整性",
        reverse("catalog_completeness"),
        name="guide-completeness",
        icon_name="tasks",
        order=900,
    )


@hooks.register("construct_snippet_action_menu")
def hide_unpublish(menu_items, request, context):
    # Published implementations are withdrawn by 暂停 / 取消, never unpublished.
    if context.get("model") is Implementation:
        menu_items[:] = [item for item in menu_items if item.name != "action-unpublish"]
