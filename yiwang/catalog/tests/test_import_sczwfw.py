"""The 四川政务服务网 listing of 广安区 (1,135 real items) imports with the source's type counts,
its departments derived from the codes, the odd codes reported, and re-runs change nothing."""

import io
import time
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from wagtail.models import Revision

from yiwang.catalog import importers
from yiwang.catalog.models import CatalogItem, Implementation
from yiwang.core.models import AuditEvent
from yiwang.orgs.models import Department, Region, level_of, stats_code

pytestmark = pytest.mark.django_db

SOURCE = (
    Path(__file__).resolve().parents[3]
    / ".."
    / "shared"
    / "real-material"
    / "service-items-guang-an-sczwfw"
)
needs_source = pytest.mark.skipif(
    not (SOURCE / "bszl.json").exists(),
    reason=f"the 四川政务服务网 listing is not at {SOURCE} (../shared/real-material)",
)

TYPE_COUNTS = {1: 536, 20: 348, 10: 182, 7: 50, 5: 9, 9: 8, 8: 2}
ODD_CODES = (
    "E-000004-001-11511301008778386B",
    "E-000021-001-1111111111111111",
    "H-000185-001-4444444444",
)


@pytest.fixture
def guang_an(db):
    """四川省, 广安市 and 广安区, as import_divisions would make them."""
    parent = None
    for code, name in (("51", "四川省"), ("5116", "广安市"), ("511602", "广安区")):
        full = stats_code(code)
        parent = Region.objects.create(
            code=full, division_code=full[:6], name=name, level=level_of(code), parent=parent
        )
    return parent


def visible_type_counts():
    rows = (
        Implementation.objects.visible()
        .values("catalog_item__item_type")
        .annotate(n=Count("pk"))
        .values_list("catalog_item__item_type", "n")
    )
    return dict(rows)


@needs_source
def test_the_listing_imports_with_the_source_counts(guang_an):
    stdout, stderr = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    call_command("import_catalog", str(SOURCE), stdout=stdout, stderr=stderr)
    seconds = time.perf_counter() - started
    output = stdout.getvalue()

    assert visible_type_counts() == TYPE_COUNTS
    assert Implementation.objects.visible().count() == 1135
    assert Implementation.objects.filter(version=1, live=True).count() == 1135
    # 1,132 national codes each with its own catalog segment, plus the three odd ones.
    assert CatalogItem.objects.count() == 1135
    assert CatalogItem.objects.filter(code="E-000004-001").get().item_type == 9
    # One department per department of the source, all in 广安区.
    assert Department.objects.count() == 34
    assert set(Department.objects.values_list("region", flat=True)) == {guang_an.pk}
    # 区人社局's deptCode variants (…239R, …239R_5143, …239R_6391…) are one department.
    hrss = Department.objects.get(name="区人社局")
    assert hrss.implementations.count() == 144
    assert hrss.uscc == ""
    # uscc only when it validates and is the department's own.
    assert Department.objects.get(name="区行政审批局").uscc == "115113016823646795"
    assert Department.objects.get(name="区教科体局").uscc == "115113010833722043"
    assert Department.objects.get(name="区交通运输局").uscc == "11511301008778386B"
    assert Department.objects.get(name="区医疗保障局").uscc == "11511301MB15537661"
    assert Department.objects.get(name="区烟草专卖局").uscc == ""
    assert Department.objects.exclude(uscc="").count() == 27

    # Every implementation has its first revision, as a Wagtail publish leaves it.
    item = Implementation.objects.get(
        code="511A0138600000-511602000000-000-115113010833722043-1-00"
    )
    assert item.name == "教师资格认定"
    assert item.department.name == "区教科体局"
    assert item.live_revision_id == item.latest_revision_id
    assert item.live_revision.as_object().name == "教师资格认定"
    assert Revision.objects.filter(base_content_type__model="implementation").count() == 1135

    for code in ODD_CODES:
        assert code in output
        assert Implementation.objects.filter(code=code, live=True).exists()
    assert "不符合国家编码结构" in output
    assert "1 行政许可：536" in output
    assert "新建 34" in output
    audit = AuditEvent.objects.filter(action="catalog.imported").get()
    assert audit.detail["created"] == 1135
    assert audit.detail["per_type"] == {str(k): v for k, v in TYPE_COUNTS.items()}
    print(f"\nsczwfw import of 1,135 items: {seconds:.2f} s")

    # Re-running changes nothing.
    revisions = Revision.objects.count()
    stdout = io.StringIO()
    call_command("import_catalog", str(SOURCE / "service_items_flat.csv"), stdout=stdout)
    assert "新增 0，更新 0（发布新版本），未变 1135" in stdout.getvalue()
    assert "新建 0" in stdout.getvalue()
    assert visible_type_counts() == TYPE_COUNTS
    assert Department.objects.count() == 34
    assert CatalogItem.objects.count() == 1135
    assert Revision.objects.count() == revisions
    assert AuditEvent.objects.filter(action="catalog.imported").count() == 2


@needs_source
def test_both_source_files_give_the_same_items():
    from_json = importers.read_source(SOURCE / "bszl.json")
    from_csv = importers.read_source(SOURCE / "service_items_flat.csv")

    def key(item):
        return (item.department, item.name, item.code, item.task_type, item.dept_code)

    assert Counter(map(key, from_json)) == Counter(map(key, from_csv))
    assert len(from_json) == 1135


@needs_source
def test_a_missing_region_is_a_clear_error(db):
    with pytest.raises(CommandError, match="请先运行 import_divisions"):
        call_command("import_catalog", str(SOURCE / "bszl.json"), stdout=io.StringIO())
    assert not Implementation.objects.exists()


def test_a_changed_listing_entry_gets_a_new_revision(guang_an, tmp_path):
    csv_path = tmp_path / "service_items_flat.csv"
    header = "department,main_item,name,item_code,task_type,dept_code,area_code,link\n"
    code = "511A0138600000-511602000000-000-115113010833722043-1-00"
    row = f"区教科体局,未分类,{{name}},{code},1,083372204,511602000000,\n"
    bad = "区教科体局,未分类,坏行,X-1,99,083372204,511602000000,\n"
    csv_path.write_text(header + row.format(name="教师资格认定") + bad, encoding="utf-8")
    first = importers.import_sczwfw(importers.read_source(csv_path))
    assert (first.created, first.skipped) == (1, 1)
    assert "taskType" in first.errors[0][1]

    csv_path.write_text(header + row.format(name="教师资格认定（新）"), encoding="utf-8")
    second = importers.import_sczwfw(importers.read_source(csv_path))

    assert (second.created, second.updated, second.unchanged) == (0, 1, 0)
    item = Implementation.objects.get(code=code)
    assert item.name == "教师资格认定（新）" and item.version == 2
    assert item.revisions.count() == 2


def test_uscc_derivation_rules():
    # A deptCode that is a credit code.
    assert importers.derive_uscc({"11511301008778386B", "11736"}, []) == "11511301008778386B"
    # An old organization code, found inside a body segment's credit code.
    assert (
        importers.derive_uscc({"083372204"}, ["115113010833722043", "083372204"])
        == "115113010833722043"
    )
    # One shared body segment.
    assert importers.derive_uscc({"4148481895459659776"}, ["11511301MB15537661"] * 3) == (
        "11511301MB15537661"
    )
    # Several units and no confirmed code: nothing stored.
    assert importers.derive_uscc({"1151130108778239R_5143"}, ["12511301452260997J", "x"]) == ""
    assert importers.derive_uscc({"71181655-9"}, ["TE5116020105116050"]) == ""
