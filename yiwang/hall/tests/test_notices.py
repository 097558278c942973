"""Official notices as PDFs: the Chinese text reads back (through the embedded font's
ToUnicode map), each kind says what it must, and ``issue`` stores a private CaseDocument."""

import logging
import os
from datetime import date, datetime

import pytest
from django.utils import timezone

from yiwang.catalog.tests.test_pdf import fonts_of, read, text_of
from yiwang.hall import clocks, notices
from yiwang.hall.constants import Channel, Decision, DocumentKind, PauseReason, Step
from yiwang.hall.models import CaseDocument, CaseMaterial, CorrectionRequest

from .test_clocks import make_case, make_task

pytestmark = pytest.mark.django_db


class Warnings(logging.Handler):
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


def flat(data):
    """The PDF's text with line breaks removed (lines break between any two characters)."""
    return text_of(read(data)).replace("\n", "")


@pytest.fixture
def case(regions):
    case = make_case(
        regions["county_a"],
        name="小型餐饮经营许可",
        number="9901022026120200017",
        statutory_limit_days=20,
        promised_limit_days=5,
        submitted_at=timezone.make_aware(datetime(2026, 9, 28, 10, 0)),
        applicant_name="李四",
    )
    case.department.name = "松林县市场监督管理局"
    case.department.save()
    return case


def test_acceptance_notice_names_everything_and_the_due_dates(case, fpdf_warnings):
    task = make_task(case, Step.ACCEPT)
    clocks.on_task_opened(task, date(2026, 9, 28))
    clocks.on_accepted(case, date(2026, 9, 28))
    data = notices.render(case, DocumentKind.ACCEPTANCE_NOTICE, issued_on=date(2026, 9, 28))
    assert data.startswith(b"%PDF")
    text = flat(data)
    assert "受理通知书" in text
    assert "受字〔2026〕第 9901022026120200017 号" in text
    assert "李四：" in text
    assert "“小型餐饮经营许可”申请" in text
    assert "2026年9月28日" in text
    # Promised 5 working days: 10-10 (a worked Saturday); statutory 20: 10-30.
    assert "承诺办结期限为2026年10月10日" in text
    assert "法定办结期限为2026年10月30日" in text
    assert "决定予以受理" in text
    assert "特此通知。松林县市场监督管理局（印章）2026年9月28日" in text
    # Only the embedded Noto Sans CJK SC subset, and no glyph missing.
    (name,) = fonts_of(read(data))
    assert name.endswith("NotoSansCJKSC")
    assert not [m for m in fpdf_warnings if "missing" in m]


def test_correction_notice_lists_every_item_of_the_round(case):
    task = make_task(case, Step.ACCEPT)
    clocks.on_task_opened(task, date(2026, 9, 28))
    clocks.pause(case, PauseReason.CORRECTION, date(2026, 9, 29))
    correction = CorrectionRequest.objects.create(
        case=case,
        round=1,
        items=[
            {"material": "营业执照副本", "reason": "复印件不清晰，请上传原件扫描件"},
            {"material": "食品安全管理制度", "reason": "缺少第三页签字"},
            {"material": "从业人员健康证明", "reason": "已过有效期"},
        ],
        note="请同时核对经营场所面积。",
    )
    text = flat(notices.render(case, DocumentKind.CORRECTION_NOTICE, correction=correction))
    assert "补正材料通知书" in text and "补字〔" in text
    assert "一次性告知" in text and "第1次补正" in text
    assert "1. 营业执照副本：复印件不清晰，请上传原件扫描件" in text
    assert "2. 食品安全管理制度：缺少第三页签字" in text
    assert "3. 从业人员健康证明：已过有效期" in text
    assert "说明：请同时核对经营场所面积。" in text
    assert "补正期间办理时限暂停计算" in text
    # One of the 5 acceptance days was used before the correction.
    assert "收到全部补正材料后4个工作日内作出是否受理的决定" in text


def test_refusal_notice_gives_the_reason_and_the_remedies(case):
    case.refusal_reason = (
        "申请事项不属于本机关职权范围，依据《中华人民共和国行政许可法》第三十二条第一款第二项"
    )
    case.save()
    text = flat(notices.render(case, DocumentKind.REFUSAL_NOTICE))
    assert "不予受理通知书" in text
    assert "不予受理的理由及依据：申请事项不属于本机关职权范围" in text
    assert "第三十二条第一款第二项" in text
    assert "六十日内依法申请行政复议" in text
    assert "六个月内依法向人民法院提起行政诉讼" in text


def test_decisions_approved_and_denied(case):
    case.decision = Decision.APPROVED
    case.decision_reason = "经现场核查，符合条件。"
    text = flat(notices.render(case, DocumentKind.DECISION))
    assert "准予行政许可决定书" in text and "决定准予" in text
    assert "经现场核查，符合条件。" in text
    assert "行政复议" not in text

    case.decision = Decision.DENIED
    case.decision_reason = "经营场所面积不足规定标准。"
    text = flat(notices.render(case, DocumentKind.DECISION))
    assert "不予行政许可决定书" in text and "决定不予" in text
    assert "理由：经营场所面积不足规定标准。" in text
    assert "六十日内依法申请行政复议" in text and "提起行政诉讼" in text


def test_receipt_lists_materials_and_prints_no_query_code(case):
    case.channel = Channel.COUNTER
    case.query_code_hash = "x" * 64
    case.save()
    for name in ("居民身份证", "居民身份证", "营业执照"):
        CaseMaterial.objects.create(
            case=case,
            material_name=name,
            file="cases/x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
        )
    CaseMaterial.objects.create(
        case=case,
        material_name="旧材料",
        file="cases/y.pdf",
        original_name="y.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        superseded=True,
    )
    task = make_task(case, Step.ACCEPT)
    clocks.on_task_opened(task, date(2026, 9, 28))
    text = flat(notices.render(case, DocumentKind.RECEIPT))
    assert "申请回执" in text and "在窗口提出" in text
    assert "1. 居民身份证（2份）" in text and "2. 营业执照（1份）" in text
    assert "旧材料" not in text
    assert "不表示申请已被受理" in text
    assert "5个工作日内（2026年10月10日前）" in text
    assert "查询码" in text and "查询码：" not in text


def test_issue_stores_a_private_case_document(case, private_root, regions):
    from yiwang.hall.tests.factories import make_staff

    staff = make_staff(case.department)
    CorrectionRequest.objects.create(case=case, round=1, items=[{"material": "甲", "reason": "乙"}])
    CorrectionRequest.objects.create(case=case, round=2, items=[{"material": "丙", "reason": "丁"}])
    document = notices.issue(case=case, kind=DocumentKind.CORRECTION_NOTICE, actor=staff)
    document = CaseDocument.objects.get(pk=document.pk)
    assert document.title == "补正材料通知书（9901022026120200017）"
    assert document.kind == DocumentKind.CORRECTION_NOTICE
    assert document.content_type == "application/pdf" and document.created_by == staff
    assert os.path.basename(document.file.name) == "9901022026120200017-correction_notice-2.pdf"
    path = document.file.path
    assert path.startswith(os.path.abspath(private_root))
    with document.file.open("rb") as handle:
        text = flat(handle.read())
    assert "第2次补正" in text and "1. 丙：丁" in text and "甲" not in text
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018  (no public address)

    acceptance = notices.issue(case=case, kind=DocumentKind.ACCEPTANCE_NOTICE)
    assert acceptance.title == "受理通知书（9901022026120200017）"
    assert os.path.basename(acceptance.file.name) == "9901022026120200017-acceptance_notice.pdf"


def test_a_long_correction_list_continues_on_a_second_page(case):
    correction = CorrectionRequest.objects.create(
        case=case,
        round=1,
        items=[{"material": f"材料{n}", "reason": "请补充完整" * 8} for n in range(1, 31)],
    )
    reader = read(notices.render(case, DocumentKind.CORRECTION_NOTICE, correction=correction))
    assert len(reader.pages) >= 2
    text = text_of(reader).replace("\n", "")
    assert "30. 材料30" in text and "第 2 页 / 共" in text
