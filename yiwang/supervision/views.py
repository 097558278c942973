"""The supervision pages in the back office (/admin/supervision/). Thin: the reader's scope
comes from ``roles.scope_for``; reads from ``queries``, writes through ``actions``. Anyone
without a scope gets the platform's audited 403 page in Chinese; a bad form re-renders with
its errors (400), nothing typed lost."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from yiwang.core.forms import add_action_errors
from yiwang.core.views import denies_with_403_page, permission_denied
from yiwang.orgs.models import Department, Region

from . import actions, queries
from .constants import RULES, AnomalyStatus, Level, MemoStatus, RuleCode
from .forms import AnomalyForm, AnswerForm, MemoForm, ThresholdForm, WarningFilterForm
from .models import Anomaly, AnomalyRule, EscalationNotice, WarningThreshold
from .roles import is_department_head, is_regional_supervisor, scope_for

PER_PAGE = 20
CHOICE_LIMIT = 500


def denied(request, exc=None):
    return permission_denied(request, exc or PermissionDenied())


_denies = denies_with_403_page


class SupervisionMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(scope_for(request.user)) or actions.may_configure(request.user)


def menu_item():
    return SupervisionMenuItem(
        "电子监察",
        reverse("supervision:index"),
        name="supervision",
        icon_name="warning",
        order=260,
    )


def _scope(request):
    scope = scope_for(request.user)
    if not scope:
        raise PermissionDenied("没有监察范围")
    return scope


def _found(request, obj, may=None):
    """``obj`` as looked up within the reader's scope. Missing, outside the scope, or not
    the reader's to act on (``may(user, obj)`` false) all raise the same bare
    ``PermissionDenied``, so that a denial reveals nothing about what lies outside."""
    if obj is None or (may is not None and not may(request.user, obj)):
        raise PermissionDenied
    return obj


def _configurator(request):
    if not actions.may_configure(request.user):
        raise PermissionDenied


def _base(request, scope, **context):
    user = request.user
    context.update(
        scope=scope,
        is_regional=user.is_superuser or bool(is_regional_supervisor(user)),
        is_head=bool(is_department_head(user)),
        may_configure=actions.may_configure(user),
        today=timezone.localdate(),
    )
    return context


def region_choices(scope):
    regions = Region.objects.all()
    if not scope.everything:
        regions = regions.filter(pk__in=sorted(scope.region_ids))
    else:
        regions = regions.filter(level__lte=3)
    return list(regions.order_by("code").values_list("pk", "name")[:CHOICE_LIMIT])


def department_choices(scope):
    departments = Department.objects.filter(scope.q(department_field="pk"))
    return [
        (pk, f"{name}（{region}）")
        for pk, name, region in departments.order_by("region__code", "name").values_list(
            "pk", "name", "region__name"
        )[:CHOICE_LIMIT]
    ]


@_denies
def index(request):
    scope = _scope(request)
    context = _base(request, scope, **queries.overview(scope))
    return TemplateResponse(request, "supervision/index.html", context)


@_denies
def warning_list(request):
    scope = _scope(request)
    form = WarningFilterForm(
        request.GET or None,
        regions=region_choices(scope),
        departments=department_choices(scope),
    )
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "level": data["level"],
            "region_id": data["region"],
            "department_id": data["department"],
            "clock_scope": data["clock_scope"],
            "kind": data["kind"],
        }
    rows = queries.warnings(scope, **filters)
    page_obj = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = _base(
        request,
        scope,
        form=form,
        page_obj=page_obj,
        rows=list(page_obj),
        query=query.urlencode(),
        levels={int(level): level.label for level in Level},
    )
    status = 400 if form.is_bound and not form.is_valid() else 200
    return TemplateResponse(request, "supervision/warnings.html", context, status=status)


def _memo_form(case, data=None):
    departments = [(d.pk, d.name) for d in actions.memo_departments(case)]
    return MemoForm(
        data, departments=departments, initial={"department": case.department_id}, prefix="memo"
    )


@_denies
def case_view(request, pk, *, memo_form=None, status=200):
    scope = _scope(request)
    case = _found(request, queries.supervised_case(scope, pk))
    may_memo = actions.may_send_memo(request.user, case)
    context = _base(
        request,
        scope,
        **queries.case_page(case),
        may_memo=may_memo,
        memo_form=memo_form or (_memo_form(case) if may_memo else None),
    )
    return TemplateResponse(request, "supervision/case.html", context, status=status)


@require_POST
@_denies
def send_memo(request, pk):
    case = _found(request, queries.supervised_case(_scope(request), pk), actions.may_send_memo)
    form = _memo_form(case, request.POST)
    if form.is_valid():
        try:
            memo = actions.send_memo(
                case=case,
                author=request.user,
                text=form.cleaned_data["text"],
                department=Department.objects.filter(pk=form.cleaned_data["department"]).first(),
                answer_days=form.cleaned_data["answer_days"],
                request=request,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request,
                f"已向{memo.department.name}发出督办，答复期限 {memo.answer_due:%Y-%m-%d}。",
            )
            return redirect("supervision:case", case.pk)
    messages.error(request, "未能督办：请按提示修改。")
    return case_view(request, pk, memo_form=form, status=400)


MEMO_TABS = [
    ("open", "待答复"),
    ("overdue", "逾期未答复"),
    ("answered", "已答复"),
    ("all", "全部"),
]


@_denies
def memo_list(request):
    scope = _scope(request)
    status = request.GET.get("status", "open")
    if status not in dict(MEMO_TABS):
        status = "open"
    rows = queries.memos(scope, status="" if status == "all" else status)
    page_obj = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = _base(request, scope, tabs=MEMO_TABS, status=status, page_obj=page_obj)
    return TemplateResponse(request, "supervision/memos.html", context)


@_denies
def memo_view(request, pk, *, form=None, status=200):
    scope = _scope(request)
    memo = _found(request, queries.memo_in_scope(scope, pk))
    may_answer = memo.status == MemoStatus.OPEN and actions.may_answer(request.user, memo)
    context = _base(
        request,
        scope,
        memo=memo,
        may_answer=may_answer,
        form=form or (AnswerForm(prefix="answer") if may_answer else None),
        overdue=memo.is_overdue(timezone.localdate()),
    )
    return TemplateResponse(request, "supervision/memo.html", context, status=status)


@require_POST
@_denies
def answer_memo(request, pk):
    memo = _found(request, queries.memo_in_scope(_scope(request), pk), actions.may_answer)
    form = AnswerForm(request.POST, prefix="answer")
    if not form.is_valid():
        messages.error(request, "未能答复：请按提示修改。")
        return memo_view(request, pk, form=form, status=400)
    try:
        actions.answer_memo(
            memo=memo, user=request.user, answer=form.cleaned_data["answer"], request=request
        )
    except actions.TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("supervision:memo", memo.pk)
    except ValidationError as exc:
        # The form has the one field: whatever the action found wrong belongs to it.
        for errors in exc.message_dict.values():
            form.add_error("answer", errors)
        return memo_view(request, pk, form=form, status=400)
    messages.success(request, "督办已答复。")
    return redirect("supervision:memo", memo.pk)


@_denies
def notice_list(request):
    scope = _scope(request)
    unread = request.GET.get("unread") == "1"
    page_obj = Paginator(queries.notices(scope, unread=unread), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = _base(request, scope, page_obj=page_obj, unread=unread)
    return TemplateResponse(request, "supervision/notices.html", context)


@require_POST
@_denies
def read_notice(request, pk):
    scope = _scope(request)
    notice = _found(request, EscalationNotice.objects.filter(scope.q()).filter(pk=pk).first())
    actions.mark_notice_read(notice=notice, user=request.user, request=request)
    messages.success(request, "已标记为已阅。")
    return redirect("supervision:notices")


ANOMALY_TABS = [
    (AnomalyStatus.OPEN.value, "待核查"),
    ("confirmed", "确认异常"),
    ("dismissed", "已排除"),
]


@_denies
def anomaly_list(request, *, bound=None, status_code=200):
    scope = _scope(request)
    status = request.GET.get("status", AnomalyStatus.OPEN)
    if status not in dict(ANOMALY_TABS):
        status = AnomalyStatus.OPEN
    page_obj = Paginator(queries.anomalies(scope, status=status), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "anomaly": anomaly,
            "form": bound[1]
            if bound and bound[0] == anomaly.pk
            else AnomalyForm(prefix=f"a{anomaly.pk}"),
        }
        for anomaly in page_obj
    ]
    context = _base(request, scope, tabs=ANOMALY_TABS, status=status, page_obj=page_obj, rows=rows)
    return TemplateResponse(request, "supervision/anomalies.html", context, status=status_code)


@require_POST
@_denies
def handle_anomaly(request, pk):
    scope = _scope(request)
    anomaly = _found(request, Anomaly.objects.filter(scope.q()).filter(pk=pk).first())
    form = AnomalyForm(request.POST, prefix=f"a{anomaly.pk}")
    if form.is_valid():
        try:
            actions.handle_anomaly(
                anomaly=anomaly,
                user=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except actions.TransitionError as exc:
            messages.error(request, str(exc))
            return redirect("supervision:anomalies")
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, "核查结论已记录。")
            return redirect("supervision:anomalies")
    messages.error(request, "未能记录核查结论：请按提示修改。")
    return anomaly_list(request, bound=(anomaly.pk, form), status_code=400)


# Rules and thresholds (administrators) ---------------------------------------------------


def _rule_rows(rules, errors=None, posted=None):
    rows = []
    for rule in rules:
        description, _defaults, fields = RULES[RuleCode(rule.code)]
        params = []
        for name, (label, low, high) in fields.items():
            value = rule.parameter(name)
            if posted is not None and posted[0] == rule.pk:
                value = posted[1].get(name, value)
            params.append(
                {
                    "name": name,
                    "label": label,
                    "low": low,
                    "high": high,
                    "value": value,
                    "error": (errors or {}).get(name, [])
                    if posted and posted[0] == rule.pk
                    else [],
                }
            )
        rows.append({"rule": rule, "description": description, "params": params})
    return rows


@_denies
def configuration(request, *, errors=None, posted=None, threshold_form=None, status=200):
    _configurator(request)
    from .anomalies import ensure_rules

    ensure_rules()
    scope = scope_for(request.user)
    rules = list(AnomalyRule.objects.order_by("code"))
    all_regions = list(
        Region.objects.filter(level__lte=3).order_by("code").values_list("pk", "name")
    )
    context = _base(
        request,
        scope,
        rules=_rule_rows(rules, errors, posted),
        thresholds=list(WarningThreshold.objects.select_related("region")),
        threshold_form=threshold_form or ThresholdForm(regions=all_regions, prefix="t"),
    )
    return TemplateResponse(request, "supervision/configuration.html", context, status=status)


@require_POST
@_denies
def update_rule(request, pk):
    _configurator(request)
    rule = get_object_or_404(AnomalyRule, pk=pk)
    _description, _defaults, fields = RULES[RuleCode(rule.code)]
    parameters = {name: request.POST.get(f"{name}", "").strip() for name in fields}
    try:
        actions.update_rule(
            rule=rule,
            user=request.user,
            enabled=request.POST.get("enabled") == "on",
            parameters=parameters,
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, f"未能保存规则“{rule}”：请按提示修改。")
        return configuration(
            request, errors=exc.message_dict, posted=(rule.pk, parameters), status=400
        )
    messages.success(request, f"规则“{rule}”已保存。")
    return redirect("supervision:configuration")


@require_POST
@_denies
def set_threshold(request):
    _configurator(request)
    regions = list(Region.objects.filter(level__lte=3).order_by("code").values_list("pk", "name"))
    form = ThresholdForm(request.POST, regions=regions, prefix="t")
    if not form.is_valid():
        messages.error(request, "未能保存预警阈值：请按提示修改。")
        return configuration(request, threshold_form=form, status=400)
    region = Region.objects.filter(pk=form.cleaned_data["region"]).first()
    try:
        actions.set_threshold(
            user=request.user,
            percent=form.cleaned_data["percent"],
            region=region,
            scope=form.cleaned_data["scope"],
            request=request,
        )
    except ValidationError as exc:
        add_action_errors(form, exc)
        return configuration(request, threshold_form=form, status=400)
    messages.success(request, "预警阈值已保存，下一次监察扫描起按新阈值计算。")
    return redirect("supervision:configuration")


urlpatterns = [
    path("", index, name="index"),
    path("warnings/", warning_list, name="warnings"),
    path("cases/<int:pk>/", case_view, name="case"),
    path("cases/<int:pk>/memo/", send_memo, name="send_memo"),
    path("memos/", memo_list, name="memos"),
    path("memos/<int:pk>/", memo_view, name="memo"),
    path("memos/<int:pk>/answer/", answer_memo, name="answer_memo"),
    path("notices/", notice_list, name="notices"),
    path("notices/<int:pk>/read/", read_notice, name="read_notice"),
    path("anomalies/", anomaly_list, name="anomalies"),
    path("anomalies/<int:pk>/handle/", handle_anomaly, name="handle_anomaly"),
    path("configuration/", configuration, name="configuration"),
    path("configuration/rules/<int:pk>/", update_rule, name="update_rule"),
    path("configuration/thresholds/", set_threshold, name="set_threshold"),
]
