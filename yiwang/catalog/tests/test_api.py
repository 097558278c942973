"""The catalog's read API (/api/catalog/v1/): filters, the full guide, 410 for withdrawn
items, bilingual errors and bounded query counts."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.documents.models import Document

from yiwang.catalog import actions
from yiwang.catalog.constants import Audience, ItemType, OnlineDepth, Variant
from yiwang.catalog.models import (
    Fee,
    LegalBasis,
    Material,
    ProcessStep,
    Question,
    Situation,
    SpecialProcedure,
    Theme,
)
from yiwang.orgs.models import Department

from .factories import (
    build_implementation,
    implementation_code,
    make_catalog_item,
    make_department,
    make_implementation,
    publish,
)

pytestmark = pytest.mark.django_db

API = "/api/catalog/v1"
HOST = "songlin.localhost"


def get(client, path, **params):
    return client.get(f"{API}{path}", params, HTTP_HOST=HOST)


def make_document(title, name="form.docx"):
    document = Document(title=title)
    document.file.save(name, ContentFile(b"fake document"), save=True)
    return document


def full_guide(*, region, department=None, name="个体工商户设立登记", extra_materials=0, **fields):
    """A published implementation with every guide element filled in, legal basis entered
    lower law first (the guide must list higher law first) and two situations."""
    if department is None:
        department, _ = Department.objects.get_or_create(region=region, name="松林县市场监督管理局")
    item = make_catalog_item(name=name, item_type=fields.pop("item_type", ItemType.LICENSING))
    values = {
        "summary": "个体工商户的设立登记。",
        "conditions": "有经营能力的自然人。\n有固定的经营场所。",
        "prohibitions": "不得从事法律禁止的经营项目。",
        "body_address": "松林县人民路1号",
        "body_postcode": "999102",
        "body_contact": "登记科",
        "statutory_limit_days": 15,
        "statutory_limit_note": "自受理之日起计算",
        "promised_limit_days": 3,
        "charges_fee": True,
        "required_visits": 0,
        "online_depth": OnlineDepth.FULLY_ONLINE,
        "result_name": "营业执照",
        "result_type": "license",
        "delivery_methods": ["post", "electronic"],
        "audience": Audience.BOTH,
        **fields,
    }
    implementation = build_implementation(
        region=region, department=department, catalog_item=item, **values
    )
    implementation.legal_bases = [
        LegalBasis(
            law_name="促进个体工商户发展条例",
            law_level="administrative_regulation",
            document_number="国务院令第755号",
            article="第八条",
            text="申请登记为个体工商户，应当向经营场所所在地登记机关申请注册登记。",
        ),
        LegalBasis(
            law_name="中华人民共和国市场主体登记管理条例",
            law_level="law",
            article="第三条",
            text="市场主体应当依照本条例办理登记。",
        ),
    ]
    blank = make_document("个体工商户登记申请书（空白）", "blank.docx")
    materials = [
        Material(
            name="个体工商户登记（备案）申请书",
            form="original",
            copies=1,
            blank_form=blank,
            requirements="申请人签字。",
        ),
        Material(name="经营者身份证明", license_type="居民身份证", situation_codes="A"),
        Material(name="委托代理人身份证明", situation_codes="B", necessity="conditional"),
    ]
    materials += [
        Material(
            name=f"补充材料第{n}号：经营场所使用证明及相关说明文件",
            requirements="提交房屋所有权证或者租赁合同复印件，加盖印章，注明与原件一致。" * 2,
        )
        for n in range(extra_materials)
    ]
    implementation.materials = materials
    implementation.situations = [
        Situation(code="A", name="本人办理"),
        Situation(code="B", name="委托他人办理"),
    ]
    implementation.process_steps = [
        ProcessStep(name="申请", description="网上或窗口提交材料。", time_limit_days=0),
        ProcessStep(name="受理", description="审核材料是否齐全。", time_limit_days=1),
        ProcessStep(name="决定", description="作出准予登记决定。", time_limit_days=1.5),
    ]
    implementation.special_procedures = [
        SpecialProcedure(name="现场核查", time_limit_days=5, counts_in_limit=False)
    ]
    implementation.fees = [
        Fee(name="工本费", standard="每份10元", basis="国家计委价格司文件", reducible=True)
    ]
    implementation.questions = [
        Question(question="可以网上办理吗？", answer="可以，全程网办。"),
    ]
    live = publish(implementation)
    live.themes.set(Theme.objects.filter(code__in=themes_codes()[:1]))
    return publish(live)


def themes_codes():
    return list(
        Theme.objects.filter(audience="individual").order_by("code").values_list("code", flat=True)
    )


@pytest.fixture
def catalog(regions):
    county, city, town = regions["county_a"], regions["city"], regions["town_a"]
    county_dept = make_department(county, name="松林县民政局")
    city_dept = make_department(city, name="青山市公安局")
    town_dept = make_department(town, name="青石镇人民政府")
    other_dept = make_department(regions["county_b"], name="临溪县民政局")
    theme = Theme.objects.filter(audience="individual").order_by("code").first()
    county_item = make_implementation(
        region=county, department=county_dept, name="结婚登记", audience=Audience.INDIVIDUAL
    )
    county_item.themes.set([theme])
    county_item = publish(county_item)
    legal = make_implementation(
        region=county,
        department=county_dept,
        name="社会团体成立登记",
        audience=Audience.LEGAL_PERSON,
        online_depth=OnlineDepth.GUIDE,
        catalog_item=make_catalog_item(name="社会团体成立登记", item_type=ItemType.CONFIRMATION),
    )
    service = make_implementation(
        region=county,
        department=county_dept,
        catalog_item=make_catalog_item(name="婚姻登记档案查询", item_type=ItemType.PUBLIC_SERVICE),
    )
    city_item = make_implementation(region=city, department=city_dept, name="居民身份证换领")
    town_item = make_implementation(region=town, department=town_dept, name="高龄津贴申领")
    other = make_implementation(region=regions["county_b"], department=other_dept, name="临溪事项")
    return {
        "county": county_item,
        "legal": legal,
        "service": service,
        "city": city_item,
        "town": town_item,
        "other": other,
        "theme": theme,
        "county_dept": county_dept,
    }


def codes(response):
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


# ---------------------------------------------------------------------------------------
# Lists


def test_items_of_a_county_include_its_townships_and_optionally_the_higher_levels(client, catalog):
    own = codes(get(client, "/items", region="990102"))
    assert set(own) == {catalog[key].code for key in ("county", "legal", "service", "town")}
    assert catalog["city"].code not in own and catalog["other"].code not in own

    without_towns = codes(get(client, "/items", region="990102", include_townships="false"))
    assert catalog["town"].code not in without_towns and catalog["county"].code in without_towns

    with_higher = codes(get(client, "/items", region="990102000000", include_higher="true"))
    assert catalog["city"].code in with_higher and catalog["other"].code not in with_higher


def test_items_filters_combine(client, catalog):
    assert codes(get(client, "/items", audience="legal_person")) == [catalog["legal"].code]
    individual = codes(get(client, "/items", audience="individual", region="990102"))
    assert catalog["legal"].code not in individual and catalog["county"].code in individual
    assert codes(get(client, "/items", theme=catalog["theme"].code)) == [catalog["county"].code]
    assert codes(get(client, "/items", item_type=7)) == [catalog["legal"].code]
    assert codes(get(client, "/items", online_depth=1)) == [catalog["legal"].code]
    assert catalog["legal"].code not in codes(get(client, "/items", min_online_depth=3))
    assert codes(get(client, "/items", q="结婚")) == [catalog["county"].code]
    assert codes(get(client, "/items", q=catalog["city"].code[:14])) == [catalog["city"].code]
    dept = codes(get(client, "/items", department=catalog["county_dept"].pk, item_type=20))
    assert dept == [catalog["service"].code]


def test_items_page_has_total_stable_order_and_enum_labels(client, catalog):
    first = get(client, "/items", limit=2, offset=0).json()
    second = get(client, "/items", limit=2, offset=2).json()
    rest = get(client, "/items", limit=100, offset=4).json()
    assert first["total"] == 6 and first["limit"] == 2 and len(first["items"]) == 2
    paged = [i["code"] for page in (first, second, rest) for i in page["items"]]
    everything = codes(get(client, "/items", limit=100))
    assert paged == everything and len(set(everything)) == 6
    # Province has no items; then the city, then the county (its department), the towns.
    assert everything[0] == catalog["city"].code and everything[-1] == catalog["other"].code
    item = next(i for i in first["items"] if i["code"] == catalog["city"].code)
    assert item["item_type"] == {"code": 1, "label": "行政许可"}
    assert item["online_depth"] == {"code": 3, "label": "三级：网上申请、现场取件"}
    assert item["region"]["name"] == "青山市" and item["region"]["level"]["label"] == "市级"
    assert item["version"] == 1 and item["can_apply_online"] is True
    assert item["url"] == f"http://{HOST}{API}/items/{catalog['city'].code}"


def test_items_list_query_count_does_not_grow_with_items(client, regions):
    department = make_department(regions["county_a"])
    theme = Theme.objects.first()

    def add(n):
        for _ in range(n):
            implementation = make_implementation(region=regions["county_a"], department=department)
            implementation.themes.set([theme])
            publish(implementation)

    add(2)
    get(client, "/items", region="990102")  # fills the caches (site, regions) first
    with CaptureQueriesContext(connection) as few:
        assert len(get(client, "/items", region="990102").json()["items"]) == 2
    add(8)
    with CaptureQueriesContext(connection) as many:
        assert len(get(client, "/items", region="990102").json()["items"]) == 10
    assert len(many) == len(few)
    assert len(many) <= 8


def test_only_visible_items_are_listed(client, catalog, regions):
    actions.suspend_implementation(implementation=catalog["county"], actor=None, reason="系统升级")
    later = timezone.now() + timedelta(days=3)
    actions.cancel_implementation(
        implementation=catalog["legal"], actor=None, reason="职能调整", effective_at=later
    )
    draft = build_implementation(
        region=regions["county_a"], department=catalog["county_dept"], name="草稿事项"
    )
    draft.live = False
    draft.save()
    listed = codes(get(client, "/items", limit=100))
    assert catalog["county"].code not in listed
    assert catalog["legal"].code in listed  # its cancellation takes effect later
    assert draft.code not in listed


def test_themes_with_counts_and_filters(client, catalog):
    response = get(client, "/themes", audience="individual", kind="topic")
    assert response.status_code == 200
    themes = response.json()
    assert len(themes) == 31
    assert {t["audience"]["code"] for t in themes} == {"individual"}
    counted = {t["code"]: t["item_count"] for t in themes}
    assert counted[catalog["theme"].code] == 1
    assert sum(counted.values()) == 1
    everything = get(client, "/themes").json()
    assert len(everything) == Theme.objects.filter(active=True).count()
    other_region = get(client, "/themes", region="990103").json()
    assert all(t["item_count"] == 0 for t in other_region)


def test_departments_of_a_region_with_counts(client, catalog):
    response = get(client, "/departments", region="990102")
    assert response.status_code == 200
    counts = {d["name"]: d["item_count"] for d in response.json()}
    assert counts == {"松林县民政局": 3, "青石镇人民政府": 1}
    department = next(d for d in response.json() if d["name"] == "松林县民政局")
    assert department["power_list_url"].endswith(
        f"/departments/{catalog['county_dept'].pk}/power-list"
    )


def test_catalog_items_are_paginated_with_implementation_counts(client, catalog):
    response = get(client, "/catalog-items", item_type=20)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert body["items"][0]["name"] == "婚姻登记档案查询"
    assert body["items"][0]["item_type"] == {"code": 20, "label": "公共服务"}
    assert body["items"][0]["implementation_count"] == 1
    assert get(client, "/catalog-items", limit=2).json()["total"] == 6


# ---------------------------------------------------------------------------------------
# The guide


def test_item_gives_the_full_guide(client, regions):
    implementation = full_guide(region=regions["county_a"])
    variant = make_implementation(
        region=regions["county_a"],
        department=implementation.department,
        catalog_item=implementation.catalog_item,
        code=implementation_code(
            implementation.catalog_item, regions["county_a"], body="12345678-9", business_item="01"
        ),
        variant=Variant.CHANGE,
        variant_of=implementation,
        name="个体工商户变更登记",
    )
    response = get(client, f"/items/{implementation.code}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "个体工商户设立登记".encode() in response.content  # not \u-escaped
    guide = response.json()
    assert guide["name"] == "个体工商户设立登记"
    assert guide["catalog_code"] == implementation.catalog_item.code
    assert guide["version"] == 2 and guide["last_published_at"]
    assert [b["law_name"] for b in guide["legal_bases"]] == [
        "中华人民共和国市场主体登记管理条例",
        "促进个体工商户发展条例",
    ]
    assert guide["legal_bases"][1]["law_level"] == {
        "code": "administrative_regulation",
        "label": "行政法规",
    }
    assert guide["legal_bases"][1]["article"] == "第八条"
    assert guide["conditions"] == ["有经营能力的自然人。", "有固定的经营场所。"]
    assert [s["code"] for s in guide["situations"]] == ["A", "B"]
    materials = {m["name"]: m for m in guide["materials"]}
    assert materials["经营者身份证明"]["situation_codes"] == ["A"]
    assert materials["经营者身份证明"]["license_type"] == "居民身份证"
    assert materials["委托代理人身份证明"]["necessity"]["label"] == "容缺后补"
    blank = materials["个体工商户登记（备案）申请书"]["blank_form"]
    assert blank["url"].startswith(f"http://{HOST}/documents/") and blank["url"].endswith(".docx")
    assert client.get(blank["url"], HTTP_HOST=HOST).status_code == 200
    assert [s["time_limit_days"] for s in guide["process_steps"]] == [0.0, 1.0, 1.5]
    assert guide["special_procedures"][0]["counts_in_limit"] is False
    assert guide["time_limits"] == {
        "kind": {"code": "promised", "label": "承诺件"},
        "statutory_days": 15,
        "statutory_note": "自受理之日起计算",
        "promised_days": 3,
    }
    assert guide["fees"][0]["standard"] == "每份10元" and guide["charges_fee"] is True
    assert guide["implementing_body"]["address"] == "松林县人民路1号"
    assert guide["implementing_body"]["postcode"] == "999102"
    assert guide["audience"] == {"code": "both", "label": "自然人、法人"}
    assert guide["real_name_level"]["code"] == 3
    assert guide["result"]["type"] == {"code": "license", "label": "证照"}
    assert [m["code"] for m in guide["delivery_methods"]] == ["post", "electronic"]
    assert guide["questions"][0]["answer"] == "可以，全程网办。"
    assert guide["themes"] == [themes_codes()[0]]
    assert guide["lifecycle"]["status"]["code"] == "in_force"
    assert [v["code"] for v in guide["variants"]] == [variant.code]
    assert guide["variants"][0]["variant"] == {"code": "change", "label": "变更"}
    assert guide["guide_pdf_url"].endswith(f"/items/{implementation.code}/guide.pdf")

    of_variant = get(client, f"/items/{variant.code}").json()
    assert of_variant["variant_of"]["code"] == implementation.code


def test_item_shows_the_published_version_not_a_draft(client, regions):
    implementation = make_implementation(region=regions["county_a"])
    implementation.promised_limit_days = 2
    implementation.save_revision()
    assert get(client, f"/items/{implementation.code}").json()["promised_limit_days"] == 5
    publish(implementation)
    guide = get(client, f"/items/{implementation.code}").json()
    assert guide["promised_limit_days"] == 2 and guide["version"] == 2


def test_withdrawn_item_answers_410_with_reason_and_replacement(client, catalog):
    actions.cancel_implementation(
        implementation=catalog["county"],
        actor=None,
        reason="事项整合。",
        replacement=catalog["service"],
    )
    response = get(client, f"/items/{catalog['county'].code}")
    assert response.status_code == 410
    body = response.json()
    assert body["status"] == {"code": "cancelled", "label": "取消"}
    assert body["reason"] == "事项整合。"
    assert body["effective_at"]
    assert body["replacement_code"] == catalog["service"].code
    assert body["replacement_url"].endswith(f"/items/{catalog['service'].code}")
    assert "已于" in body["message_zh"] and "取消" in body["message_zh"]
    assert "婚姻登记档案查询" in body["message_zh"]
    assert "cancelled" in body["message_en"]
    assert get(client, f"/items/{catalog['county'].code}/guide.pdf").status_code == 410


def test_suspension_announced_for_later_still_serves_the_guide(client, catalog):
    later = timezone.now() + timedelta(days=2)
    actions.suspend_implementation(
        implementation=catalog["county"], actor=None, reason="系统升级", effective_at=later
    )
    guide = get(client, f"/items/{catalog['county'].code}").json()
    assert guide["lifecycle"]["status"]["code"] == "suspended"
    assert guide["lifecycle"]["effective_at"] and guide["lifecycle"]["reason"] == "系统升级"


def test_unknown_and_draft_items_are_404_in_two_languages(client, regions):
    draft = build_implementation(
        region=regions["county_a"], department=make_department(regions["county_a"])
    )
    draft.live = False
    draft.save()
    for code in ["999A-NOPE", draft.code]:
        response = get(client, f"/items/{code}")
        assert response.status_code == 404
        body = response.json()
        assert body["code"] == "not_found"
        assert "没有找到" in body["message_zh"] and "No service item" in body["message_en"]


def test_guide_pdf_is_served(client, regions):
    implementation = make_implementation(region=regions["county_a"])
    response = get(client, f"/items/{implementation.code}/guide.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{implementation.code}.pdf"' in response["Content-Disposition"]


# ---------------------------------------------------------------------------------------
# Power and responsibility lists


def test_power_and_responsibility_lists(client, catalog):
    department = catalog["county_dept"]
    response = get(client, f"/departments/{department.pk}/power-list")
    assert response.status_code == 200
    body = response.json()
    # Public services are not powers; by type (1 licensing, then 7 confirmation).
    assert [i["code"] for i in body["items"]] == [catalog["county"].code, catalog["legal"].code]
    assert body["items"][0]["legal_bases"] == ["中华人民共和国行政许可法第二十九条"]
    assert body["items"][0]["implementing_body"] == "松林县民政局"
    assert body["total"] == 2 and body["region"]["name"] == "松林县"

    response = get(client, f"/departments/{department.pk}/responsibility-list")
    assert response.status_code == 200
    rows = response.json()["items"]
    assert [r["code"] for r in rows] == [catalog["county"].code, catalog["legal"].code]
    assert rows[0]["responsibilities"][0]["name"] == "受理责任"
    assert rows[0]["supervision_phone"] == "12345"
    assert "玩忽职守" in rows[0]["accountability"]


def test_unknown_department_lists_are_404(client, db):
    response = get(client, "/departments/999999/power-list")
    assert response.status_code == 404
    assert "部门" in response.json()["message_zh"]
    assert get(client, "/departments/abc/responsibility-list").status_code == 422


# ---------------------------------------------------------------------------------------
# Bad parameters


@pytest.mark.parametrize(
    "params, field, zh",
    [
        ({"limit": 0}, "limit", "不能小于 1"),
        ({"limit": 1000}, "limit", "不能大于 100"),
        ({"limit": "abc"}, "limit", "应为整数"),
        ({"offset": -1}, "offset", "不能小于 0"),
        ({"item_type": 99}, "item_type", "取值无效"),
        ({"audience": "alien"}, "audience", "取值无效"),
        ({"online_depth": 7}, "online_depth", "取值无效"),
        ({"include_higher": "perhaps"}, "include_higher", "true 或 false"),
        ({"q": "长" * 101}, "q", "不能超过 100 个字符"),
    ],
)
def test_bad_parameters_are_422_in_two_languages(client, db, params, field, zh):
    response = get(client, "/items", **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_parameters"
    assert body["errors"][0]["field"] == field
    assert zh in body["errors"][0]["message_zh"]
    assert zh in body["message_zh"]
    assert body["message_en"].startswith("Invalid request parameters")


@pytest.mark.parametrize(
    "params, code",
    [
        ({"region": "12345"}, "invalid_region"),
        ({"region": "980000"}, "unknown_region"),
        ({"theme": "no-such-theme"}, "unknown_theme"),
        ({"department": 999999}, "unknown_department"),
    ],
)
def test_values_that_name_nothing_are_400(client, regions, params, code):
    response = get(client, "/items", **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["message_zh"] and body["message_en"]


def test_openapi_document_and_docs_are_served(client, db):
    response = get(client, "/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "一网 政务服务事项目录 API"
    for path in [
        "/themes",
        "/departments",
        "/catalog-items",
        "/items",
        "/items/{code}",
        "/items/{code}/guide.pdf",
        "/departments/{department_id}/power-list",
        "/departments/{department_id}/responsibility-list",
    ]:
        assert f"{API}{path}" in spec["paths"], path
    item = spec["paths"][f"{API}/items/{{code}}"]["get"]
    assert {"200", "404", "410"} <= set(item["responses"])
    parameters = {p["name"] for p in spec["paths"][f"{API}/items"]["get"]["parameters"]}
    assert {
        "region",
        "include_higher",
        "department",
        "theme",
        "audience",
        "item_type",
        "online_depth",
        "q",
        "limit",
        "offset",
    } <= parameters
    assert get(client, "/docs").status_code == 200
