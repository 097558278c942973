"""好差评 in the back office (``admin_views.py``): rectifications, ratings and appeals,
on-site rating at the counter, rating devices, the per-region deadline."""

from django.urls import include, path
from wagtail import hooks

from . import admin_views


@hooks.register("register_admin_urls")
def register_evaluation_urls():
    return [path("evaluation/", include((admin_views.urlpatterns, "evaluation_admin")))]


@hooks.register("register_admin_menu_item")
def register_evaluation_menu_item():
    return admin_views.menu_item()
