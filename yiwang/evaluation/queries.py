"""Reads of 好差评 that cross a permission boundary, and its reports.

Who handles what:
- a department's 好差评管理员 (``MANAGER_GROUP``, with ``User.department``): the ratings,
  rectifications and appeals of their own department; superusers: everything;
- a 好差评复核人员 (``REVIEWER_GROUP``): appeals and escalated rectifications of their
  department's region and every region below it
  (``yiwang.supervision.roles.subtree_region_ids``); superusers: everything;
- counter staff (any hall role but the configuration administrator's, or a manager): the
  rating devices of their department.

Figures: a rating counts when it is not excluded by an upheld appeal. ``satisfied_rate``
is the share of counted ratings at level 4 or 5 (满意、非常满意); a bad rating (差评) is
level 1 or 2; ``rectified`` is the bad ones whose rectification is closed (办结).
"""

from django.db.models import Avg, Count, Q

from yiwang.hall.constants import HallRole
from yiwang.hall.roles import roles_of

from .constants import (
    BAD_LEVELS,
    INDICATOR_LABELS,
    MANAGER_GROUP,
    RATABLE_STATUSES,
    REVIEWER_GROUP,
    SATISFIED_LEVELS,
    RatingChannel,
    RectificationState,
)
from .models import Appeal, Rating, RatingDevice, Rectification


def _active(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _groups(user):
    cached = getattr(user, "_evaluation_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._evaluation_groups = cached
    return cached


def is_manager(user):
    """A department's 好差评管理员 (or a superuser)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return bool(user.department_id) and MANAGER_GROUP in _groups(user)


def is_reviewer(user):
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return bool(user.department_id) and REVIEWER_GROUP in _groups(user)


def is_counter_staff(user):
    """May invite a visitor to rate on the department's devices."""
    if not _active(user):
        return False
    if user.is_superuser or is_manager(user):
        return True
    roles = roles_of(user) - {HallRole.ADMINISTRATOR}
    return bool(user.department_id) and bool(roles)


def has_any_role(user):
    return is_manager(user) or is_reviewer(user) or is_counter_staff(user)


def reviewer_region_ids(user):
    """Regions a reviewer covers (None: every region, for a superuser)."""
    if not is_reviewer(user):
        return []
    if user.is_superuser:
        return None
    from yiwang.supervision.roles import subtree_region_ids

    return subtree_region_ids(user.department.region)


def may_handle_rectification(user, rectification):
    """The department's manager works on it."""
    if not is_manager(user):
        return False
    return user.is_superuser or user.department_id == rectification.department_id


def may_review_region(user, region_id):
    regions = reviewer_region_ids(user)
    return regions is None or region_id in regions


def rectifications_for(user):
    """The rectifications ``user`` may open: their department's (manager), those of their
    regions (reviewer), all (superuser)."""
    if not _active(user):
        return Rectification.objects.none()
    if user.is_superuser:
        return Rectification.objects.all()
    q = Q(pk__in=[])
    if is_manager(user):
        q |= Q(department_id=user.department_id)
    if is_reviewer(user):
        q |= Q(region_id__in=reviewer_region_ids(user))
    return Rectification.objects.filter(q)


def may_view_rectification(user, rectification):
    return may_handle_rectification(user, rectification) or (
        is_reviewer(user) and may_review_region(user, rectification.region_id)
    )


def appeals_for_review(user):
    regions = reviewer_region_ids(user)
    if regions is None:
        return Appeal.objects.all()
    if not regions:
        return Appeal.objects.none()
    return Appeal.objects.filter(region_id__in=regions)


def ratings_of_department(user):
    """The ratings a manager sees (their department's; all for a superuser)."""
    if not is_manager(user):
        return Rating.objects.none()
    if user.is_superuser:
        return Rating.objects.all()
    return Rating.objects.filter(department_id=user.department_id)


def devices_for(user):
    if not is_counter_staff(user):
        return RatingDevice.objects.none()
    if user.is_superuser:
        return RatingDevice.objects.all()
    return RatingDevice.objects.filter(department_id=user.department_id)


# The applicant's side ------------------------------------------------------------------------


def online_rating(case):
    """The case's online rating, or None."""
    return Rating.objects.filter(case=case, channel=RatingChannel.ONLINE).first()


def may_rate(user, case, *, legal_person=None):
    """Whether ``user`` (its applicant) may rate ``case`` now: final with a result, not
    rated yet."""
    from yiwang.hall.queries import is_applicant

    if not is_applicant(user, case, legal_person=legal_person):
        return False
    if case.status not in RATABLE_STATUSES:
        return False
    return online_rating(case) is None


# Reports --------------------------------------------------------------------------------------


def counted_ratings():
    return Rating.objects.filter(excluded=False)


def satisfaction_by_department(*, department_ids=None, start=None, end=None):
    """``{department_id: {"ratings", "average", "satisfied_rate", "bad", "rectified"}}`` over
    the counted ratings (not excluded by an upheld appeal) of both channels rated from
    ``start`` to ``end`` (``date``s, inclusive; None: unbounded), for ``department_ids``
    (None: every department). ``average``/``satisfied_rate`` are None without ratings;
    departments without ratings are left out."""
    ratings = counted_ratings()
    if department_ids is not None:
        ratings = ratings.filter(department_id__in=list(department_ids))
    if start is not None:
        ratings = ratings.filter(rated_on__gte=start)
    if end is not None:
        ratings = ratings.filter(rated_on__lte=end)
    bad = Q(level__in=[int(level) for level in BAD_LEVELS])
    rows = (
        ratings.values("department_id")
        .annotate(
            n=Count("pk"),
            avg=Avg("level"),
            satisfied=Count("pk", filter=Q(level__in=[int(level) for level in SATISFIED_LEVELS])),
            bad_n=Count("pk", filter=bad),
            rectified_n=Count("pk", filter=bad & Q(rectification__state=RectificationState.CLOSED)),
        )
        .order_by()
    )
    result = {}
    for row in rows:
        n = row["n"]
        result[row["department_id"]] = {
            "ratings": n,
            "average": round(float(row["avg"]), 2) if n and row["avg"] is not None else None,
            "satisfied_rate": row["satisfied"] / n if n else None,
            "bad": row["bad_n"],
            "rectified": row["rectified_n"],
        }
    return result


def indicator_rows(rating):
    """(label, score) of each national indicator the rating carries."""
    return [
        (INDICATOR_LABELS.get(code, code), value)
        for code, value in (rating.indicators or {}).items()
    ]
