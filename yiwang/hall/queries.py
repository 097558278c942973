"""Reads that cross a permission boundary (CONTRACT — owner: helper "actions").

The access rule: an applicant sees their own cases (the account that applied, or the
legal person's administrators/agents via ``accounts.queries.acting_role``); staff see and act
on a case only while their department has an open task on it; supervisors
(``HallRole.SUPERVISOR``) see every case their department has or had a task on; nobody
else — configuration administrators included — sees a case.
"""

from dataclasses import dataclass, field


@dataclass
class CaseAccess:
    can_view: bool = False
    as_applicant: bool = False
    as_supervisor: bool = False
    # The open tasks of the case that this user may act on now.
    tasks: list = field(default_factory=list)


def case_access(user, case, *, legal_person=None):
    """What ``user`` may do with ``case`` (``legal_person``: the one the request acts for)."""
    raise NotImplementedError


def staff_cases(user):
    """The cases a staff member may open (a queryset)."""
    raise NotImplementedError


def queue(user, *, step=None, mine=False):
    """Open tasks for ``user``: their department's, for the roles they hold (``mine``: only
    those claimed by them), oldest first, with case and due dates prefetched."""
    raise NotImplementedError


def my_cases(user, *, legal_person=None):
    """The cases (drafts included) of the applicant, newest first."""
    raise NotImplementedError


def lookup(number, query_code):
    """The case with this number and query code (compared in constant time), or None."""
    raise NotImplementedError


def timeline(case, *, for_applicant):
    """The case's events in order (internal notes left out for the applicant)."""
    raise NotImplementedError
