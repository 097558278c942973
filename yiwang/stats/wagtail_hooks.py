"""The statistics in the back office: the dashboard (统计分析) under /admin/stats/."""

from django.urls import include, path
from wagtail import hooks

from . import views


@hooks.register("register_admin_urls")
def register_stats_urls():
    return [path("stats/", include((views.urlpatterns, "stats_admin")))]


@hooks.register("register_admin_menu_item")
def register_stats_menu_item():
    return views.menu_item()
