"""The guide-completeness check on a fixture with known gaps, its admin report and its Excel
file. The fixture: in 松林县, the 行政审批局 has 6 visible implementations of which 5 miss
4 or more key elements (the service veto rule fails); in 临溪县, the 民政局 has 3 complete
ones and one that lacks only the enquiry phone (it passes)."""

import json
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from yiwang.accounts.models import User
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.catalog import actions, completeness
from yiwang.catalog.constants import KEY_ELEMENTS
from yiwang.catalog.models import Fee, LegalBasis

from .factories import build_implementation, make_catalog_item, make_department, publish

pytestmark = pytest.mark.django_db

ADDRESS = "松林县人民路 1 号"


def blank_guide(**fields):
    """Only a name, no children: 7 of the 10 key elements missing (the name is there, an item
    that charges nothing has its fees, and the department's address makes the body known)."""
    return {"complete": False, **fields}


@pytest.fixture
def gaps(regions):
    county_a, county_b = regions["county_a"], regions["county_b"]
    approvals = make_department(county_a, name="松林县行政审批局")
    approvals.address = ADDRESS
    approvals.save()
    civil = make_department(county_b, name="临溪县民政局")
    civil.address = "临溪县民政路 2 号"
    civil.save()

    a = [publish(build_implementation(region=county_a, department=approvals)) for _ in range(1)]
    # Five with gaps of 4+ elements, each a different shape.
    a.append(publish(build_implementation(region=county_a, department=approvals, **blank_guide())))
    a.append(
        publish(
            build_implementation(
                region=county_a, department=approvals, **blank_guide(place="一楼窗口")
            )
        )
    )
    a.append(
        publish(
            build_implementation(
                region=county_a,
                department=approvals,
                **blank_guide(place="一楼窗口", hours="工作日", enquiry_phone="0999-1"),
            )
        )
    )
    # Exactly 4 missing: legal basis, materials, process, fees (charged without a fee row).
    four = build_implementation(
        region=county_a,
        department=approvals,
        **blank_guide(
            conditions="本县居民", place="一楼", hours="工作日", enquiry_phone="1", charges_fee=True
        ),
    )
    a.append(publish(four))
    # Exactly 4 missing again, another way: conditions, place, hours, phone.
    other_four = build_implementation(region=county_a, department=approvals)
    other_four.conditions = other_four.place = other_four.hours = other_four.enquiry_phone = " "
    a.append(publish(other_four))

    b = [publish(build_implementation(region=county_b, department=civil)) for _ in range(3)]
    b.append(publish(build_implementation(region=county_b, department=civil, enquiry_phone="")))
    return {"approvals": approvals, "civil": civil, "a": a, "b": b}


def by_pk(items):
    return {item.implementation.pk: item.missing for item in items}


def test_missing_elements_of_each_item(gaps):
    items = by_pk(completeness.check())
    a, b = gaps["a"], gaps["b"]
    seven = ["legal_basis", "conditions", "materials", "place", "hours", "phone", "process"]
    # The department has an address, so the implementing body is known for every item.
    assert items[a[0].pk] == []
    assert items[a[1].pk] == seven
    assert items[a[2].pk] == [k for k in seven if k != "place"]
    assert items[a[3].pk] == ["legal_basis", "conditions", "materials", "process"]
    assert items[a[4].pk] == ["legal_basis", "materials", "fees", "process"]
    assert items[a[5].pk] == ["conditions", "place", "hours", "phone"]
    assert [items[obj.pk] for obj in b] == [[], [], [], ["phone"]]


def test_summaries_and_the_veto_rule(gaps):
    result = completeness.report()
    departments = {row.group.pk: row for row in result.by_department}
    approvals = departments[gaps["approvals"].pk]
    civil = departments[gaps["civil"].pk]
    assert (approvals.total, approvals.complete, approvals.many_missing) == (6, 1, 5)
    assert approvals.percent_complete == 16.7
    assert approvals.veto_fails is True
    assert (civil.total, civil.complete, civil.many_missing) == (4, 3, 0)
    assert civil.share_complete == 0.75
    assert civil.veto_fails is False
    assert approvals.missing_by_element["phone"] == 3

    regions = [
        (row.group.name, row.total, row.complete, row.veto_fails) for row in result.by_region
    ]
    assert regions == [("松林县", 6, 1, True), ("临溪县", 4, 3, False)]
    assert (result.overall.total, result.overall.complete, result.overall.many_missing) == (
        10,
        4,
        5,
    )
    assert result.overall.veto_fails is True


def test_four_items_with_gaps_do_not_fail_the_veto(gaps):
    # Cancelling one of the five takes it out of the check: 4 items left, the rule passes.
    actions.cancel_implementation(implementation=gaps["a"][1], actor=None, reason="职能调整")
    result = completeness.report(department=gaps["approvals"])
    assert [(r.total, r.many_missing, r.veto_fails) for r in result.by_department] == [
        (5, 4, False)
    ]


def test_region_and_department_scope(gaps, regions):
    assert completeness.report(region=regions["county_b"]).overall.total == 4
    assert completeness.report(region=regions["city"]).overall.total == 10
    assert completeness.report(region=regions["province"]).overall.total == 10
    assert completeness.report(region=regions["town_a"]).overall.total == 0
    scoped = completeness.report(region=regions["county_a"], department=gaps["civil"])
    assert scoped.overall.total == 0


def test_drafts_are_not_checked(gaps, regions):
    draft = build_implementation(region=regions["county_a"], department=gaps["approvals"])
    draft.live = False
    draft.save()
    assert draft.pk not in by_pk(completeness.check())


def test_element_rules(regions):
    department = make_department(regions["county_a"])
    obj = publish(build_implementation(region=regions["county_a"], department=department))
    # No address anywhere: the implementing body is missing; the item's own address is enough.
    assert completeness.missing_elements(obj) == ["implementing_body"]
    obj.body_address = "城关镇 8 号"
    assert completeness.missing_elements(obj) == []

    # Charging without a fee row misses fees; a fee row fixes it.
    obj.charges_fee = True
    assert completeness.missing_elements(obj) == ["fees"]
    Fee.objects.create(implementation=obj, name="工本费", standard="10元", basis="物价文件")
    assert completeness.missing_elements(obj) == []

    # Legal basis: a row, or the base catalog item's text.
    LegalBasis.objects.filter(implementation=obj).delete()
    assert completeness.missing_elements(obj) == ["legal_basis"]
    obj.catalog_item.legal_basis = "《中华人民共和国行政许可法》"
    assert completeness.missing_elements(obj) == []

    obj.name = "  "
    assert completeness.missing_elements(obj) == ["name"]


def test_every_key_element_can_be_reported(regions):
    department = make_department(regions["county_a"])
    item = make_catalog_item()
    obj = publish(
        build_implementation(
            region=regions["county_a"], department=department, catalog_item=item, complete=False
        )
    )
    obj.name = ""
    obj.charges_fee = True
    assert completeness.missing_elements(obj) == list(KEY_ELEMENTS)


@pytest.fixture
def manager_client(client, db):
    from django.contrib.auth.models import Group

    user = User.objects.create_user(username="shixiang", password="x-Unused-1", is_staff=True)
    user.groups.add(Group.objects.get(name="事项管理员"))
    login_with_second_factor(client, user)
    return client


def test_report_page(gaps, manager_client):
    response = manager_client.get(reverse("catalog_completeness"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "办事指南完整性" in html
    assert "松林县行政审批局" in html and "临溪县民政局" in html
    assert "不达标" in html and "16.7%" in html and "75.0%" in html
    assert gaps["a"][1].code in html
    # Complete items are not in the list of items with gaps.
    assert gaps["b"][0].code not in html

    scoped = manager_client.get(
        reverse("catalog_completeness"), {"department": gaps["civil"].pk}
    ).context["report"]
    assert scoped.overall.total == 4


def test_report_menu_entry(manager_client):
    # The sidebar is JSON, Chinese escaped.
    html = manager_client.get(reverse("wagtailadmin_home")).content.decode()
    for label in ["政务服务事项", "实施清单", "基本目录", "主题", "办事指南完整性"]:
        assert json.dumps(label) in html
    assert f'"url": "{reverse("catalog_completeness")}"' in html


def test_excel_download(gaps, manager_client):
    response = manager_client.get(reverse("catalog_completeness"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["汇总", "按区划", "按部门", "事项明细"]

    summary = book["汇总"]
    assert [c.value for c in summary[7]] == [
        "事项数",
        "要素齐全",
        "齐全率（%）",
        "缺4项及以上的事项",
        "服务单项否决",
    ]
    assert [c.value for c in summary[8]] == [10, 4, 40.0, 5, "不达标"]

    regions = [[c.value for c in row] for row in book["按区划"].iter_rows(min_row=2)]
    assert regions == [
        ["990102000000", "松林县", 6, 1, 16.7, 5, "不达标"],
        ["990103000000", "临溪县", 4, 3, 75.0, 0, "达标"],
    ]
    departments = [[c.value for c in row] for row in book["按部门"].iter_rows(min_row=2)]
    assert departments[0][:2] == ["松林县", "松林县行政审批局"]
    assert departments[0][3:] == [6, 1, 16.7, 5, "不达标"]
    assert departments[1][3:] == [4, 3, 75.0, 0, "达标"]

    items = book["事项明细"]
    header = [c.value for c in items[1]]
    assert header[:6] == ["实施编码", "事项名称", "区划", "部门", "缺失要素数", "缺失要素"]
    assert header[6:] == list(KEY_ELEMENTS.values())
    rows = {row[0].value: [c.value for c in row] for row in items.iter_rows(min_row=2)}
    assert len(rows) == 10
    four = rows[gaps["a"][4].code]
    assert four[4:6] == [4, "设定依据、申请材料、收费标准、办理流程"]
    assert four[6:] == ["有", "缺", "有", "缺", "有", "有", "缺", "有", "有", "缺"]
    assert rows[gaps["b"][3].code][4:6] == [1, "咨询电话"]


def test_excel_download_respects_the_filters(gaps, manager_client, regions):
    response = manager_client.get(
        reverse("catalog_completeness"), {"format": "xlsx", "region": regions["county_b"].pk}
    )
    book = load_workbook(BytesIO(response.content))
    assert book["汇总"]["B3"].value == "临溪县"
    assert [c.value for c in book["汇总"][8]] == [4, 3, 75.0, 0, "达标"]
    assert book["事项明细"].max_row == 5


def test_report_needs_catalog_permission(client, db):
    staff = User.objects.create_user(username="clerk", password="x-Unused-1", is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    login_with_second_factor(client, staff)
    response = client.get(reverse("catalog_completeness"))
    assert response.status_code in {302, 403}
    assert (
        not client.get(reverse("catalog_completeness"), {"format": "xlsx"})
        .get("Content-Type", "")
        .startswith("application/vnd")
    )
