from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Site


def robots_txt(request):
    site = Site.find_for_request(request)
    base = site.root_url if site else request.build_absolute_uri("/").rstrip("/")
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /django-admin/",
             "Disallow: /api/", f"Sitemap: {base}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def sitemap(request):
    return wagtail_sitemap(request)


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


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
