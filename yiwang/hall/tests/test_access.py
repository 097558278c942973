"""The authorization matrix at query level and for every staff action: who sees a case,
who acts on which task, and that nobody else — configuration administrators included —
does."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from yiwang.hall import actions, queries
from yiwang.hall.constants import EventKind, HallRole, Step
from yiwang.hall.tests import casekit
from yiwang.hall.tests.casekit import make_submitted, open_task, verified_citizen
from yiwang.hall.tests.factories import make_staff

pytestmark = pytest.mark.django_db

world = casekit.world  # the fixture


@pytest.fixture
def people(world):
    citizen = verified_citizen()
    case, code = make_submitted(world.implementation(), citizen)
    actions.accept(task=open_task(case), staff=world.acceptor)
    return {
        "case": case,
        "code": code,
        "applicant": citizen,
        "other_citizen": verified_citizen(name="路人"),
        "reviewer": world.reviewer,  # right department, right role
        "acceptor": world.acceptor,  # right department, wrong role
        "decider": world.decider,
        "wrong_department": world.reviewer_a,
        "supervisor": world.supervisor,
        "other_supervisor": make_staff(world.joint_a, HallRole.SUPERVISOR),
        "administrator": make_staff(world.lead, HallRole.ADMINISTRATOR),
        "anonymous": AnonymousUser(),
    }


# who: (can_view, as_applicant, as_supervisor, may act on the review task)
MATRIX = {
    "applicant": (True, True, False, False),
    "other_citizen": (False, False, False, False),
    "reviewer": (True, False, False, True),
    "acceptor": (True, False, False, False),
    "decider": (True, False, False, False),
    "wrong_department": (False, False, False, False),
    "supervisor": (True, False, True, False),
    "other_supervisor": (False, False, False, False),
    "administrator": (False, False, False, False),
    "anonymous": (False, False, False, False),
}


@pytest.mark.parametrize("who", MATRIX)
def test_view_and_act_matrix(people, who):
    case, user = people["case"], people[who]
    review = open_task(case, Step.REVIEW)
    access = queries.case_access(user, case)
    can_view, as_applicant, as_supervisor, acts = MATRIX[who]
    assert (access.can_view, access.as_applicant, access.as_supervisor) == (
        can_view,
        as_applicant,
        as_supervisor,
    )
    assert [t.pk for t in access.tasks] == ([review.pk] if acts else [])
    assert (case in queries.staff_cases(user)) == (can_view and not as_applicant)
    assert (review in queries.queue(user)) == acts
    if acts:
        actions.review(task=review, staff=user, opinion="agree")
        return
    # Every staff action on the review task (and the others) is refused.
    for call in (
        lambda: actions.review(task=review, staff=user, opinion="agree"),
        lambda: actions.claim(task=review, staff=user),
        lambda: actions.accept(task=review, staff=user),
        lambda: actions.decide(task=review, staff=user, decision="approved", reason=""),
        lambda: actions.refuse(task=review, staff=user, reason="无"),
        lambda: actions.finish_special(task=review, staff=user, result="x"),
        lambda: actions.deliver(task=review, staff=user, method="pickup"),
        lambda: actions.handle_on_the_spot(task=review, staff=user, decision="approved"),
        lambda: actions.request_correction(
            task=review, staff=user, items=[{"material": "a", "reason": "b"}]
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    if not can_view or as_applicant:  # staff who see the case may add a note
        with pytest.raises(PermissionDenied):
            actions.comment(case=case, staff=user, text="备注")
    if who != "decider":
        with pytest.raises(PermissionDenied):
            actions.extend(case=case, staff=user, days=1, reason="复杂")
    if who != "applicant":
        with pytest.raises(PermissionDenied):
            actions.withdraw(case=case, user=user)


def test_staff_lose_sight_when_their_task_is_done_supervisors_keep_it(people, world):
    case = people["case"]
    actions.review(task=open_task(case), staff=world.reviewer, opinion="agree")
    actions.decide(task=open_task(case), staff=world.decider, decision="approved", reason="")
    actions.deliver(task=open_task(case), staff=world.acceptor, method="pickup")
    for who in ("reviewer", "acceptor", "decider"):
        assert not queries.case_access(people[who], case).can_view
        assert not queries.staff_cases(people[who]).filter(pk=case.pk).exists()
    assert queries.case_access(world.supervisor, case).as_supervisor
    assert queries.staff_cases(world.supervisor).filter(pk=case.pk).exists()
    assert queries.case_access(people["applicant"], case).can_view


def test_joint_department_sees_the_case_while_reviewing(world):
    case, _ = make_submitted(world.implementation("joint"), verified_citizen())
    assert not queries.case_access(world.reviewer_a, case).can_view
    actions.accept(task=open_task(case), staff=world.acceptor)
    access = queries.case_access(world.reviewer_a, case)
    assert access.can_view and [t.department_id for t in access.tasks] == [world.joint_a.pk]
    joint_supervisor = make_staff(world.joint_a, HallRole.SUPERVISOR)
    actions.review(task=access.tasks[0], staff=world.reviewer_a, opinion="agree")
    assert not queries.case_access(world.reviewer_a, case).can_view
    # The joint department's supervisor: the department had a task.
    assert queries.case_access(joint_supervisor, case).as_supervisor


def test_comment_is_internal_and_claimed_tasks_belong_to_their_assignee(people, world):
    case = people["case"]
    actions.comment(case=case, staff=world.acceptor, text="内部备注")
    assert EventKind.COMMENTED not in [e.kind for e in queries.timeline(case, for_applicant=True)]
    assert EventKind.COMMENTED in [e.kind for e in queries.timeline(case, for_applicant=False)]
    review = open_task(case)
    colleague = make_staff(world.lead, HallRole.REVIEWER)
    actions.claim(task=review, staff=colleague)
    assert queries.case_access(world.reviewer, case).tasks == []
    assert [t.pk for t in queries.queue(colleague, mine=True)] == [review.pk]
    assert list(queries.queue(world.reviewer, mine=True)) == []


def test_lookup_and_my_cases(people, world):
    case, code, applicant = people["case"], people["code"], people["applicant"]
    assert queries.lookup(case.number, code) == case
    assert queries.lookup(case.number, code.lower()) == case
    assert queries.lookup(case.number, "AAAAAAAA") is None
    assert queries.lookup("990102000000000000", code) is None
    assert queries.lookup("", "") is None
    assert list(queries.my_cases(applicant)) == [case]
    assert list(queries.my_cases(people["other_citizen"])) == []
    assert list(queries.my_cases(AnonymousUser())) == []


def test_a_legal_persons_people_see_its_cases(world):
    from yiwang.accounts.models import AgentAuthorization
    from yiwang.hall.tests.factories import make_company

    company = make_company()
    agent, administrator = verified_citizen(name="经办人"), verified_citizen(name="管理员")
    company.administrator = administrator
    company.save()
    AgentAuthorization.objects.create(legal_person=company, agent=agent)
    implementation = world.implementation(audience="both")
    case, _ = make_submitted(implementation, agent, legal_person=company)
    access = queries.case_access(administrator, case, legal_person=company)
    assert access.can_view and access.as_applicant
    # Not while acting as themselves.
    assert not queries.case_access(administrator, case).can_view
    assert list(queries.my_cases(administrator, legal_person=company)) == [case]
    assert list(queries.my_cases(administrator)) == []
    outsider = verified_citizen()
    assert list(queries.my_cases(outsider, legal_person=company)) == []
    assert not queries.case_access(outsider, case, legal_person=company).can_view
