"""The hall's public catalog pages (/fuwu/) through Django's test client, one portal per
Host header: which items each portal lists, the filters, the full guide, withdrawn items,
drafts and versions, the apply entry and the power and responsibility lists."""

from datetime import timedelta

import lxml.html
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.accounts.models import RealNameLevel, User
from yiwang.catalog import actions
from yiwang.catalog.constants import (
    Audience,
    DeliveryMethod,
    ItemType,
    LimitKind,
    MaterialForm,
    MaterialNecessity,
    MaterialSource,
    OnlineDepth,
    ResultType,
    Variant,
)
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
from yiwang.core.models import AuditEvent

from .factories import (
    build_implementation,
    implementation_code,
    make_catalog_item,
    make_department,
    make_implementation,
    publish,
)

pytestmark = pytest.mark.django_db

COUNTY = "songlin.localhost"
OTHER_COUNTY = "linxi.localhost"
CITY = "qingshan.localhost"
PROVINCE = "sheng.localhost"


def fetch(client, path, host=COUNTY, status=200, **params):
    response = client.get(path, params, HTTP_HOST=host)
    assert response.status_code == status, (path, response.status_code)
    return response, lxml.html.fromstring(response.content.decode())


def text(tree, xpath="//main"):
    return " ".join(" ".join(node.text_content().split()) for node in tree.xpath(xpath))


def result_names(tree):
    return [a.text_content().strip() for a in tree.xpath("//ol[@class='hall-results']//h3/a")]


def themed(implementation, *codes):
    implementation.themes = list(Theme.objects.filter(code__in=codes))
    return implementation


@pytest.fixture
def catalog(site_group, regions):
    """One item per level and place, for individuals and legal persons, with themes."""
    county_dept = make_department(regions["county_a"], "松林县民政局", uscc="11990102MB0000011")
    town_dept = make_department(regions["town_a"], "青石镇人民政府")
    city_dept = make_department(regions["city"], "青山市公安局")
    province_dept = make_department(regions["province"], "示范省教育厅")
    other_dept = make_department(regions["county_b"], "临溪县民政局")

    def item(region, department, name, *themes, item_type=ItemType.LICENSING, **fields):
        catalog_item = make_catalog_item(name=name, item_type=item_type)
        implementation = build_implementation(
            region=region, department=department, catalog_item=catalog_item, **fields
        )
        return publish(themed(implementation, *themes))

    return {
        "county_dept": county_dept,
        "city_dept": city_dept,
        "marriage": item(
            regions["county_a"], county_dept, "内地居民婚姻登记", "p-marriage", "pe-marriage"
        ),
        "subsidy": item(
            regions["county_a"],
            county_dept,
            "高龄津贴发放",
            "p-social-security",
            "pe-elderly",
            item_type=ItemType.PAYMENT,
            online_depth=OnlineDepth.GUIDE,
        ),
        "charity": item(
            regions["county_a"],
            county_dept,
            "慈善组织认定",
            "l-establishment",
            item_type=ItemType.CONFIRMATION,
            audience=Audience.LEGAL_PERSON,
        ),
        "burial": item(
            regions["county_a"],
            county_dept,
            "公益性公墓安葬服务",
            "p-funeral",
            "l-other",
            item_type=ItemType.PUBLIC_SERVICE,
            audience=Audience.BOTH,
        ),
        "township": item(regions["town_a"], town_dept, "农村建房用地审批", "p-planning"),
        "city": item(regions["city"], city_dept, "户口迁移审批", "p-household"),
        "province": item(regions["province"], province_dept, "教师资格认定", "p-qualification"),
        "other_county": item(regions["county_b"], other_dept, "临溪县婚姻登记", "p-marriage"),
    }


# Which portal lists what ---------------------------------------------------------------------


def test_county_portal_lists_the_county_and_its_townships_by_default(client, catalog):
    _, tree = fetch(client, "/fuwu/geren/")
    assert sorted(result_names(tree)) == sorted(
        ["内地居民婚姻登记", "高龄津贴发放", "公益性公墓安葬服务", "农村建房用地审批"]
    )
    switcher = tree.xpath("//nav[@aria-label='切换地区']//a")
    assert [a.text_content() for a in switcher] == ["松林县（本地）", "青山市", "示范省"]
    assert switcher[0].get("aria-current") == "page"


def test_county_portal_reaches_the_city_and_the_province(client, catalog, regions):
    _, tree = fetch(client, "/fuwu/geren/", region=regions["city"].code)
    assert result_names(tree) == ["户口迁移审批"]
    current = tree.xpath("//nav[@aria-label='切换地区']//a[@aria-current]")
    assert [a.text_content() for a in current] == ["青山市"]
    _, tree = fetch(client, "/fuwu/geren/", region=regions["province"].code)
    assert result_names(tree) == ["教师资格认定"]


def test_a_region_outside_the_portal_is_refused_with_a_notice(client, catalog, regions):
    _, tree = fetch(client, "/fuwu/geren/", region=regions["county_b"].code)
    assert "临溪县婚姻登记" not in result_names(tree)
    assert "内地居民婚姻登记" in result_names(tree)
    assert "不在本网站的服务范围内" in text(tree, "//*[@role='status']")


def test_city_and_province_portals_list_their_own_level_only(client, catalog, regions):
    _, tree = fetch(client, "/fuwu/geren/", host=CITY)
    assert result_names(tree) == ["户口迁移审批"]
    switcher = [a.text_content() for a in tree.xpath("//nav[@aria-label='切换地区']//a")]
    assert switcher == ["青山市（本地）", "示范省"]
    _, tree = fetch(client, "/fuwu/geren/", host=PROVINCE)
    assert result_names(tree) == ["教师资格认定"]
    assert not tree.xpath("//nav[@aria-label='切换地区']")


def test_another_county_portal_lists_its_own_items(client, catalog):
    _, tree = fetch(client, "/fuwu/geren/", host=OTHER_COUNTY)
    assert result_names(tree) == ["临溪县婚姻登记"]


# The hall home -------------------------------------------------------------------------------


def test_hall_home_has_both_lines_themes_and_departments_with_counts(client, catalog):
    _, tree = fetch(client, "/fuwu/")
    assert tree.xpath("//h1")[0].text == "办事服务"
    lines = [
        " ".join(a.text_content().split()) for a in tree.xpath("//nav[@class='hall-lines']//a")
    ]
    assert lines == ["个人办事 4 项", "法人办事 2 项"]
    topics = tree.xpath("//section[@aria-labelledby='themes-geren']//h3[text()='主题分类']/..//a")
    labels = {a.text_content() for a in topics}
    assert {"婚姻登记（1）", "社会保障（1）", "死亡殡葬（1）", "规划建设（1）"} == labels
    assert topics[0].get("href").startswith("/fuwu/geren/?theme=p-")
    events = tree.xpath("//section[@aria-labelledby='themes-geren']//h3[text()='人生事件']/..//a")
    assert {a.text_content() for a in events} == {"结婚（1）", "养老（1）"}
    legal = text(tree, "//section[@aria-labelledby='themes-faren']")
    assert "设立变更（1）" in legal and "企业生命周期" not in legal
    departments = text(tree, "//section[@aria-labelledby='departments-heading']")
    assert "松林县民政局（4）" in departments and "青石镇人民政府（1）" in departments
    dept = catalog["county_dept"]
    assert tree.xpath(f"//a[@href='/fuwu/departments/{dept.pk}/power-list/']")
    assert tree.xpath(f"//a[@href='/fuwu/departments/{dept.pk}/responsibility-list/']")
    # Nothing listed until the visitor asks.
    assert not tree.xpath("//ol[@class='hall-results']")


def test_hall_home_filters_by_keyword_on_name_and_code(client, catalog):
    _, tree = fetch(client, "/fuwu/", q="婚姻")
    assert result_names(tree) == ["内地居民婚姻登记"]
    code = catalog["subsidy"].code
    _, tree = fetch(client, "/fuwu/", q=code[:14])
    assert result_names(tree) == ["高龄津贴发放"]
    _, tree = fetch(client, "/fuwu/", q="没有这个事项")
    assert result_names(tree) == [] and "没有符合条件的事项" in text(tree)


def test_hall_home_lists_a_departments_items_for_both_audiences(client, catalog):
    dept = catalog["county_dept"]
    _, tree = fetch(client, "/fuwu/", department=dept.pk)
    assert sorted(result_names(tree)) == sorted(
        ["内地居民婚姻登记", "高龄津贴发放", "慈善组织认定", "公益性公墓安葬服务"]
    )


def test_the_main_navigation_leads_to_the_hall(client, catalog):
    _, tree = fetch(client, "/")
    link = tree.xpath("//nav[@aria-label='主导航']//a[text()='办事服务']")
    assert link[0].get("href") == "/fuwu/" and link[0].get("aria-current") is None
    _, tree = fetch(client, "/fuwu/")
    assert tree.xpath("//nav[@aria-label='主导航']//a[text()='办事服务']/@aria-current") == ["page"]
    _, tree = fetch(client, "/fuwu/geren/")
    assert tree.xpath("//nav[@aria-label='主导航']//a[text()='办事服务']/@aria-current") == ["true"]


# Browsing by audience, theme, life event, department, type -----------------------------------


def test_audiences_split_the_items_and_both_appear_in_both(client, catalog):
    _, tree = fetch(client, "/fuwu/faren/")
    assert sorted(result_names(tree)) == ["公益性公墓安葬服务", "慈善组织认定"]
    _, tree = fetch(client, "/fuwu/geren/")
    assert "慈善组织认定" not in result_names(tree)
    assert "公益性公墓安葬服务" in result_names(tree)


def test_each_result_shows_department_type_depth_limit_and_visits(client, catalog):
    _, tree = fetch(client, "/fuwu/geren/", q="高龄")
    facts = text(tree, "//li[@class='hall-result']//dl")
    assert facts == (
        "实施主体松林县民政局 事项类型行政给付 网上办理深度一级：网上办事指南 "
        "承诺时限5 个工作日 到现场次数1 次"
    )
    link = tree.xpath("//li[@class='hall-result']//h3/a/@href")[0]
    assert link == f"/fuwu/items/{catalog['subsidy'].code}/"


def test_theme_life_event_department_and_type_filters_combine(client, catalog, regions):
    _, tree = fetch(client, "/fuwu/geren/", theme="p-marriage")
    assert result_names(tree) == ["内地居民婚姻登记"]
    _, tree = fetch(client, "/fuwu/geren/", event="pe-elderly")
    assert result_names(tree) == ["高龄津贴发放"]
    _, tree = fetch(client, "/fuwu/geren/", type=ItemType.PAYMENT.value)
    assert result_names(tree) == ["高龄津贴发放"]
    _, tree = fetch(
        client, "/fuwu/geren/", department=catalog["county_dept"].pk, type=ItemType.LICENSING.value
    )
    assert result_names(tree) == ["内地居民婚姻登记"]
    _, tree = fetch(client, "/fuwu/geren/", theme="p-marriage", event="pe-elderly")
    assert result_names(tree) == []
    # The selected filter is marked, and its link takes it away again.
    _, tree = fetch(client, "/fuwu/geren/", theme="p-marriage", type=1)
    selected = tree.xpath("//div[@class='hall-facet']//a[@aria-current='true']")
    assert [a.text_content().split("（")[0] for a in selected] == ["婚姻登记", "行政许可"]
    assert selected[0].get("href") == "/fuwu/geren/?type=1"
    # The keyword form keeps the other filters.
    hidden = tree.xpath("//form[@role='search']//input[@type='hidden']")
    assert {(i.get("name"), i.get("value")) for i in hidden} == {
        ("theme", "p-marriage"),
        ("type", "1"),
    }


def test_filters_keep_the_chosen_region(client, catalog, regions):
    city = regions["city"].code
    _, tree = fetch(client, "/fuwu/geren/", region=city, theme="p-household")
    assert result_names(tree) == ["户口迁移审批"]
    facet_links = tree.xpath("//div[@class='hall-facet']//a/@href")
    assert facet_links and all(f"region={city}" in href for href in facet_links)


def test_bad_filters_are_ignored_with_a_chinese_notice(client, catalog):
    _, tree = fetch(
        client, "/fuwu/geren/", theme="l-establishment", department="abc", type="99", page="x"
    )
    notices = text(tree, "//*[@role='status']")
    assert "没有找到所选的主题" in notices  # a legal-person theme on the individuals' line
    assert "没有找到所选的部门" in notices and "事项类型无效" in notices
    assert len(result_names(tree)) == 4


def test_lists_are_paginated_keeping_the_filters(client, site_group, regions):
    department = make_department(regions["county_a"], "松林县市场监管局")
    for n in range(23):
        make_implementation(
            region=regions["county_a"], department=department, name=f"测试事项{n:02d}"
        )
    _, tree = fetch(client, "/fuwu/geren/", department=department.pk)
    assert len(result_names(tree)) == 20
    next_link = tree.xpath("//nav[@aria-label='分页']//a[@rel='next']/@href")[0]
    assert next_link == f"?department={department.pk}&page=2"
    _, tree = fetch(client, "/fuwu/geren/", department=department.pk, page=2)
    assert result_names(tree) == ["测试事项20", "测试事项21", "测试事项22"]


def test_list_queries_do_not_grow_with_the_items(client, site_group, regions):
    department = make_department(regions["county_a"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            fetch(client, "/fuwu/geren/")
        return len(queries)

    for _ in range(3):
        make_implementation(region=regions["county_a"], department=department)
    count()  # fills the per-process caches (locale, content types)
    few = count()
    for _ in range(12):
        make_implementation(region=regions["county_a"], department=department)
    assert count() == few


# The item page --------------------------------------------------------------------------------


def document(title, name, tmp_path, settings):
    from wagtail.documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    doc = Document(title=title)
    doc.file.save(name, ContentFile(b"%PDF-1.4\n" + b"0" * 100), save=False)
    doc.save()
    return doc


@pytest.fixture
def full_guide(site_group, regions, tmp_path, settings):
    """An implementation with every guide element filled in, and a business variant."""
    department = make_department(regions["county_a"], "松林县民政局", uscc="11990102MB0000011")
    department.address = "松林县人民路8号"
    department.phone = "0999-7654321"
    department.save()
    catalog_item = make_catalog_item(code="999A0000000777", name="内地居民婚姻登记")
    catalog_item.competent_department = "民政部"
    catalog_item.exercise_levels = "县级"
    catalog_item.save()
    blank = document("婚姻登记申请表", "shenqingbiao.pdf", tmp_path, settings)
    sample = document("婚姻登记申请表样表", "yangbiao.pdf", tmp_path, settings)
    chart = document("流程图", "liucheng.pdf", tmp_path, settings)
    result_sample = document("结婚证样本", "jiehunzheng.pdf", tmp_path, settings)
    implementation = build_implementation(
        region=regions["county_a"],
        department=department,
        catalog_item=catalog_item,
        name="内地居民结婚登记",
        variant=Variant.NEW,
        audience=Audience.INDIVIDUAL,
        body_address="松林县政务服务中心二楼",
        body_postcode="999102",
        body_contact="婚姻登记处 0999-1112222",
        summary="内地居民在中国内地结婚的登记。",
        conditions="男年满二十二周岁，女年满二十周岁。\n双方均无配偶。\n",
        prohibitions="不得代办。",
        statutory_limit_days=30,
        statutory_limit_note="自受理之日起",
        limit_kind=LimitKind.ON_THE_SPOT,
        promised_limit_days=None,
        charges_fee=True,
        place="松林县政务服务中心二楼婚姻登记处",
        hours="周一至周五 9:00-17:00",
        enquiry_phone="0999-1234567",
        complaint_phone="0999-12345",
        required_visits=1,
        visit_reason="双方须亲自到场",
        online_depth=OnlineDepth.ONLINE_APPLICATION,
        real_name_level=RealNameLevel.IDENTITY,
        flow_chart=chart,
        result_name="结婚证",
        result_type=ResultType.LICENSE,
        result_sample=result_sample,
        delivery_methods=[DeliveryMethod.PICKUP, DeliveryMethod.POST],
    )
    implementation.legal_bases = [
        LegalBasis(
            law_name="婚姻登记工作规范",
            law_level="department_rule",
            document_number="民发〔2015〕230号",
            article="第二十八条",
            text="婚姻登记员受理结婚登记申请。",
        ),
        LegalBasis(
            law_name="婚姻登记条例",
            law_level="administrative_regulation",
            article="第四条",
            text="内地居民结婚，男女双方应当共同到一方当事人常住户口所在地的婚姻登记机关办理。",
        ),
        LegalBasis(law_name="中华人民共和国民法典", law_level="law", article="第一千零四十九条"),
    ]
    implementation.situations = [
        Situation(code="A", name="双方均为本县户籍", description="户口簿在本县"),
        Situation(code="B", name="一方为外县户籍"),
    ]
    implementation.materials = [
        Material(
            name="居民身份证",
            form=MaterialForm.ORIGINAL,
            copies=1,
            license_type="居民身份证",
            source=MaterialSource.GOVERNMENT,
            source_note="公安机关",
        ),
        Material(
            name="户口簿",
            form=MaterialForm.ORIGINAL_AND_COPY,
            copies=2,
            situation_codes="A",
            paper_size="A4",
        ),
        Material(
            name="外县户籍证明",
            necessity=MaterialNecessity.CONDITIONAL,
            situation_codes="B",
            requirements="由户籍所在地派出所出具。",
        ),
        Material(name="结婚登记申请表", blank_form=blank, sample_form=sample),
    ]
    implementation.process_steps = [
        ProcessStep(name="受理", time_limit_days="0.5", handler="婚姻登记员"),
        ProcessStep(name="审查", description="审查双方材料。", time_limit_days="1.0"),
    ]
    implementation.special_procedures = [
        SpecialProcedure(name="公告", time_limit_days=10, counts_in_limit=False, description="无")
    ]
    implementation.fees = [
        Fee(name="结婚证工本费", standard="9元/件", basis="发改价格〔2019〕1号", reducible=True)
    ]
    implementation.questions = [Question(question="可以代办吗？", answer="不可以，须本人到场。")]
    themed(implementation, "p-marriage", "pe-marriage")
    main = publish(implementation)
    variant_item = build_implementation(
        region=regions["county_a"],
        department=department,
        catalog_item=catalog_item,
        code=implementation_code(
            catalog_item, regions["county_a"], body=department.uscc, business_item="01"
        ),
        name="内地居民补领结婚证",
        variant=Variant.REISSUE,
        variant_of=main,
    )
    return {"main": main, "variant": publish(variant_item), "blank": blank, "sample": sample}


def test_the_item_page_shows_every_guide_element(client, full_guide):
    main = full_guide["main"]
    _, tree = fetch(client, f"/fuwu/items/{main.code}/")
    page = text(tree)
    assert tree.xpath("//h1")[0].text == "内地居民结婚登记"
    expected = [
        "第 1 版",
        "事项类型行政许可",
        "基本编码999A0000000777",
        f"实施编码{main.code}",
        "业务办理项新设",
        "主管部门民政部",
        "行使层级县级",
        "实施区划松林县",
        "统一社会信用代码11990102MB0000011",
        "实施主体地址松林县政务服务中心二楼",
        "邮政编码999102",
        "联系方式婚姻登记处 0999-1112222",
        "服务对象自然人",
        "网上申请所需实名等级身份已核验（3 级）",
        "内地居民在中国内地结婚的登记。",
        "男年满二十二周岁，女年满二十周岁。",
        "双方均无配偶。",
        "禁止性要求不得代办。",
        "材料形式原件和复印件",
        "份数2 份",
        "是否必要容缺后补",
        "来源渠道政府部门核发（公安机关）",
        "纸质规格A4",
        "可用“居民身份证”电子证照替代",
        "填报须知：由户籍所在地派出所出具。",
        "受理 （0.5 个工作日）",
        "审查 （1 个工作日）",
        "办理人员/岗位：婚姻登记员",
        "公告10 个工作日不计入",
        "办件类型即办件",
        "法定办结时限30 个工作日（自受理之日起）",
        "承诺办结时限即办件（当场办结）",
        "必须现场办理的原因双方须亲自到场",
        "结婚证工本费：9元/件",
        "收费依据：发改价格〔2019〕1号",
        "办理地点松林县政务服务中心二楼婚姻登记处",
        "办理时间周一至周五 9:00-17:00",
        "咨询电话0999-1234567",
        "监督投诉电话0999-12345",
        "到办事现场次数1 次",
        "网上办理深度三级：网上申请、现场取件",
        "结果名称结婚证",
        "结果类型证照",
        "送达方式窗口领取、邮政寄递",
        "问：可以代办吗？答：不可以，须本人到场。",
    ]
    missing = [item for item in expected if item not in page]
    assert not missing, missing
    themes = tree.xpath("//dt[text()='主题分类']/following-sibling::dd//a/@href")
    assert themes == ["/fuwu/geren/?theme=p-marriage", "/fuwu/geren/?event=pe-marriage"]
    assert tree.xpath("//a[text()='下载办理流程图']") and tree.xpath("//a[text()='下载结果样本']")
    assert main.last_published_at is not None
    published = timezone.localtime(main.last_published_at).strftime("%Y年%-m月%-d日")
    assert f"{published}发布" in page


def test_legal_basis_is_listed_article_by_article_higher_law_first(client, full_guide):
    _, tree = fetch(client, f"/fuwu/items/{full_guide['main'].code}/")
    laws = [
        " ".join(li.text_content().split()) for li in tree.xpath("//ol[@class='guide-legal']/li")
    ]
    assert laws[0].startswith("《中华人民共和国民法典》第一千零四十九条 法律")
    assert laws[1].startswith("《婚姻登记条例》第四条 行政法规 内地居民结婚")
    assert laws[2].startswith("《婚姻登记工作规范》第二十八条 部门规章 民发〔2015〕230号")


def test_materials_can_be_filtered_by_situation(client, full_guide):
    path = f"/fuwu/items/{full_guide['main'].code}/"

    def materials(tree):
        return [h.text for h in tree.xpath("//li[@class='guide-material']/h3")]

    _, tree = fetch(client, path)
    assert materials(tree) == ["居民身份证", "户口簿", "外县户籍证明", "结婚登记申请表"]
    links = tree.xpath("//nav[@class='guide-situations']//a")
    assert [a.text for a in links] == ["全部情形", "双方均为本县户籍", "一方为外县户籍"]
    assert links[0].get("aria-current") == "true"
    assert links[2].get("href") == "?situation=B#materials"

    _, tree = fetch(client, path, situation="B")
    assert materials(tree) == ["居民身份证", "外县户籍证明", "结婚登记申请表"]
    assert "当前情形：一方为外县户籍（共 3 项材料）" in text(tree, "//*[@role='status']")
    _, tree = fetch(client, path, situation="A")
    assert materials(tree) == ["居民身份证", "户口簿", "结婚登记申请表"]
    _, tree = fetch(client, path, situation="Z")
    assert len(materials(tree)) == 4
    assert "没有找到所选的办理情形" in text(tree, "//*[@role='status']")


def test_blank_and_sample_forms_are_downloadable(client, full_guide):
    _, tree = fetch(client, f"/fuwu/items/{full_guide['main'].code}/")
    form = tree.xpath("//li[@class='guide-material'][h3='结婚登记申请表']")[0]
    hrefs = form.xpath(".//ul[@class='guide-downloads']//a/@href")
    assert hrefs == [full_guide["blank"].url, full_guide["sample"].url]
    response = client.get(full_guide["blank"].url, HTTP_HOST=COUNTY)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_item_page_links_business_variants_and_the_main_item(client, full_guide):
    main, variant = full_guide["main"], full_guide["variant"]
    _, tree = fetch(client, f"/fuwu/items/{main.code}/")
    links = tree.xpath("//ul[@class='guide-variants']//a")
    assert [(a.text, a.get("href")) for a in links] == [
        ("内地居民补领结婚证", f"/fuwu/items/{variant.code}/")
    ]
    _, tree = fetch(client, f"/fuwu/items/{variant.code}/")
    links = tree.xpath("//ul[@class='guide-variants']//a")
    assert [(a.text, a.get("href")) for a in links] == [
        ("内地居民结婚登记", f"/fuwu/items/{main.code}/")
    ]


def test_item_page_has_print_pdf_and_apply_buttons(client, full_guide):
    code = full_guide["main"].code
    _, tree = fetch(client, f"/fuwu/items/{code}/")
    assert tree.xpath("//button[@data-print][text()='打印办事指南']")
    assert tree.xpath(f"//a[@href='/fuwu/items/{code}/guide.pdf']")
    assert tree.xpath(f"//a[@href='/fuwu/items/{code}/apply/'][text()='在线办理']")
    assert tree.xpath("//link[@rel='stylesheet'][contains(@href, 'catalog.css')]")
    meta = {m.get("name"): m.get("content") for m in tree.xpath("//meta[@name]")}
    assert meta["ColumnName"] == "办事服务" and meta["ArticleTitle"] == "内地居民结婚登记"
    assert meta["SiteIDCode"] == "9901020001"


def test_items_below_the_online_depth_have_no_apply_button(client, catalog):
    code = catalog["subsidy"].code
    _, tree = fetch(client, f"/fuwu/items/{code}/")
    assert not tree.xpath("//a[text()='在线办理']")
    _, tree = fetch(client, f"/fuwu/items/{code}/apply/")
    assert "不提供网上申请" in text(tree)


def test_the_guide_pdf_downloads_with_its_file_name(client, full_guide):
    code = full_guide["main"].code
    response = client.get(f"/fuwu/items/{code}/guide.pdf", HTTP_HOST=COUNTY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename*=utf-8''")
    assert "%E5%86%85%E5%9C%B0%E5%B1%85%E6%B0%91" in disposition  # 内地居民
    assert disposition.endswith(".pdf")


def test_unknown_codes_answer_404(client, catalog):
    fetch(client, "/fuwu/items/NO-SUCH-CODE/", status=404)
    fetch(client, "/fuwu/items/NO-SUCH-CODE/guide.pdf", status=404)
    fetch(client, "/fuwu/departments/999999/power-list/", status=404)


# Withdrawn, drafts and versions ----------------------------------------------------------------


def test_a_suspended_item_answers_410_and_leaves_every_list(client, catalog):
    marriage, burial = catalog["marriage"], catalog["burial"]
    actions.suspend_implementation(
        implementation=marriage, actor=None, reason="婚姻登记系统升级", replacement=burial
    )
    response, tree = fetch(client, f"/fuwu/items/{marriage.code}/", status=410)
    page = text(tree)
    assert "本事项已暂停办理" in page and "原因婚姻登记系统升级" in page
    marriage.refresh_from_db()
    since = timezone.localtime(marriage.status_effective_at).strftime("%Y年%-m月%-d日")
    assert since in page
    assert tree.xpath("//p[@class='hall-replacement']/a/@href") == [f"/fuwu/items/{burial.code}/"]
    fetch(client, f"/fuwu/items/{marriage.code}/guide.pdf", status=410)
    fetch(client, f"/fuwu/items/{marriage.code}/apply/", status=410)
    _, tree = fetch(client, "/fuwu/geren/")
    assert "内地居民婚姻登记" not in result_names(tree)
    _, tree = fetch(client, "/fuwu/", q="婚姻")
    assert result_names(tree) == []
    _, tree = fetch(client, "/fuwu/")
    assert "婚姻登记（" not in text(tree, "//section[@aria-labelledby='themes-geren']")


def test_a_cancelled_item_says_so_and_offers_the_hall_without_replacement(client, catalog):
    actions.cancel_implementation(implementation=catalog["subsidy"], actor=None, reason="政策到期")
    _, tree = fetch(client, f"/fuwu/items/{catalog['subsidy'].code}/", status=410)
    assert "本事项已取消" in text(tree) and "原因政策到期" in text(tree)
    assert not tree.xpath("//p[@class='hall-replacement']")
    assert tree.xpath("//main//a[@href='/fuwu/']")


def test_a_suspension_in_the_future_leaves_the_item_visible_with_a_notice(client, catalog):
    later = timezone.now() + timedelta(days=3)
    actions.suspend_implementation(
        implementation=catalog["marriage"], actor=None, reason="机构调整", effective_at=later
    )
    _, tree = fetch(client, f"/fuwu/items/{catalog['marriage'].code}/")
    assert "起暂停办理。原因：机构调整" in text(tree, "//div[@role='note']")
    _, tree = fetch(client, "/fuwu/geren/")
    assert "内地居民婚姻登记" in result_names(tree)


def test_drafts_never_show(client, site_group, regions):
    department = make_department(regions["county_a"])
    draft = build_implementation(region=regions["county_a"], department=department, name="草稿事项")
    draft.live = False
    draft.save()
    draft.save_revision()
    fetch(client, f"/fuwu/items/{draft.code}/", status=404)
    _, tree = fetch(client, "/fuwu/geren/")
    assert "草稿事项" not in result_names(tree)

    live = make_implementation(region=regions["county_a"], department=department, name="已发布事项")
    live.name = "改名后的草稿"
    live.save_revision()
    _, tree = fetch(client, f"/fuwu/items/{live.code}/")
    assert tree.xpath("//h1")[0].text == "已发布事项"


def test_publishing_a_new_version_changes_the_page_at_once(client, catalog):
    marriage = catalog["marriage"]
    _, tree = fetch(client, f"/fuwu/items/{marriage.code}/")
    assert "第 1 版" in text(tree) and "5 个工作日" in text(tree, "//dl[@class='guide-summary']")
    marriage.promised_limit_days = 2
    marriage.materials = [Material(name="户口簿"), Material(name="近期半身免冠照片")]
    publish(marriage)
    response, tree = fetch(client, f"/fuwu/items/{marriage.code}/")
    assert "第 2 版" in text(tree) and "2 个工作日" in text(tree, "//dl[@class='guide-summary']")
    assert [h.text for h in tree.xpath("//li[@class='guide-material']/h3")] == [
        "户口簿",
        "近期半身免冠照片",
    ]
    assert "no-cache" in response["Cache-Control"]


# Applying online -------------------------------------------------------------------------------


def test_apply_needs_login(client, full_guide):
    code = full_guide["main"].code
    response = client.get(f"/fuwu/items/{code}/apply/", HTTP_HOST=COUNTY)
    assert response.status_code == 302
    assert response["Location"] == (f"/accounts/sso/start?next=%2Ffuwu%2Fitems%2F{code}%2Fapply%2F")


def test_apply_below_the_real_name_level_explains_how_to_reach_it(client, full_guide):
    user = User.objects.create_user(username="lisi", real_name_level=RealNameLevel.PHONE)
    client.force_login(user)
    code = full_guide["main"].code
    _, tree = fetch(client, f"/fuwu/items/{code}/apply/", status=403)
    page = text(tree)
    assert "需要实名等级 3 级（身份已核验）" in page and "当前的实名等级是 2 级" in page
    assert "升为三级" in page
    assert tree.xpath("//a[text()='前往个人中心提升实名等级']/@href") == ["/accounts/centre/"]
    denial = AuditEvent.objects.filter(action="accounts.authorization_denied").latest("pk")
    assert code in denial.detail["reason"]


def test_apply_at_the_level_leads_into_the_online_hall(client, full_guide):
    user = User.objects.create_user(username="wangwu", real_name_level=RealNameLevel.IDENTITY)
    client.force_login(user)
    code = full_guide["main"].code
    response = client.get(f"/fuwu/items/{code}/apply/", HTTP_HOST=COUNTY)
    assert response.status_code == 302
    assert response["Location"] == f"/banshi/items/{code}/apply/"
    assert "no-cache" in response["Cache-Control"]


# Power and responsibility lists ------------------------------------------------------------------


def test_power_list_lists_the_departments_powers_with_legal_basis(client, catalog):
    dept = catalog["county_dept"]
    _, tree = fetch(client, f"/fuwu/departments/{dept.pk}/power-list/")
    assert tree.xpath("//h1")[0].text == "松林县民政局权力清单"
    rows = [
        [" ".join(td.text_content().split()) for td in tr.xpath("td")]
        for tr in tree.xpath("//table//tbody/tr")
    ]
    # Public services are not powers; rows go by type code, then code.
    assert [row[2] for row in rows] == ["内地居民婚姻登记", "高龄津贴发放", "慈善组织认定"]
    assert rows[0] == [
        "1",
        catalog["marriage"].code,
        "内地居民婚姻登记",
        "行政许可",
        "《中华人民共和国行政许可法》第二十九条",
        "松林县民政局",
    ]
    assert [row[3] for row in rows] == ["行政许可", "行政给付", "行政确认"]


def test_responsibility_list_has_responsibilities_accountability_and_phone(client, catalog):
    dept = catalog["county_dept"]
    _, tree = fetch(client, f"/fuwu/departments/{dept.pk}/responsibility-list/")
    first = tree.xpath("//table//tbody/tr")[0]
    cells = [" ".join(td.text_content().split()) for td in first.xpath("td")]
    assert cells[2] == "内地居民婚姻登记"
    assert "受理责任" in cells[4] and "事后监管责任" in cells[4]
    assert "未一次性告知应补正的全部内容的" in cells[5]
    assert cells[6] == "12345"


def test_department_subsite_home_links_to_its_lists(client, catalog, site_group):
    from yiwang.portal.models import SubsiteHomePage

    home = site_group["county_a"].root_page
    subsite = SubsiteHomePage(
        title="松林县民政局", slug="mzj", kind="department", department=catalog["county_dept"]
    )
    home.add_child(instance=subsite)
    subsite.save_revision().publish()
    _, tree = fetch(client, "/mzj/")
    dept = catalog["county_dept"].pk
    links = tree.xpath("//section[@aria-labelledby='subsite-lists-heading']//a/@href")
    assert links == [
        f"/fuwu/departments/{dept}/power-list/",
        f"/fuwu/departments/{dept}/responsibility-list/",
        f"/fuwu/?department={dept}",
    ]
