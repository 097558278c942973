"""The hall in the back office: the staff workbench (办件工作台: queues, cases, one-window
acceptance; ``workbench.py``) and the configuration of each implementation's form and
process (办件配置; ``setup_admin.py``, with ``form_admin.py`` and ``process_admin.py``)."""

from django.urls import include, path
from wagtail import hooks

from . import form_admin, process_admin, workbench


@hooks.register("register_admin_urls")
def register_hall_urls():
    return [
        path("hall/", include((workbench.urlpatterns, "hall_workbench"))),
        path("hall/setup/forms/", include((form_admin.urlpatterns, "hall_forms"))),
        path("hall/setup/processes/", include((process_admin.urlpatterns, "hall_processes"))),
    ]


@hooks.register("register_admin_menu_item")
def register_workbench_menu_item():
    return workbench.menu_item()


@hooks.register("register_admin_menu_item")
def register_setup_menu_item():
    return process_admin.menu_item()
