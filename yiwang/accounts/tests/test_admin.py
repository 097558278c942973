"""The back office for organisations and accounts, driven as a superuser through the
Django test client: Wagtail's user pages with the platform's fields, the "组织机构" lists,
and the read-only audit log."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.models import AgentAuthorization, LegalPerson, User, UserKind
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core.audit import record
from yiwang.core.models import AuditEvent
from yiwang.orgs.models import Department, Region, ServiceCentre

PASSWORD = "Qingshan-2026-staff"


@pytest.fixture
def admin_client(client, superuser):
    login_with_second_factor(client, superuser)
    return client


def snippet_url(model, view, *args):
    return reverse(
        f"wagtailsnippets_{model._meta.app_label}_{model._meta.model_name}:{view}", args=args
    )


def assert_denied(response):
    """Wagtail answers a forbidden admin page with 403, or by sending the user back to the
    dashboard with a message."""
    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert response.url == reverse("wagtailadmin_home")


def test_wagtail_uses_the_platform_user_forms():
    """Wagtail 8 reads the forms from the users app's viewset, so INSTALLED_APPS must list
    yiwang.accounts.apps.YiwangUsersAppConfig instead of wagtail.users."""
    assert apps.get_app_config("wagtailusers").user_viewset == (
        "yiwang.accounts.viewsets.UserViewSet"
    ), "INSTALLED_APPS 中应以 yiwang.accounts.apps.YiwangUsersAppConfig 替换 wagtail.users"


def test_user_add_page_creates_a_staff_user_with_a_department(admin_client, department):
    # Wagtail 8's address for it is /admin/users/new/.
    add_url = reverse("wagtailusers_users:add")
    page = admin_client.get(add_url)
    assert page.status_code == 200
    html = page.content.decode()
    for label in ["用户类型", "所属部门", "姓名或名称", "手机号码"]:
        assert label in html
    assert f"{department.region.name} · {department.name}" in html

    response = admin_client.post(
        add_url,
        {
            "username": "zhangsan",
            "email": "zhangsan@example.com",
            "display_name": "张三",
            "kind": UserKind.STAFF,
            "department": department.pk,
            "mobile": "13812345678",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(username="zhangsan")
    assert (user.kind, user.department, user.display_name) == (UserKind.STAFF, department, "张三")
    assert user.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="accounts.admin_create_user")
    assert event.object_id == str(user.pk)
    assert event.detail["mobile"] == "138****5678"
    assert PASSWORD not in str(event.detail)


def test_user_add_page_explains_what_is_missing(admin_client):
    response = admin_client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "lisi",
            "email": "lisi@example.com",
            "kind": UserKind.STAFF,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["department"] == ["工作人员必须属于一个部门。"]
    assert errors["display_name"] == ["请填写姓名或名称。"]
    assert not User.objects.filter(username="lisi").exists()


def test_user_edit_page_changes_the_department(admin_client, department, regions):
    other = Department.objects.create(name="教育局", region=regions["county_b"])
    user = User.objects.create_user(
        username="wangwu",
        email="wangwu@example.com",
        display_name="王五",
        kind=UserKind.STAFF,
        department=department,
    )
    url = reverse("wagtailusers_users:edit", args=[user.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "所属部门" in page.content.decode()

    response = admin_client.post(
        url,
        {
            "username": "wangwu",
            "email": "wangwu@example.com",
            "display_name": "王五",
            "kind": UserKind.STAFF,
            "department": other.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user.refresh_from_db()
    assert user.department == other
    event = AuditEvent.objects.get(action="accounts.admin_edit_user")
    assert "department" in event.detail["changed"]
    assert event.detail["password_changed"] is False


def test_organisation_menu_pages_open(admin_client, department, company, regions):
    home = admin_client.get("/admin/").content.decode()
    # The sidebar's items are JSON in the page, with non-ASCII characters escaped.
    for label in ["组织机构", "行政区划", "部门", "政务服务中心", "法人", "经办人授权", "审计记录"]:
        assert json.dumps(label) in home
    centre = ServiceCentre.objects.create(
        name="松林县政务服务中心", region=regions["county_a"], address="松林大道 1 号"
    )
    pages = [
        snippet_url(Region, "list"),
        snippet_url(Region, "edit", regions["county_a"].pk),
        snippet_url(Department, "list"),
        snippet_url(Department, "add"),
        snippet_url(Department, "edit", department.pk),
        snippet_url(Department, "inspect", department.pk),
        snippet_url(ServiceCentre, "list"),
        snippet_url(ServiceCentre, "add"),
        snippet_url(ServiceCentre, "edit", centre.pk),
        snippet_url(LegalPerson, "list"),
        snippet_url(LegalPerson, "add"),
        snippet_url(LegalPerson, "edit", company.pk),
        snippet_url(AgentAuthorization, "list"),
        reverse("wagtailusers_users:index"),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url
    listing = admin_client.get(snippet_url(Department, "list")).content.decode()
    assert "行政审批局" in listing


def test_regions_are_searchable_filterable_and_read_mostly(admin_client, regions):
    url = snippet_url(Region, "list")
    found = admin_client.get(url, {"q": "松林"}).content.decode()
    assert "松林县" in found and "临溪县" not in found
    by_code = admin_client.get(url, {"q": "990103"}).content.decode()
    assert "临溪县" in by_code and "松林县" not in by_code
    towns = admin_client.get(url, {"level": 4}).content.decode()
    assert "青石镇" in towns and "白沙镇" in towns and "青山市" not in towns

    county = regions["county_a"]
    assert_denied(admin_client.get(snippet_url(Region, "add")))
    assert_denied(admin_client.get(snippet_url(Region, "delete", county.pk)))
    assert_denied(admin_client.post(snippet_url(Region, "delete", county.pk)))
    assert admin_client.get(snippet_url(Region, "inspect", county.pk)).status_code == 200
    response = admin_client.post(snippet_url(Region, "edit", county.pk), {"name": "松林区"})
    assert response.status_code == 302
    county.refresh_from_db()
    assert (county.name, county.code) == ("松林区", "990102000000")


def test_department_form_rejects_a_bad_credit_code(admin_client, regions):
    response = admin_client.post(
        snippet_url(Department, "add"),
        {"name": "市场监管局", "region": regions["county_a"].pk, "uscc": "91330100MA2B000100"},
    )
    assert response.status_code == 200
    assert "统一社会信用代码无效" in response.content.decode()
    assert not Department.objects.exists()


def test_audit_log_is_read_only(admin_client, superuser):
    event = record(action="test.something", actor=superuser, detail={"n": 1})
    listing = admin_client.get(snippet_url(AuditEvent, "list"))
    assert listing.status_code == 200
    assert "test.something" in listing.content.decode()
    assert admin_client.get(snippet_url(AuditEvent, "inspect", event.pk)).status_code == 200
    assert_denied(admin_client.get(snippet_url(AuditEvent, "add")))
    assert_denied(admin_client.get(snippet_url(AuditEvent, "edit", event.pk)))
    assert_denied(admin_client.post(snippet_url(AuditEvent, "edit", event.pk), {}))
    assert_denied(admin_client.post(snippet_url(AuditEvent, "delete", event.pk)))
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_authorizations_are_granted_and_revoked_through_actions(
    admin_client, company, company_account, citizen
):
    add_url = snippet_url(AgentAuthorization, "add")
    assert admin_client.get(add_url).status_code == 200

    # A legal person's account cannot be an agent: not even offered, and refused if sent.
    refused = admin_client.post(add_url, {"legal_person": company.pk, "agent": company_account.pk})
    assert refused.status_code == 200
    assert not AgentAuthorization.objects.exists()

    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    refused = admin_client.post(
        add_url, {"legal_person": company.pk, "agent": citizen.pk, "expires_at": past}
    )
    assert refused.status_code == 200
    assert "失效时间必须晚于当前时间。" in refused.content.decode()
    assert not AgentAuthorization.objects.exists()

    response = admin_client.post(add_url, {"legal_person": company.pk, "agent": citizen.pk})
    assert response.status_code == 302
    authorization = AgentAuthorization.objects.get()
    assert AuditEvent.objects.filter(action="accounts.authorize_agent").count() == 1

    # No editing or deleting in place; revoking has its own page.
    assert_denied(admin_client.get(snippet_url(AgentAuthorization, "edit", authorization.pk)))
    assert_denied(admin_client.post(snippet_url(AgentAuthorization, "delete", authorization.pk)))
    assert AgentAuthorization.objects.filter(pk=authorization.pk).exists()
    listing = admin_client.get(snippet_url(AgentAuthorization, "list")).content.decode()
    revoke_url = snippet_url(AgentAuthorization, "revoke", authorization.pk)
    assert revoke_url in listing
    assert "撤销授权" in listing
    assert admin_client.get(revoke_url).status_code == 200
    response = admin_client.post(revoke_url, {"reason": "离职"})
    assert response.status_code == 302
    authorization.refresh_from_db()
    assert authorization.revoked_at is not None
    assert AuditEvent.objects.get(action="accounts.revoke_agent").detail["reason"] == "离职"

    # A second revocation says so instead of failing.
    again = admin_client.post(revoke_url, {}, follow=True)
    assert "该授权已于" in again.content.decode()
    assert AuditEvent.objects.filter(action="accounts.revoke_agent").count() == 1


def test_region_chooser_searches_by_name_or_code(admin_client, regions):
    url = reverse("wagtailsnippetchoosers_orgs_region:choose_results")
    by_name = admin_client.get(url, {"q": "松林"}).content.decode()
    assert "松林县" in by_name and "临溪县" not in by_name
    by_code = admin_client.get(url, {"q": "990103"}).content.decode()
    assert "临溪县" in by_code and "白沙镇" in by_code and "松林县" not in by_code
    towns = admin_client.get(url, {"level": 4}).content.decode()
    assert "青石镇" in towns and "松林县" not in towns
    assert admin_client.get(reverse("wagtailsnippetchoosers_orgs_region:choose")).status_code == 200
