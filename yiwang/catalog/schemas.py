"""Schemas of the catalog's read API, and the functions that fill them from the models.

Every enum field is a ``Choice``: the stored code and the label users see, so a client
needs no copy of our code lists. Builders take what the query already loaded (see the
prefetches in ``api.py``) and never query by themselves, except where noted.
"""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from ninja import Schema
from pydantic import Field

from yiwang.accounts.models import RealNameLevel
from yiwang.orgs.models import RegionLevel

from . import queries
from .constants import (
    ONLINE_APPLICATION_DEPTH,
    Audience,
    DeliveryMethod,
    ImplementationStatus,
    ItemType,
    LawLevel,
    LimitKind,
    MaterialForm,
    MaterialNecessity,
    MaterialSource,
    OnlineDepth,
    ResultType,
    ThemeAudience,
    ThemeKind,
    Variant,
)

# ---------------------------------------------------------------------------------------
# Shared pieces


class Choice(Schema):
    code: int | str = Field(description="stored code")
    label: str = Field(description="中文名称 (label shown to users)")


class FieldError(Schema):
    field: str
    loc: list[str | int]
    message_zh: str
    message_en: str


class ErrorOut(Schema):
    code: str = Field(description="machine-readable error code, e.g. not_found")
    message_zh: str
    message_en: str
    errors: list[FieldError] = Field(default_factory=list)


class WithdrawnOut(Schema):
    """410 Gone: the implementation was suspended or cancelled."""

    code: str = "withdrawn"
    item_code: str
    name: str
    status: Choice
    effective_at: datetime | None
    reason: str
    replacement_code: str | None
    replacement_name: str | None
    replacement_url: str | None
    message_zh: str
    message_en: str


class DocumentOut(Schema):
    title: str
    url: str = Field(description="absolute download URL")
    file_extension: str


class RegionOut(Schema):
    code: str = Field(description="12-digit statistics code 统计用区划代码")
    division_code: str
    name: str
    level: Choice


class DepartmentRef(Schema):
    id: int
    name: str


def choice(enum, value):
    """``{code, label}`` for ``value`` of ``enum``, or ``None`` for an empty or unknown one."""
    if value in (None, ""):
        return None
    try:
        member = enum(value)
    except ValueError:
        return {"code": value, "label": str(value)}
    return {"code": member.value, "label": member.label}


def document_out(document, request):
    if document is None:
        return None
    return {
        "title": document.title,
        "url": request.build_absolute_uri(document.url),
        "file_extension": document.file_extension,
    }


def region_out(region):
    return {
        "code": region.code,
        "division_code": region.division_code,
        "name": region.name,
        "level": choice(RegionLevel, region.level),
    }


# ---------------------------------------------------------------------------------------
# Themes, departments, base catalog


class ThemeOut(Schema):
    code: str
    name: str
    audience: Choice
    kind: Choice
    description: str
    sort_order: int
    item_count: int = Field(description="visible implementations carrying the theme")


def theme_out(theme):
    return {
        "code": theme.code,
        "name": theme.name,
        "audience": choice(ThemeAudience, theme.audience),
        "kind": choice(ThemeKind, theme.kind),
        "description": theme.description,
        "sort_order": theme.sort_order,
        "item_count": getattr(theme, "item_count", 0),
    }


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    uscc: str = Field(description="统一社会信用代码 (may be empty)")
    region: RegionOut
    address: str
    phone: str
    item_count: int = Field(description="visible implementations in the requested scope")
    power_list_url: str
    responsibility_list_url: str


def department_out(department, request):
    kwargs = {"department_id": department.pk}
    return {
        "id": department.pk,
        "name": department.name,
        "short_name": department.short_name,
        "uscc": department.uscc,
        "region": region_out(department.region),
        "address": department.address,
        "phone": department.phone,
        "item_count": getattr(department, "item_count", 0),
        "power_list_url": request.build_absolute_uri(
            reverse("catalog_api:power_list", kwargs=kwargs)
        ),
        "responsibility_list_url": request.build_absolute_uri(
            reverse("catalog_api:responsibility_list", kwargs=kwargs)
        ),
    }


class CatalogItemOut(Schema):
    code: str = Field(description="基本编码")
    name: str
    item_type: Choice
    competent_department: str
    legal_basis: str
    exercise_levels: str
    description: str
    implementation_count: int = Field(description="visible implementations of this item")


def catalog_item_out(item):
    return {
        "code": item.code,
        "name": item.name,
        "item_type": choice(ItemType, item.item_type),
        "competent_department": item.competent_department,
        "legal_basis": item.legal_basis,
        "exercise_levels": item.exercise_levels,
        "description": item.description,
        "implementation_count": getattr(item, "implementation_count", 0),
    }


class CatalogItemPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[CatalogItemOut]


# ---------------------------------------------------------------------------------------
# Implementations


class ThemeRef(Schema):
    code: str
    name: str
    audience: Choice
    kind: Choice


def theme_ref(theme):
    return {
        "code": theme.code,
        "name": theme.name,
        "audience": choice(ThemeAudience, theme.audience),
        "kind": choice(ThemeKind, theme.kind),
    }


class ItemRef(Schema):
    code: str
    name: str
    variant: Choice | None
    url: str


def item_url(implementation, request):
    return request.build_absolute_uri(
        reverse("catalog_api:item", kwargs={"code": implementation.code})
    )


def item_ref(implementation, request):
    return {
        "code": implementation.code,
        "name": implementation.name,
        "variant": choice(Variant, implementation.variant),
        "url": item_url(implementation, request),
    }


class ItemSummaryOut(Schema):
    code: str = Field(description="实施编码")
    name: str
    catalog_code: str = Field(description="基本编码")
    item_type: Choice
    region: RegionOut
    department: DepartmentRef
    variant: Choice | None
    audience: Choice
    themes: list[str] = Field(description="theme codes")
    online_depth: Choice
    can_apply_online: bool
    limit_kind: Choice
    statutory_limit_days: int | None
    promised_limit_days: int | None
    required_visits: int
    charges_fee: bool
    version: int
    last_published_at: datetime | None
    url: str = Field(description="this item's full guide in the API")
    page_path: str = Field(description="path of the item page on any portal of the group")


def item_summary_out(implementation, request):
    return {
        "code": implementation.code,
        "name": implementation.name,
        "catalog_code": implementation.catalog_item.code,
        "item_type": choice(ItemType, implementation.catalog_item.item_type),
        "region": region_out(implementation.region),
        "department": {"id": implementation.department_id, "name": implementation.department.name},
        "variant": choice(Variant, implementation.variant),
        "audience": choice(Audience, implementation.audience),
        "themes": [theme.code for theme in implementation.themes.all()],
        "online_depth": choice(OnlineDepth, implementation.online_depth),
        "can_apply_online": implementation.online_depth >= ONLINE_APPLICATION_DEPTH,
        "limit_kind": choice(LimitKind, implementation.limit_kind),
        "statutory_limit_days": implementation.statutory_limit_days,
        "promised_limit_days": implementation.promised_limit_days,
        "required_visits": implementation.required_visits,
        "charges_fee": implementation.charges_fee,
        "version": implementation.version,
        "last_published_at": implementation.last_published_at,
        "url": item_url(implementation, request),
        "page_path": reverse("catalog:item", args=[implementation.code]),
    }


class ItemPage(Schema):
    total: int = Field(description="number of items matching the filters")
    limit: int
    offset: int
    items: list[ItemSummaryOut]


class SituationOut(Schema):
    code: str
    name: str
    description: str


class MaterialOut(Schema):
    name: str
    form: Choice
    copies: int
    necessity: Choice
    source: Choice
    source_note: str
    paper_size: str
    requirements: str
    blank_form: DocumentOut | None
    sample_form: DocumentOut | None
    license_type: str = Field(description="e-license type that can replace it (empty: none)")
    situation_codes: list[str] = Field(description="situations it applies to; empty: all")


class LegalBasisOut(Schema):
    law_name: str
    law_level: Choice
    document_number: str
    article: str
    text: str


class ProcessStepOut(Schema):
    name: str
    description: str
    time_limit_days: float | None = Field(description="working days")
    handler: str


class SpecialProcedureOut(Schema):
    name: str
    time_limit_days: int | None
    counts_in_limit: bool
    description: str


class FeeOut(Schema):
    name: str
    standard: str
    basis: str
    reducible: bool
    reduction_note: str


class QuestionOut(Schema):
    question: str
    answer: str


class TimeLimitsOut(Schema):
    kind: Choice = Field(description="即办件 (on the spot) or 承诺件 (promised)")
    statutory_days: int | None
    statutory_note: str
    promised_days: int | None


class BodyOut(Schema):
    """实施主体: the implementing department with the item's own contact details."""

    id: int
    name: str
    uscc: str
    address: str
    postcode: str
    contact: str
    phone: str


class ResultOut(Schema):
    name: str
    type: Choice | None
    sample: DocumentOut | None


class CatalogItemRef(Schema):
    code: str
    name: str
    competent_department: str
    legal_basis: str
    exercise_levels: str


class LifecycleOut(Schema):
    status: Choice
    effective_at: datetime | None = Field(
        description="set when a suspension or cancellation is announced for a future time"
    )
    reason: str
    replacement_code: str | None


class GuideOut(ItemSummaryOut):
    """The full service guide (办事指南) of an implementation."""

    catalog_item: CatalogItemRef
    implementing_body: BodyOut
    variant_of: ItemRef | None
    variants: list[ItemRef]
    theme_details: list[ThemeRef]
    summary: str
    conditions: list[str] = Field(description="受理条件, one per line")
    prohibitions: str
    situations: list[SituationOut]
    materials: list[MaterialOut]
    legal_bases: list[LegalBasisOut] = Field(description="higher law first")
    process_steps: list[ProcessStepOut]
    flow_chart: DocumentOut | None
    special_procedures: list[SpecialProcedureOut]
    time_limits: TimeLimitsOut
    fees: list[FeeOut] = Field(description="empty with charges_fee false: free of charge")
    place: str
    hours: str
    enquiry_phone: str
    complaint_phone: str
    visit_reason: str
    real_name_level: Choice = Field(description="real-name level needed to apply online")
    result: ResultOut
    delivery_methods: list[Choice]
    questions: list[QuestionOut]
    lifecycle: LifecycleOut
    first_published_at: datetime | None
    guide_pdf_url: str


def _lines(text):
    # Only real line breaks: str.splitlines() would also split at form feeds and the like.
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return [line.strip() for line in text.split("\n") if line.strip()]


def material_out(material, request):
    return {
        "name": material.name,
        "form": choice(MaterialForm, material.form),
        "copies": material.copies,
        "necessity": choice(MaterialNecessity, material.necessity),
        "source": choice(MaterialSource, material.source),
        "source_note": material.source_note,
        "paper_size": material.paper_size,
        "requirements": material.requirements,
        "blank_form": document_out(material.blank_form, request),
        "sample_form": document_out(material.sample_form, request),
        "license_type": material.license_type,
        "situation_codes": material.situation_code_list,
    }


def guide_out(implementation, request, *, variants):
    """The full guide. ``variants`` are the visible business variants of the item (the
    caller queries them, so that only visible ones are listed)."""
    department = implementation.department
    data = item_summary_out(implementation, request)
    item = implementation.catalog_item
    replacement = implementation.replaced_by
    variant_of = implementation.variant_of
    data.update(
        catalog_item={
            "code": item.code,
            "name": item.name,
            "competent_department": item.competent_department,
            "legal_basis": item.legal_basis,
            "exercise_levels": item.exercise_levels,
        },
        implementing_body={
            "id": department.pk,
            "name": department.name,
            "uscc": department.uscc,
            "address": implementation.body_address or department.address,
            "postcode": implementation.body_postcode,
            "contact": implementation.body_contact,
            "phone": department.phone,
        },
        variant_of=(
            item_ref(variant_of, request)
            if variant_of is not None and variant_of.is_visible()
            else None
        ),
        variants=[item_ref(variant, request) for variant in variants],
        theme_details=[theme_ref(theme) for theme in implementation.themes.all()],
        summary=implementation.summary,
        conditions=_lines(implementation.conditions),
        prohibitions=implementation.prohibitions,
        situations=[
            {"code": s.code, "name": s.name, "description": s.description}
            for s in implementation.situations.all()
        ],
        materials=[material_out(m, request) for m in implementation.materials.all()],
        legal_bases=[
            {
                "law_name": basis.law_name,
                "law_level": choice(LawLevel, basis.law_level),
                "document_number": basis.document_number,
                "article": basis.article,
                "text": basis.text,
            }
            for basis in queries.sorted_legal_bases(implementation)
        ],
        process_steps=[
            {
                "name": step.name,
                "description": step.description,
                "time_limit_days": (
                    float(step.time_limit_days) if step.time_limit_days is not None else None
                ),
                "handler": step.handler,
            }
            for step in implementation.process_steps.all()
        ],
        flow_chart=document_out(implementation.flow_chart, request),
        special_procedures=[
            {
                "name": p.name,
                "time_limit_days": p.time_limit_days,
                "counts_in_limit": p.counts_in_limit,
                "description": p.description,
            }
            for p in implementation.special_procedures.all()
        ],
        time_limits={
            "kind": choice(LimitKind, implementation.limit_kind),
            "statutory_days": implementation.statutory_limit_days,
            "statutory_note": implementation.statutory_limit_note,
            "promised_days": implementation.promised_limit_days,
        },
        fees=[
            {
                "name": fee.name,
                "standard": fee.standard,
                "basis": fee.basis,
                "reducible": fee.reducible,
                "reduction_note": fee.reduction_note,
            }
            for fee in implementation.fees.all()
        ],
        place=implementation.place,
        hours=implementation.hours,
        enquiry_phone=implementation.enquiry_phone,
        complaint_phone=implementation.complaint_phone,
        visit_reason=implementation.visit_reason,
        real_name_level=choice(RealNameLevel, implementation.real_name_level),
        result={
            "name": implementation.result_name,
            "type": choice(ResultType, implementation.result_type),
            "sample": document_out(implementation.result_sample, request),
        },
        delivery_methods=[
            choice(DeliveryMethod, method) for method in implementation.delivery_methods or []
        ],
        questions=[
            {"question": q.question, "answer": q.answer} for q in implementation.questions.all()
        ],
        lifecycle={
            "status": choice(ImplementationStatus, implementation.status),
            "effective_at": implementation.status_effective_at,
            "reason": implementation.status_reason,
            "replacement_code": replacement.code if replacement is not None else None,
        },
        first_published_at=implementation.first_published_at,
        guide_pdf_url=request.build_absolute_uri(
            reverse("catalog_api:guide_pdf", kwargs={"code": implementation.code})
        ),
    )
    return data


def withdrawn_out(implementation, request):
    status = ImplementationStatus(implementation.status)
    replacement = implementation.replaced_by
    when = implementation.status_effective_at
    when_text = timezone.localtime(when).strftime("%Y-%m-%d") if when else ""
    verb_zh = "暂停办理" if status == ImplementationStatus.SUSPENDED else "取消"
    verb_en = "suspended" if status == ImplementationStatus.SUSPENDED else "cancelled"
    reason = implementation.status_reason.strip().rstrip("。.")
    message_zh = f"事项“{implementation.name}”已于{when_text}{verb_zh}，原因：{reason}。"
    message_en = f"The service item {implementation.code} was {verb_en} on {when_text}."
    if replacement is not None:
        message_zh += f"请改为办理“{replacement.name}”（{replacement.code}）。"
        message_en += f" Apply for {replacement.code} instead."
    return {
        "code": "withdrawn",
        "item_code": implementation.code,
        "name": implementation.name,
        "status": choice(ImplementationStatus, status),
        "effective_at": when,
        "reason": implementation.status_reason,
        "replacement_code": replacement.code if replacement is not None else None,
        "replacement_name": replacement.name if replacement is not None else None,
        "replacement_url": item_url(replacement, request) if replacement is not None else None,
        "message_zh": message_zh,
        "message_en": message_en,
    }


# ---------------------------------------------------------------------------------------
# Power and responsibility lists


class PowerOut(Schema):
    code: str
    name: str
    item_type: Choice
    legal_bases: list[str] = Field(description="law name and article, higher law first")
    implementing_body: str
    url: str


class PowerListOut(Schema):
    department: DepartmentRef
    region: RegionOut
    total: int
    items: list[PowerOut]


def power_out(implementation, request):
    return {
        "code": implementation.code,
        "name": implementation.name,
        "item_type": choice(ItemType, implementation.catalog_item.item_type),
        "legal_bases": [
            f"{basis.law_name}{basis.article}"
            for basis in queries.sorted_legal_bases(implementation)
        ],
        "implementing_body": implementation.department.name,
        "url": item_url(implementation, request),
    }


class ResponsibilityOut(Schema):
    name: str
    content: str


class ResponsibilityRowOut(Schema):
    code: str
    name: str
    item_type: Choice
    responsibilities: list[ResponsibilityOut]
    accountability: str
    supervision_phone: str


class ResponsibilityListOut(Schema):
    department: DepartmentRef
    region: RegionOut
    total: int
    items: list[ResponsibilityRowOut]


def responsibility_row_out(row):
    implementation = row["implementation"]
    return {
        "code": implementation.code,
        "name": implementation.name,
        "item_type": choice(ItemType, implementation.catalog_item.item_type),
        "responsibilities": [
            {"name": name, "content": content} for name, content in row["responsibilities"].items()
        ],
        "accountability": row["accountability"],
        "supervision_phone": row["supervision_phone"],
    }
