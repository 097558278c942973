"""Loading, describing and removing the demo site group.

``load_demo`` builds everything (``builder.py``) in one transaction, so a failure leaves the
database as it was; run again, it only describes what is there.
"""

import contextlib
import logging
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from tqdm import tqdm
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site, Task, Workflow

from yiwang.orgs.models import Department, Region, ServiceCentre
from yiwang.portal.models import (
    ArticlePage,
    PolicyDocumentPage,
    PolicyInterpretationPage,
    SiteMigration,
)
from yiwang.search import index as search_index

from . import appointments as demo_appointments
from . import evaluation as demo_evaluation
from . import geography as geo
from . import history as demo_history
from . import interaction as demo_interaction
from . import monitoring as demo_monitoring
from . import search as demo_search
from . import stats as demo_stats
from . import supervision as demo_supervision
from .builder import DemoBuilder
from .catalog import build_catalog, catalog_steps, describe_catalog, reset_catalog
from .hall import SHOWCASE_PLACE, build_hall, describe_hall, hall_steps, hall_usernames, reset_hall
from .identity import build_identity, describe_identity, reset_identity
from .spec import (
    DEFAULT_PORT,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DEMO_USERS,
    demo_hostnames,
    places,
    portal_hostname,
    site_url,
    small_sites,
)
from .staff_devices import demo_device_lines


class DemoConflict(Exception):
    """The database holds something the demo would collide with."""


@dataclass
class DemoReport:
    already_loaded: bool = False
    portals: list[tuple[str, str]] = field(default_factory=list)  # (title, url)
    closed_sites: list[tuple[str, str, str]] = field(default_factory=list)  # title, old, new
    admin_url: str = ""
    logins: list[tuple[str, str, str, list[str]]] = field(default_factory=list)
    content_pages: int = 0
    seconds: float | None = None
    identity_lines: list[str] = field(default_factory=list)
    catalog_lines: list[str] = field(default_factory=list)
    hall_lines: list[str] = field(default_factory=list)
    # History, supervision, 好差评, appointments: each part's own summary lines.
    service_lines: list[str] = field(default_factory=list)

    def lines(self):
        out = []
        if self.already_loaded:
            out.append("演示数据已经加载过了（如要重新加载，请加 --reset）。")
        elif self.seconds is not None:
            out.append(
                f"演示数据加载完成：{self.content_pages} 篇内容，用时 {self.seconds:.1f} 秒。"
            )
        out.append("")
        out.append("门户网站：")
        out += [f"  {title}  {url}" for title, url in self.portals]
        if self.closed_sites:
            out.append("已关停迁移的站点（旧地址 301 跳转到新位置）：")
            out += [f"  {title}  {old} → {new}" for title, old, new in self.closed_sites]
        out.append("")
        out.append(f"管理后台：{self.admin_url}")
        out.append("演示账号（仅供演示，切勿用于可从外部访问的服务器）：")
        for username, password, role, groups in self.logins:
            out.append(f"  {username} / {password}  {role}")
            if groups:
                out.append(f"      用户组：{'、'.join(groups)}")
        out += self.identity_lines
        out += self.catalog_lines
        out += self.hall_lines
        out += self.service_lines
        return out


def is_loaded():
    return Site.objects.filter(hostname=portal_hostname(geo.PROVINCE)).exists()


def describe_demo(*, already_loaded=False, seconds=None):
    """What is loaded, read from the database (so a second run prints the same)."""
    sites = {s.hostname: s for s in Site.objects.filter(hostname__in=demo_hostnames())}
    report = DemoReport(already_loaded=already_loaded, seconds=seconds)
    for place in geo.portal_places():
        site = sites.get(portal_hostname(place))
        if site is not None:
            report.portals.append((site.site_name, site_url(site)))
    small = [sites[h] for h, _, _ in small_sites() if h in sites]
    migrations = (
        SiteMigration.objects.filter(closed_site__in=small)
        .select_related("closed_site", "target_page")
        .order_by("performed_at", "pk")
    )
    for migration in migrations:
        target = migration.target_page
        new_url = target.specific_deferred.get_full_url() if target else "（迁入位置已删除）"
        report.closed_sites.append(
            (migration.closed_site.site_name, site_url(migration.closed_site), new_url)
        )
    province = sites.get(portal_hostname(geo.PROVINCE))
    if province is not None:
        report.admin_url = site_url(province) + "admin/"
        report.identity_lines = describe_identity(province.port)
    users = {
        u.username: u
        for u in get_user_model()
        .objects.filter(username__in=[d.username for d in DEMO_USERS])
        .prefetch_related("groups")
    }
    for spec in DEMO_USERS:
        user = users.get(spec.username)
        if user is not None:
            groups = sorted(g.name for g in user.groups.all())
            report.logins.append((spec.username, DEMO_PASSWORD, spec.role, groups))
    report.catalog_lines = describe_catalog()
    report.hall_lines = describe_hall()
    # The services are the showcase county's (松林县): its portal's address.
    county = sites.get(portal_hostname(places()[SHOWCASE_PLACE]))
    base_url = site_url(county) if county is not None else "/"
    report.service_lines = [
        *demo_history.describe(),
        *demo_supervision.describe(base_url),
        *demo_evaluation.describe(base_url),
        *demo_appointments.describe(base_url),
        *demo_stats.describe(base_url),
        *demo_interaction.describe(base_url),
        *demo_interaction.describe_participation(base_url),
        *demo_monitoring.describe(base_url),
        *demo_search.describe(base_url),
    ]
    staff = [
        *hall_usernames(),
        *demo_supervision.supervision_usernames(),
        *demo_evaluation.evaluation_usernames(),
        *demo_appointments.appointment_usernames(),
        *demo_interaction.interaction_usernames(),
        *demo_monitoring.monitoring_usernames(),
    ]
    present = set(
        get_user_model().objects.filter(username__in=staff).values_list("username", flat=True)
    )
    if present:
        report.service_lines += ["", *demo_device_lines([u for u in staff if u in present])]
    roots = [s.root_page.path for s in sites.values()]
    if roots:
        in_demo = Q()
        for path in roots:
            in_demo |= Q(path__startswith=path)
        report.content_pages = sum(
            model.objects.filter(in_demo).count()
            for model in (ArticlePage, PolicyDocumentPage, PolicyInterpretationPage)
        )
    return report


# -- removing --------------------------------------------------------------------------------


def _demo_users():
    """Demo accounts: the demo usernames, belonging to a demo department. Someone else's
    account that happens to have one of these names is never touched."""
    return get_user_model().objects.filter(
        username__in=[d.username for d in DEMO_USERS],
        department__region__code__startswith=geo.DEMO_CODE_PREFIX,
    )


def reset_demo():
    """Delete the demo: its sites and every page under them, the editorial groups, workflows
    and (empty) collections of its portals, its users, departments, service centres and regions
    (those with code 99…). Tags and audit rows stay: the audit log is never rewritten."""
    from yiwang.portal.editorial import GROUP_WIDE_PREFIX, SEP

    sites = list(Site.objects.filter(hostname__in=demo_hostnames()).select_related("root_page"))
    root_ids = [s.root_page_id for s in sites]
    in_demo = Q(pk__in=[])
    for site in sites:
        in_demo |= Q(path__startswith=site.root_page.path)

    workflows = list(Workflow.objects.filter(workflow_pages__page_id__in=root_ids).distinct())
    Task.objects.filter(workflow_tasks__workflow__in=workflows).delete()
    for workflow in workflows:
        workflow.delete()
    Group.objects.filter(page_permissions__page_id__in=root_ids).exclude(
        name__startswith=GROUP_WIDE_PREFIX + SEP
    ).delete()
    labels = [s.site_name for s in sites]
    for collection in Collection.objects.filter(name__in=labels, depth=2):
        if not (
            get_image_model().objects.filter(collection=collection).exists()
            or get_document_model().objects.filter(collection=collection).exists()
        ):
            collection.delete()

    SiteMigration.objects.filter(
        Q(closed_site__in=sites) | Q(target_page__in=Page.objects.filter(in_demo))
    ).delete()
    for root_id in root_ids:
        # Deleting a root deletes its subtree, its Site, redirects and per-site settings.
        Page.objects.filter(pk=root_id).delete()

    # Cases protect their applicants and implementations, implementations their departments
    # and regions. Statistics, appointments, ratings and supervision rows point at cases,
    # centres and staff, so they go first.
    demo_monitoring.reset()
    demo_search.reset()
    demo_stats.reset()
    demo_interaction.reset()
    demo_interaction.reset_participation()
    demo_appointments.reset()
    demo_evaluation.reset()
    demo_supervision.reset()
    demo_history.reset()
    reset_hall()
    reset_identity()
    reset_catalog()
    _demo_users().delete()
    regions = Region.objects.filter(code__startswith=geo.DEMO_CODE_PREFIX)
    try:
        ServiceCentre.objects.filter(region__in=regions).delete()
        Department.objects.filter(region__in=regions).delete()
        for level in (4, 3, 2, 1):
            regions.filter(level=level).delete()
    except ProtectedError as exc:
        names = "、".join(sorted({str(obj) for obj in exc.protected_objects})[:5])
        raise DemoConflict(
            f"演示区划或部门仍被其他数据引用（{names}），无法删除；请先删除这些数据。"
        ) from exc

    from yiwang.portal.migration import CLOSED_SITES_CACHE_KEY

    # Now, because the load that follows in this transaction migrates new sites whose ids may
    # be the deleted ones again (SQLite reuses row ids); and after commit, for other processes.
    cache.delete(CLOSED_SITES_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CLOSED_SITES_CACHE_KEY))


def check_conflicts():
    problems = []
    if Region.objects.filter(code__startswith=geo.DEMO_CODE_PREFIX).exists():
        problems.append("已有区划代码以 99 开头的行政区划")
    taken = list(
        Site.objects.filter(hostname__in=demo_hostnames()).values_list("hostname", flat=True)
    )
    if taken:
        problems.append(f"已有主机名为 {'、'.join(taken)} 的站点")
    users = list(
        get_user_model()
        .objects.filter(username__in=[d.username for d in DEMO_USERS])
        .values_list("username", flat=True)
    )
    if users:
        problems.append(f"已有用户名为 {'、'.join(users)} 的用户")
    if problems:
        raise DemoConflict(
            "无法加载演示数据："
            + "；".join(problems)
            + "。如果这些是上次加载留下的演示数据，请加 --reset 重新加载。"
        )


# -- loading ---------------------------------------------------------------------------------


def load_demo(*, port=DEFAULT_PORT, seed=DEFAULT_SEED, reset=False, progress=False):
    """Load the demo site group unless it is there already; with ``reset``, delete it first.
    Returns a ``DemoReport``. Raises ``DemoConflict`` when unrelated data is in the way and
    ``ImportError`` when the site-migration or editorial functions are missing."""
    if not reset and is_loaded():
        return describe_demo(already_loaded=True)
    started = time.monotonic()
    with transaction.atomic(), _quiet_wagtail_log():
        if reset:
            reset_demo()
        check_conflicts()
        builder = DemoBuilder(port=port, seed=seed)
        with tqdm(
            total=builder.total_steps() + catalog_steps() + hall_steps() + len(SERVICE_STEPS),
            desc="加载演示数据",
            unit="步",
            disable=not progress,
            leave=False,
        ) as bar:
            builder.build(bar)
            build_identity(admin=builder.admin, users=builder.users, port=port)
            build_catalog(actor=builder.admin, bar=bar)
            build_hall(actor=builder.admin, bar=bar)
            _build_services(bar)
            bar.total = bar.n
            bar.refresh()
        # Thousands of pages were published: one rebuild after commit instead of a task
        # re-reading each of them.
        search_index.discard_pending()
    _build_search_index(progress)
    return describe_demo(seconds=time.monotonic() - started)


def _build_search_index(progress):
    bars = {}

    def step(source, done, total):
        bar = bars.get(source)
        if bar is None:
            bar = bars[source] = tqdm(
                total=total,
                desc=f"全网检索索引 {source}",
                unit="条",
                disable=not progress,
                leave=False,
            )
        bar.update(done - bar.n)

    try:
        return search_index.rebuild(progress=step)
    finally:
        for bar in bars.values():
            bar.close()


# After the hall: the year of cases first (the others read them), the statistics last.
SERVICE_STEPS = (
    ("历史办件", demo_history.load),
    ("电子监察", demo_supervision.load),
    ("好差评", demo_evaluation.load),
    ("预约服务", demo_appointments.load),
    ("政民互动", demo_interaction.load),
    ("公众参与", demo_interaction.load_participation),
    ("网站监测", demo_monitoring.load),
    ("全网检索", demo_search.load),
    ("统计汇总", demo_stats.load),
)


def _build_services(bar):
    today = timezone.localdate()
    for label, load in SERVICE_STEPS:

        def progress(*args, label=label):
            detail = "/".join(str(a) for a in args)
            bar.set_postfix_str(f"{label} {detail}", refresh=True)

        bar.set_postfix_str(label, refresh=True)
        load(today=today, progress=progress)
        bar.update(1)
    bar.set_postfix_str("", refresh=True)


@contextlib.contextmanager
def _quiet_wagtail_log():
    # Wagtail logs every page created, edited, published and moved at INFO: a thousand lines
    # that would bury the progress bar and the summary.
    logger = logging.getLogger("wagtail")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)
