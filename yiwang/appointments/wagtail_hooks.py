"""The "预约服务" menu of the back office: the counter desk (``admin_views``: check-in, walk-in
numbers, calling) and the centres' configuration as Wagtail snippets (booking rules,
windows, opening sessions, closures), plus read-only lists of bookings and suspensions.
docs/appointments.md describes them."""

from django.core.exceptions import PermissionDenied
from django.urls import include, path
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views, queries
from .models import Booking, BookingPolicy, BookingSuspension, Closure, OpeningSession, Window

MENU_HOOK = "register_appointments_menu_item"


# Region scope: an appointment administrator sees and changes only the rows of the centres
# of their department's region and below (queries.administered_centres); a row of another
# centre answers 403, and the centre (and window) choices offer only theirs.


class InScope:
    """View mixin: the object must belong to a centre the user administers."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        centres = queries.administered_centres(self.request.user)
        if not centres.filter(pk=obj.centre_id).exists():
            raise PermissionDenied("该记录不属于您管理的政务服务中心。")
        return obj


class ScopedEditView(InScope, snippet_views.EditView):
    pass


class ScopedDeleteView(InScope, snippet_views.DeleteView):
    pass


class ScopedInspectView(InScope, snippet_views.InspectView):
    pass


class ScopedHistoryView(InScope, snippet_views.HistoryView):
    pass


class ScopedUsageView(InScope, snippet_views.UsageView):
    pass


class CentreScopedForm(WagtailAdminModelForm):
    """The centre and window choices narrowed to the user's centres."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        centres = queries.administered_centres(self.for_user)
        if "centre" in self.fields:
            self.fields["centre"].queryset = centres.order_by("region__code", "name")
        if "window" in self.fields:
            self.fields["window"].queryset = self.fields["window"].queryset.filter(
                centre__in=centres
            )


class CentreScopedViewSet(SnippetViewSet):
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView

    def get_queryset(self, request):
        centres = queries.administered_centres(request.user)
        return self.model._default_manager.filter(centre__in=centres)

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update=for_update)
        if issubclass(form_class, CentreScopedForm):
            return form_class
        return type(form_class.__name__, (CentreScopedForm, form_class), {})


class PolicyViewSet(CentreScopedViewSet):
    model = BookingPolicy
    icon = "cog"
    menu_label = "预约规则"
    menu_name = "booking-policies"
    base_url_path = "appointments/policies"
    list_display = ["centre", "online_booking", "horizon_days", "cutoff_minutes", "no_show_limit"]
    copy_view_enabled = False


class WindowViewSet(CentreScopedViewSet):
    model = Window
    icon = "desktop"
    menu_label = "窗口"
    menu_name = "windows"
    base_url_path = "appointments/windows"
    list_display = ["number", "name", "centre", "active"]
    list_filter = ["centre", "active"]
    search_fields = ["number", "name"]
    search_backend_name = None
    copy_view_enabled = False


class SessionViewSet(CentreScopedViewSet):
    model = OpeningSession
    icon = "time"
    menu_label = "办公时段"
    menu_name = "opening-sessions"
    base_url_path = "appointments/sessions"
    list_display = ["centre", "weekday", "start", "end", "slot_minutes", "capacity"]
    list_filter = ["centre", "weekday"]
    copy_view_enabled = True


class ClosureViewSet(CentreScopedViewSet):
    model = Closure
    icon = "calendar-alt"
    menu_label = "暂停预约日期"
    menu_name = "closures"
    base_url_path = "appointments/closures"
    list_display = ["centre", "window", "start_date", "end_date", "reason"]
    list_filter = ["centre"]
    copy_view_enabled = False


class ReadOnlyViewSet(CentreScopedViewSet):
    """Lists written by the actions only: no add, edit or delete here (the read-only
    permission policies registered in ``apps.py``)."""

    copy_view_enabled = False
    inspect_view_enabled = True
    add_to_reference_index = False


class BookingViewSet(ReadOnlyViewSet):
    model = Booking
    icon = "date"
    menu_label = "预约记录"
    menu_name = "bookings"
    base_url_path = "appointments/bookings"
    list_display = ["day", "start", "implementation", "centre", "window", "name", "status"]
    list_filter = ["status", "centre", "day"]
    ordering = ["-day", "-start"]


class SuspensionViewSet(ReadOnlyViewSet):
    model = BookingSuspension
    icon = "warning"
    menu_label = "预约限制"
    menu_name = "suspensions"
    base_url_path = "appointments/suspensions"
    list_display = ["user", "centre", "starts_on", "ends_on", "no_shows"]
    list_filter = ["centre"]


class AppointmentsGroup(SnippetViewSetGroup):
    menu_label = "预约服务"
    menu_icon = "calendar"
    menu_name = "appointments"
    menu_order = 260
    submenu_hook = MENU_HOOK
    items = (
        PolicyViewSet,
        WindowViewSet,
        SessionViewSet,
        ClosureViewSet,
        BookingViewSet,
        SuspensionViewSet,
    )


register_snippet(AppointmentsGroup)


@hooks.register("register_admin_urls")
def register_desk_urls():
    return [path("appointments/desk/", include((admin_views.urlpatterns, "appointments_desk")))]


@hooks.register(MENU_HOOK)
def register_desk_menu_item():
    return admin_views.menu_item()
