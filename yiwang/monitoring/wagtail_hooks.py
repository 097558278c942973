"""Monitoring in the back office: /admin/monitoring/ and the menu item 网站监测."""

from django.urls import include, path
from wagtail import hooks

from . import views


@hooks.register("register_admin_urls")
def register_monitoring_urls():
    return [path("monitoring/", include((views.urlpatterns, "monitoring")))]


@hooks.register("register_admin_menu_item")
def register_monitoring_menu_item():
    return views.menu_item()
