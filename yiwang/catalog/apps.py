from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "yiwang.catalog"
    label = "catalog"
    verbose_name = "政务服务事项"

    def ready(self):
        from wagtail.signals import published

        from .actions import on_published
        from .models import Implementation

        published.connect(on_published, sender=Implementation, dispatch_uid="catalog_published")

        from yiwang.portal import sitemaps

        from .sitemaps import for_request

        sitemaps.register("catalog", for_request)
