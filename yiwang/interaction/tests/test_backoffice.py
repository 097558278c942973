"""The staff back office of 政民互动 over HTTP (/admin/interaction/): who sees which list,
message page and screenshot, who may post which action form (the authorization matrix),
the staff journey from dispatch to publication with its audit rows, a transfer, a 12345
work order, and form errors shown next to their fields instead of a 500."""

import base64
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core.models import AuditEvent
from yiwang.interaction import actions, events
from yiwang.interaction.constants import (
    Channel,
    ErrorType,
    EventKind,
    ExtensionState,
    InteractionRole,
    Kind,
    ReplyState,
    Status,
)
from yiwang.interaction.models import Message, RoutingRule

from .kit import make_staff

pytestmark = pytest.mark.django_db

HOST = "songlin.localhost"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
STAFF = [
    "dispatcher",
    "other_dispatcher",
    "coordinator",
    "handler",
    "reviewer",
    "edu_reviewer",
    "operator",
    "supervisor",
]
PEOPLE = [*STAFF, "citizen", "anonymous"]
# Who reads a message of 松林县 dispatched to 县住建局.
READERS = {"dispatcher", "coordinator", "handler", "reviewer", "operator", "supervisor"}


@pytest.fixture
def client(client):
    client.defaults["HTTP_HOST"] = HOST
    return client


@pytest.fixture
def people(kit):
    return {
        "dispatcher": kit.dispatcher,
        "other_dispatcher": make_staff(kit.other_county_dept, InteractionRole.DISPATCHER),
        "coordinator": kit.coordinator,
        "handler": kit.handler,
        "reviewer": kit.reviewer,
        "edu_reviewer": kit.edu_reviewer,
        "operator": kit.operator,
        "supervisor": kit.supervisor,
        "citizen": kit.citizen,
        "anonymous": None,
    }


def log_in(client, user):
    client.logout()
    if user is None:
        return
    if user.is_staff:
        login_with_second_factor(client, user)
    else:
        client.force_login(user)


def refused(response, who):
    """Staff without the right get the audited 403 page; the public never reach the admin."""
    if who in ("citizen", "anonymous"):
        return response.status_code in (302, 403)
    return response.status_code == 403 and "没有权限" in response.content.decode()


def audit_actions(message):
    return list(
        AuditEvent.objects.filter(object_id=str(message.pk), object_type="interaction.message")
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def now():
    return timezone.now()


def dispatched(kit, **extra):
    message, _ = kit.write(now=now(), **extra)
    kit.to_housing(message, now=now())
    message.refresh_from_db()
    return message


def listed(response):
    return {row["m"].pk for row in response.context["rows"]}


# --- lists and pages -----------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_lists_show_only_what_the_reader_may_see(client, kit, people, who):
    waiting, _ = kit.write(now=now(), title="待分办的留言")
    at_housing = dispatched(kit)
    other_county, _ = actions.submit_message(
        kind=Kind.CONSULTATION,
        title="临溪县的咨询",
        body="临溪县的问题",
        region=kit.regions["county_b"],
        writer=kit.citizen,
    )
    log_in(client, people[who])
    response = client.get("/admin/interaction/queues/all/")
    if who in ("citizen", "anonymous"):
        assert refused(response, who)
        assert refused(client.get("/admin/interaction/"), who)
        return
    assert response.status_code == 200
    expected = {
        "dispatcher": {waiting.pk, at_housing.pk},
        "operator": {waiting.pk, at_housing.pk},
        "supervisor": {waiting.pk, at_housing.pk},
        "coordinator": {at_housing.pk},
        "handler": {at_housing.pk},
        "reviewer": {at_housing.pk},
        "edu_reviewer": set(),
        "other_dispatcher": {other_county.pk},
    }[who]
    assert listed(response) == expected
    # Each queue answers its own roles only.
    queues = {
        "dispatch": {"dispatcher", "other_dispatcher"},
        "department": {"coordinator", "handler"},
        "review": {"reviewer", "edu_reviewer"},
        "extensions": {"dispatcher", "other_dispatcher", "supervisor"},
        "overdue": {"dispatcher", "other_dispatcher", "supervisor"},
    }
    for name, allowed in queues.items():
        response = client.get(f"/admin/interaction/queues/{name}/")
        if who in allowed:
            assert response.status_code == 200, (who, name)
        else:
            assert refused(response, who), (who, name)


@pytest.mark.parametrize("who", PEOPLE)
def test_message_page_and_screenshot(client, kit, people, who):
    """An error report with a screenshot: it goes straight to the site team (县政府办);
    the housing bureau's staff are not readers of it."""
    report, _ = actions.submit_message(
        kind=Kind.ERROR_REPORT,
        title="",
        body="第二段有错字。",
        portal=kit.portal,
        page_url="http://songlin.localhost/xinwen/1/",
        error_type=ErrorType.WORDING,
        writer_name="李四",
        writer_phone="13912345678",
        screenshot=SimpleUploadedFile("shot.png", PNG, content_type="application/octet-stream"),
    )
    letter = dispatched(kit)
    log_in(client, people[who])
    page = f"/admin/interaction/messages/{letter.pk}/"
    shot = f"/admin/interaction/messages/{report.pk}/screenshot/"
    viewed = AuditEvent.objects.filter(action=events.VIEWED).count()
    response = client.get(page)
    if who not in READERS:
        assert refused(response, who)
        assert refused(client.get(shot), who)
        # A number that does not exist is refused the same way.
        assert refused(client.get("/admin/interaction/messages/999999/"), who)
        assert AuditEvent.objects.filter(action=events.VIEWED).count() == viewed
        return
    assert response.status_code == 200
    content = response.content.decode()
    assert letter.number in content and kit.citizen.mobile in content
    # Seeing the writer's contact is audited, once per view.
    rows = AuditEvent.objects.filter(action=events.VIEWED, object_id=str(letter.pk))
    assert rows.count() == 1 and rows.get().actor == people[who]
    # The screenshot: readers of the site team's message only (region roles here).
    response = client.get(shot)
    if who in ("dispatcher", "operator", "supervisor"):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PNG
        assert AuditEvent.objects.filter(
            action=events.VIEWED, object_id=str(report.pk), detail__shown=["screenshot"]
        ).exists()
        page = client.get(f"/admin/interaction/messages/{report.pk}/").content.decode()
        assert f'src="{shot}"' in page
    else:
        assert refused(response, who)


def test_the_screenshot_has_no_public_address(kit):
    report, _ = actions.submit_message(
        kind=Kind.ERROR_REPORT,
        title="",
        body="图片打不开。",
        portal=kit.portal,
        page_url="http://songlin.localhost/",
        error_type=ErrorType.NOT_OPENING,
        screenshot=SimpleUploadedFile("a.png", PNG),
    )
    with pytest.raises(ValueError):
        report.screenshot.url  # noqa: B018


# --- every action form: who may post it ----------------------------------------------------


def _submitted(kit):
    return kit.write(now=now())[0]


def _reviewing(kit):
    message = dispatched(kit)
    actions.save_reply(message=message, staff=kit.handler, text="已修复。", submit=True)
    return message


def _replied(kit):
    message = dispatched(kit)
    return kit.answer(message, now=now())


def _published(kit):
    message = _replied(kit)
    actions.publish(message=message, staff=kit.reviewer)
    return message


def _pending_extension(kit):
    message = dispatched(kit)
    actions.request_extension(message=message, staff=kit.handler, amount=2, reason="需现场核实")
    return message


# action: (set-up, POST data, who may, audit action written on success)
ACTION_CASES = {
    "dispatch": (
        _submitted,
        lambda kit: {"dispatch-department": kit.housing.pk},
        {"dispatcher"},
        events.DISPATCHED,
    ),
    "invalid": (
        _submitted,
        lambda kit: {"invalid-reason": "重复留言"},
        {"dispatcher"},
        events.INVALIDATED,
    ),
    "transfer": (
        dispatched,
        lambda kit: {"transfer-department": kit.education.pk, "transfer-reason": "涉及学校"},
        {"dispatcher"},
        events.TRANSFERRED,
    ),
    "return": (
        dispatched,
        lambda kit: {"return-reason": "不属本局职责"},
        {"coordinator"},
        events.RETURNED,
    ),
    "assign": (
        dispatched,
        lambda kit: {"assign-handler": kit.handler.pk},
        {"coordinator"},
        events.ASSIGNED,
    ),
    "reply": (
        dispatched,
        lambda kit: {"reply-text": "已安排修复。", "save": "1"},
        {"coordinator", "handler"},
        events.REPLY_SAVED,
    ),
    "extension": (
        dispatched,
        lambda kit: {"extension-amount": "2", "extension-reason": "需现场核实"},
        {"coordinator", "handler"},
        events.EXTENSION_REQUESTED,
    ),
    "decide": (
        _pending_extension,
        lambda kit: {"decide-decision": "approve"},
        {"dispatcher", "supervisor"},
        events.EXTENSION_DECIDED,
    ),
    "review": (
        _reviewing,
        lambda kit: {"review-decision": "approve"},
        {"reviewer"},
        events.REPLY_REVIEWED,
    ),
    "publish": (
        _replied,
        lambda kit: {
            "publish-title": "小区门口道路破损",
            "publish-body": "小区门口道路破损，请修复。",
            "publish-reply": "已修复。",
        },
        {"reviewer", "dispatcher"},
        events.PUBLISHED,
    ),
    "unpublish": (
        _published,
        lambda kit: {"unpublish-reason": "留言人要求撤下"},
        {"reviewer", "dispatcher"},
        events.UNPUBLISHED,
    ),
    "comment": (
        dispatched,
        lambda kit: {"comment-note": "已电话联系留言人"},
        {"dispatcher", "supervisor", "operator", "coordinator", "handler", "reviewer"},
        events.COMMENTED,
    ),
}


@pytest.mark.parametrize("action", ACTION_CASES)
def test_action_matrix(client, kit, people, action):
    setup, data, allowed, audited = ACTION_CASES[action]
    message = setup(kit)
    url = f"/admin/interaction/messages/{message.pk}/act/{action}/"
    form_url = f'action="{url}"'
    for who in PEOPLE:
        log_in(client, people[who])
        if who in READERS:
            # The form is offered exactly to those who may use it.
            page = client.get(f"/admin/interaction/messages/{message.pk}/").content.decode()
            assert (form_url in page) == (who in allowed), (who, action)
        if who in allowed:
            continue
        before = (message.events.count(), audit_actions(message).count(audited))
        response = client.post(url, data(kit))
        assert refused(response, who), (who, action, response.status_code)
        message.refresh_from_db()
        assert (message.events.count(), audit_actions(message).count(audited)) == before, who
    for who in sorted(allowed):
        log_in(client, people[who])
        response = client.post(url, data(kit))
        assert response.status_code == 302, (who, action, response.content.decode()[:2000])
        assert response["Location"] == f"/admin/interaction/messages/{message.pk}/"
        assert audited in audit_actions(message)
        if action != "comment":
            break
    if action == "comment":
        assert message.events.filter(kind=EventKind.COMMENTED).count() == len(allowed)


# --- journeys ------------------------------------------------------------------------------


def test_the_staff_journey_from_dispatch_to_publication(client, kit):
    RoutingRule.objects.create(keywords="道路 积水", department=kit.housing)
    message, _ = kit.write(
        now=now(),
        body="青石镇幸福小区门口道路破损多日，雨天积水。我是王小明，电话13912345678。",
    )
    assert message.suggested_department == kit.housing
    base = f"/admin/interaction/messages/{message.pk}/"

    # The dispatcher's queue preselects the suggested department.
    log_in(client, kit.dispatcher)
    response = client.get("/admin/interaction/queues/dispatch/")
    row = next(r for r in response.context["rows"] if r["m"].pk == message.pk)
    assert row["form"]["department"].initial == kit.housing.pk
    assert row["method"] == "关键词规则"
    assert f'<option value="{kit.housing.pk}" selected>' in response.content.decode()
    response = client.post(
        base + "act/dispatch/",
        {"dispatch-department": kit.housing.pk, "next": "/admin/interaction/queues/dispatch/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/interaction/queues/dispatch/"
    message.refresh_from_db()
    assert message.status == Status.DISPATCHED and message.department == kit.housing
    assert message.pk not in listed(client.get("/admin/interaction/queues/dispatch/"))

    # The coordinator assigns it; it is then in the handler's 我的 list.
    log_in(client, kit.coordinator)
    unassigned = client.get("/admin/interaction/queues/department/?who=unassigned")
    assert message.pk in listed(unassigned)
    assert client.post(base + "act/assign/", {"assign-handler": kit.handler.pk}).status_code == 302
    log_in(client, kit.handler)
    assert message.pk in listed(client.get("/admin/interaction/queues/department/?who=mine"))

    # Draft, then submit for review.
    response = client.post(base + "act/reply/", {"reply-text": "正在安排。", "save": "1"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.HANDLING
    assert message.replies.get().state == ReplyState.DRAFT
    page = client.get(base).content.decode()
    assert "正在安排。</textarea>" in page
    response = client.post(
        base + "act/reply/", {"reply-text": "已安排施工队修复。", "submit_for_review": "1"}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.REVIEWING

    # The reviewer returns it with a note; the handler sees the note and submits again.
    log_in(client, kit.reviewer)
    assert message.pk in listed(client.get("/admin/interaction/queues/review/"))
    response = client.post(
        base + "act/review/", {"review-decision": "return", "review-note": "请写明完工时间"}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.HANDLING
    log_in(client, kit.handler)
    assert "审核退回：请写明完工时间" in client.get(base).content.decode()
    response = client.post(
        base + "act/reply/",
        {"reply-text": "已安排施工队修复，本周五完工。", "submit_for_review": "1"},
    )
    assert response.status_code == 302

    # Approved: the writer is answered; the public texts come without personal data.
    log_in(client, kit.reviewer)
    response = client.post(base + "act/review/", {"review-decision": "approve"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.REPLIED
    page = client.get(base)
    publish_form = next(p["form"] for p in page.context["panels"] if p["name"] == "publish")
    body = publish_form["body"].value()
    assert "13912345678" not in body and "王小明" not in body and "[电话已隐去]" in body
    assert publish_form["reply"].value() == "已安排施工队修复，本周五完工。"
    response = client.post(
        base + "act/publish/",
        {
            "publish-title": publish_form["title"].value(),
            "publish-body": body,
            "publish-reply": publish_form["reply"].value(),
        },
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.is_published and message.public_body == body

    assert list(message.events.values_list("kind", flat=True)) == [
        EventKind.SUBMITTED,
        EventKind.ROUTED,
        EventKind.DISPATCHED,
        EventKind.ASSIGNED,
        EventKind.REPLY_DRAFTED,
        EventKind.REPLY_SUBMITTED,
        EventKind.REPLY_RETURNED,
        EventKind.REPLY_SUBMITTED,
        EventKind.REPLIED,
        EventKind.PUBLISHED,
    ]
    written = [a for a in audit_actions(message) if a != events.VIEWED]
    assert written == [
        events.SUBMITTED,
        events.DISPATCHED,
        events.ASSIGNED,
        events.REPLY_SAVED,
        events.REPLY_SAVED,
        events.REPLY_REVIEWED,
        events.REPLY_SAVED,
        events.REPLY_REVIEWED,
        events.PUBLISHED,
    ]
    actors = AuditEvent.objects.filter(
        object_id=str(message.pk), action__in=[events.DISPATCHED, events.PUBLISHED]
    ).values_list("actor", flat=True)
    assert set(actors) == {kit.dispatcher.pk, kit.reviewer.pk}
    # Every page view above was audited as a view of the writer's contact.
    assert audit_actions(message).count(events.VIEWED) >= 3


def test_a_transfer_needs_its_reason(client, kit):
    message = dispatched(kit)
    base = f"/admin/interaction/messages/{message.pk}/"
    log_in(client, kit.dispatcher)
    response = client.post(base + "act/transfer/", {"transfer-department": kit.education.pk})
    assert response.status_code == 400
    content = response.content.decode()
    assert "请填写转办理由。" in content
    # What was chosen stays chosen.
    assert f'<option value="{kit.education.pk}" selected>' in content
    # The current department is not offered; another county's is refused next to the field.
    form = next(p["form"] for p in response.context["panels"] if p["name"] == "transfer")
    offered = {pk for _group, options in form.fields["department"].choices[1:] for pk, _ in options}
    assert kit.housing.pk not in offered and kit.other_county_dept.pk not in offered
    response = client.post(
        base + "act/transfer/",
        {"transfer-department": kit.other_county_dept.pk, "transfer-reason": "错"},
    )
    assert (
        response.status_code == 400
        and "只能转给本地区或上级的其他部门" in response.content.decode()
    )
    response = client.post(
        base + "act/transfer/",
        {"transfer-department": kit.education.pk, "transfer-reason": "涉及学校招生"},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.department == kit.education and message.status == Status.DISPATCHED
    event = message.events.get(kind=EventKind.TRANSFERRED)
    assert (event.from_department, event.to_department, event.note, event.actor) == (
        kit.housing,
        kit.education,
        "涉及学校招生",
        kit.dispatcher,
    )
    assert events.TRANSFERRED in audit_actions(message)
    page = client.get(base).content.decode()
    assert "转办" in page and "涉及学校招生" in page
    # The housing bureau still reads it (it passed it on) but no longer answers it.
    log_in(client, kit.handler)
    assert client.get(base).status_code == 200
    response = client.post(base + "act/reply/", {"reply-text": "晚了", "save": "1"})
    assert response.status_code == 403
    log_in(client, kit.edu_handler)
    assert message.pk in listed(client.get("/admin/interaction/queues/department/"))


def test_an_operator_enters_a_work_order(client, kit, sms, django_capture_on_commit_callbacks):
    url = "/admin/interaction/hotline/new/"
    for who in (kit.dispatcher, kit.handler):
        log_in(client, who)
        assert refused(client.get(url), "staff")
    log_in(client, kit.citizen)
    assert refused(client.get(url), "citizen")
    log_in(client, kit.operator)
    response = client.get(url)
    assert response.status_code == 200
    kinds = [value for value, _ in response.context["form"].fields["kind"].choices if value]
    assert kinds == ["consultation", "help", "complaint", "report", "suggestion", "praise"]
    data = {
        "caller_name": "赵大爷",
        "caller_phone": "12ab",
        "kind": "complaint",
        "urgency": "urgent",
        "location": "松林县青石镇幸福小区",
        "title": "小区夜间施工噪音",
        "body": "小区旁工地每晚施工到凌晨。",
        "publish_consent": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    # The action's own message, next to the field, and everything typed kept.
    assert "联系电话格式不对" in response.context["form"].errors["caller_phone"][0]
    assert "小区旁工地每晚施工到凌晨。" in response.content.decode()
    assert not Message.objects.exists()
    data["caller_phone"] = "13912340000"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/interaction/messages/{message.pk}/"
    assert (message.channel, message.kind, message.urgency) == (
        Channel.HOTLINE,
        Kind.COMPLAINT,
        "urgent",
    )
    assert message.entered_by == kit.operator and message.region == kit.county
    assert message.writer_name == "赵大爷" and message.publish_consent
    assert audit_actions(message)[0] == events.WORK_ORDER_ENTERED
    # The query code is shown once, on the page after the entry; the caller gets it by SMS.
    code = sms[-1].text.split("查询码 ")[1][:8]
    first = client.get(response["Location"]).content.decode()
    assert code in first and "查询码只显示这一次" in first
    assert code not in client.get(response["Location"]).content.decode()


def test_form_errors_are_shown_never_a_500(client, kit):
    message = dispatched(kit)
    base = f"/admin/interaction/messages/{message.pk}/"
    log_in(client, kit.handler)
    # The action's range check, next to the field; the reason typed is kept.
    response = client.post(
        base + "act/extension/", {"extension-amount": "0", "extension-reason": "需现场核实"}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "延期时长应在 1 到 60 之间。" in content and "需现场核实" in content
    response = client.post(
        base + "act/extension/", {"extension-amount": "两天", "extension-reason": "x"}
    )
    assert response.status_code == 400 and "延期时长应为整数。" in response.content.decode()
    # A step the state no longer allows: a message after a redirect.
    log_in(client, kit.dispatcher)
    response = client.post(
        base + "act/dispatch/", {"dispatch-department": kit.education.pk}, follow=True
    )
    assert response.status_code == 200
    assert "这条留言已经交办" in response.content.decode()
    message.refresh_from_db()
    assert message.department == kit.housing
    # Refusing an extension needs a note.
    actions.request_extension(message=message, staff=kit.handler, amount=1, reason="需核实")
    response = client.post(base + "act/decide/", {"decide-decision": "refuse"})
    assert response.status_code == 400 and "请填写审批意见。" in response.content.decode()
    assert message.extensions.get().state == ExtensionState.PENDING
    # Returning a reply needs a note.
    actions.save_reply(message=message, staff=kit.handler, text="已修复。", submit=True)
    log_in(client, kit.reviewer)
    response = client.post(base + "act/review/", {"review-decision": "return"})
    assert response.status_code == 400 and "请填写退回意见。" in response.content.decode()
    response = client.post(base + "act/review/", {"review-decision": "maybe"})
    assert response.status_code == 400
    # Publication refuses a text that still holds a phone number.
    client.post(base + "act/review/", {"review-decision": "approve"})
    response = client.post(
        base + "act/publish/",
        {
            "publish-title": "道路破损",
            "publish-body": "请拨13912345678",
            "publish-reply": "已修复。",
        },
    )
    assert response.status_code == 400
    assert "仍含有姓名、身份证号、电话或邮箱" in response.content.decode()
    message.refresh_from_db()
    assert not message.is_published
    # An unknown action is a 404, not a 500.
    assert client.post(base + "act/explode/", {}).status_code == 404
    # Bad list filters: the form's error, status 400.
    response = client.get("/admin/interaction/queues/all/?department=abc&status=nope")
    assert response.status_code == 400 and "请选择列表中的部门" in response.content.decode()


def test_publication_is_refused_without_consent(client, kit):
    message = dispatched(kit, publish_consent=False)
    message = kit.answer(message, now=now())
    base = f"/admin/interaction/messages/{message.pk}/"
    log_in(client, kit.reviewer)
    page = client.get(base)
    assert "留言人没有同意公开" in page.content.decode()
    assert "publish" not in [p["name"] for p in page.context["panels"]]
    response = client.post(
        base + "act/publish/",
        {"publish-title": "标题", "publish-body": "内容", "publish-reply": "答复"},
        follow=True,
    )
    assert "留言人没有同意公开，这条留言不能公开。" in response.content.decode()
    message.refresh_from_db()
    assert not message.is_published
    assert events.PUBLISHED not in audit_actions(message)


def test_queues_filter_and_search(client, kit):
    waiting, _ = kit.write(now=now(), title="学校门口交通拥堵", kind=Kind.SUGGESTION)
    at_housing = dispatched(kit)
    mine = dispatched(kit)
    actions.assign(message=mine, staff=kit.coordinator, handler=kit.handler)
    late = dispatched(kit)
    Message.objects.filter(pk=late.pk).update(due_at=now() - timedelta(hours=1))
    reviewing = _reviewing(kit)
    extension = _pending_extension(kit)
    log_in(client, kit.coordinator)
    department = "/admin/interaction/queues/department/"
    assert listed(client.get(department)) == {
        at_housing.pk,
        mine.pk,
        late.pk,
        reviewing.pk,
        extension.pk,
    }
    assert mine.pk not in listed(client.get(department + "?who=unassigned"))
    log_in(client, kit.handler)
    assert listed(client.get(department + "?who=mine")) == {mine.pk, reviewing.pk}
    log_in(client, kit.reviewer)
    assert listed(client.get("/admin/interaction/queues/review/")) == {reviewing.pk}
    log_in(client, kit.supervisor)
    response = client.get("/admin/interaction/queues/extensions/")
    assert [row["m"].pk for row in response.context["rows"]] == [extension.pk]
    overdue = client.get("/admin/interaction/queues/overdue/")
    assert listed(overdue) == {late.pk}
    row = overdue.context["rows"][0]
    assert row["due"] == "overdue" and "已超期" in overdue.content.decode()
    # 全部: number, keyword, status, kind, department; one page of rows in a few queries.
    search = "/admin/interaction/queues/all/"
    assert listed(client.get(f"{search}?q={waiting.number}")) == {waiting.pk}
    assert listed(client.get(f"{search}?q=交通拥堵")) == {waiting.pk}
    assert listed(client.get(f"{search}?status=reviewing")) == {reviewing.pk}
    assert listed(client.get(f"{search}?kind=suggestion")) == {waiting.pk}
    assert len(listed(client.get(f"{search}?department={kit.housing.pk}"))) == 5
    # No query per row: three more messages cost no more queries.
    log_in(client, kit.dispatcher)
    few = _queries(client, search)
    dispatch_few = _queries(client, "/admin/interaction/queues/dispatch/")
    for _ in range(3):
        dispatched(kit)
        kit.write(now=now())
    assert _queries(client, search) == few
    assert _queries(client, "/admin/interaction/queues/dispatch/") == dispatch_few
    content = client.get(search).content.decode()
    for header in ("编号", "类型", "标题", "承办部门", "状态", "答复期限", "紧急程度"):
        assert f'<th scope="col">{header}</th>' in content


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
