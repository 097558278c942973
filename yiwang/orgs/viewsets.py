"""Back-office lists of regions, departments and service centres (Wagtail snippets).

Registered by ``yiwang.accounts.wagtail_hooks`` in the "组织机构" menu, which also holds the
accounts app's lists: the app that sits on top of both builds the menu.
"""

from django import forms
from django.db.models import Q
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Department, Region, RegionLevel, ServiceCentre


class RegionFilterForm(BaseFilterForm):
    """The region chooser's search: 44,000 towns need it, and plain database lookups do
    (regions have no search index)."""

    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "名称或区划代码"}),
    )
    level = forms.TypedChoiceField(
        label="层级",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "全部"), *RegionLevel.choices],
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(Q(name__icontains=query) | Q(code__startswith=query))
            self.is_searching = True
            self.search_query = query
        if self.cleaned_data.get("level"):
            objects = objects.filter(level=self.cleaned_data["level"])
        return objects


class RegionChooseView(ChooseView):
    filter_form_class = RegionFilterForm


class RegionChooseResultsView(ChooseResultsView):
    filter_form_class = RegionFilterForm


class RegionChooserViewSet(SnippetChooserViewSet):
    choose_view_class = RegionChooseView
    choose_results_view_class = RegionChooseResultsView


class RegionViewSet(SnippetViewSet):
    """Regions come from ``import_divisions``; the admin lists, inspects and renames them
    but neither adds nor deletes (the permission policy in ``apps.py`` says so)."""

    model = Region
    icon = "site"
    menu_label = "行政区划"
    menu_name = "regions"
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    list_per_page = 50
    search_fields = ["name", "code"]
    # Plain database lookups: 44,000 towns need no search index of their own.
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    panels = [FieldPanel("name")]
    chooser_viewset_class = RegionChooserViewSet
    chooser_per_page = 20

    def get_queryset(self, request):
        return Region.objects.select_related("parent")


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    menu_label = "部门"
    menu_name = "departments"
    list_display = ["name", "short_name", "region", "uscc"]
    list_filter = ["region__level"]
    search_fields = ["name", "short_name", "uscc"]
    search_backend_name = None
    inspect_view_enabled = True
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("short_name")]),
        FieldRowPanel([FieldPanel("region"), FieldPanel("parent")]),
        FieldPanel("uscc"),
        FieldPanel("functions"),
        FieldRowPanel([FieldPanel("address"), FieldPanel("phone")]),
    ]

    def get_queryset(self, request):
        return Department.objects.select_related("region")


class ServiceCentreViewSet(SnippetViewSet):
    model = ServiceCentre
    icon = "home"
    menu_label = "政务服务中心"
    menu_name = "service_centres"
    list_display = ["name", "region", "address", "phone"]
    search_fields = ["name", "address"]
    search_backend_name = None
    inspect_view_enabled = True
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("region")]),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("phone"), FieldPanel("opening_hours")]),
    ]

    def get_queryset(self, request):
        return ServiceCentre.objects.select_related("region")
