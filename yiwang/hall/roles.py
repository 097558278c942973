"""The hall's staff roles as Django groups (names from ``constants.HallRole``), created by
migration ``0002_hall_groups``. A staff member acts for ``user.department``; supervisors see
every case their department has worked on; the configuration administrator edits forms and
processes but does not read cases."""

from functools import lru_cache

from .constants import STEP_ROLE, HallRole


def group_name(role):
    return HallRole(role).label


@lru_cache(maxsize=1)
def _names_to_roles():
    return {role.label: role for role in HallRole}


def roles_of(user):
    """The hall roles ``user`` holds (a frozenset of ``HallRole``); none for anonymous or
    inactive users and users without a department (configuration administrators excepted).
    Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_hall_roles", None)
    if cached is None:
        names = _names_to_roles()
        cached = frozenset(
            names[name] for name in user.groups.values_list("name", flat=True) if name in names
        )
        if user.department_id is None:
            cached = cached & {HallRole.ADMINISTRATOR}
        user._hall_roles = cached
    return cached


def has_role(user, role):
    return HallRole(role) in roles_of(user)


def role_for_step(step):
    return STEP_ROLE[step]
