"""The hall's catalog (/fuwu/) in a browser: browsing a county portal by theme to an item, the
item page's situation filter, print and PDF entries, axe-core on the hall, a browse page and
the item page, and the phone layout."""

import pytest

from yiwang.catalog.constants import Audience, ItemType
from yiwang.catalog.models import Material, Situation, Theme
from yiwang.catalog.tests.factories import (
    build_implementation,
    make_catalog_item,
    make_department,
    publish,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def county_items(live_sites, regions):
    """Two items of the county's civil affairs bureau (one with situations) and one of the
    city, all published."""
    department = make_department(regions["county_a"], "松林县民政局", uscc="11990102MB0000011")

    def item(name, region=regions["county_a"], dept=department, themes=(), **fields):
        implementation = build_implementation(
            region=region,
            department=dept,
            catalog_item=make_catalog_item(name=name, item_type=fields.pop("type", 1)),
            **fields,
        )
        implementation.themes = list(Theme.objects.filter(code__in=themes))
        return publish(implementation)

    marriage = build_implementation(
        region=regions["county_a"],
        department=department,
        catalog_item=make_catalog_item(name="内地居民结婚登记"),
        summary="内地居民在中国内地结婚的登记。",
    )
    marriage.themes = list(Theme.objects.filter(code__in=["p-marriage", "pe-marriage"]))
    marriage.situations = [
        Situation(code="A", name="双方均为本县户籍"),
        Situation(code="B", name="一方为外县户籍"),
    ]
    marriage.materials = [
        Material(name="居民身份证", license_type="居民身份证"),
        Material(name="户口簿", situation_codes="A"),
        Material(name="外县户籍证明", situation_codes="B"),
    ]
    marriage = publish(marriage)
    item(
        "慈善组织认定",
        themes=["l-establishment"],
        audience=Audience.LEGAL_PERSON,
        type=ItemType.CONFIRMATION,
    )
    city_dept = make_department(regions["city"], "青山市公安局")
    item("户口迁移审批", region=regions["city"], dept=city_dept, themes=["p-household"])
    return {
        "marriage_url": live_sites.url("county_a", f"/fuwu/items/{marriage.code}/"),
        "pdf_path": f"/fuwu/items/{marriage.code}/guide.pdf",
        "hall_url": live_sites.url("county_a", "/fuwu/"),
        "browse_url": live_sites.url("county_a", "/fuwu/geren/"),
    }


def material_names(page):
    return page.locator("li.guide-material h3").all_inner_texts()


def test_browse_from_the_county_hall_by_theme_to_an_item(county_items, new_page):
    page = new_page()
    page.goto(county_items["hall_url"])
    assert page.get_by_role("heading", level=1).inner_text() == "办事服务"
    themes = page.get_by_role("region", name="个人办事主题")
    themes.get_by_role("link", name="婚姻登记（1）").click()
    page.wait_for_url("**/fuwu/geren/?theme=p-marriage")
    results = page.get_by_role("region", name="事项列表")
    assert results.get_by_role("heading", level=3).all_inner_texts() == ["内地居民结婚登记"]
    results.get_by_role("link", name="内地居民结婚登记").click()
    page.wait_for_url(county_items["marriage_url"])
    assert page.get_by_role("heading", level=1).inner_text() == "内地居民结婚登记"


def test_the_county_hall_reaches_the_citys_items(county_items, new_page):
    page = new_page()
    page.goto(county_items["browse_url"])
    switcher = page.get_by_role("navigation", name="切换地区")
    switcher.get_by_role("link", name="青山市").click()
    page.wait_for_load_state("networkidle")
    results = page.get_by_role("region", name="事项列表")
    assert results.get_by_role("heading", level=3).all_inner_texts() == ["户口迁移审批"]
    assert switcher.get_by_role("link", name="青山市").get_attribute("aria-current") == "page"


def test_item_page_filters_materials_by_situation_and_offers_print_and_pdf(county_items, new_page):
    page = new_page()
    page.goto(county_items["marriage_url"])
    assert material_names(page) == ["居民身份证", "户口簿", "外县户籍证明"]
    page.get_by_role("link", name="一方为外县户籍").click()
    page.wait_for_url("**?situation=B#materials")
    assert material_names(page) == ["居民身份证", "外县户籍证明"]
    assert "当前情形：一方为外县户籍" in page.get_by_role("status").inner_text()

    print_button = page.get_by_role("button", name="打印办事指南")
    assert print_button.is_visible()
    # window.print() would open a dialog; record the call instead.
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed++; }; }")
    print_button.click()
    assert page.evaluate("() => window.__printed") == 1
    pdf = page.get_by_role("link", name="下载办事指南（PDF）")
    assert pdf.get_attribute("href") == county_items["pdf_path"]
    # The print stylesheet leaves the buttons and the situation links out.
    page.emulate_media(media="print")
    assert not print_button.is_visible()
    assert not page.get_by_role("navigation", name="办事指南目录").is_visible()


def test_catalog_pages_have_no_wcag_violations(county_items, new_page, assert_accessible):
    page = new_page()
    for label, url in [
        ("hall home", county_items["hall_url"]),
        ("browse page", county_items["browse_url"] + "?theme=p-marriage"),
        ("item page", county_items["marriage_url"]),
        ("item page, one situation", county_items["marriage_url"] + "?situation=A"),
    ]:
        response = page.goto(url)
        assert response.status == 200, f"{label} answered {response.status}"
        assert_accessible(page, label)
    page.get_by_role("button", name="长者模式").click()
    assert page.evaluate("() => document.documentElement.classList.contains('elder')")
    assert_accessible(page, "item page in elder mode")


def test_catalog_pages_fit_a_phone_screen(county_items, new_page, results_dir):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    for name, url in [
        ("hall", county_items["hall_url"]),
        ("browse", county_items["browse_url"]),
        ("item", county_items["marriage_url"]),
    ]:
        page.goto(url)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the {name} page scrolls sideways by {overflow}px on a phone"
        page.screenshot(path=str(results_dir / f"catalog-{name}-375x812.png"), full_page=True)
    # The guide's summary stays in two columns and the apply button is a finger's size.
    apply = page.get_by_role("link", name="在线办理")
    assert apply.bounding_box()["height"] >= 44
