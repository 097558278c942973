"""政民互动 in the Wagtail admin: the pages under /admin/interaction/ (``admin_urls.py``),
the configuration viewsets (``viewsets.py``), the menu 政民互动 holding both, and the panel
of the admin home page."""

from django.urls import include, path
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from . import admin_urls, admin_views, viewsets


@hooks.register("register_admin_urls")
def register_interaction_urls():
    return [path("interaction/", include(admin_urls, namespace="interaction_admin"))]


@hooks.register("register_admin_viewset")
def register_interaction_viewsets():
    return viewsets.viewsets()


@hooks.register("register_admin_menu_item")
def register_interaction_menu():
    # The queues and the work-order entry, then the configuration viewsets, which register
    # their items under viewsets.MENU_HOOK.
    menu = Menu(register_hook_name=viewsets.MENU_HOOK, items=admin_views.menu_items())
    return SubmenuMenuItem("政民互动", menu, name="interaction", icon_name="mail", order=250)


@hooks.register("construct_homepage_panels")
def add_interaction_panel(request, panels):
    admin_views.add_home_panel(request, panels)
