from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.monitoring"
    verbose_name = "网站监测"

    def ready(self):
        from . import receivers  # noqa: F401  (page_published → tamper fingerprints)
