"""Each portal's sitemap.xml: its own Wagtail pages, and the pages other apps serve on
every portal (the service catalog's item pages...), which those apps register here from
their ``AppConfig.ready`` so the portal need not know them."""

from wagtail.contrib.sitemaps import Sitemap as PagesSitemap

_registered = {}


def register(name, factory):
    """Add ``factory(request)`` -> a ``django.contrib.sitemaps.Sitemap`` (or ``None``) to
    every portal's sitemap under ``name``."""
    _registered[name] = factory


def sitemaps_for(request):
    sitemaps = {"pages": PagesSitemap(request)}
    for name, factory in _registered.items():
        sitemap = factory(request)
        if sitemap is not None:
            sitemaps[name] = sitemap
    return sitemaps
