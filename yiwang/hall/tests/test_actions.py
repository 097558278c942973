"""The hall's transitions through the real actions, engine, clocks and notices: every
template to completion, correction rounds, refusal, withdrawal, invalid transitions, one
event and one audit row per transition, side effects only after commit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.core.models import AuditEvent
from yiwang.core.sms import RecordingSmsBackend
from yiwang.hall import actions, events, processes
from yiwang.hall.actions import TransitionError
from yiwang.hall.constants import (
    CaseStatus,
    DocumentKind,
    EventKind,
    ProcessTemplate,
    ScanStatus,
    Step,
    TaskState,
)
from yiwang.hall.models import Case, CaseEvent
from yiwang.hall.tests import casekit
from yiwang.hall.tests.casekit import (
    MATERIAL,
    make_draft,
    make_submitted,
    open_task,
    pdf_upload,
    valid_id_number,
    verified_citizen,
)

world = casekit.world  # the fixture

pytestmark = pytest.mark.django_db


class Counts:
    """Events and audit rows written since the last ``take``."""

    def __init__(self, case):
        self.case = case
        self.events = CaseEvent.objects.filter(case=case).count()
        self.audits = AuditEvent.objects.count()

    def take(self):
        new_events = list(
            CaseEvent.objects.filter(case=self.case)
            .order_by("pk")[self.events :]
            .values_list("kind", flat=True)
        )
        new_audits = list(
            AuditEvent.objects.order_by("sequence")[self.audits :].values_list("action", flat=True)
        )
        self.events += len(new_events)
        self.audits += len(new_audits)
        return new_events, new_audits


def running_clocks(case):
    return list(case.clocks.filter(stopped_on__isnull=True))


def test_standard_case_runs_to_completion_one_event_and_audit_row_each(
    world, django_capture_on_commit_callbacks
):
    implementation = world.implementation()
    citizen = verified_citizen(name="李四")
    case = make_draft(implementation, citizen)
    counts = Counts(case)
    with django_capture_on_commit_callbacks(execute=True):
        case, code = actions.submit(case=case, user=citizen)
    assert counts.take() == ([EventKind.SUBMITTED], [events.CASE_SUBMITTED])
    assert case.status == CaseStatus.SUBMITTED
    assert case.number.startswith("990102") and len(case.number) == 20
    assert len(code) == 8 and case.query_code_hash and code not in case.query_code_hash
    assert case.applicant_name == "李四"
    assert case.applicant_id_number() == citizen.test_id_number
    assert case.item_code == implementation.code and case.process is not None
    assert case.documents.filter(kind=DocumentKind.RECEIPT).exists()
    assert code in RecordingSmsBackend.last_to(citizen.mobile).text

    accept = open_task(case)
    assert (accept.step, accept.department_id, accept.role) == (
        Step.ACCEPT,
        world.lead.pk,
        "acceptor",
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.accept(task=accept, staff=world.acceptor)
    assert counts.take() == ([EventKind.ACCEPTED], [events.CASE_ACCEPTED])
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.accepted_at
    assert accept.state == TaskState.DONE  # the caller's object follows
    assert case.documents.filter(kind=DocumentKind.ACCEPTANCE_NOTICE).exists()
    assert {c.label for c in running_clocks(case)} >= {"办结"}

    actions.review(task=open_task(case, Step.REVIEW), staff=world.reviewer, opinion="agree")
    assert counts.take() == ([EventKind.REVIEWED], [events.CASE_REVIEWED])
    with django_capture_on_commit_callbacks(execute=True):
        actions.decide(
            task=open_task(case, Step.DECIDE), staff=world.decider, decision="approved", reason=""
        )
    assert counts.take() == ([EventKind.DECIDED], [events.CASE_DECIDED])
    case.refresh_from_db()
    assert (case.status, case.decision) == (CaseStatus.DECIDED, "approved")
    assert case.documents.filter(kind=DocumentKind.DECISION).exists()

    with django_capture_on_commit_callbacks(execute=True):
        actions.deliver(
            task=open_task(case, Step.DELIVER),
            staff=world.acceptor,
            method="post",
            tracking_number="EMS123",
        )
    assert counts.take() == ([EventKind.DELIVERED], [events.CASE_DELIVERED])
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.completed_at
    assert case.tracking_number == "EMS123"
    assert running_clocks(case) == []
    assert not case.tasks.filter(state__in=(TaskState.OPEN, TaskState.CLAIMED)).exists()


def test_joint_reviews_run_in_parallel_and_decide_waits_for_all(world):
    implementation = world.implementation(ProcessTemplate.JOINT)
    citizen = verified_citizen()
    case, _ = make_submitted(implementation, citizen)
    actions.accept(task=open_task(case), staff=world.acceptor)
    reviews = {t.department_id: t for t in case.tasks.filter(step=Step.REVIEW)}
    assert set(reviews) >= {world.joint_a.pk, world.joint_b.pk}
    # The joint department's reviewer cannot act on the other department's review.
    with pytest.raises(PermissionDenied):
        actions.review(task=reviews[world.joint_b.pk], staff=world.reviewer_a, opinion="agree")
    actions.review(task=reviews[world.joint_a.pk], staff=world.reviewer_a, opinion="agree")
    assert not case.tasks.filter(step=Step.DECIDE).exists()
    actions.review(
        task=reviews[world.joint_b.pk], staff=world.reviewer_b, opinion="disagree", comment="无证"
    )
    assert not case.tasks.filter(step=Step.DECIDE).exists()
    if world.lead.pk in reviews:  # the lead's own review, when the template has one
        actions.review(task=reviews[world.lead.pk], staff=world.reviewer, opinion="agree")
    decide = open_task(case, Step.DECIDE)
    assert decide.department_id == world.lead.pk
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    actions.decide(task=decide, staff=world.decider, decision="denied", reason="消防不合格。")
    case.refresh_from_db()
    # A denial is served too.
    assert (case.status, case.decision) == (CaseStatus.DECIDED, "denied")
    actions.deliver(task=open_task(case, Step.DELIVER), staff=world.acceptor, method="electronic")
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED


def test_special_procedure_pauses_the_clocks(world):
    implementation = world.implementation(ProcessTemplate.SPECIAL)
    case, _ = make_submitted(implementation, verified_citizen())
    actions.accept(task=open_task(case), staff=world.acceptor)
    counts = Counts(case)
    actions.review(task=open_task(case, Step.REVIEW), staff=world.reviewer, opinion="agree")
    assert counts.take() == (
        [EventKind.REVIEWED, EventKind.SPECIAL_STARTED],
        [events.CASE_REVIEWED],
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SPECIAL
    case_clocks = case.clocks.filter(task__isnull=True, stopped_on__isnull=True)
    assert case_clocks and all(c.paused_since is not None for c in case_clocks)
    special = open_task(case, Step.SPECIAL)
    with pytest.raises(ValidationError):
        actions.finish_special(task=special, staff=world.reviewer, result=" ")
    actions.finish_special(task=special, staff=world.reviewer, result="专家评审通过。")
    assert counts.take() == ([EventKind.SPECIAL_FINISHED], [events.SPECIAL_FINISHED])
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    case_clocks = case.clocks.filter(task__isnull=True, stopped_on__isnull=True)
    assert case_clocks and all(c.paused_since is None for c in case_clocks)
    actions.decide(
        task=open_task(case, Step.DECIDE), staff=world.decider, decision="approved", reason=""
    )
    actions.deliver(task=open_task(case, Step.DELIVER), staff=world.acceptor, method="pickup")
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED


def test_on_the_spot_case(world):
    implementation = world.implementation(ProcessTemplate.ON_THE_SPOT)
    case, _ = make_submitted(implementation, verified_citizen())
    handle = open_task(case)
    assert handle.step == Step.HANDLE
    with pytest.raises(TransitionError):
        actions.accept(task=handle, staff=world.acceptor)
    counts = Counts(case)
    actions.handle_on_the_spot(task=handle, staff=world.acceptor, decision="approved")
    assert counts.take() == ([EventKind.DECIDED], [events.CASE_DECIDED])
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.accepted_at and case.decided_at
    actions.deliver(task=open_task(case, Step.DELIVER), staff=world.acceptor, method="pickup")
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED


def test_correction_round(world, django_capture_on_commit_callbacks):
    implementation = world.implementation()
    citizen = verified_citizen()
    case, _ = make_submitted(implementation, citizen)
    accept = open_task(case)
    with pytest.raises(ValidationError) as error:
        actions.request_correction(task=accept, staff=world.acceptor, items=[])
    assert "items" in error.value.message_dict
    counts = Counts(case)
    with django_capture_on_commit_callbacks(execute=True):
        correction = actions.request_correction(
            task=accept,
            staff=world.acceptor,
            items=[{"material": MATERIAL, "reason": "复印件不清晰"}],
            note="请重新上传。",
        )
    assert counts.take() == ([EventKind.CORRECTION_REQUESTED], [events.CORRECTION_REQUESTED])
    case.refresh_from_db()
    assert (case.status, case.correction_rounds, correction.round) == (
        CaseStatus.CORRECTION,
        1,
        1,
    )
    assert case.documents.filter(kind=DocumentKind.CORRECTION_NOTICE).exists()
    assert all(c.paused_since is not None for c in running_clocks(case))
    accept.refresh_from_db()
    assert accept.state == TaskState.OPEN
    # Nothing can be accepted while the applicant corrects.
    with pytest.raises(TransitionError):
        actions.accept(task=accept, staff=world.acceptor)
    # The listed material needs a new file.
    with pytest.raises(ValidationError) as error:
        actions.resubmit(case=case, user=citizen)
    assert "materials" in error.value.message_dict
    with pytest.raises(ValidationError):
        actions.add_material(case=case, material_name="营业执照", upload=pdf_upload(), user=citizen)
    old = case.materials.get()
    new = actions.add_material(case=case, material_name=MATERIAL, upload=pdf_upload(), user=citizen)
    assert new.correction_round == 1
    counts.take()
    actions.resubmit(case=case, user=citizen)
    assert counts.take() == ([EventKind.RESUBMITTED], [events.CASE_RESUBMITTED])
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    old.refresh_from_db()
    assert old.superseded and case.materials.filter(superseded=False).get() == new
    assert all(c.paused_since is None for c in running_clocks(case))
    correction.refresh_from_db()
    assert correction.resubmitted_at is not None
    actions.accept(task=accept, staff=world.acceptor)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_refusal_is_final(world, django_capture_on_commit_callbacks):
    case, _ = make_submitted(world.implementation(), verified_citizen())
    accept = open_task(case)
    with pytest.raises(ValidationError) as error:
        actions.refuse(task=accept, staff=world.acceptor, reason="")
    assert "reason" in error.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        actions.refuse(task=accept, staff=world.acceptor, reason="不属于本机关职权范围。")
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUSED and case.refusal_reason
    assert running_clocks(case) == []
    assert case.documents.filter(kind=DocumentKind.REFUSAL_NOTICE).exists()
    with pytest.raises(TransitionError):
        actions.accept(task=accept, staff=world.acceptor)
    with pytest.raises(TransitionError):
        actions.withdraw(case=case, user=case.applicant)


def test_withdrawal_before_decision_only(world):
    citizen = verified_citizen()
    case, _ = make_submitted(world.implementation(), citizen)
    actions.accept(task=open_task(case), staff=world.acceptor)
    other = verified_citizen()
    with pytest.raises(PermissionDenied):
        actions.withdraw(case=case, user=other)
    counts = Counts(case)
    actions.withdraw(case=case, user=citizen, reason="不需要了")
    assert counts.take() == ([EventKind.WITHDRAWN], [events.CASE_WITHDRAWN])
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert running_clocks(case) == []
    assert not case.tasks.filter(state__in=(TaskState.OPEN, TaskState.CLAIMED)).exists()

    decided, _ = make_submitted(world.implementation(), citizen)
    actions.accept(task=open_task(decided), staff=world.acceptor)
    actions.review(task=open_task(decided), staff=world.reviewer, opinion="agree")
    actions.decide(task=open_task(decided), staff=world.decider, decision="approved", reason="")
    with pytest.raises(TransitionError):
        actions.withdraw(case=decided, user=citizen)


def test_invalid_transitions(world):
    citizen = verified_citizen()
    case, _ = make_submitted(world.implementation(), citizen)
    accept = open_task(case)
    # Wrong step for the action, wrong role for the task.
    with pytest.raises(TransitionError):
        actions.decide(task=accept, staff=world.acceptor, decision="approved", reason="")
    with pytest.raises(PermissionDenied):
        actions.accept(task=accept, staff=world.reviewer)
    with pytest.raises(TransitionError):
        actions.submit(case=case, user=citizen)
    # Two staff accept the same task: one wins, the other is told.
    second = type(accept).objects.get(pk=accept.pk)
    colleague = world.acceptor.__class__.objects.get(pk=world.acceptor.pk)
    actions.accept(task=accept, staff=world.acceptor)
    with pytest.raises(TransitionError, match="该任务已由他人办理"):
        actions.accept(task=second, staff=colleague)
    review = open_task(case)
    with pytest.raises(ValidationError):
        actions.review(task=review, staff=world.reviewer, opinion="maybe")
    with pytest.raises(ValidationError):
        actions.review(task=review, staff=world.reviewer, opinion="disagree", comment="")
    actions.review(task=review, staff=world.reviewer, opinion="agree")
    decide = open_task(case)
    with pytest.raises(ValidationError) as error:
        actions.decide(task=decide, staff=world.decider, decision="denied", reason="")
    assert "reason" in error.value.message_dict
    actions.decide(task=decide, staff=world.decider, decision="approved", reason="")
    with pytest.raises(ValidationError) as error:
        actions.deliver(task=open_task(case), staff=world.acceptor, method="post")
    assert "tracking_number" in error.value.message_dict
    # Nothing was lost by the errors.
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED


def test_claim_and_release(world):
    case, _ = make_submitted(world.implementation(), verified_citizen())
    accept = open_task(case)
    colleague = type(world.acceptor).objects.create_user(
        username="colleague", kind="staff", department=world.lead, is_staff=True
    )
    colleague.groups.set(world.acceptor.groups.all())
    counts = Counts(case)
    actions.claim(task=accept, staff=world.acceptor)
    assert counts.take() == ([EventKind.CLAIMED], [events.TASK_CLAIMED])
    assert (accept.state, accept.assignee_id) == (TaskState.CLAIMED, world.acceptor.pk)
    with pytest.raises(TransitionError):
        actions.claim(task=accept, staff=colleague)
    with pytest.raises(TransitionError):
        actions.accept(task=accept, staff=colleague)
    with pytest.raises(PermissionDenied):
        actions.release(task=accept, staff=colleague)
    actions.release(task=accept, staff=world.supervisor)
    assert counts.take() == ([EventKind.RELEASED], [events.TASK_RELEASED])
    actions.claim(task=accept, staff=colleague)
    actions.accept(task=accept, staff=colleague)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_extension_once_within_the_limit(world):
    case, _ = make_submitted(world.implementation(), verified_citizen())
    with pytest.raises(TransitionError):
        actions.extend(case=case, staff=world.decider, days=5, reason="复杂")
    actions.accept(task=open_task(case), staff=world.acceptor)
    statutory = case.clocks.get(task__isnull=True, kind="statutory")
    with pytest.raises(PermissionDenied):
        actions.extend(case=case, staff=world.reviewer, days=5, reason="复杂")
    with pytest.raises(ValidationError):
        actions.extend(case=case, staff=world.decider, days=11, reason="复杂")
    counts = Counts(case)
    actions.extend(case=case, staff=world.decider, days=10, reason="情况复杂")
    assert counts.take() == ([EventKind.EXTENDED], [events.CASE_EXTENDED])
    statutory.refresh_from_db()
    assert statutory.extension_days == 10
    with pytest.raises(TransitionError):
        actions.extend(case=case, staff=world.decider, days=1, reason="再延")


def test_side_effects_only_after_commit(world, django_capture_on_commit_callbacks):
    citizen = verified_citizen()
    case = make_draft(world.implementation(), citizen)
    RecordingSmsBackend.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case, _ = actions.submit(case=case, user=citizen)
        assert RecordingSmsBackend.outbox == []
        assert not case.documents.exists()
    assert callbacks
    for callback in callbacks:
        callback()
    assert case.documents.filter(kind=DocumentKind.RECEIPT).exists()
    assert RecordingSmsBackend.last_to(citizen.mobile) is not None


def test_running_case_stays_on_its_process_version(world):
    implementation = world.implementation()
    case, _ = make_submitted(implementation, verified_citizen())
    first = case.process
    actions.accept(task=open_task(case), staff=world.acceptor)
    second = processes.configure_process(
        implementation=implementation,
        template=ProcessTemplate.JOINT,
        parameters={"joint_departments": [world.joint_a.pk]},
        actor=None,
    )
    assert second.version == first.version + 1
    actions.review(task=open_task(case), staff=world.reviewer, opinion="agree")
    actions.decide(task=open_task(case), staff=world.decider, decision="approved", reason="")
    actions.deliver(task=open_task(case), staff=world.acceptor, method="pickup")
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.process_id == first.pk
    newer, _ = make_submitted(implementation, verified_citizen())
    assert newer.process_id == second.pk


def test_submission_checks(world, settings):
    implementation = world.implementation()
    low = verified_citizen(level=2)
    with pytest.raises(PermissionDenied):
        make_draft(implementation, low, with_material=False)
    citizen = verified_citizen()
    # Form errors come back keyed by field; the draft is kept.
    case = make_draft(implementation, citizen, mobile="123")
    with pytest.raises(ValidationError) as error:
        actions.submit(case=case, user=citizen)
    assert "mobile" in error.value.message_dict
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT and case.form_data["mobile"] == "123"
    # Required materials.
    case = make_draft(implementation, citizen, with_material=False)
    with pytest.raises(ValidationError) as error:
        actions.submit(case=case, user=citizen)
    assert "materials" in error.value.message_dict
    # Somebody else's draft.
    with pytest.raises(PermissionDenied):
        actions.submit(case=case, user=verified_citizen())
    # An infected file is refused and not kept.
    settings.HALL_SCANNER = "yiwang.hall.scanning.RecordingScanner"
    eicar = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    with pytest.raises(ValidationError) as error:
        actions.add_material(
            case=case,
            material_name=MATERIAL,
            upload=pdf_upload(content=b"%PDF-1.4\n" + eicar),
            user=citizen,
        )
    assert "upload" in error.value.message_dict
    assert not case.materials.exists()
    material = actions.add_material(
        case=case, material_name=MATERIAL, upload=pdf_upload(), user=citizen
    )
    assert material.scan_status == ScanStatus.CLEAN
    actions.remove_material(material=material, user=citizen)
    assert not case.materials.exists()
    # Online depth and accepting.
    guide_only = world.implementation(online_depth=2)
    with pytest.raises(ValidationError):
        make_draft(guide_only, citizen, with_material=False)
    implementation.hall_setup.accepting = False
    implementation.hall_setup.save()
    with pytest.raises(ValidationError):
        actions.save_draft(implementation=implementation, user=citizen, data={})
    with pytest.raises(ValidationError):
        actions.submit(case=case, user=citizen)


def test_applying_for_a_legal_person(world):
    from yiwang.accounts.models import AgentAuthorization
    from yiwang.hall.tests.factories import make_company

    implementation = world.implementation(audience="both")
    agent = verified_citizen(name="王经办")
    company = make_company()
    with pytest.raises(PermissionDenied):
        make_draft(implementation, agent, legal_person=company, with_material=False)
    AgentAuthorization.objects.create(legal_person=company, agent=agent)
    case, _ = make_submitted(implementation, agent, legal_person=company)
    assert case.acting_role == "agent"
    assert case.applicant_name == company.name
    assert case.applicant_id_number() == company.uscc


def test_the_items_audience_decides_who_may_apply(world):
    from yiwang.accounts.models import AgentAuthorization
    from yiwang.hall.tests.factories import make_company

    agent = verified_citizen(name="王经办")
    company = make_company()
    AgentAuthorization.objects.create(legal_person=company, agent=agent)
    for_companies = world.implementation(audience="legal_person")
    with pytest.raises(ValidationError) as caught:
        make_draft(for_companies, agent, with_material=False)
    assert "面向法人办理" in caught.value.messages[0]
    for_people = world.implementation(audience="individual")
    with pytest.raises(ValidationError) as caught:
        make_draft(for_people, agent, legal_person=company, with_material=False)
    assert "面向自然人办理" in caught.value.messages[0]
    assert make_draft(for_companies, agent, legal_person=company, with_material=False).pk
    assert make_draft(for_people, agent, with_material=False).pk


def test_counter_acceptance(world, regions):
    from yiwang.hall.tests.factories import make_department, make_staff

    implementation = world.implementation()
    centre_acceptor = make_staff(world.centre, "acceptor")
    city_acceptor = make_staff(make_department(regions["city"]), "acceptor")
    number = valid_id_number()
    data = {
        "name": "赵六",
        "id_number": number,
        "mobile": "13900000001",
        "reason": "窗口申请。",
    }
    kwargs = dict(
        implementation=implementation,
        applicant_name="赵六",
        id_number=number,
        mobile="13900000001",
        data=data,
    )
    with pytest.raises(PermissionDenied):
        actions.create_at_counter(staff=world.other_acceptor, uploads=[], **kwargs)
    with pytest.raises(PermissionDenied):
        actions.create_at_counter(staff=world.reviewer, uploads=[], **kwargs)
    with pytest.raises(ValidationError):
        actions.create_at_counter(staff=centre_acceptor, uploads=[], **{**kwargs, "mobile": "1"})
    for staff in (centre_acceptor, city_acceptor):
        case, code = actions.create_at_counter(
            staff=staff, uploads=[(MATERIAL, pdf_upload())], **kwargs
        )
        assert (case.status, case.channel, case.created_by_id) == (
            CaseStatus.SUBMITTED,
            "counter",
            staff.pk,
        )
        assert case.events.get().kind == EventKind.COUNTER_CREATED
        assert open_task(case).step == Step.ACCEPT
    assert Case.objects.filter(channel="counter").count() == 2


def jsonb_order(value):
    """JSON as PostgreSQL's jsonb gives it back: object keys sorted by length, then bytes."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return {k: jsonb_order(value[k]) for k in keys}
    if isinstance(value, list):
        return [jsonb_order(item) for item in value]
    return value


def test_a_workflow_state_with_reordered_keys_still_runs(world):
    """Regression: SpiffWorkflow restores a task's parent first; jsonb's key order broke
    the joint review's multi-instance on PostgreSQL."""
    case, _ = make_submitted(world.implementation(ProcessTemplate.JOINT), verified_citizen())
    Case.objects.filter(pk=case.pk).update(workflow_state=jsonb_order(case.workflow_state))
    actions.accept(task=open_task(case), staff=world.acceptor)
    departments = {t.department_id for t in case.tasks.filter(step=Step.REVIEW)}
    assert {world.joint_a.pk, world.joint_b.pk} <= departments
