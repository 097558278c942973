from django.apps import AppConfig


class StatsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.stats"
    label = "stats"
    verbose_name = "统计分析"

    def ready(self):
        from . import receivers  # noqa: F401
