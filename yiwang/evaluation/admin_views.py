"""好差评 in the back office, under /admin/evaluation/.

- 差评整改 (``rectifications/``): a department's 好差评管理员 sees and works the
  department's rectifications (follow-up, outcome, the applicant's confirmation from a
  call); a 好差评复核人员 sees those of their region and below and closes escalated ones.
- 评价记录 (``ratings/``): the department's ratings; its manager appeals a wrong or
  malicious one. 申诉复核 (``appeals/``): the reviewer decides.
- 现场评价 (``counter/``): counter staff ask the visitor to rate on a device; 评价设备
  (``devices/``): the manager registers devices. 整改期限 (``settings/``): superusers.

Thin views; denials answer 403 (audited by the platform's handler); every POST redirects
with a Chinese message, or re-renders the form with its errors (status 400).
"""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from yiwang.core import workdays
from yiwang.core.forms import add_action_errors
from yiwang.core.views import permission_denied

from . import actions, queries
from .constants import (
    AWAITING_CONFIRMATION,
    WORKING_STATES,
    AppealState,
    RectificationState,
)
from .forms import (
    AppealForm,
    CloseForm,
    DeviceForm,
    FollowUpForm,
    InviteForm,
    OutcomeForm,
    RegionSettingForm,
    ReviewForm,
    StaffConfirmForm,
)
from .models import Appeal, Rating, RatingInvitation, Rectification, RegionSetting

PER_PAGE = 20


def denied(request, exc=None):
    return permission_denied(request, exc or PermissionDenied())


def _allowed(check):
    """The view answers 403 unless ``check(request.user)``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                return denied(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _manager_or_reviewer(user):
    return queries.is_manager(user) or queries.is_reviewer(user)


def _superuser(user):
    return user.is_superuser


class EvaluationMenuItem(MenuItem):
    def is_shown(self, request):
        return queries.has_any_role(request.user)


def menu_item():
    return EvaluationMenuItem(
        "好差评", reverse("evaluation_admin:index"), name="evaluation", icon_name="pick", order=260
    )


def _nav(user):
    items = []
    if _manager_or_reviewer(user):
        items.append(("evaluation_admin:rectifications", "差评整改"))
    if queries.is_manager(user):
        items.append(("evaluation_admin:ratings", "评价记录"))
    if queries.is_reviewer(user):
        items.append(("evaluation_admin:appeals", "申诉复核"))
    if queries.is_counter_staff(user):
        items.append(("evaluation_admin:counter", "现场评价"))
    if queries.is_manager(user):
        items.append(("evaluation_admin:devices", "评价设备"))
    if user.is_superuser:
        items.append(("evaluation_admin:settings", "整改期限"))
    return [(reverse(name), label) for name, label in items]


def _render(request, template, context, *, status=200):
    context = {"nav": _nav(request.user), **context}
    return TemplateResponse(request, template, context, status=status)


def _page(request, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _submit(request, form, call, *, done, then):
    """On a POST with a valid ``form``, ``call(form.cleaned_data)`` (an action) and answer as
    every form here does: a denial is 403; a ``StateError`` is shown and redirects to
    ``then`` (URL name and arguments), as success does with ``done``. Returns ``None`` when
    there is nothing to redirect to (a GET, or errors put into ``form``): the caller renders
    the page, with ``_status(request)``."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        call(form.cleaned_data)
    except PermissionDenied as exc:
        return denied(request, exc)
    except actions.StateError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        add_action_errors(form, exc)
        return None
    else:
        messages.success(request, done)
    return redirect(*then)


def _status(request):
    """A form page rendered for a POST shows the form's errors."""
    return 400 if request.method == "POST" else 200


@_allowed(queries.has_any_role)
def index(request):
    if _manager_or_reviewer(request.user):
        return redirect("evaluation_admin:rectifications")
    return redirect("evaluation_admin:counter")


# Rectifications ---------------------------------------------------------------------------------


def due_state(rectification, today):
    """ "overdue" (deadline passed or flagged), "warning" (1 working day or less left while
    the department owes work) or "" — the list's colours."""
    if rectification.overdue:
        return "overdue"
    if rectification.state not in WORKING_STATES:
        return ""
    if rectification.deadline < today:
        return "overdue"
    try:
        left = workdays.working_days_between(today, rectification.deadline).days
    except workdays.OutsideCalendar:
        return ""
    return "warning" if left <= 1 else ""


STATE_TABS = [("", "全部"), ("owed", "待整改")] + [(s.value, s.label) for s in RectificationState]


@_allowed(_manager_or_reviewer)
def rectifications(request):
    user = request.user
    state = request.GET.get("state", "owed")
    if state not in dict(STATE_TABS):
        state = "owed"
    rows = queries.rectifications_for(user).select_related("rating", "department", "region")
    if state == "owed":
        rows = rows.filter(
            state__in=[*WORKING_STATES, *AWAITING_CONFIRMATION, RectificationState.ESCALATED]
        )
    elif state:
        rows = rows.filter(state=state)
    page_obj = _page(request, rows.order_by("deadline", "pk"))
    today = timezone.localdate()
    return _render(
        request,
        "evaluation/admin/rectifications.html",
        {
            "tabs": STATE_TABS,
            "state": state,
            "page_obj": page_obj,
            "rows": [{"r": r, "due": due_state(r, today)} for r in page_obj],
        },
    )


def _follow_up(request, item, data):
    actions.record_follow_up(
        rectification=item,
        staff=request.user,
        contacted_at=data["contacted_at"],
        method=data["method"],
        contact_person=data["contact_person"],
        applicant_said=data["applicant_said"],
        request=request,
    )


def _outcome(request, item, data):
    actions.record_outcome(
        rectification=item,
        staff=request.user,
        kind=data["kind"],
        text=data["text"],
        request=request,
    )


def _confirmation(request, item, data):
    actions.record_confirmation(
        rectification=item,
        staff=request.user,
        satisfied=data["satisfied"] == "yes",
        feedback=data["feedback"],
        request=request,
    )


def _close(request, item, data):
    actions.close_as_reviewer(
        rectification=item, reviewer=request.user, note=data["note"], request=request
    )


# The forms of the rectification page: form, action, message on success.
RECTIFICATION_ACTIONS = {
    "follow_up": (FollowUpForm, _follow_up, "已登记回访。"),
    "outcome": (OutcomeForm, _outcome, "已登记整改结果，已通知申请人确认。"),
    "confirmation": (StaffConfirmForm, _confirmation, "已记录申请人意见。"),
    "close": (CloseForm, _close, "已复核办结。"),
}


def _load_rectification(request, pk):
    rectification = get_object_or_404(
        Rectification.objects.select_related(
            "rating", "rating__case", "rating__staff", "department", "region"
        ),
        pk=pk,
    )
    if not queries.may_view_rectification(request.user, rectification):
        raise PermissionDenied
    return rectification


def _rectification_page(request, rectification, *, bound=None, status=200):
    user = request.user
    handler = queries.may_handle_rectification(user, rectification)
    reviewer = queries.is_reviewer(user) and queries.may_review_region(
        user, rectification.region_id
    )
    forms = {}
    state = rectification.state
    if handler and state not in (RectificationState.CLOSED, RectificationState.APPEAL_UPHELD):
        forms["follow_up"] = ("登记回访", FollowUpForm)
    if handler and state in WORKING_STATES:
        forms["outcome"] = ("登记整改结果", OutcomeForm)
    if handler and state in AWAITING_CONFIRMATION:
        forms["confirmation"] = ("记录申请人确认意见", StaffConfirmForm)
    if reviewer and state == RectificationState.ESCALATED:
        forms["close"] = ("复核办结", CloseForm)
    panels = []
    for name, (label, form_class) in forms.items():
        form = bound[1] if bound and bound[0] == name else form_class(prefix=name)
        panels.append({"name": name, "label": label, "form": form})
    rating = rectification.rating
    return _render(
        request,
        "evaluation/admin/rectification.html",
        {
            "r": rectification,
            "rating": rating,
            "indicator_rows": queries.indicator_rows(rating),
            "follow_ups": list(rectification.follow_ups.select_related("recorded_by")),
            "appeal": Appeal.objects.filter(rating=rating).first(),
            "panels": panels,
            "due": due_state(rectification, timezone.localdate()),
            "may_appeal": handler and not rating.excluded and not hasattr(rating, "appeal"),
        },
        status=status,
    )


def rectification(request, pk):
    try:
        item = _load_rectification(request, pk)
    except PermissionDenied:
        return denied(request)
    return _rectification_page(request, item)


@require_POST
def rectification_action(request, pk, action):
    if action not in RECTIFICATION_ACTIONS:
        return denied(request)
    try:
        item = _load_rectification(request, pk)
    except PermissionDenied:
        return denied(request)
    form_class, call, done = RECTIFICATION_ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    response = _submit(
        request,
        form,
        lambda data: call(request, item, data),
        done=done,
        then=("evaluation_admin:rectification", item.pk),
    )
    if response is not None:
        return response
    return _rectification_page(request, item, bound=(action, form), status=400)


# Ratings and appeals ----------------------------------------------------------------------------


@_allowed(queries.is_manager)
def ratings(request):
    rows = queries.ratings_of_department(request.user).select_related(
        "department", "staff", "appeal"
    )
    level = request.GET.get("level", "")
    if level in ("1", "2", "3", "4", "5"):
        rows = rows.filter(level=int(level))
    page_obj = _page(request, rows.order_by("-rated_at", "-pk"))
    return _render(
        request,
        "evaluation/admin/ratings.html",
        {"page_obj": page_obj, "ratings": list(page_obj), "level": level},
    )


@require_http_methods(["GET", "POST"])
def appeal_new(request, pk):
    user = request.user
    rating = get_object_or_404(Rating.objects.select_related("department"), pk=pk)
    if not queries.is_manager(user) or not (
        user.is_superuser or user.department_id == rating.department_id
    ):
        return denied(request)
    form = AppealForm(request.POST or None)
    response = _submit(
        request,
        form,
        lambda data: actions.file_appeal(
            rating=rating, staff=user, kind=data["kind"], reason=data["reason"], request=request
        ),
        done="申诉已提交，等待复核。",
        then=("evaluation_admin:ratings",),
    )
    if response is not None:
        return response
    return _render(
        request, "evaluation/admin/appeal_form.html", {"rating": rating, "form": form},
        status=_status(request),
    )  # fmt: skip


@_allowed(queries.is_reviewer)
def appeals(request):
    state = request.GET.get("state", AppealState.PENDING)
    rows = queries.appeals_for_review(request.user).select_related(
        "rating", "department", "filed_by"
    )
    if state in AppealState.values:
        rows = rows.filter(state=state)
    page_obj = _page(request, rows.order_by("filed_at", "pk"))
    return _render(
        request,
        "evaluation/admin/appeals.html",
        {
            "page_obj": page_obj,
            "appeals": list(page_obj),
            "state": state,
            "states": AppealState.choices,
        },
    )


@require_http_methods(["GET", "POST"])
def appeal(request, pk):
    user = request.user
    item = get_object_or_404(
        Appeal.objects.select_related("rating", "department", "filed_by", "reviewed_by"), pk=pk
    )
    if not queries.is_reviewer(user) or not queries.may_review_region(user, item.region_id):
        return denied(request)
    form = ReviewForm(request.POST or None)
    response = _submit(
        request,
        form,
        lambda data: actions.review_appeal(
            appeal=item,
            reviewer=user,
            upheld=data["decision"] == "upheld",
            note=data["note"],
            request=request,
        ),
        done="复核结论已保存。",
        then=("evaluation_admin:appeal", item.pk),
    )
    if response is not None:
        return response
    return _appeal_page(request, item, form, status=_status(request))


def _appeal_page(request, item, form, *, status=200):
    rating = item.rating
    return _render(
        request,
        "evaluation/admin/appeal.html",
        {
            "appeal": item,
            "rating": rating,
            "form": form if item.state == AppealState.PENDING else None,
            "own": item.filed_by_id == request.user.pk,
            "indicator_rows": queries.indicator_rows(rating),
        },
        status=status,
    )


# On-site rating ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_allowed(queries.is_counter_staff)
def counter(request):
    user = request.user
    devices = queries.devices_for(user).filter(active=True).select_related("centre")
    form = InviteForm(request.POST or None, devices=devices)
    response = _submit(
        request,
        form,
        lambda data: actions.invite(
            device=data["device"], staff=user, case_number=data["case_number"], request=request
        ),
        done="已在评价设备上邀请办事人评价。",
        then=("evaluation_admin:counter",),
    )
    if response is not None:
        return response
    recent = (
        RatingInvitation.objects.filter(staff=user)
        .select_related("device", "case", "rating")
        .order_by("-created_at", "-pk")[:10]
    )
    return _render(
        request,
        "evaluation/admin/counter.html",
        {"form": form, "devices": list(devices), "recent": list(recent)},
        status=_status(request),
    )


@require_http_methods(["GET", "POST"])
@_allowed(queries.is_manager)
def devices(request):
    user = request.user
    department = user.department
    centres = None
    if department is not None:
        from yiwang.orgs.models import ServiceCentre

        centres = ServiceCentre.objects.filter(region=department.region)
    form = DeviceForm(request.POST or None, centres=centres)
    if request.method == "POST" and department is None:
        messages.error(request, "您的账号未关联部门，不能登记评价设备。")
        return redirect("evaluation_admin:devices")
    response = _submit(
        request,
        form,
        lambda data: actions.register_device(
            department=department,
            name=data["name"],
            centre=data["centre"],
            window=data["window"],
            staff=user,
            request=request,
        ),
        done="评价设备已登记。请在设备浏览器中打开下表中的地址。",
        then=("evaluation_admin:devices",),
    )
    if response is not None:
        return response
    rows = queries.devices_for(user).select_related("centre", "department")
    return _render(
        request,
        "evaluation/admin/devices.html",
        {"form": form, "devices": list(rows), "base": request.build_absolute_uri("/")[:-1]},
        status=_status(request),
    )


@require_POST
@_allowed(queries.is_manager)
def device_change(request, pk):
    user = request.user
    device = get_object_or_404(queries.devices_for(user), pk=pk)
    what = request.POST.get("what")
    try:
        actions.set_device_active(
            device=device,
            staff=user,
            active=(what != "disable") if what in ("enable", "disable") else device.active,
            new_key=what == "new_key",
            request=request,
        )
    except PermissionDenied as exc:
        return denied(request, exc)
    messages.success(request, "评价设备已更新。")
    return redirect("evaluation_admin:devices")


@require_http_methods(["GET", "POST"])
@_allowed(_superuser)
def region_settings(request):
    form = RegionSettingForm(request.POST or None)
    response = _submit(
        request,
        form,
        lambda data: actions.set_rectification_days(
            region=data["region"], days=data["days"], actor=request.user, request=request
        ),
        done="整改期限已保存。",
        then=("evaluation_admin:settings",),
    )
    if response is not None:
        return response
    return _render(
        request,
        "evaluation/admin/settings.html",
        {"form": form, "rows": list(RegionSetting.objects.select_related("region"))},
        status=_status(request),
    )


urlpatterns = [
    path("", index, name="index"),
    path("rectifications/", rectifications, name="rectifications"),
    path("rectifications/<int:pk>/", rectification, name="rectification"),
    path(
        "rectifications/<int:pk>/act/<str:action>/",
        rectification_action,
        name="rectification_action",
    ),
    path("ratings/", ratings, name="ratings"),
    path("ratings/<int:pk>/appeal/", appeal_new, name="appeal_new"),
    path("appeals/", appeals, name="appeals"),
    path("appeals/<int:pk>/", appeal, name="appeal"),
    path("counter/", counter, name="counter"),
    path("devices/", devices, name="devices"),
    path("devices/<int:pk>/change/", device_change, name="device_change"),
    path("settings/", region_settings, name="settings"),
]
