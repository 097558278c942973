"""The authorization matrix over HTTP: who gets what from the applicant's case page and
downloads, the workbench's case page and downloads, and every action POST. A refusal is a
403 or a redirect to the login page — never a 500, never the file, never a change."""

import pytest

from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core.sms import RecordingSmsBackend
from yiwang.hall.constants import HallRole, Step
from yiwang.hall.models import CaseEvent
from yiwang.hall.tests.casekit import (
    World,
    make_submitted,
    open_task,
    verified_citizen,
)
from yiwang.hall.tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(regions):
    """Departments, staff and items of the case tests (``casekit.World``)."""
    RecordingSmsBackend.clear()
    return World(regions)


HOST = "songlin.localhost"
ACTORS = (
    "applicant",
    "other_citizen",
    "right_staff",
    "wrong_staff",
    "supervisor",
    "other_supervisor",
    "configuration_admin",
    "anonymous",
)
ACTIONS = (
    "claim",
    "release",
    "accept",
    "correction",
    "refuse",
    "review",
    "special",
    "decide",
    "handle",
    "deliver",
    "extend",
    "comment",
    "attach",
)


@pytest.fixture
def matrix(world, site_group, django_capture_on_commit_callbacks):
    implementation = world.implementation()
    citizen = verified_citizen()
    with django_capture_on_commit_callbacks(execute=True):
        case, _ = make_submitted(implementation, citizen)
    other_supervisor = make_staff(world.other, HallRole.SUPERVISOR)
    admin = make_staff(world.lead, HallRole.ADMINISTRATOR)
    people = {
        "applicant": citizen,
        "other_citizen": verified_citizen(name="李四"),
        "right_staff": world.acceptor,
        "wrong_staff": world.other_acceptor,
        "supervisor": world.supervisor,
        "other_supervisor": other_supervisor,
        "configuration_admin": admin,
        "anonymous": None,
    }
    return case, people


def log_in(client, user):
    if user is None:
        return
    if user.is_staff:
        login_with_second_factor(client, user)
    else:
        client.force_login(user)


def refused(response):
    if response.status_code == 403:
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    return "login" in location or "/accounts/sso/start" in location


# applicant page, applicant download, workbench page, workbench download
EXPECTED = {
    "applicant": ("ok", "ok", "refused", "refused"),
    "other_citizen": ("refused", "refused", "refused", "refused"),
    "right_staff": ("workbench", "workbench", "ok", "ok"),
    "wrong_staff": ("refused", "refused", "refused", "refused"),
    "supervisor": ("workbench", "workbench", "ok", "ok"),
    "other_supervisor": ("refused", "refused", "refused", "refused"),
    "configuration_admin": ("refused", "refused", "refused", "refused"),
    "anonymous": ("refused", "refused", "refused", "refused"),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_pages_and_downloads(client, matrix, actor):
    case, people = matrix
    log_in(client, people[actor])
    material = case.materials.get()
    receipt = case.documents.get()
    urls = (
        f"/banshi/cases/{case.number}/",
        f"/banshi/cases/{case.number}/files/material/{material.pk}/",
        f"/admin/hall/cases/{case.pk}/",
        f"/admin/hall/cases/{case.pk}/files/document/{receipt.pk}/",
    )
    for url, expected in zip(urls, EXPECTED[actor], strict=True):
        response = client.get(url, HTTP_HOST=HOST)
        assert response.status_code < 500, (actor, url)
        if expected == "ok":
            assert response.status_code == 200, (actor, url, response.status_code)
        elif expected == "workbench":
            assert response.status_code == 302, (actor, url)
            assert response["Location"] == f"/admin/hall/cases/{case.pk}/"
        else:
            assert refused(response), (actor, url, response.status_code)
            assert not hasattr(response, "streaming_content"), (actor, url)


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "right_staff"])
def test_no_action_for_those_without_the_task(client, matrix, actor):
    case, people = matrix
    log_in(client, people[actor])
    task = open_task(case, Step.ACCEPT)
    before = CaseEvent.objects.filter(case=case).count()
    for action in ACTIONS:
        data = {"task": task.pk, "comment-text": "看看", "refuse-reason": "理由"}
        response = client.post(f"/admin/hall/cases/{case.pk}/act/{action}/", data)
        assert response.status_code < 500, (actor, action)
        if actor == "supervisor" and action in ("comment", "attach"):
            # Supervisors of the department may note on its cases and attach documents
            # (here without a file: the form's error, not a refusal).
            assert response.status_code == (302 if action == "comment" else 400)
            continue
        assert refused(response), (actor, action, response.status_code)
    case.refresh_from_db()
    task.refresh_from_db()
    assert case.status == "submitted" and task.state == "open" and task.assignee is None
    expected = before + (1 if actor == "supervisor" else 0)
    assert CaseEvent.objects.filter(case=case).count() == expected


def test_the_right_staff_may_act(client, matrix):
    case, people = matrix
    login_with_second_factor(client, people["right_staff"])
    task = open_task(case, Step.ACCEPT)
    response = client.post(f"/admin/hall/cases/{case.pk}/act/accept/", {"task": task.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "accepted"


@pytest.mark.parametrize("actor", ["other_citizen", "right_staff", "anonymous"])
def test_applicant_posts_are_the_applicants(client, matrix, actor):
    case, people = matrix
    log_in(client, people[actor])
    for url, data in (
        (f"/banshi/cases/{case.number}/withdraw/", {"confirm": "on"}),
        (f"/banshi/cases/{case.number}/resubmit/", {}),
        (f"/banshi/cases/{case.pk}/upload/", {"material_name": "居民身份证"}),
        (f"/banshi/cases/{case.pk}/remove/", {"material": case.materials.get().pk}),
        (f"/banshi/drafts/{case.pk}/submit/", {}),
    ):
        response = client.post(url, data, HTTP_HOST=HOST)
        assert response.status_code < 500, (actor, url)
        assert response.status_code in (302, 403), (actor, url)
        if response.status_code == 302:
            location = response["Location"]
            assert "login" in location or "sso" in location or "/admin/hall/" in location
    case.refresh_from_db()
    assert case.status == "submitted" and case.materials.count() == 1


def test_configuration_admin_without_admin_access_to_cases(client, matrix):
    case, people = matrix
    admin = people["configuration_admin"]
    # They reach the back office (to configure forms and processes), not the workbench.
    assert admin.has_perm("wagtailadmin.access_admin")
    login_with_second_factor(client, admin)
    assert client.get("/admin/hall/").status_code == 403
