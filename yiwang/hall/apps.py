from django.apps import AppConfig


class HallConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.hall"
    label = "hall"
    verbose_name = "网上办事大厅"

    def ready(self):
        from . import receivers  # noqa: F401  (working_calendar_changed → clocks)
