"""Reads that cross a permission boundary (CONTRACT — owner: helper "actions").

The access rule: an applicant sees their own cases (the account that applied, or the
legal person's administrators/agents via ``accounts.queries.acting_role``); staff see and act
on a case only while their department has an open task on it; supervisors
(``HallRole.SUPERVISOR``) see every case their department has or had a task on; nobody
else — configuration administrators included — sees a case.

Precisely, for staff: a member of the department holding any hall role but the
configuration administrator's sees the case while the department has an open (or claimed)
task on it, and acts only on the tasks whose role they hold (an open task, or one they
claimed). A supervisor also sees the cases their department leads or has or had a task
on, in any state, but acts on no task by that role alone. Drafts are the applicant's only.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from yiwang.accounts import queries as account_queries

from . import numbers
from .constants import ACTIVE_TASK_STATES, CaseStatus, HallRole, TaskState
from .models import Case, CaseEvent, CaseTask, Clock
from .roles import roles_of

STAFF_ROLES = frozenset(HallRole) - {HallRole.ADMINISTRATOR}


@dataclass
class CaseAccess:
    can_view: bool = False
    as_applicant: bool = False
    as_supervisor: bool = False
    # The open tasks of the case that this user may act on now.
    tasks: list = field(default_factory=list)


def _active(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def _legal_person_match(user, case, legal_person):
    """Whether ``user`` stands for the case's legal person: acting for it in this request
    (``legal_person``), or its own account."""
    if case.legal_person_id is None:
        return False
    acting_for_it = legal_person is not None and legal_person.pk == case.legal_person_id
    own_account = getattr(user, "legal_person_id", None) == case.legal_person_id
    if not (acting_for_it or own_account):
        return False
    return account_queries.acting_role(user, case.legal_person, own_account_counts=True) is not None


def is_applicant(user, case, *, legal_person=None):
    if not _active(user):
        return False
    if case.applicant_id is not None and case.applicant_id == user.pk:
        return True
    return _legal_person_match(user, case, legal_person)


def _staff_roles(user):
    if getattr(user, "department_id", None) is None:
        return frozenset()
    return roles_of(user) & STAFF_ROLES


def case_access(user, case, *, legal_person=None):
    """What ``user`` may do with ``case`` (``legal_person``: the one the request acts for)."""
    access = CaseAccess()
    if not _active(user):
        return access
    if is_applicant(user, case, legal_person=legal_person):
        access.can_view = True
        access.as_applicant = True
    roles = _staff_roles(user)
    if not roles or case.status == CaseStatus.DRAFT:
        return access
    department = user.department_id
    tasks = list(case.tasks.filter(department_id=department))
    active = [t for t in tasks if t.state in ACTIVE_TASK_STATES]
    if active:
        access.can_view = True
        access.tasks = [
            t
            for t in active
            if HallRole(t.role) in roles and (t.state == TaskState.OPEN or t.assignee_id == user.pk)
        ]
    if HallRole.SUPERVISOR in roles and (tasks or case.department_id == department):
        access.can_view = True
        access.as_supervisor = True
    return access


def staff_cases(user):
    """The cases a staff member may open (a queryset)."""
    if not _active(user):
        return Case.objects.none()
    roles = _staff_roles(user)
    if not roles:
        return Case.objects.none()
    department = user.department_id
    visible = Q(
        pk__in=CaseTask.objects.filter(
            department_id=department, state__in=ACTIVE_TASK_STATES
        ).values("case_id")
    )
    if HallRole.SUPERVISOR in roles:
        visible |= Q(department_id=department) | Q(
            pk__in=CaseTask.objects.filter(department_id=department).values("case_id")
        )
    return Case.objects.filter(visible).exclude(status=CaseStatus.DRAFT)


def queue(user, *, step=None, mine=False):
    """Open tasks for ``user``: their department's, for the roles they hold (``mine``: only
    those claimed by them), oldest first, with case and due dates prefetched."""
    if not _active(user):
        return CaseTask.objects.none()
    roles = _staff_roles(user) - {HallRole.SUPERVISOR}
    if not roles:
        return CaseTask.objects.none()
    tasks = CaseTask.objects.filter(
        department_id=user.department_id,
        role__in=[role.value for role in roles],
        state__in=ACTIVE_TASK_STATES,
    )
    if mine:
        tasks = tasks.filter(state=TaskState.CLAIMED, assignee=user)
    if step:
        tasks = tasks.filter(step=step)
    running = Clock.objects.filter(stopped_on__isnull=True).order_by("due_date")
    return (
        tasks.select_related("case", "assignee")
        .prefetch_related(
            Prefetch("clocks", queryset=running),
            Prefetch("case__clocks", queryset=running.filter(task__isnull=True)),
        )
        .order_by("created_at", "pk")
    )


def my_cases(user, *, legal_person=None):
    """The cases (drafts included) of the applicant, newest first.

    Acting for ``legal_person``: its cases (whoever of its people applied); otherwise the
    user's own personal cases."""
    if not _active(user):
        return Case.objects.none()
    if legal_person is not None:
        if account_queries.acting_role(user, legal_person, own_account_counts=True) is None:
            return Case.objects.none()
        cases = Case.objects.filter(legal_person=legal_person)
    elif getattr(user, "legal_person_id", None) is not None:
        cases = Case.objects.filter(Q(applicant=user) | Q(legal_person_id=user.legal_person_id))
    else:
        cases = Case.objects.filter(applicant=user, legal_person__isnull=True)
    return cases.select_related("implementation").order_by("-created_at", "-pk")


def lookup(number, query_code):
    """The case with this number and query code (compared in constant time), or None."""
    number = "".join((number or "").split())
    if not number or not query_code:
        return None
    case = Case.objects.filter(number=number).exclude(status=CaseStatus.DRAFT).first()
    if case is None:
        # Same work either way, so timing does not tell whether the number exists.
        numbers.query_code_hash(number, query_code)
        return None
    return case if numbers.query_code_matches(case, query_code) else None


def timeline(case, *, for_applicant):
    """The case's events in order (internal notes left out for the applicant)."""
    events = CaseEvent.objects.filter(case=case).select_related("department", "task")
    if for_applicant:
        events = events.filter(visible_to_applicant=True)
    return events.order_by("at", "pk")
