"""Search in Chromium: a visitor types in the header's search box on the county portal,
gets the whole group's results with facets, narrows them to one type (updated in place by
search.js: the address follows and Back returns), and the page passes axe-core; with
JavaScript off the same links load the page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def searchable(county_content, live_sites, settings, tmp_path):
    from yiwang.catalog.tests.factories import (
        build_implementation,
        make_catalog_item,
        make_department,
        publish,
    )
    from yiwang.portal.models import ArticlePage
    from yiwang.search import index, text
    from yiwang.search.engines import forget_engines

    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    forget_engines()
    county = live_sites["county_a"].root_page.specific
    department = make_department(county.region, name="松林县公安局")
    publish(
        build_implementation(
            region=county.region,
            department=department,
            catalog_item=make_catalog_item(name="居民身份证申领"),
        )
    )
    city = live_sites["city"].root_page.specific
    news = ArticlePage(
        title="青山市推行身份证异地办理",
        slug="shenfenzheng",
        body="<p>市民可在全市任一户籍窗口办理居民身份证。</p>",
    )
    city.add_child(instance=news)
    news.save_revision().publish()
    text.reset()
    index.rebuild()
    yield
    forget_engines()


def test_a_visitor_searches_the_group_and_narrows_the_results(
    searchable, live_sites, new_page, assert_accessible
):
    page = new_page()
    page.goto(live_sites.url("county_a"))
    page.get_by_role("search", name="全站搜索").get_by_role("searchbox").fill("身份证")
    page.get_by_role("search", name="全站搜索").get_by_role("button", name="搜索").click()
    expect(page.get_by_text("找到约 2 条结果")).to_be_visible()
    results = page.get_by_role("region", name="搜索结果")
    expect(results.get_by_role("link", name="居民身份证申领")).to_be_visible()
    expect(results.get_by_role("link", name="青山市推行身份证异地办理")).to_be_visible()
    expect(page.locator("mark").first).to_have_text("身份证")
    assert_accessible(page, "the search results")

    # A facet, in place: the address follows and the list shows only that type.
    facets = page.get_by_role("complementary", name="筛选")
    facets.get_by_role("link", name="办事服务").click()
    expect(page).to_have_url(re.compile(r"type=item"))
    expect(page.get_by_text("找到约 1 条结果")).to_be_visible()
    expect(results.get_by_role("link", name="青山市推行身份证异地办理")).to_have_count(0)
    expect(facets.get_by_role("link", name="全部类型")).to_be_visible()
    page.go_back()
    expect(page.get_by_text("找到约 2 条结果")).to_be_visible()

    # This site only.
    page.get_by_label("本站（松林县人民政府）").check()
    page.get_by_role("search", name="搜索").get_by_role("button", name="搜索").click()
    expect(page.get_by_text("找到约 1 条结果")).to_be_visible()
    assert_accessible(page, "the search results of this site")


def test_without_javascript_the_links_load_the_page(
    searchable, live_sites, chromium_browser, assert_accessible
):
    context = chromium_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_sites.url("county_a", "/sousuo/?q=身份证"))
    expect(page.get_by_text("找到约 2 条结果")).to_be_visible()
    page.get_by_role("link", name="新闻动态").click()
    expect(page).to_have_url(re.compile(r"type=news"))
    expect(page.get_by_text("找到约 1 条结果")).to_be_visible()
    context.close()
