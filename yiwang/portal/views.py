"""Views of the public portals that are not Wagtail pages: robots.txt, the sitemap, the small
JSON endpoints the pages' script calls, and the error pages.

Public pages are the same for every visitor, so a cache or a static copy can serve them;
whatever differs per visitor (login state, read counts) comes from the JSON endpoints here,
which are never cached.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Site

# Pages that are a person's action, not content: logging in (and the single sign-on round
# trip every page links to) and the "report an error on this page" form (one per page).
NOT_FOR_CRAWLERS = ("/accounts/", "/hudong/zhaocuo/")
# Listings whose filters combine into endless addresses: crawlers (search engines, our own
# monitoring) read their pages (?page=N) and the items, not every combination of filters.
# Rules are prefixes (what every robots.txt parser agrees on, Python's included), so each
# filter that can come first in a query is named.
FACETED_LISTINGS = ("/fuwu/", "/fuwu/geren/", "/fuwu/faren/")
LISTING_FILTERS = ("region", "q", "theme", "event", "department", "type")


def robots_txt(request):
    site = Site.find_for_request(request)
    base = site.root_url if site else request.build_absolute_uri("/").rstrip("/")
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /api/",
        *(f"Disallow: {prefix}" for prefix in NOT_FOR_CRAWLERS),
        *(f"Disallow: {prefix}?{name}=" for prefix in FACETED_LISTINGS for name in LISTING_FILTERS),
        f"Sitemap: {base}/sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def sitemap(request):
    # The request's host picks the site (wagtail.contrib.sitemaps), so each portal's sitemap
    # lists only its own pages, and what other apps serve on it (``sitemaps.register``).
    from .sitemaps import sitemaps_for

    return wagtail_sitemap(request, sitemaps=sitemaps_for(request))


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def read_count(request, page_id):
    from . import actions

    if request.method == "POST":
        count = actions.count_read(page_id=page_id, request=request)
    else:
        count = actions.read_count_of(page_id=page_id)
    if count is None:
        return JsonResponse({"error": "页面不存在 / page not found"}, status=404)
    return JsonResponse({"page": page_id, "count": count})


@never_cache
@require_GET
def session_state(request):
    """Who is logged in, for the greeting in the page header ("您好，xxx" or 登录).

    Also what the script needs around it: where 登录 leads on this host (the sign-on round
    trip on a portal, the login page on the identity host), whether to try the silent
    sign-on (``sso_check``: a portal, nobody logged in here), the identity host to check
    first, and a CSRF token for the 退出 form (the public pages carry none).
    """
    from django.middleware.csrf import get_token

    from yiwang.accounts import sso

    on_identity_host = sso.is_identity_host(request)
    login_url = settings.LOGIN_URL if on_identity_host else reverse("accounts:sso_start")
    user = request.user
    if not user.is_authenticated:
        return JsonResponse(
            {
                "authenticated": False,
                "name": "",
                "login_url": login_url,
                "sso_check": not on_identity_host,
                "identity_url": settings.IDENTITY_URL,
            }
        )
    return JsonResponse(
        {
            "authenticated": True,
            "name": str(user),
            "login_url": "",
            "sso_check": False,
            "logout_url": reverse("accounts:logout"),
            "centre_url": settings.LOGIN_REDIRECT_URL,
            "csrf_token": get_token(request),
        }
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without a request context: when the database is down, context processors
    # and template tags that query it would fail again.
    return HttpResponseServerError(loader.get_template("500.html").render())
