"""Open311 GeoReport v2, included at ``/open311/v2/`` (``open311.py``, docs/open311.md).
Every path ends in ``.json`` or ``.xml``; anything else here answers an Open311 404."""

from django.urls import path, re_path

from . import open311

app_name = "open311"

FORMAT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(rf"^discovery{FORMAT}", open311.discovery, name="discovery"),
    re_path(rf"^services{FORMAT}", open311.services, name="services"),
    re_path(
        rf"^services/(?P<code>[\w-]{{1,80}}){FORMAT}",
        open311.service_definition,
        name="service",
    ),
    re_path(rf"^requests{FORMAT}", open311.requests, name="requests"),
    re_path(
        rf"^requests/(?P<number>[0-9]{{1,24}}){FORMAT}", open311.request_detail, name="request"
    ),
    re_path(rf"^tokens/(?P<token>[\w-]{{1,100}}){FORMAT}", open311.token, name="token"),
    path("<path:rest>", open311.unknown),
    path("", open311.unknown),
]
