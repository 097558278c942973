"""Each portal's sitemap.xml lists the hall's pages and the item pages of its own visible
implementations, and validates against the sitemaps.org schema."""

from pathlib import Path

import pytest
from lxml import etree

from yiwang.catalog import actions

from .factories import make_implementation

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
XSD = Path(__file__).resolve().parents[3] / ".." / "shared" / "real-material" / "sitemap-xsd"


def locations(client, host):
    response = client.get("/sitemap.xml", HTTP_HOST=host)
    assert response.status_code == 200
    tree = etree.fromstring(response.content)
    return tree, [loc.text for loc in tree.xpath("//s:url/s:loc", namespaces=NS)]


def test_portal_sitemaps_list_their_own_items(client, site_group, regions):
    county = make_implementation(region=regions["county_a"])
    town = make_implementation(region=regions["town_a"])
    city = make_implementation(region=regions["city"])
    withdrawn = make_implementation(region=regions["county_a"])
    actions.cancel_implementation(implementation=withdrawn, actor=None, reason="职能调整")

    tree, urls = locations(client, "songlin.localhost")
    base = "http://songlin.localhost"
    assert f"{base}/fuwu/" in urls and f"{base}/fuwu/geren/" in urls
    assert f"{base}/fuwu/items/{county.code}/" in urls
    assert f"{base}/fuwu/items/{town.code}/" in urls
    assert f"{base}/fuwu/items/{city.code}/" not in urls
    assert f"{base}/fuwu/items/{withdrawn.code}/" not in urls
    # The portal's own pages are still there.
    assert f"{base}/" in urls

    _, city_urls = locations(client, "qingshan.localhost")
    assert f"http://qingshan.localhost/fuwu/items/{city.code}/" in city_urls
    assert not any(county.code in url for url in city_urls)

    if not (XSD / "sitemap.xsd").exists():
        pytest.skip("../shared/real-material/sitemap-xsd is not beside the checkout")
    schema = etree.XMLSchema(etree.parse(str(XSD / "sitemap.xsd")))
    assert schema.validate(tree), schema.error_log
