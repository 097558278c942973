"""Builders of the supervision tests: cases with clocks on chosen days (no engine), and the
people of the scope matrix."""

from django.contrib.auth.models import Group

from yiwang.accounts.models import User, UserKind
from yiwang.catalog.tests.factories import make_department, next_number
from yiwang.hall import clocks
from yiwang.hall.constants import ClockKind, Step
from yiwang.hall.tests.test_clocks import make_case, make_task
from yiwang.supervision.roles import DEPARTMENT_HEAD, REGIONAL_SUPERVISOR

__all__ = ["make_case", "make_task", "case_clock", "step_clock", "person", "make_department"]


def case_clock(case, start, limit, *, kind=ClockKind.PROMISED):
    return clocks.start(case=case, kind=kind, label="办结", limit_days=limit, start_date=start)


def step_clock(case, start, *, step=Step.ACCEPT, department=None):
    """An acceptance task (5 working days) opened on ``start``; returns (task, clock)."""
    task = make_task(case, step)
    if department is not None:
        task.department = department
        task.save(update_fields=["department"])
    clocks.on_task_opened(task, start, new=True)
    return task, task.clocks.get()


def person(department, *groups, superuser=False, mobile="", email=""):
    n = next_number()
    user = User.objects.create_user(
        username=f"sv{n}",
        kind=UserKind.STAFF,
        department=department,
        display_name=f"监察{n}",
        is_staff=True,
        is_superuser=superuser,
        mobile=mobile,
        email=email,
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def regional_supervisor(department, **kwargs):
    return person(department, REGIONAL_SUPERVISOR, **kwargs)


def department_head(department, **kwargs):
    return person(department, DEPARTMENT_HEAD, **kwargs)
