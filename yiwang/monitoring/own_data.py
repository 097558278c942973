"""Checks of our own portals read from our own data rather than guessed from the pages:
the freshness of every column and of the home page (Wagtail's live pages), the guide
completeness and online services of the portal's region (``yiwang.catalog``), and the
answering of messages (``yiwang.interaction``). Read-only; each function returns
``results.Column`` or ``results.Finding`` objects for a ``MonitoredSite`` whose ``portal``
is set.
"""

import datetime
from urllib.parse import urljoin

from django.db.models import Count, Max
from django.utils import timezone

from yiwang.catalog import completeness
from yiwang.catalog.constants import ONLINE_APPLICATION_DEPTH, VETO_MISSING_ELEMENTS
from yiwang.catalog.queries import visible_implementations
from yiwang.interaction.constants import Status
from yiwang.interaction.models import Message
from yiwang.portal.constants import ColumnType
from yiwang.portal.models import ColumnPage, PortalHomePage, content_listing, subsite_exclusion

from .constants import UNANSWERED_DAYS, UNANSWERED_WITHIN_DAYS
from .results import Column, ColumnKind, Finding, FindingKind

KIND_OF_COLUMN_TYPE = {
    ColumnType.NEWS: ColumnKind.NEWS,
    ColumnType.NOTICE: ColumnKind.NOTICE,
    ColumnType.POLICY: ColumnKind.POLICY,
}
# Listed in evidence texts; the rest are counted.
EXAMPLES = 10


def portal_home(site):
    """The ``PortalHomePage`` of a monitored site of ours (None: external, or not a portal)."""
    if site.portal_id is None:
        return None
    home = site.portal.root_page.specific
    return home if isinstance(home, PortalHomePage) else None


def page_url(site, page):
    """The address of ``page`` under the monitored site's base URL (the crawler's key)."""
    root_path = site.portal.root_page.url_path
    relative = page.url_path[len(root_path) :] if page.url_path.startswith(root_path) else ""
    return urljoin(site.base_url, relative)


def _local_date(value):
    return timezone.localdate(value) if value is not None else None


def columns(site):
    """Every live, public column (栏目) of the portal, sub-sites included, with the number
    of its live content items and the date of the newest (``publish_date``, the page's
    PubDate). A column holding only sub-columns is a container and left out. News, notice
    and policy columns are judged as such; the rest as ``other``."""
    home = portal_home(site)
    if home is None:
        return []
    found = []
    for column in ColumnPage.objects.live().public().descendant_of(home).order_by("path"):
        children = column.get_children()
        figures = content_listing(children).aggregate(items=Count("pk"), newest=Max("sort_date"))
        if not figures["items"] and column.section_children().exists():
            continue
        found.append(
            Column(
                url=page_url(site, column),
                name=column.title,
                kind=KIND_OF_COLUMN_TYPE.get(column.column_type, ColumnKind.OTHER),
                items=figures["items"],
                newest=_local_date(figures["newest"]),
            )
        )
    return found


def home_newest(site):
    """The date of the newest live content item of the portal outside its sub-sites (what
    its home page shows); None when it has none."""
    home = portal_home(site)
    if home is None:
        return None
    newest = (
        content_listing(home.get_descendants())
        .exclude(subsite_exclusion(home))
        .values_list("sort_date", flat=True)
        .first()
    )
    return _local_date(newest)


def guide_findings(site, *, at=None):
    """Veto 6 and its deduction: items of the portal's region missing 4+ of the 10 key guide
    elements (``catalog.completeness``), and whether any item can be applied for online."""
    home = portal_home(site)
    if home is None or home.region_id is None:
        return []
    implementations = visible_implementations(at).filter(region_id=home.region_id)
    items = completeness.check(implementations)
    findings = []
    bad = [item for item in items if item.counts_for_veto]
    if bad:
        examples = "；".join(
            f"{item.implementation.name}（缺{'、'.join(item.missing_labels)}）"
            for item in bad[:EXAMPLES]
        )
        more = f"等 {len(bad)} 项" if len(bad) > EXAMPLES else ""
        findings.append(
            Finding(
                kind=FindingKind.GUIDE_INCOMPLETE,
                url=site.base_url,
                detail=(
                    f"{home.region.name}共 {len(items)} 项事项，{len(bad)} 项缺少"
                    f" {VETO_MISSING_ELEMENTS} 个及以上关键要素：{examples}{more}"
                ),
                count=len(bad),
            )
        )
    online = implementations.filter(online_depth__gte=ONLINE_APPLICATION_DEPTH).count()
    if not online:
        findings.append(
            Finding(
                kind=FindingKind.NO_ONLINE_SERVICE,
                url=site.base_url,
                detail=f"{home.region.name}的 {len(items)} 项事项均不能在网上申请办理",
                count=len(items),
            )
        )
    return findings


def interaction_findings(site, *, now=None):
    """Veto 5: a working consultation channel (the portal's 政民互动 pages under /hudong/,
    which exist for a portal with a region), and valid messages of the region submitted
    within the last year and still unanswered more than 90 days after."""
    home = portal_home(site)
    if home is None:
        return []
    if home.region_id is None:
        return [
            Finding(
                kind=FindingKind.NO_CONSULTATION_CHANNEL,
                url=urljoin(site.base_url, "hudong/"),
                detail="网站未设置行政区划，政民互动（留言咨询）未开通",
            )
        ]
    now = now or timezone.now()
    late = (
        Message.objects.filter(
            region_id=home.region_id,
            submitted_at__gte=now - datetime.timedelta(days=UNANSWERED_WITHIN_DAYS),
            submitted_at__lt=now - datetime.timedelta(days=UNANSWERED_DAYS),
            replied_at__isnull=True,
        )
        .exclude(status=Status.INVALID)
        .order_by("submitted_at")
    )
    numbers = list(late.values_list("number", flat=True))
    if not numbers:
        return []
    examples = "、".join(numbers[:EXAMPLES]) + (f"等 {len(numbers)} 件" if len(numbers) > 1 else "")
    return [
        Finding(
            kind=FindingKind.UNANSWERED_MESSAGES,
            url=urljoin(site.base_url, "hudong/"),
            detail=(
                f"近一年有 {len(numbers)} 件有效留言超过 {UNANSWERED_DAYS} 天未答复：{examples}"
            ),
            count=len(numbers),
        )
    ]


def findings(site, *, now=None):
    """Every own-data finding of ``site`` besides freshness (guides, services,
    interaction)."""
    return guide_findings(site, at=now) + interaction_findings(site, now=now)
