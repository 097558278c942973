"""Read API of the service catalog (Django Ninja, OpenAPI at /api/catalog/v1/openapi.json)."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="一网 政务服务事项目录 API",
    version="1",
    urls_namespace="catalog_api",
    description="政务服务事项、实施清单和办事指南的只读接口。 Read API for service items.",
)
