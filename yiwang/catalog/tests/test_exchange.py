"""Export and import of full guides (JSON and Excel): exact round trips, new revisions for
existing implementations, per-guide errors that write nothing, the commands."""

import base64
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from wagtail.documents.models import Document
from wagtail.models import Revision

from yiwang.catalog import actions, exchange
from yiwang.catalog.constants import ImplementationStatus
from yiwang.catalog.models import (
    CatalogItem,
    Fee,
    Implementation,
    LegalBasis,
    Material,
    ProcessStep,
    Question,
    Situation,
    SpecialProcedure,
    Theme,
)
from yiwang.core.models import AuditEvent
from yiwang.orgs.models import Department

from .factories import build_implementation, make_catalog_item, make_department, publish

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 40


def make_document(title, name, content=PDF):
    document = Document(title=title)
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media-a")
    return tmp_path


@pytest.fixture
def full_catalog(regions, media):
    """Three implementations with every field and list filled, files attached, a business
    variant, and a cancelled item replaced by another."""
    county = regions["county_a"]
    department = make_department(county, "松林县民政局", uscc="11990102MB0000011Q")
    other = make_department(county, "松林县人社局")
    item = CatalogItem.objects.create(
        code="511A0099900000",
        name="婚姻登记",
        item_type=7,
        competent_department="民政部",
        legal_basis="《婚姻登记条例》",
        exercise_levels="县级",
        description="结婚、离婚、补领婚姻登记证。",
    )
    flow = make_document("婚姻登记流程图", "liuchengtu.pdf")
    sample = make_document("结婚证样本", "jiehunzheng.pdf", PDF + b"sample")
    blank = make_document("申请登记声明书", "shengmingshu.pdf", PDF + b"blank" * 9000)
    example = make_document("声明书填写示例", "shili.pdf", PDF + b"example")
    main = build_implementation(
        region=county,
        department=department,
        catalog_item=item,
        code=f"{item.code}-{county.code}-000-{department.uscc}-1-00",
        name="内地居民结婚登记",
        variant="",
        audience="both",
        body_address="松林县人民路8号",
        body_postcode="999102",
        body_contact="张科长 0999-7654321",
        summary="办理内地居民结婚登记。\n双方共同到场。",
        conditions="男方年满22周岁。\n女方年满20周岁。",
        prohibitions="不得代办。",
        statutory_limit_days=20,
        statutory_limit_note="当场办结",
        limit_kind="promised",
        promised_limit_days=1,
        charges_fee=True,
        place="松林县政务服务中心二楼",
        hours="周一至周五 9:00-17:00",
        enquiry_phone="0999-1234567",
        complaint_phone="12345",
        required_visits=1,
        visit_reason="需双方当面签字",
        online_depth=3,
        real_name_level=2,
        flow_chart=flow,
        result_name="结婚证",
        result_type="license",
        result_sample=sample,
        delivery_methods=["pickup", "electronic"],
        responsibility_notes="=不是公式，开头是等号",
    )
    main.situations = [
        Situation(code="A", name="初婚", description="双方均为初婚"),
        Situation(code="B", name="再婚", description=""),
    ]
    main.materials = [
        Material(
            name="居民身份证",
            form="original",
            copies=1,
            necessity="required",
            source="government",
            source_note="公安机关核发",
            paper_size="A4",
            requirements="有效期内",
            blank_form=blank,
            sample_form=example,
            license_type="居民身份证",
            situation_codes="A,B",
        ),
        Material(
            name="离婚证",
            form="original_and_copy",
            copies=2,
            necessity="conditional",
            source="applicant",
            situation_codes="B",
        ),
    ]
    main.legal_bases = [
        LegalBasis(
            law_name="中华人民共和国民法典",
            law_level="law",
            document_number="主席令第45号",
            article="第一千零四十九条",
            text="要求结婚的男女双方应当亲自到婚姻登记机关申请结婚登记。",
        ),
        LegalBasis(law_name="婚姻登记条例", law_level="administrative_regulation"),
    ]
    main.process_steps = [
        ProcessStep(
            name="受理", description="审查材料", time_limit_days=Decimal("0.5"), handler="窗口"
        ),
        ProcessStep(name="决定", time_limit_days=None),
    ]
    main.special_procedures = [
        SpecialProcedure(name="公告", time_limit_days=5, counts_in_limit=True, description="公示")
    ]
    main.fees = [
        Fee(
            name="工本费",
            standard="9元/件",
            basis="发改价格〔2003〕2322号",
            reducible=True,
            reduction_note="困难群众免收",
        )
    ]
    main.questions = [Question(question="可以异地办理吗？", answer="可以，在一方户籍地办理。")]
    main.themes = list(Theme.objects.filter(code__in=["p-marriage", "p-other"]))
    main = publish(main)

    variant_item = make_catalog_item(code="511A0099900001", name="补领婚姻登记证")
    variant = build_implementation(
        region=county,
        department=department,
        catalog_item=variant_item,
        code=f"{variant_item.code}-{county.code}-000-{department.uscc}-1-01",
        variant="reissue",
        variant_of=main,
        limit_kind="on_the_spot",
        promised_limit_days=None,
        statutory_limit_days=None,
    )
    variant = publish(variant)

    old = publish(build_implementation(region=county, department=other, name="旧事项"))
    actions.cancel_implementation(
        implementation=old,
        actor=None,
        reason="职能调整",
        effective_at=datetime(2025, 3, 1, 8, 30, 15, 123456, tzinfo=UTC),
        replacement=main,
    )
    # A second version of the main item: its history is not exported, its content is.
    main.hours = "周一至周五 9:00-17:30"
    publish(main)
    return {"main": main, "variant": variant, "old": old}


def empty_database(settings, tmp_path):
    """Remove every catalog row, document and department, and point the media store at a
    new empty directory: what an empty receiving system looks like."""
    Implementation.objects.update(variant_of=None, replaced_by=None)
    Revision.objects.filter(base_content_type__model="implementation").delete()
    Implementation.objects.all().delete()
    CatalogItem.objects.all().delete()
    Document.objects.all().delete()
    Department.objects.all().delete()
    settings.MEDIA_ROOT = str(tmp_path / "media-b")


def test_every_field_is_exported_or_deliberately_left_out():
    """A field added to the models later must be added to the exchange (or excluded)."""
    names = {f.name for f in Implementation._meta.get_fields() if f.concrete}
    covered = {"code", "catalog_item", "region", "department", "variant_of", "themes"}
    covered |= set(exchange.GUIDE_FIELDS) | set(exchange.LIFECYCLE_FIELDS)
    assert names - covered - exchange.NOT_EXPORTED == set()
    for _list, (model, fields, _sheet) in exchange.CHILD_LISTS.items():
        concrete = {f.name for f in model._meta.get_fields() if f.concrete}
        assert concrete - set(fields) == {"id", "sort_order", "implementation"}
    item_fields = {f.name for f in CatalogItem._meta.get_fields() if f.concrete}
    assert item_fields - set(exchange.CATALOG_ITEM_FIELDS) == {"id", "created_at", "updated_at"}


def test_json_export_has_every_element(full_catalog):
    document = exchange.export_guides()
    assert document["format"] == "yiwang.catalog.guides"
    assert document["format_version"] == 1
    codes = [g["code"] for g in document["guides"]]
    # The main item before its business variant.
    assert codes.index(full_catalog["main"].code) < codes.index(full_catalog["variant"].code)
    main = next(g for g in document["guides"] if g["code"] == full_catalog["main"].code)
    assert main["hours"] == "周一至周五 9:00-17:30"
    assert main["department"] == {"name": "松林县民政局", "uscc": "11990102MB0000011Q"}
    assert main["region"] == "990102000000"
    assert main["themes"] == ["p-marriage", "p-other"]
    assert main["catalog_item"]["item_type"] == 7
    assert main["delivery_methods"] == ["pickup", "electronic"]
    assert main["flow_chart"]["title"] == "婚姻登记流程图"
    assert main["flow_chart"]["file_name"] == "liuchengtu.pdf"
    assert base64.b64decode(main["flow_chart"]["content"]) == PDF
    assert main["materials"][0]["blank_form"]["file_name"] == "shengmingshu.pdf"
    assert main["materials"][0]["situation_codes"] == "A,B"
    assert main["materials"][0]["license_type"] == "居民身份证"
    assert [s["time_limit_days"] for s in main["process_steps"]] == ["0.5", None]
    assert main["special_procedures"][0]["counts_in_limit"] is True
    assert main["fees"][0]["reducible"] is True
    assert "version" not in main
    old = next(g for g in document["guides"] if g["code"] == full_catalog["old"].code)
    assert old["status"] == "cancelled"
    assert old["status_effective_at"] == "2025-03-01T08:30:15.123456+00:00"
    assert old["replaced_by"] == full_catalog["main"].code
    variant = next(g for g in document["guides"] if g["code"] == full_catalog["variant"].code)
    assert variant["variant_of"] == full_catalog["main"].code


def test_json_round_trip_into_an_empty_database_is_exact(full_catalog, settings, tmp_path):
    first = exchange.export_json()
    empty_database(settings, tmp_path)

    result = exchange.import_guides(
        exchange.load_json(first), create_departments=True, source="guides.json"
    )

    assert result.errors == []
    assert (result.created, result.updated, result.failed) == (3, 0, 0)
    assert result.departments_created == 2 and result.documents_created == 4
    assert exchange.export_json() == first
    old = Implementation.objects.get(code=full_catalog["old"].code)
    assert old.status == ImplementationStatus.CANCELLED
    assert not Implementation.objects.visible().filter(pk=old.pk).exists()
    assert Implementation.objects.get(code=full_catalog["main"].code).version == 1
    audit = AuditEvent.objects.filter(action="catalog.imported").get()
    assert audit.detail["created"] == 3 and audit.detail["source"] == "guides.json"


def test_excel_round_trip_into_an_empty_database_is_exact(full_catalog, settings, tmp_path):
    first_json = exchange.export_json()
    first = exchange.export_xlsx()
    first_rows = exchange.workbook_rows(load_workbook(io.BytesIO(first)))
    # One sheet per list, keyed by 实施编码, Chinese headers.
    assert list(first_rows) == [
        "说明",
        "事项",
        "办理情形",
        "申请材料",
        "设定依据",
        "办理流程",
        "特别程序",
        "收费项目",
        "常见问题",
        "附件",
    ]
    assert first_rows["申请材料"][0][:4] == ["实施编码", "序号", "材料名称", "材料形式"]
    header = first_rows["事项"][0]
    main_row = next(r for r in first_rows["事项"] if r[0] == full_catalog["main"].code)
    assert main_row[header.index("服务对象")] == "自然人、法人"
    assert main_row[header.index("是否收费")] == "是"
    assert main_row[header.index("送达方式")] == "窗口领取、电子证照/电子送达"
    # The big blank form is split under Excel's cell limit.
    files = first_rows["附件"][1:]
    assert max(len(r[4] or "") for r in files) <= 32767
    assert len([r for r in files if r[2] == "shengmingshu.pdf"]) == 3
    book = load_workbook(io.BytesIO(first))
    notes = book["事项"].cell(row=2 + 0, column=header.index("本事项的其他责任事项") + 1)
    assert notes.data_type == "s"

    empty_database(settings, tmp_path)
    result = exchange.import_guides(exchange.workbook_to_guides(first), create_departments=True)

    assert result.errors == []
    assert result.created == 3
    assert exchange.workbook_rows(load_workbook(io.BytesIO(exchange.export_xlsx()))) == first_rows
    assert exchange.export_json() == first_json


def test_import_of_an_existing_implementation_publishes_a_new_revision(full_catalog):
    main = Implementation.objects.get(pk=full_catalog["main"].pk)
    versions, revisions = main.version, main.revisions.count()
    assert versions == 2
    document = exchange.export_guides()
    guide = next(g for g in document["guides"] if g["code"] == main.code)
    guide["promised_limit_days"] = 3
    guide["materials"].append({"name": "户口簿", "form": "original"})

    result = exchange.import_guides(document["guides"])

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    main.refresh_from_db()
    assert main.promised_limit_days == 3 and main.version == versions + 1
    assert main.revisions.count() == revisions + 1
    assert [m.name for m in main.materials.order_by("sort_order")] == [
        "居民身份证",
        "离婚证",
        "户口簿",
    ]
    # The previous version is still in the history, with the old limit.
    previous = main.revisions.order_by("-created_at", "-pk")[1].as_object()
    assert previous.promised_limit_days == 1
    assert Document.objects.count() == 4


def test_reimporting_the_same_file_changes_nothing(full_catalog):
    first = exchange.export_json()
    revisions = Revision.objects.count()
    result = exchange.import_guides(exchange.load_json(first))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert Revision.objects.count() == revisions
    assert Document.objects.count() == 4
    assert exchange.export_json() == first


def test_a_bad_guide_is_reported_and_writes_nothing(full_catalog, regions):
    document = exchange.export_guides()
    good = next(g for g in document["guides"] if g["code"] == full_catalog["main"].code)
    bad = json.loads(json.dumps(good))
    bad["code"] = "511A0099900009-990102000000-000-11990102MB0000011Q-1-00"
    bad["catalog_item"] = {"code": "511A0099900009", "name": "新事项", "item_type": 1}
    bad["online_depth"] = 9
    bad["themes"] = ["no-such-theme"]
    bad["materials"][1]["form"] = "parchment"
    bad["department"] = {"name": "不存在的局", "uscc": ""}
    bad["legal_bases"][0]["law_level"] = "decree"
    worse = dict(bad, code="not a code", department=good["department"])
    good["summary"] = "改过的概述"
    before = Implementation.objects.count()

    result = exchange.import_guides([bad, good, worse])

    assert (result.updated, result.failed) == (1, 2)
    messages = [m for _where, m in result.errors]
    assert any("实施主体“不存在的局”在松林县不存在" in m for m in messages)
    assert any(m.startswith("实施编码") and "结构不正确" in m for m in messages)
    assert any("网上办理深度" in m for m in messages)
    assert any("主题不存在：no-such-theme" in m for m in messages)
    assert any(m.startswith("申请材料第 2 条：材料形式") for m in messages)
    assert any(m.startswith("设定依据第 1 条：效力层级") for m in messages)
    assert all(where.startswith(("第 1 条", "第 3 条")) for where, _m in result.errors)
    assert Implementation.objects.count() == before
    assert not CatalogItem.objects.filter(code="511A0099900009").exists()
    assert Implementation.objects.get(pk=full_catalog["main"].pk).summary == "改过的概述"
    audit = AuditEvent.objects.filter(action="catalog.imported").get()
    assert audit.detail["failed"] == 2 and audit.detail["updated"] == 1


def test_excel_cell_errors_name_the_sheet_and_row(full_catalog):
    book = load_workbook(io.BytesIO(exchange.export_xlsx()))
    header = [c.value for c in book["申请材料"][1]]
    book["申请材料"].cell(row=3, column=header.index("是否必要") + 1, value="大概")
    book["收费项目"].append(["NO-SUCH-CODE", 1, "工本费", "1元", "依据", "否", None])
    buffer = io.BytesIO()
    book.save(buffer)

    result = exchange.import_guides(exchange.workbook_to_guides(buffer.getvalue()))

    messages = [m for _where, m in result.errors]
    assert any("工作表“申请材料”第 3 行：是否必要：不是有效的选项：大概" in m for m in messages)
    assert any("NO-SUCH-CODE 不在“事项”工作表中" in m for m in messages)
    assert result.failed == 2 and result.unchanged == 2


def test_unreadable_files_are_refused_clearly():
    with pytest.raises(exchange.ExchangeError, match="不是本系统导出的办事指南文件"):
        exchange.load_json(b'{"guides": []}')
    with pytest.raises(exchange.ExchangeError, match="不支持的格式版本"):
        exchange.load_json(json.dumps({"format": exchange.FORMAT, "format_version": 99}))
    with pytest.raises(exchange.ExchangeError, match="无法读取 Excel 文件"):
        exchange.workbook_to_guides(b"not a workbook")


def test_withdrawn_state_round_trips_for_a_suspension_in_the_future(full_catalog):
    main = full_catalog["main"]
    later = datetime.now(UTC) + timedelta(days=3)
    actions.suspend_implementation(
        implementation=main, actor=None, reason="系统升级", effective_at=later
    )
    document = exchange.export_guides()
    actions.resume_implementation(implementation=main, actor=None)

    result = exchange.import_guides(document["guides"])

    assert result.lifecycle_changed == 1 and result.errors == []
    main.refresh_from_db()
    assert main.status == ImplementationStatus.SUSPENDED and main.status_effective_at == later
    assert Implementation.objects.visible().filter(pk=main.pk).exists()


def test_export_and_import_commands(full_catalog, regions, tmp_path, settings):
    out = tmp_path / "guides.json"
    call_command("export_catalog", "--format", "json", "--region", "990102", "-o", str(out))
    assert len(json.loads(out.read_text())["guides"]) == 3
    xlsx = tmp_path / "guides.xlsx"
    department = full_catalog["main"].department
    call_command("export_catalog", "--department", str(department.pk), "-o", str(xlsx))
    rows = exchange.workbook_rows(load_workbook(xlsx))["事项"]
    assert sorted(r[0] for r in rows[1:]) == sorted(
        [full_catalog["main"].code, full_catalog["variant"].code]
    )
    empty = tmp_path / "empty.json"
    call_command("export_catalog", "--region", "990103", "-o", str(empty))
    assert json.loads(empty.read_text())["guides"] == []

    empty_database(settings, tmp_path)
    stdout = io.StringIO()
    with pytest.raises(CommandError, match="2 条办事指南导入失败"):
        call_command("import_catalog", str(xlsx), stdout=stdout)
    assert "实施主体“松林县民政局”在松林县不存在" in stdout.getvalue()
    call_command("import_catalog", str(xlsx), "--create-departments", stdout=stdout)
    assert "新增 2" in stdout.getvalue()
    assert Implementation.objects.count() == 2
    with pytest.raises(CommandError, match="找不到区划"):
        call_command("export_catalog", "--region", "123456", "-o", str(empty))


def test_workbooks_are_parsed_through_defusedxml():
    # openpyxl switches to defusedxml when it is installed (a dependency of the project), so
    # an uploaded workbook cannot carry an XML bomb.
    from openpyxl import xml

    assert xml.DEFUSEDXML is True
