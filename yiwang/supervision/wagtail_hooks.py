"""Supervision in the back office: /admin/supervision/ and the menu item 电子监察."""

from django.urls import include, path
from wagtail import hooks

from . import views


@hooks.register("register_admin_urls")
def register_supervision_urls():
    return [path("supervision/", include((views.urlpatterns, "supervision")))]


@hooks.register("register_admin_menu_item")
def register_supervision_menu_item():
    return views.menu_item()
