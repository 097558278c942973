"""The back office's list of department systems that log users in through the platform's
OpenID Connect provider ("接入系统（单点登录）", in the settings menu).

Each system is a confidential client with the authorization code grant and RS256 ID
tokens; only its name, redirect URIs, post-logout URIs and whether it is trusted (no consent
page) are edited here. The client secret is shown once, on the page answering the creation
(or a reset): DOT keeps only its hash. Writes go through ``yiwang.accounts.oidc``'s
``register_client`` / ``update_client`` / ``reset_client_secret`` / ``delete_client`` (each
audited). Permissions: ``oauth2_provider.add_application`` / ``change_`` / ``delete_``.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from oauth2_provider.models import Application
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.validators import AllowedURIValidator
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from yiwang.core.forms import add_action_errors

from .oidc import delete_client, register_client, reset_client_secret, update_client

CREATED_TEMPLATE = "oauth2_provider/wagtail/client_secret.html"


def _check_uris(value, *, label, required):
    uris = value.split()
    if required and not uris:
        raise ValidationError(f"请填写至少一个{label}。")
    schemes = oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES
    validator = AllowedURIValidator(schemes, name=label, allow_path=True, allow_query=True)
    errors = []
    for uri in uris:
        try:
            validator(uri)
        except ValidationError:
            errors.append(
                ValidationError(
                    "“%(uri)s”不是有效的%(label)s：须为以 %(schemes)s 开头的完整地址，"
                    "不能含“#”片段或通配符。",
                    params={"uri": uri, "label": label, "schemes": " 或 ".join(schemes)},
                )
            )
    if len(set(uris)) != len(uris):
        errors.append(ValidationError(f"{label}有重复。"))
    if errors:
        raise ValidationError(errors)
    return " ".join(uris)


class ClientForm(WagtailAdminModelForm):
    class Meta:
        model = Application
        fields = ["name", "redirect_uris", "post_logout_redirect_uris", "skip_authorization"]
        labels = {
            "name": "系统名称",
            "redirect_uris": "登录回调地址",
            "post_logout_redirect_uris": "退出后返回地址",
            "skip_authorization": "本平台登记的可信部门系统（不显示授权确认页）",
        }
        help_texts = {
            "name": "用户在授权确认页和审计记录中看到的名称，例如“某某局业务系统”。",
            "redirect_uris": (
                "每行一个，须与系统请求中的 redirect_uri 完全一致（含末尾斜杠和参数）。"
            ),
            "post_logout_redirect_uris": "每行一个，可不填。",
        }
        widgets = {
            "redirect_uris": forms.Textarea(attrs={"rows": 3}),
            "post_logout_redirect_uris": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["redirect_uris"].required = True
        # Not editable: every department system is the same kind of client.
        self.instance.client_type = Application.CLIENT_CONFIDENTIAL
        self.instance.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
        self.instance.algorithm = Application.RS256_ALGORITHM
        for name in ("redirect_uris", "post_logout_redirect_uris"):
            if self.initial.get(name):
                self.initial[name] = "\n".join(self.initial[name].split())

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("请填写系统名称。")
        return name

    def clean_redirect_uris(self):
        return _check_uris(self.cleaned_data["redirect_uris"], label="登录回调地址", required=True)

    def clean_post_logout_redirect_uris(self):
        return _check_uris(
            self.cleaned_data["post_logout_redirect_uris"], label="退出后返回地址", required=False
        )

    def _post_clean(self):
        # The model's own checks repeat ours in English: run them only on clean input.
        if self._errors:
            return
        super()._post_clean()


class ClientCreateView(CreateView):
    page_subtitle = "登记接入系统"

    def form_valid(self, form):
        self.form = form
        data = form.cleaned_data
        try:
            self.object, secret = register_client(
                name=data["name"],
                redirect_uris=data["redirect_uris"],
                post_logout_redirect_uris=data.get("post_logout_redirect_uris", ""),
                skip_authorization=data.get("skip_authorization", False),
                acting_user=self.request.user,
                request=self.request,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
            return self.form_invalid(form)
        return secret_response(self, self.object, secret, created=True)


def secret_response(view, application, secret, *, created):
    """The one page that shows a client secret; never cached, never stored."""
    context = {
        "view": view,
        "page_title": "接入系统已登记" if created else "已重置客户端密钥",
        "header_title": application.name,
        "header_icon": "key",
        "breadcrumbs_items": [],
        "application": application,
        "client_secret": secret,
        "created": created,
        "issuer": oauth2_settings.oidc_issuer(view.request),
        "index_url": reverse("oidc_clients:index"),
        "edit_url": reverse("oidc_clients:edit", args=(application.pk,)),
    }
    response = TemplateResponse(view.request, CREATED_TEMPLATE, context)
    response["Cache-Control"] = "no-store"
    return response


class ClientEditView(EditView):
    page_subtitle = "接入系统"

    def save_instance(self):
        return update_client(
            application=self.form.instance,
            changed=self.form.changed_data,
            acting_user=self.request.user,
            request=self.request,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            add_action_errors(form, exc)
            return self.form_invalid(form)

    def get_header_more_buttons(self):
        buttons = list(super().get_header_more_buttons())
        buttons.append(
            Button(
                "重置客户端密钥",
                url=reverse("oidc_clients:reset_secret", args=(self.object.pk,)),
                icon_name="key",
                priority=20,
            )
        )
        return buttons


class ClientDeleteView(DeleteView):
    def delete_action(self):
        delete_client(application=self.object, acting_user=self.request.user, request=self.request)

    @property
    def confirmation_message(self):
        return "确定删除这个接入系统吗？删除后它发出的令牌全部失效，用户不能再通过它登录。"


class ResetSecretView(WagtailAdminTemplateMixin, TemplateView):
    template_name = CREATED_TEMPLATE
    page_title = "重置客户端密钥"
    header_icon = "key"

    def dispatch(self, request, pk):
        if not request.user.has_perm("oauth2_provider.change_application"):
            raise PermissionDenied
        self.application = get_object_or_404(Application, pk=pk)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.application.name

    def get_context_data(self, **kwargs):
        return super().get_context_data(application=self.application, confirm=True, **kwargs)

    def post(self, request, pk):
        secret = reset_client_secret(
            application=self.application, acting_user=request.user, request=request
        )
        return secret_response(self, self.application, secret, created=False)


class ClientIndexView(IndexView):
    page_title = "接入系统（单点登录）"


def _redirect_uris(application):
    return "、".join(application.redirect_uris.split())


def _trusted(application):
    return "是" if application.skip_authorization else "否（显示授权确认页）"


class ClientViewSet(ModelViewSet):
    model = Application
    icon = "key"
    menu_label = "接入系统（单点登录）"
    menu_name = "oidc_clients"
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ClientForm.Meta.fields
    search_fields = ["name", "client_id"]
    search_backend_name = None
    index_view_class = ClientIndexView
    add_view_class = ClientCreateView
    edit_view_class = ClientEditView
    delete_view_class = ClientDeleteView
    list_display = [
        Column("name", label="系统名称", accessor="name"),
        Column("client_id", label="客户端标识（client_id）", accessor="client_id"),
        Column("redirect_uris", label="登录回调地址", accessor=_redirect_uris),
        Column("skip_authorization", label="可信系统", accessor=_trusted),
    ]

    def get_form_class(self, for_update=False):
        return ClientForm

    def get_queryset(self, request):
        return Application.objects.order_by("name")

    @cached_property
    def reset_secret_view(self):
        return ResetSecretView.as_view()

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("reset-secret/<int:pk>/", self.reset_secret_view, name="reset_secret"),
        ]


def register_oidc_admin():
    """Called once from ``yiwang/accounts/wagtail_hooks.py``."""
    hooks.register("register_admin_viewset", lambda: ClientViewSet("oidc_clients"))
