"""Back office of the service catalog (Wagtail snippets, menu group "政务服务事项").

Themes and base catalog items are plain snippets. Implementations are snippets with drafts
and revisions: saving makes a draft revision, publishing makes it live and bumps the version
(``actions.on_published``), and the history and compare views show what changed. Their
lifecycle (暂停 / 取消 / 恢复) is not edited in the form: the lifecycle views in
``admin_views.py`` call ``actions``. A published implementation is never deleted nor
unpublished here (the permission policy and ``ImplementationUnpublishView`` refuse it):
it is cancelled instead, so that its old URL can say what happened.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import DeleteView as SnippetDeleteView
from wagtail.snippets.views.snippets import EditView as SnippetEditView
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet, UnpublishView

from yiwang.orgs.models import Department, Region

from .constants import ImplementationStatus, ItemType, OnlineDepth
from .forms import ImplementationForm
from .models import CatalogItem, Implementation, Theme

NO_DELETE_MESSAGE = "已发布过的事项不能删除或撤销发布，请使用“取消”或“暂停”。"


class ImplementationPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions, except that an implementation once published is never
    deleted (cancel it instead); a draft never published may be deleted."""

    @staticmethod
    def _ever_published(instance):
        return bool(instance.live or instance.first_published_at or instance.version)

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "delete" and self._ever_published(instance):
            return False
        return super().user_has_permission_for_instance(user, action, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(
            self.user_has_permission_for_instance(user, action, instance) for action in actions
        )


class ThemePermissionPolicy(ModelPermissionPolicy):
    """Themes are deactivated (``active`` off), never deleted: implementations and the
    portals' links refer to them."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a != "delete"])


def lifecycle_label(implementation):
    """“在用”, or “暂停（2026-05-01 09:00 起）” / “取消（… 起）”, with “待生效” when the
    effective time is still ahead."""
    if implementation.status == ImplementationStatus.IN_FORCE:
        return implementation.get_status_display()
    when = implementation.status_effective_at
    label = implementation.get_status_display()
    if when is None:
        return label
    local = timezone.localtime(when).strftime("%Y-%m-%d %H:%M")
    pending = "，待生效" if when > timezone.now() else ""
    return f"{label}（{local} 起{pending}）"


def lifecycle_buttons(implementation, user, url_name, priority=50):
    """Buttons for the lifecycle actions open to ``implementation`` (published ones only)."""
    if not implementation.live or not user.has_perm("catalog.publish_implementation"):
        return []
    actions = []
    if implementation.status == ImplementationStatus.IN_FORCE:
        actions = [("suspend", "暂停", "pick"), ("cancel", "取消", "cross")]
    elif implementation.status == ImplementationStatus.SUSPENDED:
        actions = [("resume", "恢复", "undo"), ("cancel", "取消", "cross")]
    return [
        Button(
            label,
            url=reverse(url_name, args=(implementation.pk, action)),
            icon_name=icon,
            priority=priority + index,
        )
        for index, (action, label, icon) in enumerate(actions)
    ]


def regions_in_use(request):
    return Region.objects.filter(
        pk__in=Implementation.objects.values("region").order_by()
    ).order_by("code")


def departments_in_use(request):
    return (
        Department.objects.filter(pk__in=Implementation.objects.values("department").order_by())
        .select_related("region")
        .order_by("region__code", "name")
    )


class ImplementationFilterSet(WagtailFilterSet):
    region = django_filters.ModelChoiceFilter(label="实施区划", queryset=regions_in_use)
    department = django_filters.ModelChoiceFilter(label="实施主体", queryset=departments_in_use)
    item_type = django_filters.TypedChoiceFilter(
        label="事项类型",
        field_name="catalog_item__item_type",
        choices=ItemType.choices,
        coerce=int,
    )
    status = django_filters.ChoiceFilter(label="状态", choices=ImplementationStatus.choices)
    online_depth = django_filters.TypedChoiceFilter(
        label="网上办理深度", choices=OnlineDepth.choices, coerce=int
    )
    live = django_filters.BooleanFilter(label="已发布")

    class Meta:
        model = Implementation
        fields = ["region", "department", "item_type", "status", "online_depth", "live"]


class ImplementationIndexView(SnippetIndexView):
    lifecycle_url_name = None

    def search_queryset(self, queryset):
        # Codes are searched by prefix as well as inside ("…-511602000000-…").
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        return queryset.filter(Q(name__icontains=query) | Q(code__icontains=query))

    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            *lifecycle_buttons(instance, self.request.user, self.lifecycle_url_name),
        ]


class ImplementationEditView(SnippetEditView):
    lifecycle_url_name = None

    def get(self, request, *args, **kwargs):
        if self.object.status != ImplementationStatus.IN_FORCE:
            messages.warning(
                request,
                f"本事项状态：{lifecycle_label(self.object)}。原因：{self.object.status_reason}",
            )
        return super().get(request, *args, **kwargs)

    @cached_property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            *lifecycle_buttons(self.object, self.request.user, self.lifecycle_url_name),
        ]


class ImplementationDeleteView(SnippetDeleteView):
    """Wagtail's delete view asks only the model-level permission: ask the instance too."""

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission_for_instance("delete", self.object):
            messages.error(request, NO_DELETE_MESSAGE)
            return redirect(self.edit_url_name, self.object.pk)
        return super().dispatch(request, *args, **kwargs)


class ImplementationUnpublishView(UnpublishView):
    """Unpublishing would make an item vanish without a reason: refused, pointing to the
    lifecycle actions."""

    def dispatch(self, request, *args, **kwargs):
        messages.error(request, NO_DELETE_MESSAGE)
        return redirect(self.edit_url_name, self.object.pk)


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    menu_label = "主题"
    menu_name = "themes"
    list_display = ["name", "code", "audience", "kind", "sort_order", "active"]
    list_filter = ["audience", "kind", "active"]
    list_per_page = 50
    search_fields = ["name", "code"]
    search_backend_name = None
    copy_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldRowPanel([FieldPanel("audience"), FieldPanel("kind")]),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("active")]),
    ]


class CatalogItemViewSet(SnippetViewSet):
    model = CatalogItem
    icon = "list-ul"
    menu_label = "基本目录"
    menu_name = "catalog_items"
    list_display = ["name", "code", "item_type", "competent_department", "exercise_levels"]
    list_filter = ["item_type"]
    list_per_page = 50
    search_fields = ["name", "code"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("item_type")]),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("competent_department"), FieldPanel("exercise_levels")]),
        FieldPanel("legal_basis"),
        FieldPanel("description"),
    ]


def _item_type(obj):
    return obj.get_item_type_display()


class ImplementationViewSet(SnippetViewSet):
    model = Implementation
    icon = "clipboard-list"
    menu_label = "实施清单"
    menu_name = "implementations"
    index_view_class = ImplementationIndexView
    edit_view_class = ImplementationEditView
    delete_view_class = ImplementationDeleteView
    unpublish_view_class = ImplementationUnpublishView
    filterset_class = ImplementationFilterSet
    list_display = [
        "name",
        "code",
        "region",
        "department",
        Column("item_type", label="事项类型", accessor=_item_type),
        "online_depth",
        Column("version", label="版本号", sort_key="version"),
        Column("lifecycle", label="事项状态", accessor=lifecycle_label, sort_key="status"),
    ]
    list_per_page = 50
    search_fields = ["name", "code"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("catalog_item"),
                    FieldPanel("code"),
                    FieldPanel("name"),
                    FieldRowPanel([FieldPanel("region"), FieldPanel("department")]),
                    FieldRowPanel([FieldPanel("variant"), FieldPanel("variant_of")]),
                    FieldPanel("audience"),
                    FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("summary"),
                    FieldRowPanel([FieldPanel("online_depth"), FieldPanel("real_name_level")]),
                    InlinePanel("legal_bases", heading="设定依据", label="设定依据"),
                ],
                heading="基本信息",
            ),
            ObjectList(
                [
                    FieldPanel("conditions"),
                    FieldPanel("prohibitions"),
                    InlinePanel("situations", heading="办理情形", label="办理情形"),
                    InlinePanel("materials", heading="申请材料", label="申请材料"),
                ],
                heading="受理条件与材料",
            ),
            ObjectList(
                [
                    MultiFieldPanel(
                        [
                            FieldRowPanel(
                                [FieldPanel("limit_kind"), FieldPanel("promised_limit_days")]
                            ),
                            FieldRowPanel(
                                [
                                    FieldPanel("statutory_limit_days"),
                                    FieldPanel("statutory_limit_note"),
                                ]
                            ),
                        ],
                        heading="办结时限",
                    ),
                    InlinePanel("process_steps", heading="办理流程", label="办理环节"),
                    FieldPanel("flow_chart"),
                    InlinePanel("special_procedures", heading="特别程序", label="特别程序"),
                ],
                heading="办理流程与时限",
            ),
            ObjectList(
                [
                    FieldPanel("charges_fee"),
                    InlinePanel("fees", heading="收费项目", label="收费项目"),
                ],
                heading="收费",
            ),
            ObjectList(
                [
                    FieldPanel("place"),
                    FieldPanel("hours"),
                    FieldRowPanel([FieldPanel("enquiry_phone"), FieldPanel("complaint_phone")]),
                    FieldRowPanel([FieldPanel("required_visits"), FieldPanel("visit_reason")]),
                    MultiFieldPanel(
                        [
                            FieldPanel("body_address"),
                            FieldRowPanel(
                                [FieldPanel("body_postcode"), FieldPanel("body_contact")]
                            ),
                        ],
                        heading="实施主体联系方式（留空时使用部门的地址）",
                    ),
                ],
                heading="办理地点与咨询",
            ),
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("result_name"), FieldPanel("result_type")]),
                    FieldPanel("result_sample"),
                    FieldPanel("delivery_methods"),
                ],
                heading="结果与送达",
            ),
            ObjectList(
                [InlinePanel("questions", heading="常见问题", label="常见问题")],
                heading="常见问题",
            ),
            ObjectList([FieldPanel("responsibility_notes")], heading="责任"),
        ],
        base_form_class=ImplementationForm,
    )

    def get_queryset(self, request):
        return Implementation.objects.select_related(
            "catalog_item", "region", "department", "latest_revision"
        )

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            lifecycle_url_name=self.get_url_name("lifecycle"), **kwargs
        )

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            lifecycle_url_name=self.get_url_name("lifecycle"), **kwargs
        )

    @cached_property
    def lifecycle_view(self):
        from .admin_views import LifecycleView

        return self.construct_view(
            LifecycleView,
            edit_url_name=self.get_url_name("edit"),
            index_url_name=self.get_url_name("list"),
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("lifecycle/<int:pk>/<str:action>/", self.lifecycle_view, name="lifecycle"),
        ]
