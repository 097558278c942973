"""Reads of the service catalog: what a portal shows, power and responsibility lists."""

from django.db.models import Count, Prefetch, Q

from yiwang.orgs.models import Department, Region, RegionLevel

from .constants import (
    ACCOUNTABILITY,
    LAW_LEVEL_ORDER,
    POWER_TYPES,
    STANDARD_RESPONSIBILITIES,
    ThemeAudience,
)
from .models import Implementation, LegalBasis, Theme


def visible_implementations(at=None):
    """Every published implementation in force now, with what lists need."""
    return Implementation.objects.visible(at).select_related("catalog_item", "department", "region")


def find_by_code(code, *, visible=None):
    """What answers for an implementation code on every public surface: ``(implementation,
    None)`` for a visible one (taken from ``visible``, a queryset of
    ``visible_implementations`` with what the caller needs joined), ``(None, withdrawn)`` for
    a suspended or cancelled one (its replacement joined), ``(None, None)`` for unknown codes
    and drafts never published."""
    visible = visible if visible is not None else visible_implementations()
    implementation = visible.filter(code=code).first()
    if implementation is not None:
        return implementation, None
    withdrawn = (
        Implementation.objects.withdrawn()
        .select_related("replaced_by", "department")
        .filter(code=code)
        .first()
    )
    return None, withdrawn


def portal_regions(region):
    """The regions whose items a portal of ``region`` offers: its own (default) first, then
    the levels above it; a region's townships count with it (they are its sub-sites)."""
    if region is None:
        return []
    return [region, *reversed(region.ancestors())]


def implementations_for_region(region, *, include_townships=True, at=None):
    """What a portal of ``region`` lists as its own: the region's implementations and, for a
    county, those of its townships."""
    qs = visible_implementations(at)
    if include_townships:
        towns = region.children.filter(level=RegionLevel.TOWNSHIP)
        return qs.filter(region__in=Region.objects.filter(pk=region.pk) | towns)
    return qs.filter(region=region)


def for_audience(qs, audience):
    """Implementations serving individuals (``ThemeAudience.INDIVIDUAL``) or legal persons;
    an item for both appears in both."""
    if audience == ThemeAudience.INDIVIDUAL:
        return qs.filter(audience__in=["individual", "both"])
    return qs.filter(audience__in=["legal_person", "both"])


def themes_with_counts(qs, audience):
    """The active themes of an audience with how many of ``qs`` carry each."""
    ids = qs.values("pk")
    return (
        Theme.objects.filter(active=True, audience=audience)
        .annotate(
            item_count=Count("implementations", filter=Q(implementations__in=ids), distinct=True)
        )
        .order_by("kind", "sort_order", "code")
    )


def departments_with_counts(qs):
    return (
        Department.objects.filter(implementations__in=qs.values("pk"))
        .annotate(item_count=Count("implementations", distinct=True))
        .order_by("name")
    )


def sorted_legal_bases(implementation):
    """Legal basis higher law first, then in the editor's order."""
    return sorted(
        implementation.legal_bases.all(),
        key=lambda basis: (LAW_LEVEL_ORDER.get(basis.law_level, 99), basis.sort_order or 0),
    )


def power_list(department, at=None):
    """权力清单 of a department: its visible implementations of administrative power types,
    by type then code."""
    return (
        visible_implementations(at)
        .filter(department=department, catalog_item__item_type__in=[int(t) for t in POWER_TYPES])
        .prefetch_related(
            Prefetch("legal_bases", queryset=LegalBasis.objects.order_by("sort_order"))
        )
        .order_by("catalog_item__item_type", "code")
    )


def responsibility_list(department, at=None):
    """责任清单 of a department: for each power, the standard responsibilities, the item's own
    additional ones, the accountability cases and the supervision phone."""
    rows = []
    for implementation in power_list(department, at):
        responsibilities = dict(STANDARD_RESPONSIBILITIES)
        if implementation.responsibility_notes.strip():
            responsibilities["本事项其他责任"] = implementation.responsibility_notes.strip()
        rows.append(
            {
                "implementation": implementation,
                "responsibilities": responsibilities,
                "accountability": ACCOUNTABILITY,
                "supervision_phone": implementation.complaint_phone or department.phone or "12345",
            }
        )
    return rows
