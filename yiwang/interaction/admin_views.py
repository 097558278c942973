"""政民互动 in the back office, under /admin/interaction/ (``admin_urls.py``).

- Queues (``queues/<name>/``): 待分办 (dispatchers: waiting messages of their region, the
  suggested department preselected), 本单位待办 (coordinators and handlers: their
  department's open messages, 未指派 / 我的), 待审核 (reviewers), 延期审批 (dispatchers
  and supervisors), 超期与督办 (supervisors and dispatchers), 全部 (search). Every list reads
  through ``roles.visible_filter``.
- The message page (``messages/<pk>/``): every field, the writer's contact (viewing it is
  audited, once per view), the screenshot through an access-checked view, the timeline,
  replies and extension requests, and the forms the reader may use now. Each form posts to
  ``messages/<pk>/act/<action>/``, which calls the action.
- 12345 work orders (``hotline/new/``) for operators.
- The admin home panel and the banner on every page here: the counts of the reader's scope,
  messages open for more than 60 days (the national check fails a site at 90).

Thin views. A refusal is the platform's audited 403 page; an action's ``ValidationError``
goes next to its field (the page again, status 400, nothing typed lost); a ``StateError``
is shown as a message after a redirect.
"""

from dataclasses import dataclass
from datetime import timedelta

import filetype
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from laces.components import Component
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from yiwang.core import audit
from yiwang.core.forms import add_action_errors
from yiwang.core.views import denies_with_403_page, permission_denied
from yiwang.orgs.models import Department, region_prefix

from . import actions, deadlines, events, roles
from .admin_forms import (
    AssignForm,
    CommentForm,
    DispatchForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    MessageSearchForm,
    PublishForm,
    ReasonForm,
    ReplyForm,
    ReviewForm,
    TransferForm,
    WorkOrderForm,
)
from .constants import (
    AT_DEPARTMENT,
    DEPARTMENT_ROLES,
    LONG_UNANSWERED_DAYS,
    NATIONAL_LIMIT_DAYS,
    OPEN_STATUSES,
    REGION_ROLES,
    ExtensionState,
    InteractionRole,
    ReplyState,
    Status,
    Unit,
)
from .models import ExtensionRequest, Message

PER_PAGE = 20
R = InteractionRole
ROUTE_METHODS = {"site": "网站主办单位", "model": "历史分办模型", "rule": "关键词规则"}
# The session key under which a new work order's query code waits for its one showing.
NEW_CODE_SESSION_KEY = "interaction_new_query_code"


def denied(request, exc=None):
    return permission_denied(request, exc or PermissionDenied())


_denies = denies_with_403_page


# --- scope ---------------------------------------------------------------------------------


def visible_messages(user):
    """What ``user`` may read (``roles.visible_filter``), each message once."""
    condition = roles.visible_filter(user)
    if user.is_superuser:
        return Message.objects.all()
    return Message.objects.filter(pk__in=Message.objects.filter(condition).values("pk"))


def _region_q(user, field="region"):
    """The messages of the regions where ``user`` holds a region role."""
    if user.is_superuser:
        return Q()
    if not roles.roles_of(user) & set(REGION_ROLES):
        return Q(pk__in=[])
    return Q(**{f"{field}__code__startswith": region_prefix(user.department.region)})


def work_scope(user):
    """A ``Q`` of the messages ``user`` works on: their region's (region roles) and their
    department's (department roles). Narrower than what they may read: a message their
    department passed on is no longer theirs to answer."""
    if user.is_superuser:
        return Q()
    held = roles.roles_of(user)
    condition = Q(pk__in=[])
    if held & set(REGION_ROLES):
        condition |= _region_q(user)
    if held & set(DEPARTMENT_ROLES):
        condition |= Q(department_id=user.department_id)
    return condition


def scope_counts(user, now=None):
    """Open messages of ``user``'s scope: waiting for dispatch, near their deadline, past
    it, and submitted more than 60 and 90 days ago."""
    now = now or timezone.now()
    rows = Message.objects.filter(work_scope(user), status__in=OPEN_STATUSES)
    return rows.aggregate(
        waiting=Count("pk", filter=Q(status=Status.SUBMITTED)),
        warning=Count("pk", filter=Q(warn_at__lte=now, due_at__gt=now)),
        overdue=Count("pk", filter=Q(due_at__lte=now)),
        over_60=Count("pk", filter=Q(submitted_at__lte=now - timedelta(days=LONG_UNANSWERED_DAYS))),
        over_90=Count("pk", filter=Q(submitted_at__lte=now - timedelta(days=NATIONAL_LIMIT_DAYS))),
    )


def long_open_counts(user, now=None):
    """``(over 60 days, over 90 days)`` open messages in ``user``'s scope (the banner)."""
    if not roles.is_staff_of_interaction(user):
        return 0, 0
    now = now or timezone.now()
    rows = Message.objects.filter(
        work_scope(user),
        status__in=OPEN_STATUSES,
        submitted_at__lte=now - timedelta(days=LONG_UNANSWERED_DAYS),
    )
    counts = rows.aggregate(
        over_60=Count("pk"),
        over_90=Count("pk", filter=Q(submitted_at__lte=now - timedelta(days=NATIONAL_LIMIT_DAYS))),
    )
    return counts["over_60"], counts["over_90"]


DUE_FILTERS = {
    "warning": ("即将到期", lambda now: Q(warn_at__lte=now, due_at__gt=now)),
    "overdue": ("已超期", lambda now: Q(due_at__lte=now)),
    "over60": (
        f"提交超过{LONG_UNANSWERED_DAYS}天未答复",
        lambda now: Q(submitted_at__lte=now - timedelta(days=LONG_UNANSWERED_DAYS)),
    ),
    "over90": (
        f"提交超过{NATIONAL_LIMIT_DAYS}天未答复",
        lambda now: Q(submitted_at__lte=now - timedelta(days=NATIONAL_LIMIT_DAYS)),
    ),
}


# --- rows ----------------------------------------------------------------------------------


def due_state(message, now):
    """ "overdue", "warning", "pending" (no date: beyond the calendar) or "" — the badges."""
    if message.status not in OPEN_STATUSES:
        return ""
    if message.due_at is None:
        return "pending"
    if message.due_at <= now:
        return "overdue"
    if message.warn_at is not None and message.warn_at <= now:
        return "warning"
    return ""


def due_text(message):
    """The deadline as people say it: the last day for working days (the clock ends at its
    midnight), the minute for working hours."""
    if message.due_at is None:
        return "期限待定"
    if message.deadline_unit == Unit.WORKING_HOURS:
        text = f"{deadlines.local(message.due_at):%Y-%m-%d %H:%M}"
    else:
        text = f"{deadlines.local(message.due_at - timedelta(microseconds=1)):%Y-%m-%d}"
    return f"{text}（暂定）" if message.due_is_provisional else text


def _row(message, now):
    return {"m": message, "due": due_state(message, now), "due_text": due_text(message)}


def _page(request, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- the frame of every page ---------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    name: str
    label: str
    roles: tuple

    def allowed(self, user):
        return roles.has_role(user, *self.roles)


QUEUES = [
    Queue("dispatch", "待分办", (R.DISPATCHER,)),
    Queue("department", "本单位待办", (R.COORDINATOR, R.HANDLER)),
    Queue("review", "待审核", (R.REVIEWER,)),
    Queue("extensions", "延期审批", (R.DISPATCHER, R.SUPERVISOR)),
    Queue("overdue", "超期与督办", (R.SUPERVISOR, R.DISPATCHER)),
    Queue("all", "全部", tuple(R)),
]
QUEUE_BY_NAME = {queue.name: queue for queue in QUEUES}


def may_enter_work_orders(user):
    return roles.has_role(user, R.OPERATOR) and user.department_id is not None


def nav(user):
    items = [
        (reverse("interaction_admin:queue", args=(queue.name,)), queue.label)
        for queue in QUEUES
        if queue.allowed(user)
    ]
    if may_enter_work_orders(user):
        items.append((reverse("interaction_admin:hotline_new"), "录入12345工单"))
    return items


def banner_context(user):
    over_60, over_90 = long_open_counts(user)
    return {"long_open": over_60, "very_long_open": over_90}


def _render(request, template, context, *, status=200, current=None):
    user = request.user
    context = {
        "nav": nav(user),
        "current": current or request.path,
        **banner_context(user),
        **context,
    }
    return TemplateResponse(request, template, context, status=status)


class InteractionMenuItem(MenuItem):
    def is_shown(self, request):
        return roles.is_staff_of_interaction(request.user)


class HotlineMenuItem(MenuItem):
    def is_shown(self, request):
        return may_enter_work_orders(request.user)


def menu_items():
    return [
        InteractionMenuItem(
            "留言办理", reverse("interaction_admin:index"), name="interaction_queues", order=10
        ),
        HotlineMenuItem(
            "录入12345工单",
            reverse("interaction_admin:hotline_new"),
            name="interaction_hotline",
            order=20,
        ),
    ]


class HomePanel(Component):
    """The admin home page's panel: what waits in the reader's scope."""

    name = "interaction"
    template_name = "interaction/admin/home_panel.html"
    order = 50

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        counts = scope_counts(self.user)
        base = reverse("interaction_admin:queue", args=("all",))
        dispatch = (
            reverse("interaction_admin:queue", args=("dispatch",))
            if roles.has_role(self.user, R.DISPATCHER)
            else f"{base}?status={Status.SUBMITTED}"
        )
        return {
            "counts": counts,
            "links": {
                "waiting": dispatch,
                "warning": f"{base}?due=warning",
                "overdue": f"{base}?due=overdue",
                "over_60": f"{base}?due=over60",
                "over_90": f"{base}?due=over90",
            },
            "long_days": LONG_UNANSWERED_DAYS,
            "limit_days": NATIONAL_LIMIT_DAYS,
        }


def add_home_panel(request, panels):
    if roles.is_staff_of_interaction(request.user):
        panels.append(HomePanel(request.user))


# --- queues --------------------------------------------------------------------------------


@_denies
def index(request):
    for queue in QUEUES:
        if queue.allowed(request.user):
            return redirect("interaction_admin:queue", queue.name)
    if may_enter_work_orders(request.user):
        return redirect("interaction_admin:hotline_new")
    raise PermissionDenied("没有政民互动的办理角色")


def _list_rows(user):
    return visible_messages(user).select_related("department", "category", "region")


def _department_choices(region, cache):
    """The departments of ``region`` and the regions above it, grouped by region (a
    message goes to its own region's or a higher one's departments)."""
    if region.pk not in cache:
        chain = [region, *reversed(region.ancestors())]
        by_region = {r.pk: [] for r in chain}
        for pk, name, region_id in Department.objects.filter(
            region__in=[r.pk for r in chain]
        ).values_list("pk", "name", "region_id"):
            by_region[region_id].append((pk, name))
        cache[region.pk] = [
            (r.name, sorted(by_region[r.pk], key=lambda c: c[1])) for r in chain if by_region[r.pk]
        ]
    return cache[region.pk]


@_denies
@require_GET
def queue(request, name):
    user = request.user
    current = QUEUE_BY_NAME.get(name)
    if current is None:
        raise Http404
    if not current.allowed(user):
        raise PermissionDenied(f"没有“{current.label}”的办理角色")
    if name == "extensions":
        return _extensions(request, current)
    now = timezone.now()
    rows = _list_rows(user)
    context = {"queue": current, "query": _query_without_page(request)}
    if name == "dispatch":
        rows = rows.filter(_region_q(user), status=Status.SUBMITTED).select_related(
            "suggested_department"
        )
        rows = rows.order_by("-urgency", "submitted_at", "pk")
    elif name == "department":
        who = request.GET.get("who", "")
        rows = rows.filter(department_id=user.department_id, status__in=AT_DEPARTMENT)
        if who == "unassigned":
            rows = rows.filter(handler__isnull=True)
        elif who == "mine":
            rows = rows.filter(handler=user)
        else:
            who = ""
        rows = rows.select_related("handler").order_by(F("due_at").asc(nulls_last=True), "pk")
        context["who"] = who
        context["who_tabs"] = [("", "全部"), ("unassigned", "未指派"), ("mine", "我的")]
    elif name == "review":
        rows = rows.filter(department_id=user.department_id, status=Status.REVIEWING)
        rows = rows.order_by(F("due_at").asc(nulls_last=True), "pk")
    elif name == "overdue":
        old = now - timedelta(days=LONG_UNANSWERED_DAYS)
        rows = rows.filter(_region_q(user), status__in=OPEN_STATUSES).filter(
            Q(due_at__lte=now)
            | Q(overdue_at__isnull=False)
            | Q(escalated_at__isnull=False)
            | Q(submitted_at__lte=old)
        )
        rows = rows.order_by(F("due_at").asc(nulls_last=True), "submitted_at", "pk")
    else:
        return _all(request, current, rows, now)
    page_obj = _page(request, rows)
    listed = [_row(message, now) for message in page_obj]
    if name == "dispatch":
        cache = {}
        for row in listed:
            message = row["m"]
            row["form"] = DispatchForm(
                prefix="dispatch",
                auto_id=f"id_m{message.pk}_%s",
                departments=_department_choices(message.region, cache),
                initial_department=message.suggested_department_id,
            )
            row["method"] = ROUTE_METHODS.get(message.route_method, "")
    context.update(page_obj=page_obj, rows=listed)
    return _render(request, "interaction/admin/queue.html", context, current=_queue_url(name))


def _queue_url(name):
    return reverse("interaction_admin:queue", args=(name,))


def _all(request, current, rows, now):
    user = request.user
    departments = Department.objects.filter(pk__in=rows.values("department_id")).order_by(
        "region__code", "name"
    )
    form = MessageSearchForm(
        request.GET or None,
        departments=[(d.pk, d.name) for d in departments],
    )
    due = request.GET.get("due", "")
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
        rows = rows.none()
    elif form.is_bound:
        data = form.cleaned_data
        text = data["q"].strip()
        if text:
            rows = rows.filter(
                Q(number__startswith=text) | Q(title__icontains=text) | Q(body__icontains=text)
            )
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["department"]:
            rows = rows.filter(department_id=data["department"])
    if due in DUE_FILTERS:
        # The home panel's counts: open messages of the reader's own scope.
        rows = rows.filter(work_scope(user), DUE_FILTERS[due][1](now), status__in=OPEN_STATUSES)
    else:
        due = ""
    page_obj = _page(request, rows.order_by("-submitted_at", "-pk"))
    return _render(
        request,
        "interaction/admin/queue.html",
        {
            "queue": current,
            "form": form,
            "due": due,
            "due_label": DUE_FILTERS[due][0] if due else "",
            "page_obj": page_obj,
            "rows": [_row(message, now) for message in page_obj],
            "query": _query_without_page(request),
        },
        status=status,
        current=_queue_url("all"),
    )


def _extensions(request, current):
    user = request.user
    now = timezone.now()
    rows = (
        ExtensionRequest.objects.filter(state=ExtensionState.PENDING)
        .filter(_region_q(user, field="message__region"))
        .select_related("message", "message__department", "message__category", "requested_by")
        .order_by("requested_at", "pk")
    )
    page_obj = _page(request, rows)
    listed = []
    for extension in page_obj:
        row = _row(extension.message, now)
        row["extension"] = extension
        listed.append(row)
    return _render(
        request,
        "interaction/admin/extensions.html",
        {
            "queue": current,
            "page_obj": page_obj,
            "rows": listed,
            "query": _query_without_page(request),
        },
        current=_queue_url("extensions"),
    )


# --- the message page ----------------------------------------------------------------------


def _load(request, pk):
    """The message, if the reader may see it; otherwise (missing too) ``PermissionDenied``,
    so that a refusal tells nothing about what lies outside."""
    message = (
        visible_messages(request.user)
        .select_related(
            "department",
            "handler",
            "region",
            "portal",
            "leader",
            "category",
            "writer",
            "entered_by",
            "api_client",
            "suggested_department",
        )
        .filter(pk=pk)
        .first()
    )
    if message is None:
        raise PermissionDenied("无权查看这条留言")
    return message


def _handlers(message):
    users = get_user_model().objects.filter(
        is_active=True,
        department_id=message.department_id,
        groups__name__in=[R.HANDLER.label, R.COORDINATOR.label],
    )
    return users.distinct().order_by("display_name", "pk")


def _pending_extension(message):
    return message.extensions.filter(state=ExtensionState.PENDING).first()


def _open_reply(message):
    return message.replies.filter(state__in=[ReplyState.DRAFT, ReplyState.RETURNED]).first()


def _may_comment(user, message):
    return roles.is_staff_of_interaction(user) and (
        roles.of_department(user, message) or roles.in_region(user, message)
    )


def _may_publish(user, message):
    return roles.may_review(user, message) or roles.may_dispatch(user, message)


def _public_initial(message):
    if message.public_title:
        return {
            "title": message.public_title,
            "body": message.public_body,
            "reply": message.public_reply,
        }
    title, body, reply = actions.public_texts(message)
    return {"title": title, "body": body, "reply": reply}


@dataclass(frozen=True)
class ActionForm:
    """One form of the message page: who may use it (``permitted``: else 403), when it is
    offered (``offered``: the state allows it), how it is built and what it calls."""

    label: str
    button: str
    permitted: callable
    offered: callable
    build: callable  # (message, data=None) -> form
    run: callable  # (request, message, form) -> success text


def _run_dispatch(request, message, form):
    actions.dispatch(
        message=message,
        staff=request.user,
        department_id=form.cleaned_data["department"],
        note=form.cleaned_data["note"],
        request=request,
    )
    return "已交办。"


def _run_transfer(request, message, form):
    actions.transfer(
        message=message,
        staff=request.user,
        department_id=form.cleaned_data["department"],
        reason=form.cleaned_data["reason"],
        request=request,
    )
    return "已转办。"


def _run_return(request, message, form):
    actions.return_to_dispatcher(
        message=message, staff=request.user, reason=form.cleaned_data["reason"], request=request
    )
    return "已退回分办。"


def _run_assign(request, message, form):
    actions.assign(
        message=message, staff=request.user, handler=form.cleaned_data["handler"], request=request
    )
    return "已指派承办人。"


def _run_extension(request, message, form):
    actions.request_extension(
        message=message,
        staff=request.user,
        amount=form.cleaned_data["amount"],
        reason=form.cleaned_data["reason"],
        request=request,
    )
    return "延期申请已提交，等待审批。"


def _run_decide(request, message, form):
    extension = _pending_extension(message)
    if extension is None:
        raise actions.StateError("这条留言没有待审批的延期申请。")
    approve = form.cleaned_data["decision"] == "approve"
    actions.decide_extension(
        extension=extension,
        staff=request.user,
        approve=approve,
        note=form.cleaned_data["note"],
        request=request,
    )
    return "已同意延期。" if approve else "已不同意延期。"


def _run_reply(request, message, form):
    submit = "submit_for_review" in request.POST
    actions.save_reply(
        message=message,
        staff=request.user,
        text=form.cleaned_data["text"],
        submit=submit,
        request=request,
    )
    return "答复已送审。" if submit else "答复草稿已保存。"


def _run_review(request, message, form):
    approve = form.cleaned_data["decision"] == "approve"
    actions.review_reply(
        message=message,
        staff=request.user,
        approve=approve,
        note=form.cleaned_data["note"],
        request=request,
    )
    return "答复已审核通过，已答复留言人。" if approve else "答复已退回修改。"


def _run_comment(request, message, form):
    actions.add_comment(
        message=message, staff=request.user, note=form.cleaned_data["note"], request=request
    )
    return "备注已添加。"


def _run_invalid(request, message, form):
    actions.mark_invalid(
        message=message, staff=request.user, reason=form.cleaned_data["reason"], request=request
    )
    return "已判定为无效留言。"


def _run_publish(request, message, form):
    data = form.cleaned_data
    actions.publish(
        message=message,
        staff=request.user,
        title=data["title"],
        body=data["body"],
        reply=data["reply"],
        request=request,
    )
    return "已在网站公开。"


def _run_unpublish(request, message, form):
    actions.unpublish(
        message=message, staff=request.user, reason=form.cleaned_data["reason"], request=request
    )
    return "已撤销公开。"


def _build_dispatch(message, data=None):
    return DispatchForm(
        data,
        prefix="dispatch",
        departments=_department_choices(message.region, {}),
        initial_department=message.suggested_department_id,
    )


def _build_transfer(message, data=None):
    choices = [
        (group, [c for c in options if c[0] != message.department_id])
        for group, options in _department_choices(message.region, {})
    ]
    return TransferForm(data, prefix="transfer", departments=[g for g in choices if g[1]])


def _build_reason(prefix, label, max_length=500):
    def build(message, data=None):
        return ReasonForm(data, prefix=prefix, label=label, max_length=max_length)

    return build


def _build_assign(message, data=None):
    return AssignForm(
        data, prefix="assign", handlers=_handlers(message), initial_handler=message.handler_id
    )


def _build_extension(message, data=None):
    return ExtensionRequestForm(
        data, prefix="extension", unit_label=Unit(message.deadline_unit).label
    )


def _build_reply(message, data=None):
    reply = _open_reply(message)
    return ReplyForm(data, prefix="reply", initial={"text": reply.text if reply else ""})


def _build_publish(message, data=None):
    return PublishForm(data, prefix="publish", initial=_public_initial(message))


def _simple(cls, prefix):
    def build(message, data=None):
        return cls(data, prefix=prefix)

    return build


def _offered_extension(message, now):
    return (
        message.status in AT_DEPARTMENT
        and (message.due_at is None or now < message.due_at)
        and _pending_extension(message) is None
    )


ACTIONS = {
    "dispatch": ActionForm(
        "交办",
        "交办",
        roles.may_dispatch,
        lambda m, now: m.status == Status.SUBMITTED,
        _build_dispatch,
        _run_dispatch,
    ),
    "assign": ActionForm(
        "指派承办人",
        "指派",
        roles.may_coordinate,
        lambda m, now: m.status in (Status.DISPATCHED, Status.HANDLING),
        _build_assign,
        _run_assign,
    ),
    "reply": ActionForm(
        "答复",
        "保存草稿",
        roles.may_handle,
        lambda m, now: m.status in (Status.DISPATCHED, Status.HANDLING),
        _build_reply,
        _run_reply,
    ),
    "review": ActionForm(
        "审核答复",
        "提交审核结果",
        roles.may_review,
        lambda m, now: m.status == Status.REVIEWING,
        _simple(ReviewForm, "review"),
        _run_review,
    ),
    "extension": ActionForm(
        "申请延期",
        "提交延期申请",
        roles.may_handle,
        _offered_extension,
        _build_extension,
        _run_extension,
    ),
    "decide": ActionForm(
        "延期审批",
        "提交审批结果",
        roles.may_decide_extension,
        lambda m, now: _pending_extension(m) is not None,
        _simple(ExtensionDecisionForm, "decide"),
        _run_decide,
    ),
    "transfer": ActionForm(
        "转办",
        "转办",
        roles.may_dispatch,
        lambda m, now: m.status in (Status.DISPATCHED, Status.HANDLING),
        _build_transfer,
        _run_transfer,
    ),
    "return": ActionForm(
        "退回分办",
        "退回",
        roles.may_coordinate,
        lambda m, now: m.status in (Status.DISPATCHED, Status.HANDLING),
        _build_reason("return", "退回理由"),
        _run_return,
    ),
    "invalid": ActionForm(
        "判定无效",
        "判定为无效留言",
        roles.may_dispatch,
        lambda m, now: m.status in (Status.SUBMITTED, Status.DISPATCHED),
        _build_reason("invalid", "无效原因", 300),
        _run_invalid,
    ),
    "publish": ActionForm(
        "在网站公开",
        "公开",
        _may_publish,
        lambda m, now: m.status in (Status.REPLIED, Status.CLOSED) and m.publish_consent,
        _build_publish,
        _run_publish,
    ),
    "unpublish": ActionForm(
        "撤销公开",
        "撤销公开",
        _may_publish,
        lambda m, now: m.is_published,
        _build_reason("unpublish", "撤销理由", 300),
        _run_unpublish,
    ),
    "comment": ActionForm(
        "备注",
        "添加备注",
        _may_comment,
        lambda m, now: True,
        _simple(CommentForm, "comment"),
        _run_comment,
    ),
}


def _panels(request, message, bound=None):
    user, now = request.user, timezone.now()
    panels = []
    for name, action in ACTIONS.items():
        if bound is not None and bound[0] == name:
            form = bound[1]
        elif action.permitted(user, message) and action.offered(message, now):
            form = action.build(message)
        else:
            continue
        panels.append({"name": name, "label": action.label, "button": action.button, "form": form})
    return panels


def _message_page(request, message, *, bound=None, status=200):
    user = request.user
    now = timezone.now()
    # The writer's contact is on this page: every showing of it is audited.
    audit.record(
        action=events.VIEWED,
        actor=user,
        obj=message,
        detail={
            "number": message.number,
            "shown": ["writer_name", "writer_phone", "writer_email"],
        },
        request=request,
    )
    new_code = None
    codes = request.session.get(NEW_CODE_SESSION_KEY) or {}
    if str(message.pk) in codes:
        new_code = codes.pop(str(message.pk))
        request.session[NEW_CODE_SESSION_KEY] = codes
    replies = list(message.replies.select_related("author", "reviewer", "department"))
    submitted_reply = next((r for r in replies if r.state == ReplyState.SUBMITTED), None)
    open_reply = next(
        (r for r in replies if r.state in (ReplyState.DRAFT, ReplyState.RETURNED)), None
    )
    may_publish = _may_publish(user, message)
    return _render(
        request,
        "interaction/admin/message.html",
        {
            "m": message,
            "due": due_state(message, now),
            "due_text": due_text(message),
            "route_method": ROUTE_METHODS.get(message.route_method, message.route_method),
            "events": list(
                message.events.select_related("actor", "from_department", "to_department")
            ),
            "replies": replies,
            "submitted_reply": submitted_reply,
            "open_reply": open_reply,
            "extensions": list(message.extensions.select_related("requested_by", "decided_by")),
            "panels": _panels(request, message, bound),
            "no_consent": may_publish
            and not message.publish_consent
            and message.status in (Status.REPLIED, Status.CLOSED),
            "new_code": new_code,
            "open_days": (now - message.submitted_at).days if message.is_open else None,
            "long_days": LONG_UNANSWERED_DAYS,
        },
        status=status,
        current=None,
    )


@_denies
@require_GET
def message_detail(request, pk):
    return _message_page(request, _load(request, pk))


def _safe_next(request):
    target = request.POST.get("next", "")
    if target.startswith("/admin/interaction/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@_denies
@require_POST
def message_action(request, pk, action):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    message = _load(request, pk)
    if not spec.permitted(request.user, message):
        raise PermissionDenied(f"无权{spec.label}")
    form = spec.build(message, request.POST)
    if form.is_valid():
        try:
            done = spec.run(request, message, form)
        except actions.StateError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(_safe_next(request) or reverse("interaction_admin:message", args=(pk,)))
        if not form.errors:
            return redirect("interaction_admin:message", pk)
    message.refresh_from_db()
    return _message_page(request, message, bound=(action, form), status=400)


@_denies
@require_GET
def screenshot(request, pk):
    """The error report's screenshot: private storage, read here after the access check,
    inline, with the type read from the file itself."""
    message = _load(request, pk)
    if not message.screenshot:
        raise Http404
    storage = message.screenshot.storage
    try:
        handle = storage.open(message.screenshot.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = filetype.guess(handle.read(512))
    handle.seek(0)
    if kind is None or kind.mime not in actions.SCREENSHOT_TYPES:
        handle.close()
        raise Http404
    audit.record(
        action=events.VIEWED,
        actor=request.user,
        obj=message,
        detail={"number": message.number, "shown": ["screenshot"]},
        request=request,
    )
    response = FileResponse(
        handle,
        content_type=kind.mime,
        filename=f"{message.number}.{kind.extension}",
        as_attachment=False,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- 12345 work orders ---------------------------------------------------------------------

# The action names the caller's fields as the writer's.
CALLER_FIELDS = {"writer_name": "caller_name", "writer_phone": "caller_phone"}


def _renamed(exc, names):
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


@_denies
@require_http_methods(["GET", "POST"])
def hotline_new(request):
    user = request.user
    if not roles.has_role(user, R.OPERATOR):
        raise PermissionDenied("只有 12345 话务员可以录入工单")
    if user.department_id is None:
        raise PermissionDenied("账号未关联部门，不能录入工单")
    region = user.department.region
    form = WorkOrderForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                message, code = actions.enter_work_order(
                    operator=user,
                    region=region,
                    kind=data["kind"],
                    title=data["title"],
                    body=data["body"],
                    caller_name=data["caller_name"],
                    caller_phone=data["caller_phone"],
                    urgency=data["urgency"],
                    category=data["category"],
                    location=data["location"],
                    publish_consent=data["publish_consent"],
                    request=request,
                )
            except ValidationError as exc:
                add_action_errors(form, _renamed(exc, CALLER_FIELDS))
            else:
                codes = request.session.get(NEW_CODE_SESSION_KEY) or {}
                codes[str(message.pk)] = code
                request.session[NEW_CODE_SESSION_KEY] = codes
                messages.success(request, f"工单已录入，编号 {message.number}。")
                return redirect("interaction_admin:message", message.pk)
    return _render(
        request,
        "interaction/admin/hotline.html",
        {"form": form, "region": region},
        status=status,
    )
