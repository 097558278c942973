"""The service guide (办事指南) as an A4 PDF, typeset in Noto Sans CJK SC with fpdf2.

The face is embedded as a subset (only the glyphs used), so every reader shows it; lines
break between Chinese characters (``WrapMode.CHAR``); materials and process steps are tables
that continue on the next page with their heading row repeated; every page carries the item
code, the version and the page number. Parsing the 19 MB font collection is the slow part
of a render (~0.35 s), so it is parsed once per process and cloned for each document.
"""

import copy
import functools
import re
import threading

import noto_cjk_sans_otc
from django.utils import timezone
from fontTools import ttLib
from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableCellFillMode, WrapMode
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.prefs import ViewerPreferences

from yiwang.accounts.models import RealNameLevel

from . import queries
from .constants import (
    Audience,
    DeliveryMethod,
    ItemType,
    LawLevel,
    LimitKind,
    MaterialForm,
    MaterialNecessity,
    MaterialSource,
    OnlineDepth,
    ResultType,
    Variant,
)
from .templatetags.catalog_tags import days

FONT_PATH = noto_cjk_sans_otc.FONT_PATH
# Face 2 of the collection is Simplified Chinese (Noto Sans CJK SC).
FONT_NUMBER = 2
FAMILY = "notosanscjksc"

MARGIN = 18
BODY_SIZE = 10.5
LINE = 6.2
ACCENT = (22, 75, 140)
MUTED = (90, 90, 90)
HEADING_FILL = (228, 236, 246)
NOT_GIVEN = "暂无"
# Tables of the face a horizontal PDF subset without text shaping does not need; fpdf2
# drops the layout tables from the subset anyway, but only after parsing them.
UNUSED_TABLES = ("vmtx", "vhea", "VORG", "BASE", "GSUB", "GPOS", "GDEF")

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_font_lock = threading.Lock()


# Chinese line-breaking rules (避头尾): these never begin a line, those never end one.
NO_LINE_START = set("，。、；：？！）》」』】〉〕”’…—·,.;:?!)]%")
NO_LINE_END = set("（《「『【〈〔“‘([")


def break_lines(text, width, string_width):
    """``text`` cut into lines no wider than ``width`` (measured by ``string_width``),
    between any two characters, except that closing punctuation never begins a line and
    opening punctuation never ends one: the character before moves down with it."""
    lines, current = [], ""
    for char in text:
        if not current or string_width(current + char) <= width:
            current += char
            continue
        carry = ""
        # Pull characters down until the new line may begin with what it begins with and
        # the old one may end with what it ends with (never emptying the old line).
        while len(current) > 1 and (
            (carry or char)[0] in NO_LINE_START or current[-1] in NO_LINE_END
        ):
            carry = current[-1] + carry
            current = current[:-1]
        lines.append(current)
        current = carry + char
    if current:
        lines.append(current)
    return lines


@functools.cache
def _font_template():
    """The font parsed once: its metrics, cmap and glyph ids never change."""
    pdf = FPDF()
    pdf.add_font(FAMILY, fname=FONT_PATH, collection_font_number=FONT_NUMBER)
    template = pdf.fonts[FAMILY]
    # What the clones need is extracted; each document opens the file itself.
    template.close()
    return template


def _open_font():
    """A fresh fontTools object of the face, trimmed for a PDF subset.

    Only the CFF outlines end up in the PDF; without the vertical metrics the subsetter has
    two tables of 65,000 glyphs less to parse, and without recomputing the bounding box it
    need not run every glyph's charstring (the whole font's box stays, which is valid)."""
    ttfont = ttLib.TTFont(
        FONT_PATH, recalcTimestamp=False, recalcBBoxes=False, fontNumber=FONT_NUMBER, lazy=True
    )
    for tag in UNUSED_TABLES:
        if tag in ttfont:
            del ttfont[tag]
    return ttfont


def _register_font(pdf):
    """Add the CJK face to ``pdf`` from the cached template. Only the per-document state is
    new: the fontTools object (fpdf2 subsets it in place on output), the subset map and the
    font descriptor; the rest is shared read-only, so renders in several threads are safe.
    Falls back to a plain ``add_font`` if fpdf2's internals ever change shape."""
    try:
        with _font_lock:
            template = _font_template()
        font = object.__new__(TTFFont)
        for slot in TTFFont.__slots__:
            if hasattr(template, slot):
                setattr(font, slot, getattr(template, slot))
        font.i = len(pdf.fonts) + 1
        # fpdf2 sets the descriptor's object id and font file while writing a document.
        font.desc = copy.copy(template.desc)
        font.ttfont = _open_font()
        font._hbfont = None
        font.biggest_size_pt = 0
        font.missing_glyphs = []
        font.color_font = None
        font.subset = SubsetMap(font)
        pdf.fonts[FAMILY] = font
        if font.is_cff and font.is_cid_keyed:
            pdf._set_min_pdf_version("1.6")
    except (AttributeError, TypeError):  # pragma: no cover - a future fpdf2
        pdf.fonts.pop(FAMILY, None)
        pdf.add_font(FAMILY, fname=FONT_PATH, collection_font_number=FONT_NUMBER)


def _clean(text):
    text = str(text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL_CHARS.sub("", text).strip()


def _label(enum, value):
    if value in (None, ""):
        return ""
    try:
        return enum(value).label
    except ValueError:
        return str(value)


def _days(value):
    return f"{days(value)}个工作日" if value is not None else ""


_NUMERALS = "零一二三四五六七八九十"


def _chinese_number(n):
    if n <= 10:
        return _NUMERALS[n]
    if n < 20:
        return "十" + _NUMERALS[n - 10]
    tens, ones = divmod(n, 10)
    return _NUMERALS[tens] + "十" + (_NUMERALS[ones] if ones else "")


def write_table(pdf, headings, rows, widths, *, line_height, padding, first_row_as_headings=True):
    """A table of ``rows`` (texts, "—" for an empty one) under ``headings`` (repeated on each
    page; none when ``first_row_as_headings`` is False) with relative column ``widths``,
    wrapped between any two characters, in the documents' heading colours."""
    with FPDF.table(
        pdf,
        col_widths=widths,
        wrapmode=WrapMode.CHAR,
        text_align="LEFT",
        line_height=line_height,
        padding=padding,
        headings_style=FontFace(emphasis="", fill_color=HEADING_FILL, color=ACCENT),
        cell_fill_mode=TableCellFillMode.NONE,
        first_row_as_headings=first_row_as_headings,
        repeat_headings=1,
        v_align="TOP",
    ) as table:
        if first_row_as_headings:
            row = table.row()
            for heading in headings:
                row.cell(heading)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(_clean(value) or "—")
    pdf.ln(2)


class GuidePDF(FPDF):
    def __init__(self, implementation):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.implementation = implementation
        self.section_count = 0
        _register_font(self)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.alias_nb_pages()
        self.set_font(FAMILY, size=BODY_SIZE)
        title = f"{implementation.name} 办事指南"
        self.set_title(title)
        self.set_lang("zh-CN")
        self.set_subject(f"实施编码 {implementation.code}")
        self.set_author(implementation.department.name)
        self.set_creator("一网 政务服务事项目录")
        self.set_keywords(f"{implementation.code} {implementation.catalog_item.code} 办事指南")
        self.set_creation_date(timezone.now())
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)

    def header(self):
        if self.page_no() == 1:
            return
        self.set_font(FAMILY, size=8)
        self.set_text_color(*MUTED)
        self.set_y(8)
        self.cell(0, 5, _clean(self.implementation.name) + " · 办事指南", align=Align.L)
        self.set_y(MARGIN)
        self.set_text_color(0)
        self.set_font(FAMILY, size=BODY_SIZE)

    def footer(self):
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(*MUTED)
        implementation = self.implementation
        self.cell(0, 5, f"实施编码：{implementation.code}　版本：第{implementation.version}版")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align=Align.R)
        self.set_text_color(0)

    # Building blocks -------------------------------------------------------------------

    def heading(self, text):
        self.section_count += 1
        title = f"{_chinese_number(self.section_count)}、{text}"
        # Keep a heading with at least a few lines of what follows it.
        if self.will_page_break(LINE * 4):
            self.add_page()
        self.ln(3)
        self.start_section(title)
        self.set_font(FAMILY, size=13)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, 8, title, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.4)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)
        self.set_text_color(0)
        self.set_draw_color(0)
        self.set_line_width(0.2)
        self.set_font(FAMILY, size=BODY_SIZE)

    def paragraph(self, text, *, size=BODY_SIZE, color=None, indent=0):
        text = _clean(text)
        if not text:
            return
        self.set_font(FAMILY, size=size)
        if color:
            self.set_text_color(*color)
        self.set_x(self.l_margin + indent)
        text = "\n".join(
            line
            for part in text.split("\n")
            for line in break_lines(
                part, self.epw - indent - 2 * self.c_margin, self.get_string_width
            )
        )
        self.multi_cell(0, LINE, text, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.set_font(FAMILY, size=BODY_SIZE)

    def numbered(self, lines):
        lines = [_clean(line) for line in lines if _clean(line)]
        if not lines:
            self.paragraph(NOT_GIVEN, color=MUTED)
            return
        for number, line in enumerate(lines, 1):
            self.paragraph(f"{number}. {line}")

    def table(self, headings, rows, widths, *, align_left=()):
        write_table(self, headings, rows, widths, line_height=LINE - 0.6, padding=(1.2, 1.5))

    def pairs(self, items):
        """A two-column table of label and value, skipping empty values."""
        items = [(label, _clean(value)) for label, value in items if _clean(value)]
        with super().table(
            col_widths=(28, 72),
            wrapmode=WrapMode.CHAR,
            text_align="LEFT",
            line_height=LINE - 0.6,
            padding=(1.2, 1.5),
            first_row_as_headings=False,
            v_align="TOP",
        ) as table:
            for label, value in items:
                row = table.row()
                row.cell(label, style=FontFace(fill_color=HEADING_FILL, color=ACCENT))
                row.cell(value)
        self.ln(2)


def render_guide_pdf(implementation):
    """The full service guide of ``implementation`` as the bytes of an A4 PDF."""
    pdf = GuidePDF(implementation)
    pdf.add_page()
    _title(pdf, implementation)
    _basic_information(pdf, implementation)
    if _clean(implementation.summary):
        pdf.heading("事项概述")
        pdf.paragraph(implementation.summary)
    _legal_basis(pdf, implementation)
    pdf.heading("受理条件")
    pdf.numbered(_clean(implementation.conditions).split("\n"))
    if _clean(implementation.prohibitions):
        pdf.paragraph("禁止性要求：" + _clean(implementation.prohibitions))
    _situations_and_materials(pdf, implementation)
    _process(pdf, implementation)
    _time_limits(pdf, implementation)
    _fees(pdf, implementation)
    _place_and_contact(pdf, implementation)
    _result(pdf, implementation)
    questions = list(implementation.questions.all())
    if questions:
        pdf.heading("常见问题")
        for number, question in enumerate(questions, 1):
            pdf.paragraph(f"问{number}：{_clean(question.question)}", color=ACCENT)
            pdf.paragraph(f"答：{_clean(question.answer)}")
            pdf.ln(1)
    pdf.ln(4)
    published = implementation.last_published_at
    note = "本指南由一网政务服务事项目录生成"
    if published:
        note += (
            f"，依据{timezone.localtime(published):%Y年%m月%d日}发布的第{implementation.version}版"
        )
    pdf.paragraph(note + "。", size=8.5, color=MUTED)
    return bytes(pdf.output())


def _title(pdf, implementation):
    pdf.set_font(FAMILY, size=19)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(
        0,
        10,
        _clean(implementation.name),
        align=Align.C,
        wrapmode=WrapMode.CHAR,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FAMILY, size=12)
    pdf.cell(0, 8, "办事指南", align=Align.C, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(
        0,
        5.5,
        f"{implementation.region.full_name} {implementation.department.name}",
        align=Align.C,
        wrapmode=WrapMode.CHAR,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0)
    pdf.ln(3)


def _basic_information(pdf, implementation):
    department = implementation.department
    item = implementation.catalog_item
    body = [
        department.name,
        implementation.body_address or department.address,
        f"邮编 {implementation.body_postcode}" if implementation.body_postcode else "",
        implementation.body_contact,
    ]
    themes = "、".join(theme.name for theme in implementation.themes.all())
    pdf.heading("基本信息")
    pdf.pairs(
        [
            ("事项名称", implementation.name),
            ("事项类型", _label(ItemType, item.item_type)),
            ("基本编码", item.code),
            ("实施编码", implementation.code),
            ("业务办理项", _label(Variant, implementation.variant)),
            ("实施主体", "，".join(part for part in body if part)),
            ("统一社会信用代码", department.uscc),
            ("主管部门", item.competent_department),
            ("行使层级", item.exercise_levels),
            ("服务对象", _label(Audience, implementation.audience)),
            ("主题分类", themes),
            ("网上办理深度", _label(OnlineDepth, implementation.online_depth)),
            ("网上申请实名等级", _label(RealNameLevel, implementation.real_name_level)),
            ("到办事现场次数", f"{implementation.required_visits}次"),
            ("必须现场办理原因", implementation.visit_reason),
            ("版本", f"第{implementation.version}版"),
        ]
    )


def _legal_basis(pdf, implementation):
    pdf.heading("设定依据")
    bases = queries.sorted_legal_bases(implementation)
    if not bases:
        pdf.paragraph(_clean(implementation.catalog_item.legal_basis) or NOT_GIVEN)
        return
    for number, basis in enumerate(bases, 1):
        details = "；".join(
            part
            for part in (_label(LawLevel, basis.law_level), _clean(basis.document_number))
            if part
        )
        line = f"{number}. 《{_clean(basis.law_name).strip('《》')}》{_clean(basis.article)}"
        if details:
            line += f"（{details}）"
        pdf.paragraph(line, color=ACCENT)
        if _clean(basis.text):
            pdf.paragraph(basis.text, indent=4)
        pdf.ln(1)


def _situations_and_materials(pdf, implementation):
    situations = list(implementation.situations.all())
    if situations:
        pdf.heading("办理情形")
        pdf.table(
            ["代码", "情形", "说明"],
            [[s.code, s.name, s.description] for s in situations],
            (12, 40, 48),
        )
    pdf.heading("申请材料")
    materials = list(implementation.materials.all())
    if not materials:
        pdf.paragraph(NOT_GIVEN, color=MUTED)
        return
    rows = []
    for number, material in enumerate(materials, 1):
        name = _clean(material.name)
        notes = []
        if _clean(material.requirements):
            notes.append(_clean(material.requirements).rstrip("。；;"))
        if material.paper_size:
            notes.append(f"纸质规格：{material.paper_size}")
        if material.license_type:
            notes.append(f"可用电子证照“{material.license_type}”替代")
        if material.blank_form_id:
            notes.append("提供空白表格下载")
        if material.sample_form_id:
            notes.append("提供示例样表下载")
        if notes:
            name += "\n" + "；".join(notes)
        source = _label(MaterialSource, material.source)
        if material.source_note:
            source += f"（{material.source_note}）"
        rows.append(
            [
                str(number),
                name,
                _label(MaterialForm, material.form),
                str(material.copies),
                _label(MaterialNecessity, material.necessity),
                source,
                "、".join(material.situation_code_list) or "全部",
            ]
        )
    pdf.table(
        ["序号", "材料名称及要求", "形式", "份数", "必要性", "来源渠道", "适用情形"],
        rows,
        (7, 36, 12, 7, 12, 14, 12),
    )


def _process(pdf, implementation):
    pdf.heading("办理流程")
    steps = list(implementation.process_steps.all())
    if steps:
        pdf.table(
            ["序号", "环节", "办理内容和标准", "时限", "办理人员"],
            [
                [str(n), s.name, s.description, _days(s.time_limit_days), s.handler]
                for n, s in enumerate(steps, 1)
            ],
            (7, 14, 48, 16, 15),
        )
    else:
        pdf.paragraph(NOT_GIVEN, color=MUTED)
    if implementation.flow_chart_id:
        pdf.paragraph("办理流程图可在事项页面下载。", size=9, color=MUTED)
    procedures = list(implementation.special_procedures.all())
    if procedures:
        pdf.paragraph("特别程序：", color=ACCENT)
        pdf.table(
            ["特别程序", "时限", "是否计入办结时限", "说明"],
            [
                [
                    p.name,
                    _days(p.time_limit_days),
                    "计入" if p.counts_in_limit else "不计入",
                    p.description,
                ]
                for p in procedures
            ],
            (22, 14, 16, 48),
        )


def _time_limits(pdf, implementation):
    pdf.heading("办理时限")
    statutory = _days(implementation.statutory_limit_days) or "法律法规未规定"
    if implementation.statutory_limit_note:
        statutory += f"（{_clean(implementation.statutory_limit_note)}）"
    if implementation.limit_kind == LimitKind.ON_THE_SPOT:
        promised = "即办件，当场办结"
    else:
        promised = _days(implementation.promised_limit_days) or NOT_GIVEN
    pdf.pairs(
        [
            ("办件类型", _label(LimitKind, implementation.limit_kind)),
            ("法定办结时限", statutory),
            ("承诺办结时限", promised),
        ]
    )


def _fees(pdf, implementation):
    pdf.heading("收费标准")
    fees = list(implementation.fees.all())
    if not implementation.charges_fee or not fees:
        pdf.paragraph("不收费。" if not implementation.charges_fee else NOT_GIVEN)
        return
    pdf.table(
        ["收费项目", "收费标准", "收费依据", "减免"],
        [
            [
                fee.name,
                fee.standard,
                fee.basis,
                ("可减免" + (f"：{fee.reduction_note}" if fee.reduction_note else ""))
                if fee.reducible
                else "不可减免",
            ]
            for fee in fees
        ],
        (22, 26, 34, 18),
    )


def _place_and_contact(pdf, implementation):
    pdf.heading("办理地点、时间和咨询投诉")
    pdf.pairs(
        [
            ("办理地点", implementation.place or NOT_GIVEN),
            ("办理时间", implementation.hours or NOT_GIVEN),
            ("咨询电话", implementation.enquiry_phone or NOT_GIVEN),
            ("监督投诉电话", implementation.complaint_phone or NOT_GIVEN),
        ]
    )


def _result(pdf, implementation):
    methods = "、".join(
        _label(DeliveryMethod, method) for method in implementation.delivery_methods or []
    )
    items = [
        ("办理结果", implementation.result_name),
        ("结果类型", _label(ResultType, implementation.result_type)),
        ("送达方式", methods),
    ]
    if implementation.result_sample_id:
        items.append(("结果样本", "可在事项页面下载"))
    if not any(_clean(value) for _, value in items):
        return
    pdf.heading("办理结果")
    pdf.pairs(items)
