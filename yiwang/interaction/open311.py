"""Open311 GeoReport v2 on ``/open311/v2/`` (docs/open311.md): the API through which other
systems (a 12345 hotline system, an Open311 app) post messages, and anyone reads their
public status.

- Services: every 12345 kind (``HOTLINE_KINDS``) once on its own (``complaint``) and once per
  subject category (``complaint-urban``); ``group`` is the kind's Chinese label. Every
  service has the same attributes (``ATTRIBUTES``), which are exactly what ``POST`` accepts
  as ``attribute[code]``.
- ``POST requests.{fmt}`` needs an API key (``ApiClient``, ``clients.client_for_key``); the
  message is recorded by ``actions.submit_message`` in the client's region, channel API.
- ``GET requests`` shows only what may be public: no writer's name, phone or e-mail ever;
  the text, address and coordinates only of published messages (``is_published``).

Responses are JSON or XML (built with ``xml.etree``, never by pasting text); errors are the
Open311 list ``[{"code": 400, "description": "中文 / English"}]``.
"""

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import wraps

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    ValidationError,
)
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from yiwang.orgs.models import Region, region_prefix, stats_code

from . import actions, clients
from .constants import (
    DEFAULT_DEADLINES,
    HOTLINE_KINDS,
    MAX_BODY,
    MAX_TITLE,
    OPEN_STATUSES,
    Channel,
    Kind,
    Unit,
    Urgency,
)
from .models import Category, DeadlineRule, Message
from .redaction import redact

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the endpoints last changed (discovery's ``changeset``): change it with them.
CHANGESET = "2026-12-04T00:00:00+08:00"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The spec's defaults: the last 90 days, at most 1000 requests.
WINDOW_DAYS = 90
MAX_REQUESTS = 1000
# Shown instead of the text of a message that is not published.
HIDDEN_DESCRIPTION = "该诉求内容未公开。"
# Room for the client's id in ``Message.external_id`` (64): ``<client pk>:<their id>``.
MAX_EXTERNAL_ID = 50
TITLE_FROM_DESCRIPTION = 30
DEFAULT_CONTACT = "接口使用问题请联系本平台的运维单位。"
KEY_SERVICE = (
    "API 密钥由平台管理员在后台“政民互动 › 接入系统（留言接口）”登记接入系统时生成，只显示一次。"
    " / API keys are issued by the platform's administrators (back office: 政民互动 › 接入系统)."
)
# Element names of list items in XML, by the list's own element name.
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
# Characters XML 1.0 cannot carry at all.
XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
COORDINATE = Decimal("0.000001")
SERVICE_CODE = re.compile(r"^[\w-]{1,80}$")

ATTRIBUTES = [
    {
        "variable": True,
        "code": "urgency",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "normal 或 urgent，默认 normal",
        "order": 1,
        "description": "紧急程度：紧急诉求当天答复（4 个工作小时）。Urgency.",
        "values": [{"key": u.value, "name": u.label} for u in Urgency],
    },
    {
        "variable": True,
        "code": "title",
        "datatype": "string",
        "required": False,
        "datatype_description": f"不超过 {MAX_TITLE} 个字",
        "order": 2,
        "description": "标题：不填则取描述的开头。Title; defaults to the start of the description.",
    },
    {
        "variable": True,
        "code": "publish_consent",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "yes 或 no，默认 no",
        "order": 3,
        "description": (
            "诉求人是否同意去除个人信息后公开诉求和答复。"
            "Whether the person consents to publication (personal data removed)."
        ),
        "values": [{"key": "yes", "name": "同意公开"}, {"key": "no", "name": "不同意公开"}],
    },
    {
        "variable": True,
        "code": "external_id",
        "datatype": "string",
        "required": False,
        "datatype_description": f"不超过 {MAX_EXTERNAL_ID} 个字符",
        "order": 4,
        "description": (
            "来源系统（如 12345 热线系统）自己的工单编号：同一接入系统的同一编号只受理一次，"
            "重复提交返回第一次的编号。Your own work-order id: a repeat returns the first request."
        ),
    },
]
ATTRIBUTE_CODES = {attribute["code"] for attribute in ATTRIBUTES}
YES_NO = {"yes": True, "no": False}
# Open311 parameter of each field ``submit_message`` may complain about.
PARAMETERS = {
    "title": "attribute[title]",
    "body": "description",
    "writer_name": "first_name/last_name",
    "writer_phone": "phone",
    "writer_email": "email",
    "location": "address_string",
    "urgency": "attribute[urgency]",
    "kind": "service_code",
}


class Open311Error(Exception):
    def __init__(self, status, chinese, english):
        super().__init__(english)
        self.status = status
        self.description = f"{chinese} / {english}"


def _bad(chinese, english):
    return Open311Error(400, chinese, english)


# --- rendering -----------------------------------------------------------------------------


def _xml_text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_INVALID.sub("", str(value))


def _element(tag, value):
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list):
        for item in value:
            element.append(_element(XML_ITEMS[tag], item))
    else:
        element.text = _xml_text(value)
    return element


def render(fmt, root, data, *, status=200):
    """``data`` as JSON, or as XML under the element ``root`` (lists: see ``XML_ITEMS``)."""
    if fmt == "xml":
        body = ET.tostring(_element(root, data), encoding="utf-8", xml_declaration=True)
    else:
        body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt, status, description):
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)


def _endpoint(methods):
    """Open311 errors (not the site's HTML pages) for bad methods and bad input."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, fmt="json", **kwargs):
            if request.method not in methods:
                response = error_response(
                    fmt,
                    405,
                    f"不支持 {request.method} 请求。 / Method {request.method} not allowed.",
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc.status, exc.description)

        return csrf_exempt(wrapper)

    return decorate


# --- input ---------------------------------------------------------------------------------


def _clean(value, parameter, *, max_length, label):
    value = (value or "").strip()
    if "\x00" in value:
        raise _bad(f"{label}含有无效字符。", f"{parameter} contains an invalid character.")
    if len(value) > max_length:
        raise _bad(
            f"{label}不能超过 {max_length} 个字（现有 {len(value)} 个）。",
            f"{parameter} is longer than {max_length} characters.",
        )
    return value


def _jurisdiction(params):
    """The region named by ``jurisdiction_id`` (a division code), or None when not given."""
    code = _clean(params.get("jurisdiction_id"), "jurisdiction_id", max_length=12, label="区划")
    if not code:
        return None
    try:
        full = stats_code(code)
    except ValueError:
        raise _bad(
            "jurisdiction_id 应为 2、4、6、9 或 12 位行政区划代码。",
            "jurisdiction_id is a region code of 2, 4, 6, 9 or 12 digits.",
        ) from None
    region = Region.objects.filter(code=full).first()
    if region is None:
        raise Open311Error(404, f"没有这个区划：{code}。", f"jurisdiction_id {code} was not found.")
    return region


def _when(value, parameter, *, end=False):
    value = _clean(value, parameter, max_length=40, label=parameter)
    if not value:
        return None
    # An unencoded "+08:00" arrives as " 08:00".
    if re.fullmatch(r".+T.+ \d{2}(:?\d{2})?", value):
        head, _, offset = value.rpartition(" ")
        value = f"{head}+{offset}"
    # A date alone means its whole day (fromisoformat would read it as midnight).
    date_only = re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None
    try:
        day = parse_date(value) if date_only else None
        moment = None if date_only else parse_datetime(value)
    except ValueError:
        moment = day = None
    if moment is None and day is not None:
        moment = datetime.combine(day, time.max if end else time.min)
    if moment is None:
        raise _bad(
            f"{parameter} 不是有效的 ISO 8601 时间（例如 2026-11-02T10:00:00+08:00）。",
            f"{parameter} is not an ISO 8601 date-time (e.g. 2026-11-02T10:00:00+08:00).",
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _coordinate(value, parameter, limit):
    try:
        number = Decimal(value.strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or abs(number) > limit:
        raise _bad(
            f"{parameter} 应为 -{limit} 到 {limit} 之间的 WGS84 坐标。",
            f"{parameter} must be a WGS84 number between -{limit} and {limit}.",
        )
    return number.quantize(COORDINATE, rounding=ROUND_HALF_UP)


def _attributes(data):
    """``attribute[code]`` values; an attribute this API does not declare is refused."""
    values = {}
    for key in data:
        if not key.startswith("attribute["):
            continue
        match = re.fullmatch(r"attribute\[([^\[\]]*)\](\[\])?", key)
        code = match.group(1) if match else key
        if code not in ATTRIBUTE_CODES or (match and match.group(2)):
            raise _bad(f"没有这个属性：{key}。", f"Unknown attribute {key}.")
        values[code] = data.get(key, "")
    return values


# --- services ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    code: str
    kind: str
    category: Category | None
    name: str
    description: str
    keywords: str

    @property
    def group(self):
        return Kind(self.kind).label

    def as_dict(self):
        return {
            "service_code": self.code,
            "service_name": self.name,
            "description": self.description,
            "metadata": bool(ATTRIBUTES),
            "type": "realtime",
            "keywords": self.keywords,
            "group": self.group,
        }


def _deadline_texts():
    rules = {
        rule.kind: (rule.amount, rule.unit)
        for rule in DeadlineRule.objects.filter(urgency=Urgency.NORMAL)
    }
    texts = {}
    for kind in HOTLINE_KINDS:
        amount, unit = rules.get(kind.value) or DEFAULT_DEADLINES[kind]
        texts[kind.value] = f"一般 {amount} 个{Unit(unit).label}内答复"
    return texts


class Catalog:
    """The services of this moment (one query for the categories, one for the deadlines)."""

    def __init__(self):
        self.categories = {c.pk: c for c in Category.objects.all()}
        deadlines = _deadline_texts()
        self.services = {}
        ordered = sorted(self.categories.values(), key=lambda c: (self._path(c), c.code))
        for kind in HOTLINE_KINDS:
            label = kind.label
            self._add(
                Service(
                    code=kind.value,
                    kind=kind.value,
                    category=None,
                    name=f"{label}：未分类",
                    description=f"不属于下列任何分类的{label}，{deadlines[kind.value]}。",
                    keywords=f"{label},{kind.value}",
                )
            )
            for category in ordered:
                path = self._path(category)
                names = path.split(" › ")
                self._add(
                    Service(
                        code=f"{kind.value}-{category.code}",
                        kind=kind.value,
                        category=category,
                        name=f"{label}：{path}",
                        description=f"{path}方面的{label}，{deadlines[kind.value]}。",
                        keywords=",".join([label, *names, kind.value, category.code]),
                    )
                )

    def _add(self, service):
        self.services[service.code] = service

    def _path(self, category):
        names, seen = [], set()
        while category is not None and category.pk not in seen:
            seen.add(category.pk)
            names.append(category.name)
            category = self.categories.get(category.parent_id)
        return " › ".join(reversed(names))

    def get(self, code):
        return self.services.get(code)

    def code_of(self, message):
        category = self.categories.get(message.category_id)
        return f"{message.kind}-{category.code}" if category is not None else message.kind


def service_definition_data(service):
    return {"service_code": service.code, "attributes": ATTRIBUTES}


# --- requests out --------------------------------------------------------------------------


def _time(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _status_notes(message):
    notes = message.get_status_display()
    if message.is_published and message.public_reply:
        notes = f"{notes}。答复：{message.public_reply}"
    return notes


def _service_notice(message):
    amount = message.deadline_amount + message.extension_amount
    notice = f"应在 {amount} 个{Unit(message.deadline_unit).label}内答复"
    if message.extension_amount:
        notice += f"（含延期 {message.extension_amount} 个{Unit(message.deadline_unit).label}）"
    return notice + "。"


def request_data(message, catalog):
    """One request as the public sees it: never the writer's name, phone or e-mail; the
    text, address and coordinates only when the message is published."""
    code = catalog.code_of(message)
    service = catalog.get(code)
    published = message.is_published
    closed = message.status not in OPEN_STATUSES
    if closed:
        updated = message.closed_at or message.replied_at or message.updated_at
    else:
        updated = message.updated_at
    address = redact(message.location, names=[message.writer_name]) if published else ""
    return {
        "service_request_id": message.number,
        "status": "closed" if closed else "open",
        "status_notes": _status_notes(message),
        "service_name": service.name if service is not None else message.get_kind_display(),
        "service_code": code,
        "description": message.public_body if published else HIDDEN_DESCRIPTION,
        "agency_responsible": message.department.name if message.department_id else None,
        "service_notice": _service_notice(message),
        "requested_datetime": _time(message.submitted_at),
        "updated_datetime": _time(updated),
        "expected_datetime": _time(message.due_at),
        "address": address or None,
        "lat": float(message.latitude) if published and message.latitude is not None else None,
        "long": float(message.longitude) if published and message.longitude is not None else None,
        "media_url": None,
    }


def _public_messages():
    return Message.objects.filter(kind__in=HOTLINE_KINDS).select_related("department")


def _filtered(params, catalog, region):
    messages = _public_messages()
    if region is not None:
        messages = messages.filter(region__code__startswith=region_prefix(region))
    ids = _clean(
        params.get("service_request_id"),
        "service_request_id",
        max_length=MAX_REQUESTS * 25,
        label="service_request_id",
    )
    if ids:
        numbers = [n.strip() for n in ids.split(",") if n.strip()]
        if not all(n.isdigit() and len(n) <= 24 for n in numbers):
            raise _bad(
                "service_request_id 应为逗号分隔的诉求编号。",
                "service_request_id is a comma-separated list of request ids.",
            )
        if len(numbers) > MAX_REQUESTS:
            raise _bad(
                f"一次最多查询 {MAX_REQUESTS} 个编号。",
                f"At most {MAX_REQUESTS} service_request_id at once.",
            )
        # The spec: the ids override every other parameter.
        return messages.filter(number__in=numbers)
    codes = _clean(params.get("service_code"), "service_code", max_length=2000, label="服务代码")
    if codes:
        wanted = []
        for code in (c.strip() for c in codes.split(",") if c.strip()):
            service = catalog.get(code)
            if service is None:
                raise _bad(f"没有这个服务代码：{code}。", f"Unknown service_code {code}.")
            wanted.append(service)
        condition = Q()
        for service in wanted:
            if service.category is None:
                condition |= Q(kind=service.kind, category__isnull=True)
            else:
                condition |= Q(kind=service.kind, category=service.category)
        messages = messages.filter(condition)
    statuses = _clean(params.get("status"), "status", max_length=20, label="状态")
    if statuses:
        chosen = {s.strip() for s in statuses.split(",") if s.strip()}
        if not chosen or not chosen <= {"open", "closed"}:
            raise _bad("status 只能是 open 或 closed。", "status is open or closed.")
        if chosen == {"open"}:
            messages = messages.filter(status__in=OPEN_STATUSES)
        elif chosen == {"closed"}:
            messages = messages.exclude(status__in=OPEN_STATUSES)
    start = _when(params.get("start_date"), "start_date")
    end = _when(params.get("end_date"), "end_date", end=True)
    window = timedelta(days=WINDOW_DAYS)
    if start is not None and end is not None:
        if end < start:
            raise _bad("end_date 早于 start_date。", "end_date is before start_date.")
        if end - start > window:
            raise _bad(
                f"查询的时间跨度不能超过 {WINDOW_DAYS} 天。",
                f"start_date to end_date may not span more than {WINDOW_DAYS} days.",
            )
    elif start is not None:
        end = start + window
    elif end is not None:
        start = end - window
    else:
        end = timezone.now()
        start = end - window
    return messages.filter(submitted_at__gte=start, submitted_at__lte=end)


# --- requests in ---------------------------------------------------------------------------


def _writer_name(first, last):
    if not (first and last):
        return first or last
    # A Chinese name is written surname first, without a space.
    if re.search(r"[\u3400-\u9fff]", first + last):
        return f"{last}{first}"
    return f"{first} {last}"


def _validation_error(exc):
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.message_dict.items()))
        parameter = PARAMETERS.get(field, field)
        return _bad(errors[0], f"invalid {parameter}.")
    return _bad("；".join(exc.messages), "invalid request.")


def _notice_for(message, code=None):
    due = _time(message.due_at)
    parts = [f"已受理，编号 {message.number}"]
    if code:
        parts.append(f"查询码 {code}（凭编号和查询码在政府网站“留言查询”查看办理进度和答复）")
    parts.append(f"答复期限 {due}" if due else "答复期限待定")
    english = f"Received as {message.number}"
    if code:
        english += f"; query code {code}"
    english += f"; answer due by {due}." if due else "; the due date is not yet known."
    return "，".join(parts) + "。 / " + english


def _created(fmt, message, *, code=None, repeated=False):
    notice = (
        f"该工单已受理过，编号 {message.number}，未重复创建。 / "
        f"Already received as {message.number}; nothing new was created."
        if repeated
        else _notice_for(message, code)
    )
    data = {"service_request_id": message.number, "service_notice": notice}
    if fmt == "xml":
        # Requests have no account here: the spec's empty element in XML; left out of JSON,
        # where swagger.json allows only a string.
        data["account_id"] = None
    response = render(fmt, "service_requests", [data])
    # The query code is shown once.
    response["Cache-Control"] = "no-store"
    return response


def _post_data(request):
    try:
        return request.POST
    except (RequestDataTooBig, TooManyFieldsSent):
        raise Open311Error(413, "提交的内容太大。", "The request body is too large.") from None


def create_request(request, fmt):
    """``POST requests.{fmt}``: a new message from the client of ``api_key``."""
    data = _post_data(request)
    key = data.get("api_key") or request.GET.get("api_key")
    client = clients.client_for_key(key)
    if client is None:
        raise Open311Error(
            403,
            "API 密钥无效或已停用。",
            "api_key is missing, unknown or disabled.",
        )
    _jurisdiction(data)
    code = _clean(data.get("service_code"), "service_code", max_length=100, label="服务代码")
    if not code:
        raise _bad("请填写 service_code（服务代码）。", "service_code is required.")
    service = Catalog().get(code) if SERVICE_CODE.match(code) else None
    if service is None:
        raise _bad(
            f"没有这个服务代码：{code}，请先查询 services。",
            f"Unknown service_code {code}; see services.",
        )
    lat_text, long_text = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    latitude = longitude = None
    if lat_text or long_text:
        if not (lat_text and long_text):
            raise _bad("lat 和 long 须同时提供。", "lat and long go together.")
        latitude = _coordinate(lat_text, "lat", 90)
        longitude = _coordinate(long_text, "long", 180)
    address = _clean(data.get("address_string"), "address_string", max_length=300, label="地址")
    if latitude is None and not address:
        raise _bad(
            "请提供地点：lat 和 long，或 address_string。",
            "A location is required: lat and long, or address_string.",
        )
    description = _clean(data.get("description"), "description", max_length=MAX_BODY, label="描述")
    if not description:
        raise _bad("请填写 description（诉求内容）。", "description is required.")
    media_url = _clean(data.get("media_url"), "media_url", max_length=1000, label="media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise _bad("media_url 不是有效的网址。", "media_url is not a valid URL.") from None
    attributes = _attributes(data)
    urgency = _clean(
        attributes.get("urgency"), "attribute[urgency]", max_length=20, label="紧急程度"
    )
    urgency = urgency or Urgency.NORMAL
    if urgency not in Urgency.values:
        raise _bad("紧急程度只能是 normal 或 urgent。", "attribute[urgency] is normal or urgent.")
    consent = _clean(
        attributes.get("publish_consent"), "attribute[publish_consent]", max_length=5, label="公开"
    )
    if (consent or "no") not in YES_NO:
        raise _bad("是否同意公开只能是 yes 或 no。", "attribute[publish_consent] is yes or no.")
    title = _clean(attributes.get("title"), "attribute[title]", max_length=MAX_TITLE, label="标题")
    if not title:
        first_line = description.splitlines()[0].strip()
        title = first_line[:TITLE_FROM_DESCRIPTION] + (
            "…" if len(first_line) > TITLE_FROM_DESCRIPTION else ""
        )
    external = _clean(
        attributes.get("external_id"),
        "attribute[external_id]",
        max_length=MAX_EXTERNAL_ID,
        label="外部编号",
    )
    first = _clean(data.get("first_name"), "first_name", max_length=50, label="名")
    last = _clean(data.get("last_name"), "last_name", max_length=50, label="姓")
    phone = _clean(data.get("phone"), "phone", max_length=30, label="电话")
    email = _clean(data.get("email"), "email", max_length=254, label="电子邮箱")
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise _bad("电子邮箱格式不对。", "email is not a valid address.") from None
    body = f"{description}\n\n附件：{media_url}" if media_url else description
    external_id = f"{client.pk}:{external}" if external else ""

    def earlier():
        if not external_id:
            return None
        return Message.objects.filter(channel=Channel.API, external_id=external_id).first()

    repeated = earlier()
    if repeated is not None:
        return _created(fmt, repeated, repeated=True)
    try:
        with transaction.atomic():
            message, query_code = actions.submit_message(
                kind=service.kind,
                title=title,
                body=body,
                region=client.region,
                writer_name=_writer_name(first, last),
                writer_phone=phone,
                writer_email=email,
                publish_consent=YES_NO[consent or "no"],
                category=service.category,
                urgency=urgency,
                channel=Channel.API,
                location=address,
                latitude=latitude,
                longitude=longitude,
                api_client=client,
                external_id=external_id,
                request=request,
            )
    except ValidationError as exc:
        raise _validation_error(exc) from None
    except PermissionDenied as exc:
        raise Open311Error(403, str(exc) or "没有权限。", "not allowed.") from None
    except IntegrityError:
        # The same external id posted twice at once: the other one won.
        repeated = earlier()
        if repeated is None:
            raise
        return _created(fmt, repeated, repeated=True)
    return _created(fmt, message, code=query_code)


# --- views ---------------------------------------------------------------------------------


def _base_url(request):
    discovery_url = reverse("open311:discovery", kwargs={"fmt": "json"})
    return request.build_absolute_uri(discovery_url).rsplit("/", 1)[0]


@_endpoint(("GET", "HEAD"))
def discovery(request, fmt):
    data = {
        "changeset": CHANGESET,
        "contact": getattr(settings, "OPEN311_CONTACT", "") or DEFAULT_CONTACT,
        "key_service": KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": _base_url(request),
                "changeset": CHANGESET,
                "type": "test" if settings.DEBUG else "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(fmt, "discovery", data)


@_endpoint(("GET", "HEAD"))
def services(request, fmt):
    _jurisdiction(request.GET)
    data = [service.as_dict() for service in Catalog().services.values()]
    return render(fmt, "services", data)


@_endpoint(("GET", "HEAD"))
def service_definition(request, code, fmt):
    _jurisdiction(request.GET)
    service = Catalog().get(code)
    if service is None:
        raise Open311Error(404, f"没有这个服务代码：{code}。", f"Unknown service_code {code}.")
    return render(fmt, "service_definition", service_definition_data(service))


@_endpoint(("GET", "HEAD", "POST"))
def requests(request, fmt):
    if request.method == "POST":
        return create_request(request, fmt)
    region = _jurisdiction(request.GET)
    catalog = Catalog()
    messages = _filtered(request.GET, catalog, region)
    rows = messages.order_by("-submitted_at", "-pk")[:MAX_REQUESTS]
    return render(fmt, "service_requests", [request_data(m, catalog) for m in rows])


@_endpoint(("GET", "HEAD"))
def request_detail(request, number, fmt):
    region = _jurisdiction(request.GET)
    messages = _public_messages()
    if region is not None:
        messages = messages.filter(region__code__startswith=region_prefix(region))
    message = messages.filter(number=number).first()
    if message is None:
        raise Open311Error(
            404, f"没有编号为 {number} 的诉求。", f"service_request_id {number} was not found."
        )
    return render(fmt, "service_requests", [request_data(message, Catalog())])


@_endpoint(("GET", "HEAD"))
def token(request, token, fmt):
    raise Open311Error(
        404,
        "本接口不签发令牌：提交诉求时直接返回 service_request_id。",
        "No tokens are issued: POST requests returns the service_request_id at once.",
    )


@csrf_exempt
def unknown(request, rest=""):
    fmt = "xml" if rest.endswith(".xml") else "json"
    return error_response(
        fmt,
        404,
        "没有这个接口，请参阅 discovery.json。 / Unknown endpoint; see discovery.json.",
    )
