"""Writes to accounts go through actions: each checks who acts, validates, and writes the
change together with its audit row; a refused write leaves no trace."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yiwang.accounts.actions import authorize_agent, create_staff_user, revoke_agent
from yiwang.accounts.models import AgentAuthorization, User, UserKind
from yiwang.core.models import AuditEvent


def test_create_staff_user_writes_the_user_and_an_audit_row(superuser, department):
    user = create_staff_user(
        username="zhangsan",
        display_name="张三",
        department=department,
        password="Qingshan-2026-staff",
        mobile="13812345678",
        acting_user=superuser,
    )
    user.refresh_from_db()
    assert (user.kind, user.department, user.is_staff) == (UserKind.STAFF, department, True)
    assert user.check_password("Qingshan-2026-staff")
    event = AuditEvent.objects.get(action="accounts.create_staff_user")
    assert (event.actor, event.object_id) == (superuser, str(user.pk))
    assert event.detail["mobile"] == "138****5678"
    assert "Qingshan" not in str(event.detail)


def test_create_staff_user_without_password_gets_an_unusable_one(superuser, department):
    user = create_staff_user(
        username="lisi", display_name="李四", department=department, acting_user=None
    )
    assert not user.has_usable_password()
    assert AuditEvent.objects.get(action="accounts.create_staff_user").actor is None


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"department": None}, "department", "工作人员必须属于一个部门。"),
        ({"display_name": " "}, "display_name", "请填写工作人员姓名。"),
        ({"mobile": "12345"}, "mobile", "手机号码应为以 1 开头的 11 位数字。"),
        ({"username": "admin"}, "username", "此用户名已被占用"),
        ({"password": "12345678"}, "password", "密码太短，至少需要 10 个字符。"),
        ({"password": "1234567890"}, "password", "这个密码太常见了。"),
    ],
)
def test_create_staff_user_rejects_bad_input_and_writes_nothing(
    superuser, department, kwargs, field, message
):
    arguments = {
        "username": "wangwu",
        "display_name": "王五",
        "department": department,
        "acting_user": superuser,
        **kwargs,
    }
    with pytest.raises(ValidationError) as excinfo:
        create_staff_user(**arguments)
    assert message in excinfo.value.message_dict[field]
    assert not User.objects.filter(kind=UserKind.STAFF).exists()
    assert not AuditEvent.objects.exists()


def test_create_staff_user_needs_permission(citizen, department):
    with pytest.raises(PermissionDenied, match="没有创建工作人员账号的权限"):
        create_staff_user(
            username="x", display_name="某人", department=department, acting_user=citizen
        )
    assert not AuditEvent.objects.exists()


def test_legal_person_authorizes_and_revokes_an_agent(company, company_account, citizen):
    expires = timezone.now() + timedelta(days=30)
    authorization = authorize_agent(
        legal_person=company, agent=citizen, expires_at=expires, acting_user=company_account
    )
    assert authorization.is_active()
    assert authorization.expires_at == expires
    granted = AuditEvent.objects.get(action="accounts.authorize_agent")
    assert granted.actor == company_account
    assert granted.on_behalf_of == company.name
    assert granted.object_id == str(authorization.pk)
    assert granted.detail["agent_id"] == citizen.pk
    assert company.uscc not in str(granted.detail)

    revoke_agent(authorization=authorization, acting_user=company_account, reason="离职")
    authorization.refresh_from_db()
    assert authorization.revoked_at is not None and not authorization.is_active()
    revoked = AuditEvent.objects.get(action="accounts.revoke_agent")
    assert revoked.detail["reason"] == "离职"

    # Revoking twice is refused, and writes no second audit row.
    with pytest.raises(ValidationError, match="该授权已于 .* 撤销"):
        revoke_agent(authorization=authorization, acting_user=company_account)
    assert AuditEvent.objects.filter(action="accounts.revoke_agent").count() == 1

    # Once revoked, the agent can be authorized again.
    again = authorize_agent(legal_person=company, agent=citizen, acting_user=company_account)
    assert again.pk != authorization.pk and again.expires_at is None


def test_staff_with_permission_may_authorize_and_the_agent_may_give_up(
    company, citizen, department
):
    clerk = User.objects.create_user(username="clerk", kind=UserKind.STAFF, department=department)
    with pytest.raises(PermissionDenied):
        authorize_agent(legal_person=company, agent=citizen, acting_user=clerk)
    clerk.user_permissions.add(Permission.objects.get(codename="add_agentauthorization"))
    clerk = User.objects.get(pk=clerk.pk)  # permissions are cached per instance
    authorization = authorize_agent(legal_person=company, agent=citizen, acting_user=clerk)
    assert AuditEvent.objects.get(action="accounts.authorize_agent").on_behalf_of == ""

    revoke_agent(authorization=authorization, acting_user=citizen)
    assert AuditEvent.objects.get(action="accounts.revoke_agent").detail["by_agent"] is True


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("legal_agent", "经办人必须是自然人用户。"),
        ("staff_agent", "经办人必须是自然人用户。"),
        ("inactive_agent", "经办人账号已停用，不能授权。"),
        ("past_expiry", "失效时间必须晚于当前时间。"),
        ("naive_expiry", "失效时间必须带时区。"),
        ("duplicate", "该经办人已有这个法人的有效授权，请先撤销原授权。"),
    ],
)
def test_authorize_agent_rejects_bad_input_and_writes_nothing(
    company, company_account, citizen, department, case, message
):
    agent, expires_at = citizen, None
    if case == "legal_agent":
        agent = company_account
    elif case == "staff_agent":
        agent = User.objects.create_user(
            username="staff", kind=UserKind.STAFF, department=department
        )
    elif case == "inactive_agent":
        citizen.is_active = False
        citizen.save(update_fields=["is_active"])
    elif case == "past_expiry":
        expires_at = timezone.now() - timedelta(minutes=1)
    elif case == "naive_expiry":
        expires_at = datetime(2099, 1, 1, 9, 0)
    elif case == "duplicate":
        authorize_agent(legal_person=company, agent=citizen, acting_user=company_account)
    before = (AgentAuthorization.objects.count(), AuditEvent.objects.count())

    with pytest.raises(ValidationError) as excinfo:
        authorize_agent(
            legal_person=company, agent=agent, expires_at=expires_at, acting_user=company_account
        )
    assert message in excinfo.value.messages
    assert (AgentAuthorization.objects.count(), AuditEvent.objects.count()) == before


def test_an_expired_authorization_is_closed_when_a_new_one_is_granted(
    company, company_account, citizen
):
    old = AgentAuthorization.objects.create(
        legal_person=company,
        agent=citizen,
        granted_at=timezone.now() - timedelta(days=60),
        expires_at=timezone.now() - timedelta(days=1),
    )
    new = authorize_agent(legal_person=company, agent=citizen, acting_user=company_account)
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert new.is_active()
    event = AuditEvent.objects.get(action="accounts.authorize_agent")
    assert event.detail["closed_expired"] == [old.pk]


def test_only_the_legal_person_staff_or_agent_may_act(company, citizen, company_account):
    stranger = User.objects.create_user(username="stranger", kind=UserKind.NATURAL)
    with pytest.raises(PermissionDenied, match="只有该法人本身"):
        authorize_agent(legal_person=company, agent=citizen, acting_user=stranger)
    with pytest.raises(PermissionDenied):
        authorize_agent(legal_person=company, agent=citizen, acting_user=None)
    authorization = authorize_agent(
        legal_person=company, agent=citizen, acting_user=company_account
    )
    with pytest.raises(PermissionDenied, match="只有该法人本身、经办人本人"):
        revoke_agent(authorization=authorization, acting_user=stranger)
    authorization.refresh_from_db()
    assert authorization.revoked_at is None
    assert not AuditEvent.objects.filter(action="accounts.revoke_agent").exists()
