"""Forms of the monitoring back office: a site (added by its address or edited), an entry of
the wording dictionary, the dashboard's filter and resolving a tamper event. Choices are
limited to what the user may manage (``roles``); every message is Chinese."""

from urllib.parse import urlsplit

from django import forms
from wagtail.models import Site

from yiwang.core.forms import DescribedErrorsMixin
from yiwang.orgs.models import Department, Region

from . import roles
from .constants import WordingCategory
from .models import MonitoredSite, WordingTerm, normalize_base_url


def _regions_for(user):
    ids = roles.admin_region_ids(user)
    regions = Region.objects.order_by("code")
    return regions if ids is None else regions.filter(pk__in=ids)


class SiteForm(DescribedErrorsMixin, forms.ModelForm):
    """A monitored site. ``portal`` (one of our portals) is for the platform's own sites:
    its host must be the address's host."""

    class Meta:
        model = MonitoredSite
        fields = [
            "name",
            "base_url",
            "region",
            "owner_department",
            "portal",
            "active",
            "tries_per_day",
            "max_pages",
            "max_seconds",
            "rate_per_second",
            "check_external",
        ]
        widgets = {"base_url": forms.URLInput(attrs={"placeholder": "https://www.example.gov.cn/"})}
        error_messages = {"base_url": {"unique": "这个首页地址已在监测中。"}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        regions = _regions_for(user)
        self.fields["region"].queryset = regions
        self.fields["owner_department"].queryset = (
            Department.objects.filter(region__in=regions)
            .select_related("region")
            .order_by("region__code", "name")
        )
        self.fields["owner_department"].label_from_instance = lambda d: f"{d.region.name} {d.name}"
        self.fields["portal"].queryset = Site.objects.order_by("hostname", "port")
        self.fields["portal"].label_from_instance = lambda s: (
            f"{s.site_name or s.hostname}（{s.hostname}）"
        )
        self.fields["base_url"].widget.attrs.setdefault("autocomplete", "url")
        for name in ("tries_per_day", "max_pages", "max_seconds", "rate_per_second"):
            self.fields[name].widget.attrs.setdefault("inputmode", "decimal")

    def clean_base_url(self):
        return normalize_base_url(self.cleaned_data.get("base_url", ""))

    def clean(self):
        data = super().clean()
        portal, base_url = data.get("portal"), data.get("base_url")
        if portal is not None and base_url:
            host = (urlsplit(base_url).hostname or "").lower()
            if host != portal.hostname.lower():
                self.add_error(
                    "portal",
                    f"本平台站点“{portal.site_name or portal.hostname}”的域名是 "
                    f"{portal.hostname}，与首页地址的域名 {host} 不一致。",
                )
        department, region = data.get("owner_department"), data.get("region")
        if department is not None and region is not None and department.region_id != region.pk:
            self.add_error("owner_department", "主办单位须属于所选区划。")
        return data


class WordingTermForm(DescribedErrorsMixin, forms.ModelForm):
    class Meta:
        model = WordingTerm
        fields = ["wrong", "correct", "category", "serious", "exceptions", "note", "active"]
        widgets = {"exceptions": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"wrong": {"unique": "词库中已有这个错误表述。"}}


class WordingFilterForm(forms.Form):
    q = forms.CharField(label="查找", required=False, max_length=100)
    category = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部")] + list(WordingCategory.choices)
    )
    active = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), ("1", "启用"), ("0", "停用")]
    )


class DashboardFilterForm(forms.Form):
    q = forms.CharField(label="网站名称或地址", required=False, max_length=200)
    region = forms.ModelChoiceField(label="区划", required=False, queryset=Region.objects.none())
    verdict = forms.ChoiceField(
        label="结果",
        required=False,
        choices=[
            ("", "全部"),
            ("failed", "不合格"),
            ("passed", "合格"),
            ("unscored", "尚未评分"),
        ],
    )
    kind = forms.ChoiceField(
        label="类型",
        required=False,
        choices=[("", "全部"), ("own", "本平台网站"), ("external", "外部网站")],
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].empty_label = "全部"


class ResolveTamperForm(DescribedErrorsMixin, forms.Form):
    resolution = forms.CharField(
        label="处置说明",
        max_length=300,
        help_text="如“已从备份恢复页面并修改管理密码”。",
    )
