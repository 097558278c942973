"""The applicant's pages of the online hall (under /banshi/ on every portal).

Thin views: who may see or do what is ``queries.case_access`` and the actions' own checks;
every write is an ``actions`` function. An action's ``ValidationError`` is shown next to
its field (or at the top), ``PermissionDenied`` answers 403 (audited by the platform's
handler), a ``TransitionError`` becomes a message — never a 500, and nothing entered is
lost: the draft is saved before it is submitted.

The query code of a submitted case exists in clear only in ``actions.submit``'s return
value: the submit view keeps it in the session just long enough for the receipt page to
show it once.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.accounts.acting import acting_legal_person
from yiwang.accounts.queries import meets_level
from yiwang.accounts.throttle import Throttle, account_key
from yiwang.catalog.constants import ONLINE_APPLICATION_DEPTH
from yiwang.catalog.views import (
    Withdrawn,
    audience_crumb,
    current_portal,
    find_implementation,
    gone,
    page_context,
)
from yiwang.core.audit import client_ip
from yiwang.core.views import permission_denied

from . import actions, clocks, engine, formdefs, queries, uploads
from .constants import WITHDRAWABLE_STATUSES, CaseStatus
from .models import Case, CaseDocument, CaseMaterial

PER_PAGE = 20
RECEIPT_SESSION_KEY = "hall_receipts"
UPLOAD_ERRORS_SESSION_KEY = "hall_upload_errors"
# Marks a POST that carries the application form (the submit button of the draft page),
# as opposed to a bare "submit this draft" POST.
FORM_MARKER = "_application_form"
DIAGRAM_TEMPLATE = "hall/includes/diagram.html"
FORM_TEMPLATE = "hall/includes/application_form.html"
UPLOADS_TEMPLATE = "hall/includes/material_uploads.html"


# Helpers --------------------------------------------------------------------------------------


def denied(request, exc=None):
    return permission_denied(request, exc or PermissionDenied())


def login_redirect(request):
    return redirect(
        reverse("accounts:sso_start") + "?" + urlencode({"next": request.get_full_path()})
    )


def hall_crumbs(*more):
    return [{"label": "我的办件", "url": reverse("hall:mine")}, *more]


def hall_context(request, *, crumbs, title, **extra):
    portal = current_portal(request)
    return {**page_context(request, portal, crumbs=crumbs, title=title), **extra}


def error_messages(exc):
    """The Chinese messages of a ``ValidationError``, flat."""
    if hasattr(exc, "error_dict"):
        return [message for errors in exc.message_dict.values() for message in errors]
    return list(exc.messages)


def applicant_case(request, case):
    """``(access, None)`` when the request's user is ``case``'s applicant, else
    ``(access, response)`` with the refusal."""
    access = queries.case_access(request.user, case, legal_person=acting_legal_person(request))
    if not access.can_view or not access.as_applicant:
        return access, denied(request)
    return access, None


def form_values(form):
    """What the applicant entered, as entered (JSON-able), for ``actions.save_draft``."""
    return {name: form[name].value() for name in form.fields}


def situation_choices(implementation):
    return list(implementation.situations.order_by("sort_order", "pk"))


def chosen_situations(request, implementation):
    valid = {situation.code for situation in situation_choices(implementation)}
    return [code for code in request.POST.getlist("situation") if code in valid]


def add_errors(form, exc):
    """An action's ``ValidationError`` next to the form's fields; what has no field is
    returned for the top of the page."""
    general = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            if name in form.fields:
                existing = set(form.errors.get(name, [])) if form.is_bound else set()
                for message in errors:
                    if message not in existing:
                        form.add_error(name, message)
            else:
                general.extend(errors)
    else:
        general.extend(exc.messages)
    return general


def pop_upload_errors(request, case):
    errors = request.session.get(UPLOAD_ERRORS_SESSION_KEY) or {}
    mine = errors.pop(str(case.pk), {})
    if mine:
        request.session[UPLOAD_ERRORS_SESSION_KEY] = errors
    return mine


def diagram_context(case):
    if case.process is None or not case.workflow_state:
        return {}
    try:
        position = engine.position(engine.load(case.process, case.workflow_state))
    except engine.EngineError:
        position = {"done": [], "waiting": []}
    return {
        "diagram_template": DIAGRAM_TEMPLATE,
        "diagram_xml": case.process.bpmn_xml,
        "diagram_position": position,
    }


def current_materials(case):
    return list(
        case.materials.filter(superseded=False).order_by("material_name", "uploaded_at", "pk")
    )


# Applying -------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request, code):
    """Start (POST) or resume the user's draft for an implementation applied online, as
    oneself or for the legal person the user acts for now."""
    try:
        implementation = find_implementation(code)
    except Withdrawn as exc:
        return gone(request, exc.implementation)
    if implementation.online_depth < ONLINE_APPLICATION_DEPTH:
        return redirect("catalog:apply", implementation.code)
    if not request.user.is_authenticated:
        return login_redirect(request)
    if not meets_level(request.user, implementation.real_name_level):
        # The catalog's apply page explains how to reach the level (403, audited).
        return redirect("catalog:apply", implementation.code)
    legal_person = acting_legal_person(request)
    drafts = [
        case
        for case in queries.my_cases(request.user, legal_person=legal_person)
        if case.status == CaseStatus.DRAFT
        and case.implementation_id == implementation.pk
        and case.legal_person_id == (legal_person.pk if legal_person else None)
    ]
    if drafts and request.method == "GET":
        return redirect("hall:draft", drafts[0].pk)
    problems = []
    if request.method == "POST":
        if drafts:
            return redirect("hall:draft", drafts[0].pk)
        try:
            case = actions.save_draft(
                implementation=implementation,
                user=request.user,
                data={},
                legal_person=legal_person,
                request=request,
            )
        except PermissionDenied as exc:
            return denied(request, exc)
        except (ValidationError, actions.TransitionError) as exc:
            problems = error_messages(exc) if isinstance(exc, ValidationError) else [str(exc)]
        else:
            messages.success(request, "已为您创建申请草稿，请填写申请表并上传材料。")
            return redirect("hall:draft", case.pk)
    application_form = formdefs.ensure_form(implementation)
    requirements = formdefs.required_materials(implementation, application_form, [])
    context = hall_context(
        request,
        crumbs=[
            audience_crumb(implementation),
            {"label": implementation.name, "url": reverse("catalog:item", args=[code])},
            {"label": "在线申请"},
        ],
        title=f"{implementation.name} 在线申请",
        implementation=implementation,
        legal_person=legal_person,
        requirements=requirements,
        situations=situation_choices(implementation),
        problems=problems,
    )
    return render(request, "hall/apply.html", context, status=400 if problems else 200)


def draft_page(request, case, *, form=None, problems=(), status=200):
    implementation = case.implementation
    application_form = formdefs.ensure_form(implementation)
    if form is None:
        form = formdefs.build_form(application_form, draft=True, initial=dict(case.form_data or {}))
    requirements = formdefs.required_materials(
        implementation, application_form, case.situation_codes or []
    )
    context = hall_context(
        request,
        crumbs=hall_crumbs({"label": f"申请：{case.item_name or implementation.name}"}),
        title=f"{implementation.name} 申请表",
        case=case,
        implementation=implementation,
        form=form,
        form_template=FORM_TEMPLATE,
        uploads_template=UPLOADS_TEMPLATE,
        requirements=requirements,
        materials=current_materials(case),
        upload_errors=pop_upload_errors(request, case),
        situations=situation_choices(implementation),
        chosen_situations=set(case.situation_codes or []),
        problems=list(problems),
        upload_url=reverse("hall:upload", args=[case.pk]),
        remove_url=reverse("hall:remove_material", args=[case.pk]),
        form_marker=FORM_MARKER,
    )
    return render(request, "hall/draft.html", context, status=status)


def load_draft(request, pk):
    """``(case, None)`` for the user's own draft, else ``(None, response)``."""
    if not request.user.is_authenticated:
        return None, login_redirect(request)
    case = get_object_or_404(Case.objects.select_related("implementation"), pk=pk)
    _, refusal = applicant_case(request, case)
    if refusal is not None:
        return None, refusal
    if case.status != CaseStatus.DRAFT:
        if case.number:
            return None, redirect("hall:case", case.number)
        raise Http404("没有找到该草稿")
    return case, None


def save_entered(request, case):
    """Save what the draft form posted. Returns ``(case, form)``: the form bound to what
    was entered (its format errors are the draft's, shown but not blocking)."""
    application_form = formdefs.ensure_form(case.implementation)
    form = formdefs.build_form(application_form, data=request.POST, draft=True)
    case = actions.save_draft(
        implementation=case.implementation,
        user=request.user,
        data=form_values(form),
        situation_codes=chosen_situations(request, case.implementation),
        legal_person=case.legal_person,
        case=case,
        request=request,
    )
    return case, form


@never_cache
@require_http_methods(["GET", "POST"])
def draft(request, pk):
    """The application form of a draft with its situations and materials; POST saves it
    (保存草稿): incomplete is fine, badly formatted values are kept and marked."""
    case, refusal = load_draft(request, pk)
    if refusal is not None:
        return refusal
    if request.method == "GET":
        return draft_page(request, case)
    try:
        case, form = save_entered(request, case)
    except PermissionDenied as exc:
        return denied(request, exc)
    except actions.TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("hall:draft", case.pk)
    except ValidationError as exc:
        return draft_page(request, case, problems=error_messages(exc), status=400)
    if not form.is_valid():
        messages.warning(request, "草稿已保存。标出的内容格式不正确，提交前请改正。")
        return draft_page(request, case, form=form, status=400)
    messages.success(request, "草稿已保存。")
    return redirect("hall:draft", case.pk)


@never_cache
@require_POST
def submit(request, pk):
    """提交: save what the form carries (when it carries it), then submit; the receipt page
    shows the number and the query code once."""
    case, refusal = load_draft(request, pk)
    if refusal is not None:
        return refusal
    form = None
    try:
        if FORM_MARKER in request.POST:
            case, form = save_entered(request, case)
        case, query_code = actions.submit(case=case, user=request.user, request=request)
    except PermissionDenied as exc:
        return denied(request, exc)
    except actions.TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("hall:draft", case.pk)
    except ValidationError as exc:
        if form is None:
            application_form = formdefs.ensure_form(case.implementation)
            form = formdefs.build_form(application_form, data=case.form_data, draft=True)
        form.is_valid()
        problems = add_errors(form, exc)
        messages.error(request, "申请尚未提交：请按提示补充或改正后再提交。")
        case.refresh_from_db()
        return draft_page(request, case, form=form, problems=problems, status=400)
    receipts = request.session.get(RECEIPT_SESSION_KEY) or {}
    receipts[str(case.pk)] = query_code
    request.session[RECEIPT_SESSION_KEY] = receipts
    return redirect("hall:receipt", case.pk)


@never_cache
def receipt(request, pk):
    """申请回执: the case number, and the query code the first time only."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    case = get_object_or_404(Case, pk=pk)
    _, refusal = applicant_case(request, case)
    if refusal is not None:
        return refusal
    if not case.number:
        return redirect("hall:draft", case.pk)
    receipts = request.session.get(RECEIPT_SESSION_KEY) or {}
    query_code = receipts.pop(str(case.pk), None)
    if query_code is not None:
        request.session[RECEIPT_SESSION_KEY] = receipts
    document = case.documents.filter(kind="receipt").order_by("-pk").first()
    context = hall_context(
        request,
        crumbs=hall_crumbs({"label": "申请回执"}),
        title="申请回执",
        case=case,
        query_code=query_code,
        receipt_document=document,
        clocks=clocks.summary(case),
    )
    return render(request, "hall/receipt.html", context)


# Materials ------------------------------------------------------------------------------------


def back_to(case):
    if case.status == CaseStatus.DRAFT or not case.number:
        return redirect(reverse("hall:draft", args=[case.pk]) + "#materials")
    return redirect(reverse("hall:case", args=[case.number]) + "#correction")


@require_POST
def upload(request, pk):
    """Attach a file to one material of a draft or of a correction round."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    case = get_object_or_404(Case, pk=pk)
    _, refusal = applicant_case(request, case)
    if refusal is not None:
        return refusal
    material_name = request.POST.get("material_name", "").strip()
    file = request.FILES.get("file")
    problems = []
    if not material_name:
        problems.append("请选择要上传的材料。")
    if file is None:
        problems.append("请选择要上传的文件。")
    if not problems:
        try:
            actions.add_material(
                case=case,
                material_name=material_name,
                upload=file,
                user=request.user,
                request=request,
            )
        except PermissionDenied as exc:
            return denied(request, exc)
        except actions.TransitionError as exc:
            problems.append(str(exc))
        except ValidationError as exc:
            problems.extend(error_messages(exc))
    if problems:
        errors = request.session.get(UPLOAD_ERRORS_SESSION_KEY) or {}
        errors.setdefault(str(case.pk), {})[material_name] = problems
        request.session[UPLOAD_ERRORS_SESSION_KEY] = errors
        messages.error(request, f"“{material_name or '材料'}”上传失败：" + "；".join(problems))
    else:
        messages.success(request, f"已上传“{material_name}”：{file.name}")
    return back_to(case)


@require_POST
def remove_material(request, pk):
    """Remove one file (POST ``material``: its pk) of a draft or of the open correction
    round."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    case = get_object_or_404(Case, pk=pk)
    _, refusal = applicant_case(request, case)
    if refusal is not None:
        return refusal
    material_pk = request.POST.get("material", "")
    material = (
        CaseMaterial.objects.filter(case=case, pk=int(material_pk)).first()
        if material_pk.isdigit()
        else None
    )
    if material is None:
        messages.error(request, "没有找到要删除的文件，可能已被删除。")
        return back_to(case)
    try:
        actions.remove_material(material=material, user=request.user, request=request)
    except PermissionDenied as exc:
        return denied(request, exc)
    except (ValidationError, actions.TransitionError) as exc:
        text = "；".join(error_messages(exc)) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(
            request, f"已删除“{material.material_name}”的文件 {material.original_name}"
        )
    return back_to(case)


# My cases and one case ------------------------------------------------------------------------


@never_cache
def mine(request):
    """我的办件: drafts and cases of the user (or of the legal person acted for)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    legal_person = acting_legal_person(request)
    page_obj = Paginator(
        queries.my_cases(request.user, legal_person=legal_person), PER_PAGE
    ).get_page(request.GET.get("page"))
    rows = [{"case": case, "clocks": clocks.summary(case)} for case in page_obj]
    context = hall_context(
        request,
        crumbs=[{"label": "我的办件"}],
        title="我的办件",
        page_obj=page_obj,
        rows=rows,
        legal_person=legal_person,
    )
    return render(request, "hall/mine.html", context)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤回理由（选填）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label="我确认撤回本申请，撤回后本办件即终止办理",
        error_messages={"required": "请勾选确认后再撤回。"},
    )


def load_case(request, number):
    """``(case, access, None)`` for the applicant of case ``number``, else a response."""
    if not request.user.is_authenticated:
        return None, None, login_redirect(request)
    case = get_object_or_404(
        Case.objects.select_related("implementation", "process", "department"), number=number
    )
    access, refusal = applicant_case(request, case)
    if refusal is not None:
        if access.can_view:
            # Staff follow the case in the workbench.
            return None, None, redirect("hall_workbench:case", case.pk)
        return None, None, refusal
    return case, access, None


def correction_context(request, case):
    if case.status != CaseStatus.CORRECTION:
        return {}
    correction = case.corrections.order_by("-round").first()
    if correction is None:
        return {}
    this_round = [m for m in current_materials(case) if m.correction_round == correction.round]
    requirements, other_items = [], []
    for item in correction.items or []:
        name = (item.get("material") or "").strip()
        if name:
            requirements.append(
                formdefs.MaterialRequirement(
                    name=name, material_id=None, required=True, note=item.get("reason", "")
                )
            )
        else:
            other_items.append(item.get("reason", ""))
    return {
        "correction": correction,
        "correction_requirements": requirements,
        "correction_other_items": other_items,
        "correction_materials": this_round,
        "uploads_template": UPLOADS_TEMPLATE,
        "upload_url": reverse("hall:upload", args=[case.pk]),
        "remove_url": reverse("hall:remove_material", args=[case.pk]),
        "upload_errors": pop_upload_errors(request, case),
    }


def case_page(request, case, *, withdraw_form=None, status=200):
    context = hall_context(
        request,
        crumbs=hall_crumbs({"label": case.number}),
        title=f"办件 {case.number}",
        case=case,
        clocks=clocks.summary(case),
        timeline=queries.timeline(case, for_applicant=True),
        documents=list(case.documents.filter(visible_to_applicant=True).order_by("created_at")),
        materials=current_materials(case),
        can_withdraw=case.status in WITHDRAWABLE_STATUSES,
        withdraw_form=withdraw_form or WithdrawForm(),
        **correction_context(request, case),
        **diagram_context(case),
    )
    return render(request, "hall/case.html", context, status=status)


@never_cache
def case(request, number):
    """One case for its applicant: status, timeline, due dates, documents, the diagram;
    the correction round when one is open; withdrawal."""
    case, _, refusal = load_case(request, number)
    if refusal is not None:
        return refusal
    return case_page(request, case)


@require_POST
def resubmit(request, number):
    case, _, refusal = load_case(request, number)
    if refusal is not None:
        return refusal
    try:
        actions.resubmit(case=case, user=request.user, request=request)
    except PermissionDenied as exc:
        return denied(request, exc)
    except actions.TransitionError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "补正材料尚未提交：" + "；".join(error_messages(exc)))
    else:
        messages.success(request, "补正材料已提交，办理时限自今日起恢复计算。")
    return redirect("hall:case", case.number)


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request, number):
    """撤回申请, with a confirmation."""
    case, _, refusal = load_case(request, number)
    if refusal is not None:
        return refusal
    if request.method == "GET":
        return redirect(reverse("hall:case", args=[case.number]) + "#withdraw")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return case_page(request, case, withdraw_form=form, status=400)
    try:
        actions.withdraw(
            case=case, user=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except PermissionDenied as exc:
        return denied(request, exc)
    except actions.TransitionError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(error_messages(exc)))
    else:
        messages.success(request, "申请已撤回。")
    return redirect("hall:case", case.number)


@never_cache
def download(request, number, kind, pk):
    """A material or document of the applicant's own case (private storage)."""
    case, _, refusal = load_case(request, number)
    if refusal is not None:
        return refusal
    if kind == "material":
        item = get_object_or_404(CaseMaterial, pk=pk, case=case)
        return uploads.file_response(
            item.file, filename=item.original_name, content_type=item.content_type
        )
    if kind == "document":
        item = get_object_or_404(CaseDocument, pk=pk, case=case, visible_to_applicant=True)
        extension = ".pdf" if item.content_type == "application/pdf" else ""
        return uploads.file_response(
            item.file, filename=f"{item.title}{extension}", content_type=item.content_type
        )
    raise Http404("没有这种文件")


# Lookup without login -------------------------------------------------------------------------


class LookupForm(forms.Form):
    number = forms.CharField(
        label="办件编号",
        max_length=32,
        error_messages={"required": "请输入办件编号。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    query_code = forms.CharField(
        label="查询码",
        max_length=16,
        error_messages={"required": "请输入查询码。"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_number(self):
        return "".join(self.cleaned_data["number"].split())

    def clean_query_code(self):
        return "".join(self.cleaned_data["query_code"].split()).upper()


class LookupThrottle(Throttle):
    """The login throttle's counters, under the hall's own keys: wrong query codes lock
    further tries for that case number from that address (and, across numbers, from the
    address), without touching password login."""

    def __init__(self, *, account, address):
        super().__init__(account=account, address=address)
        pair = f"hall:lookup:pair:{account}:{self.address}"
        self._failures = f"{pair}:failures"
        self._lockouts = f"{pair}:lockouts"
        self._until = f"{pair}:until"
        self._address_failures = f"hall:lookup:addr:{self.address}:failures"
        self._address_until = f"hall:lookup:addr:{self.address}:until"


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request):
    """办件查询 by number and query code: status, timeline and due dates, no personal data
    and no files. Wrong tries are throttled."""
    form = LookupForm(request.POST or None)
    found = None
    locked = None
    status = 200
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"]
        throttle = LookupThrottle(
            account=account_key(identifier=f"case:{number}"), address=client_ip(request)
        )
        locked = throttle.locked()
        if locked is None:
            found = queries.lookup(number, form.cleaned_data["query_code"])
            if found is None:
                failure = throttle.fail()
                locked = failure.lock
                form.add_error(None, "办件编号或查询码不正确，请核对后再试。")
                status = 400
            else:
                throttle.succeed()
        if locked is not None:
            form.add_error(None, f"查询失败次数过多，请 {locked.minutes} 分钟后再试。")
            status = 429
            found = None
    elif request.method == "POST":
        status = 400
    context = hall_context(
        request,
        crumbs=[{"label": "办件查询"}],
        title="办件查询",
        form=form,
        found=found,
    )
    if found is not None:
        context.update(
            clocks=clocks.summary(found), timeline=queries.timeline(found, for_applicant=True)
        )
    return render(request, "hall/lookup.html", context, status=status)
