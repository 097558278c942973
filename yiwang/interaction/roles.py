"""Who may do what with messages (docs/interaction.md, "Roles").

Groups (names: ``InteractionRole`` labels, created by migration ``0002``):
- 12345话务员 (operator): enters hotline work orders for their region.
- 互动分办员 (dispatcher): dispatches, transfers, decides extensions, marks messages
  invalid, for their department's region and the regions below it.
- 互动督办员 (supervisor): reads every message of that region subtree, decides extensions,
  receives escalations.
- 互动部门联络员 (coordinator): receives their department's messages, assigns handlers,
  returns a wrongly dispatched one.
- 互动承办员 (handler): drafts replies, asks for extensions.
- 互动审核员 (reviewer): approves or returns replies, publishes messages.
Superusers may do everything. A role needs ``user.department``.
"""

from django.db.models import Q

from yiwang.orgs.models import subtree_region_ids

from .constants import DEPARTMENT_ROLES, REGION_ROLES, InteractionRole

_BY_LABEL = {role.label: role for role in InteractionRole}


def roles_of(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_interaction_roles", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(_BY_LABEL[n] for n in names if n in _BY_LABEL)
        if user.department_id is None:
            cached = frozenset()
        user._interaction_roles = cached
    return cached


def has_role(user, *roles):
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return bool(roles_of(user) & set(roles))


def is_staff_of_interaction(user):
    return bool(roles_of(user)) or (getattr(user, "is_superuser", False) and user.is_active)


def region_ids(user):
    """The regions where ``user`` holds a region role (None: every region)."""
    if user.is_superuser:
        return None
    cached = getattr(user, "_interaction_region_ids", None)
    if cached is None:
        cached = (
            frozenset(subtree_region_ids(user.department.region))
            if roles_of(user) & set(REGION_ROLES)
            else frozenset()
        )
        user._interaction_region_ids = cached
    return cached


def visible_filter(user):
    """A ``Q`` on ``Message`` of what ``user`` may read in the back office."""
    if user.is_superuser:
        return Q()
    roles = roles_of(user)
    condition = Q(pk__in=[])
    if roles & set(REGION_ROLES):
        condition |= Q(region_id__in=region_ids(user))
    if roles & set(DEPARTMENT_ROLES):
        # Their department's messages, and those it passed on (it keeps reading them).
        condition |= Q(department_id=user.department_id) | Q(
            events__from_department_id=user.department_id
        )
    return condition


def in_region(user, message):
    ids = region_ids(user)
    return ids is None or message.region_id in ids


def of_department(user, message):
    return user.is_superuser or (
        message.department_id is not None and message.department_id == user.department_id
    )


def may_dispatch(user, message):
    return has_role(user, InteractionRole.DISPATCHER) and in_region(user, message)


def may_decide_extension(user, message):
    return has_role(user, InteractionRole.DISPATCHER, InteractionRole.SUPERVISOR) and in_region(
        user, message
    )


def may_coordinate(user, message):
    return has_role(user, InteractionRole.COORDINATOR) and of_department(user, message)


def may_handle(user, message):
    if not (has_role(user, InteractionRole.HANDLER, InteractionRole.COORDINATOR)):
        return False
    if not of_department(user, message):
        return False
    return (
        user.is_superuser
        or message.handler_id in (None, user.pk)
        or InteractionRole.COORDINATOR in roles_of(user)
    )


def may_review(user, message):
    return has_role(user, InteractionRole.REVIEWER) and of_department(user, message)


def may_enter_work_orders(user, region):
    if user.is_superuser and user.is_active:
        return True
    if InteractionRole.OPERATOR not in roles_of(user):
        return False
    return region.pk in region_ids(user)
