"""The "工作日历" entry of the settings menu and its URLs (``calendar_views``)."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import calendar_views


@hooks.register("register_admin_urls")
def register_urls():
    urls = [
        path("", calendar_views.index, name="index"),
        path("<int:year>/", calendar_views.year_detail, name="year"),
        path("<int:year>/enter/", calendar_views.enter, name="enter"),
    ]
    return [path("working-calendar/", include((urls, "working_calendar")))]


class WorkingCalendarMenuItem(MenuItem):
    def is_shown(self, request):
        return calendar_views.can_view_calendar(request.user)


@hooks.register("register_settings_menu_item")
def register_menu_item():
    return WorkingCalendarMenuItem(
        "工作日历",
        reverse("working_calendar:index"),
        name="working-calendar",
        icon_name="date",
        order=850,
    )
