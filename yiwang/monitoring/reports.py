"""A check run's report (docs/monitoring.md): one ``RunReport`` read from the rows a run
left (score, findings, columns), shown as the admin's HTML page (``views.run_detail``) and
written as an Excel workbook or a PDF for download.

``build(run)`` reads at most ``limit`` findings of each kind for the page (the counts are
always whole); the downloads hold every finding.
"""

import datetime
import io
from dataclasses import dataclass, field

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import Align, WrapMode
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from yiwang.catalog.pdf import FAMILY, _clean, _register_font, break_lines, write_table

from . import runner
from .constants import ColumnKindChoice, FindingKindChoice, WordingCategory
from .models import SiteScore
from .results import FindingKind
from .scoring import SECURITY_LABELS

UNREACHABLE_NOTE = "首页无法访问，其余页面和扣分指标未能检查，得分不反映网站内容。"
# Order of the kinds in a report: what fails a site first.
KIND_ORDER = [
    FindingKind.UNREACHABLE,
    FindingKind.TAMPERED,
    FindingKind.HOME_STALE,
    FindingKind.BROKEN_LINK,
    FindingKind.WORDING,
    FindingKind.STALE_COLUMN,
    FindingKind.EMPTY_COLUMN,
    FindingKind.SECURITY,
    FindingKind.GUIDE_INCOMPLETE,
    FindingKind.UNANSWERED_MESSAGES,
    FindingKind.NO_ONLINE_SERVICE,
    FindingKind.NO_CONSULTATION_CHANNEL,
]
KIND_LABELS = dict(FindingKindChoice.choices)
WORDING_LABELS = dict(WordingCategory.choices)
COLUMN_KIND_LABELS = dict(ColumnKindChoice.choices)


@dataclass
class KindGroup:
    kind: str
    label: str
    count: int
    findings: list  # Finding rows, at most ``limit``
    truncated: bool = False


@dataclass
class RunReport:
    run: object
    site: object
    score: object = None  # SiteScore or None (a run not judged)
    vetoes: list = field(default_factory=list)
    deductions: list = field(default_factory=list)
    failed_vetoes: list = field(default_factory=list)
    total_deducted: int = 0
    groups: list = field(default_factory=list)  # KindGroup
    columns: list = field(default_factory=list)  # ColumnStatus rows
    column_counts: dict = field(default_factory=dict)
    availability: object = None  # scoring.Availability
    previous: object = None  # the site's SiteScore before this one
    generated_at: datetime.datetime = None

    @property
    def unreachable(self):
        """The start page did not answer: nothing else could be read, so the score is not
        the site's content's."""
        return any(group.kind == FindingKind.UNREACHABLE for group in self.groups)


def _kind_rank(kind):
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def build(run, limit=200):
    """The report of ``run``: its score, vetoes and deductions, findings grouped by kind
    (at most ``limit`` of each), its columns and the site's availability when it ran."""
    site = run.site
    score = SiteScore.objects.filter(run=run).first()
    counts = {}
    for kind in run.findings.values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    groups = []
    for kind in sorted(counts, key=_kind_rank):
        rows = list(run.findings.filter(kind=kind).order_by("-on_home", "url", "target", "pk"))
        shown = rows[:limit] if limit else rows
        groups.append(
            KindGroup(
                kind=kind,
                label=KIND_LABELS.get(kind, kind),
                count=counts[kind],
                findings=shown,
                truncated=len(shown) < counts[kind],
            )
        )
    columns = list(run.columns.order_by("kind", "url"))
    previous = None
    if score is not None:
        previous = (
            SiteScore.objects.filter(site=site, at__lt=score.at)
            .exclude(pk=score.pk)
            .order_by("-at", "-pk")
            .first()
        )
    vetoes = list(score.vetoes) if score else []
    deductions = list(score.deductions) if score else []
    return RunReport(
        run=run,
        site=site,
        score=score,
        vetoes=vetoes,
        deductions=deductions,
        failed_vetoes=[v for v in vetoes if v.get("checked", True) and not v.get("passed")],
        total_deducted=sum(int(d.get("points") or 0) for d in deductions),
        groups=groups,
        columns=columns,
        column_counts={
            "total": len(columns),
            "stale": sum(1 for c in columns if c.stale),
            "empty": sum(1 for c in columns if c.empty),
        },
        availability=runner.availability(site, now=run.finished_at or run.created_at),
        previous=previous,
        generated_at=timezone.now(),
    )


def _all_findings(report, group):
    """Every finding of ``group`` (the page shows at most ``limit``; downloads all)."""
    if not group.truncated:
        return group.findings
    return list(
        report.run.findings.filter(kind=group.kind).order_by("-on_home", "url", "target", "pk")
    )


def _yes(value):
    return "是" if value else ""


def _date(value):
    return value.isoformat() if value else "无"


def _status(finding):
    parts = []
    if finding.status:
        parts.append(f"HTTP {finding.status}")
    if finding.detail:
        parts.append(finding.detail)
    return " ".join(parts)


# Per kind: the columns of its sheet (heading, width, value of a finding).
_FINDING_COLUMNS = {
    FindingKind.BROKEN_LINK: [
        ("所在页面", 50, lambda f: f.url),
        ("链接", 50, lambda f: f.target),
        ("状态", 24, _status),
        ("在首页", 8, lambda f: _yes(f.on_home)),
        ("外部链接", 8, lambda f: _yes(f.external)),
    ],
    FindingKind.WORDING: [
        ("页面", 50, lambda f: f.url),
        ("错误表述", 16, lambda f: f.target),
        ("类别", 12, lambda f: WORDING_LABELS.get(f.category, f.category)),
        ("建议", 16, lambda f: f.detail),
        ("上下文", 50, lambda f: f.context),
    ],
    FindingKind.SECURITY: [
        ("页面", 50, lambda f: f.url),
        ("问题", 24, lambda f: SECURITY_LABELS.get(f.category, f.category)),
        ("所见", 50, lambda f: f.detail),
    ],
}
_COLUMN_FINDING = [
    ("栏目", 50, lambda f: f.url),
    ("名称", 20, lambda f: f.detail),
    ("类型", 12, lambda f: COLUMN_KIND_LABELS.get(f.category, f.category)),
    ("最新信息日期", 14, lambda f: _date(f.newest)),
]
for _kind in (FindingKind.STALE_COLUMN, FindingKind.EMPTY_COLUMN, FindingKind.HOME_STALE):
    _FINDING_COLUMNS[_kind] = _COLUMN_FINDING
_OTHER_COLUMNS = [
    ("页面", 50, lambda f: f.url or "—"),
    ("说明", 60, lambda f: f.detail),
    ("数量", 8, lambda f: f.count or ""),
]


def finding_columns(kind):
    return _FINDING_COLUMNS.get(kind, _OTHER_COLUMNS)


def _veto_result(veto):
    if not veto.get("checked", True):
        return "不适用"
    return "通过" if veto.get("passed") else "未通过"


def summary_lines(report):
    """(label, value) pairs of the report's overview, shared by the workbook and the PDF."""
    run, site, score = report.run, report.site, report.score
    lines = [
        ("网站", site.name),
        ("首页地址", site.base_url),
        ("所属区划", site.region.name),
        ("主办单位", site.owner_department.name if site.owner_department else ""),
        ("发起时间", f"{timezone.localtime(run.created_at):%Y-%m-%d %H:%M}"),
        (
            "完成时间",
            f"{timezone.localtime(run.finished_at):%Y-%m-%d %H:%M}" if run.finished_at else "",
        ),
        ("检查状态", run.get_state_display()),
        (
            "检查范围",
            f"{run.pages} 个页面，{run.links_checked} 个链接"
            + (f"（{run.stopped_because_label}，未检查完全部页面）" if run.stopped_because else ""),
        ),
    ]
    if score is not None:
        verdict = "合格" if score.passed else "不合格"
        lines += [
            ("得分", f"{score.score} 分（满分 100，扣 {report.total_deducted} 分）"),
            ("结论", verdict + ("（单项否决指标未通过）" if report.failed_vetoes else "")),
        ]
        if report.previous is not None:
            lines.append(
                (
                    "上次得分",
                    f"{report.previous.score} 分"
                    f"（{timezone.localtime(report.previous.at):%Y-%m-%d %H:%M}）",
                )
            )
    else:
        lines.append(("得分", "这次检查没有评分"))
    availability = report.availability
    if availability is not None and availability.total:
        lines.append(
            (
                "首页可用性",
                f"近 {availability.days} 天检测 {availability.total} 次，失败 "
                f"{availability.failed} 次（{availability.percent_failed}%）",
            )
        )
    counts = report.column_counts
    lines.append(
        (
            "栏目",
            f"共 {counts.get('total', 0)} 个，不更新 {counts.get('stale', 0)} 个，"
            f"空白 {counts.get('empty', 0)} 个",
        )
    )
    for group in report.groups:
        lines.append((group.label, f"{group.count} 项"))
    lines.append(("报告生成时间", f"{timezone.localtime(report.generated_at):%Y-%m-%d %H:%M}"))
    return [(label, str(value)) for label, value in lines if value not in (None, "")]


def filename(report, ext):
    day = timezone.localtime(report.run.finished_at or report.run.created_at)
    return f"monitoring-report-{report.site.pk}-{report.run.pk}-{day:%Y%m%d}.{ext}"


# Excel ----------------------------------------------------------------------------------

SHEET_HEADING_FONT = Font(bold=True, color="FFFFFF")
SHEET_HEADING_FILL = PatternFill("solid", fgColor="164B8C")
WRAP = Alignment(wrap_text=True, vertical="top")
# Sheet names: at most 31 characters, none of []:*?/\
_SHEET_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _sheet(book, title, headings, widths, rows):
    sheet = book.create_sheet(title.translate(_SHEET_BAD)[:31])
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = SHEET_HEADING_FONT
        cell.fill = SHEET_HEADING_FILL
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append([_cell(value) for value in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP
    sheet.freeze_panes = "A2"
    if len(headings) > 1:
        sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _cell(value):
    """A value safe in a cell: no control characters, no formula (a page's text could begin
    with "=")."""
    if isinstance(value, str):
        value = _clean(value)
        if value[:1] in ("=", "+", "-", "@"):
            value = "'" + value
    return value


def workbook_bytes(report):
    """The report as an .xlsx: 概况, 单项否决, 扣分, a sheet per kind of finding (every
    finding), 栏目."""
    book = Workbook()
    book.remove(book.active)
    _sheet(book, "概况", ["项目", "内容"], [16, 80], summary_lines(report))
    _sheet(
        book,
        "单项否决",
        ["序号", "指标", "结果", "依据"],
        [6, 24, 10, 80],
        [
            (v.get("rule"), v.get("title"), _veto_result(v), "\n".join(v.get("evidence") or []))
            for v in report.vetoes
        ],
    )
    _sheet(
        book,
        "扣分",
        ["指标", "扣分", "依据"],
        [24, 8, 80],
        [
            (d.get("title"), d.get("points"), "\n".join(d.get("evidence") or []))
            for d in report.deductions
        ],
    )
    for group in report.groups:
        columns = finding_columns(group.kind)
        _sheet(
            book,
            group.label,
            [heading for heading, _, _ in columns],
            [width for _, width, _ in columns],
            [[value(f) for _, _, value in columns] for f in _all_findings(report, group)],
        )
    _sheet(
        book,
        "栏目",
        ["栏目名称", "地址", "类型", "信息条数", "最新信息日期", "判定"],
        [20, 50, 12, 10, 14, 10],
        [
            (
                c.name,
                c.url,
                c.get_kind_display(),
                c.items,
                _date(c.newest),
                "空白" if c.empty else "不更新" if c.stale else "正常",
            )
            for c in report.columns
        ],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# PDF ------------------------------------------------------------------------------------

MARGIN = 15
BODY_SIZE = 9.5
LINE = 5.4
ACCENT = (22, 75, 140)
FAIL = (170, 30, 30)
MUTED = (90, 90, 90)
# The PDF lists at most this many findings of a kind; the workbook has them all.
PDF_FINDINGS_PER_KIND = 300


class ReportPDF(FPDF):
    def __init__(self, report):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        _register_font(self)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.alias_nb_pages()
        self.set_font(FAMILY, size=BODY_SIZE)
        self.set_title(f"{report.site.name} 网站检查报告")
        self.set_lang("zh-CN")
        self.set_subject(report.site.base_url)
        self.set_creator("一网 网站监测")
        self.set_creation_date(report.generated_at)

    def footer(self):
        self.set_y(-11)
        self.set_font(FAMILY, size=7.5)
        self.set_text_color(*MUTED)
        self.cell(0, 5, _clean(f"{self.report.site.name} · 网站检查报告"), align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align=Align.R)
        self.set_text_color(0)

    def heading(self, text, *, size=12.5):
        if self.will_page_break(LINE * 4):
            self.add_page()
        self.ln(2)
        self.start_section(_clean(text))
        self.set_font(FAMILY, size=size)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, 7, _clean(text), wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.set_font(FAMILY, size=BODY_SIZE)

    def paragraph(self, text, *, color=None, size=BODY_SIZE):
        text = _clean(text)
        if not text:
            return
        self.set_font(FAMILY, size=size)
        if color:
            self.set_text_color(*color)
        width = self.epw - 2 * self.c_margin
        lines = [
            line
            for part in text.split("\n")
            for line in break_lines(part, width, self.get_string_width)
        ]
        self.multi_cell(
            0, LINE, "\n".join(lines), wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT"
        )
        self.set_text_color(0)
        self.set_font(FAMILY, size=BODY_SIZE)

    def table(self, headings, rows, widths, *, first_row_as_headings=True):
        write_table(
            self,
            headings,
            rows,
            widths,
            line_height=LINE - 0.4,
            padding=(1, 1.3),
            first_row_as_headings=first_row_as_headings,
        )


def pdf_bytes(report):
    """The report as a PDF (A4, Chinese font): overview, vetoes, deductions, findings by
    kind (at most ``PDF_FINDINGS_PER_KIND`` of each) and columns."""
    pdf = ReportPDF(report)
    pdf.add_page()
    pdf.set_font(FAMILY, size=16)
    pdf.multi_cell(
        0,
        9,
        _clean(f"{report.site.name} 网站检查报告"),
        align=Align.C,
        wrapmode=WrapMode.CHAR,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FAMILY, size=BODY_SIZE)
    pdf.ln(2)
    pdf.table([], summary_lines(report), (22, 78), first_row_as_headings=False)
    if report.failed_vetoes:
        pdf.paragraph("有单项否决指标未通过，网站不合格（无论得分多少）。", color=FAIL)
    if report.unreachable:
        pdf.paragraph(UNREACHABLE_NOTE, color=FAIL)

    if report.score is not None:
        pdf.heading("单项否决指标")
        pdf.table(
            ["指标", "结果", "依据"],
            [
                (
                    f"{v.get('rule')}. {v.get('title')}",
                    _veto_result(v),
                    "\n".join(v.get("evidence") or []),
                )
                for v in report.vetoes
            ],
            (26, 10, 64),
        )
        pdf.heading("扣分指标")
        if report.deductions:
            pdf.table(
                ["指标", "扣分", "依据"],
                [
                    (d.get("title"), str(d.get("points")), "\n".join(d.get("evidence") or []))
                    for d in report.deductions
                ],
                (26, 8, 66),
            )
        else:
            pdf.paragraph("没有扣分。")

    for group in report.groups:
        findings = _all_findings(report, group)[:PDF_FINDINGS_PER_KIND]
        title = f"{group.label}（{group.count} 项）"
        pdf.heading(title)
        if len(findings) < group.count:
            pdf.paragraph(f"列出前 {len(findings)} 项，全部见 Excel 报告。", color=MUTED)
        columns = finding_columns(group.kind)
        pdf.table(
            [heading for heading, _, _ in columns],
            [[str(value(f)) for _, _, value in columns] for f in findings],
            [width for _, width, _ in columns],
        )

    if report.columns:
        counts = report.column_counts
        pdf.heading("栏目更新情况")
        pdf.paragraph(
            f"共 {counts['total']} 个栏目，不更新 {counts['stale']} 个，空白 {counts['empty']} 个。"
        )
        pdf.table(
            ["栏目", "类型", "条数", "最新信息", "判定"],
            [
                (
                    f"{c.name}\n{c.url}" if c.name else c.url,
                    c.get_kind_display(),
                    str(c.items),
                    _date(c.newest),
                    "空白" if c.empty else "不更新" if c.stale else "正常",
                )
                for c in report.columns
            ],
            (50, 14, 8, 14, 10),
        )
    return bytes(pdf.output())
