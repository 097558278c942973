"""The three separated administrator roles of 等保 level 3 (三员分立).

Each role is a Django group with exactly the permissions below, made and kept in step by
``ensure_admin_roles()`` (``manage.py setup_roles``, and after every ``migrate``). None of the
three can do another's work:

- 系统管理员 (system administrator): system configuration. Sites (hostname → page tree),
  the page review workflows, each portal's settings, departments, regions, service centres,
  the OpenID Connect client applications of department systems. No users, no permissions,
  no content, no audit log.
- 安全管理员 (security administrator): users, groups and what groups may do, and the staff
  second factor (TOTP devices: unlock, reset). No content, no system configuration, no
  audit log.
- 审计管理员 (auditor): reads the audit log and verifies its chain. Nothing else.

A user holds at most one of the three, and role holders are staff: checked by the actions
(``actions/roles.py``) and by the back office's user forms (``forms.py``).
Superusers stand outside the scheme: keep them for installation and emergencies.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction

# Every role needs to reach the back office; no role gets anything else in common.
COMMON_PERMISSIONS = ("wagtailadmin.access_admin",)


def _model_permissions(*models, actions=("add", "change", "delete", "view")):
    return tuple(
        f"{model.split('.')[0]}.{action}_{model.split('.')[1]}"
        for model in models
        for action in actions
    )


@dataclass(frozen=True)
class AdminRole:
    key: str
    name: str  # the group's name
    description: str
    permissions: tuple  # "app_label.codename", besides COMMON_PERMISSIONS

    @property
    def all_permissions(self):
        return COMMON_PERMISSIONS + self.permissions


SYSTEM_ADMINISTRATOR = AdminRole(
    key="system_administrator",
    name="系统管理员",
    description="系统配置：站点、页面审核流程、门户设置、部门、行政区划、政务服务中心、接入应用",
    permissions=_model_permissions(
        "wagtailcore.site",
        "wagtailcore.workflow",
        "wagtailcore.task",
        "portal.portalsettings",
        "orgs.department",
        "orgs.region",
        "orgs.servicecentre",
        "oauth2_provider.application",
    ),
)
SECURITY_ADMINISTRATOR = AdminRole(
    key="security_administrator",
    name="安全管理员",
    description="用户、用户组及其权限、账号解锁与双因素认证重置",
    permissions=_model_permissions(
        "accounts.user",
        "auth.group",
        "wagtailusers.userprofile",
        "otp_totp.totpdevice",
    ),
)
AUDITOR = AdminRole(
    key="auditor",
    name="审计管理员",
    description="查阅审计日志、校验审计链",
    permissions=("core.view_auditevent",),
)

ADMIN_ROLES = (SYSTEM_ADMINISTRATOR, SECURITY_ADMINISTRATOR, AUDITOR)
ROLES_BY_KEY = {role.key: role for role in ADMIN_ROLES}
ROLE_NAMES = frozenset(role.name for role in ADMIN_ROLES)

ONE_ROLE_MESSAGE = "同一账号只能担任系统管理员、安全管理员、审计管理员中的一个角色（三员分立）。"
STAFF_ONLY_MESSAGE = "管理员角色只能授予工作人员账号。"


class RoleSetupError(Exception):
    """The roles cannot be set up as defined: permissions missing, or shared between roles."""


def get_role(role):
    """An ``AdminRole`` from itself, its key or its group name. Raises ``ValidationError``."""
    if isinstance(role, AdminRole):
        return role
    for candidate in ADMIN_ROLES:
        if role in (candidate.key, candidate.name):
            return candidate
    raise ValidationError({"role": f"没有这个管理员角色：{role}"})


def check_separation(roles=ADMIN_ROLES):
    """No permission (besides the common ones) belongs to two roles. Raises
    ``RoleSetupError`` naming the shared ones."""
    seen = {}
    shared = []
    for role in roles:
        for permission in role.permissions:
            if permission in COMMON_PERMISSIONS:
                continue
            if permission in seen and seen[permission] != role.name:
                shared.append(f"{permission}（{seen[permission]}、{role.name}）")
            seen.setdefault(permission, role.name)
    if shared:
        raise RoleSetupError("以下权限被多个管理员角色共有，违反三员分立：" + "；".join(shared))


def _permission_objects(names):
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _, codename in wanted}
        )
        if (p.content_type.app_label, p.codename) in wanted
    }
    missing = sorted(f"{app}.{codename}" for app, codename in wanted - found.keys())
    if missing:
        raise RoleSetupError("以下权限不存在（请先执行 migrate）：" + "、".join(missing))
    return list(found.values())


def ensure_admin_roles(roles=ADMIN_ROLES):
    """Make the role groups exist with exactly their permissions (idempotent: permissions
    added to a role group by hand are taken away again). Returns ``{role key: (group,
    created, changed)}``. Raises ``RoleSetupError``, changing nothing."""
    check_separation(roles)
    with transaction.atomic():
        result = {}
        for role in roles:
            permissions = _permission_objects(role.all_permissions)
            group, created = Group.objects.get_or_create(name=role.name)
            before = set(group.permissions.values_list("pk", flat=True))
            after = {p.pk for p in permissions}
            if before != after:
                group.permissions.set(permissions)
            result[role.key] = (group, created, before != after)
        _check_groups_separated(roles)
    return result


def _check_groups_separated(roles):
    """What the database says, after the fact: no permission in two role groups."""
    owners = {}
    for role in roles:
        for pk in Group.objects.get(name=role.name).permissions.values_list("pk", flat=True):
            owners.setdefault(pk, []).append(role.name)
    common = set(
        Permission.objects.filter(
            codename__in=[name.split(".", 1)[1] for name in COMMON_PERMISSIONS]
        ).values_list("pk", flat=True)
    )
    shared = {pk: names for pk, names in owners.items() if len(names) > 1 and pk not in common}
    if shared:
        raise RoleSetupError(f"管理员角色组之间有共有的权限：{shared}")


def role_drift(roles=ADMIN_ROLES):
    """How the role groups differ from their definitions: ``{role name: message}``, empty
    when in step. For ``setup_roles --check``, e.g. from monitoring: a security
    administrator can edit groups, so someone could widen a role by hand."""
    drift = {}
    for role in roles:
        group = Group.objects.filter(name=role.name).first()
        if group is None:
            drift[role.name] = "用户组不存在"
            continue
        have = {
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        want = set(role.all_permissions)
        extra, lacking = sorted(have - want), sorted(want - have)
        if extra or lacking:
            parts = []
            if extra:
                parts.append("多出：" + "、".join(extra))
            if lacking:
                parts.append("缺少：" + "、".join(lacking))
            drift[role.name] = "；".join(parts)
    return drift


def roles_of(user=None, *, groups=None):
    """The admin roles among ``user``'s groups (or among ``groups``)."""
    if groups is None:
        groups = user.groups.all()
    names = {group.name for group in groups}
    return [role for role in ADMIN_ROLES if role.name in names]


def may_manage_roles(user):
    """Security administrators and superusers grant and revoke the roles."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=SECURITY_ADMINISTRATOR.name).exists()


def after_migrate(sender, using="default", apps=None, verbosity=1, **kwargs):
    """``post_migrate`` receiver (sender: the accounts app): the roles after every migrate.

    Connected for the accounts app but run when every app's permissions exist: Django makes
    permissions app by app after migrating, in INSTALLED_APPS order, and accounts comes
    before wagtailcore, oauth2_provider and auth. So it first makes any that are missing."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    try:
        result = ensure_admin_roles()
    except RoleSetupError as exc:
        # A partial migrate (``migrate accounts 0003``) may lack some models: say so, and
        # leave the roles to the next full migrate or to ``setup_roles``.
        if verbosity:
            print(f"未能设置管理员角色：{exc}")
        return
    if verbosity >= 2:
        for group, created, changed in result.values():
            state = "已创建" if created else ("已更新" if changed else "无变化")
            print(f"管理员角色 {group.name}：{state}")
