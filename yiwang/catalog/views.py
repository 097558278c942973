"""Public pages of the service catalog, on every portal of the site group (under /fuwu/).

The portal is the request's Wagtail ``Site``; its home page's region decides which
implementations the hall lists: the region's own (a county's with its townships') by
default, and each higher level's on request (``?region=<code>``, ``queries.portal_regions``).
Only visible implementations are listed or rendered (``Implementation.objects.visible``); a
withdrawn one answers 410 with what happened, anything else 404. Nothing is cached, so what
the administrator publishes, suspends or cancels shows on the next request.

Views stay thin: the reads are ``yiwang.catalog.queries``; this module only turns GET
parameters into filters (ignoring bad ones with a notice, never a 500) and renders.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from wagtail.models import Site

from yiwang.accounts.models import RealNameLevel
from yiwang.accounts.queries import meets_level, real_name_level
from yiwang.core.views import record_denial
from yiwang.orgs.models import Department
from yiwang.portal.constants import ColumnType
from yiwang.portal.models import PortalHomePage, PortalSettings

from . import queries
from .constants import (
    ONLINE_APPLICATION_DEPTH,
    DeliveryMethod,
    ImplementationStatus,
    ItemType,
    ThemeAudience,
    ThemeKind,
)
from .models import Implementation, Material, Theme

PER_PAGE = 20
MAX_KEYWORD = 100
HALL_TITLE = "办事服务"

# The two lines of browsing, by URL slug.
AUDIENCES = {
    "geren": ThemeAudience.INDIVIDUAL,
    "faren": ThemeAudience.LEGAL_PERSON,
}
AUDIENCE_SLUGS = {audience: slug for slug, audience in AUDIENCES.items()}


def events_label(audience):
    """What the life-event themes are called on a line: a person's life, a company's."""
    return "人生事件" if audience == ThemeAudience.INDIVIDUAL else "企业生命周期"


# Public pages are the same for everyone and never stale: caches must ask again each time.
public_page = cache_control(public=True, no_cache=True, max_age=0)


# The portal ---------------------------------------------------------------------------------


@dataclass
class Portal:
    site: Site | None
    home: object
    region: object

    @property
    def name(self):
        return self.home.title if self.home is not None else HALL_TITLE


def current_portal(request):
    site = Site.find_for_request(request)
    home = site.root_page.specific if site else None
    region = home.region if isinstance(home, PortalHomePage) else None
    return Portal(site=site, home=home, region=region)


def national_meta(request, portal, *, title="", published=None, description=""):
    """The national meta tags (STANDARDS.md) of a catalog page: its column is 办事服务."""
    settings = PortalSettings.for_site(portal.site) if portal.site else None
    return {
        "SiteName": portal.name,
        "SiteDomain": portal.site.hostname if portal.site else "",
        "SiteIDCode": settings.site_id_code if settings else "",
        "ColumnName": HALL_TITLE,
        "ColumnType": ColumnType.SERVICE.label,
        "ArticleTitle": title,
        "PubDate": timezone.localtime(published).strftime("%Y-%m-%d %H:%M") if published else "",
        "ContentSource": "",
        "Keywords": title,
        "Author": "",
        "Description": description[:200],
        "Image": "",
        "Url": request.build_absolute_uri(),
    }


def page_context(request, portal, *, crumbs, nav="true", **meta):
    """What every catalog page gives ``catalog/base.html``: breadcrumbs after 首页 and
    办事服务, the aria-current of the 办事服务 link, the meta tags."""
    return {
        "portal": portal,
        "crumbs": crumbs,
        "catalog_nav": nav,
        "national_meta": national_meta(request, portal, **meta),
    }


# Filters of the lists -----------------------------------------------------------------------


@dataclass
class Filters:
    """The GET parameters of a list, checked. Bad values are dropped and named in
    ``notices``; what is left becomes the query string that pagination keeps."""

    path: str = ""
    params: dict = field(default_factory=dict)
    notices: list = field(default_factory=list)

    def link(self, **changes):
        """This list's URL with ``changes`` to its query (``None`` removes a key), on page 1."""
        params = {**self.params, **changes}
        params = {key: value for key, value in params.items() if value not in (None, "")}
        return self.path + ("?" + urlencode(params) if params else "")

    @property
    def query_string(self):
        return urlencode(self.params)

    def get(self, key, default=None):
        return self.params.get(key, default)


def read_filters(request, *, portal, audience=None):
    """Parse region, q, theme, event, department and type. Returns ``(filters, scope)``,
    ``scope`` being the selected region (``None`` when the portal has no region)."""
    get = request.GET
    filters = Filters(path=request.path)
    regions = queries.portal_regions(portal.region)
    scope = regions[0] if regions else None
    wanted = get.get("region", "").strip()
    if wanted:
        chosen = next((region for region in regions if region.code == wanted), None)
        if chosen is None:
            filters.notices.append("所选地区不在本网站的服务范围内，已显示本地区的事项。")
        else:
            scope = chosen
            if chosen != regions[0]:
                filters.params["region"] = chosen.code

    keyword = " ".join(get.get("q", "").split())[:MAX_KEYWORD]
    if keyword:
        filters.params["q"] = keyword

    theme_kinds = {"theme": ThemeKind.TOPIC, "event": ThemeKind.LIFE_EVENT}
    for key, kind in theme_kinds.items():
        code = get.get(key, "").strip()
        if not code:
            continue
        themes = Theme.objects.filter(code=code, kind=kind, active=True)
        if audience is not None:
            themes = themes.filter(audience=audience)
        theme = themes.first()
        if theme is None:
            label = "主题" if kind == ThemeKind.TOPIC else "人生事件"
            filters.notices.append(f"没有找到所选的{label}，已忽略该筛选条件。")
        else:
            filters.params[key] = theme.code

    department = get.get("department", "").strip()
    if department:
        if department.isdigit() and Department.objects.filter(pk=int(department)).exists():
            filters.params["department"] = department
        else:
            filters.notices.append("没有找到所选的部门，已忽略该筛选条件。")

    item_type = get.get("type", "").strip()
    if item_type:
        if item_type.isdigit() and int(item_type) in ItemType.values:
            filters.params["type"] = item_type
        else:
            filters.notices.append("事项类型无效，已忽略该筛选条件。")
    return filters, scope


def scoped(scope, at=None):
    """The visible implementations a portal lists for ``scope``: a county's include its
    townships'; a city's or a province's are their own (their children are portals)."""
    if scope is None:
        return queries.visible_implementations(at)
    return queries.implementations_for_region(scope, at=at)


def apply_filters(qs, filters):
    keyword = filters.get("q")
    if keyword:
        qs = qs.filter(
            Q(name__icontains=keyword)
            | Q(code__icontains=keyword)
            | Q(catalog_item__code__icontains=keyword)
            | Q(catalog_item__name__icontains=keyword)
        )
    for key in ("theme", "event"):
        if filters.get(key):
            qs = qs.filter(themes__code=filters.get(key))
    if filters.get("department"):
        qs = qs.filter(department_id=int(filters.get("department")))
    if filters.get("type"):
        qs = qs.filter(catalog_item__item_type=int(filters.get("type")))
    return qs.distinct()


def region_switcher(filters, regions, scope):
    """Links to the portal's own region and the levels above it."""
    if len(regions) < 2:
        return []
    links = []
    for index, region in enumerate(regions):
        own = index == 0
        links.append(
            {
                "label": region.name + ("（本地）" if own else ""),
                "url": filters.link(region=None if own else region.code, page=None),
                "current": region == scope,
            }
        )
    return links


def theme_facets(filters, base, audience):
    """Topic and life-event links of ``audience`` with their counts in ``base``; empty
    themes are left out unless selected."""
    topics, events = [], []
    for theme in queries.themes_with_counts(base, audience):
        key = "theme" if theme.kind == ThemeKind.TOPIC else "event"
        current = filters.get(key) == theme.code
        if not theme.item_count and not current:
            continue
        entry = {
            "label": theme.name,
            "count": theme.item_count,
            "current": current,
            "url": filters.link(**{key: None if current else theme.code}),
        }
        (topics if key == "theme" else events).append(entry)
    return topics, events


def department_facets(filters, base):
    return [
        {
            "label": department.name,
            "count": department.item_count,
            "current": filters.get("department") == str(department.pk),
            "url": filters.link(
                department=None
                if filters.get("department") == str(department.pk)
                else str(department.pk)
            ),
            "department": department,
        }
        for department in queries.departments_with_counts(base)
    ]


def type_facets(filters, base):
    counts = dict(
        base.order_by()
        .values_list("catalog_item__item_type")
        .annotate(n=Count("pk", distinct=True))
        .values_list("catalog_item__item_type", "n")
    )
    return [
        {
            "label": item_type.label,
            "count": counts[item_type.value],
            "current": filters.get("type") == str(item_type.value),
            "url": filters.link(
                type=None if filters.get("type") == str(item_type.value) else item_type.value
            ),
        }
        for item_type in ItemType
        if counts.get(item_type.value)
    ]


def result_page(request, qs):
    qs = qs.select_related("catalog_item", "department", "region").order_by("name", "code")
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


# The hall and its two lines -----------------------------------------------------------------


@require_GET
@public_page
def hall_home(request):
    """办事服务 home of the portal: the two lines, themes and departments with counts, the
    keyword filter and the region switcher; results when a filter is set."""
    portal = current_portal(request)
    filters, scope = read_filters(request, portal=portal)
    base = scoped(scope)
    themes = {}
    for audience in (ThemeAudience.INDIVIDUAL, ThemeAudience.LEGAL_PERSON):
        slug = AUDIENCE_SLUGS[audience]
        line = Filters(
            path=reverse(f"catalog:{slug}"),
            params={key: value for key, value in filters.params.items() if key == "region"},
        )
        topics, events = theme_facets(line, queries.for_audience(base, audience), audience)
        themes[audience] = {
            "slug": slug,
            "label": audience.label,
            "events_label": events_label(audience),
            "url": line.link(),
            "count": queries.for_audience(base, audience).count(),
            "topics": topics,
            "events": events,
        }
    searching = any(filters.get(key) for key in ("q", "department", "type"))
    context = {
        "filters": filters,
        "scope": scope,
        "regions": region_switcher(filters, queries.portal_regions(portal.region), scope),
        "lines": [themes[ThemeAudience.INDIVIDUAL], themes[ThemeAudience.LEGAL_PERSON]],
        "departments": department_facets(filters, base),
        "searching": searching,
        "page_obj": result_page(request, apply_filters(base, filters)) if searching else None,
        **page_context(
            request,
            portal,
            crumbs=[],
            nav="page",
            description=f"{portal.name}政务服务事项目录：个人办事、法人办事、按主题和部门查找。",
        ),
    }
    return render(request, "catalog/hall_home.html", context)


@require_GET
@public_page
def browse(request, audience_slug):
    """个人办事 or 法人办事: by theme, life event, department, item type, keyword; filters
    combine; paginated."""
    audience = AUDIENCES[audience_slug]
    portal = current_portal(request)
    filters, scope = read_filters(request, portal=portal, audience=audience)
    base = queries.for_audience(scoped(scope), audience)
    topics, events = theme_facets(filters, base, audience)
    page_obj = result_page(request, apply_filters(base, filters))
    context = {
        "audience": audience,
        "audience_slug": audience_slug,
        "title": audience.label,
        "events_label": events_label(audience),
        "filters": filters,
        "scope": scope,
        "regions": region_switcher(filters, queries.portal_regions(portal.region), scope),
        "topics": topics,
        "events": events,
        "departments": department_facets(filters, base),
        "types": type_facets(filters, base),
        "page_obj": page_obj,
        "any_filter": any(filters.get(k) for k in ("q", "theme", "event", "department", "type")),
        **page_context(
            request,
            portal,
            crumbs=[{"label": audience.label}],
            description=f"{portal.name}{audience.label}事项目录。",
        ),
    }
    return render(request, "catalog/browse.html", context)


# The item page ------------------------------------------------------------------------------


def find_implementation(code):
    """The visible implementation with ``code``; raises ``Withdrawn`` for a suspended or
    cancelled one, ``Http404`` for anything else (unknown codes, drafts never published)."""
    implementation, withdrawn = queries.find_by_code(
        code,
        visible=Implementation.objects.visible().select_related(
            "catalog_item",
            "department",
            "region",
            "flow_chart",
            "result_sample",
            "variant_of",
        ),
    )
    if implementation is not None:
        return implementation
    if withdrawn is not None:
        raise Withdrawn(withdrawn)
    raise Http404("没有找到该事项")


class Withdrawn(Exception):
    def __init__(self, implementation):
        super().__init__(implementation.code)
        self.implementation = implementation


def gone(request, implementation):
    """410 for a suspended or cancelled implementation: since when, why, what replaces it."""
    portal = current_portal(request)
    replacement = implementation.replaced_by
    if replacement is not None and not replacement.is_visible():
        replacement = None
    context = {
        "implementation": implementation,
        "suspended": implementation.status == ImplementationStatus.SUSPENDED,
        "replacement": replacement,
        **page_context(
            request, portal, crumbs=[{"label": implementation.name}], title=implementation.name
        ),
    }
    return render(request, "catalog/item_gone.html", context, status=410)


def with_implementation(view):
    """Look the ``code`` up for ``view(request, implementation)``: 410 when withdrawn."""

    def wrapped(request, code):
        try:
            implementation = find_implementation(code)
        except Withdrawn as exc:
            return gone(request, exc.implementation)
        return view(request, implementation)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def audience_of(implementation):
    """The line an implementation is browsed under first (an item for both: individuals)."""
    if implementation.audience == "legal_person":
        return ThemeAudience.LEGAL_PERSON
    return ThemeAudience.INDIVIDUAL


def audience_crumb(implementation):
    audience = audience_of(implementation)
    return {"label": audience.label, "url": reverse(f"catalog:{AUDIENCE_SLUGS[audience]}")}


def material_rows(implementation, situation_code):
    materials = list(
        Material.objects.filter(implementation=implementation)
        .select_related("blank_form", "sample_form")
        .order_by("sort_order", "pk")
    )
    if situation_code:
        materials = [material for material in materials if material.applies_to(situation_code)]
    return materials


def related_variants(implementation):
    """The business variants of this implementation's main item, the main item itself, and
    this one's own variants, visible ones only, without itself."""
    main = implementation.variant_of if implementation.variant_of_id else None
    if main is not None and not main.is_visible():
        main = None
    family = Q(variant_of=implementation)
    if implementation.variant_of_id:
        family |= Q(variant_of_id=implementation.variant_of_id)
    variants = (
        Implementation.objects.visible()
        .filter(family)
        .exclude(pk=implementation.pk)
        .order_by("code")
    )
    return main, list(variants)


@require_GET
@public_page
@with_implementation
def item(request, implementation):
    """The item page: the complete service guide, with the materials of one situation on
    ``?situation=<code>``."""
    portal = current_portal(request)
    situations = list(implementation.situations.order_by("sort_order", "pk"))
    notices = []
    situation_code = request.GET.get("situation", "").strip()
    situation = next((s for s in situations if s.code == situation_code), None)
    if situation_code and situation is None:
        notices.append("没有找到所选的办理情形，已列出全部材料。")
        situation_code = ""
    main, variants = related_variants(implementation)
    pending = None
    if implementation.status != ImplementationStatus.IN_FORCE:
        pending = {
            "suspended": implementation.status == ImplementationStatus.SUSPENDED,
            "at": implementation.status_effective_at,
            "reason": implementation.status_reason,
        }
    context = {
        "implementation": implementation,
        "item_type": ItemType(implementation.catalog_item.item_type),
        "situations": situations,
        "situation": situation,
        "materials": material_rows(implementation, situation_code),
        "legal_bases": queries.sorted_legal_bases(implementation),
        "steps": list(implementation.process_steps.order_by("sort_order", "pk")),
        "special_procedures": list(implementation.special_procedures.order_by("sort_order")),
        "fees": list(implementation.fees.order_by("sort_order", "pk")),
        "questions": list(implementation.questions.order_by("sort_order", "pk")),
        "themes": sorted(
            implementation.themes.filter(active=True),
            key=lambda theme: (theme.kind != ThemeKind.TOPIC, theme.sort_order, theme.code),
        ),
        "delivery_methods": [
            DeliveryMethod(value).label
            for value in implementation.delivery_methods or []
            if value in DeliveryMethod.values
        ],
        "main": main,
        "variants": variants,
        "can_apply_online": implementation.online_depth >= ONLINE_APPLICATION_DEPTH,
        "pending": pending,
        "notices": notices,
        "conditions": [
            line.strip() for line in implementation.conditions.splitlines() if line.strip()
        ],
        **page_context(
            request,
            portal,
            crumbs=[audience_crumb(implementation), {"label": implementation.name}],
            title=implementation.name,
            published=implementation.last_published_at,
            description=implementation.summary,
        ),
    }
    return render(request, "catalog/item.html", context)


@require_GET
@public_page
@with_implementation
def guide_pdf(request, implementation):
    """The guide as a PDF (rendered by ``yiwang.catalog.pdf``)."""
    from .pdf import render_guide_pdf

    response = HttpResponse(render_guide_pdf(implementation), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=pdf_filename(implementation)
    )
    return response


def pdf_filename(implementation):
    return f"{implementation.name}-办事指南.pdf"


@require_GET
@never_cache
@with_implementation
def apply(request, implementation):
    """在线办理: for items applied online, a logged-in user at the item's real-name level goes
    on into the online hall (``hall:apply``: start or resume the application). Anonymous
    visitors sign on first; users below the level learn how to reach it (403, audited);
    items not applied online say how to apply at the counter."""
    portal = current_portal(request)
    crumbs = [
        audience_crumb(implementation),
        {
            "label": implementation.name,
            "url": reverse("catalog:item", args=[implementation.code]),
        },
        {"label": "在线办理"},
    ]
    context = {
        "implementation": implementation,
        "can_apply_online": implementation.online_depth >= ONLINE_APPLICATION_DEPTH,
        **page_context(request, portal, crumbs=crumbs, title=f"{implementation.name} 在线办理"),
    }
    if not context["can_apply_online"]:
        return render(request, "catalog/apply.html", context)
    if not request.user.is_authenticated:
        return redirect(
            reverse("accounts:sso_start") + "?" + urlencode({"next": request.get_full_path()})
        )
    required = RealNameLevel(implementation.real_name_level)
    if not meets_level(request.user, required):
        current = real_name_level(request.user)
        record_denial(
            request,
            source="real_name_level",
            reason=f"事项 {implementation.code} 需要实名等级 {required.value} 级，"
            f"当前 {current} 级",
        )
        context.update(
            required_level=required,
            current_level=RealNameLevel(current) if current else None,
            current_level_value=current,
            has_id_number=bool(getattr(request.user, "id_number_digest", "")),
            centre_url=reverse("accounts:centre"),
        )
        return render(request, "catalog/apply_level_required.html", context, status=403)
    return redirect("hall:apply", implementation.code)


# Power and responsibility lists -------------------------------------------------------------


def department_lists_context(request, department, label):
    portal = current_portal(request)
    return {
        "department": department,
        "title": f"{department.name}{label}",
        **page_context(
            request,
            portal,
            crumbs=[{"label": f"{department.name}{label}"}],
            title=f"{department.name}{label}",
            description=f"{department.name}{label}，由政务服务事项目录生成。",
        ),
    }


@require_GET
@public_page
def power_list(request, department_id):
    """权力清单 of a department, from the catalog (``queries.power_list``)."""
    department = get_object_or_404(Department.objects.select_related("region"), pk=department_id)
    rows = [
        {
            "implementation": implementation,
            "item_type": ItemType(implementation.catalog_item.item_type).label,
            "legal_bases": queries.sorted_legal_bases(implementation),
        }
        for implementation in queries.power_list(department)
    ]
    context = department_lists_context(request, department, "权力清单")
    context["rows"] = rows
    return render(request, "catalog/power_list.html", context)


@require_GET
@public_page
def responsibility_list(request, department_id):
    """责任清单 of a department, from the catalog (``queries.responsibility_list``)."""
    department = get_object_or_404(Department.objects.select_related("region"), pk=department_id)
    rows = queries.responsibility_list(department)
    for row in rows:
        row["item_type"] = ItemType(row["implementation"].catalog_item.item_type).label
    context = department_lists_context(request, department, "责任清单")
    context["rows"] = rows
    return render(request, "catalog/responsibility_list.html", context)
