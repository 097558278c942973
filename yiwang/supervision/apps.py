from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.supervision"
    label = "supervision"
    verbose_name = "电子监察"
