from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from yiwang.accounts import oidc_urls
from yiwang.accounts import urls as accounts_urls
from yiwang.accounts.views.staff import admin_login_redirect
from yiwang.appointments import urls as appointments_urls
from yiwang.catalog import urls as catalog_urls
from yiwang.catalog.api import api as catalog_api
from yiwang.evaluation import urls as evaluation_urls
from yiwang.hall import urls as hall_urls
from yiwang.portal import urls as portal_urls
from yiwang.search.api import api as search_api

urlpatterns = [
    path("accounts/", include(accounts_urls)),
    # OpenID Connect provider for other departments' systems (django-oauth-toolkit).
    # Only the protocol endpoints: no self-service client registration (/o/applications/);
    # department systems are registered by administrators in the back office.
    path(
        "o/",
        include((oidc_urls.provider_urlpatterns, "oauth2_provider"), namespace="oauth2_provider"),
    ),
    # Staff log in at /accounts/login/ (password, then TOTP), never at the admins' own pages.
    path("django-admin/login/", admin_login_redirect, {"default_next": "/django-admin/"}),
    path("django-admin/", admin.site.urls),
    path("admin/login/", admin_login_redirect),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include(oidc_urls)),
    path("", include(portal_urls)),
    # The service hall's catalog on every portal, and its read API.
    path("fuwu/", include(catalog_urls)),
    path("banshi/", include(hall_urls)),
    path("pingjia/", include(evaluation_urls)),
    path("yuyue/", include(appointments_urls)),
    path("canyu/", include("yiwang.participation.urls")),
    path("hudong/", include("yiwang.interaction.urls")),
    path("sousuo/", include("yiwang.search.urls")),
    path("api/catalog/v1/", catalog_api.urls),
    path("api/search/v1/", search_api.urls),
    path("open311/v2/", include("yiwang.interaction.open311_urls")),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [
        re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    ]

urlpatterns += [path("", include(wagtail_urls))]

handler403 = "yiwang.core.views.permission_denied"
handler404 = "yiwang.portal.views.page_not_found"
handler500 = "yiwang.portal.views.server_error"
