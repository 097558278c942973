"""A run's report as data, as an Excel workbook and as a PDF: what each holds, that the page
shows at most ``limit`` findings of a kind while the downloads hold them all, that a page's
text cannot become a spreadsheet formula, and the download's file name."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from yiwang.catalog.tests.test_pdf import page_text
from yiwang.monitoring import crawler, reports, runner
from yiwang.monitoring.models import CheckRun, ColumnStatus, MonitoredSite, Probe
from yiwang.monitoring.results import CrawlReport, FindingKind
from yiwang.monitoring.results import Finding as F

pytestmark = pytest.mark.django_db

URL = "http://www.songlin.example.gov.cn/"


@pytest.fixture
def site(regions):
    return MonitoredSite.objects.create(
        name="松林县人民政府", base_url=URL, region=regions["county_a"]
    )


def run_with(site, monkeypatch, findings, *, columns=()):
    report = CrawlReport(
        start_url=site.base_url,
        pages=30,
        links_checked=120,
        findings=list(findings),
        columns=list(columns),
        home_newest=timezone.localdate(),
    )
    monkeypatch.setattr(crawler, "crawl", lambda url, **kw: report)
    return runner.execute(CheckRun.objects.create(site=site))


def broken(n, *, on_home=False):
    return F(
        kind=FindingKind.BROKEN_LINK,
        url=URL if on_home else f"{URL}news/{n}.html",
        target=f"{URL}gone/{n}.html",
        status=404,
        on_home=on_home,
    )


WRONG = F(
    kind=FindingKind.WORDING,
    url=URL + "news/1.html",
    target="国务院办工厅",
    detail="国务院办公厅",
    context="=据国务院办工厅通知",
    category="wrong",
)


def test_the_report_groups_findings_by_kind_and_sums_the_deductions(site, monkeypatch):
    run = run_with(site, monkeypatch, [broken(1, on_home=True), broken(2), broken(3), WRONG])
    report = reports.build(run)
    assert report.score.score == 100 - report.total_deducted
    assert report.total_deducted == sum(d["points"] for d in report.deductions) > 0
    assert [g.kind for g in report.groups] == ["broken_link", "wording"]
    links = report.groups[0]
    assert links.label == "错链断链" and links.count == 3 and not links.truncated
    # Home-page links first.
    assert links.findings[0].on_home
    assert [v["rule"] for v in report.failed_vetoes] == [1]
    assert report.previous is None


def test_the_page_shows_a_bounded_number_and_the_workbook_every_finding(site, monkeypatch):
    run = run_with(site, monkeypatch, [broken(n) for n in range(12)])
    report = reports.build(run, limit=5)
    (group,) = report.groups
    assert group.count == 12 and len(group.findings) == 5 and group.truncated

    book = load_workbook(io.BytesIO(reports.workbook_bytes(report)))
    assert book.sheetnames == ["概况", "单项否决", "扣分", "错链断链", "栏目"]
    sheet = book["错链断链"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("所在页面", "链接", "状态", "在首页", "外部链接")
    assert len(rows) == 1 + 12
    assert {r[2] for r in rows[1:]} == {"HTTP 404"}
    vetoes = list(book["单项否决"].iter_rows(values_only=True))
    assert len(vetoes) == 1 + 6 and vetoes[0] == ("序号", "指标", "结果", "依据")
    summary = dict(book["概况"].iter_rows(values_only=True))
    assert summary["网站"] == "松林县人民政府" and summary["错链断链"] == "12 项"
    assert summary["得分"].startswith(f"{report.score.score} 分")


def test_a_page_text_never_becomes_a_formula(site, monkeypatch):
    run = run_with(site, monkeypatch, [WRONG])
    book = load_workbook(io.BytesIO(reports.workbook_bytes(reports.build(run))))
    (row,) = list(book["错敏词"].iter_rows(min_row=2, values_only=True))
    assert row[1] == "国务院办工厅" and row[3] == "国务院办公厅"
    assert row[4] == "'=据国务院办工厅通知"


def test_the_workbook_lists_the_columns_and_the_previous_score(site, monkeypatch):
    today = timezone.localdate()
    run_with(site, monkeypatch, [])
    run = run_with(site, monkeypatch, [broken(1)])
    ColumnStatus.objects.create(run=run, url=URL + "tzgg/", name="通知公告", kind="notice")
    ColumnStatus.objects.create(
        run=run, url=URL + "ywdt/", name="要闻动态", kind="news", items=8, newest=today
    )
    ColumnStatus.objects.filter(run=run, name="通知公告").update(empty=True)
    Probe.objects.create(site=site, ok=True, at=timezone.now())
    Probe.objects.create(site=site, ok=False, at=timezone.now(), detail="timeout")
    report = reports.build(run)
    assert report.previous is not None and report.previous.score == 100
    assert report.column_counts == {"total": 2, "stale": 0, "empty": 1}
    book = load_workbook(io.BytesIO(reports.workbook_bytes(report)))
    columns = list(book["栏目"].iter_rows(min_row=2, values_only=True))
    assert ("通知公告", URL + "tzgg/", "通知公告类", 0, "无", "空白") in columns
    assert ("要闻动态", URL + "ywdt/", "动态要闻类", 8, today.isoformat(), "正常") in columns
    summary = dict(book["概况"].iter_rows(values_only=True))
    assert summary["上次得分"].startswith("100 分")
    assert summary["栏目"] == "共 2 个，不更新 0 个，空白 1 个"


def test_the_pdf_holds_the_verdict_the_evidence_and_the_findings(site, monkeypatch):
    run = run_with(site, monkeypatch, [broken(1, on_home=True), WRONG])
    report = reports.build(run)
    reader = PdfReader(io.BytesIO(reports.pdf_bytes(report)))
    text = "\n".join(page_text(reader, page) for page in reader.pages)
    assert "松林县人民政府 网站检查报告" in text
    assert "不合格" in text and "未通过" in text
    assert "国务院办工厅" in text and "国务院办公厅" in text
    assert "错链断链（1 项）" in text and "gone/1.html" in text
    assert reader.metadata.title == "松林县人民政府 网站检查报告"


def test_a_run_not_scored_still_has_a_report(site):
    run = CheckRun.objects.create(site=site)
    report = reports.build(run)
    assert report.score is None and report.groups == [] and report.vetoes == []
    assert reports.pdf_bytes(report).startswith(b"%PDF")
    book = load_workbook(io.BytesIO(reports.workbook_bytes(report)))
    assert dict(book["概况"].iter_rows(values_only=True))["得分"] == "这次检查没有评分"


def test_the_file_name_names_site_run_and_day(site, monkeypatch):
    run = run_with(site, monkeypatch, [])
    day = timezone.localtime(run.finished_at).strftime("%Y%m%d")
    name = reports.filename(reports.build(run), "xlsx")
    assert name == f"monitoring-report-{site.pk}-{run.pk}-{day}.xlsx"


def test_an_unreachable_site_says_its_score_is_not_its_content(site, monkeypatch):
    down = F(kind=FindingKind.UNREACHABLE, url=URL, detail="refused")
    report = reports.build(run_with(site, monkeypatch, [down]))
    assert report.unreachable and not report.score.passed
    reader = PdfReader(io.BytesIO(reports.pdf_bytes(report)))
    assert reports.UNREACHABLE_NOTE in "".join(page_text(reader, p) for p in reader.pages)
    assert not reports.build(run_with(site, monkeypatch, [])).unreachable
