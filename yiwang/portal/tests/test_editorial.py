"""Editorial setup and site scoping, tested through the real admin views.

Every portal of the site group has its own editors and reviewers; these tests check that an
editor of one county sees and touches only that county, that the group-wide editor reaches
every portal, and that no editor can publish without review. Fixtures defined here are shared
with test_editorial_review.py.
"""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
)
from wagtail.test.utils.form_data import querydict_from_html

from yiwang.accounts.models import User
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core.models import AuditEvent
from yiwang.portal import editorial
from yiwang.portal.constants import ColumnType, SubjectCategory
from yiwang.portal.editorial import GROUP_WIDE_EDITORS, Role
from yiwang.portal.models import ColumnPage, PolicyDocumentPage

ADMIN_HOST = "localhost"
PASSWORD = "correct-horse-battery-staple"


# -- fixtures and builders (test_editorial_review.py imports these) ---------------------------


@pytest.fixture
def editorials(site_group):
    """Every portal set up for editorial work, keyed like ``site_group``."""
    editorial.setup_editorial()
    return {key: editorial.setup_site_editorial(site) for key, site in site_group.items()}


@pytest.fixture
def columns(site_group):
    """A policy column and an interpretation column in each county."""

    def add(site_key, title, slug, column_type):
        home = site_group[site_key].root_page
        column = ColumnPage(title=title, slug=slug, column_type=column_type)
        home.add_child(instance=column)
        column.save_revision().publish()
        return column

    return {
        "policy_a": add("county_a", "政策文件", "zcwj", ColumnType.POLICY),
        "interpretation_a": add("county_a", "政策解读", "zcjd", ColumnType.INTERPRETATION),
        "policy_b": add("county_b", "政策文件", "zcwj", ColumnType.POLICY),
    }


@pytest.fixture
def make_staff(editorials):
    """``make_staff(username, role, site)`` → a user with a password, granted the role."""

    def make(username, role=Role.EDITOR, site=None):
        user = User.objects.create_user(username=username, password=PASSWORD)
        editorial.grant(user, site=site, role=role)
        return user

    return make


def login(client, user):
    login_with_second_factor(client, user)
    return client


def admin_get(client, url, **kwargs):
    return client.get(url, HTTP_HOST=ADMIN_HOST, **kwargs)


def admin_post(client, url, data, **kwargs):
    return client.post(url, data, HTTP_HOST=ADMIN_HOST, **kwargs)


def form_data(response):
    """The page editor's form as the browser would send it."""
    assert response.status_code == 200, response
    return querydict_from_html(response.content.decode(), form_id="page-edit-form")


def document_fields(title, slug, **extra):
    return {
        "title": title,
        "slug": slug,
        "issuing_authority": "松林县人民政府",
        "document_number": "松政发〔2026〕1号",
        "date_written": "2026-01-05",
        "subject_category": SubjectCategory.GENERAL,
        "publish_date": "2026-01-06 09:00",
        **extra,
    }


def create_through_admin(client, parent, model_name, fields, action=None):
    """Create a page with the admin's create view; ``action`` is e.g. "action-submit"."""
    url = reverse("wagtailadmin_pages:add", args=("portal", model_name, parent.pk))
    data = form_data(admin_get(client, url))
    data.update(fields)
    if action:
        data[action] = "1"
    return admin_post(client, url, data)


def new_document(column, title="关于印发示范办法的通知", slug="sfbf"):
    """A draft policy document created in code (for tests about what happens after)."""
    document = PolicyDocumentPage(
        title=title,
        slug=slug,
        issuing_authority="松林县人民政府",
        date_written=datetime.date(2026, 1, 5),
        subject_category=SubjectCategory.GENERAL,
        live=False,
    )
    column.add_child(instance=document)
    document.save_revision()
    return document


def messages_of(response):
    return [str(m).strip() for m in response.context["messages"]] if response.context else []


# -- setup -------------------------------------------------------------------------------------


def test_setup_creates_groups_collection_and_two_step_workflow(editorials, site_group):
    county_a = editorials["county_a"]
    site = site_group["county_a"]
    assert county_a.editors.name == "松林县人民政府·编辑"
    assert county_a.first_reviewers.name == "松林县人民政府·初审"
    assert county_a.final_reviewers.name == "松林县人民政府·终审"
    assert county_a.collection.name == "松林县人民政府"
    assert county_a.collection.get_parent() == Collection.get_first_root_node()

    workflow = county_a.workflow
    assert workflow.name == "松林县人民政府·两审发布"
    assert WorkflowPage.objects.get(page=site.root_page).workflow == workflow
    tasks = [task.specific for task in workflow.tasks]
    assert [task.name for task in tasks] == ["松林县人民政府·初审", "松林县人民政府·终审"]
    assert all(isinstance(task, GroupApprovalTask) for task in tasks)
    assert list(tasks[0].groups.all()) == [county_a.first_reviewers]
    assert list(tasks[1].groups.all()) == [county_a.final_reviewers]

    def page_perms(group):
        return set(
            GroupPagePermission.objects.filter(group=group).values_list(
                "page_id", "permission__codename"
            )
        )

    root_id = site.root_page_id
    assert page_perms(county_a.editors) == {(root_id, "add_page"), (root_id, "change_page")}
    assert page_perms(county_a.first_reviewers) == {(root_id, "change_page")}
    # Wagtail publishes at the end of a workflow as the last approver, checking their right.
    assert page_perms(county_a.final_reviewers) == {
        (root_id, "change_page"),
        (root_id, "publish_page"),
    }
    for group in (county_a.editors, county_a.first_reviewers, county_a.final_reviewers):
        assert group.permissions.filter(codename="access_admin").exists()
    assert set(
        county_a.editors.collection_permissions.filter(collection=county_a.collection).values_list(
            "permission__codename", flat=True
        )
    ) == {
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    }

    group_wide = Group.objects.get(name=GROUP_WIDE_EDITORS)
    assert {page for page, _ in page_perms(group_wide)} == {
        s.root_page_id for s in site_group.values()
    }
    publishers = set(
        GroupPagePermission.objects.filter(permission__codename="publish_page").values_list(
            "group__name", flat=True
        )
    )
    assert publishers - {"Moderators"} == {
        f"{site.site_name}·终审" for site in site_group.values()
    }, "only final reviewers (and Wagtail's unused default group) hold publish"


def test_setup_is_idempotent_and_follows_a_renamed_site(editorials, site_group):
    counts = (
        Group.objects.count(),
        Collection.objects.count(),
        Workflow.objects.count(),
        GroupApprovalTask.objects.count(),
        GroupPagePermission.objects.count(),
    )

    def setup_audits():
        return AuditEvent.objects.filter(
            action="portal.editorial.setup", object_id=str(site_group["county_a"].pk)
        ).count()

    audits = setup_audits()
    again = editorial.setup_site_editorial(site_group["county_a"])
    assert again.changes == []
    assert setup_audits() == audits, "a run that changes nothing records nothing"
    assert again.editors == editorials["county_a"].editors

    site = site_group["county_a"]
    site.site_name = "松林市人民政府"
    site.save()
    renamed = editorial.setup_site_editorial(site)
    assert renamed.editors.pk == editorials["county_a"].editors.pk
    assert renamed.editors.name == "松林市人民政府·编辑"
    assert renamed.final_reviewers.name == "松林市人民政府·终审"
    assert renamed.collection.pk == editorials["county_a"].collection.pk
    assert renamed.collection.name == "松林市人民政府"
    assert renamed.workflow.pk == editorials["county_a"].workflow.pk
    assert renamed.workflow.name == "松林市人民政府·两审发布"
    assert [t.name for t in renamed.workflow.tasks] == [
        "松林市人民政府·初审",
        "松林市人民政府·终审",
    ]
    assert counts == (
        Group.objects.count(),
        Collection.objects.count(),
        Workflow.objects.count(),
        GroupApprovalTask.objects.count(),
        GroupPagePermission.objects.count(),
    )
    assert setup_audits() == audits + 1


def test_setup_command_reports_and_is_repeatable(site_group):
    out = io.StringIO()
    call_command("setup_editorial", "--site", "linxi.localhost", stdout=out)
    assert "临溪县人民政府（linxi.localhost）" in out.getvalue()
    assert "新建审核流程“临溪县人民政府·两审发布”" in out.getvalue()
    assert not Group.objects.filter(name="松林县人民政府·编辑").exists()

    out = io.StringIO()
    call_command("setup_editorial", stdout=out)
    assert "新建用户组“松林县人民政府·编辑”" in out.getvalue()
    assert GROUP_WIDE_EDITORS in out.getvalue()

    out = io.StringIO()
    call_command("setup_editorial", stdout=out)
    assert "新建" not in out.getvalue()
    assert out.getvalue().count("已是最新，无需改动") == len(site_group) + 1


def test_grant_puts_users_in_the_right_group(editorials, site_group, make_staff):
    reviewer = make_staff("lin-chushen", Role.FIRST_REVIEW, site_group["county_b"])
    assert list(reviewer.groups.all()) == [editorials["county_b"].first_reviewers]
    province_editor = make_staff("sheng-bianji", Role.EDITOR)
    assert list(province_editor.groups.values_list("name", flat=True)) == [GROUP_WIDE_EDITORS]
    with pytest.raises(ValueError):
        editorial.grant(province_editor, role=Role.FINAL_REVIEW)
    with pytest.raises(ValueError):
        editorial.grant(province_editor, site=site_group["city"], role="publisher")
    assert (
        AuditEvent.objects.filter(action="portal.editorial.granted", object_id=str(reviewer.pk))
        .get()
        .detail["group"]
        == "临溪县人民政府·初审"
    )


# -- scoping by site, through the admin ---------------------------------------------------------


def test_county_editor_sees_only_their_county_in_the_explorer(
    client, site_group, columns, make_staff
):
    new_document(columns["policy_b"], title="临溪县机密草稿", slug="lxcg")
    login(client, make_staff("song-bianji", Role.EDITOR, site_group["county_a"]))
    county_a_root = site_group["county_a"].root_page
    response = admin_get(client, reverse("wagtailadmin_explore_root"), follow=True)
    assert response.redirect_chain == [
        (reverse("wagtailadmin_explore", args=(county_a_root.pk,)), 302)
    ]
    assert response.context["parent_page"].pk == county_a_root.pk
    listed = list(response.context["object_list"])
    assert {page.pk for page in listed} == {columns["policy_a"].pk, columns["interpretation_a"].pk}

    county_b_root = site_group["county_b"].root_page
    for url in (
        reverse("wagtailadmin_explore", args=(county_b_root.pk,)),
        reverse("wagtailadmin_explore", args=(columns["policy_b"].pk,)),
    ):
        response = admin_get(client, url)
        assert response.status_code in (302, 403)
        assert "临溪县机密草稿" not in response.content.decode()

    own = new_document(columns["policy_a"], title="松林县机密草稿", slug="slcg")

    def search(query):
        response = admin_get(client, reverse("wagtailadmin_pages:search"), data={"q": query})
        assert response.status_code == 200
        return [page.pk for page in response.context["object_list"]]

    assert search("松林县机密草稿") == [own.pk]
    assert search("临溪县机密草稿") == []


def test_county_editor_cannot_edit_or_add_in_another_county(
    client, site_group, columns, make_staff
):
    other = new_document(columns["policy_b"], title="临溪县机密草稿", slug="lxcg")
    login(client, make_staff("song-bianji", Role.EDITOR, site_group["county_a"]))

    response = admin_get(client, reverse("wagtailadmin_pages:edit", args=(other.pk,)))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")
        home = admin_get(client, response["Location"])
        assert messages_of(home) == ["对不起， 你没有权限访问。"]
    assert "临溪县机密草稿" not in response.content.decode()

    response = create_through_admin_denied(client, columns["policy_b"])
    assert response.status_code in (302, 403)
    assert not PolicyDocumentPage.objects.filter(slug="qinru").exists()

    # The same editor may edit pages of their own county.
    own = new_document(columns["policy_a"], title="松林县草稿", slug="slcg")
    response = admin_get(client, reverse("wagtailadmin_pages:edit", args=(own.pk,)))
    assert response.status_code == 200
    assert "松林县草稿" in response.content.decode()


def create_through_admin_denied(client, parent):
    url = reverse("wagtailadmin_pages:add", args=("portal", "policydocumentpage", parent.pk))
    assert admin_get(client, url).status_code in (302, 403)
    data = document_fields("越权新增", "qinru")
    data["action-publish"] = "1"
    return admin_post(client, url, data)


def test_group_wide_editor_edits_pages_in_both_counties(client, site_group, columns, make_staff):
    in_a = new_document(columns["policy_a"], title="松林县草稿", slug="slcg")
    in_b = new_document(columns["policy_b"], title="临溪县草稿", slug="lxcg")
    login(client, make_staff("sheng-bianji", Role.EDITOR))

    for page, new_title in ((in_a, "松林县草稿（修改）"), (in_b, "临溪县草稿（修改）")):
        url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
        data = form_data(admin_get(client, url))
        data["title"] = new_title
        response = admin_post(client, url, data)
        assert response.status_code == 302, messages_of(response)
        page.refresh_from_db()
        assert page.draft_title == new_title
        assert not page.live

    response = admin_get(client, reverse("wagtailadmin_explore_root"), follow=True)
    assert {page.pk for page in response.context["object_list"]} >= {
        site_group["county_a"].root_page_id,
        site_group["county_b"].root_page_id,
    }
    response = admin_get(client, reverse("wagtailadmin_pages:search"), data={"q": "临溪县草稿"})
    assert [page.pk for page in response.context["object_list"]] == [in_b.pk]


def test_editor_saves_drafts_and_submits_but_cannot_publish(
    client, site_group, columns, make_staff
):
    login(client, make_staff("song-bianji", Role.EDITOR, site_group["county_a"]))
    add_url = reverse(
        "wagtailadmin_pages:add", args=("portal", "policydocumentpage", columns["policy_a"].pk)
    )
    page_html = admin_get(client, add_url).content.decode()
    assert 'name="action-submit"' in page_html
    assert 'name="action-publish"' not in page_html

    # A forged publish is saved as a draft, never published.
    response = create_through_admin(
        client,
        columns["policy_a"],
        "policydocumentpage",
        document_fields("试图直接发布", "zhijie"),
        action="action-publish",
    )
    assert response.status_code == 302
    page = PolicyDocumentPage.objects.get(slug="zhijie")
    assert not page.live
    assert page.index_number.startswith("9901020001/")

    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    data = form_data(admin_get(client, edit_url))
    data["title"] = "试图直接发布（二）"
    data["action-publish"] = "1"
    admin_post(client, edit_url, data)
    page.refresh_from_db()
    assert not page.live
    assert page.draft_title == "试图直接发布（二）"

    data = form_data(admin_get(client, edit_url))
    data["action-submit"] = "1"
    response = admin_post(client, edit_url, data)
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.workflow_in_progress
    assert page.current_workflow_task.name == "松林县人民政府·初审"
    assert not page.live

    # Outside any site there is nothing they may touch.
    assert (
        not Page.get_first_root_node()
        .permissions_for_user(User.objects.get(username="song-bianji"))
        .can_add_subpage()
    )
