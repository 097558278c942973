"""The guide-completeness check: which of the national website check's ten key guide elements
(``constants.KEY_ELEMENTS``) each visible implementation lacks, and per department and per
region the share of complete guides and whether the service veto rule fails (4+ of the 10
missing in 5+ items: ``VETO_MISSING_ELEMENTS``, ``VETO_ITEMS``).

An element is present when (docs/catalog-admin.md says the same to people):

- ``name``: the implementation's name is not blank;
- ``legal_basis``: at least one legal basis row, or the base catalog item's legal basis text
  (the public guide shows that one when the implementation has no rows);
- ``conditions``, ``place``, ``hours``: the text field is not blank;
- ``phone``: the enquiry phone (咨询电话) is not blank;
- ``materials``: at least one material;
- ``implementing_body``: a department is set and an address is known (the implementation's
  ``body_address`` or the department's address);
- ``fees``: the item is free (``charges_fee`` false) or at least one fee is listed;
- ``process``: at least one process step.

Blank means empty after stripping white space. Read-only: the check writes nothing.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from .constants import KEY_ELEMENTS, VETO_ITEMS, VETO_MISSING_ELEMENTS
from .models import Fee, Implementation, LegalBasis, Material, ProcessStep
from .queries import visible_implementations


def _blank(value):
    return not (value or "").strip()


def _annotated(qs):
    """``qs`` with one flag per child list the check needs: one query for every item."""
    return qs.select_related("catalog_item", "department", "region").annotate(
        has_legal_basis=Exists(LegalBasis.objects.filter(implementation=OuterRef("pk"))),
        has_material=Exists(Material.objects.filter(implementation=OuterRef("pk"))),
        has_fee=Exists(Fee.objects.filter(implementation=OuterRef("pk"))),
        has_process_step=Exists(ProcessStep.objects.filter(implementation=OuterRef("pk"))),
    )


def missing_elements(implementation):
    """The keys of ``KEY_ELEMENTS`` that ``implementation`` lacks, in the national order.

    Uses the ``has_*`` annotations of ``_annotated`` when present, else the child rows
    (which, on an unsaved or in-memory revision object, are the ones it carries)."""

    def has(flag, relation):
        value = getattr(implementation, flag, None)
        if value is None:
            value = getattr(implementation, relation).exists()
        return bool(value)

    department = implementation.department if implementation.department_id else None
    catalog_item = implementation.catalog_item if implementation.catalog_item_id else None
    present = {
        "name": not _blank(implementation.name),
        "legal_basis": has("has_legal_basis", "legal_bases")
        or (catalog_item is not None and not _blank(catalog_item.legal_basis)),
        "conditions": not _blank(implementation.conditions),
        "materials": has("has_material", "materials"),
        "place": not _blank(implementation.place),
        "implementing_body": department is not None
        and not (_blank(implementation.body_address) and _blank(department.address)),
        "fees": not implementation.charges_fee or has("has_fee", "fees"),
        "hours": not _blank(implementation.hours),
        "phone": not _blank(implementation.enquiry_phone),
        "process": has("has_process_step", "process_steps"),
    }
    return [key for key in KEY_ELEMENTS if not present[key]]


@dataclass
class ItemCheck:
    """One implementation and the key elements it lacks."""

    implementation: Implementation
    missing: list

    @property
    def complete(self):
        return not self.missing

    @property
    def missing_count(self):
        return len(self.missing)

    @property
    def counts_for_veto(self):
        return self.missing_count >= VETO_MISSING_ELEMENTS

    @property
    def missing_labels(self):
        return [KEY_ELEMENTS[key] for key in self.missing]


@dataclass
class GroupSummary:
    """The figures of one department, one region, or of everything checked (``group`` None)."""

    group: object
    items: list = field(default_factory=list)

    @property
    def total(self):
        return len(self.items)

    @property
    def complete(self):
        return sum(1 for item in self.items if item.complete)

    @property
    def share_complete(self):
        """Complete guides as a fraction of 1 (0 when there is nothing to check)."""
        return self.complete / self.total if self.total else 0.0

    @property
    def percent_complete(self):
        return round(self.share_complete * 100, 1)

    @property
    def many_missing(self):
        """Items lacking ``VETO_MISSING_ELEMENTS`` (4) or more key elements."""
        return sum(1 for item in self.items if item.counts_for_veto)

    @property
    def veto_fails(self):
        """The service veto rule fails: 4+ key elements missing in 5+ items."""
        return self.many_missing >= VETO_ITEMS

    @property
    def missing_by_element(self):
        """``{key: how many items lack it}`` for every key element, in the national order."""
        counts = dict.fromkeys(KEY_ELEMENTS, 0)
        for item in self.items:
            for key in item.missing:
                counts[key] += 1
        return counts


@dataclass
class Report:
    items: list
    overall: GroupSummary
    by_region: list
    by_department: list


def region_scope(qs, region):
    """``qs`` limited to ``region`` and every region below it (by statistics-code prefix)."""
    prefix_length = {1: 2, 2: 4, 3: 6}.get(region.level)
    if prefix_length is None:
        return qs.filter(region=region)
    return qs.filter(region__code__startswith=region.code[:prefix_length])


def check(qs=None, *, region=None, department=None, at=None):
    """``ItemCheck`` for each visible implementation (of ``qs`` if given), ordered by region
    code, department name and code; limited to ``region`` (and below) and ``department``."""
    qs = visible_implementations(at) if qs is None else qs
    if region is not None:
        qs = region_scope(qs, region)
    if department is not None:
        qs = qs.filter(department=department)
    qs = _annotated(qs).order_by("region__code", "department__name", "code")
    return [ItemCheck(implementation=obj, missing=missing_elements(obj)) for obj in qs]


def _group(items, key):
    groups = {}
    for item in items:
        group = key(item.implementation)
        groups.setdefault(group.pk, GroupSummary(group=group)).items.append(item)
    return list(groups.values())


def report(*, region=None, department=None, at=None):
    """The completeness report of the visible implementations in scope: every item's gaps,
    the overall figures, and the figures per region (by region code) and per department
    (by region code, then name)."""
    items = check(region=region, department=department, at=at)
    by_region = sorted(_group(items, lambda obj: obj.region), key=lambda g: g.group.code)
    by_department = sorted(
        _group(items, lambda obj: obj.department),
        key=lambda g: (g.items[0].implementation.region.code, g.group.name),
    )
    return Report(
        items=items,
        overall=GroupSummary(group=None, items=items),
        by_region=by_region,
        by_department=by_department,
    )
