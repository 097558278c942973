"""The configuration of 政民互动 in the back office (deadline rules audited, API clients
whose key is shown once, the read-only list of routing models), the admin home panel's
counts and the banner of long-open messages, and the 政民互动 menu."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.models import User, UserKind
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core.models import AuditEvent
from yiwang.interaction import admin_views, events
from yiwang.interaction.clients import client_for_key, create_api_client
from yiwang.interaction.constants import Kind, Status, Urgency
from yiwang.interaction.models import ApiClient, DeadlineRule, Message, RoutingModel

pytestmark = pytest.mark.django_db

HOST = "songlin.localhost"


@pytest.fixture
def client(client):
    client.defaults["HTTP_HOST"] = HOST
    return client


@pytest.fixture
def superuser(kit):
    return User.objects.create_user(
        username="hd-root",
        kind=UserKind.STAFF,
        department=kit.office,
        display_name="平台管理员",
        is_staff=True,
        is_superuser=True,
    )


def menu_labels(response):
    """Labels of the admin sidebar's menu, read from its JSON props."""
    html = response.content.decode()
    start = html.index('<script id="wagtail-sidebar-props" type="application/json">')
    props = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return set(_labels(json.loads(props)))


def _labels(node):
    if isinstance(node, dict):
        if "label" in node:
            yield node["label"]
        for value in node.values():
            yield from _labels(value)
    elif isinstance(node, list):
        for value in node:
            yield from _labels(value)


# --- API clients ---------------------------------------------------------------------------


def test_an_api_client_shows_its_key_once(client, kit, superuser):
    login_with_second_factor(client, superuser)
    add = reverse("interaction_api_clients:add")
    assert client.get(add).status_code == 200
    response = client.post(add, {"name": " ", "region": kit.county.pk})
    assert response.status_code == 200 and not ApiClient.objects.exists()
    assert "name" in response.context["form"].errors
    response = client.post(add, {"name": "松林县12345热线系统", "region": kit.county.pk})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    api_client = ApiClient.objects.get()
    key = response.context["api_key"]
    assert len(key) >= 40 and key in response.content.decode()
    # Only a prefix and the SHA-256 of the key are kept.
    assert api_client.key_prefix == key[:8]
    assert api_client.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert api_client.region == kit.county
    row = AuditEvent.objects.get(action=events.API_CLIENT_CREATED)
    assert row.actor == superuser and key not in json.dumps(row.detail)
    # Never shown again: neither in the list nor on the edit page.
    index = client.get(reverse("interaction_api_clients:index")).content.decode()
    assert "松林县12345热线系统" in index and key not in index and api_client.key_prefix in index
    edit = client.get(reverse("interaction_api_clients:edit", args=(api_client.pk,)))
    assert edit.status_code == 200 and key not in edit.content.decode()
    # The API finds the client by its key, only while it is active.
    assert client_for_key(key) == api_client
    assert client_for_key(f" {key} ") == api_client
    assert client_for_key(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert client_for_key("") is None and client_for_key(None) is None
    response = client.post(
        reverse("interaction_api_clients:edit", args=(api_client.pk,)),
        {"name": "松林县12345热线系统"},
    )
    assert response.status_code == 302
    api_client.refresh_from_db()
    assert not api_client.active and client_for_key(key) is None


def test_create_api_client_checks_its_input(kit, superuser):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        create_api_client(name="", region=kit.county, actor=superuser)
    assert "name" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        create_api_client(name="系统", region=None, actor=superuser)
    assert "region" in error.value.error_dict
    first, key_one = create_api_client(name="甲", region=kit.county, actor=superuser)
    second, key_two = create_api_client(name="乙", region=kit.county, actor=superuser)
    assert key_one != key_two
    assert client_for_key(key_one) == first and client_for_key(key_two) == second


# --- deadline rules, routing models, who configures ---------------------------------------


def test_deadline_rule_changes_are_audited(client, kit, superuser):
    login_with_second_factor(client, superuser)
    rule = DeadlineRule.objects.get(kind=Kind.CONSULTATION, urgency=Urgency.NORMAL)
    url = reverse("interaction_deadlines:edit", args=(rule.pk,))
    data = {"kind": rule.kind, "urgency": rule.urgency, "amount": "5", "unit": rule.unit}
    response = client.post(url, {**data, "amount": "0"})
    assert response.status_code == 200 and "时限应在 1 到 365 之间" in response.content.decode()
    assert client.post(url, data).status_code == 302
    rule.refresh_from_db()
    assert rule.amount == 5
    row = AuditEvent.objects.get(action=events.DEADLINE_RULE_CHANGED)
    assert row.actor == superuser and row.object_id == str(rule.pk)
    assert row.detail["change"] == "changed"
    assert row.detail["before"]["amount"] == 3 and row.detail["after"]["amount"] == 5
    # A second rule for the same kind and urgency is refused, in Chinese.
    response = client.post(reverse("interaction_deadlines:add"), data)
    assert response.status_code == 200
    assert "这类留言在这个紧急程度下已有时限" in response.content.decode()
    delete = reverse("interaction_deadlines:delete", args=(rule.pk,))
    assert client.post(delete).status_code == 302
    assert not DeadlineRule.objects.filter(pk=rule.pk).exists()
    deleted = AuditEvent.objects.filter(action=events.DEADLINE_RULE_CHANGED).order_by("-sequence")
    assert deleted[0].detail["change"] == "deleted" and deleted[0].object_id == str(rule.pk)
    assert deleted[0].detail["before"]["amount"] == 5


def test_routing_models_are_listed_read_only(client, kit, superuser):
    model = RoutingModel.objects.create(
        trained_at=timezone.now(),
        sample_count=1234,
        label_count=17,
        held_out_accuracy=0.876,
        data={"secret": "x"},
    )
    login_with_second_factor(client, superuser)
    response = client.get(reverse("interaction_routing_models:index"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "1234" in content and "87.6%" in content and "secret" not in content
    assert reverse("interaction_routing_models:add") not in content
    assert client.get(reverse("interaction_routing_models:add")).status_code != 200
    edit = reverse("interaction_routing_models:edit", args=(model.pk,))
    assert client.get(edit).status_code != 200
    response = client.post(reverse("interaction_routing_models:delete", args=(model.pk,)))
    assert response.status_code in (302, 403)
    assert RoutingModel.objects.filter(pk=model.pk).exists()


def test_configuration_is_for_administrators_only(client, kit, superuser):
    pages = [
        reverse("interaction_deadlines:index"),
        reverse("interaction_categories:index"),
        reverse("interaction_routing_rules:index"),
        reverse("interaction_api_clients:index"),
        reverse("interaction_api_clients:add"),
        reverse("interaction_routing_models:index"),
    ]
    login_with_second_factor(client, superuser)
    for url in pages:
        assert client.get(url).status_code == 200, url
    labels = menu_labels(client.get("/admin/"))
    assert {"政民互动", "留言办理", "答复时限", "留言分类", "分办规则", "分办模型"} <= labels
    for staff in (kit.dispatcher, kit.supervisor, kit.reviewer):
        login_with_second_factor(client, staff)
        for url in pages:
            response = client.get(url)
            # Wagtail's own refusal: back to the dashboard with a message (audited).
            assert response.status_code in (302, 403), (staff, url)
        assert client.post(reverse("interaction_api_clients:add"), {"name": "x"}).status_code in (
            302,
            403,
        )
        labels = menu_labels(client.get("/admin/"))
        assert "留言办理" in labels and "答复时限" not in labels
        assert "录入12345工单" not in labels
    assert not ApiClient.objects.exists()
    login_with_second_factor(client, kit.operator)
    assert "录入12345工单" in menu_labels(client.get("/admin/"))


# --- impossible to miss --------------------------------------------------------------------


def _aged(kit, *, days, **extra):
    message, _ = kit.write(now=timezone.now() - timedelta(days=days), **extra)
    return message


def test_home_panel_counts_and_the_banner(client, kit, regions):
    now = timezone.now()
    waiting, _ = kit.write(now=now)
    warned = kit.to_housing(kit.write(now=now)[0], now=now)
    late = kit.to_housing(kit.write(now=now)[0], now=now)
    Message.objects.filter(pk=warned.pk).update(
        warn_at=now - timedelta(hours=1), due_at=now + timedelta(hours=5)
    )
    Message.objects.filter(pk=late.pk).update(
        warn_at=now - timedelta(days=2), due_at=now - timedelta(days=1)
    )
    old = kit.to_housing(_aged(kit, days=70), now=now)
    very_old = _aged(kit, days=100)
    # Answered long ago: not counted.
    answered = kit.to_housing(_aged(kit, days=120), now=now)
    kit.answer(answered, now=now)
    # The other county's messages are not 松林县's business.
    from yiwang.interaction import actions

    actions.submit_message(
        kind=Kind.COMPLAINT,
        title="临溪县的老问题",
        body="一百天前的投诉",
        region=regions["county_b"],
        writer=kit.citizen,
        now=now - timedelta(days=100),
    )
    for message in (old, very_old):
        Message.objects.filter(pk=message.pk).update(due_at=now - timedelta(days=30))

    counts = admin_views.scope_counts(kit.dispatcher, now)
    assert counts == {"waiting": 2, "warning": 1, "overdue": 3, "over_60": 2, "over_90": 1}
    # The housing bureau's own: its three at the department, none waiting.
    assert admin_views.scope_counts(kit.coordinator, now) == {
        "waiting": 0,
        "warning": 1,
        "overdue": 2,
        "over_60": 1,
        "over_90": 0,
    }
    login_with_second_factor(client, kit.dispatcher)
    home = client.get("/admin/").content.decode()
    panel = home[home.index('id="interaction-counts-section"') :]
    for label, value in (("待分办", 2), ("即将到期", 1), ("已超期", 3)):
        assert f'{label} <strong style="display:block;font-size:1.6em">{value}</strong>' in panel
    assert "提交超过60天未答复" in panel and "单项否决" in panel
    # The links lead to those very messages.
    response = client.get("/admin/interaction/queues/all/?due=over60")
    assert {row["m"].pk for row in response.context["rows"]} == {old.pk, very_old.pk}
    response = client.get("/admin/interaction/queues/all/?due=over90")
    assert {row["m"].pk for row in response.context["rows"]} == {very_old.pk}
    # The banner, on every interaction page, config pages included.
    for url in (
        "/admin/interaction/queues/dispatch/",
        f"/admin/interaction/messages/{waiting.pk}/",
    ):
        content = client.get(url).content.decode()
        assert "有 2 条留言提交已超过 60 天仍未答复" in content
        assert "其中 <strong>1 条已超过 90 天</strong>" in content
    # Not for those with nothing that old.
    login_with_second_factor(client, kit.edu_reviewer)
    assert "提交已超过 60 天" not in client.get("/admin/interaction/queues/all/").content.decode()
    home = client.get("/admin/").content.decode()
    assert 'id="interaction-counts-section"' in home
    # Nor a panel for staff outside 政民互动.
    from yiwang.hall.tests.factories import make_staff as make_hall_staff

    other = make_hall_staff(kit.office, "acceptor")
    login_with_second_factor(client, other)
    assert 'id="interaction-counts-section"' not in client.get("/admin/").content.decode()
    assert client.get("/admin/interaction/").status_code in (302, 403)


def test_the_banner_is_on_configuration_pages_too(client, kit, superuser):
    _aged(kit, days=95)
    login_with_second_factor(client, superuser)
    for url in (
        reverse("interaction_deadlines:index"),
        reverse("interaction_deadlines:add"),
        reverse("interaction_api_clients:add"),
    ):
        content = client.get(url).content.decode()
        assert "有 1 条留言提交已超过 60 天仍未答复" in content, url
    assert Message.objects.get().status == Status.SUBMITTED
