"""Every write of the hall (CONTRACT — owner: helper "actions"; others call these).

Rules for every function: keyword-only arguments; one transaction; one ``CaseEvent`` for
the timeline and one audit row (``yiwang.core.audit.record``, action names in
``events.py``) in that transaction; notifications (``notify``), notice PDFs (``notices``)
and other side effects in ``transaction.on_commit``. Bad input raises
``django.core.exceptions.ValidationError`` with Chinese messages (keyed by field where there
is one); acting without the right raises ``PermissionDenied``; a transition the case's
state or process does not allow raises ``TransitionError`` (Chinese message). Nothing
already saved is lost on an error.

Staff act on a ``CaseTask``: they must be staff of the task's department with the task's
role (``roles``), and the task open, or claimed by them.

How a transition runs (see docs/hall-cases.md): the case row is locked first (``SELECT …
FOR UPDATE`` on PostgreSQL; on SQLite the ``BEGIN IMMEDIATE`` transaction already holds the
write lock), the task and the case's state are read again under that lock, the workflow is
loaded from ``Case.workflow_state``, advanced by the engine, and ``_sync_tasks`` mirrors its
ready user tasks into ``CaseTask`` rows (opening and closing their clocks). One event of the
transition's kind is written; a transition that opens a special procedure also records
``SPECIAL_STARTED`` (the applicant must be told the clock stops). The audit row is the last
write.
"""

import json
import logging
import os
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from yiwang.accounts import queries as account_queries
from yiwang.catalog.constants import ONLINE_APPLICATION_DEPTH, Audience, DeliveryMethod
from yiwang.catalog.models import Implementation
from yiwang.core import audit
from yiwang.core.masking import mask_id_number

from . import clocks, engine, events, formdefs, notify, numbers, processes, uploads
from .constants import (
    ACTIVE_TASK_STATES,
    STEP_ROLE,
    WITHDRAWABLE_STATUSES,
    CaseStatus,
    Channel,
    Decision,
    DocumentKind,
    EventKind,
    HallRole,
    PauseReason,
    ProcessTemplate,
    ReviewOpinion,
    ScanStatus,
    Step,
    TaskState,
)
from .models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseMaterial,
    CaseTask,
    CorrectionRequest,
    ServiceSetup,
)
from .roles import roles_of

logger = logging.getLogger(__name__)

MAX_EXTENSION_DAYS = 10
MAX_JOINT_EXTENSION_DAYS = 15
ACCEPTABLE_SCAN_STATUSES = (ScanStatus.CLEAN, ScanStatus.SKIPPED)
MOBILE_RE = re.compile(r"^1\d{10}$")


class TransitionError(Exception):
    """The case or task is not in a state that allows this (message in Chinese)."""


# --- small helpers -------------------------------------------------------------------------


def _today():
    return timezone.localdate()


def _authenticated(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def _on_behalf_of(request):
    if request is None or getattr(request, "session", None) is None:
        return ""
    from yiwang.accounts.acting import on_behalf_of_label

    return on_behalf_of_label(request)


def _audit(action, *, actor, case, detail=None, request=None):
    base = {"number": case.number or "", "status": case.status}
    base.update(detail or {})
    audit.record(
        action=action,
        actor=actor,
        obj=case,
        detail=base,
        request=request,
        on_behalf_of=_on_behalf_of(request),
    )


def _event(case, kind, actor, *, task=None, text="", data=None, visible=True):
    actor = actor if _authenticated(actor) else None
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=timezone.now(),
        actor=actor,
        actor_label=str(actor)[:200] if actor is not None else "",
        department_id=getattr(actor, "department_id", None) if actor is not None else None,
        task=task,
        text=text,
        data=data or {},
        visible_to_applicant=visible,
    )


def _after_commit(func, *args, **kwargs):
    """Run ``func`` once the transaction commits; a failure there is logged, never raised
    (the transition has happened and must not look failed)."""

    def run():
        try:
            func(*args, **kwargs)
        except Exception:
            logger.exception("hall side effect %s failed", getattr(func, "__name__", func))

    transaction.on_commit(run)


def _notify_after_commit(case, kind, *, query_code=None):
    _after_commit(notify.notify_applicant, case, kind, query_code=query_code)


def _notice_after_commit(case, kind, *, actor=None, correction=None):
    """The notice PDF is made by a background task enqueued after commit (see
    ``case_jobs``); the immediate backend of tests runs it at once."""
    from .case_jobs import issue_notice

    _after_commit(
        issue_notice.enqueue,
        case.pk,
        str(kind),
        actor_id=actor.pk if _authenticated(actor) else None,
        correction_id=correction.pk if correction is not None else None,
    )


def _copy_into(target, source):
    """Give the caller's instance the saved state (they keep using their object)."""
    if target is None or target is source:
        return
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def _lock_case(pk):
    """The case row, locked until the transaction ends (a no-op lock on SQLite, whose
    IMMEDIATE transaction already serializes writers)."""
    try:
        # Only the case's own row: most transitions need neither the implementation nor
        # the process definition (its parsed spec is cached), and loading them would cost
        # a wide join on every step.
        return Case.objects.select_for_update().get(pk=pk)
    except Case.DoesNotExist as exc:
        raise TransitionError("办件不存在。") from exc


def _require_text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _is_applicant(user, case):
    if not _authenticated(user):
        return False
    if case.applicant_id is not None and case.applicant_id == user.pk:
        return True
    if case.legal_person_id is not None:
        return (
            account_queries.acting_role(user, case.legal_person, own_account_counts=True)
            is not None
        )
    return False


def _check_applicant(user, case):
    if not _authenticated(user):
        raise PermissionDenied("请先登录。")
    if not _is_applicant(user, case):
        raise PermissionDenied("你不是该办件的申请人。")


# --- eligibility ---------------------------------------------------------------------------


def _check_can_apply(implementation, user, legal_person, *, online=True):
    """The checks before anyone may apply for ``implementation`` online; returns the
    acting role ('' for oneself)."""
    if not _authenticated(user):
        raise PermissionDenied("请先登录后再申请。")
    if online and implementation.online_depth < ONLINE_APPLICATION_DEPTH:
        raise ValidationError("该事项不支持网上申请，请到办事窗口办理。")
    if not Implementation.objects.visible().filter(pk=implementation.pk).exists():
        raise ValidationError("该事项已暂停或取消办理，暂不接受申请。")
    setup = ServiceSetup.objects.filter(implementation=implementation).only("accepting").first()
    if online and setup is not None and not setup.accepting:
        raise ValidationError("该事项暂停接受网上申请。")
    if not account_queries.meets_level(user, implementation.real_name_level):
        raise PermissionDenied(
            f"申请该事项需要实名等级达到 {implementation.real_name_level} 级，请先完成实名认证。"
        )
    audience = implementation.audience
    if legal_person is None and audience == Audience.LEGAL_PERSON:
        raise ValidationError(
            "该事项面向法人办理：请先在个人中心“我的企业与经办人”中切换为以企业身份办事。"
        )
    if legal_person is not None and audience == Audience.INDIVIDUAL:
        raise ValidationError("该事项面向自然人办理：请在个人中心切换回个人身份后申请。")
    role = ""
    if legal_person is not None:
        role = account_queries.acting_role(user, legal_person, own_account_counts=True)
        if role is None:
            raise PermissionDenied("你没有代表该单位办理事项的授权。")
    return role


def _check_json(data):
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError("申请表内容格式不正确。") from exc
    if not isinstance(data, dict):
        raise ValidationError("申请表内容格式不正确。")


def _check_situations(implementation, situation_codes):
    codes = [str(code).strip() for code in (situation_codes or ()) if str(code).strip()]
    known = set(implementation.situations.values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError({"situation_codes": "未知的办理情形：" + "、".join(unknown)})
    return list(dict.fromkeys(codes))


def _snapshot_applicant(case, user, legal_person):
    from yiwang.accounts.actions.identity import ID_CONTEXT
    from yiwang.core import crypto

    if legal_person is not None:
        case.applicant_name = legal_person.name
        case.set_applicant_id_number(legal_person.uscc)
    else:
        case.applicant_name = user.display_name or user.get_full_name() or user.username
        number = (
            crypto.decrypt(user.id_number_encrypted, context=ID_CONTEXT)
            if user.id_number_encrypted
            else ""
        )
        case.set_applicant_id_number(number)
    case.applicant_mobile = user.mobile or ""
    case.applicant_email = user.email or ""


def _snapshot_item(case, implementation):
    case.implementation = implementation
    case.implementation_version = implementation.version
    case.item_code = implementation.code
    case.item_name = implementation.name
    case.department_id = implementation.department_id
    case.region_id = implementation.region_id


def _check_materials(case, form):
    requirements = formdefs.required_materials(case.implementation, form, case.situation_codes)
    present = set(
        case.materials.filter(superseded=False, scan_status__in=ACCEPTABLE_SCAN_STATUSES)
        .values_list("material_name", flat=True)
        .distinct()
    )
    missing = [r.name for r in requirements if r.required and r.name not in present]
    if missing:
        raise ValidationError({"materials": [f"请上传“{name}”。" for name in missing]})


def _check_form(form, data):
    cleaned, errors = formdefs.clean_data(form, data or {})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_upload(upload):
    """Content type, size and malware scan (``uploads.check_and_scan``); errors keyed by
    the ``upload`` field. An infected file is never stored."""
    if upload is None:
        raise ValidationError({"upload": "请选择要上传的文件。"})
    try:
        content_type, sha256, result = uploads.check_and_scan(upload)
    except ValidationError as exc:
        raise ValidationError({"upload": exc.messages}) from exc
    upload.seek(0)
    return content_type, sha256, result


def _store_upload(case, material_name, upload, *, user, material_id=None, correction_round=0):
    content_type, sha256, result = _check_upload(upload)
    status = ScanStatus(result.status)
    return CaseMaterial.objects.create(
        case=case,
        material_id=material_id,
        material_name=material_name,
        file=upload,
        original_name=os.path.basename(upload.name or "file")[:255],
        content_type=content_type,
        size=upload.size,
        sha256=sha256,
        scan_status=status,
        scan_detail=(result.detail or "")[:200],
        uploaded_by=user if _authenticated(user) else None,
        correction_round=correction_round,
    )


# --- the workflow --------------------------------------------------------------------------


def _load(case):
    # By primary key: the parsed process is cached, so loading costs no query.
    return engine.load(case.process_id, case.workflow_state)


def _engine_call(func, *args):
    try:
        return func(*args)
    except engine.EngineError as exc:
        raise TransitionError(str(exc)) from exc


def _sync_tasks(case, workflow, day, active):
    """Mirror the workflow's ready user tasks into ``CaseTask`` rows: open rows for new
    ones (with their clocks), cancel active rows whose Spiff task is no longer ready.
    ``active`` is the case's active rows before the step (the completed one excluded).
    Returns ``(opened, active_now)``."""
    ready = engine.ready_user_tasks(workflow)
    ready_ids = {r.id for r in ready}
    known = {t.spiff_task_id: t for t in active}
    now = timezone.now()
    still = []
    for task in active:
        if task.spiff_task_id in ready_ids:
            still.append(task)
            continue
        task.state = TaskState.CANCELLED
        task.completed_at = now
        task.save(update_fields=["state", "completed_at"])
        clocks.on_task_closed(task, day)
    opened = []
    for r in ready:
        if r.id in known:
            continue
        task = CaseTask.objects.create(
            case=case,
            spiff_task_id=r.id,
            bpmn_id=r.bpmn_id,
            step=r.step,
            name=r.name[:100],
            department_id=r.department_id or case.department_id,
            role=STEP_ROLE[r.step],
        )
        clocks.on_task_opened(task, day, new=True)
        opened.append(task)
    case.workflow_state = engine.dump(workflow)
    return opened, still + opened


def _status_from_tasks(case, active):
    steps = {t.step for t in active}
    if Step.SPECIAL in steps:
        return CaseStatus.SPECIAL
    if Step.DELIVER in steps:
        return CaseStatus.DECIDED
    if Step.DECIDE in steps or Step.REVIEW in steps:
        return CaseStatus.ACCEPTED
    if Step.ACCEPT in steps or Step.HANDLE in steps:
        return CaseStatus.SUBMITTED
    return case.status


def _start_workflow(case, day):
    workflow = _engine_call(engine.start, case.process, processes.process_data(case))
    _opened, active = _sync_tasks(case, workflow, day, [])
    return active


def _finish_task(task, staff, *, outcome="", opinion="", day):
    task.state = TaskState.DONE
    task.completed_at = timezone.now()
    task.completed_by = staff
    task.outcome = outcome
    task.opinion = opinion
    task.save(update_fields=["state", "completed_at", "completed_by", "outcome", "opinion"])
    clocks.on_task_closed(task, day)


def _check_may_act(staff, task):
    if not _authenticated(staff):
        raise PermissionDenied("请先登录。")
    if staff.department_id != task.department_id or HallRole(task.role) not in roles_of(staff):
        raise PermissionDenied("你没有办理该任务的权限。")


def _begin_task(task, staff, steps, statuses):
    """Inside the transaction: lock the case, read the task and the case's active tasks
    again, check the right and the state. Returns ``(case, task, others)`` — ``others``
    the case's other active tasks."""
    case = _lock_case(task.case_id)
    active = list(case.tasks.filter(state__in=ACTIVE_TASK_STATES))
    current = next((t for t in active if t.pk == task.pk), None)
    if current is None:
        current = CaseTask.objects.filter(pk=task.pk, case=case).first()
        if current is None:
            raise TransitionError("任务不存在。")
    _check_may_act(staff, current)
    if current.state == TaskState.DONE:
        raise TransitionError("该任务已由他人办理。")
    if current.state == TaskState.CANCELLED:
        raise TransitionError("该任务已取消。")
    if current.state == TaskState.CLAIMED and current.assignee_id != staff.pk:
        raise TransitionError("该任务已由他人签收办理。")
    if current.step not in steps:
        raise TransitionError(f"“{current.get_step_display()}”环节不能进行此项操作。")
    if case.status not in statuses:
        raise TransitionError(f"办件当前状态为“{case.get_status_display()}”，不能进行此项操作。")
    current.case = case
    others = [t for t in active if t.pk != current.pk]
    return case, current, others


def _advance(case, task, staff, others, day, *, data=None, outcome="", opinion=""):
    """Complete ``task`` in the engine and in the hall; returns the active tasks after."""
    workflow = _load(case)
    _engine_call(engine.complete, workflow, task.spiff_task_id, data)
    _finish_task(task, staff, outcome=outcome, opinion=opinion, day=day)
    opened, active = _sync_tasks(case, workflow, day, others)
    return workflow, opened, active


def _special_started(case, staff, opened, active):
    for task in opened:
        if task.step == Step.SPECIAL:
            _event(
                case,
                EventKind.SPECIAL_STARTED,
                staff,
                task=task,
                text=f"{task.name}开始，所需时间不计入办理时限。",
            )


def _complete_case(case, day):
    case.status = CaseStatus.COMPLETED
    case.completed_at = timezone.now()
    clocks.stop_all(case, day)


CASE_FIELDS_AFTER_STEP = ["status", "workflow_state", "updated_at"]


# --- the applicant's drafts ----------------------------------------------------------------


def save_draft(
    *, implementation, user, data, situation_codes=(), legal_person=None, case=None, request=None
):
    """Create (``case`` None) or update a DRAFT case of ``user`` (acting for
    ``legal_person`` when given: ``accounts.queries.acting_role`` must allow it) with the
    form ``data`` as entered (drafts may be incomplete: nothing but JSON-ability is
    checked). Refuses items not applied online, not accepting or below the user's real-name
    level. Returns the case."""
    _check_json(data)
    with transaction.atomic():
        if case is not None:
            locked = _lock_case(case.pk)
            _check_applicant(user, locked)
            if locked.status != CaseStatus.DRAFT:
                raise TransitionError("申请已提交，不能再修改草稿。")
            if locked.implementation_id != implementation.pk:
                raise ValidationError("草稿与所申请的事项不一致。")
            legal_person = locked.legal_person
            role = _check_can_apply(implementation, user, legal_person)
            target = locked
        else:
            role = _check_can_apply(implementation, user, legal_person)
            target = Case(status=CaseStatus.DRAFT, applicant=user, legal_person=legal_person)
            _snapshot_item(target, implementation)
            target.form = formdefs.ensure_form(implementation)
        target.acting_role = role or ""
        target.form_data = data
        target.situation_codes = _check_situations(implementation, situation_codes)
        target.save()
        _event(target, EventKind.DRAFT_SAVED, user)
        _audit(events.DRAFT_SAVED, actor=user, case=target, request=request)
    _copy_into(case, target)
    return target


def _material_requirement(case, material_name):
    form = case.form or formdefs.ensure_form(case.implementation)
    for requirement in formdefs.required_materials(case.implementation, form, case.situation_codes):
        if requirement.name == material_name:
            return requirement
    return None


def add_material(*, case, material_name, upload, user, request=None):
    """Attach an uploaded file (``UploadedFile``) to a draft or a case awaiting correction
    for ``material_name`` (a material of the guide). Checked by ``uploads.check`` (content
    type, size) and scanned (``scanning``); an infected file is refused and not kept.
    Returns the ``CaseMaterial``."""
    material_name = _require_text(material_name, "material_name", "请选择材料。")
    with transaction.atomic():
        locked = _lock_case(case.pk)
        _check_applicant(user, locked)
        if locked.status not in (CaseStatus.DRAFT, CaseStatus.CORRECTION):
            raise TransitionError("只有草稿或待补正的办件可以上传材料。")
        requirement = _material_requirement(locked, material_name)
        correction_round = 0
        if locked.status == CaseStatus.CORRECTION:
            correction_round = locked.correction_rounds
            listed = _open_correction(locked)
            names = {item.get("material") for item in (listed.items if listed else [])}
            if material_name not in names:
                raise ValidationError({"material_name": "补正告知中没有要求补正该材料。"})
        elif requirement is None:
            raise ValidationError({"material_name": "办事指南中没有这项材料。"})
        if requirement is not None and requirement.max_files:
            count = locked.materials.filter(
                material_name=material_name, superseded=False, correction_round=correction_round
            ).count()
            if count >= requirement.max_files:
                raise ValidationError(
                    {"upload": f"“{material_name}”最多上传 {requirement.max_files} 个文件。"}
                )
        material = _store_upload(
            locked,
            material_name,
            upload,
            user=user,
            material_id=requirement.material_id if requirement is not None else None,
            correction_round=correction_round,
        )
        _audit(
            events.MATERIAL_ADDED,
            actor=user,
            case=locked,
            request=request,
            detail={"material": material_name, "size": material.size, "sha256": material.sha256},
        )
    return material


def remove_material(*, material, user, request=None):
    """Remove a file from a draft (or from the current correction round)."""
    with transaction.atomic():
        case = _lock_case(material.case_id)
        _check_applicant(user, case)
        current = CaseMaterial.objects.filter(pk=material.pk, case=case).first()
        if current is None:
            raise TransitionError("该文件已删除。")
        if case.status == CaseStatus.DRAFT:
            pass
        elif case.status == CaseStatus.CORRECTION and current.correction_round == (
            case.correction_rounds
        ):
            pass
        else:
            raise TransitionError("已提交的材料不能删除。")
        name = current.file.name
        current.delete()
        _audit(
            events.MATERIAL_REMOVED,
            actor=user,
            case=case,
            request=request,
            detail={"material": current.material_name},
        )
        storage = current.file.storage
        _after_commit(storage.delete, name)


# --- submission ----------------------------------------------------------------------------


def _open_submission(case, day):
    """Number, query code, process: everything both channels do. Returns the code."""
    case.number = numbers.allocate(case.region, day=day)
    code = numbers.new_query_code()
    case.query_code_hash = numbers.query_code_hash(case.number, code)
    case.process = processes.ensure_process(case.implementation)
    case.status = CaseStatus.SUBMITTED
    case.submitted_at = timezone.now()
    case.save()
    _start_workflow(case, day)
    clocks.on_submitted(case, day)
    case.save(update_fields=["workflow_state", "updated_at"])
    return code


def submit(*, case, user, request=None):
    """Submit a draft: the form data must validate (``formdefs.clean_data``), every required
    material (``formdefs.required_materials``) must have a clean file, the user must meet
    the real-name level and may act for the legal person. Allocates the case number
    (``numbers.allocate``) and a query code, starts the process (``engine.start``) on the
    implementation's current process and form versions, creates the ready ``CaseTask`` rows
    and their clocks, status SUBMITTED. After commit: the receipt (``notices``) and the
    applicant's notification. Returns ``(case, query_code)`` — the only time the query code
    is known in clear."""
    day = _today()
    with transaction.atomic():
        locked = _lock_case(case.pk)
        _check_applicant(user, locked)
        if locked.status != CaseStatus.DRAFT:
            raise TransitionError("该申请已经提交。")
        implementation = locked.implementation
        role = _check_can_apply(implementation, user, locked.legal_person)
        form = formdefs.ensure_form(implementation)
        locked.form = form
        locked.form_data = _check_form(form, locked.form_data)
        _check_materials(locked, form)
        _snapshot_item(locked, implementation)
        _snapshot_applicant(locked, user, locked.legal_person)
        locked.acting_role = role or ""
        locked.channel = Channel.ONLINE
        code = _open_submission(locked, day)
        _event(locked, EventKind.SUBMITTED, user, text="申请已提交，等待受理。")
        _audit(
            events.CASE_SUBMITTED,
            actor=user,
            case=locked,
            request=request,
            detail={"item_code": locked.item_code, "process_version": locked.process.version},
        )
        _notice_after_commit(locked, DocumentKind.RECEIPT, actor=user)
        _notify_after_commit(locked, EventKind.SUBMITTED, query_code=code)
    _copy_into(case, locked)
    return locked, code


def _check_counter_staff(staff, implementation):
    if not _authenticated(staff):
        raise PermissionDenied("请先登录。")
    if HallRole.ACCEPTOR not in roles_of(staff):
        raise PermissionDenied("只有窗口受理人员可以窗口收件。")
    if staff.department_id == implementation.department_id:
        return
    region = staff.department.region
    chain = [implementation.region, *implementation.region.ancestors()]
    if region.pk not in {r.pk for r in chain}:
        raise PermissionDenied("该事项不属于本窗口的受理范围。")


def _check_id_number(id_number, legal_person):
    from stdnum.cn import ric, uscc
    from stdnum.exceptions import ValidationError as StdnumError

    value = (id_number or "").strip().upper()
    if legal_person is not None:
        if value and value != legal_person.uscc:
            raise ValidationError({"id_number": "统一社会信用代码与申请单位不一致。"})
        return legal_person.uscc
    if not value:
        raise ValidationError({"id_number": "请填写申请人的证件号码。"})
    try:
        return ric.validate(value)
    except StdnumError:
        try:
            return uscc.validate(value)
        except StdnumError as exc:
            raise ValidationError(
                {"id_number": "证件号码不正确：应为 18 位居民身份证号码或统一社会信用代码。"}
            ) from exc


def create_at_counter(
    *,
    implementation,
    staff,
    applicant_name,
    id_number,
    mobile,
    email="",
    legal_person=None,
    applicant=None,
    data,
    situation_codes=(),
    uploads=(),
    request=None,
):
    """One-window acceptance (一窗受理): counter staff (role ACCEPTOR, any department of the
    item's region or above) record a walk-in application. ``uploads`` is a list of
    ``(material_name, UploadedFile)``; the form is validated as for ``submit``; channel
    COUNTER, ``created_by`` staff. Returns ``(case, query_code)``.

    With ``legal_person`` the case is the legal person's (its name and credit code);
    ``applicant`` links an existing account, whose "my cases" then list it."""
    _check_counter_staff(staff, implementation)
    errors = {}
    name = (applicant_name or "").strip()
    if legal_person is not None:
        name = legal_person.name
    if not name:
        errors["applicant_name"] = ["请填写申请人姓名或名称。"]
    try:
        number = _check_id_number(id_number, legal_person)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    mobile = (mobile or "").strip()
    if not MOBILE_RE.match(mobile):
        errors["mobile"] = ["请填写 11 位手机号码。"]
    if errors:
        raise ValidationError(errors)
    _check_json(data)
    day = _today()
    with transaction.atomic():
        if not Implementation.objects.visible().filter(pk=implementation.pk).exists():
            raise ValidationError("该事项已暂停或取消办理，暂不接受申请。")
        case = Case(
            status=CaseStatus.DRAFT,
            applicant=applicant,
            legal_person=legal_person,
            channel=Channel.COUNTER,
            created_by=staff,
            applicant_name=name[:100],
            applicant_mobile=mobile,
            applicant_email=(email or "").strip(),
        )
        case.set_applicant_id_number(number)
        _snapshot_item(case, implementation)
        form = formdefs.ensure_form(implementation)
        case.form = form
        case.form_data = _check_form(form, data)
        case.situation_codes = _check_situations(implementation, situation_codes)
        case.save()
        requirements = {
            r.name: r
            for r in formdefs.required_materials(implementation, form, case.situation_codes)
        }
        for material_name, upload in uploads:
            requirement = requirements.get(material_name)
            if requirement is None:
                raise ValidationError({"uploads": f"办事指南中没有“{material_name}”这项材料。"})
            _store_upload(
                case, material_name, upload, user=staff, material_id=requirement.material_id
            )
        _check_materials(case, form)
        code = _open_submission(case, day)
        _event(case, EventKind.COUNTER_CREATED, staff, text="窗口收件。")
        _audit(
            events.CASE_CREATED_AT_COUNTER,
            actor=staff,
            case=case,
            request=request,
            detail={"item_code": case.item_code, "id_number": mask_id_number(number)},
        )
        _notice_after_commit(case, DocumentKind.RECEIPT, actor=staff)
        _notify_after_commit(case, EventKind.SUBMITTED, query_code=code)
    return case, code


# --- claiming ------------------------------------------------------------------------------


def claim(*, task, staff, request=None):
    """Take an open task (签收): assignee ``staff``, state CLAIMED."""
    with transaction.atomic():
        case = _lock_case(task.case_id)
        current = CaseTask.objects.get(pk=task.pk)
        _check_may_act(staff, current)
        if current.state == TaskState.CLAIMED:
            if current.assignee_id == staff.pk:
                raise TransitionError("你已签收该任务。")
            raise TransitionError("该任务已由他人签收。")
        if current.state != TaskState.OPEN:
            raise TransitionError("该任务已由他人办理。")
        current.state = TaskState.CLAIMED
        current.assignee = staff
        current.claimed_at = timezone.now()
        current.save(update_fields=["state", "assignee", "claimed_at"])
        _event(case, EventKind.CLAIMED, staff, task=current, text=current.name, visible=False)
        _audit(events.TASK_CLAIMED, actor=staff, case=case, request=request, detail=_t(current))
    _copy_into(task, current)
    return current


def release(*, task, staff, request=None):
    """Give a claimed task back to the queue (only its assignee, or a supervisor)."""
    with transaction.atomic():
        case = _lock_case(task.case_id)
        current = CaseTask.objects.get(pk=task.pk)
        if not _authenticated(staff):
            raise PermissionDenied("请先登录。")
        supervisor = (
            HallRole.SUPERVISOR in roles_of(staff) and staff.department_id == current.department_id
        )
        if current.state != TaskState.CLAIMED:
            if supervisor or current.department_id == staff.department_id:
                raise TransitionError("该任务未被签收。")
            raise PermissionDenied("你没有退回该任务的权限。")
        if current.assignee_id != staff.pk and not supervisor:
            raise PermissionDenied("只有签收人或本部门监察人员可以退回任务。")
        current.state = TaskState.OPEN
        current.assignee = None
        current.claimed_at = None
        current.save(update_fields=["state", "assignee", "claimed_at"])
        _event(case, EventKind.RELEASED, staff, task=current, text=current.name, visible=False)
        _audit(events.TASK_RELEASED, actor=staff, case=case, request=request, detail=_t(current))
    _copy_into(task, current)
    return current


def _t(task):
    return {"task": task.pk, "step": task.step, "department": task.department_id}


# --- acceptance ----------------------------------------------------------------------------


def accept(*, task, staff, request=None):
    """Accept (受理) at an ``accept`` task: status ACCEPTED, the case's statutory and
    promised clocks start; after commit the acceptance notice and notification."""
    day = _today()
    with transaction.atomic():
        case, current, others = _begin_task(task, staff, (Step.ACCEPT,), (CaseStatus.SUBMITTED,))
        _workflow, opened, active = _advance(case, current, staff, others, day, outcome="accepted")
        case.status = _status_from_tasks(case, active)
        if case.status == CaseStatus.SUBMITTED:
            case.status = CaseStatus.ACCEPTED
        case.accepted_at = timezone.now()
        clocks.on_accepted(case, day)
        case.save(update_fields=[*CASE_FIELDS_AFTER_STEP, "accepted_at"])
        _event(case, EventKind.ACCEPTED, staff, task=current, text="申请已受理。")
        _special_started(case, staff, opened, active)
        _audit(events.CASE_ACCEPTED, actor=staff, case=case, request=request, detail=_t(current))
        _notice_after_commit(case, DocumentKind.ACCEPTANCE_NOTICE, actor=staff)
        _notify_after_commit(case, EventKind.ACCEPTED)
    _copy_into(task, current)
    return case


def _open_correction(case):
    return case.corrections.filter(resubmitted_at__isnull=True).order_by("-round").first()


def _clean_correction_items(items):
    cleaned = []
    for item in items or ():
        if not isinstance(item, dict):
            continue
        material = str(item.get("material") or "").strip()
        reason = str(item.get("reason") or "").strip()
        if not material and not reason:
            continue
        if not material or not reason:
            raise ValidationError({"items": "每项补正内容都要写明材料名称和补正原因。"})
        cleaned.append({"material": material[:300], "reason": reason[:1000]})
    if not cleaned:
        raise ValidationError({"items": "请一次性列明需要补正的全部材料及原因。"})
    return cleaned


def request_correction(*, task, staff, items, note="", request=None):
    """One-time correction notice (一次性告知) at an ``accept`` task: ``items`` is a
    non-empty list of ``{"material": name, "reason": text}`` covering everything missing.
    Status CORRECTION, a ``CorrectionRequest`` round, clocks pause (reason CORRECTION); the
    task stays open. After commit the correction notice PDF and notification."""
    items = _clean_correction_items(items)
    day = _today()
    with transaction.atomic():
        case, current, _others = _begin_task(task, staff, (Step.ACCEPT,), (CaseStatus.SUBMITTED,))
        case.correction_rounds += 1
        correction = CorrectionRequest.objects.create(
            case=case,
            round=case.correction_rounds,
            items=items,
            note=(note or "").strip(),
            requested_by=staff,
        )
        case.status = CaseStatus.CORRECTION
        clocks.pause(case, PauseReason.CORRECTION, day)
        case.save(update_fields=["status", "correction_rounds", "updated_at"])
        _event(
            case,
            EventKind.CORRECTION_REQUESTED,
            staff,
            task=current,
            text="请按补正告知一次性补齐材料：" + "；".join(i["material"] for i in items),
            data={"round": correction.round, "items": items},
        )
        _audit(
            events.CORRECTION_REQUESTED,
            actor=staff,
            case=case,
            request=request,
            detail={"round": correction.round, "items": len(items)},
        )
        _notice_after_commit(
            case, DocumentKind.CORRECTION_NOTICE, actor=staff, correction=correction
        )
        _notify_after_commit(case, EventKind.CORRECTION_REQUESTED)
    _copy_into(task, current)
    return correction


def resubmit(*, case, user, data=None, request=None):
    """The applicant's corrected submission (after uploading files with ``add_material``):
    every listed material has a new file; status back to SUBMITTED, clocks resume from
    today, the round's ``resubmitted_at`` set."""
    if data is not None:
        _check_json(data)
    day = _today()
    with transaction.atomic():
        locked = _lock_case(case.pk)
        _check_applicant(user, locked)
        if locked.status != CaseStatus.CORRECTION:
            raise TransitionError("该办件当前不需要补正。")
        correction = _open_correction(locked)
        if correction is None:
            raise TransitionError("没有待补正的告知。")
        new_files = set(
            locked.materials.filter(
                correction_round=correction.round,
                superseded=False,
                scan_status__in=ACCEPTABLE_SCAN_STATUSES,
            ).values_list("material_name", flat=True)
        )
        known = set(locked.implementation.materials.values_list("name", flat=True)) | set(
            locked.materials.values_list("material_name", flat=True)
        )
        missing = [
            item["material"]
            for item in correction.items
            if item["material"] in known and item["material"] not in new_files
        ]
        if missing:
            raise ValidationError({"materials": [f"请上传补正的“{name}”。" for name in missing]})
        fields = ["status", "updated_at"]
        if data is not None:
            locked.form_data = _check_form(locked.form, data)
            fields.append("form_data")
        # The earlier files of every corrected material are superseded, not deleted.
        locked.materials.filter(
            material_name__in=new_files, correction_round__lt=correction.round
        ).update(superseded=True)
        correction.resubmitted_at = timezone.now()
        correction.save(update_fields=["resubmitted_at"])
        locked.status = CaseStatus.SUBMITTED
        clocks.resume(locked, day)
        locked.save(update_fields=fields)
        _event(locked, EventKind.RESUBMITTED, user, text="补正材料已提交，等待受理。")
        _audit(
            events.CASE_RESUBMITTED,
            actor=user,
            case=locked,
            request=request,
            detail={"round": correction.round},
        )
        _notify_after_commit(locked, EventKind.RESUBMITTED)
    _copy_into(case, locked)
    return locked


def _end_workflow(case, day, others):
    workflow = _load(case)
    engine.cancel(workflow)
    case.workflow_state = engine.dump(workflow)
    now = timezone.now()
    for other in others:
        other.state = TaskState.CANCELLED
        other.completed_at = now
        other.save(update_fields=["state", "completed_at"])
    clocks.stop_all(case, day)


def refuse(*, task, staff, reason, request=None):
    """Refuse to accept (不予受理) with the legal reason (required): the workflow is
    cancelled, tasks cancelled, clocks stopped, status REFUSED (final). After commit the
    refusal notice and notification."""
    reason = _require_text(reason, "reason", "请填写不予受理的理由及法律依据。")
    day = _today()
    with transaction.atomic():
        case, current, others = _begin_task(
            task,
            staff,
            (Step.ACCEPT, Step.HANDLE),
            (CaseStatus.SUBMITTED, CaseStatus.CORRECTION),
        )
        current.state = TaskState.DONE
        current.completed_at = timezone.now()
        current.completed_by = staff
        current.outcome = "refused"
        current.opinion = reason
        current.save(update_fields=["state", "completed_at", "completed_by", "outcome", "opinion"])
        _end_workflow(case, day, others)
        case.status = CaseStatus.REFUSED
        case.refusal_reason = reason
        case.completed_at = timezone.now()
        case.save(update_fields=[*CASE_FIELDS_AFTER_STEP, "refusal_reason", "completed_at"])
        _event(case, EventKind.REFUSED, staff, task=current, text=reason)
        _audit(events.CASE_REFUSED, actor=staff, case=case, request=request, detail=_t(current))
        _notice_after_commit(case, DocumentKind.REFUSAL_NOTICE, actor=staff)
        _notify_after_commit(case, EventKind.REFUSED)
    _copy_into(task, current)
    return case


# --- review, special procedures, decision, delivery ----------------------------------------

RUNNING = (CaseStatus.ACCEPTED, CaseStatus.SPECIAL)


def review(*, task, staff, opinion, comment="", request=None):
    """Record a review opinion (``ReviewOpinion``) at a ``review`` task and complete it;
    joint reviews run in parallel and the decision task opens when all are done."""
    if opinion not in ReviewOpinion.values:
        raise ValidationError({"opinion": "请选择审查意见（同意或不同意）。"})
    comment = (comment or "").strip()
    if opinion == ReviewOpinion.DISAGREE and not comment:
        raise ValidationError({"comment": "不同意的，请写明审查意见。"})
    day = _today()
    with transaction.atomic():
        case, current, others = _begin_task(task, staff, (Step.REVIEW,), RUNNING)
        _workflow, opened, active = _advance(
            case, current, staff, others, day, data={"opinion": opinion}, outcome=opinion,
            opinion=comment,
        )  # fmt: skip
        case.status = _status_from_tasks(case, active)
        case.save(update_fields=CASE_FIELDS_AFTER_STEP)
        _event(
            case,
            EventKind.REVIEWED,
            staff,
            task=current,
            text=f"{current.name}已完成。",
            data={"opinion": opinion},
        )
        _special_started(case, staff, opened, active)
        _audit(
            events.CASE_REVIEWED,
            actor=staff,
            case=case,
            request=request,
            detail={**_t(current), "opinion": opinion},
        )
    _copy_into(task, current)
    return case


def finish_special(*, task, staff, result, request=None):
    """Record the result of a special procedure (testing, expert review …) and complete
    its task; the clocks paused when the task opened resume."""
    result = _require_text(result, "result", "请填写特别程序的结果。")
    day = _today()
    with transaction.atomic():
        case, current, others = _begin_task(task, staff, (Step.SPECIAL,), RUNNING)
        _workflow, opened, active = _advance(
            case, current, staff, others, day, data={"special_result": result},
            outcome="finished", opinion=result,
        )  # fmt: skip
        case.status = _status_from_tasks(case, active)
        case.save(update_fields=CASE_FIELDS_AFTER_STEP)
        _event(case, EventKind.SPECIAL_FINISHED, staff, task=current, text=result)
        _special_started(case, staff, opened, active)
        _audit(events.SPECIAL_FINISHED, actor=staff, case=case, request=request, detail=_t(current))
    _copy_into(task, current)
    return case


def extend(*, case, staff, days, reason, request=None):
    """An approved extension of the statutory limit (by the lead department's decider):
    at most 10 working days (15 for joint approval), once."""
    reason = _require_text(reason, "reason", "请填写延长办理时限的理由。")
    try:
        days = int(days)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"days": "请填写延长的工作日数。"}) from exc
    day = _today()
    with transaction.atomic():
        locked = _lock_case(case.pk)
        if not _authenticated(staff):
            raise PermissionDenied("请先登录。")
        if HallRole.DECIDER not in roles_of(staff) or staff.department_id != locked.department_id:
            raise PermissionDenied("只有牵头部门的审批决定人员可以批准延长时限。")
        if locked.status not in RUNNING:
            raise TransitionError("只有受理后、作出决定前的办件可以延长时限。")
        joint = locked.process is not None and locked.process.template == ProcessTemplate.JOINT
        limit = MAX_JOINT_EXTENSION_DAYS if joint else MAX_EXTENSION_DAYS
        if not 1 <= days <= limit:
            raise ValidationError({"days": f"延长时限应为 1 至 {limit} 个工作日。"})
        if locked.events.filter(kind=EventKind.EXTENDED).exists():
            raise TransitionError("办理时限只能延长一次。")
        clocks.extend(locked, days, day)
        locked.save(update_fields=["updated_at"])
        _event(
            locked,
            EventKind.EXTENDED,
            staff,
            text=f"办理时限延长 {days} 个工作日。理由：{reason}",
            data={"days": days},
        )
        _audit(
            events.CASE_EXTENDED, actor=staff, case=locked, request=request, detail={"days": days}
        )
        _notify_after_commit(locked, EventKind.EXTENDED)
    _copy_into(case, locked)
    return locked


def _clean_decision(decision, reason):
    if decision not in (Decision.APPROVED, Decision.DENIED):
        raise ValidationError({"decision": "请选择决定（准予或不予）。"})
    reason = (reason or "").strip()
    if decision == Decision.DENIED and not reason:
        raise ValidationError({"reason": "不予许可的，应当说明理由。"})
    return reason


def _record_decision(case, current, staff, others, day, decision, reason):
    _workflow, _opened, active = _advance(
        case, current, staff, others, day, data={"decision": str(decision)},
        outcome=str(decision), opinion=reason,
    )  # fmt: skip
    case.decision = decision
    case.decision_reason = reason
    case.decided_at = timezone.now()
    if not active and engine.is_completed(_workflow):
        _complete_case(case, day)
    else:
        case.status = _status_from_tasks(case, active)
        if case.status in (CaseStatus.ACCEPTED, CaseStatus.SUBMITTED):
            case.status = CaseStatus.DECIDED
    return active


def _decide_at(task, staff, decision, reason, request, *, on_the_spot):
    """The decision at a ``decide`` task, or accepting and deciding at once at an
    on-the-spot ``handle`` task."""
    reason = _clean_decision(decision, reason)
    day = _today()
    if on_the_spot:
        steps, statuses = (Step.HANDLE,), (CaseStatus.SUBMITTED,)
    else:
        steps, statuses = (Step.DECIDE,), RUNNING
    with transaction.atomic():
        case, current, others = _begin_task(task, staff, steps, statuses)
        fields = [
            *CASE_FIELDS_AFTER_STEP,
            "decision",
            "decision_reason",
            "decided_at",
            "completed_at",
        ]
        if on_the_spot:
            case.accepted_at = timezone.now()
            fields.append("accepted_at")
        _record_decision(case, current, staff, others, day, decision, reason)
        case.save(update_fields=fields)
        label = Decision(decision).label
        detail = {"decision": str(decision)}
        if on_the_spot:
            detail["on_the_spot"] = True
        _event(
            case,
            EventKind.DECIDED,
            staff,
            task=current,
            text=(f"即时办理，决定：{label}。" if on_the_spot else f"决定：{label}。") + reason,
            data=detail,
        )
        _audit(
            events.CASE_DECIDED,
            actor=staff,
            case=case,
            request=request,
            detail={**_t(current), **detail},
        )
        _notice_after_commit(case, DocumentKind.DECISION, actor=staff)
        _notify_after_commit(case, EventKind.DECIDED)
    _copy_into(task, current)
    return case


def decide(*, task, staff, decision, reason, request=None):
    """Approve or deny (``Decision``) at a ``decide`` task, reasons required for a denial:
    status DECIDED; after commit the decision document and notification."""
    return _decide_at(task, staff, decision, reason, request, on_the_spot=False)


def handle_on_the_spot(*, task, staff, decision, reason="", request=None):
    """即办件: accept and decide at once at a ``handle`` task."""
    return _decide_at(task, staff, decision, reason, request, on_the_spot=True)


def deliver(*, task, staff, method, tracking_number="", address="", request=None):
    """Deliver the result (``catalog.constants.DeliveryMethod``: pick-up, post with a
    tracking number (required), electronic) and complete the case: status COMPLETED, every
    clock stopped."""
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": "请选择送达方式。"})
    tracking_number = (tracking_number or "").strip()
    address = (address or "").strip()
    if method == DeliveryMethod.POST and not tracking_number:
        raise ValidationError({"tracking_number": "邮政寄递的，请填写邮件单号。"})
    day = _today()
    with transaction.atomic():
        case, current, others = _begin_task(task, staff, (Step.DELIVER,), (CaseStatus.DECIDED,))
        workflow, _opened, active = _advance(
            case, current, staff, others, day, data={"delivery_method": str(method)},
            outcome=str(method),
        )  # fmt: skip
        case.delivery_method = str(method)
        case.tracking_number = tracking_number[:50]
        case.delivery_address = address
        if not active:
            _complete_case(case, day)
        else:
            case.status = _status_from_tasks(case, active)
        case.save(
            update_fields=[
                *CASE_FIELDS_AFTER_STEP,
                "delivery_method",
                "tracking_number",
                "delivery_address",
                "completed_at",
            ]
        )
        text = f"已送达（{DeliveryMethod(method).label}）"
        if tracking_number:
            text += f"，邮件单号 {tracking_number}"
        if case.status == CaseStatus.COMPLETED:
            text += "，办件已办结"
        _event(case, EventKind.DELIVERED, staff, task=current, text=text + "。")
        _audit(
            events.CASE_DELIVERED,
            actor=staff,
            case=case,
            request=request,
            detail={**_t(current), "method": str(method)},
        )
        _notify_after_commit(case, EventKind.DELIVERED)
    _copy_into(task, current)
    return case


# --- the applicant withdraws ---------------------------------------------------------------


def withdraw(*, case, user, reason="", request=None):
    """The applicant withdraws before a decision: workflow cancelled, tasks cancelled,
    clocks stopped, status WITHDRAWN."""
    day = _today()
    with transaction.atomic():
        locked = _lock_case(case.pk)
        _check_applicant(user, locked)
        if locked.status not in WITHDRAWABLE_STATUSES:
            raise TransitionError(f"办件当前状态为“{locked.get_status_display()}”，不能撤回。")
        others = list(locked.tasks.filter(state__in=ACTIVE_TASK_STATES))
        _end_workflow(locked, day, others)
        locked.status = CaseStatus.WITHDRAWN
        locked.withdrawal_reason = (reason or "").strip()
        locked.completed_at = timezone.now()
        locked.save(update_fields=[*CASE_FIELDS_AFTER_STEP, "withdrawal_reason", "completed_at"])
        _event(
            locked, EventKind.WITHDRAWN, user, text=locked.withdrawal_reason or "申请人撤回申请。"
        )
        _audit(events.CASE_WITHDRAWN, actor=user, case=locked, request=request)
        _notify_after_commit(locked, EventKind.WITHDRAWN)
    _copy_into(case, locked)
    return locked


# --- notes and documents -------------------------------------------------------------------


def _staff_sees(staff, case):
    from . import queries

    return queries.staff_cases(staff).filter(pk=case.pk).exists()


def comment(*, case, staff, text, request=None):
    """An internal note on the case's timeline (not shown to the applicant)."""
    text = _require_text(text, "text", "请填写备注内容。")
    with transaction.atomic():
        locked = _lock_case(case.pk)
        if not _authenticated(staff) or not _staff_sees(staff, locked):
            raise PermissionDenied("你无权处理该办件。")
        event = _event(locked, EventKind.COMMENTED, staff, text=text[:5000], visible=False)
        _audit(events.CASE_COMMENTED, actor=staff, case=locked, request=request)
    return event


def attach(*, case, staff, upload, title, visible_to_applicant=False, request=None):
    """Attach a document to the case (checked like materials). Returns the
    ``CaseDocument``."""
    title = _require_text(title, "title", "请填写附件标题。")
    with transaction.atomic():
        locked = _lock_case(case.pk)
        if not _authenticated(staff) or not _staff_sees(staff, locked):
            raise PermissionDenied("你无权处理该办件。")
        content_type, sha256, _result = _check_upload(upload)
        document = CaseDocument.objects.create(
            case=locked,
            kind=DocumentKind.ATTACHMENT,
            title=title[:200],
            file=upload,
            content_type=content_type,
            visible_to_applicant=bool(visible_to_applicant),
            created_by=staff,
        )
        _event(
            locked,
            EventKind.ATTACHED,
            staff,
            text=title[:200],
            data={"document": document.pk},
            visible=bool(visible_to_applicant),
        )
        _audit(
            events.DOCUMENT_ATTACHED,
            actor=staff,
            case=locked,
            request=request,
            detail={"document": document.pk, "sha256": sha256},
        )
    return document
