"""The three separated administrator roles (三员分立): each does its own work in the back
office and is refused the others'; nobody holds two; granting and revoking are for security
administrators and are audited; the groups hold exactly their permissions."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import Page, Site

from yiwang.accounts import events
from yiwang.accounts.actions import grant_admin_role, revoke_admin_role
from yiwang.accounts.actions.roles import record_role_changes
from yiwang.accounts.forms import UserEditForm
from yiwang.accounts.models import User, UserKind
from yiwang.accounts.roles import (
    ADMIN_ROLES,
    AUDITOR,
    COMMON_PERMISSIONS,
    ONE_ROLE_MESSAGE,
    ROLE_NAMES,
    SECURITY_ADMINISTRATOR,
    SYSTEM_ADMINISTRATOR,
    AdminRole,
    RoleSetupError,
    after_migrate,
    check_separation,
    ensure_admin_roles,
    roles_of,
)
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core import views as core_views
from yiwang.core.audit import record, verify_chain
from yiwang.core.models import AuditEvent
from yiwang.orgs.models import Department

SYSTEM, SECURITY, AUDIT = "system", "security", "auditor"
ROLE_OF = {SYSTEM: SYSTEM_ADMINISTRATOR, SECURITY: SECURITY_ADMINISTRATOR, AUDIT: AUDITOR}


@pytest.fixture
def roles(db):
    ensure_admin_roles()
    return {role.key: Group.objects.get(name=role.name) for role in ADMIN_ROLES}


@pytest.fixture
def make_staff(department):
    def make(username, *, role=None, **fields):
        user = User.objects.create_user(
            username=username,
            email=f"{username}@example.com",
            display_name=fields.pop("display_name", username),
            kind=fields.pop("kind", UserKind.STAFF),
            department=department,
            is_staff=fields.pop("is_staff", True),
            **fields,
        )
        if role is not None:
            user.groups.add(Group.objects.get(name=role.name))
        return user

    return make


@pytest.fixture
def admins(roles, make_staff):
    return {
        SYSTEM: make_staff("xitong", role=SYSTEM_ADMINISTRATOR),
        SECURITY: make_staff("anquan", role=SECURITY_ADMINISTRATOR),
        AUDIT: make_staff("shenji", role=AUDITOR),
    }


@pytest.fixture
def as_role(client, admins):
    # Installed by CoreConfig.ready(); called here too so these tests stand on their own.
    core_views.audit_wagtail_admin_denials()

    def log_in(name):
        login_with_second_factor(client, admins[name])
        return client

    return log_in


def assert_denied(response):
    """Wagtail answers a forbidden admin page with 403, or by sending the user back to the
    dashboard with a message."""
    assert response.status_code in {302, 403}, response.status_code
    if response.status_code == 302:
        assert response.url == reverse("wagtailadmin_home")


# --- the groups ----------------------------------------------------------------------------


def permission_names(group):
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_each_role_group_has_exactly_its_permissions(roles):
    assert set(roles) == {role.key for role in ADMIN_ROLES}
    for role in ADMIN_ROLES:
        assert permission_names(roles[role.key]) == set(role.all_permissions)
    assert permission_names(roles[AUDITOR.key]) == {
        "wagtailadmin.access_admin",
        "core.view_auditevent",
    }
    # Only the auditor may read the audit log; nobody may write it.
    for role in ADMIN_ROLES:
        audit_permissions = {p for p in role.all_permissions if p.endswith("_auditevent")}
        assert audit_permissions == ({"core.view_auditevent"} if role is AUDITOR else set())


def test_no_two_role_groups_share_a_permission(roles):
    for first in ADMIN_ROLES:
        for second in ADMIN_ROLES:
            if first is not second:
                shared = permission_names(roles[first.key]) & permission_names(roles[second.key])
                assert shared == set(COMMON_PERMISSIONS), (first.name, second.name)


def test_the_security_administrator_manages_people_not_content_or_configuration():
    permissions = set(SECURITY_ADMINISTRATOR.permissions)
    assert {"accounts.change_user", "auth.change_group", "otp_totp.delete_totpdevice"} <= (
        permissions
    )
    assert not {p for p in permissions if p.startswith(("wagtailcore.", "portal.", "orgs."))}
    system = set(SYSTEM_ADMINISTRATOR.permissions)
    assert {"wagtailcore.change_site", "portal.change_portalsettings"} <= system
    assert {"oauth2_provider.change_application", "orgs.change_department"} <= system
    # No page or content permissions for the system administrator.
    assert not {p for p in system if p.endswith(("_page", "articlepage", "_document", "_image"))}


def test_roles_sharing_a_permission_are_refused(db):
    clash = AdminRole("clash", "冲突角色", "", ("accounts.change_user",))
    with pytest.raises(RoleSetupError, match="accounts.change_user"):
        check_separation((SECURITY_ADMINISTRATOR, clash))
    with pytest.raises(RoleSetupError):
        ensure_admin_roles((SECURITY_ADMINISTRATOR, clash))
    assert not Group.objects.filter(name="冲突角色").exists()


def test_setup_roles_is_idempotent_and_undoes_changes_by_hand(roles):
    auditors = roles[AUDITOR.key]
    auditors.permissions.add(Permission.objects.get(codename="change_user"))
    status = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("setup_roles", "--check", stdout=io.StringIO(), stderr=status)
    assert exc.value.returncode == 1
    assert "审计管理员" in status.getvalue() and "accounts.change_user" in status.getvalue()

    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    assert "审计管理员：已更新" in out.getvalue()
    assert permission_names(auditors) == set(AUDITOR.all_permissions)

    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    assert out.getvalue().count("无变化") == 3
    assert Group.objects.filter(name__in=ROLE_NAMES).count() == 3
    call_command("setup_roles", "--check", stdout=io.StringIO())


def test_post_migrate_handler_makes_the_roles(db):
    from django.apps import apps

    Group.objects.filter(name__in=ROLE_NAMES).delete()
    after_migrate(sender=apps.get_app_config("accounts"), using="default", verbosity=0)
    assert Group.objects.filter(name__in=ROLE_NAMES).count() == 3


def test_a_fresh_database_has_the_roles(db):
    """The test database was made by ``migrate``: AccountsConfig.ready() connects
    ``roles.after_migrate`` to post_migrate, so the roles are there without setup_roles."""
    assert set(Group.objects.filter(name__in=ROLE_NAMES).values_list("name", flat=True)) == (
        ROLE_NAMES
    )


# --- the authorization matrix --------------------------------------------------------------

LISTINGS = {
    "audit log": ("wagtailsnippets_core_auditevent:list", {AUDIT}),
    "users": ("wagtailusers_users:index", {SECURITY}),
    "groups": ("wagtailusers_groups:index", {SECURITY}),
    "sites": ("wagtailsites:index", {SYSTEM}),
    "departments": ("wagtailsnippets_orgs_department:list", {SYSTEM}),
    "service centres": ("wagtailsnippets_orgs_servicecentre:list", {SYSTEM}),
}


@pytest.mark.parametrize("who", [SYSTEM, SECURITY, AUDIT])
@pytest.mark.parametrize("listing", list(LISTINGS))
def test_each_role_opens_its_own_listings_only(as_role, admins, who, listing):
    url_name, allowed = LISTINGS[listing]
    client = as_role(who)
    response = client.get(reverse(url_name))
    if who in allowed:
        assert response.status_code == 200, (who, listing)
        assert not AuditEvent.objects.filter(action=events.AUTHORIZATION_DENIED).exists()
    else:
        assert_denied(response)
        denial = AuditEvent.objects.get(action=events.AUTHORIZATION_DENIED)
        assert denial.actor == admins[who]
        assert denial.detail["path"] == reverse(url_name)


@pytest.mark.parametrize("who", [SYSTEM, SECURITY, AUDIT])
def test_every_role_reaches_the_dashboard(as_role, who):
    assert as_role(who).get(reverse("wagtailadmin_home")).status_code == 200


def test_the_system_administrator_cannot_read_the_audit_log(as_role):
    row = record(action="test.secret_event")
    client = as_role(SYSTEM)
    assert_denied(client.get(reverse("wagtailsnippets_core_auditevent:list")))
    assert_denied(client.get(reverse("wagtailsnippets_core_auditevent:inspect", args=[row.pk])))


def test_the_security_administrator_cannot_read_the_audit_log(as_role):
    client = as_role(SECURITY)
    assert_denied(client.get(reverse("wagtailsnippets_core_auditevent:list")))


def test_the_auditor_reads_the_audit_log_but_cannot_change_it(as_role, admins):
    row = record(action="test.visible_event", actor=admins[SECURITY])
    client = as_role(AUDIT)
    listing = client.get(reverse("wagtailsnippets_core_auditevent:list"))
    assert listing.status_code == 200 and "test.visible_event" in listing.content.decode()
    inspect = reverse("wagtailsnippets_core_auditevent:inspect", args=[row.pk])
    assert client.get(inspect).status_code == 200
    assert_denied(client.post(reverse("wagtailsnippets_core_auditevent:delete", args=[row.pk])))
    assert AuditEvent.objects.filter(pk=row.pk).exists()
    assert verify_chain().ok


def user_edit_data(user, **changes):
    data = {
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "kind": user.kind,
        "department": user.department_id or "",
        "mobile": user.mobile,
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_auditor_cannot_edit_a_user(as_role, make_staff):
    clerk = make_staff("clerk", display_name="窗口人员")
    client = as_role(AUDIT)
    url = reverse("wagtailusers_users:edit", args=[clerk.pk])
    assert_denied(client.get(url))
    assert_denied(client.post(url, user_edit_data(clerk, display_name="被改了")))
    clerk.refresh_from_db()
    assert clerk.display_name == "窗口人员"


def test_the_system_administrator_cannot_edit_a_user(as_role, make_staff):
    clerk = make_staff("clerk2", display_name="窗口人员")
    client = as_role(SYSTEM)
    url = reverse("wagtailusers_users:edit", args=[clerk.pk])
    assert_denied(client.post(url, user_edit_data(clerk, display_name="被改了")))
    clerk.refresh_from_db()
    assert clerk.display_name == "窗口人员"


def test_the_security_administrator_edits_users(as_role, make_staff):
    clerk = make_staff("clerk3", display_name="窗口人员")
    client = as_role(SECURITY)
    url = reverse("wagtailusers_users:edit", args=[clerk.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, user_edit_data(clerk, display_name="窗口人员甲"))
    assert response.status_code == 302, response.context["form"].errors
    clerk.refresh_from_db()
    assert clerk.display_name == "窗口人员甲"


def test_only_the_system_administrator_edits_sites(as_role):
    # Not site_group: its province portal and Wagtail's own first site are both marked
    # default, which the site edit form refuses to validate.
    root = Site.objects.get(is_default_site=True).root_page
    site = Site.objects.create(
        hostname="linxi.localhost", site_name="临溪县人民政府", root_page=root
    )
    url = reverse("wagtailsites:edit", args=[site.pk])
    data = {
        "hostname": "linxi-new.localhost",
        "port": site.port,
        "site_name": site.site_name or "临溪县人民政府",
        "root_page": site.root_page_id,
    }
    for who in (SECURITY, AUDIT):
        client = as_role(who)
        assert_denied(client.get(url))
        assert_denied(client.post(url, data))
        site.refresh_from_db()
        assert site.hostname == "linxi.localhost"
        client.logout()

    client = as_role(SYSTEM)
    assert client.get(url).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    site.refresh_from_db()
    assert site.hostname == "linxi-new.localhost"


@pytest.mark.parametrize("who", [SYSTEM, SECURITY, AUDIT])
def test_no_role_edits_pages(as_role, site_group, who):
    """Content belongs to editors and reviewers of each portal, not to any of the three."""
    page = Site.objects.get(hostname="songlin.localhost").root_page
    title = page.title
    client = as_role(who)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert_denied(client.get(url))
    assert_denied(client.post(url, {"title": "被改了", "slug": page.slug}))
    assert Page.objects.get(pk=page.pk).title == title


def test_the_system_administrator_adds_departments(as_role, regions):
    client = as_role(SYSTEM)
    response = client.post(
        reverse("wagtailsnippets_orgs_department:add"),
        {"name": "数据资源局", "region": regions["county_b"].pk},
    )
    if response.status_code == 200:
        pytest.fail(str(response.context["form"].errors))
    assert Department.objects.filter(name="数据资源局").exists()
    client.logout()
    client = as_role(SECURITY)
    assert_denied(
        client.post(
            reverse("wagtailsnippets_orgs_department:add"),
            {"name": "另一个局", "region": regions["county_b"].pk},
        )
    )
    assert not Department.objects.filter(name="另一个局").exists()


# --- one role per person: the action ---------------------------------------------------------


def test_a_security_administrator_grants_a_role(admins, make_staff):
    clerk = make_staff("newauditor", is_staff=False)
    group = grant_admin_role(user=clerk, role=AUDITOR.key, acting_user=admins[SECURITY])

    clerk.refresh_from_db()
    assert roles_of(clerk) == [AUDITOR] and group.name == "审计管理员"
    assert clerk.is_staff  # role holders reach the back office
    event = AuditEvent.objects.get(action=events.ROLE_GRANTED)
    assert event.actor == admins[SECURITY] and event.object_id == str(clerk.pk)
    assert event.detail["role"] == "auditor" and event.detail["role_name"] == "审计管理员"
    assert verify_chain().ok


def test_nobody_holds_two_roles(admins):
    auditor = admins[AUDIT]
    for role in (SYSTEM_ADMINISTRATOR, SECURITY_ADMINISTRATOR):
        with pytest.raises(ValidationError) as exc:
            grant_admin_role(user=auditor, role=role, acting_user=admins[SECURITY])
        assert ONE_ROLE_MESSAGE in str(exc.value) and "审计管理员" in str(exc.value)
    with pytest.raises(ValidationError, match="已担任审计管理员"):
        grant_admin_role(user=auditor, role=AUDITOR, acting_user=admins[SECURITY])
    assert roles_of(auditor) == [AUDITOR]
    assert not AuditEvent.objects.filter(action=events.ROLE_GRANTED).exists()


@pytest.mark.parametrize("who", [SYSTEM, AUDIT])
def test_only_a_security_administrator_or_superuser_grants(admins, make_staff, who):
    clerk = make_staff("clerk4")
    with pytest.raises(PermissionDenied, match="只有安全管理员"):
        grant_admin_role(user=clerk, role=AUDITOR, acting_user=admins[who])
    with pytest.raises(PermissionDenied):
        revoke_admin_role(user=admins[AUDIT], role=AUDITOR, acting_user=admins[who])
    assert roles_of(clerk) == [] and roles_of(admins[AUDIT]) == [AUDITOR]
    assert not AuditEvent.objects.filter(
        action__in=[events.ROLE_GRANTED, events.ROLE_REVOKED]
    ).exists()


def test_a_plain_staff_member_even_with_user_permissions_cannot_grant(roles, make_staff):
    hr = make_staff("hr")
    hr.user_permissions.add(Permission.objects.get(codename="change_user"))
    with pytest.raises(PermissionDenied):
        grant_admin_role(user=make_staff("clerk5"), role=AUDITOR, acting_user=hr)


def test_a_superuser_grants_and_nobody_grants_to_themselves(admins, superuser, make_staff):
    clerk = make_staff("clerk6")
    grant_admin_role(user=clerk, role=SYSTEM_ADMINISTRATOR, acting_user=superuser)
    assert roles_of(clerk) == [SYSTEM_ADMINISTRATOR]
    security = admins[SECURITY]
    with pytest.raises(PermissionDenied, match="自己"):
        revoke_admin_role(user=security, role=SECURITY_ADMINISTRATOR, acting_user=security)
    revoke_admin_role(user=security, role=SECURITY_ADMINISTRATOR, acting_user=superuser)
    with pytest.raises(PermissionDenied, match="自己"):
        grant_admin_role(user=superuser, role=AUDITOR, acting_user=superuser)
    assert roles_of(superuser) == []


def test_roles_are_for_staff_accounts_only(admins, citizen):
    with pytest.raises(ValidationError, match="只能授予工作人员"):
        grant_admin_role(user=citizen, role=AUDITOR, acting_user=admins[SECURITY])
    citizen.refresh_from_db()
    assert roles_of(citizen) == [] and not citizen.is_staff


def test_revoking_a_role_is_audited_and_frees_the_person_for_another(admins):
    auditor, security = admins[AUDIT], admins[SECURITY]
    revoke_admin_role(user=auditor, role="审计管理员", acting_user=security)
    assert roles_of(auditor) == []
    event = AuditEvent.objects.get(action=events.ROLE_REVOKED)
    assert event.actor == security and event.detail["role"] == "auditor"
    with pytest.raises(ValidationError, match="未担任"):
        revoke_admin_role(user=auditor, role=AUDITOR, acting_user=security)
    grant_admin_role(user=auditor, role=SYSTEM_ADMINISTRATOR, acting_user=security)
    assert roles_of(auditor) == [SYSTEM_ADMINISTRATOR]
    assert verify_chain().ok


def test_an_unknown_role_is_refused(admins, make_staff):
    with pytest.raises(ValidationError, match="没有这个管理员角色"):
        grant_admin_role(user=make_staff("clerk7"), role="root", acting_user=admins[SECURITY])


# --- one role per person: the admin forms ----------------------------------------------------


def test_the_user_form_refuses_two_roles(as_role, make_staff, roles):
    clerk = make_staff("clerk8", role=AUDITOR)
    client = as_role(SECURITY)
    url = reverse("wagtailusers_users:edit", args=[clerk.pk])
    response = client.post(
        url,
        user_edit_data(clerk, groups=[roles[AUDITOR.key].pk, roles[SYSTEM_ADMINISTRATOR.key].pk]),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["groups"]
    assert any(ONE_ROLE_MESSAGE in error for error in errors)
    assert ONE_ROLE_MESSAGE in response.content.decode()
    assert roles_of(clerk) == [AUDITOR]


def test_the_user_create_form_refuses_two_roles(as_role, department, roles):
    client = as_role(SECURITY)
    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "twohats",
            "email": "twohats@example.com",
            "display_name": "两顶帽子",
            "kind": UserKind.STAFF,
            "department": department.pk,
            "password1": "Qingshan-2026-staff",
            "password2": "Qingshan-2026-staff",
            "groups": [roles[SECURITY_ADMINISTRATOR.key].pk, roles[AUDITOR.key].pk],
        },
    )
    assert response.status_code == 200
    assert any(ONE_ROLE_MESSAGE in e for e in response.context["form"].errors["groups"])
    assert not User.objects.filter(username="twohats").exists()


def test_the_user_form_gives_one_role_and_makes_staff(as_role, make_staff, roles):
    clerk = make_staff("clerk9", is_staff=False)
    client = as_role(SECURITY)
    url = reverse("wagtailusers_users:edit", args=[clerk.pk])
    response = client.post(url, user_edit_data(clerk, groups=[roles[AUDITOR.key].pk]))
    assert response.status_code == 302, response.context["form"].errors
    clerk.refresh_from_db()
    assert roles_of(clerk) == [AUDITOR] and clerk.is_staff


def test_the_user_form_refuses_a_role_for_a_citizen(roles, citizen, superuser):
    form = UserEditForm(
        instance=citizen,
        data=user_edit_data(citizen, groups=[roles[AUDITOR.key].pk]),
        for_user=superuser,
    )
    assert not form.is_valid()
    assert "管理员角色只能授予工作人员账号。" in form.errors["groups"]


def test_the_user_form_keeps_the_superuser_box_from_non_superusers(admins, make_staff):
    clerk = make_staff("clerk10")
    form = UserEditForm(
        instance=clerk,
        data=user_edit_data(clerk, is_superuser="on"),
        for_user=admins[SECURITY],
    )
    assert form.fields["is_superuser"].disabled
    assert form.is_valid(), form.errors
    form.save()
    clerk.refresh_from_db()
    assert not clerk.is_superuser


def test_the_user_form_lets_only_security_administrators_change_roles(roles, make_staff):
    hr = make_staff("hr2")
    hr.user_permissions.add(Permission.objects.get(codename="change_user"))
    clerk = make_staff("clerk11")
    form = UserEditForm(
        instance=clerk,
        data=user_edit_data(clerk, groups=[roles[AUDITOR.key].pk]),
        for_user=hr,
    )
    assert not form.is_valid()
    assert "只有安全管理员可以授予或撤销管理员角色。" in form.errors["groups"]


def test_the_user_form_tells_which_roles_it_changes(admins, roles):
    auditor = admins[AUDIT]
    form = UserEditForm(
        instance=auditor,
        data=user_edit_data(auditor, groups=[roles[SYSTEM_ADMINISTRATOR.key].pk]),
        for_user=admins[SECURITY],
    )
    assert form.is_valid(), form.errors
    assert form.role_changes() == ([SYSTEM_ADMINISTRATOR], [AUDITOR])


def test_role_changes_from_the_form_are_audited(admins, roles):
    """What the user edit view does with ``form.role_changes()`` after saving."""
    auditor, security = admins[AUDIT], admins[SECURITY]
    form = UserEditForm(
        instance=auditor,
        data=user_edit_data(auditor, groups=[roles[SYSTEM_ADMINISTRATOR.key].pk]),
        for_user=security,
    )
    assert form.is_valid(), form.errors
    granted, revoked = form.role_changes()
    form.save()
    record_role_changes(user=auditor, granted=granted, revoked=revoked, acting_user=security)

    assert roles_of(auditor) == [SYSTEM_ADMINISTRATOR]
    rows = AuditEvent.objects.filter(object_id=str(auditor.pk)).order_by("sequence")
    assert [(row.action, row.detail["role"]) for row in rows] == [
        (events.ROLE_GRANTED, "system_administrator"),
        (events.ROLE_REVOKED, "auditor"),
    ]
    assert all(row.actor == security for row in rows)


def test_the_auditor_verifies_the_chain_in_the_back_office(as_role, admins):
    record(action="test.some_event")
    client = as_role(AUDIT)
    listing = client.get(reverse("wagtailsnippets_core_auditevent:list"))
    verify_url = reverse("wagtailsnippets_core_auditevent:verify")
    assert verify_url in listing.content.decode() and "校验审计链" in listing.content.decode()

    response = client.get(verify_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("wagtailsnippets_core_auditevent:list")
    assert "审计链完整" in response.content.decode()
    event = AuditEvent.objects.get(action="core.audit_verified")
    assert event.actor == admins[AUDIT] and event.detail["ok"] is True

    # A broken chain is shown as broken.
    AuditEvent.objects.filter(action="test.some_event").update(detail={"edited": True})
    response = client.get(verify_url, follow=True)
    assert "审计链已断开" in response.content.decode()


@pytest.mark.parametrize("who", [SYSTEM, SECURITY])
def test_other_roles_cannot_verify_the_chain(as_role, who):
    response = as_role(who).get(reverse("wagtailsnippets_core_auditevent:verify"))
    assert_denied(response)
    assert not AuditEvent.objects.filter(action="core.audit_verified").exists()
