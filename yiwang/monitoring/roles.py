"""Who sees and manages which monitored sites (docs/monitoring.md, "Roles").

Groups (created by migration ``0002``):
- 网站监测管理员 (monitoring administrator): every site of their department's region and the
  regions below it: adds sites, starts and cancels runs, edits the wording dictionary,
  resolves tamper events, receives alerts of sites without a site team.
- 网站主办单位 (site team): the sites whose ``owner_department`` is their department: reads
  their reports, starts runs, receives their alerts.
Superusers may do everything. A role needs ``user.department``.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from yiwang.orgs.models import subtree_region_ids

from .constants import MONITORING_ADMIN_GROUP, SITE_TEAM_GROUP
from .models import MonitoredSite


def _active(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def groups_of(user):
    if not _active(user) or user.department_id is None:
        return frozenset()
    cached = getattr(user, "_monitoring_groups", None)
    if cached is None:
        names = user.groups.filter(name__in=[MONITORING_ADMIN_GROUP, SITE_TEAM_GROUP])
        cached = frozenset(names.values_list("name", flat=True))
        user._monitoring_groups = cached
    return cached


def is_superuser(user):
    return _active(user) and user.is_superuser


def is_monitoring_admin(user):
    return is_superuser(user) or MONITORING_ADMIN_GROUP in groups_of(user)


def is_site_team(user):
    return SITE_TEAM_GROUP in groups_of(user)


def may_use_monitoring(user):
    return is_superuser(user) or bool(groups_of(user))


def admin_region_ids(user):
    """Regions where ``user`` administers monitoring (None: all)."""
    if is_superuser(user):
        return None
    if MONITORING_ADMIN_GROUP not in groups_of(user):
        return frozenset()
    return frozenset(subtree_region_ids(user.department.region))


def visible_filter(user):
    """A ``Q`` on ``MonitoredSite`` of what ``user`` may see."""
    if is_superuser(user):
        return Q()
    condition = Q(pk__in=[])
    groups = groups_of(user)
    if MONITORING_ADMIN_GROUP in groups:
        condition |= Q(region_id__in=admin_region_ids(user))
    if SITE_TEAM_GROUP in groups:
        condition |= Q(owner_department_id=user.department_id)
    return condition


def visible_sites(user):
    return MonitoredSite.objects.filter(visible_filter(user))


def may_view(user, site):
    return visible_sites(user).filter(pk=site.pk).exists()


def may_manage(user, site):
    """Change the site's settings, resolve its tamper events, delete it."""
    ids = admin_region_ids(user)
    return ids is None or site.region_id in ids


def may_add_in(user, region):
    ids = admin_region_ids(user)
    return ids is None or region.pk in ids


def may_start_run(user, site):
    return may_manage(user, site) or (
        is_site_team(user)
        and site.owner_department_id is not None
        and site.owner_department_id == user.department_id
    )


def may_edit_wording(user):
    return is_monitoring_admin(user)


def site_team(site):
    """Active users of the site's owner department in the site-team group."""
    if site.owner_department_id is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(
            is_active=True, department_id=site.owner_department_id, groups__name=SITE_TEAM_GROUP
        )
        .distinct()
    )


def admins_for(site):
    """Active monitoring administrators of the site's region or a region above it."""
    region = site.region
    codes = [region.code, *(r.code for r in region.ancestors())]
    return (
        get_user_model()
        .objects.filter(
            is_active=True, groups__name=MONITORING_ADMIN_GROUP, department__region__code__in=codes
        )
        .distinct()
    )
