"""The public portals as a visitor's browser sees them: walking the site group, accessibility
(axe-core, WCAG 2.0/2.1 A and AA), elder mode and the phone layout."""

import re

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ELDER_MODE = re.compile("长者模式")
SITE_GROUP_NAV = "站群导航"


def site_group_nav(page):
    """The 站群导航 block: a navigation landmark named so, or a <nav> headed so."""
    return (
        page.get_by_role("navigation", name=SITE_GROUP_NAV)
        .or_(page.locator("nav", has_text=SITE_GROUP_NAV))
        .first
    )


def test_site_group_navigation_leads_from_province_to_city_to_county(live_sites, new_page):
    page = new_page()
    page.goto(live_sites.url("province"))
    assert "示范省人民政府" in page.title()

    site_group_nav(page).get_by_role("link", name="青山市人民政府").click()
    page.wait_for_url(live_sites.url("city"))
    assert "青山市人民政府" in page.title()

    site_group_nav(page).get_by_role("link", name="松林县人民政府").click()
    page.wait_for_url(live_sites.url("county_a"))
    assert "松林县人民政府" in page.title()
    # The county's own pages carry its national site identification code.
    assert page.locator('meta[name="SiteIDCode"]').get_attribute("content") == "9901020001"
    assert page.locator('meta[name="SiteDomain"]').get_attribute("content") == ("songlin.localhost")


def county_urls(content):
    """The county pages under test, by label. URLs are worked out before the browser starts,
    so the test never queries the database while the live server answers the page."""
    return {
        "home page": content["home"].get_full_url(),
        "column page": content["news"].get_full_url(),
        "article page": content["article"].get_full_url(),
        "policy document page": content["document"].get_full_url(),
    }


def test_county_pages_have_no_wcag_violations(county_content, new_page, assert_accessible):
    urls = county_urls(county_content)
    page = new_page()
    for label, url in urls.items():
        response = page.goto(url)
        assert response.status == 200, f"{label} answered {response.status}"
        assert_accessible(page, label)


def test_county_pages_have_no_wcag_violations_in_elder_mode(
    county_content, new_page, assert_accessible
):
    urls = county_urls(county_content)
    page = new_page()
    page.goto(urls["home page"])
    page.get_by_role("button", name=ELDER_MODE).click()
    for label, url in urls.items():
        page.goto(url)
        expect_elder_mode(page, on=True)
        assert_accessible(page, f"{label} in elder mode")


def font_size(page):
    return page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")


def expect_elder_mode(page, *, on):
    button = page.get_by_role("button", name=ELDER_MODE)
    assert button.get_attribute("aria-pressed") == ("true" if on else "false"), (
        f"the elder-mode button should say it is {'on' if on else 'off'} (aria-pressed)"
    )


def test_elder_mode_stays_on_across_pages(county_content, new_page):
    urls = county_urls(county_content)
    page = new_page()
    page.goto(urls["home page"])
    expect_elder_mode(page, on=False)
    normal_size = font_size(page)

    page.get_by_role("button", name=ELDER_MODE).click()
    expect_elder_mode(page, on=True)
    assert font_size(page) > normal_size, "elder mode should enlarge the text"

    page.goto(urls["article page"])
    expect_elder_mode(page, on=True)
    assert font_size(page) > normal_size
    page.reload()
    expect_elder_mode(page, on=True)

    page.get_by_role("button", name=ELDER_MODE).click()
    expect_elder_mode(page, on=False)
    page.goto(urls["column page"])
    expect_elder_mode(page, on=False)
    assert font_size(page) == normal_size


def test_article_page_has_breadcrumbs_and_national_meta_tags(county_content, new_page):
    article = county_content["article"]
    urls = county_urls(county_content)
    page = new_page()
    page.goto(urls["article page"])

    meta = {
        name: page.locator(f'meta[name="{name}"]').get_attribute("content")
        for name in ("SiteName", "SiteIDCode", "ColumnName", "ArticleTitle", "ContentSource")
    }
    assert meta == {
        "SiteName": "松林县人民政府",
        "SiteIDCode": "9901020001",
        "ColumnName": "工作动态",
        "ArticleTitle": article.title,
        "ContentSource": "松林县林业局",
    }
    assert page.locator('meta[name="PubDate"]').get_attribute("content")

    breadcrumbs = page.get_by_role("navigation", name=re.compile("面包屑|当前位置"))
    breadcrumbs.get_by_role("link", name="工作动态").click()
    page.wait_for_url(urls["column page"])
    page.get_by_role("link", name=article.title).first.click()
    page.wait_for_url(urls["article page"])


def test_county_home_fits_a_phone_screen(county_content, new_page, results_dir):
    page = new_page(
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page.goto(county_urls(county_content)["home page"])
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(results_dir / "county-home-375x812.png"), full_page=True)

    widths = page.evaluate(
        "() => ({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], (
        f"the page is {widths['scroll']}px wide on a {widths['inner']}px screen "
        "(horizontal scrolling)"
    )
