"""Editorial work of the site group: who may write and review on which portal, the two-step
review (两审发布) every portal's pages go through, and related publishing (关联发布) of policy
interpretations with their document.

Each portal gets, keyed to its root page rather than to its name so that renaming a site keeps
them:

- a collection for its images and documents;
- three groups, "<site>·编辑" (write and submit, never publish), "<site>·初审" and
  "<site>·终审" (the reviewers of the two tasks);
- a workflow "<site>·两审发布" of two group approval tasks, assigned to the site's root page.

"站群·编辑" holds the same writing rights on every portal (a province editor may be granted the
whole group). Review stays per site on purpose: the office that runs a site answers for what it
publishes (谁主办谁负责), so no group-wide reviewer exists.

docs/editorial.md explains the roles to people; keep the two in step.
"""

import logging
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from yiwang.core.audit import record

from .models import PolicyDocumentPage, PolicyInterpretationPage, PortalHomePage

logger = logging.getLogger(__name__)

SEP = "·"
GROUP_WIDE_PREFIX = "站群"
GROUP_WIDE_EDITORS = f"{GROUP_WIDE_PREFIX}{SEP}编辑"
WORKFLOW_SUFFIX = "两审发布"


class Role:
    # An editor writes pages and submits them; the reviewers approve them in order.
    EDITOR = "editor"
    FIRST_REVIEW = "first_review"
    FINAL_REVIEW = "final_review"


ROLE_SUFFIXES = {Role.EDITOR: "编辑", Role.FIRST_REVIEW: "初审", Role.FINAL_REVIEW: "终审"}

# Wagtail has no view-only page permission: "change" is what lets reviewers find the site's
# pages in the explorer and correct wording during review. Wagtail publishes a page at the end
# of its workflow as the user who gave the last approval and checks that user's "publish"
# permission, so the final reviewers hold it; it also lets them take a page down (撤稿) or
# cancel a schedule. Using it to publish directly, skipping review, is refused by the hooks in
# editorial_hooks.py (see ``review_required``).
EDITOR_PAGE_PERMISSIONS = ("add", "change")
FIRST_REVIEWER_PAGE_PERMISSIONS = ("change",)
FINAL_REVIEWER_PAGE_PERMISSIONS = ("change", "publish")
EDITOR_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)
REVIEWER_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "choose_document"),
)


@dataclass
class SiteEditorial:
    """What one portal's editorial work is made of. ``changes`` says what the last setup did
    (empty when everything was already in place)."""

    site: Site
    editors: Group
    first_reviewers: Group
    final_reviewers: Group
    collection: Collection
    workflow: Workflow
    changes: list[str] = field(default_factory=list)

    def group_for(self, role):
        return {
            Role.EDITOR: self.editors,
            Role.FIRST_REVIEW: self.first_reviewers,
            Role.FINAL_REVIEW: self.final_reviewers,
        }[role]


def site_label(site):
    """The name the site's groups, collection and workflow are called after."""
    return site.site_name or site.root_page.title


def portal_sites():
    """The sites of the site group: those whose root page is a portal home page (Wagtail's
    default welcome site, if still present, is not one)."""
    return (
        Site.objects.filter(
            root_page__content_type=ContentType.objects.get_for_model(PortalHomePage)
        )
        .select_related("root_page")
        .order_by("pk")
    )


def _page_permission(action):
    return Permission.objects.get(
        content_type=ContentType.objects.get_for_model(Page), codename=f"{action}_page"
    )


def _permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _admin_access():
    return _permission("wagtailadmin", "access_admin")


def _rename(obj, name, changes, what):
    """Give ``obj`` its current name, unless another object already holds that name."""
    if obj.name == name:
        return
    if type(obj).objects.filter(name=name).exclude(pk=obj.pk).exists():
        changes.append(f"{what}“{obj.name}”未改名：已有同名的“{name}”")
        return
    changes.append(f"{what}“{obj.name}”改名为“{name}”")
    obj.name = name
    obj.save(update_fields=["name"])


def _site_group(site, suffix, changes):
    """The site's group for a role: the one holding page permissions on the site's root whose
    name ends in the role (so a renamed site keeps its groups), else the one named after it."""
    name = f"{site_label(site)}{SEP}{suffix}"
    group = (
        Group.objects.filter(
            page_permissions__page_id=site.root_page_id, name__endswith=SEP + suffix
        )
        .exclude(name__startswith=GROUP_WIDE_PREFIX + SEP)
        .order_by("pk")
        .first()
    ) or Group.objects.filter(name=name).first()
    if group is None:
        group = Group.objects.create(name=name)
        changes.append(f"新建用户组“{name}”")
    else:
        _rename(group, name, changes, "用户组")
    return group


def _site_collection(site, editors, changes):
    add_image = _permission("wagtailimages", "add_image")
    root = Collection.get_first_root_node()
    collection = (
        Collection.objects.filter(
            group_permissions__group=editors, group_permissions__permission=add_image
        )
        .order_by("pk")
        .first()
    ) or root.get_children().filter(name=site_label(site)).first()
    if collection is None:
        collection = root.add_child(name=site_label(site))
        changes.append(f"新建图片和文档集合“{site_label(site)}”")
    else:
        _rename(collection, site_label(site), changes, "集合")
    return collection


def _grant_page_permissions(group, page, actions, changes):
    for action in actions:
        _, created = GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_page_permission(action)
        )
        if created:
            changes.append(f"“{group.name}”获得“{page.title}”及其下级页面的 {action} 权限")


def _grant_collection_permissions(group, collection, permissions, changes):
    for app_label, codename in permissions:
        _, created = GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=_permission(app_label, codename)
        )
        if created:
            changes.append(f"“{group.name}”获得集合“{collection.name}”的 {codename} 权限")


def _grant_admin_access(group, changes):
    access = _admin_access()
    if not group.permissions.filter(pk=access.pk).exists():
        group.permissions.add(access)
        changes.append(f"“{group.name}”可以登录管理后台")


def _approval_task(workflow, site, suffix, group, changes):
    name = f"{site_label(site)}{SEP}{suffix}"
    task = (
        GroupApprovalTask.objects.filter(
            workflow_tasks__workflow=workflow, name__endswith=SEP + suffix
        )
        .order_by("pk")
        .first()
    )
    if task is None:
        task = GroupApprovalTask.objects.create(name=name)
        changes.append(f"新建审核步骤“{name}”")
    elif task.name != name:
        changes.append(f"审核步骤“{task.name}”改名为“{name}”")
        task.name = name
        task.save(update_fields=["name"])
    if not task.active:
        task.active = True
        task.save(update_fields=["active"])
        changes.append(f"启用审核步骤“{name}”")
    if list(task.groups.all()) != [group]:
        task.groups.set([group])
        changes.append(f"审核步骤“{name}”由“{group.name}”审核")
    return task


def _site_workflow(site, first_reviewers, final_reviewers, changes):
    name = f"{site_label(site)}{SEP}{WORKFLOW_SUFFIX}"
    assigned = WorkflowPage.objects.filter(page_id=site.root_page_id).select_related("workflow")
    assigned = assigned.first()
    if assigned and assigned.workflow.name.endswith(SEP + WORKFLOW_SUFFIX):
        workflow = assigned.workflow
        _rename(workflow, name, changes, "审核流程")
    else:
        workflow = Workflow.objects.filter(name=name).first()
        if workflow is None:
            workflow = Workflow.objects.create(name=name, active=True)
            changes.append(f"新建审核流程“{name}”")
        if assigned:
            changes.append(f"站点首页原用的审核流程“{assigned.workflow.name}”换为“{name}”")
            assigned.workflow = workflow
            assigned.save(update_fields=["workflow"])
        else:
            WorkflowPage.objects.create(page_id=site.root_page_id, workflow=workflow)
            changes.append(f"审核流程“{name}”用于“{site.root_page.title}”及其下级页面")
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
        changes.append(f"启用审核流程“{name}”")

    tasks = [
        _approval_task(workflow, site, ROLE_SUFFIXES[Role.FIRST_REVIEW], first_reviewers, changes),
        _approval_task(workflow, site, ROLE_SUFFIXES[Role.FINAL_REVIEW], final_reviewers, changes),
    ]
    current = list(workflow.workflow_tasks.order_by("sort_order").values_list("task_id", flat=True))
    if current != [task.pk for task in tasks]:
        workflow.workflow_tasks.all().delete()
        for order, task in enumerate(tasks):
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
        changes.append(f"审核流程“{name}”的步骤为：初审、终审")
    return workflow


def _grant_group_wide_editors(group, editorial, changes):
    _grant_page_permissions(group, editorial.site.root_page, EDITOR_PAGE_PERMISSIONS, changes)
    _grant_collection_permissions(
        group, editorial.collection, EDITOR_COLLECTION_PERMISSIONS, changes
    )


@transaction.atomic
def setup_site_editorial(site, *, actor=None):
    """Create or bring up to date one portal's collection, groups, permissions and two-step
    workflow. Safe to run again: existing pieces are found through the site's root page and
    renamed after the site if its name changed; nothing is removed. Extends "站群·编辑" to
    this portal when that group exists. Records an audit row when anything changed."""
    site = Site.objects.select_related("root_page").get(pk=site.pk)
    changes = []
    editors = _site_group(site, ROLE_SUFFIXES[Role.EDITOR], changes)
    first_reviewers = _site_group(site, ROLE_SUFFIXES[Role.FIRST_REVIEW], changes)
    final_reviewers = _site_group(site, ROLE_SUFFIXES[Role.FINAL_REVIEW], changes)
    root = site.root_page

    _grant_page_permissions(editors, root, EDITOR_PAGE_PERMISSIONS, changes)
    _grant_page_permissions(first_reviewers, root, FIRST_REVIEWER_PAGE_PERMISSIONS, changes)
    _grant_page_permissions(final_reviewers, root, FINAL_REVIEWER_PAGE_PERMISSIONS, changes)
    for group in (editors, first_reviewers, final_reviewers):
        _grant_admin_access(group, changes)

    collection = _site_collection(site, editors, changes)
    _grant_collection_permissions(editors, collection, EDITOR_COLLECTION_PERMISSIONS, changes)
    for group in (first_reviewers, final_reviewers):
        _grant_collection_permissions(group, collection, REVIEWER_COLLECTION_PERMISSIONS, changes)

    workflow = _site_workflow(site, first_reviewers, final_reviewers, changes)
    editorial = SiteEditorial(
        site=site,
        editors=editors,
        first_reviewers=first_reviewers,
        final_reviewers=final_reviewers,
        collection=collection,
        workflow=workflow,
        changes=changes,
    )
    group_wide = Group.objects.filter(name=GROUP_WIDE_EDITORS).first()
    if group_wide is not None:
        _grant_group_wide_editors(group_wide, editorial, changes)

    if changes:
        record(
            action="portal.editorial.setup",
            actor=actor,
            obj=site,
            detail={"hostname": site.hostname, "changes": changes},
        )
    return editorial


@transaction.atomic
def setup_group_wide_editors(*, actor=None):
    """Create "站群·编辑" and give it the editors' rights on every portal (each portal's
    editorial setup is brought up to date first). Returns ``(group, changes)``."""
    changes = []
    group, created = Group.objects.get_or_create(name=GROUP_WIDE_EDITORS)
    if created:
        changes.append(f"新建用户组“{GROUP_WIDE_EDITORS}”")
    _grant_admin_access(group, changes)
    for site in portal_sites():
        # A new group is extended to each portal inside setup_site_editorial itself.
        editorial = setup_site_editorial(site, actor=actor)
        _grant_group_wide_editors(group, editorial, changes)
    if changes:
        record(
            action="portal.editorial.group_wide_setup",
            actor=actor,
            obj=group,
            detail={"changes": changes},
        )
    return group, changes


@transaction.atomic
def setup_editorial(*, sites=None, actor=None):
    """Set up every portal site (or the given sites) and the group-wide editors. Returns the
    ``SiteEditorial`` of each portal."""
    sites = list(sites) if sites is not None else list(portal_sites())
    editorials = [setup_site_editorial(site, actor=actor) for site in sites]
    setup_group_wide_editors(actor=actor)
    return editorials


@transaction.atomic
def grant(user, site=None, role=Role.EDITOR, *, actor=None):
    """Put ``user`` in the group of ``role`` on ``site``; with no site, an editor joins
    "站群·编辑" (every portal). Raises ``ValueError`` for an unknown role or for a reviewer
    without a site: review is per site. Returns the group."""
    if role not in ROLE_SUFFIXES:
        raise ValueError(f"未知的编辑角色：{role}")
    if site is None:
        if role != Role.EDITOR:
            raise ValueError("审核人员只能按站点授权：每个站点的内容由该站点的审核人员把关。")
        group = Group.objects.filter(name=GROUP_WIDE_EDITORS).first()
        if group is None:
            group, _ = setup_group_wide_editors(actor=actor)
    else:
        group = setup_site_editorial(site, actor=actor).group_for(role)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        record(
            action="portal.editorial.granted",
            actor=actor,
            obj=user,
            detail={"group": group.name, "role": role, "site": site.hostname if site else ""},
        )
    return group


def review_required(user, page):
    """Whether ``page`` may go live only through its workflow: true for everyone but
    superusers wherever a workflow applies (every portal, once set up). Direct publishing,
    bulk publishing and publishing copies are refused for such pages; the last approval of the
    workflow publishes them."""
    if user.is_superuser or page is None or page.pk is None:
        return False
    return page.get_workflow() is not None


def _site_root_path(page):
    site = page.get_site()
    return site.root_page.path if site else page.path[: Page.steplen]


def _interpretation_candidates(document):
    """Interpretations of the document's site that the document's publication may carry: those
    linked in the database, and unpublished ones whose latest draft links it (a link added in
    a draft lives only in the revision until it is published)."""
    root_path = _site_root_path(document)
    in_site = PolicyInterpretationPage.objects.filter(path__startswith=root_path)
    linked_ids = set(in_site.filter(documents=document).values_list("pk", flat=True))
    drafts = in_site.filter(has_unpublished_changes=True).exclude(pk__in=linked_ids)
    for page in drafts.select_related("latest_revision"):
        revision = page.latest_revision
        if revision is not None and document.pk in (revision.content.get("documents") or []):
            linked_ids.add(page.pk)
    return PolicyInterpretationPage.objects.filter(pk__in=linked_ids).order_by("path")


def _draft_to_publish(interpretation, document):
    """The interpretation's latest revision if related publishing should publish it, else
    ``None``: it must have something unpublished, not be in a workflow of its own, and its
    latest draft must still link the document and ask to be published with it."""
    if interpretation.live and not interpretation.has_unpublished_changes:
        return None
    if interpretation.workflow_in_progress:
        return None
    revision = interpretation.get_latest_revision()
    if revision is None:
        return None
    draft = revision.as_object()
    if not draft.publish_with_documents:
        return None
    if document.pk not in {doc.pk for doc in draft.documents.all()}:
        return None
    return revision


def linked_interpretation_drafts(document):
    """Interpretations that will be published together with ``document`` when it is
    published, as ``(interpretation, revision)`` pairs."""
    pairs = []
    for interpretation in _interpretation_candidates(document):
        revision = _draft_to_publish(interpretation, document)
        if revision is not None:
            pairs.append((interpretation, revision))
    return pairs


def _authorizing_user(document, revision):
    """Who authorized the document's publication: the reviewer who gave the last approval of a
    workflow finished since this revision was saved, else the revision's author."""
    state = (
        TaskState.objects.for_instance(document)
        .filter(status=TaskState.STATUS_APPROVED, finished_at__gte=revision.created_at)
        .exclude(finished_by=None)
        .select_related("finished_by")
        .order_by("-finished_at", "-pk")
        .first()
    )
    return state.finished_by if state else revision.user


@transaction.atomic
def publish_interpretations_with_document(*, document, revision):
    """关联发布: publish the latest draft of every interpretation on the document's site that
    links ``document`` and has ``publish_with_documents`` set, unless it is in a workflow of
    its own. The document's publication (after its two-step review) is the authority, so the
    interpretations' own publish permission is not checked. Each publication writes an audit
    row. Returns the interpretations published."""
    if not isinstance(document, PolicyDocumentPage) or not document.live:
        # A document only scheduled for later carries its interpretations when it goes live.
        return []
    actor = _authorizing_user(document, revision)
    published = []
    for interpretation, draft in linked_interpretation_drafts(document):
        draft.publish(user=actor, skip_permission_checks=True)
        interpretation.refresh_from_db()
        record(
            action="portal.interpretation.published_with_document",
            actor=actor,
            obj=interpretation,
            detail={
                "document_id": document.pk,
                "document_title": document.title,
                "document_revision_id": revision.pk,
                "interpretation_revision_id": draft.pk,
                "live": interpretation.live,
            },
        )
        logger.info(
            "关联发布: interpretation %s published with document %s",
            interpretation.pk,
            document.pk,
        )
        published.append(interpretation)
    return published
