"""The identity part of the demo: the three separated administrators, a counter clerk, two
citizens (one at real-name level 3 administering a company, one at level 2 its agent), the
staff's demo authenticator devices, and the demo department system registered for OpenID
Connect.

Everything goes through the accounts actions (so the audit log shows how the demo came
about), except the mobile verification: the actions need an SMS code the demo cannot type.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils import timezone

from yiwang.accounts import actions, events
from yiwang.accounts.models import LegalPerson, RealNameLevel, UserKind
from yiwang.accounts.roles import AUDITOR, SECURITY_ADMINISTRATOR, SYSTEM_ADMINISTRATOR
from yiwang.core.audit import record
from yiwang.core.masking import mask_mobile

from .spec import DEMO_CITIZENS, DEMO_COMPANY, DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, DEMO_USERS

ROLE_OF = {
    "sysadmin": SYSTEM_ADMINISTRATOR,
    "secadmin": SECURITY_ADMINISTRATOR,
    "auditor": AUDITOR,
}
CLERKS = ("clerk.songlin",)
CLERK_GROUP = "政务服务中心·窗口实名核验"
CLERK_PERMISSIONS = ("accounts.verify_identity", "accounts.view_id_number")


def staff_usernames():
    return [spec.username for spec in DEMO_USERS]


def demo_citizens():
    """The demo's natural persons: a demo username and an address in the demo's own mail
    domain, so a real account that happens to be called 张三 is never touched."""
    return get_user_model().objects.filter(
        username__in=[c.username for c in DEMO_CITIZENS],
        email__endswith="@" + DEMO_EMAIL_DOMAIN,
    )


def build_identity(*, admin, users, port):
    """Create the identity demo inside the loader's transaction. ``users`` are the demo
    staff accounts by username; ``admin`` is the demo superuser."""
    from yiwang.accounts.roles import ensure_admin_roles
    from yiwang.demo.staff_devices import ensure_demo_devices

    ensure_admin_roles()
    for username, role in ROLE_OF.items():
        actions.grant_admin_role(user=users[username], role=role, acting_user=admin)

    clerks, _ = Group.objects.get_or_create(name=CLERK_GROUP)
    for name in CLERK_PERMISSIONS:
        app_label, codename = name.split(".")
        clerks.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    for username in CLERKS:
        users[username].groups.add(clerks)
    clerk = users[CLERKS[0]]

    User = get_user_model()
    citizens = {}
    for spec in DEMO_CITIZENS:
        user = User.objects.create_user(
            spec.username,
            password=DEMO_PASSWORD,
            kind=UserKind.NATURAL,
            display_name=spec.display_name,
            email=f"{spec.username}@{DEMO_EMAIL_DOMAIN}",
        )
        actions.set_id_number(
            user=user, id_number=spec.id_number, name=spec.display_name, acting_user=user
        )
        user.mobile = spec.mobile
        user.mobile_verified_at = timezone.now()
        user.real_name_level = RealNameLevel.PHONE
        user.save(update_fields=["mobile", "mobile_verified_at", "real_name_level"])
        record(
            action=events.MOBILE_VERIFIED,
            actor=user,
            obj=user,
            detail={"mobile": mask_mobile(spec.mobile), "level": 2, "source": "demo"},
        )
        if spec.level >= RealNameLevel.IDENTITY:
            actions.verify_identity_at_counter(
                user=user, id_number=spec.id_number, acting_user=clerk
            )
        citizens[spec.username] = user

    company = actions.register_legal_person(
        name=DEMO_COMPANY["name"],
        uscc=DEMO_COMPANY["uscc"],
        legal_representative=DEMO_COMPANY["legal_representative"],
        acting_user=citizens["zhangsan"],
    )
    actions.authorize_agent(
        legal_person=company, agent=citizens["lisi"], acting_user=citizens["zhangsan"]
    )
    ensure_demo_devices(staff_usernames())
    register_department_system(port)


def register_department_system(port):
    from yiwang.demo.oidc_demo import register_demo_client

    return register_demo_client(port=port, system_port=department_system_port(port))


def department_system_port(port):
    return port + 1


def describe_identity(port):
    """Lines for the demo summary, read from the database and the data directory."""
    from yiwang.demo.oidc_demo import CLIENT_NAME, read_config
    from yiwang.demo.staff_devices import demo_device_lines

    lines = [
        "",
        f"统一身份认证（登录一次，全部门户通行）：{settings.IDENTITY_URL}/accounts/login/",
        "办事群众与企业：",
    ]
    present = {u.username: u for u in demo_citizens()}
    for spec in DEMO_CITIZENS:
        if spec.username in present:
            lines.append(
                f"  {spec.username} / {DEMO_PASSWORD}  {spec.display_name}，{spec.role}"
                f"，手机 {spec.mobile}"
            )
    lines.append("  也可自行注册：短信验证码显示在本窗口的服务日志中（演示短信通道）。")
    lines.append("")
    lines += demo_device_lines(staff_usernames())
    config = read_config()
    if config:
        lines.append("")
        lines.append(
            f"演示部门系统（OpenID Connect 单点登录）：{config['base_url']}/  {CLIENT_NAME}"
        )
    return lines


def reset_identity():
    """Remove the demo citizens and company (the loader removes the staff)."""
    LegalPerson.objects.filter(
        Q(uscc=DEMO_COMPANY["uscc"]) | Q(administrator__in=demo_citizens())
    ).delete()
    demo_citizens().delete()
    Group.objects.filter(name=CLERK_GROUP).delete()
