"""Who supervises what. Shared by supervision, stats and evaluation.

- ``REGIONAL_SUPERVISOR`` (效能监察人员, usually staff of a region's 政务服务管理局 or
  监察 office): every department of their own department's region and of the regions below.
- ``DEPARTMENT_HEAD`` (部门负责人): their own department; escalation notices and 督办 memos
  go to them.
- The hall's department supervisor (``HallRole.SUPERVISOR``, 部门监察人员): their own
  department.
- Superusers: everything.

The groups are created by ``supervision`` migration ``0002_groups``."""

from dataclasses import dataclass

from django.db.models import Q

from yiwang.hall.constants import HallRole
from yiwang.hall.roles import roles_of as hall_roles_of
from yiwang.orgs.models import region_prefix, subtree_region_ids  # noqa: F401 (shared names)

REGIONAL_SUPERVISOR = "效能监察人员"
DEPARTMENT_HEAD = "部门负责人"


@dataclass(frozen=True)
class Scope:
    """What a user may supervise. ``everything``: no filter. Otherwise the union of
    ``region_ids`` (all departments of those regions) and ``department_ids``."""

    everything: bool = False
    region_ids: frozenset = frozenset()
    department_ids: frozenset = frozenset()

    def __bool__(self):
        return self.everything or bool(self.region_ids) or bool(self.department_ids)

    def q(self, *, department_field="department_id", region_field="region_id"):
        """A filter for rows carrying a department and a region (``Q()`` for everything,
        a filter matching nothing for an empty scope)."""
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        if self.region_ids:
            q |= Q(**{f"{region_field}__in": sorted(self.region_ids)})
        if self.department_ids:
            q |= Q(**{f"{department_field}__in": sorted(self.department_ids)})
        return q

    def covers(self, *, department_id, region_id):
        return (
            self.everything or region_id in self.region_ids or department_id in self.department_ids
        )


def group_names(user):
    cached = getattr(user, "_supervision_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._supervision_groups = cached
    return cached


def is_regional_supervisor(user):
    return _active(user) and REGIONAL_SUPERVISOR in group_names(user) and user.department_id


def is_department_head(user):
    return _active(user) and DEPARTMENT_HEAD in group_names(user) and user.department_id


def _active(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def scope_for(user):
    """The ``Scope`` of ``user`` (falsy when they supervise nothing)."""
    if not _active(user):
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    if user.department_id is None:
        return Scope()
    regions, departments = frozenset(), frozenset()
    if is_regional_supervisor(user):
        regions = frozenset(subtree_region_ids(user.department.region))
    if is_department_head(user) or HallRole.SUPERVISOR in hall_roles_of(user):
        departments = frozenset({user.department_id})
    return Scope(region_ids=regions, department_ids=departments)


def department_heads(department):
    """Active users heading ``department`` (a queryset)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        department=department, is_active=True, groups__name=DEPARTMENT_HEAD
    )
