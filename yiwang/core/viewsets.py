"""The audit log in the back office: a read-only listing (no add, edit or delete, for
anyone; the permission policy is registered in ``apps.py``)."""

from wagtail.snippets.views.snippets import SnippetViewSet

from .models import AuditEvent


class AuditEventViewSet(SnippetViewSet):
    model = AuditEvent
    icon = "history"
    menu_label = "审计记录"
    menu_name = "audit_events"
    menu_order = 900
    add_to_settings_menu = True
    list_display = ["occurred_at", "action", "actor", "on_behalf_of", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_repr", "object_type", "object_id", "on_behalf_of"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    # Audit rows are written by actions only; Wagtail must not add history of its own here.
    add_to_reference_index = False

    def get_queryset(self, request):
        return AuditEvent.objects.select_related("actor")
