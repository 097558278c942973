"""Lossless export and import of full service guides, as JSON or as an Excel workbook.

A *guide* here is one implementation (实施清单) with everything it carries: its base catalog
item, region and department (by code and name), every guide field and child list, its themes
(by code), business-variant and replacement links (by implementation code), its lifecycle
state, and the Wagtail documents it attaches (flow chart, result sample, blank and sample
forms), embedded as base64. The JSON document is the canonical form::

    {"format": "yiwang.catalog.guides", "format_version": 1, "guides": [{...}, ...]}

The Excel workbook holds the same data in one sheet per list, keyed by 实施编码, with Chinese
column headers (the models' verbose names), and the files in a 附件 sheet, split in chunks
under Excel's 32,767-character cell limit. ``workbook_to_guides`` turns a workbook back into
the canonical guide dicts, so both formats share one import path.

Import never overwrites a published implementation in place: an implementation whose code
exists gets a new revision that is published (history kept, ``version`` bumped); a new one
is created and published; one whose content is unchanged is left alone. Each guide is written
in its own transaction, so a guide with errors is reported (in Chinese, with its sheet and row
or its position in the file) and skipped without stopping the others or half-writing itself.
Every run writes one ``catalog.imported`` audit row.

``version`` is not exported: it counts publications in *this* database and restarts at 1 in
another one.
"""

import base64
import binascii
import hashlib
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Prefetch
from django.utils import translation
from django.utils.dateparse import parse_datetime
from wagtail.documents import get_document_model

from yiwang.core.audit import record
from yiwang.orgs.models import Department, Region, normalize_uscc

from . import events
from .constants import DeliveryMethod, ImplementationStatus
from .models import (
    CatalogItem,
    Fee,
    Implementation,
    LegalBasis,
    Material,
    ProcessStep,
    Question,
    Situation,
    SpecialProcedure,
    Theme,
)

FORMAT = "yiwang.catalog.guides"
FORMAT_VERSION = 1

CATALOG_ITEM_FIELDS = (
    "code",
    "name",
    "item_type",
    "competent_department",
    "legal_basis",
    "exercise_levels",
    "description",
)
# Implementation fields exported as they are (after the code, region and department).
GUIDE_FIELDS = (
    "name",
    "variant",
    "audience",
    "body_address",
    "body_postcode",
    "body_contact",
    "summary",
    "conditions",
    "prohibitions",
    "statutory_limit_days",
    "statutory_limit_note",
    "limit_kind",
    "promised_limit_days",
    "charges_fee",
    "place",
    "hours",
    "enquiry_phone",
    "complaint_phone",
    "required_visits",
    "visit_reason",
    "online_depth",
    "real_name_level",
    "flow_chart",
    "result_name",
    "result_type",
    "result_sample",
    "delivery_methods",
    "responsibility_notes",
)
LIFECYCLE_FIELDS = ("status", "status_effective_at", "status_reason", "replaced_by")
# Implementation fields deliberately not exported: keys, bookkeeping of this database, and
# Wagtail's draft/revision state (a test checks that nothing else is forgotten).
NOT_EXPORTED = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "live",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "live_revision",
    "latest_revision",
    "go_live_at",
    "expire_at",
    "expired",
}

# list name -> (model, fields in order, Excel sheet name)
CHILD_LISTS = {
    "situations": (Situation, ("code", "name", "description"), "办理情形"),
    "materials": (
        Material,
        (
            "name",
            "form",
            "copies",
            "necessity",
            "source",
            "source_note",
            "paper_size",
            "requirements",
            "blank_form",
            "sample_form",
            "license_type",
            "situation_codes",
        ),
        "申请材料",
    ),
    "legal_bases": (
        LegalBasis,
        ("law_name", "law_level", "document_number", "article", "text"),
        "设定依据",
    ),
    "process_steps": (
        ProcessStep,
        ("name", "description", "time_limit_days", "handler"),
        "办理流程",
    ),
    "special_procedures": (
        SpecialProcedure,
        ("name", "time_limit_days", "counts_in_limit", "description"),
        "特别程序",
    ),
    "fees": (Fee, ("name", "standard", "basis", "reducible", "reduction_note"), "收费项目"),
    "questions": (Question, ("question", "answer"), "常见问题"),
}

# Excel: the largest piece of base64 in one cell (Excel's limit is 32,767 characters).
FILE_CHUNK = 32000


class ExchangeError(Exception):
    """The file as a whole cannot be read (wrong format, version, missing sheet)."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    lifecycle_changed: int = 0
    catalog_items_created: int = 0
    catalog_items_updated: int = 0
    departments_created: int = 0
    documents_created: int = 0
    errors: list = field(default_factory=list)  # (where, message)
    warnings: list = field(default_factory=list)

    def summary(self):
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "lifecycle_changed": self.lifecycle_changed,
            "catalog_items_created": self.catalog_items_created,
            "catalog_items_updated": self.catalog_items_updated,
            "departments_created": self.departments_created,
            "documents_created": self.documents_created,
        }


class GuideError(Exception):
    def __init__(self, messages):
        super().__init__("；".join(messages))
        self.messages = list(messages)


# --- values: model <-> canonical JSON ------------------------------------------------------


def _is_document(f):
    return isinstance(f, models.ForeignKey) and f.related_model is get_document_model()


def dump_file(document):
    """A document as ``{"title", "file_name", "content"}`` (content in base64)."""
    if document is None:
        return None
    with document.open_file() as handle:
        content = handle.read()
    return {
        "title": document.title,
        "file_name": document.filename,
        "content": base64.b64encode(content).decode("ascii"),
    }


def _dump(model, name, obj):
    f = model._meta.get_field(name)
    if _is_document(f):
        return dump_file(getattr(obj, name))
    value = getattr(obj, name)
    if value is None:
        return None
    if isinstance(f, models.DecimalField):
        return str(Decimal(value).quantize(Decimal(1).scaleb(-f.decimal_places)))
    if isinstance(f, models.DateTimeField):
        return value.astimezone(UTC).isoformat()
    if isinstance(f, models.JSONField):
        return list(value)
    return value


def _ordered(manager):
    return sorted(manager.all(), key=lambda c: (c.sort_order is None, c.sort_order or 0, c.pk or 0))


def guide_content(implementation):
    """The canonical dict of an implementation's guide (without its lifecycle)."""
    item = implementation.catalog_item
    department = implementation.department
    data = {
        "code": implementation.code,
        "catalog_item": {name: _dump(CatalogItem, name, item) for name in CATALOG_ITEM_FIELDS},
        "region": implementation.region.code,
        "department": {"name": department.name, "uscc": department.uscc},
        "variant_of": implementation.variant_of.code if implementation.variant_of else None,
        "themes": sorted(theme.code for theme in implementation.themes.all()),
    }
    for name in GUIDE_FIELDS:
        data[name] = _dump(Implementation, name, implementation)
    for list_name, (model, fields, _sheet) in CHILD_LISTS.items():
        data[list_name] = [
            {name: _dump(model, name, child) for name in fields}
            for child in _ordered(getattr(implementation, list_name))
        ]
    return data


def guide_data(implementation):
    """The canonical dict of one guide: content and lifecycle."""
    data = guide_content(implementation)
    data["status"] = implementation.status
    data["status_effective_at"] = _dump(Implementation, "status_effective_at", implementation)
    data["status_reason"] = implementation.status_reason
    data["replaced_by"] = implementation.replaced_by.code if implementation.replaced_by else None
    return data


def export_queryset(queryset=None):
    """Published implementations (with what the export reads), mains before their variants.
    Unpublished drafts are not exported: the import would publish them."""
    queryset = Implementation.objects.all() if queryset is None else queryset
    document_fields = ("blank_form", "sample_form")
    return (
        queryset.filter(live=True)
        .select_related(
            "catalog_item",
            "region",
            "department",
            "variant_of",
            "replaced_by",
            "flow_chart",
            "result_sample",
        )
        .prefetch_related(
            "themes",
            Prefetch("materials", queryset=Material.objects.select_related(*document_fields)),
            *[name for name in CHILD_LISTS if name != "materials"],
        )
        .order_by("code")
    )


def _export_order(implementations):
    return sorted(implementations, key=lambda i: (i.variant_of_id is not None, i.code))


def export_guides(queryset=None):
    """The canonical JSON document (a dict) of the published implementations of
    ``queryset`` (all of them by default)."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "guides": [guide_data(i) for i in _export_order(export_queryset(queryset))],
    }


def dumps(document):
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def export_json(queryset=None):
    return dumps(export_guides(queryset))


# --- reading the canonical JSON ------------------------------------------------------------


def load_json(data):
    """The guides of a JSON document (``bytes``, ``str`` or an already parsed dict)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise ExchangeError(f"不是有效的 JSON 文件：{exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ExchangeError(f'不是本系统导出的办事指南文件（缺少 "format": "{FORMAT}"）。')
    version = data.get("format_version")
    if not isinstance(version, int) or version < 1 or version > FORMAT_VERSION:
        raise ExchangeError(f"不支持的格式版本：{version!r}（本系统支持 1 至 {FORMAT_VERSION}）。")
    guides = data.get("guides")
    if not isinstance(guides, list):
        raise ExchangeError("文件中缺少办事指南列表（guides）。")
    return guides


def _label(model, name):
    return str(model._meta.get_field(name).verbose_name)


def _load(model, name, value):
    """A canonical JSON value as the model field's Python value; raises ``ValueError`` with
    a Chinese message. Document fields are handled by the caller."""
    f = model._meta.get_field(name)
    if value is None or value == "":
        # Left out or empty: what the field holds when empty, else its default (a file may
        # omit "form" of a material; it is then 原件, as in the admin).
        if isinstance(f, models.JSONField):
            return []
        if f.null:
            return None
        if isinstance(f, (models.CharField, models.TextField)) and (f.blank or not f.has_default()):
            return ""
        if f.has_default():
            return f.get_default()
        raise ValueError("不能为空")
    if isinstance(f, models.BooleanField):
        if not isinstance(value, bool):
            raise ValueError(f"应为 true 或 false，而不是 {value!r}")
        return value
    if isinstance(f, models.DecimalField):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"不是数字：{value!r}") from None
        if not number.is_finite():
            raise ValueError(f"不是数字：{value!r}")
        return number.quantize(Decimal(1).scaleb(-f.decimal_places))
    if isinstance(f, models.IntegerField):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"应为整数，而不是 {value!r}")
        return value
    if isinstance(f, models.DateTimeField):
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None or parsed.tzinfo is None:
            raise ValueError(
                f"应为带时区的 ISO 8601 时间，例如 2025-01-01T00:00:00+08:00：{value!r}"
            )
        return parsed
    if isinstance(f, models.JSONField):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"应为字符串列表：{value!r}")
        return list(value)
    if isinstance(f, (models.CharField, models.TextField)):
        if not isinstance(value, str):
            raise ValueError(f"应为文本：{value!r}")
        return value
    return value


@dataclass
class _File:
    title: str
    file_name: str
    content: bytes


def _load_file(value):
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("附件应为含 title、file_name、content 的对象")
    title, name, content = value.get("title"), value.get("file_name"), value.get("content")
    if not title or not isinstance(title, str):
        raise ValueError("附件缺少标题（title）")
    if not name or not isinstance(name, str) or "/" in name or "\\" in name:
        raise ValueError(f"附件“{title}”的文件名无效：{name!r}")
    try:
        data = base64.b64decode(content or "", validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise ValueError(f"附件“{title}”的内容不是有效的 Base64") from None
    return _File(title=title, file_name=name, content=data)


# --- import --------------------------------------------------------------------------------


def _messages(exc, prefix=""):
    if hasattr(exc, "error_dict"):
        out = []
        for name, errors in exc.error_dict.items():
            label = name
            for error in errors:
                out.append(f"{prefix}{label}：{' '.join(error.messages)}")
        return out
    return [f"{prefix}{message}" for message in exc.messages]


def _clean(obj, *, exclude=(), prefix="", labels=None, messages):
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                label = (labels or {}).get(name) or (
                    _label(type(obj), name) if name != "__all__" else ""
                )
                for error in errors:
                    text = " ".join(error.messages)
                    messages.append(f"{prefix}{label}：{text}" if label else f"{prefix}{text}")
        else:
            messages.extend(f"{prefix}{m}" for m in exc.messages)


class _Importer:
    def __init__(self, *, actor, create_departments, result):
        self.actor = actor
        self.create_departments = create_departments
        self.result = result
        self.Document = get_document_model()
        # What the guide being imported created: merged into the result when its
        # transaction commits, forgotten (and new files deleted) when it rolls back.
        self.pending = Counter()
        self.new_files = []

    # files --------------------------------------------------------------------------------

    def document(self, file):
        """An existing document with the same title and content (preferably the same file
        name), or a new one."""
        if file is None:
            return None
        digest = hashlib.sha1(file.content).hexdigest()
        # Documents uploaded in code may not have their hash yet: Wagtail computes it then.
        candidates = [
            candidate
            for candidate in self.Document.objects.filter(title=file.title)
            .filter(models.Q(file_hash=digest) | models.Q(file_hash=""))
            .order_by("pk")
            if candidate.get_file_hash() == digest
        ]
        for candidate in candidates:
            if candidate.filename == file.file_name:
                return candidate
        if candidates:
            return candidates[0]
        document = self.Document(title=file.title, file_hash=digest, file_size=len(file.content))
        document.file.save(file.file_name, ContentFile(file.content), save=False)
        document.save()
        self.pending["documents_created"] += 1
        self.new_files.append(document.file.name)
        return document

    # one guide ----------------------------------------------------------------------------

    def guide(self, guide):
        """Validate and write one guide (inside the caller's transaction); returns
        "created", "updated" or "unchanged" and the deferred replaced_by code. Raises
        ``GuideError`` with every problem found."""
        if not isinstance(guide, dict):
            raise GuideError(["应为对象（办事指南）"])
        errors = list(guide.get("_errors") or [])
        if guide.get("_orphan"):
            raise GuideError(errors)
        code = guide.get("code")
        if not isinstance(code, str) or not code.strip():
            raise GuideError(["缺少实施编码"])
        code = code.strip()

        item = self.catalog_item(guide.get("catalog_item"), errors)
        region = self.region(guide.get("region"), errors)
        department = self.department(guide.get("department"), region, errors)
        if errors:
            raise GuideError(errors)

        existing = Implementation.objects.filter(code=code).first()
        before = guide_content(existing) if existing is not None and existing.live else None
        implementation = existing or Implementation(code=code, live=False)
        implementation.catalog_item = item
        implementation.region = region
        implementation.department = department

        files = {}
        for name in GUIDE_FIELDS:
            try:
                if _is_document(Implementation._meta.get_field(name)):
                    files[name] = _load_file(guide.get(name))
                else:
                    setattr(implementation, name, _load(Implementation, name, guide.get(name)))
            except ValueError as exc:
                errors.append(f"{_label(Implementation, name)}：{exc}")

        variant_of = guide.get("variant_of")
        implementation.variant_of = None
        if variant_of:
            target = Implementation.objects.filter(code=variant_of).first()
            if target is None:
                errors.append(f"所属事项（主项）{variant_of} 不存在")
            else:
                implementation.variant_of = target

        theme_codes = guide.get("themes") or []
        themes = list(Theme.objects.filter(code__in=theme_codes)) if theme_codes else []
        missing = sorted(set(theme_codes) - {t.code for t in themes})
        if missing:
            errors.append("主题不存在：" + "、".join(map(str, missing)))

        lifecycle = self.lifecycle(guide, code, errors)
        if existing is not None and existing.status == ImplementationStatus.CANCELLED:
            if lifecycle["status"] != ImplementationStatus.CANCELLED:
                errors.append("事项在本系统中已取消，不能通过导入恢复")

        children = self.children(guide, errors)
        _clean(
            implementation,
            exclude=["themes", "flow_chart", "result_sample", *LIFECYCLE_FIELDS],
            messages=errors,
        )
        if errors:
            raise GuideError(errors)

        for name, file in files.items():
            setattr(implementation, name, self.document(file))
        for list_name, rows in children.items():
            for child, child_files in rows:
                for name, file in child_files.items():
                    setattr(child, name, self.document(file))
            setattr(implementation, list_name, [child for child, _ in rows])
        implementation.themes = themes

        outcome = "unchanged"
        if before is None or guide_content(implementation) != before:
            if existing is None:
                implementation.save()
            revision = implementation.save_revision(user=self.actor)
            revision.publish(user=self.actor)
            outcome = "created" if existing is None else "updated"
        implementation = Implementation.objects.get(pk=implementation.pk)
        if self.apply_lifecycle(implementation, lifecycle):
            self.pending["lifecycle_changed"] += 1
        return outcome, lifecycle["replaced_by"]

    def catalog_item(self, data, errors):
        if not isinstance(data, dict) or not data.get("code"):
            errors.append("缺少基本目录事项（catalog_item.code）")
            return None
        item = CatalogItem.objects.filter(code=data["code"]).first()
        new = item is None
        item = item or CatalogItem(code=data["code"])
        before = {name: getattr(item, name) for name in CATALOG_ITEM_FIELDS}
        count = len(errors)
        for name in CATALOG_ITEM_FIELDS[1:]:
            try:
                setattr(item, name, _load(CatalogItem, name, data.get(name)))
            except ValueError as exc:
                errors.append(f"基本目录{_label(CatalogItem, name)}：{exc}")
        _clean(item, prefix="基本目录", exclude=["code"] if not new else [], messages=errors)
        if len(errors) > count:
            return None
        if new:
            item.save()
            self.pending["catalog_items_created"] += 1
        elif before != {name: getattr(item, name) for name in CATALOG_ITEM_FIELDS}:
            item.save()
            self.pending["catalog_items_updated"] += 1
        return item

    def region(self, code, errors):
        region = Region.objects.filter(code=code).first() if isinstance(code, str) else None
        if region is None:
            errors.append(f"实施区划 {code} 不存在（请先运行 import_divisions 导入行政区划）")
        return region

    def department(self, data, region, errors):
        if not isinstance(data, dict) or not data.get("name"):
            errors.append("缺少实施主体名称")
            return None
        if region is None:
            return None
        name, uscc = data["name"], normalize_uscc(data.get("uscc") or "")
        department = Department.objects.filter(region=region, name=name).first()
        if department is not None:
            if uscc and department.uscc and uscc != department.uscc:
                errors.append(
                    f"实施主体“{name}”的统一社会信用代码（{uscc}）"
                    f"与本系统中的（{department.uscc}）不一致"
                )
            return department
        if not self.create_departments:
            errors.append(
                f"实施主体“{name}”在{region.name}不存在（需要创建时使用 --create-departments）"
            )
            return None
        department = Department(region=region, name=name, uscc=uscc)
        count = len(errors)
        _clean(department, prefix=f"实施主体“{name}”", messages=errors)
        if len(errors) > count:
            return None
        department.save()
        self.pending["departments_created"] += 1
        return department

    def lifecycle(self, guide, code, errors):
        values = {}
        status = guide.get("status") or ImplementationStatus.IN_FORCE
        if status not in ImplementationStatus.values:
            errors.append(f"状态：不是有效的选项：{status!r}")
            status = ImplementationStatus.IN_FORCE
        values["status"] = status
        try:
            values["status_effective_at"] = _load(
                Implementation, "status_effective_at", guide.get("status_effective_at")
            )
        except ValueError as exc:
            errors.append(f"状态生效时间：{exc}")
            values["status_effective_at"] = None
        values["status_reason"] = guide.get("status_reason") or ""
        values["replaced_by"] = guide.get("replaced_by") or None
        if status != ImplementationStatus.IN_FORCE:
            if values["status_effective_at"] is None:
                errors.append("暂停或取消的事项必须有状态生效时间")
            if not values["status_reason"].strip():
                errors.append("暂停或取消的事项必须有原因")
        elif values["replaced_by"]:
            errors.append("在用的事项不能有替代事项")
        if values["replaced_by"] == code:
            errors.append("替代事项不能是事项本身")
        return values

    def apply_lifecycle(self, implementation, values):
        """Set the lifecycle as the file states it (a restore from another system, not an
        editorial suspension: the run's ``catalog.imported`` audit row records it). A
        replacement link is set in a second pass, once every guide of the file exists."""
        wanted = {
            "status": values["status"],
            "status_effective_at": values["status_effective_at"],
            "status_reason": values["status_reason"],
        }
        if values["replaced_by"] is None:
            wanted["replaced_by"] = None
        if all(getattr(implementation, name) == value for name, value in wanted.items()):
            return False
        Implementation.objects.filter(pk=implementation.pk).update(**wanted)
        return True

    def children(self, guide, errors):
        out = {}
        for list_name, (model, fields, sheet) in CHILD_LISTS.items():
            rows = guide.get(list_name) or []
            if not isinstance(rows, list):
                errors.append(f"{sheet}：应为列表")
                continue
            built = []
            for index, row in enumerate(rows, start=1):
                where = _where_text(row.get("_where")) if isinstance(row, dict) else ""
                prefix = f"{sheet}第 {index} 条" + (f"（{where}）" if where else "") + "："
                if not isinstance(row, dict):
                    errors.append(prefix + "应为对象")
                    continue
                child = model(sort_order=index - 1)
                child_files = {}
                for name in fields:
                    try:
                        if _is_document(model._meta.get_field(name)):
                            child_files[name] = _load_file(row.get(name))
                        else:
                            setattr(child, name, _load(model, name, row.get(name)))
                    except ValueError as exc:
                        errors.append(f"{prefix}{_label(model, name)}：{exc}")
                document_fields = [n for n in fields if _is_document(model._meta.get_field(n))]
                _clean(
                    child,
                    exclude=["implementation", "sort_order", *document_fields],
                    prefix=prefix,
                    messages=errors,
                )
                built.append((child, child_files))
            out[list_name] = built
        return out


def _where_text(where):
    if not where:
        return ""
    if isinstance(where, dict) and "sheet" in where:
        return f"工作表“{where['sheet']}”第 {where['row']} 行"
    return str(where)


def _import_order(guides):
    """Guides whose main item (``variant_of``) is in the file come after it."""
    by_code = {g.get("code"): g for g in guides if isinstance(g, dict)}
    placed, ordered = set(), []

    def place(guide, depth=0):
        if id(guide) in placed:
            return
        if isinstance(guide, dict) and depth < 10:
            main = by_code.get(guide.get("variant_of"))
            if main is not None and main is not guide:
                place(main, depth + 1)
        placed.add(id(guide))
        ordered.append(guide)

    for guide in guides:
        place(guide)
    return ordered


def import_guides(guides, *, actor=None, create_departments=False, source="", request=None):
    """Create or update the implementations of ``guides`` (canonical dicts, as
    ``load_json`` or ``workbook_to_guides`` return them), one transaction per guide, then
    link replacements and write one ``catalog.imported`` audit row. Returns an
    ``ImportResult`` with per-guide Chinese errors; never raises for a bad guide. A guide
    carrying reading errors (``_errors``, from a workbook) fails with them."""
    result = ImportResult()
    importer = _Importer(actor=actor, create_departments=create_departments, result=result)
    positions = {id(g): i for i, g in enumerate(guides, start=1)}
    links = []
    with translation.override("zh-hans"):
        for guide in _import_order(guides):
            where = _guide_where(guide, positions[id(guide)])
            importer.pending.clear()
            importer.new_files.clear()
            try:
                with transaction.atomic():
                    outcome, replaced_by = importer.guide(guide)
            except (GuideError, ValidationError) as exc:
                messages = exc.messages if isinstance(exc, GuideError) else _messages(exc)
                result.failed += 1
                result.errors.extend((where, message) for message in messages)
                for name in importer.new_files:
                    importer.Document.file.field.storage.delete(name)
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
            for key, count in importer.pending.items():
                setattr(result, key, getattr(result, key) + count)
            if replaced_by:
                links.append((guide["code"].strip(), replaced_by, where))
        for code, replaced_by, where in links:
            target = Implementation.objects.filter(code=replaced_by).first()
            if target is None:
                result.errors.append((where, f"替代事项 {replaced_by} 不存在，未能关联"))
                continue
            Implementation.objects.filter(code=code).exclude(replaced_by=target).update(
                replaced_by=target
            )
    with transaction.atomic():
        record(
            action=events.CATALOG_IMPORTED,
            actor=actor,
            request=request,
            detail={
                "source": source,
                "format": FORMAT,
                "guides": len(guides),
                **result.summary(),
                "errors": len(result.errors),
            },
        )
    return result


def _guide_where(guide, position):
    code = guide.get("code") if isinstance(guide, dict) else None
    text = f"第 {position} 条"
    where = _where_text(guide.get("_where")) if isinstance(guide, dict) else ""
    if where:
        text = where
    return f"{text}（{code}）" if code else text


# --- Excel ---------------------------------------------------------------------------------

SHEET_INFO = "说明"
SHEET_GUIDES = "事项"
SHEET_FILES = "附件"
KEY = "实施编码"
POSITION = "序号"
FILE_SUFFIX = "（附件编号）"
FILE_HEADERS = ("附件编号", "标题", "文件名", "分片序号", "内容（Base64）")

# The 事项 sheet: (header, path in the canonical dict, model and field for conversion).
_GUIDE_COLUMNS = [
    ("基本编码", ("catalog_item", "code"), CatalogItem, "code"),
    ("基本目录事项名称", ("catalog_item", "name"), CatalogItem, "name"),
    ("事项类型", ("catalog_item", "item_type"), CatalogItem, "item_type"),
    ("主管部门", ("catalog_item", "competent_department"), CatalogItem, "competent_department"),
    ("基本目录设定依据", ("catalog_item", "legal_basis"), CatalogItem, "legal_basis"),
    ("行使层级", ("catalog_item", "exercise_levels"), CatalogItem, "exercise_levels"),
    ("基本目录事项说明", ("catalog_item", "description"), CatalogItem, "description"),
    ("实施区划代码", ("region",), None, None),
    ("实施主体名称", ("department", "name"), None, None),
    ("实施主体统一社会信用代码", ("department", "uscc"), None, None),
    ("所属事项实施编码", ("variant_of",), None, None),
    ("主题代码", ("themes",), None, None),
]
for _name in GUIDE_FIELDS:
    _f = Implementation._meta.get_field(_name)
    _header = str(_f.verbose_name) + (FILE_SUFFIX if _is_document(_f) else "")
    _GUIDE_COLUMNS.append((_header, (_name,), Implementation, _name))
_GUIDE_COLUMNS += [
    ("状态", ("status",), Implementation, "status"),
    ("状态生效时间", ("status_effective_at",), Implementation, "status_effective_at"),
    ("暂停或取消原因", ("status_reason",), Implementation, "status_reason"),
    ("替代事项实施编码", ("replaced_by",), None, None),
]


def _child_headers(model, fields):
    headers = []
    for name in fields:
        f = model._meta.get_field(name)
        headers.append(str(f.verbose_name) + (FILE_SUFFIX if _is_document(f) else ""))
    return headers


class _Files:
    """The 附件 sheet while writing: one number per distinct file, in order of use."""

    def __init__(self):
        self.keys = {}
        self.rows = []

    def key(self, file):
        if file is None:
            return None
        identity = (file["title"], file["file_name"], file["content"])
        if identity not in self.keys:
            key = f"F{len(self.keys) + 1}"
            self.keys[identity] = key
            content = file["content"]
            chunks = [content[i : i + FILE_CHUNK] for i in range(0, len(content), FILE_CHUNK)]
            for index, chunk in enumerate(chunks or [""], start=1):
                self.rows.append([key, file["title"], file["file_name"], index, chunk])
        return self.keys[identity]


def _to_cell(model, name, value):
    """A canonical JSON value as an Excel cell value (choice labels, 是/否...)."""
    if value is None:
        return None
    f = model._meta.get_field(name)
    if isinstance(f, models.JSONField):
        labels = dict(DeliveryMethod.choices)
        return "、".join(str(labels.get(v, v)) for v in value) or None
    if f.choices:
        return str(dict(f.flatchoices).get(value, value)) if value != "" else None
    if isinstance(f, models.BooleanField):
        return "是" if value else "否"
    if value == "":
        return None
    return value


def _from_cell(model, name, value):
    """An Excel cell value as the canonical JSON value; raises ``ValueError``."""
    f = model._meta.get_field(name)
    if isinstance(value, str):
        value = value.strip() if not isinstance(f, models.TextField) else value
    if value is None or value == "":
        if isinstance(f, models.JSONField):
            return []
        if isinstance(f, (models.CharField, models.TextField)) and not f.null:
            return ""
        return None
    if isinstance(f, models.JSONField):
        by_label = {str(label): v for v, label in DeliveryMethod.choices}
        out = []
        for part in re.split(r"[、,，]", str(value)):
            part = part.strip()
            if part:
                if part not in by_label and part not in DeliveryMethod.values:
                    raise ValueError(f"未知的送达方式：{part}")
                out.append(by_label.get(part, part))
        return out
    if f.choices:
        choices = list(f.flatchoices)
        for choice, label in choices:
            if str(value) == str(label) or str(value) == str(choice):
                return choice
        allowed = "、".join(str(label) for choice, label in choices if choice != "")
        raise ValueError(f"不是有效的选项：{value}（可选：{allowed}）")
    if isinstance(f, models.BooleanField):
        if value in (True, "是", "true", "TRUE", 1):
            return True
        if value in (False, "否", "false", "FALSE", 0):
            return False
        raise ValueError(f"应填“是”或“否”：{value}")
    if isinstance(f, models.DecimalField):
        return str(value)
    if isinstance(f, models.IntegerField):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
        raise ValueError(f"应为整数：{value}")
    if isinstance(f, models.DateTimeField):
        if isinstance(value, datetime):
            raise ValueError("时间请按文本填写，例如 2025-01-01T00:00:00+08:00")
        return str(value)
    return str(value) if not isinstance(value, str) else value


def _write_row(sheet, values):
    sheet.append(values)
    # A text that starts with "=" must stay text, never become a formula.
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _path_get(data, path):
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def guides_to_workbook(document):
    """An openpyxl workbook of a canonical JSON document."""
    from openpyxl import Workbook

    workbook = Workbook()
    info = workbook.active
    info.title = SHEET_INFO
    for row in (
        ("格式", FORMAT),
        ("格式版本", FORMAT_VERSION),
        ("说明", "每个工作表以“实施编码”关联；附件以 Base64 分片存放在“附件”工作表。"),
    ):
        _write_row(info, list(row))
    files = _Files()
    guides_sheet = workbook.create_sheet(SHEET_GUIDES)
    _write_row(guides_sheet, [KEY] + [header for header, *_ in _GUIDE_COLUMNS])
    child_sheets = {}
    for list_name, (model, fields, sheet_name) in CHILD_LISTS.items():
        sheet = workbook.create_sheet(sheet_name)
        _write_row(sheet, [KEY, POSITION, *_child_headers(model, fields)])
        child_sheets[list_name] = sheet
    for guide in document["guides"]:
        row = [guide["code"]]
        for _header, path, model, name in _GUIDE_COLUMNS:
            value = _path_get(guide, path)
            if name is not None and _is_document(model._meta.get_field(name)):
                row.append(files.key(value))
            elif path == ("themes",):
                row.append("，".join(value) or None)
            elif model is None:
                row.append(value or None)
            else:
                row.append(_to_cell(model, name, value))
        _write_row(guides_sheet, row)
        for list_name, (model, fields, _sheet_name) in CHILD_LISTS.items():
            for position, child in enumerate(guide[list_name], start=1):
                cells = [guide["code"], position]
                for name in fields:
                    if _is_document(model._meta.get_field(name)):
                        cells.append(files.key(child[name]))
                    else:
                        cells.append(_to_cell(model, name, child[name]))
                _write_row(child_sheets[list_name], cells)
    files_sheet = workbook.create_sheet(SHEET_FILES)
    _write_row(files_sheet, list(FILE_HEADERS))
    for row in files.rows:
        _write_row(files_sheet, row)
    return workbook


def export_xlsx(queryset=None):
    buffer = io.BytesIO()
    guides_to_workbook(export_guides(queryset)).save(buffer)
    return buffer.getvalue()


def workbook_rows(workbook):
    """Every sheet's rows as lists of values (how the round-trip test compares)."""
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def _sheet_dicts(workbook, title, required):
    if title not in workbook.sheetnames:
        raise ExchangeError(f"工作簿缺少工作表“{title}”。")
    rows = workbook[title].iter_rows(values_only=True)
    header = next(rows, None) or ()
    header = [str(h).strip() if h is not None else "" for h in header]
    missing = [h for h in required if h not in header]
    if missing:
        raise ExchangeError(f"工作表“{title}”缺少列：" + "、".join(missing))
    out = []
    for number, row in enumerate(rows, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        out.append((number, dict(zip(header, row, strict=False))))
    return out


def workbook_to_guides(data):
    """The canonical guide dicts of an Excel workbook (``bytes`` or a file object), with
    ``_where`` (sheet and row) for error messages. Cell problems become errors of their
    guide: each is put in the guide as ``_errors`` and reported by the import."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ExchangeError(f"无法读取 Excel 文件：{exc}") from exc
    if SHEET_INFO in workbook.sheetnames:
        info = {row[0]: row[1] for row in workbook[SHEET_INFO].iter_rows(values_only=True) if row}
        version = info.get("格式版本")
        if info.get("格式") != FORMAT:
            raise ExchangeError("不是本系统导出的办事指南工作簿（“说明”工作表中的格式不符）。")
        if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
            raise ExchangeError(f"不支持的格式版本：{version!r}。")

    files = _read_files(workbook)
    guides, by_code = [], {}
    headers = [header for header, *_ in _GUIDE_COLUMNS]
    for number, row in _sheet_dicts(workbook, SHEET_GUIDES, [KEY, *headers]):
        where = {"sheet": SHEET_GUIDES, "row": number}
        code = str(row.get(KEY) or "").strip()
        guide = {"code": code, "_where": where, "catalog_item": {}, "department": {}}
        errors = []
        for header, path, model, name in _GUIDE_COLUMNS:
            value = row.get(header)
            try:
                if name is not None and _is_document(model._meta.get_field(name)):
                    converted = _file_ref(files, value)
                elif path == ("themes",):
                    converted = [c for c in re.split(r"[,，、\s]+", str(value or "")) if c]
                elif model is None:
                    converted = str(value).strip() if value not in (None, "") else None
                    if path[-1] == "uscc":
                        converted = converted or ""
                else:
                    converted = _from_cell(model, name, value)
            except ValueError as exc:
                errors.append(f"{header}：{exc}")
                continue
            target = guide
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = converted
        for list_name in CHILD_LISTS:
            guide[list_name] = []
        guide["_errors"] = errors
        if code in by_code:
            errors.append(f"实施编码重复（与第 {by_code[code]['_where']['row']} 行相同）")
        else:
            by_code[code] = guide
        guides.append(guide)

    for list_name, (model, fields, sheet_name) in CHILD_LISTS.items():
        headers = _child_headers(model, fields)
        rows = _sheet_dicts(workbook, sheet_name, [KEY, POSITION, *headers])
        rows.sort(key=lambda item: (_position(item[1].get(POSITION)), item[0]))
        for number, row in rows:
            where = {"sheet": sheet_name, "row": number}
            code = str(row.get(KEY) or "").strip()
            guide = by_code.get(code)
            if guide is None:
                guides.append(
                    {
                        "code": code,
                        "_where": where,
                        "_errors": [f"实施编码 {code} 不在“{SHEET_GUIDES}”工作表中"],
                        "_orphan": True,
                    }
                )
                continue
            child = {"_where": where}
            for header, name in zip(headers, fields, strict=True):
                value = row.get(header)
                try:
                    if _is_document(model._meta.get_field(name)):
                        child[name] = _file_ref(files, value)
                    else:
                        child[name] = _from_cell(model, name, value)
                except ValueError as exc:
                    guide["_errors"].append(f"{_where_text(where)}：{header}：{exc}")
            guide[list_name].append(child)
    return guides


def _position(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _read_files(workbook):
    if SHEET_FILES not in workbook.sheetnames:
        return {}
    chunks = {}
    for _number, row in _sheet_dicts(workbook, SHEET_FILES, list(FILE_HEADERS)):
        key = str(row["附件编号"]).strip()
        entry = chunks.setdefault(
            key, {"title": row["标题"], "file_name": row["文件名"], "parts": []}
        )
        entry["parts"].append((_position(row["分片序号"]), row["内容（Base64）"] or ""))
    return {
        key: {
            "title": entry["title"],
            "file_name": entry["file_name"],
            "content": "".join(part for _index, part in sorted(entry["parts"])),
        }
        for key, entry in chunks.items()
    }


def _file_ref(files, value):
    if value in (None, ""):
        return None
    key = str(value).strip()
    if key not in files:
        raise ValueError(f"附件编号 {key} 不在“{SHEET_FILES}”工作表中")
    return files[key]


# --- entry points --------------------------------------------------------------------------


def import_file(path, *, actor=None, create_departments=False, request=None):
    """Import our own JSON (``.json``) or Excel (``.xlsx``) file; raises ``ExchangeError``
    when the file as a whole cannot be read."""
    name = str(path)
    with open(path, "rb") as handle:
        data = handle.read()
    guides = workbook_to_guides(data) if name.lower().endswith(".xlsx") else load_json(data)
    return import_guides(
        guides, actor=actor, create_departments=create_departments, source=name, request=request
    )
