from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.participation"
    label = "participation"
    verbose_name = "公众参与"
