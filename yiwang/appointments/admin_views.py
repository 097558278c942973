"""The counter desk (预约签到与叫号) in the back office, under /admin/appointments/desk/.

Staff see the day's bookings of a centre they work at (``queries.desk_centres``), check
visitors in (which issues their queue number), hand out walk-in numbers and call the next
number at a window they sit at. Denials answer 403 (audited); every POST redirects back
with a Chinese message.
"""

from datetime import date
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from yiwang.core.views import permission_denied
from yiwang.orgs.models import ServiceCentre

from . import actions, queries
from .models import Booking, Window


def denied(request, exc=None):
    return permission_denied(request, exc or PermissionDenied())


def desk_url(centre, day=None, window=None):
    params = {"centre": centre.pk}
    if day and day != timezone.localdate():
        params["day"] = day.isoformat()
    if window:
        params["window"] = window.pk
    return reverse("appointments_desk:index") + "?" + urlencode(params)


def problems_of(exc):
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


@require_GET
def index(request):
    """The day's bookings of one centre (optionally one window), its queue, and the forms
    of check-in, walk-in numbers and calling."""
    centres = list(queries.desk_centres(request.user))
    if not centres:
        return denied(request)
    wanted = request.GET.get("centre", "")
    centre = next((c for c in centres if str(c.pk) == wanted), centres[0])
    try:
        day = date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else None
    except ValueError:
        day = None
        messages.error(request, "日期格式不正确，已显示今天。")
    today = timezone.localdate()
    day = day or today
    windows = list(queries.desk_windows(request.user, centre))
    all_windows = list(Window.objects.filter(centre=centre, active=True).order_by("number"))
    window = next((w for w in all_windows if str(w.pk) == request.GET.get("window", "")), None)
    items = queries.bookable_implementations(ServiceCentre.objects.filter(pk=centre.pk))
    context = {
        "centres": centres,
        "centre": centre,
        "day": day,
        "is_today": day == today,
        "window": window,
        "all_windows": all_windows,
        "call_windows": windows,
        "bookings": list(queries.day_bookings(centre, day, window=window)),
        "tickets": list(queries.day_tickets(centre, day)),
        "items": list(items),
        "screen_url": reverse("appointments:screen", args=[centre.pk]),
    }
    return TemplateResponse(request, "appointments/admin/desk.html", context)


@require_POST
def check_in(request, pk):
    booking = get_object_or_404(Booking.objects.select_related("centre", "window"), pk=pk)
    if not queries.can_work_at(request.user, booking.centre):
        return denied(request)
    try:
        ticket = actions.check_in(booking=booking, staff=request.user, request=request)
    except PermissionDenied as exc:
        return denied(request, exc)
    except ValidationError as exc:
        for message in problems_of(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"{booking.name} 已签到，排队号 {ticket.number}（{booking.window.number} 窗口）。",
        )
    return redirect(desk_url(booking.centre, booking.day))


@require_POST
def walk_in(request):
    centre = get_object_or_404(ServiceCentre, pk=request.POST.get("centre") or 0)
    if not queries.can_work_at(request.user, centre):
        return denied(request)
    implementation = None
    code = (request.POST.get("item") or "").strip()
    if code:
        items = queries.bookable_implementations(ServiceCentre.objects.filter(pk=centre.pk))
        implementation = items.filter(code=code).first()
        if implementation is None:
            messages.error(request, "该中心没有办理所选事项的窗口。")
            return redirect(desk_url(centre))
    try:
        ticket = actions.issue_walk_in(
            centre=centre,
            staff=request.user,
            implementation=implementation,
            name=request.POST.get("name", ""),
            request=request,
        )
    except PermissionDenied as exc:
        return denied(request, exc)
    messages.success(request, f"已取号：{ticket.number}。")
    return redirect(desk_url(centre))


@require_POST
def call_next(request, pk):
    window = get_object_or_404(Window.objects.select_related("centre"), pk=pk)
    try:
        ticket = actions.call_next(window=window, staff=request.user, request=request)
    except PermissionDenied as exc:
        return denied(request, exc)
    if ticket is None:
        messages.warning(request, f"{window.number} 窗口：目前没有等候的号码。")
    else:
        messages.success(request, f"{window.number} 窗口叫号：{ticket.number}。")
    return redirect(desk_url(window.centre))


urlpatterns = [
    path("", index, name="index"),
    path("bookings/<int:pk>/check-in/", check_in, name="check_in"),
    path("walk-in/", walk_in, name="walk_in"),
    path("windows/<int:pk>/call/", call_next, name="call_next"),
]


class DeskMenuItem(MenuItem):
    def is_shown(self, request):
        return queries.desk_centres(request.user).exists()


def menu_item():
    return DeskMenuItem(
        "签到与叫号",
        reverse("appointments_desk:index"),
        name="appointments-desk",
        icon_name="calendar-check",
        order=10,
    )
