"""One search across the site group (docs/search.md): a visitor's words and choices in, a
page of results with snippets and facet counts out, whatever the engine.

``search(q, ...)``: the words are normalised and segmented (``text.query_terms``, synonyms
included); every word must match (in the title, body or metadata); the best
``CANDIDATES`` by BM25 are re-ranked so that, among equals, newer news and notices come
first (a half-life of ``RECENCY_HALF_LIFE_DAYS``).
"""

import math
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import text
from .documents import KIND_LABELS, TIMELY_KINDS
from .engines import get_engine
from .engines.base import CANDIDATES, SearchRequest

RECENCY_HALF_LIFE_DAYS = 90
RECENCY_WEIGHT = 0.5
# On a portal, its own results rank a little higher among equals (the whole group is still
# searched).
HOME_SITE_BONUS = 1.2
SNIPPET_CHARS = 120
MAX_QUERY_CHARS = 100
PER_PAGE = 10
MAX_PAGE = 100


@dataclass
class Result:
    key: str
    kind: str
    kind_label: str
    title: str
    title_html: str
    snippet_html: str
    url: str
    site_name: str
    region_name: str
    department: str
    date: object
    score: float


@dataclass
class Outcome:
    query: str
    terms: list
    total: int
    results: list
    facets: dict = field(default_factory=dict)  # name -> [(value, label, count)]
    page: int = 1
    per_page: int = PER_PAGE
    suggestion: str = ""  # 您是不是要找: a query that finds something, when this one did not
    suggestion_total: int = 0

    @property
    def pages(self):
        return max(1, min(MAX_PAGE, math.ceil(self.total / self.per_page)))


def _recency(fields, now):
    if fields.get("kind") not in TIMELY_KINDS or not fields.get("date"):
        return 1.0
    when = parse_datetime(fields["date"])
    if when is None:
        return 1.0
    age_days = max(0.0, (now - when).total_seconds() / 86400)
    return 1.0 + RECENCY_WEIGHT * 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)


def highlight(value, terms, *, window=None):
    """``value`` escaped with the places where ``terms`` occur in ``<mark>``; with
    ``window``, only about that many characters around the first place."""
    value = value or ""
    spans = text.highlight_spans(value, terms)
    start, end = 0, len(value)
    if window is not None and len(value) > window:
        first = spans[0][0] if spans else 0
        start = max(0, first - window // 4)
        end = min(len(value), start + window)
        spans = [(a, b) for a, b in spans if a >= start and b <= end]
    out, at = [], start
    for a, b in spans:
        out.append(escape(value[at:a]))
        out.append(f"<mark>{escape(value[a:b])}</mark>")
        at = b
    out.append(escape(value[at:end]))
    html = "".join(out)
    if start > 0:
        html = "…" + html
    if end < len(value):
        html += "…"
    return mark_safe(html)


def search(
    q,
    *,
    site=None,
    kinds=(),
    region_code="",
    department="",
    subject="",
    date_from=None,
    date_to=None,
    sort="relevance",
    page=1,
    per_page=PER_PAGE,
    facets=True,
    home_site=None,
):
    """A page of results for ``q`` (``site``: a Wagtail Site to search that portal only;
    ``home_site``: the portal searched from, whose results rank a little higher)."""
    q = " ".join((q or "").split())[:MAX_QUERY_CHARS]
    terms = text.query_terms(q)
    page = max(1, min(int(page or 1), MAX_PAGE))
    request = SearchRequest(
        terms=terms,
        phrase=[group[0] for group in terms],
        kinds=tuple(kinds or ()),
        site_id=site.pk if site is not None else None,
        region_code=region_code or "",
        department=department or "",
        subject=subject or "",
        date_from=date_from,
        date_to=date_to,
        sort=sort if sort in ("relevance", "date") else "relevance",
        offset=(page - 1) * per_page,
        limit=per_page,
        facets=facets,
    )
    if not terms:
        return Outcome(query=q, terms=[], total=0, results=[], page=page, per_page=per_page)
    results = get_engine().search(request)
    hits = results.hits
    if request.sort == "relevance" and request.offset + request.limit <= CANDIDATES:
        now = timezone.now()
        home_id = home_site.pk if home_site is not None else None

        def rank(hit):
            bonus = HOME_SITE_BONUS if home_id and hit.fields.get("site_id") == home_id else 1.0
            return hit.score * _recency(hit.fields, now) * bonus

        hits = sorted(hits, key=rank, reverse=True)
        hits = hits[request.offset : request.offset + request.limit]
    all_terms = [alt for group in terms for alt in group]
    suggestion, suggestion_total = "", 0
    if not results.total:
        suggestion, suggestion_total = _suggestion(terms, request)
    return Outcome(
        query=q,
        terms=terms,
        total=results.total,
        results=[_result(hit, all_terms) for hit in hits],
        facets=_labelled(results.facets),
        page=page,
        per_page=per_page,
        suggestion=suggestion,
        suggestion_total=suggestion_total,
    )


def _suggestion(terms, request):
    """The first candidate of ``suggest`` that finds something, with its count."""
    import dataclasses

    from . import suggest

    engine = get_engine()
    for candidate in suggest.candidates(terms)[:8]:
        candidate_terms = text.query_terms(candidate)
        if not candidate_terms:
            continue
        probe = dataclasses.replace(
            request,
            terms=candidate_terms,
            phrase=[g[0] for g in candidate_terms],
            offset=0,
            limit=1,
            facets=False,
        )
        found = engine.search(probe).total
        if found:
            return candidate.replace(" ", ""), found
    return "", 0


def _result(hit, terms):
    fields = hit.fields
    return Result(
        key=hit.key,
        kind=fields["kind"],
        kind_label=KIND_LABELS.get(fields["kind"], fields["kind"]),
        title=fields["title"],
        title_html=highlight(fields["title"], terms),
        snippet_html=highlight(fields.get("body", ""), terms, window=SNIPPET_CHARS),
        url=fields.get("url", ""),
        site_name=fields.get("site_name", ""),
        region_name=fields.get("region_name", ""),
        department=fields.get("department", ""),
        date=parse_datetime(fields["date"]) if fields.get("date") else None,
        score=hit.score,
    )


def _labelled(facets):
    from wagtail.models import Site

    from yiwang.orgs.models import Region

    out = {}
    site_names = {}
    if facets.get("site_id"):
        ids = [value for value, _ in facets["site_id"]]
        site_names = {s.pk: s.site_name or s.hostname for s in Site.objects.filter(pk__in=ids)}
    region_names = {}
    if facets.get("region_code"):
        codes = [value for value, _ in facets["region_code"]]
        region_names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    for name, values in facets.items():
        labelled = []
        for value, count in values:
            if name == "kind":
                label = KIND_LABELS.get(value, value)
            elif name == "site_id":
                label = site_names.get(value, str(value))
            elif name == "region_code":
                label = region_names.get(value, value)
            elif name == "year":
                label = f"{value}年"
            else:
                label = value
            labelled.append((value, label, count))
        out[name] = labelled
    return out
