"""What the index holds (docs/search.md): one ``SearchDocument`` per findable thing, made by
the *sources* registered here — pages of every portal, service items with their guides,
published messages and their replies — and by any module that registers its own later
(``register``).

A source knows its model(s), the key of an object (``"<source>:<pk>"``), the document of an
object (None when it must not be findable: unpublished, private, suspended...) and how to
list all of its documents for a rebuild.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

# Kinds of document: the type facet (类型).
KIND_LABELS = {
    "news": "新闻动态",
    "notice": "通知公告",
    "policy": "政策文件",
    "interpretation": "政策解读",
    "topic": "专题专栏",
    "item": "办事服务",
    "message": "互动回应",
    "answer": "知识问答",
}
# Kinds whose age matters to a reader: the newer ranks a little higher.
TIMELY_KINDS = frozenset({"news", "notice"})
BODY_LIMIT = 20000


@dataclass
class SearchDocument:
    key: str  # "<source>:<pk>", unique in the index
    kind: str  # KIND_LABELS
    title: str
    body: str = ""
    url: str = ""  # absolute
    site_id: int | None = None  # the Wagtail Site (portal) it belongs to
    site_name: str = ""
    region_code: str = ""  # twelve digits
    region_name: str = ""
    region_path: list = field(default_factory=list)  # codes of the region and its ancestors
    department: str = ""
    subject: str = ""  # 主题分类 label (policy documents)
    date: datetime.datetime | None = None
    extra: str = ""  # indexed, not shown: numbers, keywords, issuers

    def as_dict(self):
        return {
            "key": self.key,
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "url": self.url,
            "site_id": self.site_id,
            "site_name": self.site_name,
            "region_code": self.region_code,
            "region_name": self.region_name,
            "region_path": list(self.region_path),
            "department": self.department,
            "subject": self.subject,
            "date": self.date.isoformat() if self.date else None,
            "extra": self.extra,
        }


def plain(html):
    """Text of rich text: tags stripped, white space collapsed, bounded."""
    text = " ".join(strip_tags(str(html or "")).split())
    return text[:BODY_LIMIT]


def region_fields(region):
    if region is None:
        return {}
    chain = [region, *region.ancestors()]
    return {
        "region_code": region.code,
        "region_name": region.name,
        "region_path": [r.code for r in chain],
    }


def aware(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time()))


class Sites:
    """The portals (Wagtail sites) of the group: which one holds a page (by path), which one
    serves a region (its own or the nearest above), their root URLs. Built once per batch."""

    def __init__(self):
        from wagtail.models import Site

        from yiwang.portal.models import PortalHomePage

        self.sites = list(Site.objects.select_related("root_page").order_by("pk"))
        self.by_root_path = {s.root_page.path: s for s in self.sites}
        homes = PortalHomePage.objects.filter(
            pk__in=[s.root_page_id for s in self.sites]
        ).select_related("region")
        self.by_home = {}
        self.by_region = {}
        for home in homes:
            site = next(s for s in self.sites if s.root_page_id == home.pk)
            self.by_home[home.pk] = site
            if home.region_id:
                self.by_region.setdefault(home.region_id, site)
        self.home_regions = {h.pk: h.region for h in homes}

    def for_page(self, page):
        """The site whose root the page is under (the deepest root that is a prefix)."""
        best = None
        for path, site in self.by_root_path.items():
            if page.path.startswith(path) and (best is None or len(path) > len(best[0])):
                best = (path, site)
        return best[1] if best else None

    def for_region(self, region):
        while region is not None:
            site = self.by_region.get(region.pk)
            if site is not None:
                return site
            region = region.parent
        return None

    @staticmethod
    def url(site, path):
        return site.root_url.rstrip("/") + path if site is not None else path


# -- sources ---------------------------------------------------------------------------------


class Source:
    name = ""
    models = ()

    def key(self, obj):
        return f"{self.name}:{obj.pk}"

    def document(self, obj, sites=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def all_objects(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def count(self):
        return self.all_objects().count()

    def documents(self, sites=None, *, batch=500):
        """Every findable document of this source (a rebuild)."""
        sites = sites or Sites()
        for obj in self.all_objects().iterator(chunk_size=batch):
            document = self.document(obj, sites)
            if document is not None:
                yield document


class PageSource(Source):
    """Articles (news, notices), policy documents, interpretations and topics of every
    portal: live and public."""

    name = "page"

    @property
    def models(self):
        from yiwang.portal.models import (
            ArticlePage,
            PolicyDocumentPage,
            PolicyInterpretationPage,
            TopicPage,
        )

        return (ArticlePage, PolicyDocumentPage, PolicyInterpretationPage, TopicPage)

    def all_objects(self):
        from wagtail.models import Page

        return Page.objects.live().public().type(*self.models).specific().order_by("path")

    def count(self):
        from wagtail.models import Page

        return Page.objects.live().public().type(*self.models).count()

    def document(self, page, sites=None):
        from yiwang.portal.models import (
            ArticlePage,
            PolicyDocumentPage,
            PolicyInterpretationPage,
            SubsiteHomePage,
            TopicPage,
        )

        page = page.specific
        if not page.live or page.get_view_restrictions().exists():
            return None
        sites = sites or Sites()
        site = sites.for_page(page)
        if site is None:
            return None
        home_region = sites.home_regions.get(site.root_page_id)
        subsite = SubsiteHomePage.objects.ancestor_of(page).select_related("region").last()
        region = (subsite.region if subsite and subsite.region_id else None) or home_region
        department = ""
        if subsite is not None and subsite.department_id:
            department = subsite.department.name
        subject, extra, date = "", [], getattr(page, "publish_date", None)
        if isinstance(page, ArticlePage):
            kind = "notice" if page.kind == "notice" else "news"
        elif isinstance(page, PolicyDocumentPage):
            kind = "policy"
            subject = page.get_subject_category_display() if page.subject_category else ""
            if page.issuing_department_id:
                department = page.issuing_department.name
            extra += [page.document_number, page.index_number, page.issuing_authority]
        elif isinstance(page, PolicyInterpretationPage):
            kind = "interpretation"
        elif isinstance(page, TopicPage):
            kind = "topic"
            date = page.last_published_at
        else:  # pragma: no cover - models above
            return None
        body = plain(getattr(page, "body", "") or getattr(page, "intro", ""))
        summary = getattr(page, "summary", "")
        if summary:
            body = f"{summary} {body}"
        extra += [getattr(page, "keywords", ""), getattr(page, "content_source", "")]
        return SearchDocument(
            key=self.key(page),
            kind=kind,
            title=page.title,
            body=body,
            url=Sites.url(site, page.get_url_parts()[2] if page.get_url_parts() else "/"),
            site_id=site.pk,
            site_name=site.site_name or site.hostname,
            department=department,
            subject=subject,
            date=aware(date or page.first_published_at),
            extra=" ".join(e for e in extra if e),
            **region_fields(region),
        )


class ItemSource(Source):
    """Service items as their portals list them (in force, published), with the guide: the
    item's name, summary, conditions, materials and FAQ."""

    name = "item"

    @property
    def models(self):
        from yiwang.catalog.models import Implementation

        return (Implementation,)

    def all_objects(self):
        from yiwang.catalog.models import Implementation

        return (
            Implementation.objects.filter(live=True)
            .select_related("region", "department", "catalog_item")
            .order_by("pk")
        )

    def document(self, implementation, sites=None):
        from django.urls import reverse

        from yiwang.catalog.constants import ImplementationStatus

        if not implementation.live or implementation.status != ImplementationStatus.IN_FORCE:
            return None
        # The row is the published version (drafts live in revisions).
        live = implementation
        sites = sites or Sites()
        site = sites.for_region(implementation.region)
        path = reverse("catalog:item", args=[implementation.code])
        materials = " ".join(m.name for m in live.materials.all())
        questions = " ".join(f"{q.question} {q.answer}" for q in live.questions.all())
        situations = " ".join(s.name for s in live.situations.all())
        body = " ".join(
            part
            for part in (live.summary, live.conditions, situations, materials, questions)
            if part
        )
        return SearchDocument(
            key=self.key(implementation),
            kind="item",
            title=live.name,
            body=body[:BODY_LIMIT],
            url=Sites.url(site, path),
            site_id=site.pk if site else None,
            site_name=(site.site_name or site.hostname) if site else "",
            department=implementation.department.name if implementation.department_id else "",
            date=aware(implementation.last_published_at or implementation.updated_at),
            extra=" ".join(x for x in (implementation.code, implementation.catalog_item.name) if x),
            **region_fields(implementation.region),
        )


class MessageSource(Source):
    """Messages the public may read (published with the writer's consent) and their
    replies, in the redacted public wording."""

    name = "message"

    @property
    def models(self):
        from yiwang.interaction.models import Message

        return (Message,)

    def all_objects(self):
        from yiwang.interaction.models import Message

        return (
            Message.objects.filter(is_published=True)
            .select_related("region", "department", "portal")
            .order_by("pk")
        )

    def document(self, message, sites=None):
        from django.urls import reverse

        if not message.is_published:
            return None
        sites = sites or Sites()
        site = sites.by_home.get(message.portal_id) or sites.for_region(message.region)
        title = message.public_title or message.title
        reply = message.public_reply or ""
        return SearchDocument(
            key=self.key(message),
            kind="message",
            title=title,
            body=f"{message.public_body} 答复：{reply}" if reply else message.public_body,
            url=Sites.url(site, reverse("interaction:published", args=[message.number])),
            site_id=site.pk if site else None,
            site_name=(site.site_name or site.hostname) if site else "",
            department=message.department.name if message.department_id else "",
            date=aware(message.replied_at or message.published_at or message.submitted_at),
            extra=f"{message.number} {message.get_kind_display()}",
            **region_fields(message.region),
        )


SOURCES = {}


def register(source):
    """Make ``source`` part of the index (its documents are found, rebuilt and kept current)."""
    SOURCES[source.name] = source
    return source


for _source in (PageSource(), ItemSource(), MessageSource()):
    register(_source)


def source_for(obj):
    """The source that indexes ``obj`` (by its class), or None."""
    from wagtail.models import Page

    for source in SOURCES.values():
        if isinstance(obj, Page) and source.name == "page":
            return source
        if isinstance(obj, tuple(source.models)):
            return source
    return None


def document_for_key(key, sites=None):
    """The current document of ``key`` (None: gone or not findable any more)."""
    name, _, pk = key.partition(":")
    source = SOURCES.get(name)
    if source is None or not pk.isdigit():
        return None
    if name == "page":
        from wagtail.models import Page

        obj = Page.objects.filter(pk=pk).first()
        obj = obj.specific if obj is not None else None
        if obj is not None and not isinstance(obj, source.models):
            return None
    else:
        obj = source.models[0].objects.filter(pk=pk).first()
    if obj is None:
        return None
    return source.document(obj, sites)


def snippet(text, limit=120):
    return Truncator(text).chars(limit)
