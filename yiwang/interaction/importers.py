"""Import of historic messages (历史留言导入) from another 问政 platform's export.

Format ``taidi`` (the 2020 Taidi Cup 智慧政务 data and platforms exporting the same sheet): a
CSV file, UTF-8 (a BOM is fine), gzipped or not, whose header has the columns 留言编号,
留言用户, 留言主题, 留言时间, 留言详情 and optionally 答复意见 and 答复时间 (the official
reply and when it was sent), 反对数 and 点赞数 (votes). Other columns (一级分类...) are
ignored. Times are Asia/Shanghai, ``2019/4/25 9:32:09``, ``2017-06-08 17:31:20``, with or
without seconds, or a date alone (read as 00:00 of that day). Texts lose the whitespace
around each line (the export indents bodies with ``\\n\\t\\t…``) and their empty lines.

What an imported message is (docs/interaction-routing.md):

- channel ``import`` (历史导入), ``external_id`` = ``<source>:<留言编号>``, unique per channel:
  importing the same file again adds nothing, and a message is never imported twice;
- a number of its region and submission day like any other, no query code (the writer is
  not on this platform), the source's user id as ``writer_name``, the votes;
- status 已办结 (closed) without a close time, so the sweep leaves it alone: no deadline
  warnings, escalations, automatic closing or follow-up for history;
- with a reply in the file: one sent ``Reply`` (the ``department`` of the import as its
  department, the importing user as its author of record) and ``replied_at``; without one,
  no ``replied_at`` (it counts as unanswered in the figures);
- never published: the source records no consent (同意公开), so ``publish_consent`` is
  False and only a later, recorded consent could change that.

The whole file is read and checked first; any bad row stops the import before anything is
written, with the line numbers. Rows are then written in batches of ``BATCH``, each batch in
one transaction with its audit row (``interaction.imported``): an error in a batch leaves
the earlier batches imported and this one not, and says so; running again completes it.
"""

import csv
import gzip
import io
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import DatabaseError, transaction
from django.db.models import Q
from tqdm import tqdm

from yiwang.core import audit
from yiwang.orgs.models import Department, Region, stats_code

from . import events, numbers
from .constants import Channel, EventKind, Kind, ReplyState, Status, Urgency
from .models import Message, MessageEvent, Reply

TZ = ZoneInfo("Asia/Shanghai")
FORMATS = ("taidi",)
BATCH = 500
# At most this many bad rows are listed one by one.
SHOWN = 20
REQUIRED_COLUMNS = ("留言编号", "留言用户", "留言主题", "留言时间", "留言详情")
REPLY_COLUMNS = ("答复意见", "答复时间")
VOTE_COLUMNS = ("反对数", "点赞数")
TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
)
# Website error reports need a page address the history does not have.
IMPORTABLE_KINDS = tuple(k for k in Kind.values if k != Kind.ERROR_REPORT)
MAX_TITLE = Message._meta.get_field("title").max_length
MAX_WRITER = Message._meta.get_field("writer_name").max_length
MAX_EXTERNAL = Message._meta.get_field("external_id").max_length
SOURCE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")


class MessageImportError(Exception):
    """The file cannot be imported (unreadable, wrong columns, bad rows, missing options)."""


@dataclass
class SourceRow:
    line: int
    external_id: str  # 留言编号 as in the file
    user: str
    title: str
    body: str
    submitted_at: datetime
    reply: str = ""
    replied_at: datetime | None = None
    oppose: int = 0
    support: int = 0


@dataclass
class SourceFile:
    rows: list
    columns: list
    has_replies: bool  # the file has the reply columns

    @property
    def replied(self):
        return sum(1 for row in self.rows if row.replied_at is not None)


@dataclass
class ImportResult:
    source: str
    rows: int = 0
    created: int = 0
    created_with_reply: int = 0
    skipped: int = 0  # already imported before
    batches: int = 0
    seconds: float = 0.0
    message_ids: list = field(default_factory=list)  # created ones


# --- reading -----------------------------------------------------------------------------


def parse_time(value):
    """An aware datetime (Asia/Shanghai) of a source time; ``ValueError`` if it is none."""
    text = " ".join((value or "").split())
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=TZ)
        except ValueError:
            continue
    raise ValueError(text)


def clean_text(value):
    """The text without the whitespace around its lines and without empty lines."""
    lines = (line.strip() for line in (value or "").splitlines())
    return "\n".join(line for line in lines if line)


def _open_text(path):
    """The file as text: gzipped or not (told by its first bytes, not its name), UTF-8."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            gzipped = handle.read(2) == b"\x1f\x8b"
        if gzipped:
            with gzip.open(path, "rb") as handle:
                raw = handle.read()
        else:
            raw = path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise MessageImportError(f"无法读取文件 {path}：{exc}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MessageImportError(
            f"文件 {path} 不是 UTF-8 编码的 CSV（第 {exc.start} 字节处无法解码）；"
            "请另存为 UTF-8 的 CSV 后再导入。"
        ) from exc


def _count(value, column, errors, line):
    value = (value or "").strip()
    if not value:
        return 0
    try:
        number = int(float(value))
    except ValueError:
        number = -1
    if number < 0:
        errors.append(f"第 {line} 行：{column}“{value}”不是非负整数")
        return 0
    return number


def read_taidi(path):
    """The rows of a ``taidi`` file (``SourceFile``). Raises ``MessageImportError`` naming
    the missing columns or the bad rows (with their line numbers); nothing is half read."""
    text = _open_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise MessageImportError(f"文件 {path} 是空的。") from None
    except csv.Error as exc:
        raise MessageImportError(f"文件 {path} 不是有效的 CSV：{exc}") from exc
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise MessageImportError(
            f"文件 {path} 缺少列：{'、'.join(missing)}。泰迪杯格式需要列 "
            f"{'、'.join(REQUIRED_COLUMNS)}，可选 {'、'.join(REPLY_COLUMNS + VOTE_COLUMNS)}；"
            f"文件的表头是：{'、'.join(header) or '（空）'}。"
        )
    reply_columns = [column for column in REPLY_COLUMNS if column in header]
    if len(reply_columns) == 1:
        other = next(column for column in REPLY_COLUMNS if column not in header)
        raise MessageImportError(f"文件 {path} 有“{reply_columns[0]}”列却没有“{other}”列。")
    at = {column: header.index(column) for column in header if column}
    rows, errors, seen = [], [], {}
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            row = _row(cells, at, line, errors)
            if row is None:
                continue
            if row.external_id in seen:
                errors.append(
                    f"第 {line} 行：留言编号 {row.external_id} 与第 {seen[row.external_id]} 行重复"
                )
                continue
            seen[row.external_id] = line
            rows.append(row)
    except csv.Error as exc:
        raise MessageImportError(
            f"文件 {path} 不是有效的 CSV（第 {reader.line_num} 行）：{exc}"
        ) from exc
    if errors:
        listed = "；".join(errors[:SHOWN])
        more = f"；另有 {len(errors) - SHOWN} 处错误未列出" if len(errors) > SHOWN else ""
        raise MessageImportError(
            f"文件 {path} 有 {len(errors)} 处错误，未导入任何留言：{listed}{more}。"
        )
    if not rows:
        raise MessageImportError(f"文件 {path} 没有留言（只有表头）。")
    return SourceFile(rows=rows, columns=header, has_replies=bool(reply_columns))


def _row(cells, at, line, errors):
    def cell(column):
        index = at.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    before = len(errors)
    external_id = cell("留言编号").strip()
    if not external_id:
        errors.append(f"第 {line} 行：没有留言编号")
    title = clean_text(cell("留言主题")).replace("\n", " ")
    if not title:
        errors.append(f"第 {line} 行：留言主题为空")
    elif len(title) > MAX_TITLE:
        errors.append(f"第 {line} 行：留言主题超过 {MAX_TITLE} 个字")
    body = clean_text(cell("留言详情"))
    if not body:
        errors.append(f"第 {line} 行：留言详情为空")
    submitted_at = replied_at = None
    try:
        submitted_at = parse_time(cell("留言时间"))
    except ValueError:
        errors.append(f"第 {line} 行：留言时间“{cell('留言时间').strip()}”无法识别")
    reply = clean_text(cell("答复意见"))
    reply_time = cell("答复时间").strip()
    if reply_time:
        try:
            replied_at = parse_time(reply_time)
        except ValueError:
            errors.append(f"第 {line} 行：答复时间“{reply_time}”无法识别")
    if reply and not reply_time:
        errors.append(f"第 {line} 行：有答复意见却没有答复时间")
    if reply_time and not reply:
        errors.append(f"第 {line} 行：有答复时间却没有答复意见")
    if submitted_at and replied_at and replied_at < submitted_at:
        errors.append(f"第 {line} 行：答复时间早于留言时间")
    oppose = _count(cell("反对数"), "反对数", errors, line)
    support = _count(cell("点赞数"), "点赞数", errors, line)
    if len(errors) > before:
        return None
    return SourceRow(
        line=line,
        external_id=external_id,
        user=" ".join(cell("留言用户").split())[:MAX_WRITER],
        title=title,
        body=body,
        submitted_at=submitted_at,
        reply=reply,
        replied_at=replied_at if reply else None,
        oppose=oppose,
        support=support,
    )


def read_file(path, *, format="taidi"):
    if format not in FORMATS:
        raise MessageImportError(f"不支持的格式：{format}（可用：{'、'.join(FORMATS)}）。")
    if not Path(path).is_file():
        raise MessageImportError(f"文件不存在：{path}")
    return read_taidi(path)


# --- options -----------------------------------------------------------------------------


def find_region(code):
    code = (code or "").strip()
    try:
        full = stats_code(code)
    except ValueError:
        raise MessageImportError(
            f"行政区划代码“{code}”无效：请给 6 位行政区划代码或 12 位统计用区划代码。"
        ) from None
    region = Region.objects.filter(code=full).first()
    if region is None:
        raise MessageImportError(f"找不到行政区划 {code}：请先运行 import_divisions 导入区划。")
    return region


def find_department(value, region):
    """A department by primary key or by name (a name shared by several departments is
    resolved to the one of ``region`` or of a region above it)."""
    value = (value or "").strip()
    if value.isdigit():
        department = Department.objects.filter(pk=int(value)).first()
        if department is None:
            raise MessageImportError(f"找不到编号为 {value} 的部门。")
        return department
    matches = list(Department.objects.filter(name=value))
    if len(matches) > 1:
        chain = {region.pk, *(r.pk for r in region.ancestors())}
        matches = [d for d in matches if d.region_id in chain]
    if not matches:
        raise MessageImportError(f"找不到名为“{value}”的部门（或它不在 {region.name} 及上级）。")
    if len(matches) > 1:
        raise MessageImportError(f"有多个名为“{value}”的部门，请改用部门编号。")
    return matches[0]


def check_source(source):
    if not SOURCE_NAME.match(source or ""):
        raise MessageImportError(
            "来源代号只能由 1–20 个英文字母、数字、点、下划线或连字符组成（例如 taidi）。"
        )
    return source


def external_id(source, row_id):
    return f"{source}:{row_id}"


# --- writing -----------------------------------------------------------------------------


def _existing(source, rows):
    """The 留言编号 of ``rows`` already imported from ``source``."""
    ids = [external_id(source, row.external_id) for row in rows]
    found = set()
    for start in range(0, len(ids), BATCH):
        found.update(
            Message.objects.filter(
                channel=Channel.IMPORT, external_id__in=ids[start : start + BATCH]
            ).values_list("external_id", flat=True)
        )
    prefix = len(source) + 1
    return {value[prefix:] for value in found}


def import_messages(
    source_file,
    *,
    region,
    kind=Kind.MAILBOX,
    department=None,
    actor=None,
    source="taidi",
    progress=False,
    progress_file=None,
    request=None,
):
    """Import ``source_file`` (``read_file``'s result) into ``region``; returns an
    ``ImportResult``. Idempotent by ``<source>:<留言编号>``. A file with replies needs
    ``department`` (the replying department of record) and ``actor`` (the replies' author
    of record); raises ``MessageImportError`` before writing anything otherwise."""
    from .actions import deadline_for

    started = time.perf_counter()
    check_source(source)
    if kind not in IMPORTABLE_KINDS:
        raise MessageImportError(
            f"留言类型“{kind}”不能导入；可用：{'、'.join(IMPORTABLE_KINDS)}（网站找错不能导入）。"
        )
    longest = max(len(row.external_id) for row in source_file.rows)
    if len(source) + 1 + longest > MAX_EXTERNAL:
        raise MessageImportError(f"留言编号太长：来源代号加编号不能超过 {MAX_EXTERNAL} 个字符。")
    if source_file.replied and department is None:
        raise MessageImportError(
            f"文件中有 {source_file.replied} 条答复：请用 --department 指定答复单位"
            "（历史答复记在这个部门名下）。"
        )
    if source_file.replied and (actor is None or not getattr(actor, "is_authenticated", False)):
        raise MessageImportError(
            "文件中有答复：请用 --user 指定操作人（记入审计日志，并作为导入答复的录入人）。"
        )
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    result = ImportResult(source=source, rows=len(source_file.rows))
    done = _existing(source, source_file.rows)
    rows = sorted(
        (row for row in source_file.rows if row.external_id not in done),
        key=lambda row: (row.submitted_at, row.external_id),
    )
    result.skipped = result.rows - len(rows)
    amount, unit = deadline_for(kind, Urgency.NORMAL)
    bar = tqdm(
        total=len(rows),
        desc="导入留言",
        unit="条",
        file=progress_file or sys.stderr,
        disable=not progress,
        leave=False,
    )
    try:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            try:
                created = _write_batch(
                    batch,
                    region=region,
                    kind=kind,
                    department=department,
                    actor=actor,
                    source=source,
                    deadline=(amount, unit),
                    request=request,
                )
            except DatabaseError as exc:
                raise MessageImportError(
                    f"第 {result.batches + 1} 批（文件第 {min(r.line for r in batch)}–"
                    f"{max(r.line for r in batch)} 行之间的 {len(batch)} 条）写入失败，"
                    f"这一批未导入：{exc}。此前已导入 {result.created} 条；"
                    "重新运行会跳过已导入的留言、补上其余的。"
                ) from exc
            result.batches += 1
            result.created += len(created)
            result.created_with_reply += sum(1 for m in created if m.replied_at is not None)
            result.message_ids += [m.pk for m in created]
            bar.update(len(batch))
    finally:
        bar.close()
    result.seconds = time.perf_counter() - started
    return result


def _write_batch(batch, *, region, kind, department, actor, source, deadline, request):
    amount, unit = deadline
    with transaction.atomic():
        # Checked again inside the transaction: another import may have run meanwhile.
        done = _existing(source, batch)
        batch = [row for row in batch if row.external_id not in done]
        if not batch:
            return []
        messages = []
        for row in batch:
            number = numbers.allocate(region, day=row.submitted_at.astimezone(TZ).date())
            messages.append(
                Message(
                    number=number,
                    kind=kind,
                    channel=Channel.IMPORT,
                    urgency=Urgency.NORMAL,
                    region=region,
                    title=row.title,
                    body=row.body,
                    writer_name=row.user,
                    publish_consent=False,
                    entered_by=actor,
                    external_id=external_id(source, row.external_id),
                    department=department,
                    status=Status.CLOSED,
                    submitted_at=row.submitted_at,
                    dispatched_at=row.submitted_at if department is not None else None,
                    replied_at=row.replied_at,
                    clock_started_at=row.submitted_at,
                    deadline_amount=amount,
                    deadline_unit=unit,
                    support_count=row.support,
                    oppose_count=row.oppose,
                )
            )
        Message.objects.bulk_create(messages)
        replies, timeline = [], []
        for message, row in zip(messages, batch, strict=True):
            timeline.append(
                MessageEvent(
                    message=message,
                    kind=EventKind.SUBMITTED,
                    at=row.submitted_at,
                    actor=actor,
                    note=f"历史导入：{source} 留言编号 {row.external_id}"
                    + ("" if row.replied_at else "（来源未记录答复）"),
                )
            )
            if row.replied_at is not None:
                replies.append(
                    Reply(
                        message=message,
                        text=row.reply,
                        state=ReplyState.SENT,
                        author=actor,
                        department=department,
                        sent_at=row.replied_at,
                    )
                )
                timeline.append(
                    MessageEvent(
                        message=message,
                        kind=EventKind.REPLIED,
                        at=row.replied_at,
                        from_department=department,
                        note="历史导入的答复",
                    )
                )
        Reply.objects.bulk_create(replies)
        MessageEvent.objects.bulk_create(timeline)
        audit.record(
            action=events.IMPORTED,
            actor=actor,
            request=request,
            detail={
                "source": source,
                "region": region.code,
                "kind": kind,
                "department": department.pk if department is not None else None,
                "count": len(messages),
                "with_reply": len(replies),
                "first": messages[0].number,
                "last": messages[-1].number,
                "message_ids": [messages[0].pk, messages[-1].pk],
            },
        )
    return messages


def imported_from(source):
    """Every message imported from ``source`` (for the figures of the command's report)."""
    return Message.objects.filter(
        Q(channel=Channel.IMPORT) & Q(external_id__startswith=f"{source}:")
    )
