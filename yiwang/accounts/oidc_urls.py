"""OpenID Connect discovery at the site root.

The issuer is the identity host itself (settings.IDENTITY_URL), so OpenID Connect Discovery
looks for ``{issuer}/.well-known/openid-configuration``; django-oauth-toolkit serves the
same document under /o/ too. Included from yiwang/urls.py before the portal's URLs.

``provider_urlpatterns`` are the parts of django-oauth-toolkit the platform uses (no
self-service application management, no device flow): mount them at /o/ in place of the
whole ``oauth2_provider.urls``.
"""

from django.urls import re_path
from oauth2_provider import urls as dot_urls
from oauth2_provider import views as dot_views

urlpatterns = [
    re_path(
        r"^\.well-known/openid-configuration/?$",
        dot_views.ConnectDiscoveryInfoView.as_view(),
        name="oidc_discovery",
    ),
]

# Everything but the applications/authorized-tokens management pages (any logged-in user
# could register a client there) and the device authorization grant.
_UNUSED = {
    "list",
    "register",
    "detail",
    "delete",
    "update",
    "authorized-token-list",
    "authorized-token-delete",
    "device-authorization",
    "device",
    "device-confirm",
    "device-grant-status",
}
provider_urlpatterns = [
    pattern for pattern in dot_urls.urlpatterns if getattr(pattern, "name", None) not in _UNUSED
]
