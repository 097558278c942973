"""Importing administrative divisions (行政区划) from CSV files.

The files are shaped like the National Bureau of Statistics' division list as published by
modood/Administrative-divisions-of-China (``dist/*.csv``)::

    provinces.csv  code,name                                     code: 2 digits
    cities.csv     code,name,provinceCode                        code: 4 digits
    areas.csv      code,name,cityCode,provinceCode               code: 6 digits
    streets.csv    code,name,areaCode,provinceCode,cityCode      code: 9 digits

The import reads and checks every row first and writes nothing unless every row is good, so a
bad file never leaves half a hierarchy behind. It then writes level by level, top down, in one
transaction, only the rows that are new or whose name or parent changed (``bulk_create`` with
``update_conflicts`` on ``code``). Running it twice changes nothing the second time.

A few rows repeat their parent under another level: a prefecture city without counties
(东莞市 ``441900`` under ``4419``) and a county listed again as its own township (金门县
``350527000`` under ``350527``). Their twelve-digit statistics code is the parent's own, so
they are the same region: the import folds them into the parent, and their children hang
from the parent directly, as the statistics office has them.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from tqdm import tqdm

from yiwang.core.audit import record

from .models import Region, RegionLevel, stats_code

BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 50


@dataclass(frozen=True)
class LevelFile:
    level: int
    filename: str
    code_length: int
    # The column naming the parent's code, None for provinces.
    parent_column: str | None
    parent_code_length: int


LEVEL_FILES = (
    LevelFile(RegionLevel.PROVINCE, "provinces.csv", 2, None, 0),
    LevelFile(RegionLevel.CITY, "cities.csv", 4, "provinceCode", 2),
    LevelFile(RegionLevel.COUNTY, "areas.csv", 6, "cityCode", 4),
    LevelFile(RegionLevel.TOWNSHIP, "streets.csv", 9, "areaCode", 6),
)
NAME_MAX_LENGTH = Region._meta.get_field("name").max_length


class DivisionImportError(Exception):
    """The files cannot be imported. ``errors`` lists every problem found, each naming its
    file and line; nothing was written."""

    def __init__(self, errors):
        self.errors = list(errors)
        shown = self.errors[:MAX_REPORTED_ERRORS]
        more = len(self.errors) - len(shown)
        lines = [f"行政区划导入失败，共 {len(self.errors)} 处错误，未写入任何数据：", *shown]
        if more:
            lines.append(f"……另有 {more} 处错误未列出")
        super().__init__("\n".join(lines))


@dataclass
class ParsedRow:
    code: str  # twelve-digit statistics code
    name: str
    parent_code: str | None  # twelve-digit statistics code


@dataclass
class LevelResult:
    level: int
    rows_read: int = 0
    folded: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    levels: list[LevelResult] = field(default_factory=list)

    @property
    def created(self):
        return sum(level.created for level in self.levels)

    @property
    def updated(self):
        return sum(level.updated for level in self.levels)

    def as_dict(self):
        return {
            RegionLevel(level.level).label: {
                "rows_read": level.rows_read,
                "folded": level.folded,
                "created": level.created,
                "updated": level.updated,
                "unchanged": level.unchanged,
            }
            for level in self.levels
        }


def read_divisions(directory, *, province=None):
    """Read and check the four files in ``directory``. Returns ``{level: [ParsedRow]}`` and
    the count of rows read per level; raises ``DivisionImportError`` listing every problem.
    With ``province`` (two digits), keeps that province's rows only."""
    directory = Path(directory)
    errors = []
    if not directory.is_dir():
        raise DivisionImportError([f"目录不存在：{directory}"])
    if province is not None and not (len(province) == 2 and province.isdigit()):
        raise DivisionImportError([f"省级代码应为两位数字，收到：{province!r}"])

    parsed = {}
    rows_read = {}
    # Codes of the levels read so far, so each row's parent can be checked before writing.
    known_codes = set()
    for spec in LEVEL_FILES:
        path = directory / spec.filename
        rows, count = _read_level(spec, path, province, known_codes, errors)
        parsed[spec.level] = rows
        rows_read[spec.level] = count
        known_codes.update(row.code for row in rows)

    if province is not None and not parsed[RegionLevel.PROVINCE] and not errors:
        errors.append(f"provinces.csv 中没有代码为 {province} 的省级区划")
    if errors:
        raise DivisionImportError(errors)
    return parsed, rows_read


def _read_level(spec, path, province, known_codes, errors):
    if not path.is_file():
        errors.append(f"缺少文件：{path}")
        return [], 0
    required = ["code", "name"] + ([spec.parent_column] if spec.parent_column else [])
    rows = []
    seen = {}
    count = 0
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [column for column in required if column not in header]
            if missing:
                errors.append(f"{spec.filename} 缺少列：{'、'.join(missing)}")
                return [], 0
            for record_ in reader:
                line = reader.line_num
                code = (record_.get("code") or "").strip()
                if province is not None and code[:2] != province:
                    continue
                count += 1
                row = _check_row(spec, record_, code, line, known_codes, seen, errors)
                if row is not None:
                    seen[row.code] = line
                    rows.append(row)
    except UnicodeDecodeError:
        errors.append(f"{spec.filename} 不是 UTF-8 编码的文本文件")
        return [], 0
    except csv.Error as exc:
        errors.append(f"{spec.filename} 不是有效的 CSV 文件：{exc}")
        return [], 0
    return rows, count


def _check_row(spec, record_, code, line, known_codes, seen, errors):
    where = f"{spec.filename} 第 {line} 行"
    name = (record_.get("name") or "").strip()
    problems = []
    if not (code.isdigit() and len(code) == spec.code_length):
        problems.append(f"代码应为 {spec.code_length} 位数字，实为 {code!r}")
    if not name:
        problems.append("名称为空")
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(f"名称超过 {NAME_MAX_LENGTH} 个字")
    parent_code = None
    if spec.parent_column:
        parent = (record_.get(spec.parent_column) or "").strip()
        if not (parent.isdigit() and len(parent) == spec.parent_code_length):
            problems.append(
                f"{spec.parent_column} 应为 {spec.parent_code_length} 位数字，实为 {parent!r}"
            )
        elif not code.startswith(parent):
            problems.append(f"代码 {code!r} 不在上级区划 {parent} 之下")
        elif stats_code(parent) not in known_codes:
            problems.append(f"上级区划 {parent} 不存在")
        else:
            parent_code = stats_code(parent)
    if problems:
        errors.append(f"{where}：{'；'.join(problems)}")
        return None
    full = stats_code(code)
    if full in seen:
        errors.append(f"{where}：代码 {code} 与第 {seen[full]} 行重复")
        return None
    return ParsedRow(code=full, name=name, parent_code=parent_code)


def import_divisions(directory, *, province=None, acting_user=None, progress=False):
    """Import the divisions in ``directory`` (see the module docstring). Returns an
    ``ImportResult``. Raises ``DivisionImportError`` (nothing written) when a file is missing
    or any row is bad. Writes one audit row for the whole import."""
    parsed, rows_read = read_divisions(directory, province=province)
    result = ImportResult()
    with transaction.atomic():
        existing = {
            code: (pk, name, parent_id, level)
            for code, pk, name, parent_id, level in Region.objects.values_list(
                "code", "pk", "name", "parent_id", "level"
            )
        }
        ids = {code: values[0] for code, values in existing.items()}
        for spec in LEVEL_FILES:
            level_result = _write_level(spec, parsed[spec.level], existing, ids, progress=progress)
            level_result.rows_read = rows_read[spec.level]
            result.levels.append(level_result)
        record(
            action="orgs.import_divisions",
            actor=acting_user,
            detail={"directory": str(directory), "province": province or "", **result.as_dict()},
        )
    return result


def _write_level(spec, rows, existing, ids, *, progress):
    level = spec.level
    result = LevelResult(level=level)
    to_write = []
    for row in rows:
        if row.code == row.parent_code:
            result.folded += 1
            continue
        parent_id = ids[row.parent_code] if row.parent_code else None
        current = existing.get(row.code)
        if current is None:
            result.created += 1
        elif current[1:] == (row.name, parent_id, level):
            result.unchanged += 1
            continue
        else:
            result.updated += 1
        to_write.append(
            Region(
                code=row.code,
                division_code=row.code[:6],
                name=row.name,
                level=level,
                parent_id=parent_id,
            )
        )

    bar = tqdm(total=len(to_write), desc=RegionLevel(level).label, unit="条", disable=not progress)
    for start in range(0, len(to_write), BATCH_SIZE):
        batch = to_write[start : start + BATCH_SIZE]
        Region.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "division_code", "level", "parent"],
        )
        bar.update(len(batch))
    bar.close()
    if to_write:
        # The ids of this level, which the next level's rows point to as their parent.
        ids.update(Region.objects.filter(level=level).values_list("code", "pk"))
    return result
