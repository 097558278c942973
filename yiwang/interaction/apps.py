from django.apps import AppConfig


class InteractionConfig(AppConfig):
    name = "yiwang.interaction"
    label = "interaction"
    verbose_name = "政民互动"

    def ready(self):
        from . import receivers  # noqa: F401  (working_calendar_changed → deadlines)
