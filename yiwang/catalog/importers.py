"""Import of the 四川政务服务网 (sczwfw.gov.cn) listing of a county's service items.

The listing (``bszl.json``, or the flat ``service_items_flat.csv`` derived from it) gives, per
department of the county, each item's name and its link, whose query string carries the
implementation code (``itemCode``), the national item type (``taskType``), the listing's
department code (``deptCode``) and the region (``areaCode``). Names and codes only: no guide.

Derivation rules (docs/catalog-import-export.md explains them with the data):

- Region: ``areaCode``; it and its parents must exist (``import_divisions``).
- Department: one per department name of the source in the region. ``deptCode`` varies for
  one department (区人社局 appears as ``1151130108778239R`` and with suffixes ``_5143``,
  ``_6391``...; 区交通运输局 as ``11511301008778386B`` and ``11736``), and the body segment
  of the codes names sub-units too (the social insurance centres of 区人社局), so neither
  identifies a department. Its ``uscc`` is stored only when it validates as a credit code and
  is the department's own: a ``deptCode`` that is a credit code; else the credit code among
  the body segments that embeds the ``deptCode`` as organization code (the old 9-character
  code is characters 9–17 of the credit code); else the one body segment all its items
  share.
- Base catalog item: the catalog segment of the code, with ``taskType`` as ``item_type``.
  A code without the national structure (``E-000004-001-11511301008778386B``) is imported
  anyway: its catalog code is the code without its last segment, and it is reported.
- Implementation: published at once, with the source's name, as the county's real list; its
  guide is incomplete (the completeness report shows what is missing).

New implementations are written in bulk (one INSERT per 500 rows for items, implementations
and their first revisions), which is what makes 1,135 items take about a second instead of
about a minute through one Wagtail publish each. A revision is still written for every one,
so the admin's history and comparison work from the start. An existing code whose name,
item or department changed gets a new published revision, as any other change would.
Re-running the import writes nothing.
"""

import csv
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc
from tqdm import tqdm
from wagtail.models import Revision

from yiwang.core.audit import record
from yiwang.orgs.models import Department, Region, RegionLevel

from . import events
from .constants import ItemType
from .models import (
    CatalogItem,
    Implementation,
    parse_implementation_code,
    validate_catalog_code,
)

SOURCE_FORMAT = "sczwfw"
BATCH = 500


class SczwfwImportError(Exception):
    """The source cannot be imported at all (unreadable, or its region is missing)."""


@dataclass
class SourceItem:
    department: str
    main_item: str
    name: str
    code: str
    task_type: str
    dept_code: str
    area_code: str
    where: str


@dataclass
class SczwfwResult:
    items: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    departments_created: int = 0
    departments: int = 0
    catalog_items_created: int = 0
    per_type: Counter = field(default_factory=Counter)
    warnings: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    seconds: float = 0.0


# --- reading -------------------------------------------------------------------------------


def is_sczwfw_json(data):
    """Whether parsed JSON is the listing (a list of departments with items)."""
    return (
        isinstance(data, list)
        and bool(data)
        and isinstance(data[0], dict)
        and "department" in data[0]
        and "items" in data[0]
    )


def read_source(path):
    """The items of a listing: a ``bszl.json``, a ``service_items_flat.csv`` or a directory
    holding either (the JSON preferred)."""
    path = Path(path)
    if path.is_dir():
        for name in ("bszl.json", "service_items_flat.csv"):
            if (path / name).exists():
                return read_source(path / name)
        raise SczwfwImportError(f"目录 {path} 中没有 bszl.json 或 service_items_flat.csv。")
    if not path.exists():
        raise SczwfwImportError(f"文件不存在：{path}")
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SczwfwImportError(f"无法读取 {path}：{exc}") from exc
    if not is_sczwfw_json(data):
        raise SczwfwImportError(f"{path} 不是四川政务服务网的事项列表（bszl.json）格式。")
    return _read_bszl(data, path.name)


def _read_bszl(data, name):
    items = []
    for department in data:
        department_name = (department.get("department") or "").strip()
        number = 0
        for group in department.get("items") or []:
            for sub in group.get("sub_items") or []:
                number += 1
                query = parse_qs(urlsplit(sub.get("link") or "").query)

                def arg(key, query=query):
                    return (query.get(key) or [""])[0].strip()

                items.append(
                    SourceItem(
                        department=department_name,
                        main_item=(group.get("main_item") or "").strip(),
                        name=(sub.get("name") or "").strip(),
                        code=arg("itemCode"),
                        task_type=arg("taskType"),
                        dept_code=arg("deptCode"),
                        area_code=arg("areaCode"),
                        where=f"{name}“{department_name}”第 {number} 项",
                    )
                )
    return items


def _read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        needed = {"department", "name", "item_code", "task_type", "dept_code", "area_code"}
        if not needed <= set(reader.fieldnames or ()):
            raise SczwfwImportError(f"{path} 缺少列：" + "、".join(sorted(needed)))
        return [
            SourceItem(
                department=(row["department"] or "").strip(),
                main_item=(row.get("main_item") or "").strip(),
                name=(row["name"] or "").strip(),
                code=(row["item_code"] or "").strip(),
                task_type=(row["task_type"] or "").strip(),
                dept_code=(row["dept_code"] or "").strip(),
                area_code=(row["area_code"] or "").strip(),
                where=f"{path.name} 第 {line} 行",
            )
            for line, row in enumerate(reader, start=2)
        ]


# --- derivation ----------------------------------------------------------------------------


def catalog_code_of(code):
    """The base catalog code of an implementation code, and whether the code has the
    national structure."""
    parts = parse_implementation_code(code)
    if parts:
        return parts["catalog"], True
    head, _sep, _body = code.rpartition("-")
    return (head or code), False


def _valid_uscc(value):
    return bool(value) and stdnum_uscc.is_valid(value)


def _compact(code):
    """A listing code without its ``_NNNN`` suffix, hyphens and case."""
    return code.split("_")[0].replace("-", "").upper()


def derive_uscc(dept_codes, body_codes):
    """The department's own credit code from its listing codes and its items' body
    segments, or "" when the data does not establish one (rules in the module docstring)."""
    dept = sorted({_compact(c) for c in dept_codes if c})
    bodies = Counter(_compact(c) for c in body_codes if c)
    for code in dept:
        if _valid_uscc(code):
            return code
    for code in dept:
        if len(code) == 9:
            matches = sorted(b for b in bodies if _valid_uscc(b) and b[8:17] == code)
            if matches:
                return matches[0]
    if len(bodies) == 1:
        (only,) = bodies
        if _valid_uscc(only):
            return only
    return ""


# --- import --------------------------------------------------------------------------------


def _check_regions(items):
    codes = sorted({item.area_code for item in items})
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in regions]
    for code in codes:
        region = regions.get(code)
        while region is not None and region.level != RegionLevel.PROVINCE:
            region = region.parent
            if region is None:
                missing.append(f"{code} 的上级区划")
    if missing:
        raise SczwfwImportError(
            "行政区划不存在：" + "、".join(missing) + "。请先运行 import_divisions 导入行政区划"
            "（省、市、县各级，例如 51 四川省、5116 广安市、511602 广安区）。"
        )
    return regions


def import_sczwfw(items, *, actor=None, source="", progress=False, request=None):
    """Import the listing's ``items`` as published implementations (idempotent). Raises
    ``SczwfwImportError`` when a region is missing; bad rows are skipped and reported."""
    started = time.perf_counter()
    result = SczwfwResult(items=len(items))
    regions = _check_regions(items)
    rows = _valid_rows(items, result)

    departments = _departments(rows, regions, result)
    result.departments = len(departments)
    catalog = _catalog_items(rows, result)

    existing = {i.code: i for i in Implementation.objects.filter(code__in=[r.code for r in rows])}
    new = []
    bar = tqdm(rows, desc="实施清单", unit="项", file=sys.stderr, disable=not progress, leave=False)
    for row in bar:
        item = catalog[row.catalog_code]
        department = departments[(row.area_code, row.department)]
        region = regions[row.area_code]
        result.per_type[item.item_type] += 1
        current = existing.get(row.code)
        if current is None:
            new.append(
                Implementation(
                    catalog_item=item,
                    code=row.code,
                    name=row.name,
                    region=region,
                    department=department,
                )
            )
        elif (
            current.name == row.name
            and current.catalog_item_id == item.pk
            and current.department_id == department.pk
            and current.region_id == region.pk
            and current.live
        ):
            result.unchanged += 1
        else:
            _publish_change(current, row, item, region, department, actor)
            result.updated += 1
    _create_published(new, actor=actor, progress=progress)
    result.created = len(new)
    result.seconds = time.perf_counter() - started
    with transaction.atomic():
        record(
            action=events.CATALOG_IMPORTED,
            actor=actor,
            request=request,
            detail={
                "source": source,
                "format": SOURCE_FORMAT,
                "items": result.items,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
                "departments_created": result.departments_created,
                "catalog_items_created": result.catalog_items_created,
                "per_type": {str(k): v for k, v in sorted(result.per_type.items())},
                "warnings": len(result.warnings),
            },
        )
    return result


@dataclass
class _Row:
    source: SourceItem
    catalog_code: str
    item_type: int

    def __getattr__(self, name):
        return getattr(self.source, name)


def _valid_rows(items, result):
    rows, seen = [], {}
    for item in items:
        problems = []
        if not item.name:
            problems.append("缺少事项名称")
        elif len(item.name) > 200:
            problems.append("事项名称超过 200 字")
        if not item.department:
            problems.append("缺少部门名称")
        try:
            item_type = ItemType(int(item.task_type))
        except ValueError:
            problems.append(f"事项类型（taskType）不是国家事项类型代码：{item.task_type!r}")
            item_type = None
        if not item.code or len(item.code) > 120:
            problems.append(f"实施编码缺失或过长：{item.code!r}")
        catalog_code, national = catalog_code_of(item.code)
        try:
            validate_catalog_code(catalog_code)
        except ValidationError:
            problems.append(f"无法从实施编码得出基本编码：{item.code!r}")
        if item.code in seen:
            problems.append(f"实施编码与{seen[item.code]}重复")
        if problems:
            result.skipped += 1
            result.errors.append((item.where, "；".join(problems)))
            continue
        seen[item.code] = item.where
        if not national:
            result.warnings.append(
                f"{item.where}：实施编码 {item.code} 不符合国家编码结构，已按原样导入"
                f"（基本编码取 {catalog_code}，区划取 areaCode {item.area_code}，"
                f"实施主体取来源部门“{item.department}”）"
            )
        else:
            parts = parse_implementation_code(item.code)
            if parts["region"] != item.area_code:
                result.warnings.append(
                    f"{item.where}：实施编码 {item.code} 中的区划代码 {parts['region']} "
                    f"与来源区划 {item.area_code} 不一致，按来源区划导入"
                )
        rows.append(_Row(source=item, catalog_code=catalog_code, item_type=int(item_type)))
    return rows


def _departments(rows, regions, result):
    dept_codes, body_codes = defaultdict(set), defaultdict(list)
    for row in rows:
        key = (row.area_code, row.department)
        dept_codes[key].add(row.dept_code)
        parts = parse_implementation_code(row.code)
        if parts:
            body_codes[key].append(parts["body"])
    taken = dict(Department.objects.exclude(uscc="").values_list("uscc", "pk"))
    found = {}
    for key in sorted(dept_codes):
        area, name = key
        region = regions[area]
        uscc = derive_uscc(dept_codes[key], body_codes[key])
        department = Department.objects.filter(region=region, name=name).first()
        if department is not None:
            if uscc and department.uscc and department.uscc != uscc:
                result.warnings.append(
                    f"部门“{name}”已有统一社会信用代码 {department.uscc}，"
                    f"与由来源得出的 {uscc} 不同，保留原值"
                )
            elif uscc and not department.uscc and uscc not in taken:
                department.uscc = uscc
                department.save(update_fields=["uscc"])
                taken[uscc] = department.pk
            found[key] = department
            continue
        if uscc and uscc in taken:
            result.warnings.append(
                f"部门“{name}”由来源得出的统一社会信用代码 {uscc} 已被其他部门使用，未保存"
            )
            uscc = ""
        department = Department.objects.create(region=region, name=name, uscc=uscc)
        if uscc:
            taken[uscc] = department.pk
        result.departments_created += 1
        found[key] = department
    return found


def _catalog_items(rows, result):
    codes = {row.catalog_code: row for row in rows}
    found = {i.code: i for i in CatalogItem.objects.filter(code__in=list(codes))}
    for code, item in found.items():
        wanted = codes[code].item_type
        if item.item_type != wanted:
            result.warnings.append(
                f"基本目录事项 {code} 的事项类型为{ItemType(item.item_type).label}，"
                f"来源为{ItemType(wanted).label}，保留原值"
            )
    new = [
        CatalogItem(code=code, name=row.name, item_type=row.item_type)
        for code, row in codes.items()
        if code not in found
    ]
    with transaction.atomic():
        CatalogItem.objects.bulk_create(new, batch_size=BATCH)
    result.catalog_items_created = len(new)
    found.update({i.code: i for i in CatalogItem.objects.filter(code__in=[i.code for i in new])})
    return found


def _create_published(implementations, *, actor, progress):
    """Insert new implementations already published, each with its first revision, as a
    Wagtail publish would leave them (live, version 1, live and latest revision set)."""
    if not implementations:
        return
    now = timezone.now()
    for implementation in implementations:
        implementation.live = True
        implementation.has_unpublished_changes = False
        implementation.first_published_at = now
        implementation.last_published_at = now
        implementation.version = 1
    content_type = ContentType.objects.get_for_model(Implementation)
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        Implementation.objects.bulk_create(implementations, batch_size=BATCH)
        revisions = [
            Revision(
                content_type=content_type,
                base_content_type=content_type,
                object_id=str(implementation.pk),
                created_at=now,
                user=user,
                content=implementation.serializable_data(),
                object_str=str(implementation),
            )
            for implementation in tqdm(
                implementations,
                desc="修订版本",
                unit="项",
                file=sys.stderr,
                disable=not progress,
                leave=False,
            )
        ]
        Revision.objects.bulk_create(revisions, batch_size=BATCH)
        for implementation, revision in zip(implementations, revisions, strict=True):
            implementation.latest_revision = revision
            implementation.live_revision = revision
        Implementation.objects.bulk_update(
            implementations, ["latest_revision", "live_revision"], batch_size=BATCH
        )


def _publish_change(implementation, row, item, region, department, actor):
    """A changed listing entry: a new revision, published (history kept)."""
    with transaction.atomic():
        implementation.name = row.name
        implementation.catalog_item = item
        implementation.region = region
        implementation.department = department
        revision = implementation.save_revision(user=actor, clean=False)
        revision.publish(user=actor)
