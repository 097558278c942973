from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.evaluation"
    label = "evaluation"
    verbose_name = "好差评"

    def ready(self):
        from . import receivers  # noqa: F401  (working_calendar_changed → deadlines)
