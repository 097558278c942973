"""Public pages of appointments on every portal, under /yuyue/.

A portal offers the service centres of its region and the regions below it, and the items
their windows serve. Anyone may look at the free places; booking, changing and cancelling
need a login and act only on the user's own bookings (``queries.own_booking``). Thin views:
every write is an ``actions`` function; its ``ValidationError`` is shown at the top of the
page with what was chosen kept, ``PermissionDenied`` answers 403 (audited).
"""

from datetime import date, time
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.catalog.views import current_portal, page_context
from yiwang.core.views import permission_denied
from yiwang.orgs.models import ServiceCentre

from . import actions, queries
from .constants import WEEKDAY_NAMES, BookingStatus

PER_PAGE = 20


def login_redirect(request, next_url=None):
    return redirect(
        reverse("accounts:sso_start")
        + "?"
        + urlencode({"next": next_url or request.get_full_path()})
    )


def error_messages(exc):
    if hasattr(exc, "error_dict"):
        return [message for errors in exc.message_dict.values() for message in errors]
    return list(exc.messages)


def parse_day(value):
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def parse_time(value):
    try:
        return time.fromisoformat((value or "").strip())
    except ValueError:
        return None


def context_for(request, *, title, crumbs, **extra):
    portal = current_portal(request)
    trail = [{"label": "预约服务", "url": reverse("appointments:index")}, *crumbs]
    return {
        **page_context(request, portal, crumbs=trail, title=title),
        "portal": portal,
        "page_title": title,
        **extra,
    }


class Choice:
    """The item, centre and day chosen on the booking page (from GET or POST), checked
    against what the portal offers; bad values are dropped with a notice."""

    def __init__(self, request, data):
        portal = current_portal(request)
        self.centres = queries.centres_for_region(portal.region)
        self.items = list(queries.bookable_implementations(self.centres))
        self.notices = []
        self.item = self.centre = self.day = None
        code = (data.get("item") or "").strip()
        if code:
            self.item = next((i for i in self.items if i.code == code), None)
            if self.item is None:
                self.notices.append("没有找到可预约的该事项，请重新选择。")
        self.serving = list(queries.centres_serving(self.item, self.centres)) if self.item else []
        centre = (data.get("centre") or "").strip()
        if centre and self.item:
            self.centre = next((c for c in self.serving if str(c.pk) == centre), None)
            if self.centre is None:
                self.notices.append("所选政务服务中心不办理该事项，请重新选择。")
        elif self.item and len(self.serving) == 1:
            self.centre = self.serving[0]
        day = (data.get("day") or "").strip()
        if day and self.centre:
            self.day = parse_day(day)
            if self.day is None:
                self.notices.append("日期格式不正确。")

    def query(self, **changes):
        params = {
            "item": self.item.code if self.item else None,
            "centre": self.centre.pk if self.centre else None,
            "day": self.day.isoformat() if self.day else None,
            **changes,
        }
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def day_rows(planner):
    return [
        {"plan": plan, "weekday": WEEKDAY_NAMES[plan.day.weekday()]}
        for plan in planner.bookable_days()
    ]


def booking_page(request, choice, *, problems=(), status=200, chosen_start=None):
    user = request.user
    extra = {"choice": choice, "problems": list(problems), "chosen_start": chosen_start}
    if choice.item and choice.centre:
        planner = queries.Planner(choice.centre, choice.item)
        extra["days"] = day_rows(planner)
        extra["policy"] = planner.policy
        extra["day_link"] = "?" + choice.query(day=None) + "&day="
        if choice.day:
            extra["plan"] = planner.plan(choice.day)
            extra["weekday"] = WEEKDAY_NAMES[choice.day.weekday()]
        if user.is_authenticated:
            extra["suspension"] = queries.active_suspension(user, choice.centre)
            extra["cases"] = list(queries.linkable_cases(user, choice.item))
    context = context_for(request, title="预约服务", crumbs=[], **extra)
    context["crumbs"] = [{"label": "预约服务"}]
    return render(request, "appointments/index.html", context, status=status)


@never_cache
@require_GET
def index(request):
    """Pick an item, a centre and a day; see the free places per slot."""
    return booking_page(request, Choice(request, request.GET))


@never_cache
@require_POST
def book(request):
    choice = Choice(request, request.POST)
    if not request.user.is_authenticated:
        return login_redirect(request, reverse("appointments:index") + "?" + choice.query())
    start = parse_time(request.POST.get("start"))
    problems = list(choice.notices)
    if not (choice.item and choice.centre and choice.day):
        problems.append("请选择事项、政务服务中心和日期。")
    elif start is None:
        problems.append("请选择预约时段。")
    case = None
    case_pk = (request.POST.get("case") or "").strip()
    if case_pk and choice.item and not problems:
        case = next(
            (c for c in queries.linkable_cases(request.user, choice.item) if str(c.pk) == case_pk),
            None,
        )
        if case is None:
            problems.append("只能关联本人本事项已提交的办件。")
    if not problems:
        try:
            booking = actions.book(
                user=request.user,
                centre=choice.centre,
                implementation=choice.item,
                day=choice.day,
                start=start,
                case=case,
                request=request,
            )
        except PermissionDenied as exc:
            return permission_denied(request, exc)
        except ValidationError as exc:
            problems = error_messages(exc)
        else:
            messages.success(
                request,
                f"预约成功：{booking.day:%Y年%m月%d日} {booking.start:%H:%M}，"
                f"{booking.centre.name}，预约号 {booking.reference}。",
            )
            return redirect("appointments:mine")
    return booking_page(request, choice, problems=problems, status=400, chosen_start=start)


@never_cache
@require_GET
def mine(request):
    """我的预约: the user's bookings, newest first, with cancel and change; suspensions."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    page_obj = Paginator(queries.my_bookings(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [
        {
            "booking": booking,
            "changeable": booking.status == BookingStatus.BOOKED
            and now < queries.slot_start_at(booking.day, booking.start),
        }
        for booking in page_obj
    ]
    context = context_for(
        request,
        title="我的预约",
        crumbs=[{"label": "我的预约"}],
        page_obj=page_obj,
        rows=rows,
        suspensions=list(queries.suspensions_of(request.user)),
    )
    return render(request, "appointments/mine.html", context)


def load_own(request, pk):
    """``(booking, None)`` for the user's own booking, else ``(None, response)``."""
    if not request.user.is_authenticated:
        return None, login_redirect(request, reverse("appointments:mine"))
    booking = queries.own_booking(request.user, pk)
    if booking is None:
        # Someone else's booking and a missing one look the same.
        raise Http404("没有找到该预约")
    return booking, None


@never_cache
@require_POST
def cancel(request, pk):
    booking, refusal = load_own(request, pk)
    if refusal is not None:
        return refusal
    try:
        actions.cancel(booking=booking, user=request.user, request=request)
    except PermissionDenied as exc:
        return permission_denied(request, exc)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, "预约已取消。")
    return redirect("appointments:mine")


@never_cache
@require_http_methods(["GET", "POST"])
def change(request, pk):
    """Pick another day and slot for the same item and centre; the old booking stays if
    the new one cannot be made."""
    booking, refusal = load_own(request, pk)
    if refusal is not None:
        return refusal
    data = request.POST if request.method == "POST" else request.GET
    day = parse_day(data.get("day")) if data.get("day") else None
    problems = []
    start = None
    if request.method == "POST":
        start = parse_time(data.get("start"))
        if day is None or start is None:
            problems.append("请选择新的日期和时段。")
        else:
            try:
                new = actions.change(
                    booking=booking, user=request.user, day=day, start=start, request=request
                )
            except PermissionDenied as exc:
                return permission_denied(request, exc)
            except ValidationError as exc:
                problems = error_messages(exc) + ["原预约保持不变。"]
            else:
                messages.success(
                    request,
                    f"已改约至 {new.day:%Y年%m月%d日} {new.start:%H:%M}，预约号 {new.reference}。",
                )
                return redirect("appointments:mine")
    planner = queries.Planner(booking.centre, booking.implementation)
    context = context_for(
        request,
        title="改约",
        crumbs=[{"label": "我的预约", "url": reverse("appointments:mine")}, {"label": "改约"}],
        booking=booking,
        days=day_rows(planner),
        policy=planner.policy,
        day_link=reverse("appointments:change", args=[booking.pk]) + "?day=",
        plan=planner.plan(day) if day else None,
        weekday=WEEKDAY_NAMES[day.weekday()] if day else "",
        chosen_day=day,
        chosen_start=start,
        problems=problems,
    )
    return render(request, "appointments/change.html", context, status=400 if problems else 200)


@require_GET
def screen(request, pk):
    """The hall screen (叫号屏): the numbers being called and at which window, large; it
    refreshes itself (``?fragment=1`` gives the live part alone)."""
    centre = get_object_or_404(ServiceCentre, pk=pk)
    context = {"centre": centre, "now": timezone.localtime(), **queries.screen(centre)}
    template = (
        "appointments/screen_live.html"
        if request.GET.get("fragment")
        else "appointments/screen.html"
    )
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response
