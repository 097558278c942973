"""Open311 GeoReport v2 on /open311/v2/: discovery, services and their definitions, posting a
request with an API key (plain form-encoded HTTP), listing and reading requests with their
status, in JSON and XML. Every JSON answer is validated against the official schemas in
../shared/real-material/open311-georeport-v2-schemas/, and the reading side is also read back
through the ``georeport`` client library against a live server."""

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from yiwang.core.models import AuditEvent
from yiwang.interaction import actions, clients, events, open311
from yiwang.interaction.constants import HOTLINE_KINDS, Channel, Kind, Status, Urgency
from yiwang.interaction.models import Category, Message, RoutingRule

from .kit import Kit

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
SCHEMAS = (
    Path(settings.BASE_DIR).parent / "shared" / "real-material" / "open311-georeport-v2-schemas"
)

CHECKER = FormatChecker()


@CHECKER.checks("date-time", raises=ValueError)
def _date_time(value):
    # jsonschema checks "date-time" only with an optional package: checked here instead,
    # with the offset the spec asks for.
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@CHECKER.checks("uri", raises=ValueError)
def _uri(value):
    return not isinstance(value, str) or bool(urlparse(value).scheme)


@pytest.fixture(scope="module")
def schema():
    """``schema(name)``: a validator for one schema file (its relative ``$ref`` resolved
    from the same folder), or for a definition of swagger.json (``swagger:Name``)."""
    if not SCHEMAS.is_dir():
        pytest.skip(f"the Open311 schemas are not at {SCHEMAS} (../shared/real-material)")
    files = {
        path.name: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMAS.glob("*.json")
    }
    registry = Registry().with_resources(
        (name, Resource.from_contents(contents, default_specification=DRAFT7))
        for name, contents in files.items()
        if name != "swagger.json"
    )

    def make(name):
        if name.startswith("swagger:"):
            definition = files["swagger.json"]["definitions"][name.removeprefix("swagger:")]
            contents = {"type": "array", "items": definition}
        else:
            contents = files[name]
        return Draft7Validator(contents, registry=registry, format_checker=CHECKER)

    return make


def valid(schema, name, data, *, item_type=dict):
    """``data`` validates against ``name``; the schema files do not say ``"type": "object"``,
    so the shape of the items is checked here too."""
    schema(name).validate(data)
    for item in data if isinstance(data, list) else [data]:
        assert isinstance(item, item_type)
    return data


@pytest.fixture
def kit(regions, site_group):
    return Kit(regions, site_group)


@pytest.fixture
def api(kit):
    """A 12345 hotline system of 松林县 and its key."""
    client, key = clients.create_api_client(
        name="松林县12345热线系统", region=kit.county, actor=kit.dispatcher
    )
    return client, key


def form(key, **extra):
    data = {
        "api_key": key,
        "service_code": "complaint-urban",
        "lat": "30.123456",
        "long": "104.654321",
        "address_string": "青石镇幸福小区3栋门口",
        "description": "幸福小区门口道路破损多日，雨天积水，请尽快修复。",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800138000",
        "email": "zhangsan@example.com",
        "attribute[urgency]": "normal",
        "attribute[publish_consent]": "yes",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def post(client, data, fmt="json"):
    return client.post(f"{BASE}/requests.{fmt}", data)


def get_json(client, path, **params):
    response = client.get(f"{BASE}/{path}", params)
    assert response["Content-Type"].startswith("application/json"), response.content
    return response.status_code, json.loads(response.content)


def get_xml(client, path, **params):
    response = client.get(f"{BASE}/{path}", params)
    assert response["Content-Type"].startswith("text/xml"), response.content
    return response.status_code, ET.fromstring(response.content)


def children(element):
    return [child.tag for child in element]


def submitted(client, key, **extra):
    response = post(client, form(key, **extra))
    assert response.status_code == 200, response.content
    number = json.loads(response.content)[0]["service_request_id"]
    return Message.objects.get(number=number)


def hotline_codes():
    return [kind.value for kind in HOTLINE_KINDS]


# --- discovery and services ----------------------------------------------------------------


def test_discovery_names_this_server_and_both_formats(client):
    status, data = get_json(client, "discovery.json")
    assert status == 200
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    [endpoint] = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["application/json", "text/xml"]
    assert "接入系统" in data["key_service"]

    status, root = get_xml(client, "discovery.xml")
    assert status == 200 and root.tag == "discovery"
    assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert children(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "application/json",
        "text/xml",
    ]


def test_services_are_kinds_by_category(client, schema):
    status, data = get_json(client, "services.json")
    assert status == 200
    valid(schema, "services.json", data)
    categories = Category.objects.count()
    assert categories == 13  # migration 0002
    assert len(data) == len(HOTLINE_KINDS) * (1 + categories)
    by_code = {service["service_code"]: service for service in data}
    assert by_code["complaint-urban"] == {
        "service_code": "complaint-urban",
        "service_name": "投诉：城乡建设",
        "description": "城乡建设方面的投诉，一般 13 个工作日内答复。",
        "metadata": True,
        "type": "realtime",
        "keywords": "投诉,城乡建设,complaint,urban",
        "group": "投诉",
    }
    assert by_code["consultation"]["service_name"] == "咨询：未分类"
    assert by_code["consultation"]["description"].endswith("一般 3 个工作日内答复。")
    assert {service["group"] for service in data} == {kind.label for kind in HOTLINE_KINDS}
    # A sub-category is named with its parent.
    housing = Category.objects.create(
        name="住房保障", code="housing", parent=Category.objects.get(code="urban")
    )
    _, data = get_json(client, "services.json")
    names = {s["service_code"]: s["service_name"] for s in data}
    assert names[f"help-{housing.code}"] == "求助：城乡建设 › 住房保障"

    status, root = get_xml(client, "services.xml")
    assert status == 200 and root.tag == "services"
    services = root.findall("service")
    assert len(services) == len(data)
    first = services[0]
    assert children(first) == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("metadata") == "true" and first.findtext("type") == "realtime"


def test_the_schema_check_can_fail(schema):
    with pytest.raises(SchemaError):
        schema("services.json").validate([{"service_code": "x", "type": "realtime"}])
    with pytest.raises(SchemaError):
        schema("requests.json").validate(
            [{"service_request_id": "1", "status": "pending", "service_code": "x"}]
        )
    with pytest.raises(SchemaError):
        schema("request.json").validate(
            {
                "service_request_id": "1",
                "status": "open",
                "service_code": "x",
                "requested_datetime": "2026-11-02 10:00",
            }
        )


def test_a_service_definition_declares_what_post_accepts(client, schema):
    status, data = get_json(client, "services/complaint-urban.json")
    assert status == 200
    valid(schema, "service-definition.json", data)
    assert data["service_code"] == "complaint-urban"
    attributes = {a["code"]: a for a in data["attributes"]}
    assert list(attributes) == ["urgency", "title", "publish_consent", "external_id"]
    assert sorted(attributes) == sorted(open311.ATTRIBUTE_CODES)
    assert attributes["urgency"]["datatype"] == "singlevaluelist"
    assert attributes["urgency"]["values"] == [
        {"key": "normal", "name": "一般"},
        {"key": "urgent", "name": "紧急"},
    ]
    assert not any(a["required"] for a in data["attributes"])
    assert [a["order"] for a in data["attributes"]] == [1, 2, 3, 4]

    status, root = get_xml(client, "services/complaint-urban.xml")
    assert status == 200 and root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    attribute = root.find("attributes/attribute")
    assert children(attribute)[:4] == ["variable", "code", "datatype", "required"]
    assert [v.findtext("key") for v in attribute.findall("values/value")] == ["normal", "urgent"]

    status, data = get_json(client, "services/complaint-nothing.json")
    assert status == 404
    assert data[0]["code"] == 404 and "complaint-nothing" in data[0]["description"]
    status, root = get_xml(client, "services/mailbox.xml")
    assert status == 404 and root.tag == "errors"
    assert children(root.find("error")) == ["code", "description"]


# --- posting -------------------------------------------------------------------------------


def test_posting_records_a_message_of_the_clients_region(
    client, kit, api, schema, sms, django_capture_on_commit_callbacks
):
    api_client, key = api
    RoutingRule.objects.create(keywords="道路 积水", department=kit.housing)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, form(key, **{"attribute[external_id]": "GD-20261204-1"}))
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    data = valid(schema, "swagger:RequestResponse", json.loads(response.content))
    [answer] = data
    message = Message.objects.get()
    assert answer["service_request_id"] == message.number
    assert message.number.startswith(kit.county.division_code)
    assert "account_id" not in answer  # no accounts; swagger.json allows no null
    assert message.channel == Channel.API and message.api_client == api_client
    assert message.region == kit.county and message.portal is None
    assert message.kind == Kind.COMPLAINT and message.category.code == "urban"
    assert message.status == Status.SUBMITTED
    assert message.suggested_department == kit.housing and message.route_method == "rule"
    assert message.writer_name == "张三" and message.writer_phone == "13800138000"
    assert message.writer_email == "zhangsan@example.com" and message.publish_consent
    assert message.latitude == Decimal("30.123456")
    assert message.longitude == Decimal("104.654321")
    assert message.location == "青石镇幸福小区3栋门口"
    assert message.title == "幸福小区门口道路破损多日，雨天积水，请尽快修复。"
    assert message.urgency == Urgency.NORMAL
    assert message.external_id == f"{api_client.pk}:GD-20261204-1"
    audit = AuditEvent.objects.get(action=events.SUBMITTED, object_id=str(message.pk))
    assert audit.detail["channel"] == "api" and audit.detail["writer"] == "张*"
    assert audit.detail["api_client"] == api_client.pk
    assert audit.client_address == "127.0.0.1"
    # The person gets the query code by SMS; the client sees it once in the notice.
    assert sms[-1].mobile == "13800138000"
    code = sms[-1].text.split("查询码 ")[1][:8]
    assert f"查询码 {code}" in answer["service_notice"]

    # The same external id again: the first request, nothing new.
    again = post(client, form(key, **{"attribute[external_id]": "GD-20261204-1"}))
    assert again.status_code == 200
    assert json.loads(again.content)[0]["service_request_id"] == message.number
    assert Message.objects.count() == 1
    assert AuditEvent.objects.filter(action=events.SUBMITTED).count() == 1


def test_posting_in_xml_with_an_address_only_and_an_urgent_title(client, kit, api):
    _, key = api
    response = post(
        client,
        form(
            key,
            lat=None,
            long=None,
            first_name=None,
            last_name=None,
            phone=None,
            email=None,
            service_code="help",
            **{"attribute[urgency]": "urgent", "attribute[title]": "路灯不亮"},
        ),
        fmt="xml",
    )
    assert response.status_code == 200, response.content
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert children(request) == ["service_request_id", "service_notice", "account_id"]
    message = Message.objects.get(number=request.findtext("service_request_id"))
    assert message.kind == Kind.HELP and message.category is None
    assert message.urgency == Urgency.URGENT and message.title == "路灯不亮"
    assert message.latitude is None and message.writer_name == "" and message.writer_phone == ""
    assert message.deadline_amount == 4  # working hours


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"api_key": None}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code is required"),
        ({"service_code": "complaint-nothing"}, 400, "Unknown service_code"),
        ({"service_code": "mailbox"}, 400, "Unknown service_code"),
        ({"lat": "abc"}, 400, "lat must be"),
        ({"lat": "91"}, 400, "lat must be"),
        ({"long": "NaN"}, 400, "long must be"),
        ({"long": None}, 400, "lat and long go together"),
        ({"lat": None, "long": None, "address_string": None}, 400, "location is required"),
        ({"description": "  "}, 400, "description is required"),
        ({"description": "x" * 5001}, 400, "description is longer"),
        ({"description": "坏\x00字"}, 400, "invalid character"),
        ({"phone": "12"}, 400, "phone"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"attribute[colour]": "red"}, 400, "Unknown attribute"),
        ({"attribute[urgency]": "very"}, 400, "attribute[urgency]"),
        ({"attribute[publish_consent]": "maybe"}, 400, "attribute[publish_consent]"),
        ({"jurisdiction_id": "12"}, 404, "jurisdiction_id"),
        ({"jurisdiction_id": "abc"}, 400, "jurisdiction_id"),
    ],
)
def test_bad_posts_are_refused_and_save_nothing(client, api, change, status, says):
    _, key = api
    for fmt in ("json", "xml"):
        response = post(client, form(key, **change), fmt=fmt)
        assert response.status_code == status, response.content
        if fmt == "json":
            [error] = json.loads(response.content)
            assert error["code"] == status and says in error["description"]
            assert " / " in error["description"]  # Chinese, then English
        else:
            root = ET.fromstring(response.content)
            assert root.tag == "errors"
            assert root.findtext("error/code") == str(status)
            assert says in root.findtext("error/description")
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(action=events.SUBMITTED).exists()


def test_a_disabled_client_may_not_post(client, api):
    api_client, key = api
    api_client.active = False
    api_client.save(update_fields=["active"])
    response = post(client, form(key))
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_the_key_may_come_in_the_query_string_and_the_post_needs_no_csrf(api):
    from django.test import Client

    _, key = api
    data = form(key)
    del data["api_key"]
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(f"{BASE}/requests.json?api_key={key}", data)
    assert response.status_code == 200, response.content


# --- reading -------------------------------------------------------------------------------


def test_requests_show_their_status_and_filter(client, kit, api, schema):
    _, key = api
    first = submitted(client, key)
    second = submitted(client, key, service_code="consultation-education", lat=None, long=None)
    status, data = get_json(client, "requests.json")
    assert status == 200
    valid(schema, "requests.json", data)
    assert [r["service_request_id"] for r in data] == [second.number, first.number]
    assert {r["status"] for r in data} == {"open"}
    row = data[1]
    assert row["service_code"] == "complaint-urban" and row["service_name"] == "投诉：城乡建设"
    assert row["status_notes"] == "待分办" and row["agency_responsible"] is None
    assert row["service_notice"] == "应在 13 个工作日内答复。"
    assert row["requested_datetime"] == timezone.localtime(first.submitted_at).isoformat(
        timespec="seconds"
    )
    assert row["requested_datetime"].endswith("+08:00")

    kit.to_housing(first)
    kit.answer(first)
    status, data = get_json(client, f"requests/{first.number}.json")
    assert status == 200
    valid(schema, "requests.json", data)
    [row] = data
    assert row["status"] == "closed" and row["status_notes"] == "已答复"
    assert row["agency_responsible"] == "松林县住房和城乡建设局"
    first.refresh_from_db()
    assert row["updated_datetime"] == timezone.localtime(first.replied_at).isoformat(
        timespec="seconds"
    )

    def numbers(**params):
        status, data = get_json(client, "requests.json", **params)
        assert status == 200, data
        valid(schema, "requests.json", data)
        return [r["service_request_id"] for r in data]

    assert numbers(status="closed") == [first.number]
    assert numbers(status="open") == [second.number]
    assert numbers(status="open,closed") == [second.number, first.number]
    assert numbers(service_code="consultation-education") == [second.number]
    assert numbers(service_code="complaint,complaint-urban") == [first.number]
    assert numbers(service_code="praise") == []
    assert numbers(service_request_id=f"{first.number},99") == [first.number]
    assert numbers(jurisdiction_id="990102") == [second.number, first.number]
    assert numbers(jurisdiction_id="990103") == []
    now = timezone.localtime()
    assert numbers(start_date=(now - timedelta(hours=1)).isoformat()) == [
        second.number,
        first.number,
    ]
    # An unencoded "+" arrives as a space: still understood.
    yesterday = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    response = client.get(f"{BASE}/requests.json?end_date={yesterday}")
    assert response.status_code == 200 and json.loads(response.content) == []
    assert numbers(end_date=yesterday) == []
    assert numbers(start_date=now.date().isoformat(), end_date=now.date().isoformat()) == [
        second.number,
        first.number,
    ]
    # The ids override the other parameters.
    assert numbers(service_request_id=second.number, status="closed") == [second.number]

    status, root = get_xml(client, "requests.xml")
    assert status == 200 and root.tag == "service_requests"
    requests = root.findall("request")
    assert [r.findtext("service_request_id") for r in requests] == [second.number, first.number]
    assert children(requests[0])[:4] == [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
    ]
    assert requests[1].findtext("status") == "closed"
    assert requests[1].find("lat").text is None  # not published


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-01"}, "end_date"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90 days"),
        ({"start_date": "2026-06-01", "end_date": "2026-01-01"}, "before"),
        ({"status": "pending"}, "status"),
        ({"service_code": "nothing"}, "service_code"),
        ({"service_request_id": "1,abc"}, "service_request_id"),
    ],
)
def test_bad_queries_answer_400(client, params, says):
    status, data = get_json(client, "requests.json", **params)
    assert status == 400
    assert data[0]["code"] == 400 and says in data[0]["description"]
    status, root = get_xml(client, "requests.xml", **params)
    assert status == 400 and root.findtext("error/code") == "400"


def test_an_unknown_request_answers_404(client, kit, api):
    status, data = get_json(client, "requests/99010220261204999.json")
    assert status == 404 and data[0]["code"] == 404
    status, root = get_xml(client, "requests/99010220261204999.xml")
    assert status == 404 and root.tag == "errors"
    # A website letter (not a 12345 kind) is not an Open311 request.
    letter, _ = kit.write(kind=Kind.MAILBOX)
    status, data = get_json(client, f"requests/{letter.number}.json")
    assert status == 404


def test_lists_carry_no_personal_data(client, kit, api, schema):
    _, key = api
    message = submitted(client, key)
    status, data = get_json(client, "requests.json")
    [row] = data
    assert row["description"] == open311.HIDDEN_DESCRIPTION
    assert row["address"] is None and row["lat"] is None and row["long"] is None
    personal = ["张三", "13800138000", "zhangsan@example.com", "幸福小区", "青石镇"]
    for path in ("requests.json", "requests.xml", f"requests/{message.number}.xml"):
        text = client.get(f"{BASE}/{path}").content.decode()
        assert not [p for p in personal if p in text], path

    # Published (with consent, by a reviewer): the public texts and the place, still
    # without the writer's name or phone.
    kit.to_housing(message)
    kit.answer(message, text="张三您好，已安排修复，有问题请拨打 13800138000。")
    actions.publish(message=message, staff=kit.reviewer)
    status, data = get_json(client, f"requests/{message.number}.json")
    valid(schema, "requests.json", data)
    [row] = data
    message.refresh_from_db()
    assert row["description"] == message.public_body
    assert "雨天积水" in row["description"]
    assert row["address"] == "青石镇幸福小区3栋门口"
    assert row["lat"] == 30.123456 and row["long"] == 104.654321
    assert row["status_notes"].startswith("已答复。答复：")
    text = json.dumps(data, ensure_ascii=False)
    assert "13800138000" not in text and "张三" not in text
    assert "zhangsan@example.com" not in text


def test_wrong_methods_and_paths_answer_in_open311_form(client, api):
    response = client.put(f"{BASE}/services.json")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert json.loads(response.content)[0]["code"] == 405
    response = client.post(f"{BASE}/services.xml")
    assert response.status_code == 405 and ET.fromstring(response.content).tag == "errors"
    for path in ("services.csv", "nothing.xml", "", "requests/abc.json"):
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 404, path
        assert response["Content-Type"].split(";")[0] in ("application/json", "text/xml")
    status, data = get_json(client, "tokens/abc.json")
    assert status == 404 and "service_request_id" in data[0]["description"]


def test_xml_never_carries_broken_characters(client, kit):
    Category.objects.filter(code="urban").update(name="城乡<建设>&\x01")
    status, root = get_xml(client, "services.xml")
    assert status == 200
    names = [s.findtext("service_name") for s in root.findall("service")]
    assert "投诉：城乡<建设>&" in names


def test_list_queries_do_not_grow_with_the_requests(client, kit, api):
    _, key = api
    submitted(client, key)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{BASE}/requests.json")
        return len(json.loads(response.content)), len(captured)

    one = queries()
    for _ in range(3):
        submitted(client, key, service_code="help-transport")
    four = queries()
    assert (one[0], four[0]) == (1, 4)
    assert four[1] == one[1]


# --- through the georeport client library, against a live server -------------------------


# serialized_rollback: the groups and categories come from data migrations, and the flush
# after a transactional test would take them away from the tests after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_georeport_client_reads_what_plain_http_posted(live_server, regions, site_group):
    import requests
    from georeport import GeoReport

    kit = Kit(regions, site_group)
    _, key = clients.create_api_client(name="开放接口测试", region=kit.county, actor=None)
    root = f"{live_server.url}{BASE}"
    # Posting: plain form-encoded HTTP, as the spec describes (the library cannot post).
    response = requests.post(f"{root}/requests.json", data=form(key), timeout=30)
    assert response.status_code == 200, response.text
    number = response.json()[0]["service_request_id"]
    response = requests.post(
        f"{root}/requests.xml", data=form(key, service_code="suggestion"), timeout=30
    )
    assert response.status_code == 200
    other = ET.fromstring(response.content).findtext("request/service_request_id")

    for output_format in ("json", "xml"):
        reader = GeoReport(root, output_format=output_format)
        services = reader.get_service_list()
        assert len(services) == len(HOTLINE_KINDS) * (1 + Category.objects.count())
        codes = [s["service_code"] for s in services]
        assert codes[0] == hotline_codes()[0] and "complaint-urban" in codes
        definition = reader.get_service_definition("complaint-urban")
        assert definition["service_code"] == "complaint-urban"
        listed = reader.get_service_requests(status="open")
        assert {r["service_request_id"] for r in listed} == {number, other}
        one = reader.get_service_request(number)
        assert one["service_request_id"] == number and one["status"] == "open"
        assert one["service_code"] == "complaint-urban"
        assert one["description"] == open311.HIDDEN_DESCRIPTION
    assert Message.objects.get(number=number).channel == Channel.API
