"""The service catalog's pages in each portal's sitemap.xml (registered in ``apps.py``):
the hall's entry pages and the item page of every implementation the portal lists as its own
(a county's with its townships'), so a withdrawn item drops out of it at once."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import queries


class CatalogSitemap(Sitemap):
    changefreq = "weekly"

    def __init__(self, region):
        self.region = region

    def items(self):
        entries = [("page", name) for name in ("catalog:hall", "catalog:geren", "catalog:faren")]
        implementations = queries.implementations_for_region(self.region).order_by("code")
        rows = implementations.select_related(None).only("code", "last_published_at")
        return entries + [("item", i) for i in rows]

    def location(self, entry):
        kind, value = entry
        if kind == "page":
            return reverse(value)
        return reverse("catalog:item", args=[value.code])

    def lastmod(self, entry):
        kind, value = entry
        return value.last_published_at if kind == "item" else None


def for_request(request):
    """The catalog's sitemap for the request's portal, or ``None`` off a portal."""
    from .views import current_portal

    region = current_portal(request).region
    return CatalogSitemap(region) if region is not None else None
