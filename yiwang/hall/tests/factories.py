"""Builders for hall tests: staff with hall roles, citizens at a real-name level, companies
with agents, implementations ready for online application with a process bound."""

from django.contrib.auth.models import Group

from yiwang.accounts.models import LegalPerson, User, UserKind
from yiwang.catalog.constants import LimitKind, OnlineDepth
from yiwang.catalog.tests.factories import make_department, make_implementation, next_number
from yiwang.hall.constants import HallRole, ProcessTemplate

__all__ = [
    "make_staff",
    "make_citizen",
    "make_company",
    "make_hall_implementation",
    "make_department",
]


def make_staff(department, *roles, username=None, display_name=None):
    """A staff member of ``department`` holding the given ``HallRole`` groups."""
    n = next_number()
    user = User.objects.create_user(
        username=username or f"staff{n}",
        kind=UserKind.STAFF,
        department=department,
        display_name=display_name or f"工作人员{n}",
        is_staff=True,
    )
    for role in roles:
        user.groups.add(Group.objects.get(name=HallRole(role).label))
    return user


def make_citizen(level=3, *, username=None, display_name="张三", mobile=None, email=""):
    n = next_number()
    return User.objects.create_user(
        username=username or f"citizen{n}",
        kind=UserKind.NATURAL,
        display_name=display_name,
        mobile=mobile or f"138{n:08d}",
        email=email,
        real_name_level=level,
    )


def make_company(*, name=None, administrator=None):
    from stdnum.cn import uscc

    n = next_number()
    body = f"91990100MA{n:07d}"[:17]
    company = LegalPerson.objects.create(
        name=name or f"示范企业{n}有限公司",
        uscc=body + uscc.calc_check_digit(body),
        legal_representative="王五",
    )
    return company


def make_hall_implementation(
    *,
    region,
    department,
    template=ProcessTemplate.STANDARD,
    joint_departments=(),
    actor=None,
    **fields,
):
    """A published implementation applied online, with ``template`` bound as its process
    and the default application form."""
    from yiwang.hall import formdefs, processes

    fields.setdefault("online_depth", OnlineDepth.FULLY_ONLINE)
    fields.setdefault("real_name_level", 3)
    if template == ProcessTemplate.ON_THE_SPOT:
        fields.setdefault("limit_kind", LimitKind.ON_THE_SPOT)
    implementation = make_implementation(region=region, department=department, **fields)
    parameters = {}
    if joint_departments:
        parameters["joint_departments"] = [d.pk for d in joint_departments]
    if template == ProcessTemplate.SPECIAL:
        parameters["special_name"] = "专家评审"
    processes.configure_process(
        implementation=implementation, template=template, parameters=parameters, actor=actor
    )
    formdefs.ensure_form(implementation)
    return implementation
