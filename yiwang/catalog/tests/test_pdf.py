"""The service guide as a PDF: Chinese text that extracts (no tofu), the Noto Sans CJK SC face
embedded as a subset, long guides over several pages, page footers and metadata."""

import io
import logging
import re
import shutil
import subprocess
import time
from decimal import Decimal

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from yiwang.catalog import pdf as guide_pdf
from yiwang.catalog.pdf import render_guide_pdf

from .factories import build_implementation, make_department, publish
from .test_api import full_guide

pytestmark = pytest.mark.django_db


class Warnings(logging.Handler):
    """Collects what fpdf2 logs (it reports glyphs missing from the font as warnings)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def fpdf_warnings():
    handler = Warnings()
    logger = logging.getLogger("fpdf")
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


def read(data):
    return PdfReader(io.BytesIO(data))


_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>")


def page_text(reader, page):
    """The page's text, decoded two bytes a code through its font's ToUnicode map, one line
    per text object.

    pypdf's own ``extract_text`` cannot be used: fpdf2 gives a CID-keyed CFF font (such as
    Noto Sans CJK) an embedded encoding CMap, which pypdf does not read (it falls back to
    one-byte codes and garbles the text), while readers such as poppler, PDFium and Acrobat
    do (see ``test_poppler_extracts_the_text``)."""
    (font,) = page["/Resources"]["/Font"].values()
    to_unicode = font.get_object()["/ToUnicode"].get_object().get_data()
    table = {
        int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
        for code, text in _BFCHAR.findall(to_unicode.split(b"beginbfchar", 1)[1])
    }
    lines, line = [], []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"BT":
            line = []
        elif operator == b"ET":
            lines.append("".join(line))
        elif operator in (b"Tj", b"TJ"):
            parts = operands[0] if operator == b"TJ" else [operands[0]]
            for part in parts:
                raw = getattr(part, "original_bytes", None)
                if raw is None:
                    continue
                codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
                line.append("".join(table.get(code, "\ufffd") for code in codes))
    return "\n".join(line for line in lines if line)


def text_of(reader):
    return "\n".join(page_text(reader, page) for page in reader.pages)


def fonts_of(reader):
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    return fonts


def test_guide_pdf_has_the_guide_text_in_chinese(regions, fpdf_warnings):
    implementation = full_guide(region=regions["county_a"])
    data = render_guide_pdf(implementation)
    assert data.startswith(b"%PDF")
    text = text_of(read(data))
    # Extraction goes through the embedded ToUnicode map: the characters come back.
    assert "个体工商户设立登记" in text
    assert "经营者身份证明" in text
    assert "《促进个体工商户发展条例》第八条" in text
    assert "申请登记为个体工商户" in text
    assert "受理条件" in text and "办理流程" in text and "每份10元" in text
    # Higher law first, whatever the editor's order.
    assert text.index("市场主体登记管理条例") < text.index("促进个体工商户发展条例")
    assert "可用电子证照“居民身份证”替代" in text
    # No glyph was missing from the font, so nothing renders as tofu.
    assert not [m for m in fpdf_warnings if "missing" in m]


def test_missing_glyphs_would_be_reported(regions, fpdf_warnings):
    """The check above can fail: a private-use character has no glyph in Noto Sans CJK."""
    implementation = full_guide(region=regions["county_a"], name="测试\ue000事项")
    render_guide_pdf(implementation)
    assert [m for m in fpdf_warnings if "missing" in m]


def test_the_embedded_font_is_a_noto_sans_cjk_sc_subset(regions):
    reader = read(render_guide_pdf(full_guide(region=regions["county_a"])))
    fonts = fonts_of(reader)
    assert len(fonts) == 1
    (name, font), *_ = fonts.items()
    prefix, _, face = name.lstrip("/").partition("+")
    assert face == "NotoSansCJKSC" and len(prefix) == 6
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant["/FontDescriptor"].get_object()
    program = descriptor["/FontFile3"].get_object().get_data()
    # A subset: far smaller than the 19 MB collection, but holding real outlines.
    assert 10_000 < len(program) < 1_000_000
    assert "/ToUnicode" in font


def test_pdf_metadata_language_and_footer(regions):
    implementation = full_guide(region=regions["county_a"])
    reader = read(render_guide_pdf(implementation))
    assert reader.metadata.title == "个体工商户设立登记 办事指南"
    assert reader.metadata.author == "松林县市场监督管理局"
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    assert reader.pdf_header >= "%PDF-1.6"
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4
    pages = len(reader.pages)
    first = page_text(reader, reader.pages[0])
    assert f"第 1 页 / 共 {pages} 页" in first
    assert f"实施编码：{implementation.code}" in first
    assert "版本：第2版" in first
    assert [item.title for item in reader.outline][:3] == [
        "一、基本信息",
        "二、事项概述",
        "三、设定依据",
    ]


def test_a_long_guide_breaks_its_tables_across_pages(regions):
    implementation = full_guide(region=regions["county_a"], extra_materials=40)
    reader = read(render_guide_pdf(implementation))
    pages = len(reader.pages)
    assert pages >= 3
    texts = [page_text(reader, page) for page in reader.pages]
    assert all(f"第 {n} 页 / 共 {pages} 页" in texts[n - 1] for n in range(1, pages + 1))
    # The materials table goes on over pages, its heading row repeated on each.
    with_materials = [t for t in texts if "经营场所使用证明" in t]
    assert len(with_materials) >= 2
    assert all("材料名称及要求" in t for t in with_materials)
    assert "补充材料第39号" in "".join(texts)


def test_an_incomplete_guide_says_what_is_missing(regions):
    department = make_department(regions["county_a"])
    implementation = publish(
        build_implementation(
            region=regions["county_a"], department=department, complete=False, name="空事项"
        )
    )
    text = text_of(read(render_guide_pdf(implementation)))
    assert "空事项" in text and "暂无" in text and "不收费" in text


def test_odd_text_does_not_break_the_layout(regions):
    implementation = full_guide(
        region=regions["county_a"],
        conditions="第一条\r\n第二条\t带制表符\x0b和控制字符\n" + "很长的一行没有标点" * 40,
    )
    text = text_of(read(render_guide_pdf(implementation)))
    assert "2. 第二条 带制表符和控制字符" in text


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_poppler_extracts_the_text(regions, tmp_path):
    path = tmp_path / "guide.pdf"
    path.write_bytes(render_guide_pdf(full_guide(region=regions["county_a"])))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "个体工商户设立登记" in text and "经营者身份证明" in text and "第八条" in text


def test_font_registration_is_cached(regions):
    implementation = full_guide(region=regions["county_a"])
    render_guide_pdf(implementation)
    hits = guide_pdf._font_template.cache_info().hits
    started = time.perf_counter()
    second = render_guide_pdf(implementation)
    elapsed = time.perf_counter() - started
    assert guide_pdf._font_template.cache_info().hits == hits + 1
    assert guide_pdf._font_template.cache_info().currsize == 1
    # Each document still gets its own subset: a second, different guide extracts right.
    other = full_guide(region=regions["county_a"], name="食品经营许可")
    assert "食品经营许可" in text_of(read(render_guide_pdf(other)))
    assert "个体工商户设立登记" in text_of(read(second))
    # Parsing the font alone takes ~0.35 s; a cached render of this guide is well under 2 s
    # even on a slow CI machine.
    assert elapsed < 2


def test_day_counts_and_section_numbers_read_as_chinese():
    assert guide_pdf._days(Decimal("10.0")) == "10个工作日"
    assert guide_pdf._days(Decimal("1.5")) == "1.5个工作日"
    assert guide_pdf._days(None) == ""
    assert [guide_pdf._chinese_number(n) for n in (1, 10, 12, 20, 23)] == [
        "一",
        "十",
        "十二",
        "二十",
        "二十三",
    ]


def test_chinese_line_breaking_keeps_punctuation_off_line_starts():
    from yiwang.catalog.pdf import NO_LINE_START, break_lines

    def width(text):
        return len(text)

    text = "结婚年龄，男不得早于二十二周岁。女不得早于二十周岁（法律）。"
    lines = break_lines(text, 4, width)
    assert "".join(lines) == text
    assert all(line[0] not in NO_LINE_START for line in lines[1:])
    assert all(not line.endswith("（") for line in lines)
    assert all(len(line) <= 4 for line in lines)
    # A plain cut where no punctuation is in the way.
    assert break_lines("一二三四五六七八", 3, width) == ["一二三", "四五六", "七八"]
