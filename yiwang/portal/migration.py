"""Site migration (关停迁移): a department's or township's site, or a subtree of a portal, is
moved into a county portal as a sub-site (子站) or a column (栏目), and every old URL answers
with a 301 to its new URL.

Two kinds of source:

* a Wagtail ``Site`` of the group (the department had its own hostname). Its root page stays
  where it is, unpublished, because the ``Site`` row must keep a root page: the site is only
  *closed* (``SiteMigration.closed_site``) and ``middleware.ClosedSiteMiddleware`` answers
  every request on its hostname with a 301.
* a ``Page`` inside a portal. A ``SubsiteHomePage`` or ``ColumnPage`` that already is what it
  should become, and needs no new slug, title, kind, department or region, is moved as it is.
  Anything else gets a new container page at the target, its children are moved under it and
  the emptied old page is unpublished and left where it was (the migration deletes nothing).

Children are moved with Wagtail's ``MovePageAction``, so ids, revisions, log entries and
workflow states go with them. ``MigrateSiteAction.plan()`` validates and computes everything
without writing (the command's ``--dry-run`` and the admin preview use it); ``execute()``
writes it all in one transaction together with the ``SiteMigration`` record and an audit row.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.html import strip_tags
from wagtail.actions.move_page import MovePageAction
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Site

from yiwang.core.audit import record

from .models import (
    ColumnPage,
    PortalHomePage,
    SiteMigration,
    SubsiteHomePage,
    SubsiteKind,
)

AS_SUBSITE = "subsite"
AS_COLUMN = "column"
AS_KIND_CHOICES = [(AS_SUBSITE, "子站"), (AS_COLUMN, "栏目")]
AS_KIND_LABELS = dict(AS_KIND_CHOICES)

# {closed site id: id of the page its content went to}, read by ClosedSiteMiddleware on every
# request; dropped when a migration commits, and short-lived in case a record is edited by hand.
CLOSED_SITES_CACHE_KEY = "portal:closed-sites"
CLOSED_SITES_CACHE_SECONDS = 300

# Redirect.old_path is a CharField(max_length=255).
MAX_OLD_PATH = 255
REDIRECT_BATCH_SIZE = 500

Progress = Callable[[Iterable, int], Iterable]


def closed_sites():
    """Closed sites and where their content went: ``{site_id: page_id or None}``."""
    result = cache.get(CLOSED_SITES_CACHE_KEY)
    if result is None:
        result = dict(
            SiteMigration.objects.filter(closed_site__isnull=False)
            .order_by("performed_at")
            .values_list("closed_site_id", "target_page_id")
        )
        cache.set(CLOSED_SITES_CACHE_KEY, result, CLOSED_SITES_CACHE_SECONDS)
    return result


def can_migrate_sites(user):
    return bool(
        user is not None
        and user.is_active
        and (user.is_superuser or user.has_perm("portal.migrate_site"))
    )


@dataclass(frozen=True)
class PlannedPage:
    page_id: int
    title: str
    type_label: str
    depth: int  # 0 for the source root, 1 for its children...
    live: bool
    old_url: str
    new_url: str


@dataclass(frozen=True)
class PlannedRedirect:
    site: Site
    old_path: str  # normalised with Redirect.normalise_path
    page_id: int
    route_path: str
    old_url: str
    new_url: str


@dataclass
class MigrationPlan:
    """Everything a migration will do, computed without writing anything."""

    source_site: Site | None
    source_root: Page
    target_parent: Page
    target_site: Site
    as_kind: str
    move_as_is: bool
    new_page_class: type
    title: str
    slug: str
    intro: str
    subsite_kind: str | None
    department: object | None
    region: object | None
    new_home_url: str
    pages: list[PlannedPage] = field(default_factory=list)
    redirects: list[PlannedRedirect] = field(default_factory=list)
    skipped_paths: list[str] = field(default_factory=list)

    @property
    def moved_page_count(self):
        # The source root itself moves only when it is moved as it is.
        return len(self.pages) - (0 if self.move_as_is else 1)

    @property
    def source_description(self):
        root = self.source_root
        if self.source_site is not None:
            text = f"{self.source_site.site_name or root.title}（{self.source_site.hostname}）"
        else:
            text = f"{root.title}（{self.pages[0].old_url if self.pages else root.url_path}）"
        return text[:300]

    @property
    def new_location(self):
        verb = "原样移入" if self.move_as_is else "新建"
        type_label = self.new_page_class._meta.verbose_name
        return (
            f"{self.target_parent.title} 之下{verb}{type_label}“{self.title}”：{self.new_home_url}"
        )


def _type_label(page):
    return str(page.specific_class._meta.verbose_name) if page.specific_class else "页面"


def _unique_slug(parent, base, *, exclude_page=None):
    taken = parent.get_children()
    if exclude_page is not None:
        taken = taken.exclude(pk=exclude_page.pk)
    taken = set(taken.values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: 255 - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1


def _allowed_under(child_class, parent_class):
    return child_class in parent_class.allowed_subpage_models() and (
        parent_class in child_class.allowed_parent_page_models()
    )


def _root_path_for(url_path, root_paths):
    """The most specific site root path ``url_path`` lies in (root paths come most specific
    first from ``Site.get_site_root_paths``)."""
    for root_path in root_paths:
        if url_path.startswith(root_path.root_path):
            return root_path
    return None


def _url(root_url, path):
    return root_url.rstrip("/") + path


class MigrateSiteAction:
    """Check and perform one site migration. ``check()`` raises ``ValidationError`` with a
    Chinese message for bad input and ``PermissionDenied`` when ``acting_user`` may not
    migrate sites; ``execute()`` returns the ``SiteMigration`` record."""

    def __init__(
        self,
        *,
        source,
        target_parent,
        as_kind,
        subsite_kind=None,
        department=None,
        region=None,
        title=None,
        slug=None,
        acting_user=None,
        request=None,
        progress=None,
    ):
        self.source = source
        self.target_parent = target_parent
        self.as_kind = as_kind
        self.subsite_kind = subsite_kind or None
        self.department = department
        self.region = region
        self.title = (title or "").strip() or None
        self.slug = (slug or "").strip() or None
        self.acting_user = acting_user
        self.request = request
        self.progress: Progress | None = progress
        self.executed_plan: MigrationPlan | None = None

    # -- validation -------------------------------------------------------------------------

    def check(self):
        self.plan()

    def _check_permission(self):
        if self.acting_user is not None and not can_migrate_sites(self.acting_user):
            raise PermissionDenied("您没有执行站点关停迁移的权限。")

    def _resolve_source(self):
        """Return ``(source_site, source_root)`` with the root as its specific page."""
        if isinstance(self.source, Site):
            site = Site.objects.select_related("root_page").get(pk=self.source.pk)
            if site.is_default_site:
                raise ValidationError(f"站点 {site.hostname} 是默认站点，不能关停迁移。")
            if SiteMigration.objects.filter(closed_site=site).exists():
                raise ValidationError(f"站点 {site.hostname} 已经关停迁移过了。")
            root = site.root_page.specific
            if not isinstance(root, PortalHomePage | SubsiteHomePage):
                raise ValidationError(
                    f"站点 {site.hostname} 的首页不是门户首页或子站首页，不能按站点迁移。"
                )
            return site, root
        if isinstance(self.source, Page):
            page = Page.objects.get(pk=self.source.pk).specific
            if page.is_root():
                raise ValidationError("不能迁移页面树的根节点。")
            if isinstance(page, PortalHomePage):
                raise ValidationError(
                    f"“{page.title}”是门户首页，不能作为栏目或子站迁移；"
                    "如要关停它的站点，请按站点迁移（选择站点而不是页面）。"
                )
            site = Site.objects.filter(root_page=page).first()
            if site is not None:
                raise ValidationError(
                    f"“{page.title}”是站点 {site.hostname} 的首页，"
                    "请按站点迁移（选择站点而不是页面）。"
                )
            return None, page
        raise ValidationError("迁移来源必须是一个站点或一个页面。")

    def _resolve_target(self, source_root, root_paths):
        if self.target_parent is None:
            raise ValidationError("请选择迁入位置。")
        target = Page.objects.get(pk=self.target_parent.pk).specific
        if target.pk == source_root.pk or target.is_descendant_of(source_root):
            raise ValidationError("不能迁入源站点或源栏目自身之内。")
        closed = set(
            SiteMigration.objects.filter(closed_site__isnull=False).values_list(
                "closed_site_id", flat=True
            )
        )
        portal_site = None
        for root_path in root_paths:
            if root_path.site_id in closed or not target.url_path.startswith(root_path.root_path):
                continue
            site = Site.objects.select_related("root_page").get(pk=root_path.site_id)
            if isinstance(site.root_page.specific, PortalHomePage):
                portal_site = site
                break
        if portal_site is None:
            raise ValidationError(f"迁入位置“{target.title}”不在任何门户网站之内。")
        return target, portal_site

    def plan(self) -> MigrationPlan:
        """Validate and compute the migration without writing anything."""
        self._check_permission()
        if self.as_kind not in AS_KIND_LABELS:
            raise ValidationError("迁入方式必须是“子站”（subsite）或“栏目”（column）。")
        if self.as_kind == AS_COLUMN and (self.subsite_kind or self.department or self.region):
            raise ValidationError("迁为栏目时不能指定子站类型、部门或乡镇（街道）。")
        if self.subsite_kind and self.subsite_kind not in SubsiteKind.values:
            raise ValidationError(
                "子站类型必须是 department（部门子站）或 township（乡镇（街道）子站）。"
            )
        if self.slug:
            try:
                validate_slug(self.slug)
            except ValidationError as exc:
                raise ValidationError(
                    "路径（slug）只能包含英文字母、数字、下划线和连字符。"
                ) from exc
        if self.title and len(self.title) > 255:
            raise ValidationError("标题不能超过 255 个字符。")

        root_paths = Site.get_site_root_paths()
        source_site, root = self._resolve_source()
        target, target_site = self._resolve_target(root, root_paths)

        nested = Site.objects.filter(
            root_page__path__startswith=root.path, root_page__depth__gt=root.depth
        ).first()
        if nested is not None:
            raise ValidationError(
                f"要迁移的页面之下有站点 {nested.hostname} 的首页，请先迁移或删除该站点。"
            )

        new_class = SubsiteHomePage if self.as_kind == AS_SUBSITE else ColumnPage
        kind = self.subsite_kind
        department = self.department
        region = self.region
        if new_class is SubsiteHomePage:
            kind = kind or getattr(root, "kind", None)
            if not kind:
                raise ValidationError("迁为子站时请指定子站类型（部门或乡镇（街道））。")
            department = (
                department
                or getattr(root, "department", None)
                or getattr(root, "owner_department", None)
            )
            if region is None and kind == SubsiteKind.TOWNSHIP:
                region = getattr(root, "region", None)

        move_as_is = (
            source_site is None
            and type(root) is new_class
            and self.slug in (None, root.slug)
            and self.title in (None, root.title)
            and root.slug == _unique_slug(target, root.slug, exclude_page=root)
            and (
                new_class is ColumnPage
                or (kind == root.kind and department == root.department and region == root.region)
            )
        )
        if move_as_is:
            if root.get_parent().pk == target.pk:
                raise ValidationError(f"“{root.title}”已在“{target.title}”之下。")
            if not root.can_move_to(target):
                raise ValidationError(
                    f"“{target.title}”（{_type_label(target)}）之下不能放"
                    f"{new_class._meta.verbose_name}。"
                )
            slug, title = root.slug, root.title
        else:
            if not new_class.can_create_at(target):
                raise ValidationError(
                    f"“{target.title}”（{_type_label(target)}）之下不能放"
                    f"{new_class._meta.verbose_name}。"
                )
            refused = [
                child
                for child in root.get_children()
                if not _allowed_under(child.specific_class, new_class)
            ]
            if refused:
                names = "、".join(f"“{c.title}”（{_type_label(c)}）" for c in refused[:5])
                raise ValidationError(
                    f"{names}不能放在{new_class._meta.verbose_name}之下，请先移走或改用其他迁入方式。"
                )
            slug = _unique_slug(target, self.slug or root.slug)
            title = self.title or root.title

        intro = getattr(root, "intro", "") or ""
        if not isinstance(intro, str):
            intro = str(intro)
        intro = strip_tags(intro).strip()

        # Where the new home will be, and so where every moved page will be.
        new_home_url_path = f"{target.url_path}{slug}/"
        new_root_path = _root_path_for(new_home_url_path, root_paths)

        def new_url_path(page):
            return new_home_url_path + page.url_path[len(root.url_path) :]

        def public_path(url_path, root_path):
            return "/" + url_path[len(root_path.root_path) :]

        plan = MigrationPlan(
            source_site=source_site,
            source_root=root,
            target_parent=target,
            target_site=target_site,
            as_kind=self.as_kind,
            move_as_is=move_as_is,
            new_page_class=new_class,
            title=title,
            slug=slug,
            intro=intro,
            subsite_kind=kind if new_class is SubsiteHomePage else None,
            department=department if new_class is SubsiteHomePage else None,
            region=region if new_class is SubsiteHomePage else None,
            new_home_url=_url(
                new_root_path.root_url, public_path(new_home_url_path, new_root_path)
            ),
        )

        sites = Site.objects.in_bulk([root_path.site_id for root_path in root_paths])
        seen = set()
        subtree = (
            root.get_descendants(inclusive=True)
            .defer_streamfields()
            .specific(defer=True)
            .order_by("path")
        )
        for page in subtree.iterator():
            target_url_path = new_url_path(page)
            new_url = _url(new_root_path.root_url, public_path(target_url_path, new_root_path))
            old_root_path = _root_path_for(page.url_path, root_paths)
            plan.pages.append(
                PlannedPage(
                    page_id=page.pk,
                    title=page.title,
                    type_label=_type_label(page),
                    depth=page.depth - root.depth,
                    live=page.live,
                    old_url=(
                        _url(old_root_path.root_url, public_path(page.url_path, old_root_path))
                        if old_root_path
                        else ""
                    ),
                    new_url=new_url,
                )
            )
            # Every site the page is reachable from gets its redirects, not only the most
            # specific one (a sub-site may have been served on its own hostname too).
            for root_path in root_paths:
                if not page.url_path.startswith(root_path.root_path):
                    continue
                old_page_path = public_path(page.url_path, root_path)
                if target_url_path.startswith(root_path.root_path) and (
                    public_path(target_url_path, root_path) == old_page_path
                ):
                    continue
                site = sites[root_path.site_id]
                for route_path in page.get_route_paths():
                    route = Redirect.normalise_page_route_path(route_path)
                    old_path = Redirect.normalise_path(old_page_path.rstrip("/") + (route or "/"))
                    # A route of a page and a child's slug can give one path; the first
                    # (the ancestor's) wins, as Redirect allows one row per site and path.
                    if (site.pk, old_path) in seen:
                        continue
                    seen.add((site.pk, old_path))
                    if len(old_path) > MAX_OLD_PATH:
                        plan.skipped_paths.append(_url(root_path.root_url, old_path))
                        continue
                    plan.redirects.append(
                        PlannedRedirect(
                            site=site,
                            old_path=old_path,
                            page_id=page.pk,
                            route_path=route,
                            old_url=_url(
                                root_path.root_url, old_page_path.rstrip("/") + (route or "/")
                            ),
                            new_url=new_url.rstrip("/") + (route or "/"),
                        )
                    )
        return plan

    # -- execution --------------------------------------------------------------------------

    def execute(self) -> SiteMigration:
        with transaction.atomic():
            self._lock()
            plan = self.executed_plan = self.plan()
            new_home = self._move_pages(plan)
            redirect_count = self._create_redirects(plan, new_home)
            migration = SiteMigration.objects.create(
                performed_by=self.acting_user
                if getattr(self.acting_user, "is_authenticated", False)
                else None,
                source_description=plan.source_description,
                closed_site=plan.source_site,
                target_page=new_home,
                as_kind=plan.as_kind,
                moved_page_count=plan.moved_page_count,
                redirect_count=redirect_count,
            )
            record(
                action="portal.site_migrated",
                actor=self.acting_user,
                obj=migration,
                request=self.request,
                detail={
                    "source_site": plan.source_site.hostname if plan.source_site else None,
                    "source_page_id": plan.source_root.pk,
                    "target_parent_id": plan.target_parent.pk,
                    "new_page_id": new_home.pk,
                    "as_kind": plan.as_kind,
                    "moved_as_is": plan.move_as_is,
                    "moved_page_count": plan.moved_page_count,
                    "redirect_count": redirect_count,
                    "skipped_paths": plan.skipped_paths[:50],
                },
            )
            # Dropped now for this process and again after commit, so that no request can
            # cache the list as it was before this migration committed.
            cache.delete(CLOSED_SITES_CACHE_KEY)
            transaction.on_commit(lambda: cache.delete(CLOSED_SITES_CACHE_KEY))
        return migration

    def _lock(self):
        # Two people migrating the same tree at once would interleave moves. On PostgreSQL the
        # row locks serialise them; on SQLite the IMMEDIATE transaction already does.
        ids = [self.target_parent.pk] if self.target_parent is not None else []
        if isinstance(self.source, Site):
            list(Site.objects.select_for_update().filter(pk=self.source.pk))
            ids.append(self.source.root_page_id)
        elif isinstance(self.source, Page):
            ids.append(self.source.pk)
        list(Page.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))

    def _move(self, page_id, parent_id):
        # Treebeard works on the in-memory path and numchild values: load both fresh.
        page = Page.objects.get(pk=page_id)
        parent = Page.objects.get(pk=parent_id)
        MovePageAction(page, parent, pos="last-child", user=self.acting_user).execute(
            skip_permission_checks=True
        )

    def _move_pages(self, plan):
        root = plan.source_root
        if plan.move_as_is:
            self._move(root.pk, plan.target_parent.pk)
            return Page.objects.get(pk=root.pk).specific

        fields = {"title": plan.title, "slug": plan.slug, "intro": plan.intro, "live": root.live}
        if plan.new_page_class is SubsiteHomePage:
            fields.update(kind=plan.subsite_kind, department=plan.department, region=plan.region)
        elif isinstance(root, ColumnPage):
            fields.update(column_type=root.column_type, page_size=root.page_size)
        new_home = plan.new_page_class(**fields)
        parent = Page.objects.get(pk=plan.target_parent.pk)
        parent.add_child(instance=new_home)
        revision = new_home.save_revision(user=self.acting_user, log_action=True)
        if root.live:
            revision.publish(user=self.acting_user)

        for child_id in list(root.get_children().values_list("pk", flat=True)):
            self._move(child_id, new_home.pk)

        old_root = Page.objects.get(pk=root.pk)
        if old_root.live:
            old_root.unpublish(user=self.acting_user)
        return Page.objects.get(pk=new_home.pk).specific

    def _create_redirects(self, plan, new_home):
        # The old root, when it stays behind, redirects to the new home.
        def target_id(page_id):
            return new_home.pk if page_id == plan.source_root.pk else page_id

        # A row already on an old path (Wagtail's own automatic redirects made by the moves
        # just now, or a hand-made one that could never fire while the page lived there) is
        # replaced, so each old URL has exactly one answer.
        by_site = {}
        for item in plan.redirects:
            by_site.setdefault(item.site.pk, []).append(item.old_path)
        for site_id, paths in by_site.items():
            for start in range(0, len(paths), REDIRECT_BATCH_SIZE):
                Redirect.objects.filter(
                    site_id=site_id, old_path__in=paths[start : start + REDIRECT_BATCH_SIZE]
                ).delete()

        items = plan.redirects
        if self.progress is not None:
            items = self.progress(items, len(plan.redirects))
        batch = []
        count = 0
        for item in items:
            batch.append(
                Redirect(
                    old_path=item.old_path,
                    site_id=item.site.pk,
                    is_permanent=True,
                    redirect_page_id=target_id(item.page_id),
                    redirect_page_route_path=item.route_path,
                )
            )
            if len(batch) >= REDIRECT_BATCH_SIZE:
                Redirect.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        if batch:
            Redirect.objects.bulk_create(batch)
            count += len(batch)
        return count


def plan_site_migration(**kwargs) -> MigrationPlan:
    """What ``migrate_site`` would do with the same arguments; writes nothing."""
    return MigrateSiteAction(**kwargs).plan()


def migrate_site(
    *,
    source,
    target_parent,
    as_kind,
    subsite_kind=None,
    department=None,
    region=None,
    title=None,
    slug=None,
    acting_user=None,
    request=None,
    progress=None,
) -> SiteMigration:
    """Move ``source`` (a ``Site`` of the group, or a ``Page`` subtree inside a portal) under
    ``target_parent`` as a sub-site or a column, redirect (301) every old URL of every page
    of it, close the source site if it was one, and record a ``SiteMigration`` and an audit
    row, all in one transaction.

    Raises ``ValidationError`` (message in Chinese) for bad input and ``PermissionDenied``
    when ``acting_user`` lacks ``portal.migrate_site``. ``progress(iterable, total)`` may
    wrap the creation of redirects (the command passes tqdm)."""
    return MigrateSiteAction(
        source=source,
        target_parent=target_parent,
        as_kind=as_kind,
        subsite_kind=subsite_kind,
        department=department,
        region=region,
        title=title,
        slug=slug,
        acting_user=acting_user,
        request=request,
        progress=progress,
    ).execute()
