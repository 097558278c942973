"""Personal data out of published messages (``redaction.redact``, used by
``actions.public_texts`` and ``actions.publish``): ID numbers, phones, e-mails, and the
person names real writers put in their letters, found in the Taidi 2020 messages (fj3, fj4):
"我叫李建义", "姓名：何艳银", "联系人:谈俊", signatures like "报告人：刘桂楚2019年5月8日".
Leaders addressed with their title (胡华衡书记) and place names stay readable.

Test data only (../shared/real-material): never demo content."""

import csv
import gzip
from pathlib import Path

import pytest
from django.conf import settings

from yiwang.interaction import actions, importers
from yiwang.interaction.actions import StateError
from yiwang.interaction.constants import Channel
from yiwang.interaction.models import Message
from yiwang.interaction.redaction import mask_name, person_names, redact

TAIDI = Path(settings.BASE_DIR).parent / "shared" / "real-material" / "taidi-2020c-smart-gov"
FJ3 = TAIDI / "fj3_full_messages_with_votes.csv.gz"
FJ4 = TAIDI / "fj4_full_messages_with_replies.csv.gz"
needs_taidi = pytest.mark.skipif(
    not (FJ3.is_file() and FJ4.is_file()),
    reason=f"the Taidi 2020 messages are not at {TAIDI} (../shared/real-material)",
)

# 留言编号 -> names written in the body (the writer's own, or other private persons').
FJ3_NAMES = {
    "188801": ["李建义"],  # 我叫李建义，来自湖北仙桃
    "190371": ["何艳银"],  # 姓名：何艳银，于2011年5月…
    "191062": ["谈俊", "冯意刚"],  # 联系人:谈俊(东成大厦业委会主任…
    "193611": ["刘科连", "罗伟红", "余新社"],  # 我叫刘科连，男，现年51岁…
    "194168": ["李安正", "王怀启"],  # …退休教师：李安正
    "203670": ["彭乔松"],  # …彭乔松2019年3月13日
}
FJ4_NAMES = {
    "6383": ["邱林松", "罗军建", "谷斌海"],  # 本人邱林松，身份证号码…
    "144880": ["刘桂楚"],  # 本人刘桂楚，男… 报告人：刘桂楚2019年5月8日
    "2549": [],  # the reply names the leader: 向胡华衡书记留言
}


def rows(path, wanted):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["留言编号"] in wanted]


def import_rows(kit, tmp_path, path, wanted, name):
    """The ``wanted`` rows of ``path`` imported through the real importer."""
    selected = rows(path, wanted)
    assert {row["留言编号"] for row in selected} == set(wanted)
    target = tmp_path / name
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(selected[0]))
        writer.writeheader()
        writer.writerows(selected)
    importers.import_messages(
        importers.read_file(target),
        region=kit.county,
        department=kit.office,
        actor=kit.dispatcher,
    )
    return {
        key: Message.objects.get(channel=Channel.IMPORT, external_id=f"taidi:{key}")
        for key in wanted
    }


@needs_taidi
@pytest.mark.django_db
def test_publishing_an_imported_message_removes_the_names_in_its_body(kit, tmp_path):
    messages = import_rows(kit, tmp_path, FJ3, FJ3_NAMES, "fj3.csv")
    messages |= import_rows(kit, tmp_path, FJ4, FJ4_NAMES, "fj4.csv")

    for key, names in {**FJ3_NAMES, **FJ4_NAMES}.items():
        message = messages[key]
        title, body, reply = actions.public_texts(message)
        for name in names:
            assert name in message.body, (key, name)
            assert name not in body, (key, name, body)
            assert name[0] + "*" * (len(name) - 1) in body, (key, name)
            assert name not in reply, (key, name)
        # The source's own blanks for ID numbers stay blanks; no phone number survives.
        assert redact(body) == body

    # The writer's name inside the official reply is masked there too.
    title, body, reply = actions.public_texts(messages["6383"])
    assert "当事人（邱**、龙平和）" in reply and "邱林松" not in reply
    # The leader the letter went to stays readable in the reply.
    title, body, reply = actions.public_texts(messages["2549"])
    assert "向胡华衡书记留言反映" in reply
    # Place names stay readable.
    title, body, reply = actions.public_texts(messages["6383"])
    assert "A3区望岳街道金星村横岭塘组" in body

    # Imported history has no consent; a consent recorded later lets it be published.
    message = messages["144880"]
    with pytest.raises(StateError, match="没有同意公开"):
        actions.publish(message=message, staff=kit.dispatcher)
    Message.objects.filter(pk=message.pk).update(publish_consent=True)
    message.refresh_from_db()
    actions.publish(message=message, staff=kit.dispatcher)
    message.refresh_from_db()
    assert message.is_published
    assert "刘桂楚" not in message.public_body + message.public_title + message.public_reply
    assert message.public_body.startswith("本人刘**，男，身份证号码：")
    assert message.public_body.endswith("报告人：刘**2019年5月8日")
    # The source's user id is the writer's name here, and masked like one.
    assert message.writer_name == "UU008326"
    assert message.public_reply.startswith("U*******：您好！")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证号430102198001011234。", "身份证号[身份证号已隐去]。"),
        ("身份证号43010219800101123X。", "身份证号[身份证号已隐去]。"),
        ("手机13912345678，", "手机[电话已隐去]，"),
        ("电话139 1234 5678。", "电话[电话已隐去]。"),
        ("座机0731-84567890。", "座机[电话已隐去]。"),
        ("邮箱li.jian@example.com。", "邮箱[邮箱已隐去]。"),
        ("李建义先生反映", "李**先生反映"),
        ("张先生反映", "张先生反映"),
        ("王某某反映", "王某某反映"),
        ("我叫刘科连，男", "我叫刘**，男"),
        ("姓名：何艳银，", "姓名：何**，"),
        ("实名投诉人：杜民", "实名投诉人：杜*"),
        ("谢谢！彭乔松2019年3月13日", "谢谢！彭**2019年3月13日"),
        ("村书记罗军建、村主任谷斌海", "村书记罗**、村主任谷**"),
        ("负责人王伟军，举报如下", "负责人王**，举报如下"),
        # Leaders with their title stay; the same name without it does not.
        ("请胡华衡书记关注。胡华衡，您好", "请胡华衡书记关注。胡**，您好"),
        ("给张三市长的信", "给张三市长的信"),
        # Places, estates and words the tagger mistakes for names stay.
        ("家住蔡锷路金茂府小区，离马栏山不远", "家住蔡锷路金茂府小区，离马栏山不远"),
        ("幼儿园门口早高峰拥堵，许可证过期，谢谢", "幼儿园门口早高峰拥堵，许可证过期，谢谢"),
        ("本人高度重视，请尽快处理", "本人高度重视，请尽快处理"),
        ("5米左右的高度", "5米左右的高度"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected
    assert redact(expected) == expected


def test_given_names_are_removed_wherever_they_appear():
    assert redact("王小明反映：王小明家门口积水", names=["王小明"]) == "王**反映：王**家门口积水"
    assert mask_name("王小明") == "王**" and mask_name("") == "匿名"


def test_names_found_in_one_text_mask_another():
    body = "我叫刘科连，男，现年51岁，家住青石镇。"
    assert person_names(body) == {"刘科连"}
    reply = "经核查，刘科连反映的情况属实。"
    assert redact(reply, names=person_names(body)) == "经核查，刘**反映的情况属实。"


@needs_taidi
def test_redact_is_idempotent_on_real_texts():
    """Publishing refuses a text ``redact`` would still change, so its own proposal must
    be final: checked on real bodies and replies."""
    with gzip.open(FJ4, "rt", encoding="utf-8", newline="") as handle:
        sample = [row for _n, row in zip(range(60), csv.DictReader(handle), strict=False)]
    changed = 0
    for row in sample:
        for text in (importers.clean_text(row["留言详情"]), importers.clean_text(row["答复意见"])):
            once = redact(text)
            assert redact(once) == once
            changed += once != text
    # Real letters do carry names: a good share of these texts changed.
    assert changed >= 15
