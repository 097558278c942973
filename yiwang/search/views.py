"""The public results page (docs/search.md): one search over the whole site group or this
portal, filters and counts, snippets, pages. Works without JavaScript (links and a GET
form); ``static/search/search.js`` updates the results in place when it can. Bad input is
named in Chinese and left out, never an error page."""

import datetime
from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone
from wagtail.models import Site

from yiwang.portal.models import PortalSettings

from . import query, stats
from .documents import KIND_LABELS

PARAMS = ("q", "scope", "type", "site", "region", "department", "subject", "year", "sort")
FACET_TITLES = {
    "kind": ("type", "类型"),
    "site_id": ("site", "网站"),
    "region_code": ("region", "地区"),
    "department": ("department", "部门"),
    "subject": ("subject", "主题分类"),
    "year": ("year", "年份"),
}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def read(request):
    """The search's choices from the query string, checked: ``(choices, notices)``."""
    get = request.GET
    notices = []
    choices = {name: (get.get(name) or "").strip()[:100] for name in PARAMS}
    choices["q"] = " ".join(choices["q"].split())[: query.MAX_QUERY_CHARS]
    if choices["scope"] not in ("", "all", "site"):
        choices["scope"] = ""
    if choices["type"] and choices["type"] not in KIND_LABELS:
        notices.append("所选信息类型不存在，已显示全部类型。")
        choices["type"] = ""
    if choices["site"] and _int(choices["site"]) is None:
        notices.append("所选网站不存在，已显示全部网站。")
        choices["site"] = ""
    year = _int(choices["year"]) if choices["year"] else None
    if choices["year"] and (year is None or not 1990 <= year <= 2100):
        notices.append("年份无效，已显示全部年份。")
        choices["year"] = ""
    if choices["region"] and not choices["region"].isdigit():
        notices.append("所选地区无效，已显示全部地区。")
        choices["region"] = ""
    if choices["sort"] not in ("", "relevance", "date"):
        choices["sort"] = ""
    page = _int(get.get("page")) or 1
    if page < 1:
        page = 1
    choices["page"] = page
    return choices, notices


def link(choices, **changes):
    """This search's URL with ``changes`` (None removes a choice), on its first page."""
    params = {k: v for k, v in choices.items() if k in PARAMS and v}
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(params) if params else "?"


def results(request):
    site = Site.find_for_request(request)
    choices, notices = read(request)
    outcome = None
    if choices["q"]:
        scope_site = site if choices["scope"] == "site" else None
        chosen_site = None
        if choices["site"]:
            chosen_site = Site.objects.filter(pk=_int(choices["site"])).first()
            if chosen_site is None:
                notices.append("所选网站不存在，已显示全部网站。")
                choices["site"] = ""
        year = _int(choices["year"])
        outcome = query.search(
            choices["q"],
            site=chosen_site or scope_site,
            kinds=[choices["type"]] if choices["type"] else (),
            region_code=choices["region"],
            department=choices["department"],
            subject=choices["subject"],
            date_from=datetime.date(year, 1, 1) if year else None,
            date_to=datetime.date(year, 12, 31) if year else None,
            sort=choices["sort"] or "relevance",
            page=choices["page"],
            home_site=site,
        )
    promoted = []
    if outcome is not None:
        filtered = any(choices[name] for name in PARAMS if name not in ("q", "scope", "sort"))
        if choices["page"] == 1 and not filtered:
            stats.record(choices["q"], site_id=site.pk if site else 0, total=outcome.total)
            promoted = stats.promoted_for(choices["q"], site)
    facets = []
    if outcome is not None:
        for name, (param, title) in FACET_TITLES.items():
            values = outcome.facets.get(name) or []
            chosen = choices.get(param, "")
            items = [
                {
                    "label": label,
                    "count": count,
                    "url": link(choices, **{param: str(value), "page": None}),
                    "current": str(value) == chosen,
                }
                for value, label, count in values
            ]
            if items or chosen:
                facets.append(
                    {
                        "param": param,
                        "title": title,
                        "items": items,
                        "chosen": chosen,
                        "clear_url": link(choices, **{param: None, "page": None}),
                    }
                )
    pages = []
    if outcome is not None and outcome.pages > 1:
        for number in range(max(1, outcome.page - 4), min(outcome.pages, outcome.page + 4) + 1):
            pages.append({"number": number, "url": link(choices, page=str(number))})
    home = site.root_page.specific if site else None
    settings = PortalSettings.for_site(site) if site else None
    context = {
        "choices": choices,
        "notices": notices,
        "outcome": outcome,
        "promoted": promoted,
        "hot": stats.hot_queries(limit=8) if not choices["q"] else [],
        "facets": facets,
        "pages": pages,
        "previous_url": link(choices, page=str(outcome.page - 1))
        if outcome and outcome.page > 1
        else "",
        "next_url": link(choices, page=str(outcome.page + 1))
        if outcome and outcome.page < outcome.pages
        else "",
        "sort_relevance_url": link(choices, sort=None, page=None),
        "sort_date_url": link(choices, sort="date", page=None),
        "scope_all_url": link(choices, scope=None, page=None),
        "scope_site_url": link(choices, scope="site", site=None, page=None),
        "national_meta": {
            "SiteName": home.title if home else "",
            "SiteDomain": site.hostname if site else "",
            "SiteIDCode": settings.site_id_code if settings else "",
            "ColumnName": "搜索",
            "ColumnType": "",
            "ArticleTitle": choices["q"],
            "PubDate": "",
            "ContentSource": "",
            "Keywords": choices["q"],
            "Author": "",
            "Description": "",
            "Image": "",
            "Url": request.build_absolute_uri(),
        },
        "now": timezone.now(),
    }
    fragment = bool(request.headers.get("X-Search-Fragment"))
    template = "search/results_fragment.html" if fragment else "search/results.html"
    return render(request, template, context)
