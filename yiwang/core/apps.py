from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yiwang.core"
    label = "core"
    verbose_name = "平台基础"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from .models import AuditEvent
        from .permissions import read_only_policy

        # Before Wagtail builds its fallback policy for the model, which it does on first use.
        register_permission_policy(AuditEvent, read_only_policy(AuditEvent))

        from .views import audit_wagtail_admin_denials

        # Wagtail's admin turns denials into redirects, past Django's 403 handler.
        audit_wagtail_admin_denials()
