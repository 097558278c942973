"""Back-office views of accounts: legal persons, agents' authorizations and Wagtail's users.

Authorizations are written through ``actions.py`` (so each write has its audit row): the
create view calls ``authorize_agent`` and a "撤销授权" view calls ``revoke_agent``; nobody
edits or deletes an authorization in place (the permission policy in ``apps.py``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.widgets.button import Button
from wagtail.snippets.views.snippets import CreateView as SnippetCreateView
from wagtail.snippets.views.snippets import DeleteView as SnippetDeleteView
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail.users.views.users import CreateView as WagtailUserCreateView
from wagtail.users.views.users import EditView as WagtailUserEditView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from yiwang.core.audit import record
from yiwang.core.forms import add_action_errors
from yiwang.core.masking import mask_mobile

from .actions import authorize_agent, revoke_agent
from .actions.roles import record_role_changes
from .forms import UserCreationForm, UserEditForm
from .models import AgentAuthorization, LegalPerson, User, UserKind


class LegalPersonViewSet(SnippetViewSet):
    model = LegalPerson
    icon = "doc-full"
    menu_label = "法人"
    menu_name = "legal_persons"
    list_display = ["name", "uscc", "legal_representative"]
    search_fields = ["name", "uscc", "legal_representative"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("uscc"), FieldPanel("legal_representative")]),
    ]


class AuthorizationForm(WagtailAdminModelForm):
    """Only natural persons can be chosen as agents."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "agent" in self.fields:
            self.fields["agent"].queryset = User.objects.filter(
                kind=UserKind.NATURAL, is_active=True
            ).order_by("username")


class AuthorizationCreateView(SnippetCreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return authorize_agent(
            legal_person=data["legal_person"],
            agent=data["agent"],
            expires_at=data.get("expires_at"),
            acting_user=self.request.user,
            request=self.request,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            add_action_errors(form, exc)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class RevokeForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200, required=False)


class AuthorizationRevokeView(SnippetDeleteView):
    """Confirms and revokes one authorization (a delete view in form only: nothing is
    deleted, the row keeps its history)."""

    permission_required = "revoke"
    template_name = "accounts/revoke_authorization.html"
    page_title = "撤销经办人授权"
    revoke_url_name = None

    def get_usage(self):
        return None

    def get_usage_url(self):
        return None

    def get_form(self, form_class=None):
        return RevokeForm(self.request.POST if self.request.method == "POST" else None)

    def get_revoke_url(self):
        return reverse(self.revoke_url_name, args=(self.object.pk,))

    def form_valid(self, form):
        try:
            revoke_agent(
                authorization=self.object,
                acting_user=self.request.user,
                reason=form.cleaned_data["reason"],
                request=self.request,
            )
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
            return redirect(self.get_success_url())
        messages.success(self.request, f"已撤销授权：{self.object}")
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or self.get_form()
        return context


class AuthorizationIndexView(SnippetIndexView):
    revoke_url_name = None

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.revoked_at is None and self.permission_policy.user_has_permission(
            self.request.user, "revoke"
        ):
            buttons.append(
                Button(
                    "撤销授权",
                    url=reverse(self.revoke_url_name, args=(instance.pk,)),
                    icon_name="cross",
                    priority=40,
                )
            )
        return buttons


class AgentAuthorizationViewSet(SnippetViewSet):
    model = AgentAuthorization
    icon = "user"
    menu_label = "经办人授权"
    menu_name = "agent_authorizations"
    list_display = ["agent", "legal_person", "granted_at", "expires_at", "revoked_at"]
    list_filter = ["legal_person"]
    search_fields = ["legal_person__name", "legal_person__uscc", "agent__username"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    add_view_class = AuthorizationCreateView
    index_view_class = AuthorizationIndexView
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("legal_person"), FieldPanel("agent")]),
            FieldPanel("expires_at"),
        ],
        base_form_class=AuthorizationForm,
    )

    def get_queryset(self, request):
        return AgentAuthorization.objects.select_related("legal_person", "agent")

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(revoke_url_name=self.get_url_name("revoke"), **kwargs)

    @cached_property
    def revoke_view(self):
        return self.construct_view(
            AuthorizationRevokeView,
            **self.get_delete_view_kwargs(template_name=AuthorizationRevokeView.template_name),
            revoke_url_name=self.get_url_name("revoke"),
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("revoke/<int:pk>/", self.revoke_view, name="revoke"),
        ]


class AuditedUserFormMixin:
    """The back office's user create and edit views: the form knows who edits (it refuses
    superuser and role changes they may not make), and every save is audited together with
    the roles it gave or took."""

    audit_action = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def save_instance(self):
        granted, revoked = self.form.role_changes()
        user = super().save_instance()
        record(
            action=self.audit_action,
            actor=self.request.user,
            obj=user,
            request=self.request,
            detail=_user_detail(user, self.form.changed_data),
        )
        record_role_changes(
            user=user,
            granted=granted,
            revoked=revoked,
            acting_user=self.request.user,
            request=self.request,
        )
        return user


class AuditedUserCreateView(AuditedUserFormMixin, WagtailUserCreateView):
    audit_action = "accounts.admin_create_user"


class AuditedUserEditView(AuditedUserFormMixin, WagtailUserEditView):
    audit_action = "accounts.admin_edit_user"


def _user_detail(user, changed):
    # Which fields changed, never the values of secrets.
    return {
        "changed": sorted(name for name in changed if name not in {"password1", "password2"}),
        "password_changed": "password1" in changed,
        "kind": user.kind,
        "department_id": user.department_id,
        "mobile": mask_mobile(user.mobile),
    }


class UserViewSet(WagtailUserViewSet):
    add_view_class = AuditedUserCreateView
    edit_view_class = AuditedUserEditView

    def get_form_class(self, for_update=False):
        return UserEditForm if for_update else UserCreationForm
