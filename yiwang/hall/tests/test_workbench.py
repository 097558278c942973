"""The staff workbench (/admin/hall/) through the test client: the queue shows the task
with its due date, claim, accept, review, decide, deliver; the one-time correction form;
refusal needs its reason (shown at the field); one-window acceptance of a walk-in."""

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core.sms import RecordingSmsBackend
from yiwang.hall.constants import CaseStatus, Channel, Step, TaskState
from yiwang.hall.models import Case
from yiwang.hall.tests.casekit import (
    MATERIAL,
    PDF,
    World,
    make_submitted,
    open_task,
    valid_id_number,
    verified_citizen,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(regions):
    """Departments, staff and items of the case tests (``casekit.World``)."""
    RecordingSmsBackend.clear()
    return World(regions)


def text_of(response):
    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


def tree(response):
    return lxml.html.fromstring(response.content.decode())


@pytest.fixture
def submitted(world, django_capture_on_commit_callbacks):
    implementation = world.implementation()
    citizen = verified_citizen()
    with django_capture_on_commit_callbacks(execute=True):
        case, _ = make_submitted(implementation, citizen)
    return case


def act(client, case, action, data=None, captured=None):
    response = client.post(f"/admin/hall/cases/{case.pk}/act/{action}/", data or {})
    return response


def test_the_menu_item_shows_only_for_hall_staff(client, world):
    login_with_second_factor(client, world.acceptor)
    response = client.get("/admin/")
    assert "hall-workbench" in response.content.decode()
    from yiwang.hall.tests.factories import make_staff

    plain = make_staff(world.lead)
    from django.contrib.auth.models import Permission

    plain.user_permissions.add(Permission.objects.get(codename="access_admin"))
    login_with_second_factor(client, plain)
    assert "hall-workbench" not in client.get("/admin/").content.decode()
    assert client.get("/admin/hall/").status_code == 403


def test_standard_case_through_the_workbench(
    client, world, submitted, django_capture_on_commit_callbacks
):
    case = submitted
    login_with_second_factor(client, world.acceptor)
    queue = client.get("/admin/hall/")
    assert queue.status_code == 200
    rows = tree(queue).xpath("//table[@id='hall-queue']//tbody/tr")
    assert len(rows) == 1 and case.number in rows[0].text_content()
    due = open_task(case).clocks.get().due_date
    assert due.strftime("%Y-%m-%d") in rows[0].text_content()
    assert "待签收" in rows[0].text_content()

    page = client.get(f"/admin/hall/cases/{case.pk}/")
    assert page.status_code == 200
    text = text_of(page)
    assert case.applicant_id_number_masked in text and "受理" in text
    assert case.applicant_id_number() not in text
    assert tree(page).xpath("//section[@data-hall-diagram]//li[@aria-current='step']")

    task = open_task(case, Step.ACCEPT)
    response = act(client, case, "claim", {"task": task.pk})
    assert response.status_code == 302 and response["Location"] == f"/admin/hall/cases/{case.pk}/"
    task.refresh_from_db()
    assert task.state == TaskState.CLAIMED and task.assignee == world.acceptor
    assert "已签收任务" in text_of(client.get(response["Location"]))
    mine = client.get("/admin/hall/?view=mine")
    assert case.number in text_of(mine)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, case, "accept", {"task": task.pk})
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    # The acceptor's department has no open task it may act on now... the reviewer does.
    login_with_second_factor(client, world.reviewer)
    review = open_task(case, Step.REVIEW)
    response = act(client, case, "review", {"task": review.pk, "review-opinion": "disagree"})
    assert response.status_code == 400
    assert "不同意时请写明理由" in text_of(response)
    response = act(
        client,
        case,
        "review",
        {"task": review.pk, "review-opinion": "agree", "review-comment": "材料齐全"},
    )
    assert response.status_code == 302
    login_with_second_factor(client, world.decider)
    decide = open_task(case, Step.DECIDE)
    with django_capture_on_commit_callbacks(execute=True):
        act(client, case, "decide", {"task": decide.pk, "decide-decision": "approved"})
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    login_with_second_factor(client, world.acceptor)
    deliver = open_task(case, Step.DELIVER)
    response = act(client, case, "deliver", {"task": deliver.pk, "deliver-method": "post"})
    assert response.status_code == 400 and "必须填写邮件单号" in text_of(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(
            client,
            case,
            "deliver",
            {
                "task": deliver.pk,
                "deliver-method": "post",
                "deliver-tracking_number": "EMS123",
                "deliver-address": "松林县青石镇1号",
            },
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.tracking_number == "EMS123"
    # No open task left for the department: back to the queue.
    assert response["Location"] == "/admin/hall/"


def test_correction_form_lists_every_material_and_needs_a_reason(client, world, submitted):
    case = submitted
    login_with_second_factor(client, world.acceptor)
    task = open_task(case, Step.ACCEPT)
    page = tree(client.get(f"/admin/hall/cases/{case.pk}/"))
    assert page.xpath(f"//input[@name='correction-materials'][@value='{MATERIAL}']")
    response = act(client, case, "correction", {"task": task.pk})
    assert response.status_code == 400 and "一次性告知" in text_of(response)
    response = act(
        client, case, "correction", {"task": task.pk, "correction-materials": [MATERIAL]}
    )
    assert response.status_code == 400 and f"请写明“{MATERIAL}”需要如何补正" in text_of(response)
    response = act(
        client,
        case,
        "correction",
        {
            "task": task.pk,
            "correction-materials": [MATERIAL],
            "correction-reason_0": "复印件不清晰",
            "correction-other": "户口簿首页：请补充提交\n",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION
    items = case.corrections.get().items
    assert {"material": MATERIAL, "reason": "复印件不清晰"} in items
    assert {"material": "户口簿首页", "reason": "请补充提交"} in items


def test_refusal_needs_the_reason(client, world, submitted):
    case = submitted
    login_with_second_factor(client, world.acceptor)
    task = open_task(case, Step.ACCEPT)
    response = act(client, case, "refuse", {"task": task.pk, "refuse-reason": ""})
    assert response.status_code == 400
    field = tree(response).xpath("//textarea[@name='refuse-reason']")[0]
    assert "请填写不予受理的理由及法律依据" in text_of(response) and field is not None
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    response = act(
        client,
        case,
        "refuse",
        {"task": task.pk, "refuse-reason": "不属于本机关职权范围（行政许可法第三十二条）"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUSED


def test_a_second_accept_of_a_done_task_is_a_message_not_a_500(client, world, submitted):
    case = submitted
    login_with_second_factor(client, world.acceptor)
    task = open_task(case, Step.ACCEPT)
    act(client, case, "accept", {"task": task.pk})
    response = act(client, case, "accept", {"task": task.pk})
    # The department lost its access with its task: 403, never 500.
    assert response.status_code in (302, 403)


def test_comment_is_internal(client, world, submitted):
    case = submitted
    login_with_second_factor(client, world.acceptor)
    act(client, case, "comment", {"comment-text": "申请人来电询问进度"})
    page = text_of(client.get(f"/admin/hall/cases/{case.pk}/"))
    assert "申请人来电询问进度" in page and "内部" in page
    client.force_login(case.applicant)
    applicant_page = client.get(f"/banshi/cases/{case.number}/", HTTP_HOST="songlin.localhost")
    assert "申请人来电询问进度" not in text_of(applicant_page)


def test_counter_acceptance(client, world, site_group):
    implementation = world.implementation()
    login_with_second_factor(client, world.acceptor)
    listing = client.get("/admin/hall/counter/", {"q": implementation.name})
    assert implementation.code in text_of(listing)
    page = client.get("/admin/hall/counter/", {"implementation": implementation.pk})
    assert page.status_code == 200
    id_number = valid_id_number()
    data = {
        "implementation": implementation.pk,
        "applicant-applicant_name": "李四",
        "applicant-id_number": id_number,
        "applicant-mobile": "13900001111",
        "name": "李四",
        "id_number": id_number,
        "mobile": "13900001111",
        "reason": "窗口申请",
    }
    # A bad mobile: shown at its field, nothing created.
    response = client.post("/admin/hall/counter/", {**data, "applicant-mobile": "12"})
    assert response.status_code == 400 and "11 位数字" in text_of(response)
    assert not Case.objects.filter(channel=Channel.COUNTER).exists()
    upload = SimpleUploadedFile("身份证.pdf", PDF, content_type="application/pdf")
    response = client.post("/admin/hall/counter/", {**data, "material_0": upload})
    case = Case.objects.get(channel=Channel.COUNTER)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/hall/cases/{case.pk}/"
    assert case.status == CaseStatus.SUBMITTED and case.created_by == world.acceptor
    assert case.applicant_name == "李四" and case.materials.count() == 1
    follow = text_of(client.get(response["Location"]))
    assert case.number in follow and "查询码" in follow


def test_counter_is_for_acceptors_only(client, world):
    login_with_second_factor(client, world.reviewer)
    assert client.get("/admin/hall/counter/").status_code == 403


def test_queue_colours_follow_the_supervision_thresholds(regions):
    """The workbench's 即将到期 starts on the day electronic supervision turns the clock
    yellow: 80% of the working days by default, the region's own threshold when set."""
    from datetime import date

    from yiwang.hall.models import Clock
    from yiwang.hall.workbench import due_state
    from yiwang.supervision.constants import ClockScope
    from yiwang.supervision.levels import Thresholds
    from yiwang.supervision.models import WarningThreshold

    # 10 working days from Monday 2026-11-02: due Monday 11-16; 8 days used on Thursday 11-12.
    clock = Clock(
        start_date=date(2026, 11, 2), limit_days=10, extension_days=0, paused_days=0,
        due_date=date(2026, 11, 16), task_id=7,
    )  # fmt: skip
    town = regions["town_a"].pk

    def state(day):
        # All regions' parents (a sweep) or only the asked region's chain (a page): the same.
        states = {
            due_state(clock, day, region_id=town, thresholds=thresholds)[0]
            for thresholds in (Thresholds(), Thresholds(region_ids={town}))
        }
        assert len(states) == 1
        return states.pop()

    assert [state(date(2026, 11, d)) for d in (11, 12, 16, 17)] == [
        "",
        "warning",
        "warning",
        "overdue",
    ]
    WarningThreshold.objects.create(region=regions["county_a"], scope=ClockScope.STEP, percent=50)
    assert [state(date(2026, 11, d)) for d in (6, 9)] == ["", "warning"]
    # A case-level clock of the same dates keeps the default.
    clock.task_id = None
    assert state(date(2026, 11, 11)) == ""
