"""Search API (Django Ninja; OpenAPI at /api/search/v1/openapi.json, docs at
/api/search/v1/docs): the results page's search as JSON, for mobile apps and other systems.

Public, read-only, no authentication. Errors carry a Chinese and an English message: 422 for
parameters of the wrong type or range, 400 for values that name nothing (an unknown site).
"""

import datetime
from typing import Literal

from ninja import NinjaAPI, Query, Schema
from pydantic import Field
from wagtail.models import Site

from yiwang.catalog.api import ApiError, ChineseJSONRenderer, add_error_handlers
from yiwang.catalog.schemas import ErrorOut

from . import query
from .documents import KIND_LABELS

api = NinjaAPI(
    title="一网 全网检索 API",
    version="1",
    urls_namespace="search_api",
    description=(
        "全省各级政府网站的网页、办事事项和公开留言答复的统一检索。"
        "One search over the pages, service items and published replies of every portal "
        "of the site group. Errors carry `message_zh` and `message_en`."
    ),
    renderer=ChineseJSONRenderer(),
)


add_error_handlers(api)


Kind = Literal[tuple(KIND_LABELS)]


class SearchParams(Schema):
    q: str = Field(min_length=1, max_length=100, description="搜索词 / the words")
    site: int | None = Field(None, ge=1, description="只搜这个网站（站点 id）/ one portal only")
    type: Kind | None = Field(None, description="信息类型 / document type")
    region: str | None = Field(
        None, pattern=r"^\d{2,12}$", description="地区及其下级（统计用区划代码）/ region and below"
    )
    department: str | None = Field(None, max_length=200, description="部门名称 / department")
    subject: str | None = Field(None, max_length=100, description="主题分类 / subject category")
    year: int | None = Field(None, ge=1990, le=2100, description="年份 / year")
    sort: Literal["relevance", "date"] = "relevance"
    page: int = Field(1, ge=1, le=query.MAX_PAGE)
    per_page: int = Field(10, ge=1, le=50)


class ResultOut(Schema):
    key: str = Field(description="source:id, unique in the index")
    type: str
    type_label: str
    title: str
    title_html: str = Field(description="the title, escaped, matches in <mark>")
    snippet_html: str = Field(description="about 120 characters around the first match")
    url: str
    site: str
    region: str
    department: str
    date: datetime.datetime | None


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class PromotedOut(Schema):
    title: str
    url: str
    description: str


class SearchOut(Schema):
    q: str
    promoted: list[PromotedOut] = Field(description="results editors put first for these words")
    terms: list[list[str]] = Field(description="the words looked for, each with its synonyms")
    total: int
    suggestion: str = Field(description="您是不是要找: a query that finds something, or empty")
    page: int
    pages: int
    results: list[ResultOut]
    facets: dict[str, list[FacetValueOut]] = Field(
        description="type, site, region, department, subject, year: value, label, count"
    )


FACET_NAMES = {"kind": "type", "site_id": "site", "region_code": "region"}


@api.get(
    "/search",
    response={200: SearchOut, 400: ErrorOut, 422: ErrorOut},
    summary="Search the site group / 全网检索",
)
def search(request, params: Query[SearchParams]):
    site = None
    if params.site is not None:
        site = Site.objects.filter(pk=params.site).first()
        if site is None:
            raise ApiError(
                400, "unknown_site", f"没有这个网站：{params.site}", f"No site {params.site}"
            )
    outcome = query.search(
        params.q,
        site=site,
        kinds=[params.type] if params.type else (),
        region_code=params.region or "",
        department=params.department or "",
        subject=params.subject or "",
        date_from=datetime.date(params.year, 1, 1) if params.year else None,
        date_to=datetime.date(params.year, 12, 31) if params.year else None,
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
    )
    from . import stats

    promoted = stats.promoted_for(params.q, site) if params.page == 1 else []
    if params.page == 1:
        stats.record(params.q, site_id=0, total=outcome.total)
    return {
        "q": outcome.query,
        "promoted": [
            {"title": p.title, "url": p.url, "description": p.description} for p in promoted
        ],
        "terms": [list(group) for group in outcome.terms],
        "total": outcome.total,
        "suggestion": outcome.suggestion,
        "page": outcome.page,
        "pages": outcome.pages,
        "results": [
            {
                "key": r.key,
                "type": r.kind,
                "type_label": r.kind_label,
                "title": r.title,
                "title_html": str(r.title_html),
                "snippet_html": str(r.snippet_html),
                "url": r.url,
                "site": r.site_name,
                "region": r.region_name,
                "department": r.department,
                "date": r.date,
            }
            for r in outcome.results
        ],
        "facets": {
            FACET_NAMES.get(name, name): [
                {"value": str(value), "label": str(label), "count": count}
                for value, label, count in values
            ]
            for name, values in outcome.facets.items()
        },
    }
