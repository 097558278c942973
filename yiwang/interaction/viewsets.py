"""The configuration of 政民互动 in the back office (Wagtail ModelViewSets in the 政民互动
menu), for superusers and whoever holds the models' permissions (the system
administrator's role, once ``accounts/roles.py`` lists them):

- 答复时限 (``DeadlineRule``): every creation, change and deletion is audited
  (``events.DEADLINE_RULE_CHANGED``) with the values before and after. New messages use
  the rule; a message keeps the one it started with.
- 留言分类 (``Category``) and 分办规则 (``RoutingRule``).
- 接入系统 (``ApiClient``): creating one shows its API key once (``clients.py`` keeps only
  a hash); afterwards only the name and whether it is active change.
- 分办模型 (``RoutingModel``): a read-only list (trained by ``manage.py train_routing``).

Every page carries the banner of long-open messages, as the other interaction pages do.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.widgets import AdminSnippetChooser

from yiwang.core import audit
from yiwang.core.forms import add_action_errors
from yiwang.orgs.models import Department, Region

from . import events
from .clients import create_api_client
from .models import ApiClient, Category, DeadlineRule, RoutingModel, RoutingRule

MENU_HOOK = "register_interaction_menu_item"
TEMPLATE_PREFIX = "interaction/admin/config/"
KEY_TEMPLATE = "interaction/admin/api_client_key.html"


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Listing only: nobody adds, changes or deletes through the admin."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a == "view"])


# Registered before any view asks for the model's policy (the registry refuses later).
register_permission_policy(RoutingModel, ReadOnlyPolicy(RoutingModel))


class BannerMixin:
    def get_context_data(self, **kwargs):
        from .admin_views import banner_context

        context = super().get_context_data(**kwargs)
        context.update(banner_context(self.request.user))
        return context


class BannerIndexView(BannerMixin, IndexView):
    pass


class BannerCreateView(BannerMixin, CreateView):
    pass


class BannerEditView(BannerMixin, EditView):
    pass


class InteractionViewSet(ModelViewSet):
    menu_hook = MENU_HOOK
    template_prefix = TEMPLATE_PREFIX
    copy_view_enabled = False
    inspect_view_enabled = False
    search_backend_name = None
    index_view_class = BannerIndexView
    add_view_class = BannerCreateView
    edit_view_class = BannerEditView

    def formfield_for_dbfield(self, db_field, **kwargs):
        # Regions and departments are many: chosen through the organisation choosers.
        target = getattr(db_field, "related_model", None)
        if target in (Region, Department) and db_field.many_to_one:
            kwargs["widget"] = AdminSnippetChooser(target)
        return super().formfield_for_dbfield(db_field, **kwargs)


# --- 答复时限 ------------------------------------------------------------------------------

RULE_FIELDS = ("kind", "urgency", "amount", "unit")


def _rule_values(pk):
    if pk is None:
        return None
    return DeadlineRule.objects.filter(pk=pk).values(*RULE_FIELDS).first()


def _audit_rule(request, rule, *, change, before):
    after = None if change == "deleted" else {name: getattr(rule, name) for name in RULE_FIELDS}
    audit.record(
        action=events.DEADLINE_RULE_CHANGED,
        actor=request.user,
        obj=rule,
        detail={"change": change, "before": before, "after": after},
        request=request,
    )


class DeadlineRuleForm(WagtailAdminModelForm):
    class Meta:
        model = DeadlineRule
        fields = list(RULE_FIELDS)
        help_texts = {
            "amount": "新留言按此时限计算；已有留言仍按其提交时的时限。",
        }

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and not 0 < amount <= 365:
            raise ValidationError("时限应在 1 到 365 之间。")
        return amount


class DeadlineRuleCreateView(BannerCreateView):
    def save_instance(self):
        # Inside the view's transaction: the rule and its audit row stand or fall together.
        rule = super().save_instance()
        _audit_rule(self.request, rule, change="created", before=None)
        return rule


class DeadlineRuleEditView(BannerEditView):
    def save_instance(self):
        before = _rule_values(self.object.pk)
        rule = super().save_instance()
        _audit_rule(self.request, rule, change="changed", before=before)
        return rule


class DeadlineRuleDeleteView(DeleteView):
    def delete_action(self):
        with transaction.atomic():
            before = _rule_values(self.object.pk)
            pk = self.object.pk
            super().delete_action()
            self.object.pk = pk
            _audit_rule(self.request, self.object, change="deleted", before=before)


class DeadlineRuleViewSet(InteractionViewSet):
    model = DeadlineRule
    icon = "time"
    menu_label = "答复时限"
    menu_name = "interaction_deadlines"
    menu_order = 100
    url_prefix = "interaction/config/deadlines"
    url_namespace = "interaction_deadlines"
    add_view_class = DeadlineRuleCreateView
    edit_view_class = DeadlineRuleEditView
    delete_view_class = DeadlineRuleDeleteView
    list_display = [
        Column("kind", label="留言类型", accessor="get_kind_display"),
        Column("urgency", label="紧急程度", accessor="get_urgency_display"),
        Column("amount", label="时限", accessor="amount"),
        Column("unit", label="单位", accessor="get_unit_display"),
    ]

    def get_form_class(self, for_update=False):
        return DeadlineRuleForm


# --- 留言分类, 分办规则 ---------------------------------------------------------------------


class CategoryViewSet(InteractionViewSet):
    model = Category
    icon = "tag"
    menu_label = "留言分类"
    menu_name = "interaction_categories"
    menu_order = 110
    url_prefix = "interaction/config/categories"
    url_namespace = "interaction_categories"
    form_fields = ["name", "code", "parent"]
    list_display = ["name", "code", "parent"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return Category.objects.select_related("parent")


class RoutingRuleViewSet(InteractionViewSet):
    model = RoutingRule
    icon = "list-ul"
    menu_label = "分办规则"
    menu_name = "interaction_routing_rules"
    menu_order = 120
    url_prefix = "interaction/config/routing-rules"
    url_namespace = "interaction_routing_rules"
    form_fields = ["department", "keywords", "region", "priority", "active"]
    list_display = [
        Column("department", label="承办部门", accessor="department"),
        Column("keywords", label="关键词", accessor="keywords"),
        Column("region", label="适用区划", accessor=lambda r: r.region or "全省"),
        Column("priority", label="优先级", accessor="priority"),
        Column("active", label="启用", accessor=lambda r: "是" if r.active else "否"),
    ]
    search_fields = ["keywords", "department__name"]

    def get_queryset(self, request):
        return RoutingRule.objects.select_related("department", "region")


# --- 接入系统 ------------------------------------------------------------------------------


class ApiClientCreateForm(WagtailAdminModelForm):
    class Meta:
        model = ApiClient
        fields = ["name", "region"]
        widgets = {"region": AdminSnippetChooser(Region)}
        help_texts = {"region": "这个系统提交的留言归属的区划。"}


class ApiClientEditForm(WagtailAdminModelForm):
    class Meta:
        model = ApiClient
        fields = ["name", "active"]


class ApiClientCreateView(BannerCreateView):
    page_subtitle = "登记接入系统"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            self.object, key = create_api_client(
                name=data["name"],
                region=data["region"],
                actor=self.request.user,
                request=self.request,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
            return self.form_invalid(form)
        return key_response(self, self.object, key)


def key_response(view, client, key):
    """The one page that shows an API key: never cached, never stored."""
    from .admin_views import banner_context

    context = {
        "view": view,
        "page_title": "接入系统已登记",
        "header_title": client.name,
        "header_icon": "key",
        "breadcrumbs_items": [],
        "client": client,
        "api_key": key,
        "index_url": view.get_index_url() if hasattr(view, "get_index_url") else "",
        **banner_context(view.request.user),
    }
    response = TemplateResponse(view.request, KEY_TEMPLATE, context)
    response["Cache-Control"] = "no-store"
    return response


def _key_prefix(client):
    return f"{client.key_prefix}…"


class ApiClientViewSet(InteractionViewSet):
    model = ApiClient
    icon = "key"
    menu_label = "接入系统（留言接口）"
    menu_name = "interaction_api_clients"
    menu_order = 130
    url_prefix = "interaction/config/api-clients"
    url_namespace = "interaction_api_clients"
    add_view_class = ApiClientCreateView
    list_display = [
        Column("name", label="名称", accessor="name"),
        Column("region", label="所属区划", accessor="region"),
        Column("key_prefix", label="密钥开头", accessor=_key_prefix),
        Column("active", label="启用", accessor=lambda c: "是" if c.active else "否"),
        Column("created_at", label="创建时间", accessor="created_at"),
    ]
    search_fields = ["name", "key_prefix"]

    def get_form_class(self, for_update=False):
        return ApiClientEditForm if for_update else ApiClientCreateForm

    def get_queryset(self, request):
        return ApiClient.objects.select_related("region").order_by("name", "pk")


# --- 分办模型 ------------------------------------------------------------------------------


def _accuracy(model):
    if model.held_out_accuracy is None:
        return "—"
    return f"{model.held_out_accuracy * 100:.1f}%"


class RoutingModelViewSet(InteractionViewSet):
    model = RoutingModel
    icon = "cogs"
    menu_label = "分办模型"
    menu_name = "interaction_routing_models"
    menu_order = 140
    url_prefix = "interaction/config/routing-models"
    url_namespace = "interaction_routing_models"
    form_fields = []
    list_display = [
        Column("trained_at", label="训练时间", accessor="trained_at"),
        Column("sample_count", label="样本数", accessor="sample_count"),
        Column("label_count", label="部门数", accessor="label_count"),
        Column("held_out_accuracy", label="留出集准确率", accessor=_accuracy),
    ]

    def get_queryset(self, request):
        return RoutingModel.objects.defer("data").order_by("-trained_at", "-pk")


def viewsets():
    return [
        DeadlineRuleViewSet(),
        CategoryViewSet(),
        RoutingRuleViewSet(),
        ApiClientViewSet(),
        RoutingModelViewSet(),
    ]
