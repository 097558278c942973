"""The two-step review (两审发布), scheduled publishing, revisions and related publishing
(关联发布), driven through the admin as the editors and reviewers would drive it.

Reviewers act through Wagtail's workflow action endpoint; scheduled publishing is checked by
moving the clock, not the schedule, before running ``publish_scheduled``.
"""

import datetime
import io
import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowState

from yiwang.accounts.models import User
from yiwang.core.models import AuditEvent
from yiwang.portal.editorial import Role, grant, linked_interpretation_drafts
from yiwang.portal.models import PolicyDocumentPage, PolicyInterpretationPage

from . import test_editorial as shared
from .test_editorial import (
    admin_get,
    admin_post,
    create_through_admin,
    document_fields,
    form_data,
    login,
    messages_of,
    new_document,
)

# The fixtures of test_editorial.py, found by pytest as attributes of this module.
editorials = shared.editorials
columns = shared.columns
make_staff = shared.make_staff


@pytest.fixture
def staff(site_group, make_staff):
    """An editor and both reviewers of county A, and the reviewers of county B."""
    county_a, county_b = site_group["county_a"], site_group["county_b"]
    return {
        "editor_a": make_staff("song-bianji", Role.EDITOR, county_a),
        "first_a": make_staff("song-chushen", Role.FIRST_REVIEW, county_a),
        "final_a": make_staff("song-zhongshen", Role.FINAL_REVIEW, county_a),
        "first_b": make_staff("lin-chushen", Role.FIRST_REVIEW, county_b),
        "final_b": make_staff("lin-zhongshen", Role.FINAL_REVIEW, county_b),
    }


def as_user(client, user):
    client.logout()
    return login(client, user)


def workflow_action(client, page, action, comment=""):
    """POST a reviewer's action on the page's current task, as the review modal does."""
    task_state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))
    return admin_post(client, url, {"comment": comment})


def reload(page):
    return type(page).objects.get(pk=page.pk)


def edit_through_admin(client, page, fields=None, action=None, url=None):
    url = url or reverse("wagtailadmin_pages:edit", args=(page.pk,))
    data = form_data(admin_get(client, url))
    data.update(fields or {})
    if action:
        data[action] = "1"
    response = admin_post(client, url, data)
    assert response.status_code == 302, messages_of(response)
    return response


def submit_new_document(client, column, slug="sfbf", **extra):
    response = create_through_admin(
        client,
        column,
        "policydocumentpage",
        document_fields("关于印发示范办法的通知", slug, **extra),
        action="action-submit",
    )
    assert response.status_code == 302, messages_of(response)
    return PolicyDocumentPage.objects.get(slug=slug)


def refused(response):
    """A refused workflow action: back to the admin home with a permission message."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def approve_both_steps(client, page, staff):
    as_user(client, staff["first_a"])
    assert workflow_action(client, page, "approve").status_code == 302
    page = reload(page)
    as_user(client, staff["final_a"])
    assert workflow_action(client, page, "approve").status_code == 302
    return reload(page)


# -- two-step review --------------------------------------------------------------------------


def test_page_goes_live_only_after_first_and_final_review(client, columns, staff):
    as_user(client, staff["editor_a"])
    document = submit_new_document(client, columns["policy_a"])
    assert not document.live
    assert document.current_workflow_task.name == "松林县人民政府·初审"

    # Nobody but county A's first reviewers can act on the first step.
    for outsider in ("first_b", "final_b", "final_a", "editor_a"):
        as_user(client, staff[outsider])
        assert refused(workflow_action(client, document, "approve")), outsider
        document = reload(document)
        assert document.current_workflow_task.name == "松林县人民政府·初审"

    as_user(client, staff["first_a"])
    response = workflow_action(client, document, "approve", comment="内容无误")
    assert response.status_code == 302 and not refused(response)
    document = reload(document)
    assert not document.live, "first review alone never publishes"
    assert document.current_workflow_task.name == "松林县人民政府·终审"

    for outsider in ("first_a", "final_b", "editor_a"):
        as_user(client, staff[outsider])
        assert refused(workflow_action(client, document, "approve")), outsider
    assert not reload(document).live

    as_user(client, staff["final_a"])
    assert not refused(workflow_action(client, document, "approve"))
    document = reload(document)
    assert document.live
    assert document.live_revision_id == document.latest_revision_id
    assert re.fullmatch(r"9901020001/\d{4}-\d{5}", document.index_number)
    state = WorkflowState.objects.for_instance(document).get()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert [(ts.task.name, ts.finished_by.username) for ts in state.task_states.order_by("pk")] == [
        ("松林县人民政府·初审", "song-chushen"),
        ("松林县人民政府·终审", "song-zhongshen"),
    ]


def test_reviewers_open_the_editor_of_their_own_county_only(client, columns, staff):
    as_user(client, staff["editor_a"])
    document = submit_new_document(client, columns["policy_a"])
    edit_url = reverse("wagtailadmin_pages:edit", args=(document.pk,))

    as_user(client, staff["first_a"])
    response = admin_get(client, edit_url)
    assert response.status_code == 200
    assert "关于印发示范办法的通知" in response.content.decode()

    as_user(client, staff["first_b"])
    response = admin_get(client, edit_url)
    assert refused(response)
    assert "关于印发示范办法的通知" not in response.content.decode()


def test_rejected_page_goes_back_to_the_editor_and_can_be_resubmitted(client, columns, staff):
    as_user(client, staff["editor_a"])
    document = submit_new_document(client, columns["policy_a"])

    as_user(client, staff["first_a"])
    response = workflow_action(client, document, "reject", comment="文号有误")
    assert response.status_code == 302 and not refused(response)
    document = reload(document)
    assert not document.live
    state = WorkflowState.objects.for_instance(document).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES

    as_user(client, staff["editor_a"])
    edit_through_admin(
        client,
        document,
        {"title": "关于印发示范办法的通知（修订）", "document_number": "松政发〔2026〕2号"},
        action="action-submit",
    )
    document = reload(document)
    assert document.current_workflow_task.name == "松林县人民政府·初审"
    assert not document.live

    document = approve_both_steps(client, document, staff)
    assert document.live
    assert document.title == "关于印发示范办法的通知（修订）"
    assert document.document_number == "松政发〔2026〕2号"


# -- scheduled publishing ---------------------------------------------------------------------


def test_approved_page_with_a_future_go_live_waits_for_publish_scheduled(client, columns, staff):
    go_live = timezone.now() + datetime.timedelta(days=2)
    as_user(client, staff["editor_a"])
    document = submit_new_document(
        client,
        columns["policy_a"],
        go_live_at=timezone.localtime(go_live).strftime("%Y-%m-%d %H:%M"),
    )
    document = approve_both_steps(client, document, staff)
    assert not document.live
    revision = document.latest_revision
    revision.refresh_from_db()
    assert revision.approved_go_live_at == go_live.replace(second=0, microsecond=0)

    call_command("publish_scheduled", stdout=io.StringIO())
    assert not reload(document).live, "not before its time"

    later = go_live + datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("publish_scheduled", stdout=io.StringIO())
    document = reload(document)
    assert document.live
    assert document.live_revision_id == revision.pk


# -- revisions --------------------------------------------------------------------------------


def test_edits_make_revisions_and_an_earlier_one_can_be_restored(client, columns, staff):
    as_user(client, staff["editor_a"])
    response = create_through_admin(
        client, columns["policy_a"], "policydocumentpage", document_fields("第一稿", "gao")
    )
    assert response.status_code == 302
    document = PolicyDocumentPage.objects.get(slug="gao")
    first = document.latest_revision
    edit_through_admin(client, document, {"title": "第二稿"})
    edit_through_admin(client, document, {"title": "第三稿"})
    document = reload(document)
    assert [r.as_object().title for r in document.revisions.order_by("created_at", "pk")] == [
        "第一稿",
        "第二稿",
        "第三稿",
    ]

    history = admin_get(client, reverse("wagtailadmin_pages:history", args=(document.pk,)))
    assert history.status_code == 200

    revert_url = reverse("wagtailadmin_pages:revisions_revert", args=(document.pk, first.pk))
    response = admin_get(client, revert_url)
    assert response.status_code == 200
    assert 'value="第一稿"' in response.content.decode()
    edit_through_admin(client, document, url=revert_url)
    document = reload(document)
    assert document.revisions.count() == 4
    assert document.latest_revision.as_object().title == "第一稿"
    assert document.draft_title == "第一稿"
    assert not document.live, "restoring a revision by an editor is still only a draft"


# -- related publishing (关联发布) --------------------------------------------------------------


def new_interpretation(column, slug, documents, *, publish_with_documents=True, live=False):
    interpretation = PolicyInterpretationPage(
        title=f"解读{slug}", slug=slug, publish_with_documents=publish_with_documents, live=False
    )
    column.add_child(instance=interpretation)
    interpretation.documents.set(documents)
    interpretation.save()
    revision = interpretation.save_revision()
    if live:
        revision.publish()
    return reload(interpretation)


def test_interpretations_are_published_with_their_document(client, columns, staff):
    as_user(client, staff["editor_a"])
    document = submit_new_document(client, columns["policy_a"])
    other = new_document(columns["policy_a"], title="另一份文件", slug="other")
    column = columns["interpretation_a"]
    with_it = new_interpretation(column, "tongbu", [document])
    not_with_it = new_interpretation(column, "butongbu", [document], publish_with_documents=False)
    of_other = new_interpretation(column, "taren", [other])
    in_review = new_interpretation(column, "shenhe", [document])
    edit_through_admin(client, in_review, action="action-submit")
    assert reload(in_review).workflow_in_progress
    changed = new_interpretation(column, "xiugai", [document], live=True)
    changed.title = "解读xiugai（新版）"
    changed.save_revision()

    # Reviewers are told what the document will carry.
    as_user(client, staff["final_a"])
    edit_page = admin_get(client, reverse("wagtailadmin_pages:edit", args=(document.pk,)))
    notice = [m for m in messages_of(edit_page) if "关联发布" in m]
    assert len(notice) == 1
    assert "解读tongbu" in notice[0] and "解读xiugai（新版）" in notice[0]
    assert "解读butongbu" not in notice[0] and "解读shenhe" not in notice[0]

    as_user(client, staff["first_a"])
    workflow_action(client, document, "approve")
    assert not reload(with_it).live, "the first review does not publish anything"

    as_user(client, staff["final_a"])
    workflow_action(client, reload(document), "approve")
    assert reload(document).live

    with_it = reload(with_it)
    assert with_it.live and not with_it.has_unpublished_changes
    changed = reload(changed)
    assert changed.title == "解读xiugai（新版）" and not changed.has_unpublished_changes
    assert not reload(not_with_it).live
    assert not reload(of_other).live
    assert not reload(in_review).live

    events = AuditEvent.objects.filter(action="portal.interpretation.published_with_document")
    assert {(e.object_id, e.actor.username) for e in events} == {
        (str(with_it.pk), "song-zhongshen"),
        (str(changed.pk), "song-zhongshen"),
    }
    assert all(e.detail["document_id"] == document.pk for e in events)
    assert linked_interpretation_drafts(reload(document)) == []


def test_a_link_added_only_in_a_draft_counts(client, columns, staff):
    as_user(client, staff["editor_a"])
    document = submit_new_document(client, columns["policy_a"])
    interpretation = new_interpretation(columns["interpretation_a"], "houjia", [], live=True)
    draft = interpretation.get_latest_revision_as_object()
    draft.documents.set([document])
    draft.save_revision()
    assert not PolicyInterpretationPage.objects.filter(documents=document).exists()

    approve_both_steps(client, document, staff)
    interpretation = reload(interpretation)
    assert not interpretation.has_unpublished_changes
    assert list(interpretation.documents.all()) == [document]


def test_interpretations_of_a_scheduled_document_wait_for_it(client, columns, staff):
    go_live = timezone.now() + datetime.timedelta(days=1)
    as_user(client, staff["editor_a"])
    document = submit_new_document(
        client,
        columns["policy_a"],
        go_live_at=timezone.localtime(go_live).strftime("%Y-%m-%d %H:%M"),
    )
    interpretation = new_interpretation(columns["interpretation_a"], "dingshi", [document])
    approve_both_steps(client, document, staff)
    assert not reload(document).live
    assert not reload(interpretation).live

    with mock.patch(
        "django.utils.timezone.now", return_value=go_live + datetime.timedelta(minutes=1)
    ):
        call_command("publish_scheduled", stdout=io.StringIO())
    assert reload(document).live
    assert reload(interpretation).live


def test_interpretations_on_another_site_are_not_carried(client, site_group, columns, staff):
    as_user(client, staff["editor_a"])
    document = submit_new_document(client, columns["policy_a"])
    elsewhere = new_interpretation(columns["policy_b"], "kuazhan", [document])
    approve_both_steps(client, document, staff)
    assert reload(document).live
    assert not reload(elsewhere).live


# -- no way around the review -----------------------------------------------------------------


def test_final_reviewer_cannot_skip_the_first_review(client, columns, staff):
    as_user(client, staff["editor_a"])
    response = create_through_admin(
        client, columns["policy_a"], "policydocumentpage", document_fields("草稿", "caogao")
    )
    assert response.status_code == 302
    document = PolicyDocumentPage.objects.get(slug="caogao")

    as_user(client, staff["final_a"])
    edit_url = reverse("wagtailadmin_pages:edit", args=(document.pk,))
    html = admin_get(client, edit_url).content.decode()
    assert 'name="action-submit"' in html
    assert 'name="action-publish"' not in html

    response = admin_post(
        client,
        edit_url,
        {
            **form_data(admin_get(client, edit_url)),
            "title": "终审改过的草稿",
            "action-publish": "1",
        },
    )
    assert response.status_code == 302 and response["Location"] == edit_url
    document = reload(document)
    assert not document.live
    assert document.draft_title == "终审改过的草稿", "the draft is kept"
    assert any("不能直接发布" in m for m in messages_of(admin_get(client, edit_url)))

    bulk_url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    response = admin_post(client, f"{bulk_url}?id={document.pk}", {"include_descendants": ""})
    assert response.status_code == 302
    assert not reload(document).live


def test_copies_are_not_published_without_review(client, site_group, columns, make_staff):
    # In a small county one person may hold both roles; copying still cannot publish.
    both = make_staff("song-liangjian", Role.EDITOR, site_group["county_a"])
    grant(both, site_group["county_a"], Role.FINAL_REVIEW)
    live = new_document(columns["policy_a"], title="已发布文件", slug="yifabu")
    live.get_latest_revision().publish()
    as_user(client, both)
    copy_url = reverse("wagtailadmin_pages:copy", args=(live.pk,))
    response = admin_post(
        client,
        copy_url,
        {
            "new_title": "已发布文件副本",
            "new_slug": "yifabu-copy",
            "new_parent_page": columns["policy_a"].pk,
            "publish_copies": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == copy_url
    assert not PolicyDocumentPage.objects.filter(slug="yifabu-copy").exists()

    response = admin_post(
        client,
        copy_url,
        {
            "new_title": "已发布文件副本",
            "new_slug": "yifabu-copy",
            "new_parent_page": columns["policy_a"].pk,
        },
    )
    assert response.status_code == 302
    copy = PolicyDocumentPage.objects.get(slug="yifabu-copy")
    assert not copy.live


def test_superuser_may_publish_directly_and_interpretations_follow(client, columns, staff):
    admin = User.objects.create_superuser(username="root", password="correct-horse-battery")
    document = new_document(columns["policy_a"])
    interpretation = new_interpretation(columns["interpretation_a"], "zhijie", [document])
    as_user(client, admin)
    edit_through_admin(client, document, action="action-publish")
    assert reload(document).live
    assert reload(interpretation).live
    event = AuditEvent.objects.get(action="portal.interpretation.published_with_document")
    assert event.actor == admin
