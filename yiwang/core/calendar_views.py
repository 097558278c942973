"""The working-day calendar in the back office (设置 → 工作日历): the years with their status,
a year's holidays and adjusted working days, and entering a year's official arrangement by
pasting the notice (preview, then confirm). docs/working-days.md describes it to people."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.admin import messages

from . import workdays
from .actions import can_edit_calendar, enter_official_arrangement
from .constants import CalendarDayKind
from .forms import HolidayNoticeForm
from .models import CalendarDay, CalendarYear

VIEW_PERMISSIONS = ("core.view_calendaryear", "core.change_calendaryear")
# Provisional years listed past this year.
LISTED_YEARS_AHEAD = 3
WEEKDAYS = "一二三四五六日"


def can_view_calendar(user):
    return bool(
        user
        and user.is_authenticated
        and any(user.has_perm(permission) for permission in VIEW_PERMISSIONS)
    )


def _check_view(request):
    if not can_view_calendar(request.user):
        raise PermissionDenied("没有查看工作日历的权限")


def _check_edit(request):
    if not can_edit_calendar(request.user):
        raise PermissionDenied("没有修改工作日历的权限")


def _years():
    official = {
        row.year: row
        for row in CalendarYear.objects.select_related("entered_by").annotate(
            holiday_count=Count("days", filter=Q(days__kind=CalendarDayKind.HOLIDAY)),
            working_count=Count("days", filter=Q(days__kind=CalendarDayKind.WORKING)),
        )
    }
    this_year = timezone.localdate().year
    last = max(max(official, default=this_year), this_year) + LISTED_YEARS_AHEAD
    first = min(official, default=this_year)
    rows = []
    for year in range(last, first - 1, -1):
        arrangement = official.get(year)
        rows.append(
            {
                "year": year,
                "arrangement": arrangement,
                "holiday_count": arrangement.holiday_count
                if arrangement
                else len(workdays.statutory_holidays(year)),
                "working_count": arrangement.working_count if arrangement else 0,
                "url": reverse("working_calendar:year", args=(year,)),
            }
        )
    return rows


def index(request):
    _check_view(request)
    return TemplateResponse(
        request,
        "core/calendar/index.html",
        {"years": _years(), "can_edit": can_edit_calendar(request.user)},
    )


def _day_rows(year, arrangement):
    if arrangement is not None:
        days = [
            (day.date, day.kind, day.name)
            for day in CalendarDay.objects.filter(arrangement=arrangement)
        ]
    else:
        days = [
            (day, CalendarDayKind.HOLIDAY.value, name)
            for day, name in workdays.statutory_holidays(year).items()
        ]
    labels = dict(CalendarDayKind.choices)
    return [
        {"date": day, "weekday": WEEKDAYS[day.weekday()], "kind": labels[kind], "name": name}
        for day, kind, name in sorted(days)
    ]


def _valid_year(year):
    if not 2000 <= year <= 2100:
        raise Http404("没有这一年")
    return year


def year_detail(request, year):
    _check_view(request)
    _valid_year(year)
    arrangement = CalendarYear.objects.select_related("entered_by").filter(year=year).first()
    return TemplateResponse(
        request,
        "core/calendar/year.html",
        {
            "year": year,
            "arrangement": arrangement,
            "days": _day_rows(year, arrangement),
            "can_edit": can_edit_calendar(request.user),
            "enter_url": reverse("working_calendar:enter", args=(year,)),
            "index_url": reverse("working_calendar:index"),
        },
    )


def enter(request, year):
    """GET: the form. POST: parse and preview; POST with ``confirm``: enter (the text is
    parsed again, so what is entered is what the preview showed for that text)."""
    _check_edit(request)
    _valid_year(year)
    context = {
        "year": year,
        "action_url": reverse("working_calendar:enter", args=(year,)),
        "year_url": reverse("working_calendar:year", args=(year,)),
    }
    if request.method != "POST":
        existing = CalendarYear.objects.filter(year=year).first()
        form = HolidayNoticeForm(
            year=year,
            initial={
                "notice_title": existing.notice_title
                if existing
                else f"国务院办公厅关于{year}年部分节假日安排的通知",
                "notice_url": existing.notice_url if existing else "",
            },
        )
        return TemplateResponse(request, "core/calendar/enter.html", {**context, "form": form})
    form = HolidayNoticeForm(request.POST, year=year)
    if not form.is_valid():
        return TemplateResponse(request, "core/calendar/enter.html", {**context, "form": form})
    parsed = form.parsed
    if "confirm" not in request.POST:
        return TemplateResponse(
            request,
            "core/calendar/preview.html",
            {
                **context,
                "form": form,
                "items": [
                    {
                        "name": item.name,
                        "text": item.text,
                        "holidays": [(d, WEEKDAYS[d.weekday()]) for d in item.holidays],
                        "working_days": [(d, WEEKDAYS[d.weekday()]) for d in item.working_days],
                    }
                    for item in parsed.items
                ],
                "replaces": CalendarYear.objects.filter(year=year).exists(),
            },
        )
    try:
        enter_official_arrangement(
            year=year,
            holidays=parsed.holidays,
            working_days=parsed.working_days,
            notice_url=form.cleaned_data["notice_url"],
            notice_title=form.cleaned_data["notice_title"],
            actor=request.user,
            request=request,
        )
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return TemplateResponse(request, "core/calendar/enter.html", {**context, "form": form})
    messages.success(
        request,
        f"已录入{year}年节假日安排：放假 {len(parsed.holidays)} 天，"
        f"调休上班 {len(parsed.working_days)} 天。进行中的办件期限将按新日历重新计算。",
    )
    return redirect("working_calendar:year", year=year)
