"""Admin hooks of site migration (关停迁移): the "站点迁移" view in the Settings menu (a form,
a preview, a confirmation, and the list of past migrations) and a "迁移为子站/栏目…" entry in
every page's "more" menu. The work itself is ``migration.migrate_site``."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.auth import user_passes_test
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import AdminPageChooser, Button
from wagtail.models import Page, Site

from yiwang.orgs.models import Department, Region

from .migration import (
    AS_KIND_CHOICES,
    AS_SUBSITE,
    MigrateSiteAction,
    can_migrate_sites,
)
from .models import SiteMigration, SubsiteKind

# How many pages and redirects the preview lists before it only gives the count.
PREVIEW_LIMIT = 50


class SiteMigrationForm(forms.Form):
    source_site = forms.ModelChoiceField(
        Site.objects.filter(is_default_site=False).order_by("hostname"),
        required=False,
        label="要关停的站点",
        help_text="部门或乡镇有独立主机名的网站。与下一项二选一。",
    )
    source_page = forms.ModelChoiceField(
        Page.objects.all(),
        required=False,
        widget=AdminPageChooser(),
        label="或：要迁移的栏目或子站",
        help_text="门户中的一个页面及其下全部页面。",
    )
    target_page = forms.ModelChoiceField(
        Page.objects.all(),
        widget=AdminPageChooser(),
        label="迁入位置",
        help_text="新子站或栏目的上级页面，例如县区门户首页或其中的频道。",
    )
    as_kind = forms.ChoiceField(
        choices=AS_KIND_CHOICES,
        widget=forms.RadioSelect,
        initial=AS_SUBSITE,
        label="迁为",
    )
    subsite_kind = forms.ChoiceField(
        choices=[("", "—（沿用原子站类型）"), *SubsiteKind.choices],
        required=False,
        label="子站类型",
    )
    department = forms.ModelChoiceField(
        Department.objects.select_related("region").order_by("region__code", "name"),
        required=False,
        label="部门",
        help_text="部门子站所属的部门。",
    )
    region_code = forms.CharField(
        required=False,
        max_length=12,
        label="乡镇（街道）区划代码",
        help_text="乡镇（街道）子站的 12 位统计用区划代码或 9 位乡级代码。",
    )
    title = forms.CharField(
        required=False, max_length=255, label="标题", help_text="留空则沿用原首页或栏目的标题。"
    )
    slug = forms.CharField(
        required=False,
        max_length=255,
        label="路径（slug）",
        help_text="留空则沿用原路径；与同级页面重名时自动加 -2、-3…",
    )

    def clean_region_code(self):
        code = self.cleaned_data["region_code"].strip()
        if not code:
            return None
        region = Region.objects.filter(code=code.ljust(12, "0")).first()
        if region is None:
            raise ValidationError(f"找不到区划代码为 {code} 的区划。")
        return region

    def clean(self):
        data = super().clean()
        if bool(data.get("source_site")) == bool(data.get("source_page")):
            raise ValidationError("请在“要关停的站点”和“要迁移的栏目或子站”中选择且只选择一项。")
        if data.get("as_kind") != AS_SUBSITE:
            # Sub-site fields are hidden in spirit for columns: a stale choice is not an error.
            data["subsite_kind"] = ""
            data["department"] = None
            data["region_code"] = None
        return data

    def action(self, request):
        data = self.cleaned_data
        return MigrateSiteAction(
            source=data["source_site"] or data["source_page"],
            target_parent=data["target_page"],
            as_kind=data["as_kind"],
            subsite_kind=data["subsite_kind"] or None,
            department=data["department"],
            region=data["region_code"],
            title=data["title"],
            slug=data["slug"],
            acting_user=request.user,
            request=request,
        )


def _forbidden_unless_allowed(view):
    return user_passes_test(can_migrate_sites)(view)


@_forbidden_unless_allowed
def index(request):
    migrations = SiteMigration.objects.select_related("performed_by", "closed_site", "target_page")[
        :200
    ]
    return TemplateResponse(
        request,
        "portal_migration/index.html",
        {
            "migrations": migrations,
            "create_url": reverse("portal_migration:create"),
        },
    )


@_forbidden_unless_allowed
def create(request):
    if request.method != "POST":
        initial = {}
        page = Page.objects.filter(pk=request.GET.get("page") or None).first()
        if page is not None:
            site = Site.objects.filter(root_page=page, is_default_site=False).first()
            initial["source_site" if site else "source_page"] = site or page
        site = Site.objects.filter(pk=request.GET.get("site") or None).first()
        if site is not None:
            initial["source_site"] = site
        return _render_form(request, SiteMigrationForm(initial=initial))

    form = SiteMigrationForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form)
    action = form.action(request)
    try:
        if "confirm" not in request.POST:
            return TemplateResponse(
                request,
                "portal_migration/preview.html",
                {
                    "form": form,
                    "plan": action.plan(),
                    "limit": PREVIEW_LIMIT,
                    "action_url": reverse("portal_migration:create"),
                },
            )
        migration = action.execute()
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _render_form(request, form)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("wagtailadmin_home")
    messages.success(
        request,
        f"已迁移：{migration.source_description}，迁移页面 {migration.moved_page_count} 个，"
        f"创建 301 重定向 {migration.redirect_count} 条。",
    )
    return redirect("portal_migration:index")


def _render_form(request, form):
    return TemplateResponse(
        request,
        "portal_migration/form.html",
        {
            "form": form,
            "action_url": reverse("portal_migration:create"),
            "index_url": reverse("portal_migration:index"),
        },
    )


@hooks.register("register_admin_urls")
def register_urls():
    urls = [
        path("", index, name="index"),
        path("new/", create, name="create"),
    ]
    return [path("site-migration/", include((urls, "portal_migration")))]


class SiteMigrationMenuItem(MenuItem):
    def is_shown(self, request):
        return can_migrate_sites(request.user)


@hooks.register("register_settings_menu_item")
def register_menu_item():
    return SiteMigrationMenuItem(
        "站点迁移",
        reverse("portal_migration:index"),
        name="site-migration",
        icon_name="redirect",
        order=900,
    )


def _migrate_button(page, user):
    if page.is_root() or not can_migrate_sites(user):
        return
    yield Button(
        "迁移为子站/栏目…",
        reverse("portal_migration:create") + f"?page={page.pk}",
        icon_name="redirect",
        priority=90,
    )


@hooks.register("register_page_listing_more_buttons")
def page_listing_more_buttons(page, user, next_url=None):
    yield from _migrate_button(page, user)


@hooks.register("register_page_header_buttons")
def page_header_buttons(page, user, view_name, next_url=None):
    yield from _migrate_button(page, user)
