"""The staff workbench (办件工作台) in the back office, under /admin/hall/.

Queues of the user's department for the roles they hold (``queries.queue``), one case with
everything staff need and the forms of the tasks they may act on now
(``queries.case_access(...).tasks``), and one-window acceptance (一窗受理) of a walk-in
applicant. Thin views: access is ``queries``' rule, every write an ``actions`` function.
Denials answer 403 (not Wagtail's redirect to the dashboard), audited by the platform's
handler; every POST redirects back with a Chinese message, or re-renders the form with the
errors next to its fields.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from yiwang.accounts.models import LegalPerson
from yiwang.catalog import queries as catalog_queries
from yiwang.catalog.models import Implementation
from yiwang.core import workdays
from yiwang.core.forms import add_action_errors
from yiwang.core.masking import mask_id_number
from yiwang.core.views import permission_denied
from yiwang.supervision import levels as supervision_levels

from . import actions, clocks, engine, formdefs, queries, uploads
from .constants import CaseStatus, EventKind, HallRole, Step, TaskState
from .models import Case, CaseDocument, CaseMaterial, CaseTask
from .roles import roles_of
from .workbench_forms import (
    ApplicantForm,
    AttachForm,
    CommentForm,
    CorrectionForm,
    DecideForm,
    DeliverForm,
    ExtendForm,
    RefuseForm,
    ReviewForm,
    SpecialForm,
)

PER_PAGE = 20
WORK_ROLES = frozenset(
    {HallRole.ACCEPTOR, HallRole.REVIEWER, HallRole.DECIDER, HallRole.SUPERVISOR}
)
DIAGRAM_TEMPLATE = "hall/includes/diagram.html"


def is_hall_staff(user):
    return bool(roles_of(user) & WORK_ROLES)


def denied(request, exc=None):
    return permission_denied(request, exc or PermissionDenied())


class WorkbenchMenuItem(MenuItem):
    def is_shown(self, request):
        return is_hall_staff(request.user)


def menu_item():
    return WorkbenchMenuItem(
        "办件工作台",
        reverse("hall_workbench:index"),
        name="hall-workbench",
        icon_name="tasks",
        order=250,
    )


# Due dates of the queue -----------------------------------------------------------------------


def due_state(clock, today, *, region_id, thresholds):
    """``(state, remaining)`` of a running clock: "overdue", "warning" (黄牌: from the day
    electronic supervision turns it yellow, by the threshold of the case's region and the
    clock's scope) or "" — the queue's colours. ``thresholds``: one
    ``supervision.levels.Thresholds`` per page."""
    if clock.paused_since is not None:
        return "paused", None
    try:
        remaining = workdays.working_days_between(today, clock.due_date).days
    except workdays.OutsideCalendar:
        remaining = None
    if clock.due_date < today:
        return "overdue", remaining
    warn = supervision_levels.warn_date(
        start=clock.start_date,
        allowed=clock.limit_days + clock.extension_days,
        paused=clock.paused_days,
        due=clock.due_date,
        percent=thresholds.percent(region_id, supervision_levels.scope_of(clock.task_id)),
    )
    if today >= warn:
        return "warning", remaining
    return "", remaining


def task_row(task, today, thresholds):
    """A queue row: the task, its case and the nearest running due date (the task's own
    clock, else the case's)."""
    candidates = [c for c in task.clocks.all() if c.stopped_on is None]
    if not candidates:
        candidates = [
            c for c in task.case.clocks.all() if c.stopped_on is None and c.task_id is None
        ]
    clock = min(candidates, key=lambda c: c.due_date, default=None)
    state, remaining = (
        due_state(clock, today, region_id=task.case.region_id, thresholds=thresholds)
        if clock
        else ("", None)
    )
    return {"task": task, "case": task.case, "clock": clock, "state": state, "remaining": remaining}


STEP_TABS = [("", "全部")] + [(step.value, step.label) for step in Step]


def index(request):
    """The queues: the department's open tasks for the user's roles, per step, or those
    the user claimed; supervisors also see the department's cases."""
    user = request.user
    if not is_hall_staff(user):
        return denied(request)
    step = request.GET.get("step", "")
    if step not in dict(STEP_TABS):
        step = ""
    view = request.GET.get("view", "")
    today = timezone.localdate()
    context = {
        "step": step,
        "view": view,
        "tabs": STEP_TABS,
        "is_supervisor": HallRole.SUPERVISOR in roles_of(user),
    }
    if view == "department" and context["is_supervisor"]:
        page_obj = Paginator(
            queries.staff_cases(user).select_related("department").order_by("-submitted_at", "-pk"),
            PER_PAGE,
        ).get_page(request.GET.get("page"))
        context.update(page_obj=page_obj, cases=list(page_obj))
    else:
        tasks = queries.queue(user, step=step or None, mine=view == "mine")
        page_obj = Paginator(tasks, PER_PAGE).get_page(request.GET.get("page"))
        page = list(page_obj)
        thresholds = supervision_levels.Thresholds(region_ids={t.case.region_id for t in page})
        context.update(page_obj=page_obj, rows=[task_row(t, today, thresholds) for t in page])
    return TemplateResponse(request, "hall/admin/workbench_index.html", context)


# One case -------------------------------------------------------------------------------------


# action name → (label, form class or None, steps it belongs to (None: the case))
ACTIONS = {
    "claim": ("签收", None, "task"),
    "release": ("退回", None, "task"),
    "accept": ("受理", None, (Step.ACCEPT,)),
    "correction": ("一次性告知补正", CorrectionForm, (Step.ACCEPT,)),
    "refuse": ("不予受理", RefuseForm, (Step.ACCEPT,)),
    "review": ("提交审查意见", ReviewForm, (Step.REVIEW,)),
    "special": ("登记特别程序结果", SpecialForm, (Step.SPECIAL,)),
    "decide": ("作出决定", DecideForm, (Step.DECIDE,)),
    "handle": ("即时办结", DecideForm, (Step.HANDLE,)),
    "deliver": ("送达", DeliverForm, (Step.DELIVER,)),
    "extend": ("延长办理时限", ExtendForm, None),
    "comment": ("添加备注", CommentForm, None),
    "attach": ("上传附件", AttachForm, None),
}


def make_form(action, case, data=None, files=None):
    form_class = ACTIONS[action][1]
    if form_class is None:
        return None
    kwargs = {"data": data, "files": files, "prefix": action}
    if form_class is CorrectionForm:
        kwargs["case"] = case
    return form_class(**kwargs)


def may_extend(user, case):
    return (
        HallRole.DECIDER in roles_of(user)
        and user.department_id == case.department_id
        and case.status in (CaseStatus.ACCEPTED, CaseStatus.SPECIAL)
        and not case.events.filter(kind=EventKind.EXTENDED).exists()
    )


def task_panels(request, case, access, bound=None):
    """The action forms of each task the user may act on; ``bound``: ``(task pk, action,
    form)`` of a POST that failed, shown with its errors."""
    panels = []
    for task in access.tasks:
        actions_here = []
        for name, (label, _, steps) in ACTIONS.items():
            if steps == "task" or steps is None or task.step not in steps:
                continue
            if bound and bound[0] == task.pk and bound[1] == name:
                form = bound[2]
            else:
                form = make_form(name, case)
            actions_here.append({"name": name, "label": label, "form": form})
        panels.append(
            {
                "task": task,
                "can_claim": task.state == TaskState.OPEN,
                "can_release": task.state == TaskState.CLAIMED
                and (task.assignee_id == request.user.pk or access.as_supervisor),
                "claimed_by_other": task.state == TaskState.CLAIMED
                and task.assignee_id != request.user.pk,
                "actions": actions_here,
            }
        )
    return panels


def case_forms(case, bound=None):
    result = {}
    for name in ("extend", "comment", "attach"):
        if bound and bound[0] is None and bound[1] == name:
            result[name] = bound[2]
        else:
            result[name] = make_form(name, case)
    return result


def load_case(request, pk):
    case = get_object_or_404(
        Case.objects.select_related("implementation", "department", "process", "legal_person"),
        pk=pk,
    )
    access = queries.case_access(request.user, case)
    return case, access


def render_case(request, case, access, *, bound=None, status=200):
    diagram = {}
    if case.process is not None and case.workflow_state:
        try:
            diagram = {
                "diagram_template": DIAGRAM_TEMPLATE,
                "diagram_xml": case.process.bpmn_xml,
                "diagram_position": engine.position(engine.load(case.process, case.workflow_state)),
            }
        except engine.EngineError:
            diagram = {}
    context = {
        "case": case,
        "access": access,
        "clocks": clocks.summary(case),
        "timeline": queries.timeline(case, for_applicant=False),
        "materials": list(case.materials.order_by("material_name", "uploaded_at", "pk")),
        "documents": list(case.documents.order_by("created_at", "pk")),
        "corrections": list(case.corrections.order_by("round")),
        "form_rows": form_rows(case),
        "panels": task_panels(request, case, access, bound),
        "case_forms": case_forms(case, bound),
        "may_extend": may_extend(request.user, case),
        "tasks": list(
            case.tasks.select_related("department", "assignee").order_by("created_at", "pk")
        ),
        **diagram,
    }
    return TemplateResponse(request, "hall/admin/case.html", context, status=status)


def form_rows(case):
    """The form data as label/value rows in the form's order."""
    rows, seen = [], set()
    schema = case.form.schema if case.form_id else {}
    for section in (schema or {}).get("sections") or []:
        for field in section.get("fields") or []:
            name = field.get("name")
            if name in (case.form_data or {}):
                seen.add(name)
                value = case.form_data[name]
                if field.get("type") == "id_number" and isinstance(value, str):
                    value = mask_id_number(value)
                choices = dict((str(k), v) for k, v in field.get("choices") or [])
                if isinstance(value, list):
                    value = "、".join(choices.get(str(v), str(v)) for v in value)
                elif isinstance(value, bool):
                    value = "是" if value else "否"
                else:
                    value = choices.get(str(value), value)
                rows.append(
                    {
                        "section": section.get("title", ""),
                        "label": field.get("label", name),
                        "value": value,
                    }
                )
    for name, value in (case.form_data or {}).items():
        if name not in seen:
            rows.append({"section": "", "label": name, "value": value})
    return rows


def case_view(request, pk):
    case, access = load_case(request, pk)
    if not access.can_view or not is_hall_staff(request.user):
        return denied(request)
    return render_case(request, case, access)


def call_action(name, *, request, case, task, data):
    staff = request.user
    if name == "claim":
        return actions.claim(task=task, staff=staff, request=request), "已签收任务。"
    if name == "release":
        return actions.release(task=task, staff=staff, request=request), "已退回任务。"
    if name == "accept":
        return actions.accept(task=task, staff=staff, request=request), "已受理，受理通知书已生成。"
    if name == "correction":
        actions.request_correction(
            task=task,
            staff=staff,
            items=data["items"],
            note=data.get("note", ""),
            request=request,
        )
        return None, "已一次性告知补正，补正材料通知书已生成，办理时限暂停计算。"
    if name == "refuse":
        actions.refuse(task=task, staff=staff, reason=data["reason"], request=request)
        return None, "已作出不予受理决定，不予受理通知书已生成。"
    if name == "review":
        actions.review(
            task=task,
            staff=staff,
            opinion=data["opinion"],
            comment=data.get("comment", ""),
            request=request,
        )
        return None, "审查意见已提交。"
    if name == "special":
        actions.finish_special(task=task, staff=staff, result=data["result"], request=request)
        return None, "特别程序结果已登记，办理时限恢复计算。"
    if name in ("decide", "handle"):
        decide = actions.decide if name == "decide" else actions.handle_on_the_spot
        decide(
            task=task,
            staff=staff,
            decision=data["decision"],
            reason=data.get("reason", ""),
            request=request,
        )
        return None, "已作出决定，决定书已生成。" if name == "decide" else "已即时办结。"
    if name == "deliver":
        actions.deliver(
            task=task,
            staff=staff,
            method=data["method"],
            tracking_number=data.get("tracking_number", ""),
            address=data.get("address", ""),
            request=request,
        )
        return None, "已送达，办件办结。"
    if name == "extend":
        actions.extend(
            case=case, staff=staff, days=data["days"], reason=data["reason"], request=request
        )
        return None, f"办理时限已延长 {data['days']} 个工作日。"
    if name == "comment":
        actions.comment(case=case, staff=staff, text=data["text"], request=request)
        return None, "备注已添加。"
    if name == "attach":
        actions.attach(
            case=case,
            staff=staff,
            upload=data["file"],
            title=data["title"],
            visible_to_applicant=data.get("visible_to_applicant", False),
            request=request,
        )
        return None, "附件已上传。"
    raise Http404("没有这个操作")


@require_POST
def act(request, pk, action):
    """One action on the case (or on one of its tasks: POST ``task``)."""
    if action not in ACTIONS:
        raise Http404("没有这个操作")
    case, access = load_case(request, pk)
    if not access.can_view:
        return denied(request)
    steps = ACTIONS[action][2]
    task = None
    if steps is not None:
        task_pk = request.POST.get("task", "")
        task = next((t for t in access.tasks if str(t.pk) == task_pk), None)
        if task is None:
            if task_pk.isdigit() and CaseTask.objects.filter(pk=int(task_pk), case=case).exists():
                return denied(request)
            messages.error(request, "没有找到该任务，可能已被他人办理。")
            return redirect("hall_workbench:case", case.pk)
        if steps != "task" and task.step not in steps:
            messages.error(request, f"当前环节（{task.name}）不能{ACTIONS[action][0]}。")
            return redirect("hall_workbench:case", case.pk)
    if action == "extend" and not may_extend(request.user, case):
        return denied(request)
    form = make_form(action, case, data=request.POST, files=request.FILES)
    data = {}
    if form is not None:
        if not form.is_valid():
            messages.error(request, f"未能{ACTIONS[action][0]}：请按提示修改。")
            return render_case(
                request,
                case,
                access,
                bound=(task.pk if task else None, action, form),
                status=400,
            )
        data = form.cleaned_data
    try:
        _, text = call_action(action, request=request, case=case, task=task, data=data)
    except PermissionDenied as exc:
        return denied(request, exc)
    except actions.TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("hall_workbench:case", case.pk)
    except ValidationError as exc:
        if form is not None:
            add_action_errors(form, exc)
            messages.error(request, f"未能{ACTIONS[action][0]}：请按提示修改。")
            return render_case(
                request,
                case,
                access,
                bound=(task.pk if task else None, action, form),
                status=400,
            )
        messages.error(request, "；".join(exc.messages))
        return redirect("hall_workbench:case", case.pk)
    messages.success(request, f"{case.number or case}：{text}")
    case.refresh_from_db()
    if queries.case_access(request.user, case).can_view:
        return redirect("hall_workbench:case", case.pk)
    return redirect("hall_workbench:index")


def download(request, pk, kind, file_pk):
    case, access = load_case(request, pk)
    if not access.can_view:
        return denied(request)
    if kind == "material":
        item = get_object_or_404(CaseMaterial, pk=file_pk, case=case)
        return uploads.file_response(
            item.file, filename=item.original_name, content_type=item.content_type
        )
    if kind == "document":
        item = get_object_or_404(CaseDocument, pk=file_pk, case=case)
        extension = ".pdf" if item.content_type == "application/pdf" else ""
        return uploads.file_response(
            item.file, filename=f"{item.title}{extension}", content_type=item.content_type
        )
    raise Http404("没有这种文件")


# One-window acceptance ------------------------------------------------------------------------


def counter_implementations(user, keyword=""):
    """The visible implementations of the user's department's region (a county's with its
    townships')."""
    if user.department_id is None:
        return Implementation.objects.none()
    qs = catalog_queries.implementations_for_region(user.department.region)
    keyword = " ".join(keyword.split())[:100]
    if keyword:
        qs = qs.filter(Q(name__icontains=keyword) | Q(code__icontains=keyword))
    return qs.select_related("department").order_by("name", "code")


def counter_applicant(data):
    """``(applicant_name, id_number, legal_person)`` for ``create_at_counter``: a company
    registered on the platform applies as its ``LegalPerson``; an unregistered one by its
    name and credit code."""
    code = data.get("legal_person_uscc")
    if not code:
        return data["applicant_name"], data["id_number"], None
    legal_person = LegalPerson.objects.filter(uscc=code).first()
    if legal_person is not None:
        return legal_person.name, code, legal_person
    return data["legal_person_name"].strip(), code, None


@require_http_methods(["GET", "POST"])
def counter(request):
    """一窗受理: pick an implementation of the region, enter the walk-in applicant, the form
    and the uploads; the case is created and accepted into the queue at once."""
    user = request.user
    if HallRole.ACCEPTOR not in roles_of(user):
        return denied(request)
    keyword = request.GET.get("q", "")
    implementation = None
    chosen = request.GET.get("implementation") or request.POST.get("implementation")
    if chosen and str(chosen).isdigit():
        implementation = counter_implementations(user).filter(pk=int(chosen)).first()
        if implementation is None:
            messages.error(request, "所选事项不在本窗口可受理的范围内。")
    context = {"keyword": keyword, "implementation": implementation}
    if implementation is None:
        page_obj = Paginator(counter_implementations(user, keyword), PER_PAGE).get_page(
            request.GET.get("page")
        )
        context.update(page_obj=page_obj)
        return TemplateResponse(request, "hall/admin/workbench_counter.html", context)

    situations = list(implementation.situations.order_by("sort_order", "pk"))
    valid = {s.code for s in situations}
    source = request.POST if request.method == "POST" else request.GET
    situation_codes = [code for code in source.getlist("situation") if code in valid]
    application_form = formdefs.ensure_form(implementation)
    requirements = formdefs.required_materials(implementation, application_form, situation_codes)
    applicant_form = ApplicantForm(request.POST or None, prefix="applicant")
    data_form = formdefs.build_form(
        application_form, data=request.POST if request.method == "POST" else None
    )
    problems = []
    upload_errors = {}
    if request.method == "POST":
        files = []
        for index, requirement in enumerate(requirements):
            for upload in request.FILES.getlist(f"material_{index}"):
                files.append((requirement.name, upload))
        applicant_ok = applicant_form.is_valid()
        data_ok = data_form.is_valid()
        if applicant_ok and data_ok:
            data = applicant_form.cleaned_data
            try:
                name, id_number, legal_person = counter_applicant(data)
                case, query_code = actions.create_at_counter(
                    implementation=implementation,
                    staff=user,
                    applicant_name=name,
                    id_number=id_number,
                    mobile=data["mobile"],
                    email=data["email"],
                    legal_person=legal_person,
                    data=data_form.json_data(),
                    situation_codes=situation_codes,
                    uploads=files,
                    request=request,
                )
            except PermissionDenied as exc:
                return denied(request, exc)
            except actions.TransitionError as exc:
                problems.append(str(exc))
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    names = {r.name for r in requirements}
                    for name, errors in exc.message_dict.items():
                        if name in data_form.fields:
                            data_form.add_error(name, errors)
                        elif name in applicant_form.fields:
                            applicant_form.add_error(name, errors)
                        elif name in names:
                            upload_errors[name] = errors
                        else:
                            problems.extend(errors)
                else:
                    problems.extend(exc.messages)
            else:
                messages.success(
                    request,
                    f"已收件：办件编号 {case.number}，查询码 {query_code}"
                    "（请告知申请人，查询码只显示这一次）。",
                )
                if queries.case_access(user, case).can_view:
                    return redirect("hall_workbench:case", case.pk)
                return redirect("hall_workbench:index")
        if problems or not (applicant_ok and data_ok) or upload_errors:
            messages.error(request, "未能收件：请按提示修改，已选择的文件需要重新选择。")
    context.update(
        situations=situations,
        situation_codes=set(situation_codes),
        requirements=[
            {"index": i, "requirement": r, "errors": upload_errors.get(r.name, [])}
            for i, r in enumerate(requirements)
        ],
        applicant_form=applicant_form,
        data_form=data_form,
        problems=problems,
    )
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "hall/admin/workbench_counter.html", context, status=status)


urlpatterns = [
    path("", index, name="index"),
    path("counter/", counter, name="counter"),
    path("cases/<int:pk>/", case_view, name="case"),
    path("cases/<int:pk>/act/<str:action>/", act, name="act"),
    path("cases/<int:pk>/files/<str:kind>/<int:file_pk>/", download, name="download"),
]
