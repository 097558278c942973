"""The audit log in the back office: a read-only listing (no add, edit or delete, for
anyone; the permission policy is registered in ``apps.py``), showing each row's sequence
number, and a "校验审计链" button that verifies the hash chain for whoever may read the log
(the auditor, 审计管理员)."""

from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from .audit import run_verification
from .models import AuditEvent


class AuditEventIndexView(IndexView):
    verify_url_name = None

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.permission_policy.user_has_permission(self.request.user, "view"):
            buttons.append(
                HeaderButton("校验审计链", url=reverse(self.verify_url_name), icon_name="tick")
            )
        return buttons


class AuditChainVerifyView(PermissionCheckedMixin, View):
    """Verifies the chain and says so on the listing (the verification is audited too)."""

    model = AuditEvent
    permission_required = "view"
    index_url_name = None

    def get(self, request):
        report = run_verification(acting_user=request.user, request=request)
        if report.ok:
            messages.success(request, f"审计链完整：共校验 {report.checked} 条记录。")
        else:
            broken = report.broken
            messages.error(request, f"审计链已断开（序号 {broken.sequence}）：{broken.message}")
        return redirect(self.index_url_name)


class AuditEventViewSet(SnippetViewSet):
    model = AuditEvent
    icon = "history"
    menu_label = "审计记录"
    menu_name = "audit_events"
    menu_order = 900
    add_to_settings_menu = True
    list_display = ["sequence", "occurred_at", "action", "actor", "on_behalf_of", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_repr", "object_type", "object_id", "on_behalf_of"]
    ordering = ["-sequence"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = AuditEventIndexView
    # Audit rows are written by actions only; Wagtail must not add history of its own here.
    add_to_reference_index = False

    def get_queryset(self, request):
        return AuditEvent.objects.select_related("actor")

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(verify_url_name=self.get_url_name("verify"), **kwargs)

    @cached_property
    def verify_view(self):
        return AuditChainVerifyView.as_view(index_url_name=self.get_url_name("list"))

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("verify/", self.verify_view, name="verify")]
