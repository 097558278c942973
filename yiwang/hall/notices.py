"""Official notices as PDFs with Chinese fonts (CONTRACT — owner: helper "clocks").

Built with fpdf2 and the embedded Noto Sans CJK font, as the guide PDF is
(``catalog/pdf.py``: reuse its font setup and ``break_lines``). Each notice names the
department, the applicant, the item, the case number, dates (Chinese format), and what the
kind requires: receipt (申请回执: materials received, query code not printed), acceptance
notice (受理通知书: promised and statutory due dates), correction notice (补正材料通知书:
every item of the round and the deadline), refusal notice (不予受理通知书: reason and
legal basis, the right to administrative reconsideration or litigation), decision (准予/不予
决定书 with reasons and remedies).
"""

from django.core.files.base import ContentFile
from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import Align, WrapMode

from yiwang.catalog.constants import ItemType
from yiwang.catalog.pdf import FAMILY, _clean, _register_font, break_lines

from .constants import Channel, ClockKind, Decision, DocumentKind, Step

MARGIN = 25
BODY_SIZE = 12
LINE = 8
INDENT = "\u3000\u3000"

LICENSING_LAW = "《中华人民共和国行政许可法》"
REMEDY = (
    "如不服本{what}，可以自收到本{what}之日起六十日内依法申请行政复议，"
    "或者自收到本{what}之日起六个月内依法向人民法院提起行政诉讼。"
)

# The word of each kind's document number (受字〔2026〕第 … 号).
NUMBER_WORD = {
    DocumentKind.RECEIPT: "收",
    DocumentKind.ACCEPTANCE_NOTICE: "受",
    DocumentKind.CORRECTION_NOTICE: "补",
    DocumentKind.REFUSAL_NOTICE: "不受",
    DocumentKind.DECISION: "决",
}


def chinese_date(day):
    """2026年12月2日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _local_day(moment):
    return timezone.localdate(moment) if moment is not None else None


def addressee(case):
    """Whom a notice is addressed to: the legal person applied for, else the applicant."""
    if case.legal_person_id:
        return case.legal_person.name
    if case.applicant_name:
        return case.applicant_name
    if case.applicant_id:
        return case.applicant.display_name or case.applicant.get_username()
    return "申请人"


def _is_licensing(case):
    return case.implementation.catalog_item.item_type == ItemType.LICENSING


def title_of(case, kind):
    kind = DocumentKind(kind)
    if kind == DocumentKind.DECISION:
        word = "准予" if case.decision == Decision.APPROVED else "不予"
        return f"{word}行政许可决定书" if _is_licensing(case) else f"{word}办理决定书"
    return kind.label


class NoticePDF(FPDF):
    def __init__(self, case, title):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.case = case
        _register_font(self)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.alias_nb_pages()
        self.set_font(FAMILY, size=BODY_SIZE)
        self.set_title(f"{title}（{case.number}）")
        self.set_lang("zh-CN")
        self.set_subject(f"办件编号 {case.number}")
        self.set_author(case.department.name)
        self.set_creator("一网 网上办事大厅")
        self.set_creation_date(timezone.now())

    def footer(self):
        self.set_y(-15)
        self.set_font(FAMILY, size=8)
        self.set_text_color(110)
        self.cell(0, 5, f"办件编号：{self.case.number}", align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align=Align.R)
        self.set_text_color(0)

    def centred(self, text, *, size, height):
        self.set_font(FAMILY, size=size)
        self.multi_cell(
            0, height, _clean(text), align=Align.C, wrapmode=WrapMode.CHAR,
            new_x="LMARGIN", new_y="NEXT",
        )  # fmt: skip
        self.set_font(FAMILY, size=BODY_SIZE)

    def paragraph(self, text, *, indent=True, align=Align.L, size=BODY_SIZE):
        text = _clean(text)
        if not text:
            return
        self.set_font(FAMILY, size=size)
        width = self.epw - 2 * self.c_margin
        lines = [
            line
            for part in text.split("\n")
            for line in break_lines(
                (INDENT if indent else "") + part.strip(), width, self.get_string_width
            )
        ]
        self.multi_cell(
            0, LINE, "\n".join(lines), align=align, wrapmode=WrapMode.CHAR,
            new_x="LMARGIN", new_y="NEXT",
        )  # fmt: skip
        self.set_font(FAMILY, size=BODY_SIZE)


def _clocks(case):
    """The case's own clocks by kind (the latest of each)."""
    latest = {}
    for clock in case.clocks.filter(task__isnull=True).order_by("-pk"):
        latest.setdefault(clock.kind, clock)
    return latest


def _acceptance_clock(case):
    return (
        case.clocks.filter(task__step=Step.ACCEPT).order_by("-pk").first()
        or case.clocks.filter(task__isnull=True, label="受理").order_by("-pk").first()
    )


def _submitted_sentence(case):
    day = _local_day(case.submitted_at) or timezone.localdate()
    how = "在窗口" if case.channel == Channel.COUNTER else "通过网上办事大厅"
    return (
        f"你（单位）于{chinese_date(day)}{how}提出的“{case.item_name}”申请"
        f"（办件编号：{case.number}）"
    )


def _materials(case):
    counts = {}
    for material in case.materials.filter(superseded=False).order_by("material_name", "pk"):
        counts[material.material_name] = counts.get(material.material_name, 0) + 1
    return counts


def _body_receipt(pdf, case):
    pdf.paragraph(f"{_submitted_sentence(case)}，本机关已收到。收到的申请材料如下：")
    materials = _materials(case)
    if materials:
        for n, (name, count) in enumerate(materials.items(), 1):
            pdf.paragraph(f"{n}. {name}（{count}份）")
    else:
        pdf.paragraph("（未提交电子材料）")
    clock = _acceptance_clock(case)
    due = f"（{chinese_date(clock.due_date)}前）" if clock is not None else ""
    pdf.paragraph(
        f"本回执仅证明本机关已收到上述申请材料，不表示申请已被受理。本机关将在5个工作日内{due}"
        "作出是否受理的决定；申请材料不齐全或者不符合法定形式的，将一次性告知需要补正的全部内容。"
        "你可以凭办件编号和查询码查询办理进度。"
    )


def _body_acceptance(pdf, case):
    pdf.paragraph(
        f"{_submitted_sentence(case)}，经审查，申请事项属于本机关职权范围，申请材料齐全、"
        f"符合法定形式。根据{LICENSING_LAW}第三十二条的规定，决定予以受理。"
    )
    clocks = _clocks(case)
    statutory, promised = clocks.get(ClockKind.STATUTORY), clocks.get(ClockKind.PROMISED)
    if statutory is not None:
        note = "（按暂定工作日历计算）" if statutory.due_is_provisional else ""
        pdf.paragraph(
            f"本机关将自受理之日起{statutory.limit_days}个工作日内作出决定，法定办结期限为"
            f"{chinese_date(statutory.due_date)}{note}。"
        )
    if promised is not None:
        note = "（按暂定工作日历计算）" if promised.due_is_provisional else ""
        pdf.paragraph(
            f"本机关承诺在{promised.limit_days}个工作日内办结，承诺办结期限为"
            f"{chinese_date(promised.due_date)}{note}。"
        )
    pdf.paragraph(
        "依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，所需时间不计算在期限内。"
    )


def _body_correction(pdf, case, correction):
    pdf.paragraph(
        f"{_submitted_sentence(case)}，申请材料不齐全或者不符合法定形式。根据{LICENSING_LAW}"
        f"第三十二条的规定，现一次性告知你（单位）需要补正的全部内容"
        f"（第{correction.round}次补正）："
    )
    items = correction.items or []
    for n, item in enumerate(items, 1):
        material = _clean(item.get("material"))
        reason = _clean(item.get("reason"))
        pdf.paragraph(f"{n}. {material}：{reason}" if reason else f"{n}. {material}")
    if _clean(correction.note):
        pdf.paragraph(f"说明：{_clean(correction.note)}")
    clock = _acceptance_clock(case)
    remaining = ""
    if clock is not None:
        from . import clocks

        left = clocks.describe(clock)["remaining"]
        if left > 0:
            remaining = f"本机关将在收到全部补正材料后{left}个工作日内作出是否受理的决定。"
    pdf.paragraph(
        "请按上述要求一次性补正后，通过网上办事大厅或者到窗口重新提交。补正期间办理时限暂停计算，"
        f"自补正材料提交之日起继续计算。{remaining}"
    )


def _body_refusal(pdf, case):
    pdf.paragraph(
        f"{_submitted_sentence(case)}，经审查，不符合受理条件。根据{LICENSING_LAW}"
        "第三十二条的规定，决定不予受理。"
    )
    pdf.paragraph(f"不予受理的理由及依据：{_clean(case.refusal_reason) or '（未填写）'}")
    pdf.paragraph(REMEDY.format(what="通知书"))


def _body_decision(pdf, case):
    if case.decision == Decision.APPROVED:
        pdf.paragraph(
            f"{_submitted_sentence(case)}，经审查，申请符合法定条件、标准。根据{LICENSING_LAW}"
            "第三十八条第一款的规定，决定准予。"
        )
        if _clean(case.decision_reason):
            pdf.paragraph(f"审查意见：{_clean(case.decision_reason)}")
        result = _clean(case.implementation.result_name)
        if result:
            pdf.paragraph(f"办理结果：{result}。本机关将按你（单位）选择的方式送达。")
    else:
        pdf.paragraph(
            f"{_submitted_sentence(case)}，经审查，不符合法定条件、标准。根据{LICENSING_LAW}"
            "第三十八条第二款的规定，决定不予。"
        )
        pdf.paragraph(f"理由：{_clean(case.decision_reason) or '（未填写）'}")
        pdf.paragraph(REMEDY.format(what="决定"))


def render(case, kind, *, correction=None, issued_on=None):
    """The PDF bytes of notice ``kind`` (``DocumentKind``) for ``case``."""
    kind = DocumentKind(kind)
    if kind == DocumentKind.ATTACHMENT:
        raise ValueError("附件不是生成的文书")
    if kind == DocumentKind.CORRECTION_NOTICE and correction is None:
        correction = case.corrections.order_by("-round").first()
        if correction is None:
            raise ValueError("该办件没有补正告知")
    issued_on = issued_on or timezone.localdate()
    title = title_of(case, kind)
    pdf = NoticePDF(case, title)
    pdf.add_page()
    pdf.centred(case.department.name, size=15, height=9)
    pdf.centred(title, size=20, height=12)
    pdf.ln(1)
    pdf.centred(f"{NUMBER_WORD[kind]}字〔{issued_on.year}〕第 {case.number} 号", size=11, height=7)
    pdf.ln(6)
    pdf.paragraph(f"{_clean(addressee(case))}：", indent=False)
    if kind == DocumentKind.RECEIPT:
        _body_receipt(pdf, case)
    elif kind == DocumentKind.ACCEPTANCE_NOTICE:
        _body_acceptance(pdf, case)
    elif kind == DocumentKind.CORRECTION_NOTICE:
        _body_correction(pdf, case, correction)
    elif kind == DocumentKind.REFUSAL_NOTICE:
        _body_refusal(pdf, case)
    else:
        _body_decision(pdf, case)
    pdf.paragraph("特此通知。" if kind != DocumentKind.DECISION else "")
    if pdf.will_page_break(LINE * 5):
        pdf.add_page()
    pdf.ln(12)
    pdf.paragraph(case.department.name, indent=False, align=Align.R)
    pdf.paragraph("（印章）", indent=False, align=Align.R)
    pdf.paragraph(chinese_date(issued_on), indent=False, align=Align.R)
    return bytes(pdf.output())


def issue(*, case, kind, actor=None, correction=None):
    """Render and store a notice as a ``CaseDocument`` (private storage) and return it."""
    from .models import CaseDocument

    kind = DocumentKind(kind)
    if kind == DocumentKind.CORRECTION_NOTICE and correction is None:
        correction = case.corrections.order_by("-round").first()
    data = render(case, kind, correction=correction)
    name = f"{case.number}-{kind.value}"
    if correction is not None and correction.round > 1:
        name += f"-{correction.round}"
    document = CaseDocument(
        case=case,
        kind=kind,
        title=f"{title_of(case, kind)}（{case.number}）",
        content_type="application/pdf",
        visible_to_applicant=True,
        created_by=actor,
    )
    document.file.save(f"{name}.pdf", ContentFile(data), save=False)
    document.save()
    return document
