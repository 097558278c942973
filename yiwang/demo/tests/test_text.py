"""The text generator: deterministic, Chinese, shaped like government writing."""

import datetime
import random
import re

import pytest

from yiwang.demo.text import Document, TextGenerator, Voice, cn_number

HAN = re.compile(r"[\u4e00-\u9fff]")

VOICE = Voice(
    org="松林县",
    signer="松林县人民政府办公室",
    place="松林县",
    level_word="县",
    sub_units="各乡镇（街道）",
    addressee="各乡镇人民政府、街道办事处，县直各有关单位：",
    sub_places=("青石镇", "松涛镇"),
)
DAY = datetime.date(2026, 3, 12)


def everything(seed):
    """One of each kind of text, from one generator."""
    gen = TextGenerator(random.Random(seed))
    out = [gen.person_name()]
    out += [gen.news(VOICE, "优化营商环境", DAY, "县长王建国") for _ in range(5)]
    out += [gen.notice(VOICE, "安全生产", DAY, serial=3) for _ in range(5)]
    doc, summary, body = gen.document(
        VOICE, "乡村振兴", "松林县人民政府", "松政发〔2026〕12号", DAY, effective_years=3
    )
    out += [doc, summary, body]
    for repeal in (False, True):
        out.append(gen.amendment(VOICE, doc, doc.issuer, "松政发〔2026〕30号", DAY, repeal=repeal))
    for form in ("text", "graphic", "video", "interview"):
        out.append(gen.interpretation(VOICE, form, [doc], "副县长李明远"))
    out.append(
        gen.leader_profile(
            "王建国",
            "县长",
            "松林县",
            [],
            head=True,
            born=1972,
            departments=["松林县教育局"],
            now_year=2026,
        )
    )
    return out


def test_same_seed_gives_the_same_text_and_another_seed_other_text():
    assert everything(2026) == everything(2026)
    assert everything(2026) != everything(2027)


def han_share(text):
    """The share of Chinese characters among the letters (punctuation and digits aside)."""
    letters = [c for c in re.sub(r"<[^>]+>", "", text) if c.isalpha()]
    return sum(1 for c in letters if HAN.match(c)) / len(letters)


@pytest.mark.parametrize("seed", [1, 2, 3, 2026])
def test_news_is_chinese_paragraphs_about_the_topic(seed):
    gen = TextGenerator(random.Random(seed))
    title, summary, body = gen.news(VOICE, "优化营商环境", DAY, "县长王建国")
    assert "优化营商环境" in title
    assert han_share(title) > 0.95
    assert han_share(body) > 0.95
    assert body.startswith("<p>") and body.endswith("</p>")
    assert body.count("<p>") >= 4
    assert summary and summary in re.sub(r"<[^>]+>", "", body)


@pytest.mark.parametrize("seed", range(6))
def test_notices_are_signed_and_dated(seed):
    gen = TextGenerator(random.Random(seed))
    title, _, body = gen.notice(VOICE, "安全生产", DAY, serial=7)
    assert han_share(title) > 0.95
    assert "<p>松林县人民政府办公室</p><p>2026年3月12日</p>" in body
    assert "<h3>一、" in body


def test_policy_document_is_named_in_its_title_and_numbered():
    gen = TextGenerator(random.Random(5))
    for _ in range(10):
        doc, summary, body = gen.document(
            VOICE, "耕地保护", "松林县自然资源和规划局", "松自然资发〔2026〕3号", DAY, 2
        )
        assert doc.name in doc.title
        assert "管理管理" not in doc.title
        assert doc.number == "松自然资发〔2026〕3号"
        assert "有效期至2028年3月12日" in body
        assert han_share(body) > 0.95


def test_amendment_and_repeal_cite_the_old_document():
    gen = TextGenerator(random.Random(9))
    old = Document(
        title="松林县人民政府关于印发《松林县森林防火工作方案》的通知",
        name="松林县森林防火工作方案",
        number="松政发〔2025〕8号",
        issuer="松林县人民政府",
        date_written=datetime.date(2025, 6, 3),
        topic="森林防火",
        short="方案",
    )
    amended, _, body = gen.amendment(VOICE, old, old.issuer, "松政发〔2026〕2号", DAY, False)
    assert amended.name == "松林县森林防火工作方案（2026年修订）"
    assert "松政发〔2025〕8号" in body
    repeal, _, body = gen.amendment(VOICE, old, old.issuer, "松政发〔2026〕3号", DAY, True)
    assert repeal.title == "松林县人民政府关于废止《松林县森林防火工作方案》的决定"
    assert "决定废止《松林县森林防火工作方案》（松政发〔2025〕8号）" in body


def test_interview_names_the_interviewee():
    gen = TextGenerator(random.Random(4))
    doc, _, _ = gen.document(VOICE, "就业创业", "松林县人民政府", "松政发〔2026〕1号", DAY, 3)
    title, _, body, interviewees = gen.interpretation(VOICE, "interview", [doc], "副县长李明远")
    assert interviewees == "副县长李明远"
    assert f"《{doc.name}》" in title
    assert body.count("<b>主持人：</b>") == 3


def test_leader_career_ends_in_the_current_post_before_the_base_year():
    gen = TextGenerator(random.Random(11))
    for born in range(1966, 1981):
        _, resume = gen.leader_profile(
            "王建国",
            "副县长",
            "松林县",
            ["教育", "卫生健康"],
            head=False,
            born=born,
            departments=["松林县教育局"],
            now_year=2026,
        )
        years = [int(y) for y in re.findall(r"(\d{4})(?:—|年至今)", resume)]
        assert years == sorted(years)
        assert max(years) <= 2025
        assert "年至今　松林县副县长" in resume


def test_cn_number():
    assert [cn_number(n) for n in (0, 3, 10, 12, 20, 35, 99)] == [
        "零",
        "三",
        "十",
        "十二",
        "二十",
        "三十五",
        "九十九",
    ]
    with pytest.raises(ValueError):
        cn_number(100)
