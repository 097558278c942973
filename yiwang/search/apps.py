from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.search"
    verbose_name = "全网检索"

    def ready(self):
        from . import receivers  # noqa: F401  (publish, change, delete → the index, on commit)
