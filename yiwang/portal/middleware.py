"""Answering the hostnames of closed sites (关停迁移).

A site closed by a migration keeps its ``Site`` row so that requests to its hostname still
find it; this middleware then answers every request there with a 301 before any view runs:
to the redirect recorded for the path when there is one, otherwise to the page the site's
content went to. Wagtail's own ``RedirectMiddleware`` only acts on 404 responses, which is
enough for migrations inside a portal but not for a hostname that must stop serving pages.
"""

from urllib.parse import urlparse

from django.conf import settings
from django.http import HttpResponseGone, HttpResponsePermanentRedirect
from wagtail.contrib.redirects.middleware import get_redirect
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Site

from .migration import closed_sites

# Paths that are not pages of the site: they keep their path and move to the new hostname,
# so editors and old document links land on the same thing there.
SAME_PATH_PREFIXES = ("/admin/", "/django-admin/", "/documents/", "/robots.txt", "/sitemap.xml")


class ClosedSiteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        closed = closed_sites()
        if closed:
            site = Site.find_for_request(request)
            if site is not None and site.pk in closed:
                return self.answer(request, closed[site.pk])
        return self.get_response(request)

    def answer(self, request, new_home_id):
        new_home = Page.objects.filter(pk=new_home_id).first() if new_home_id else None
        home_url = new_home.specific_deferred.get_full_url(request) if new_home else None
        query = request.META.get("QUERY_STRING", "")

        path = request.path
        media_url = getattr(settings, "MEDIA_URL", "") or ""
        prefixes = SAME_PATH_PREFIXES + ((media_url,) if media_url.startswith("/") else ())
        if home_url and path.startswith(prefixes):
            root = urlparse(home_url)
            return _moved(f"{root.scheme}://{root.netloc}{request.get_full_path()}")

        location = self.redirect_location(request, query)
        if location:
            return _moved(location)
        if home_url:
            return _moved(home_url)
        return HttpResponseGone("本网站已关停。", content_type="text/plain; charset=utf-8")

    def redirect_location(self, request, query):
        """The new URL recorded for this path, the query string kept (list pages use it)."""
        full_path = Redirect.normalise_path(request.get_full_path(), decode_unicode=False)
        redirect = get_redirect(request, full_path)
        carry_query = False
        if redirect is None:
            path_only = urlparse(full_path).path
            if path_only != full_path:
                redirect = get_redirect(request, path_only)
                carry_query = True
        if redirect is None:
            return None
        if redirect.redirect_page_id:
            page = redirect.redirect_page.specific_deferred
            base_url = page.get_full_url(request)
            if base_url is None:
                return None
            location = base_url
            if redirect.redirect_page_route_path:
                location = base_url.rstrip("/") + redirect.redirect_page_route_path
        elif redirect.redirect_link:
            location = redirect.redirect_link
        else:
            return None
        if carry_query and query:
            location += ("&" if "?" in location else "?") + query
        return location


def _moved(location):
    return HttpResponsePermanentRedirect(location)
