"""Read API of the service catalog (Django Ninja, OpenAPI at /api/catalog/v1/openapi.json).

Public data, read-only, no authentication. Only what the portals show is served
(``Implementation.objects.visible()``); a suspended or cancelled item answers 410 with what
happened and its replacement. Every error carries a Chinese and an English message:
422 for parameters of the wrong type or range, 400 for well-formed values that name nothing
(an unknown region, theme or department), 404 for an unknown item or department.
"""

from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import NinjaAPI, Query, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from pydantic import Field

from yiwang.orgs.models import Department, Region, stats_code

from . import queries
from .constants import ItemType, OnlineDepth, ThemeAudience, ThemeKind
from .models import CatalogItem, Material, Theme
from .schemas import (
    CatalogItemPage,
    DepartmentOut,
    ErrorOut,
    GuideOut,
    ItemPage,
    PowerListOut,
    ResponsibilityListOut,
    ThemeOut,
    WithdrawnOut,
    catalog_item_out,
    department_out,
    guide_out,
    item_summary_out,
    power_out,
    region_out,
    responsibility_row_out,
    theme_out,
    withdrawn_out,
)


class ChineseJSONRenderer(JSONRenderer):
    """JSON with Chinese as characters, not ``\\uXXXX`` escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="一网 政务服务事项目录 API",
    version="1",
    urls_namespace="catalog_api",
    description=(
        "政务服务事项、实施清单和办事指南的只读接口，供移动端和其他系统使用。"
        "Read API for service items, implementations and their service guides. "
        "Errors carry `message_zh` and `message_en`."
    ),
    renderer=ChineseJSONRenderer(),
)

MAX_LIMIT = 100


class ApiError(Exception):
    def __init__(self, status, code, message_zh, message_en):
        super().__init__(message_en)
        self.status, self.code = status, code
        self.message_zh, self.message_en = message_zh, message_en


class Gone(Exception):
    def __init__(self, implementation):
        super().__init__(implementation.code)
        self.implementation = implementation


@api.exception_handler(Gone)
def _gone(request, exc):
    return api.create_response(request, withdrawn_out(exc.implementation, request), status=410)


# Chinese for the pydantic error types that query parameters can produce.
_ERROR_TYPES_ZH = {
    "missing": "必须填写",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "必须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "必须小于 {lt}",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少需要 {min_length} 个字符",
    "enum": "取值无效，可选值为：{expected}",
    "literal_error": "取值无效，可选值为：{expected}",
}


def _field_error(error):
    loc = [part for part in error.get("loc", ()) if part not in ("query", "path", "filters")]
    field = ".".join(str(part) for part in loc) or "request"
    template = _ERROR_TYPES_ZH.get(error.get("type"), "取值无效")
    try:
        ctx = {key: str(value).replace(" or ", "、") for key, value in error.get("ctx", {}).items()}
        detail_zh = template.format(**ctx)
    except (KeyError, IndexError):
        detail_zh = "取值无效"
    return {
        "field": field,
        "loc": list(error.get("loc", ())),
        "message_zh": f"参数 {field}：{detail_zh}",
        "message_en": f"Parameter {field}: {error.get('msg', 'invalid value')}",
    }


def add_error_handlers(ninja_api):
    """Answer ``ApiError`` with its status and bad parameters with 422, both with
    ``message_zh`` and ``message_en`` (this API's and the platform's other read APIs')."""

    @ninja_api.exception_handler(ApiError)
    def _api_error(request, exc):
        body = {"code": exc.code, "message_zh": exc.message_zh, "message_en": exc.message_en}
        return ninja_api.create_response(request, {**body, "errors": []}, status=exc.status)

    @ninja_api.exception_handler(NinjaValidationError)
    def _validation_error(request, exc):
        errors = [_field_error(error) for error in exc.errors]
        body = {
            "code": "invalid_parameters",
            "message_zh": "请求参数不正确：" + "；".join(e["message_zh"] for e in errors),
            "message_en": "Invalid request parameters: "
            + "; ".join(e["message_en"] for e in errors),
            "errors": errors,
        }
        return ninja_api.create_response(request, body, status=422)


add_error_handlers(api)


def _not_found(what_zh, what_en, value):
    return ApiError(404, "not_found", f"没有找到{what_zh}：{value}", f"No {what_en} found: {value}")


# ---------------------------------------------------------------------------------------
# Parameters


class ScopeFilters(Schema):
    region: str | None = Field(
        None,
        max_length=12,
        description="区划代码 (2, 4, 6, 9 or 12 digits): only implementations of that region",
    )
    include_townships: bool = Field(
        True, description="with region: a county's items include its townships' (as portals do)"
    )
    include_higher: bool = Field(
        False, description="with region: also the items of the levels above it (city, province)"
    )


class ThemeFilters(ScopeFilters):
    audience: ThemeAudience | None = Field(None, description="individual | legal_person")
    kind: ThemeKind | None = Field(None, description="topic | life_event")


class Page(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description=f"page size, 1–{MAX_LIMIT}")
    offset: int = Field(0, ge=0, description="items to skip")


class CatalogItemFilters(Page):
    item_type: ItemType | None = Field(None, description="事项类型 national code, e.g. 1")
    q: str | None = Field(None, max_length=100, description="part of the name or code")


class ItemFilters(ScopeFilters, Page):
    department: int | None = Field(None, ge=1, description="implementing department id")
    theme: str | None = Field(None, max_length=50, description="theme code")
    audience: ThemeAudience | None = Field(
        None, description="individual | legal_person (items for both appear in both)"
    )
    item_type: ItemType | None = Field(None, description="事项类型 national code, e.g. 1")
    online_depth: OnlineDepth | None = Field(None, description="exactly this depth, 1–4")
    min_online_depth: OnlineDepth | None = Field(
        None, description="at least this depth (3: can be applied for online)"
    )
    q: str | None = Field(None, max_length=100, description="part of the name or code")


def _region(code):
    code = (code or "").strip()
    try:
        full = stats_code(code)
    except ValueError:
        raise ApiError(
            400,
            "invalid_region",
            f"区划代码应为 2、4、6、9 或 12 位数字：{code}",
            f"A region code has 2, 4, 6, 9 or 12 digits: {code}",
        ) from None
    region = Region.objects.filter(code=full).first()
    if region is None:
        raise ApiError(
            400, "unknown_region", f"没有这个区划代码：{code}", f"Unknown region code: {code}"
        )
    return region


def _scoped(filters):
    """Visible implementations in the scope of ``filters.region``, as a portal of that
    region lists them."""
    if not filters.region:
        return queries.visible_implementations()
    region = _region(filters.region)
    own = queries.implementations_for_region(region, include_townships=filters.include_townships)
    if not filters.include_higher:
        return own
    return queries.visible_implementations().filter(
        Q(pk__in=own.values("pk")) | Q(region__in=region.ancestors())
    )


# ---------------------------------------------------------------------------------------
# Endpoints

ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@api.get("/themes", response={200: list[ThemeOut], **ERRORS}, tags=["themes"])
def list_themes(request, filters: Query[ThemeFilters]):
    """主题: the active themes with the number of visible items carrying each (in the region
    scope when `region` is given)."""
    qs = _scoped(filters)
    audiences = [filters.audience] if filters.audience else list(ThemeAudience)
    themes = []
    for audience in audiences:
        found = queries.themes_with_counts(qs, audience)
        if filters.kind:
            found = found.filter(kind=filters.kind)
        themes.extend(found)
    return [theme_out(theme) for theme in themes]


@api.get("/departments", response={200: list[DepartmentOut], **ERRORS}, tags=["departments"])
def list_departments(request, filters: Query[ScopeFilters]):
    """实施主体: departments that have visible items (in the region scope), with counts."""
    departments = queries.departments_with_counts(_scoped(filters)).select_related("region")
    return [department_out(department, request) for department in departments]


@api.get("/catalog-items", response={200: CatalogItemPage, **ERRORS}, tags=["base catalog"])
def list_catalog_items(request, filters: Query[CatalogItemFilters]):
    """基本目录: the base catalog items, by code, with their number of visible
    implementations."""
    qs = CatalogItem.objects.all()
    if filters.item_type is not None:
        qs = qs.filter(item_type=filters.item_type)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    total = qs.count()
    visible = queries.visible_implementations().values("pk")
    page = qs.annotate(
        implementation_count=Count(
            "implementations", filter=Q(implementations__in=visible), distinct=True
        )
    ).order_by("code")[filters.offset : filters.offset + filters.limit]
    return {
        "total": total,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [catalog_item_out(item) for item in page],
    }


@api.get("/items", response={200: ItemPage, **ERRORS}, tags=["items"])
def list_items(request, filters: Query[ItemFilters]):
    """实施清单: the visible implementations matching every filter given, ordered by
    region, department and code; `total` counts them all."""
    qs = _scoped(filters)
    if filters.department is not None:
        if not Department.objects.filter(pk=filters.department).exists():
            raise ApiError(
                400,
                "unknown_department",
                f"没有这个部门：{filters.department}",
                f"Unknown department: {filters.department}",
            )
        qs = qs.filter(department_id=filters.department)
    if filters.theme:
        if not Theme.objects.filter(code=filters.theme).exists():
            raise ApiError(
                400,
                "unknown_theme",
                f"没有这个主题代码：{filters.theme}",
                f"Unknown theme code: {filters.theme}",
            )
        qs = qs.filter(themes__code=filters.theme)
    if filters.audience:
        qs = queries.for_audience(qs, filters.audience)
    if filters.item_type is not None:
        qs = qs.filter(catalog_item__item_type=filters.item_type)
    if filters.online_depth is not None:
        qs = qs.filter(online_depth=filters.online_depth)
    if filters.min_online_depth is not None:
        qs = qs.filter(online_depth__gte=filters.min_online_depth)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    total = qs.count()
    page = (
        qs.select_related("catalog_item", "department", "region")
        .prefetch_related("themes")
        .order_by("region__code", "department__name", "code")
    )[filters.offset : filters.offset + filters.limit]
    return {
        "total": total,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [item_summary_out(implementation, request) for implementation in page],
    }


def _visible_guide(code):
    """The visible implementation ``code`` with its whole guide loaded; raises ``Gone`` for
    a withdrawn one and a 404 ``ApiError`` for anything else."""
    implementation, withdrawn = queries.find_by_code(
        code,
        visible=queries.visible_implementations()
        .select_related(
            "department__region", "flow_chart", "result_sample", "variant_of", "replaced_by"
        )
        .prefetch_related(
            "themes",
            "situations",
            Prefetch(
                "materials", queryset=Material.objects.select_related("blank_form", "sample_form")
            ),
            "legal_bases",
            "process_steps",
            "special_procedures",
            "fees",
            "questions",
        ),
    )
    if implementation is not None:
        return implementation
    if withdrawn is not None:
        raise Gone(withdrawn)
    raise _not_found("这个事项", "service item with the code", code)


@api.get(
    "/items/{code}",
    response={200: GuideOut, 404: ErrorOut, 410: WithdrawnOut},
    tags=["items"],
    url_name="item",
)
def get_item(request, code: str):
    """办事指南: the full service guide of the implementation with this 实施编码. A
    suspended or cancelled one answers 410 with the reason and its replacement."""
    implementation = _visible_guide(code)
    variants = queries.visible_implementations().filter(variant_of=implementation).order_by("code")
    return guide_out(implementation, request, variants=variants)


@api.get(
    "/items/{code}/guide.pdf",
    response={404: ErrorOut, 410: WithdrawnOut},
    tags=["items"],
    url_name="guide_pdf",
    openapi_extra={
        "responses": {
            200: {
                "description": "办事指南 PDF (A4)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_guide_pdf(request, code: str):
    """The service guide as an A4 PDF."""
    from .pdf import render_guide_pdf

    implementation = _visible_guide(code)
    response = HttpResponse(render_guide_pdf(implementation), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{implementation.code}.pdf"
    )
    return response


def _department(department_id):
    department = Department.objects.select_related("region").filter(pk=department_id).first()
    if department is None:
        raise _not_found("这个部门", "department with the id", department_id)
    return department


@api.get(
    "/departments/{department_id}/power-list",
    response={200: PowerListOut, 404: ErrorOut, 422: ErrorOut},
    tags=["departments"],
    url_name="power_list",
)
def get_power_list(request, department_id: int):
    """权力清单: the department's visible administrative powers, by type then code."""
    department = _department(department_id)
    items = [power_out(item, request) for item in queries.power_list(department)]
    return {
        "department": {"id": department.pk, "name": department.name},
        "region": region_out(department.region),
        "total": len(items),
        "items": items,
    }


@api.get(
    "/departments/{department_id}/responsibility-list",
    response={200: ResponsibilityListOut, 404: ErrorOut, 422: ErrorOut},
    tags=["departments"],
    url_name="responsibility_list",
)
def get_responsibility_list(request, department_id: int):
    """责任清单: for each power, its responsibilities, the accountability cases and the
    supervision phone."""
    department = _department(department_id)
    rows = [responsibility_row_out(row) for row in queries.responsibility_list(department)]
    return {
        "department": {"id": department.pk, "name": department.name},
        "region": region_out(department.region),
        "total": len(rows),
        "items": rows,
    }
