"""Importing historic messages (``manage.py import_messages``, ``importers.py``) from the real
Taidi 2020 问政 data: fj4 (2,816 leader-mailbox letters with their official replies) and fj3
(4,326 messages with votes, no replies). The figures of ``figures.py`` must equal an
independent computation from the CSV; re-imports add nothing; bad files are refused whole.

Test data only (../shared/real-material, see its README): never demo content."""

import csv
import gzip
import io
import statistics
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from yiwang.core.models import AuditEvent
from yiwang.interaction import actions, events, figures, importers
from yiwang.interaction.actions import StateError
from yiwang.interaction.constants import Channel, EventKind, ReplyState, Status
from yiwang.interaction.models import Message, Reply

from .kit import at

pytestmark = pytest.mark.django_db

TAIDI = Path(settings.BASE_DIR).parent / "shared" / "real-material" / "taidi-2020c-smart-gov"
FJ3 = TAIDI / "fj3_full_messages_with_votes.csv.gz"
FJ4 = TAIDI / "fj4_full_messages_with_replies.csv.gz"
needs_taidi = pytest.mark.skipif(
    not (FJ3.is_file() and FJ4.is_file()),
    reason=f"the Taidi 2020 messages are not at {TAIDI} (../shared/real-material)",
)


def source_rows(path):
    """The CSV as dicts, read with nothing but the standard library."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def subset(path, tmp_path, count, name="subset.csv"):
    """The header and the first ``count`` rows of ``path``, as a plain CSV in ``tmp_path``."""
    rows = source_rows(path)
    target = tmp_path / name
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:count])
    return target, rows[:count]


def independent_lags(rows):
    """Reply lags in (fractional) calendar days, computed here without the importer: the
    two naive times of a row are both Asia/Shanghai, so their difference is the lag; a
    date without a time means 00:00 of that day."""

    def moment(text):
        text = text.strip()
        for pattern in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d"):
            try:
                return datetime.strptime(text, pattern)
            except ValueError:
                continue
        raise AssertionError(f"unexpected time {text!r}")

    return [
        (moment(row["答复时间"]) - moment(row["留言时间"])).total_seconds() / 86400 for row in rows
    ]


def run(*args):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_messages", *map(str, args), stdout=stdout, stderr=stderr)
    return stdout.getvalue()


def imported():
    return Message.objects.filter(channel=Channel.IMPORT)


# --- the full fj4 file: counts and figures -----------------------------------------------


@pytest.mark.slow
@needs_taidi
def test_all_of_fj4_imports_with_replies_and_correct_figures(kit):
    rows = source_rows(FJ4)
    assert len(rows) == 2816

    out = run(
        FJ4,
        "--region",
        kit.county.division_code,
        "--department",
        kit.office.name,
        "--user",
        kit.dispatcher.username,
    )

    messages = imported()
    assert messages.count() == len(rows)
    assert "新增 2816 条（其中有答复 2816 条）" in out
    # Every message has exactly one sent reply, at the time of the file.
    assert Reply.objects.filter(message__in=messages, state=ReplyState.SENT).count() == 2816
    assert not messages.filter(replied_at__isnull=True).exists()
    assert set(messages.values_list("status", flat=True)) == {Status.CLOSED}
    assert not messages.filter(publish_consent=True).exists()
    assert not messages.filter(is_published=True).exists()

    result = figures.of(messages)
    lags = independent_lags(rows)
    assert result.total == 2816 and result.replied == 2816 and result.reply_rate == 1.0
    # figures.py measures calendar days as replied_at - submitted_at (fractions included).
    assert result.median_days == round(statistics.median(lags), 2) == 11.21
    assert result.average_days == round(statistics.fmean(lags), 2)

    # The README's "median 11 calendar days" counts whole days between the two dates.
    def day(text):
        return datetime.strptime(text.split()[0].replace("-", "/"), "%Y/%m/%d").date()

    days = sorted((day(r["答复时间"]) - day(r["留言时间"])).days for r in rows)
    assert statistics.median(days) == 11 and days[-1] == 1161
    assert f"答复用时中位数 {result.median_days} 天" in out

    # One row in detail: times in Asia/Shanghai, the export's indentation gone.
    message = messages.get(external_id="taidi:2549")
    assert message.title == "A2区景蓉华苑物业管理有问题"
    assert message.submitted_at == at(2019, 4, 25, 9, 32, 9)
    assert message.replied_at == at(2019, 5, 10, 14, 56, 53)
    assert message.body.startswith("2019年4月以来，位于A市A2区桂花坪街道")
    assert message.writer_name == "A00045581" and message.department == kit.office
    assert message.number.startswith(f"{kit.county.division_code}20190425")
    reply = message.replies.get()
    assert reply.sent_at == message.replied_at and reply.department == kit.office
    assert reply.text.endswith("再次感谢您对我区工作的理解和关心。2019年5月9日")
    assert list(message.events.values_list("kind", flat=True)) == [
        EventKind.SUBMITTED,
        EventKind.REPLIED,
    ]
    # The one reply time without a clock time counts from 00:00 of its day.
    assert messages.get(external_id="taidi:27610").replied_at == at(2018, 4, 24)

    # Audited per batch of 500, every message counted once.
    batches = AuditEvent.objects.filter(action=events.IMPORTED)
    assert batches.count() == 6
    assert sum(e.detail["count"] for e in batches) == 2816

    # Again: nothing new.
    out = run(
        FJ4,
        "--region",
        kit.county.division_code,
        "--department",
        kit.office.pk,
        "--user",
        kit.dispatcher.username,
    )
    assert "新增 0 条" in out and "跳过 2816 条" in out
    assert imported().count() == 2816 and Reply.objects.count() == 2816
    assert AuditEvent.objects.filter(action=events.IMPORTED).count() == 6


# --- fj3: votes, no replies --------------------------------------------------------------


@needs_taidi
def test_fj3_messages_have_no_replies_and_a_reply_rate_of_zero(kit, tmp_path):
    path, rows = subset(FJ3, tmp_path, 300)

    out = run(path, "--region", kit.county.code, "--kind", "suggestion")

    messages = imported()
    assert messages.count() == 300
    assert not Reply.objects.exists()
    result = figures.of(messages)
    assert (result.total, result.replied, result.reply_rate) == (300, 0, 0.0)
    assert result.median_days is None
    assert "答复率 0.0%" in out
    assert sum(m.support_count for m in messages) == sum(int(r["点赞数"]) for r in rows)
    assert sum(m.oppose_count for m in messages) == sum(int(r["反对数"]) for r in rows)
    assert set(messages.values_list("kind", flat=True)) == {"suggestion"}
    # Closed history: nobody is asked to answer it now.
    assert set(messages.values_list("status", flat=True)) == {Status.CLOSED}
    assert not messages.filter(department__isnull=False).exists()
    first = messages.get(external_id=f"taidi:{rows[0]['留言编号']}")
    assert "来源未记录答复" in first.events.get().note


@needs_taidi
def test_the_sweep_leaves_imported_history_alone(kit, tmp_path, sms):
    path, _rows = subset(FJ3, tmp_path, 40)
    run(path, "--region", kit.county.division_code)
    before = list(imported().values_list("pk", "status", "escalated_at", "followed_up_at"))

    counts = actions.sweep(now=at(2026, 11, 2, 10))

    assert counts == dict.fromkeys(counts, 0)
    assert list(imported().values_list("pk", "status", "escalated_at", "followed_up_at")) == (
        before
    )
    assert not sms


@needs_taidi
def test_re_import_adds_only_the_new_rows(kit, tmp_path):
    options = ("--department", kit.office.pk, "--user", kit.dispatcher.username)
    first, _rows = subset(FJ4, tmp_path, 100, name="first.csv")
    run(first, "--region", kit.county.division_code, *options)
    numbers = dict(imported().values_list("external_id", "number"))
    assert len(numbers) == 100

    more, rows = subset(FJ4, tmp_path, 150, name="more.csv")
    out = run(more, "--region", kit.county.division_code, *options)

    assert "新增 50 条" in out and "跳过 100 条" in out
    assert imported().count() == 150 == len({r["留言编号"] for r in rows})
    # The earlier ones are untouched.
    assert all(imported().get(external_id=key).number == number for key, number in numbers.items())


@needs_taidi
def test_imported_messages_are_never_published_without_consent(kit, tmp_path):
    path, _rows = subset(FJ4, tmp_path, 3)
    run(
        path,
        "--region",
        kit.county.division_code,
        "--department",
        kit.office.pk,
        "--user",
        kit.dispatcher.username,
    )
    message = imported().first()
    with pytest.raises(StateError, match="没有同意公开"):
        actions.publish(message=message, staff=kit.dispatcher)
    message.refresh_from_db()
    assert not message.is_published


# --- bad input ---------------------------------------------------------------------------


def write(tmp_path, text, name="bad.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


HEADER = "留言编号,留言用户,留言主题,留言时间,留言详情,答复意见,答复时间\n"


def test_a_file_with_wrong_columns_is_refused(kit, tmp_path):
    path = write(tmp_path, "编号,标题,内容\n1,路灯不亮,青石镇路灯不亮\n")
    with pytest.raises(CommandError, match="缺少列：留言编号、留言用户、留言主题"):
        run(path, "--region", kit.county.division_code)
    assert not imported().exists()


def test_one_bad_row_stops_the_whole_file(kit, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "1,U1,路灯不亮,2019/4/25 9:32:09,青石镇路灯不亮,已修复,2019/4/26 10:00:00\n"
        + "2,U2,道路破损,昨天下午,幸福小区门口道路破损,,\n"
        + "3,U3,噪音扰民,2019/4/25 9:00:00,工地夜间施工,已处理,2019/4/20 9:00:00\n"
        + "1,U4,重复,2019/4/25 9:00:00,重复的编号,,\n",
    )
    with pytest.raises(CommandError) as error:
        run(path, "--region", kit.county.division_code, "--department", kit.office.pk)
    text = str(error.value)
    assert "未导入任何留言" in text
    assert "第 3 行：留言时间“昨天下午”无法识别" in text
    assert "第 4 行：答复时间早于留言时间" in text
    assert "第 5 行：留言编号 1 与第 2 行重复" in text
    assert not imported().exists()


def test_replies_need_a_department_and_a_user(kit, tmp_path):
    path = write(
        tmp_path,
        HEADER + "1,U1,路灯不亮,2019/4/25 9:32:09,青石镇路灯不亮,已修复,2019/4/26 10:00\n",
    )
    with pytest.raises(CommandError, match="请用 --department 指定答复单位"):
        run(path, "--region", kit.county.division_code)
    with pytest.raises(CommandError, match="请用 --user 指定操作人"):
        run(path, "--region", kit.county.division_code, "--department", kit.office.pk)
    assert not imported().exists()
    out = run(
        path,
        "--region",
        kit.county.division_code,
        "--department",
        kit.office.pk,
        "--user",
        kit.dispatcher.username,
    )
    assert "新增 1 条（其中有答复 1 条）" in out
    assert imported().get().replied_at == at(2019, 4, 26, 10)


@pytest.mark.parametrize(
    ("make", "options", "expected"),
    [
        (lambda p: p / "missing.csv", (), "文件不存在"),
        (
            lambda p: write(p, HEADER + "1,U1,路灯,2019/4/25,青石镇路灯不亮,,\n", encoding="gbk"),
            (),
            "不是 UTF-8 编码",
        ),
        (lambda p: write(p, "", name="empty.csv"), (), "是空的"),
        (lambda p: write(p, HEADER, name="header.csv"), (), "没有留言"),
        (lambda p: write(p, b"\x1f\x8b broken", name="broken.csv.gz"), (), "无法读取文件"),
        (
            lambda p: write(p, HEADER + "1,U,t,2019/4/25,b,,\n"),
            ("--department", "无此部门"),
            "找不到",
        ),
        (lambda p: write(p, HEADER + "1,U,t,2019/4/25,b,,\n"), ("--source", "台迪"), "来源代号"),
        (lambda p: write(p, HEADER + "1,U,t,2019/4/25,b,,\n"), ("--user", "nobody"), "找不到用户"),
    ],
)
def test_bad_files_and_options_give_a_chinese_error(kit, tmp_path, make, options, expected):
    path = make(tmp_path)
    with pytest.raises(CommandError, match=expected):
        run(path, "--region", kit.county.division_code, *options)
    assert not imported().exists()


def test_an_unknown_region_is_refused(kit, tmp_path):
    path = write(tmp_path, HEADER + "1,U,t,2019/4/25,b,,\n")
    with pytest.raises(CommandError, match="找不到行政区划 110101"):
        run(path, "--region", "110101")
    with pytest.raises(CommandError, match="行政区划代码“abc”无效"):
        run(path, "--region", "abc")


def test_a_failing_batch_is_not_half_imported(kit, tmp_path, monkeypatch):
    """The second batch fails to write: the first stays, the second leaves nothing, and
    running again completes the file."""
    monkeypatch.setattr(importers, "BATCH", 2)
    lines = "".join(
        f"{n},U{n},标题{n},2019/4/{n} 9:00:00,内容{n},答复{n},2019/4/{n} 18:00:00\n"
        for n in range(1, 6)
    )
    path = write(tmp_path, HEADER + lines)
    original = Reply.objects.bulk_create
    calls = []

    def failing(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            from django.db import DatabaseError

            raise DatabaseError("disk full")
        return original(objs, *args, **kwargs)

    monkeypatch.setattr(Reply.objects, "bulk_create", failing)
    options = ("--department", kit.office.pk, "--user", kit.dispatcher.username)
    with pytest.raises(CommandError, match="第 2 批.*这一批未导入.*此前已导入 2 条"):
        run(path, "--region", kit.county.division_code, *options)
    assert sorted(imported().values_list("external_id", flat=True)) == ["taidi:1", "taidi:2"]
    assert Reply.objects.count() == 2
    assert AuditEvent.objects.filter(action=events.IMPORTED).count() == 1

    monkeypatch.setattr(Reply.objects, "bulk_create", original)
    out = run(path, "--region", kit.county.division_code, *options)
    assert "新增 3 条" in out and "跳过 2 条" in out
    assert imported().count() == 5 and Reply.objects.count() == 5
