"""The statistics dashboard (统计分析) in the back office, under /admin/stats/, and its Excel
export. Thin: the filters are validated here, the figures come from ``queries`` (the summary
table only), access is ``supervision.roles.scope_for`` (nothing to supervise: 403)."""

import re
from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from wagtail.admin.menu import MenuItem

from yiwang.core.views import permission_denied
from yiwang.supervision.roles import scope_for

from . import charts, queries

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
MAX_MONTHS = 120
# Implementations listed in the filter without choosing a department first.
ITEM_CHOICES_LIMIT = 300

# (attribute of queries.Figures, header, kind): the columns of every table, on the page
# and in the workbook.
COLUMNS = (
    ("received", "收件量", "int"),
    ("completed", "办结量", "int"),
    ("completion_rate", "办结率", "pct"),
    ("on_time_rate", "按时办结率", "pct"),
    ("average_days", "平均办理工作日", "dec1"),
    ("p90_label", "90% 办件在（工作日）内", "text"),
    ("online_rate", "网上申请率", "pct"),
    ("corrections_per_case", "件均补正次数", "dec2"),
    ("refused", "不予受理", "int"),
    ("withdrawn", "撤回", "int"),
)
SATISFACTION_COLUMNS = (
    ("ratings", "好差评评价数", "int"),
    ("average", "平均分（5 分制）", "dec2"),
    ("satisfied_rate", "满意率", "pct"),
    ("bad", "差评数", "int"),
    ("rectified", "差评已整改", "int"),
)
NOT_AVAILABLE = "暂无"


def show(value, kind):
    """A value as the page shows it."""
    if value is None:
        return "—"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "dec1":
        return f"{value:.1f}"
    if kind == "dec2":
        return f"{value:.2f}"
    if kind == "int":
        return f"{value:,}"
    return str(value)


def figure_values(figures):
    return [(getattr(figures, key), kind) for key, _header, kind in COLUMNS]


def satisfaction_values(satisfaction, department_id):
    if satisfaction is None:
        return [(NOT_AVAILABLE, "text") for _ in SATISFACTION_COLUMNS]
    found = satisfaction.get(department_id) or {}
    return [(found.get(key), kind) for key, _header, kind in SATISFACTION_COLUMNS]


def tables(data):
    """The dashboard's tables as ``{"headers": [...], "rows": [(label, [(value, kind)])]}``:
    what the page renders and the workbook writes."""
    total = {
        "title": "总体情况",
        "label": "范围",
        "headers": [h for _k, h, _t in COLUMNS],
        "rows": [("全部", figure_values(data.totals))],
    }
    departments = {
        "title": "按部门",
        "label": "部门",
        "headers": [h for _k, h, _t in COLUMNS] + [h for _k, h, _t in SATISFACTION_COLUMNS],
        "rows": [
            (
                department.name,
                figure_values(figures) + satisfaction_values(data.satisfaction, department.pk),
            )
            for department, figures in data.departments
        ],
    }
    items = {
        "title": "按事项",
        "label": "事项（实施部门）",
        "headers": [h for _k, h, _t in COLUMNS],
        "rows": [
            (f"{item.name}（{item.department.name}）", figure_values(figures))
            for item, figures in data.items
        ],
    }
    months = {
        "title": "按月份",
        "label": "月份",
        "headers": [h for _k, h, _t in COLUMNS],
        "rows": [(f"{month:%Y-%m}", figure_values(figures)) for month, figures in data.months],
    }
    return [total, departments, items, months]


def _parse_month(value):
    match = MONTH_RE.match((value or "").strip())
    if not match:
        raise forms.ValidationError("请按“年-月”填写月份，例如 2025-03。")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise forms.ValidationError("月份不存在，请按“年-月”填写，例如 2025-03。")
    return date(year, month, 1)


class MonthInput(forms.TextInput):
    input_type = "month"


class FilterForm(forms.Form):
    PRESETS = (("", "按起止月份"), ("12m", "最近 12 个月"), ("year", "今年以来"))

    preset = forms.ChoiceField(label="时间范围", choices=PRESETS, required=False)
    month_from = forms.CharField(label="起始月份", required=False, widget=MonthInput)
    month_to = forms.CharField(label="截止月份", required=False, widget=MonthInput)
    region = forms.ModelChoiceField(label="区划（含下级）", queryset=None, required=False)
    department = forms.ModelChoiceField(label="部门", queryset=None, required=False)
    implementation = forms.ModelChoiceField(label="事项", queryset=None, required=False)

    def __init__(self, data=None, *, scope, today=None):
        from yiwang.catalog.models import Implementation
        from yiwang.orgs.models import Department, Region

        self.today = today or timezone.localdate()
        super().__init__(data)
        departments = Department.objects.filter(
            scope.q(department_field="pk", region_field="region_id")
        ).order_by("region__code", "name")
        if scope.everything:
            regions = Region.objects.all()
        else:
            regions = Region.objects.filter(
                Q(pk__in=sorted(scope.region_ids)) | Q(pk__in=departments.values("region_id"))
            )
        self.fields["region"].queryset = regions.order_by("code")
        self.fields["region"].empty_label = "全部"
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = "全部"
        implementations = Implementation.objects.filter(
            scope.q(department_field="department_id", region_field="region_id")
        ).order_by("name", "pk")
        chosen = self.data.get("department") if self.is_bound else None
        if chosen and str(chosen).isdigit():
            listed = implementations.filter(department_id=int(chosen))
        elif implementations.count() > ITEM_CHOICES_LIMIT:
            listed = implementations.none()
            self.fields["implementation"].help_text = "事项较多，请先选择部门。"
        else:
            listed = implementations
        # Validation accepts any implementation in scope; the list shows the shortlist.
        self.fields["implementation"].queryset = implementations
        self.fields["implementation"].choices = [("", "全部")] + [
            (i.pk, str(i.name)) for i in listed
        ]
        if not self.is_bound:
            start, end = queries.preset("12m", self.today)
            self.initial.update(preset="12m", month_from=f"{start:%Y-%m}", month_to=f"{end:%Y-%m}")

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset:
            start, end = queries.preset(preset, self.today)
        else:
            try:
                start = _parse_month(data.get("month_from"))
            except forms.ValidationError as exc:
                self.add_error("month_from", exc)
                start = None
            try:
                end = _parse_month(data.get("month_to"))
            except forms.ValidationError as exc:
                self.add_error("month_to", exc)
                end = None
            if start and end:
                if start > end:
                    self.add_error("month_to", "截止月份不能早于起始月份。")
                elif (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
                    self.add_error("month_to", f"一次最多统计 {MAX_MONTHS} 个月。")
        data["start"], data["end"] = start, end
        return data

    def filters(self):
        data = self.cleaned_data
        return queries.Filters(
            month_from=data["start"],
            month_to=data["end"],
            region=data.get("region"),
            department=data.get("department"),
            implementation=data.get("implementation"),
        )


def denied(request):
    return permission_denied(request, PermissionDenied("没有统计分析的权限"))


def _form(request, scope):
    data = request.GET if request.GET else {"preset": "12m"}
    return FilterForm(data, scope=scope)


def dashboard(request):
    scope = scope_for(request.user)
    if not scope:
        return denied(request)
    form = _form(request, scope)
    context = {"form": form, "data": None}
    if form.is_valid():
        data = queries.dashboard(scope, form.filters())
        query = request.GET.urlencode() or "preset=12m"
        context.update(
            data=data,
            tables=tables(data),
            satisfaction_missing=data.satisfaction is None,
            chart_months=charts.monthly_bars(data.months),
            chart_on_time=charts.on_time_line(data.months),
            chart_departments=charts.department_bars(data.departments),
            export_url=f"{reverse('stats_admin:export')}?{query}",
            item_limit=queries.ITEM_LIMIT,
        )
    return TemplateResponse(request, "stats/admin/dashboard.html", context)


def export(request):
    scope = scope_for(request.user)
    if not scope:
        return denied(request)
    form = _form(request, scope)
    if not form.is_valid():
        context = {"form": form, "data": None}
        return TemplateResponse(request, "stats/admin/dashboard.html", context, status=400)
    from .export import workbook_bytes

    data = queries.dashboard(scope, form.filters())
    filters = data.filters
    content = workbook_bytes(data, tables(data), describe_filters(filters))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"stats-{filters.month_from:%Y%m}-{filters.month_to:%Y%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def describe_filters(filters):
    parts = [f"统计期间：{filters.month_from:%Y-%m} 至 {filters.month_to:%Y-%m}"]
    if filters.region is not None:
        parts.append(f"区划：{filters.region.full_name}（含下级）")
    if filters.department is not None:
        parts.append(f"部门：{filters.department.name}")
    if filters.implementation is not None:
        parts.append(f"事项：{filters.implementation.name}")
    return parts


class StatsMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(scope_for(request.user))


def menu_item():
    return StatsMenuItem(
        "统计分析", reverse("stats_admin:dashboard"), name="stats", icon_name="table", order=270
    )


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("export.xlsx", export, name="export"),
]
