"""Every write to accounts: staff accounts and agents' authorizations.

Each action checks who may do it, validates, writes in one transaction together with its
audit row (personal data writes are always audited), and raises ``ValidationError`` or
``PermissionDenied`` with a Chinese message before writing anything.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core.audit import record
from yiwang.core.masking import mask_code, mask_mobile

from .models import AgentAuthorization, LegalPerson, User, UserKind
from .validators import validate_password

MOBILE_RE = re.compile(r"^1\d{10}$")


def _check_mobile(mobile):
    if mobile and not MOBILE_RE.match(mobile):
        raise ValidationError({"mobile": "手机号码应为以 1 开头的 11 位数字。"})


def create_staff_user(
    *,
    username,
    display_name,
    department,
    password=None,
    email="",
    mobile="",
    acting_user,
    request=None,
):
    """Create a staff account (工作人员) in ``department``.

    ``acting_user`` needs the ``accounts.add_user`` permission; ``None`` means the platform
    itself (a management command), never a web request. Without ``password`` the account
    gets an unusable one and must log in another way (a reset link or SSO). Raises
    ``PermissionDenied`` or ``ValidationError``; writes nothing then."""
    if acting_user is not None and not acting_user.has_perm("accounts.add_user"):
        raise PermissionDenied("你没有创建工作人员账号的权限。")
    mobile = (mobile or "").strip()
    _check_mobile(mobile)
    user = User(
        username=(username or "").strip(),
        display_name=(display_name or "").strip(),
        email=(email or "").strip(),
        mobile=mobile,
        kind=UserKind.STAFF,
        department=department,
        is_staff=True,
    )
    if not user.display_name:
        raise ValidationError({"display_name": "请填写工作人员姓名。"})
    if password:
        validate_password(password, user=user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])

    with transaction.atomic():
        user.save()
        record(
            action="accounts.create_staff_user",
            actor=acting_user,
            obj=user,
            request=request,
            detail={
                "username": user.username,
                "department_id": department.pk,
                "department": department.name,
                "mobile": mask_mobile(mobile),
            },
        )
    return user


def _may_manage_agents(user, legal_person, permission):
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.kind == UserKind.LEGAL and user.legal_person_id == legal_person.pk:
        return True
    return user.has_perm(permission)


def authorize_agent(*, legal_person, agent, expires_at=None, acting_user, request=None):
    """Authorize the natural person ``agent`` to act for ``legal_person`` (经办人授权).

    Allowed to the legal person's own account and to staff with the
    ``accounts.add_agentauthorization`` permission. The agent must be an active natural
    person; ``expires_at``, when given, must be an aware datetime in the future. An agent
    may hold one live authorization per legal person: a live one makes this fail, an
    expired one that was never revoked is closed first. Returns the new
    ``AgentAuthorization``."""
    if not _may_manage_agents(acting_user, legal_person, "accounts.add_agentauthorization"):
        raise PermissionDenied("只有该法人本身或有权限的工作人员可以授权经办人。")
    if agent.kind != UserKind.NATURAL:
        raise ValidationError({"agent": "经办人必须是自然人用户。"})
    if not agent.is_active:
        raise ValidationError({"agent": "经办人账号已停用，不能授权。"})
    now = timezone.now()
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            raise ValidationError({"expires_at": "失效时间必须带时区。"})
        if expires_at <= now:
            raise ValidationError({"expires_at": "失效时间必须晚于当前时间。"})

    with transaction.atomic():
        # Serializes authorizations of one legal person on PostgreSQL; SQLite's IMMEDIATE
        # transactions already serialize every writer.
        LegalPerson.objects.select_for_update().filter(pk=legal_person.pk).first()
        replaced = []
        for live in AgentAuthorization.objects.select_for_update().filter(
            legal_person=legal_person, agent=agent, revoked_at__isnull=True
        ):
            if live.is_active(now):
                raise ValidationError(
                    "该经办人已有这个法人的有效授权，请先撤销原授权。",
                    code="duplicate_authorization",
                )
            live.revoked_at = now
            live.save(update_fields=["revoked_at"])
            replaced.append(live.pk)
        authorization = AgentAuthorization(
            legal_person=legal_person, agent=agent, granted_at=now, expires_at=expires_at
        )
        try:
            with transaction.atomic():
                authorization.save()
        except IntegrityError as exc:
            raise ValidationError(
                "该经办人已有这个法人的有效授权，请先撤销原授权。",
                code="duplicate_authorization",
            ) from exc
        record(
            action="accounts.authorize_agent",
            actor=acting_user,
            obj=authorization,
            request=request,
            on_behalf_of=legal_person.name
            if acting_user.legal_person_id == legal_person.pk
            else "",
            detail={
                "legal_person_id": legal_person.pk,
                "legal_person_uscc": mask_code(legal_person.uscc),
                "agent_id": agent.pk,
                "expires_at": expires_at.isoformat() if expires_at else None,
                "closed_expired": replaced,
            },
        )
    return authorization


def revoke_agent(*, authorization, acting_user, reason="", request=None):
    """Revoke a live authorization now. Allowed to the legal person's own account, to the
    agent (who may give up the authorization) and to staff with the
    ``accounts.change_agentauthorization`` permission. Raises ``ValidationError`` if it is
    already revoked."""
    legal_person = authorization.legal_person
    is_agent = acting_user is not None and acting_user.pk == authorization.agent_id
    if not is_agent and not _may_manage_agents(
        acting_user, legal_person, "accounts.change_agentauthorization"
    ):
        raise PermissionDenied("只有该法人本身、经办人本人或有权限的工作人员可以撤销授权。")
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationError({"reason": "撤销原因不能超过 200 个字。"})

    with transaction.atomic():
        locked = AgentAuthorization.objects.select_for_update().get(pk=authorization.pk)
        if locked.revoked_at is not None:
            raise ValidationError(
                "该授权已于 %(when)s 撤销。",
                code="already_revoked",
                params={"when": timezone.localtime(locked.revoked_at).strftime("%Y-%m-%d %H:%M")},
            )
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record(
            action="accounts.revoke_agent",
            actor=acting_user,
            obj=locked,
            request=request,
            on_behalf_of=legal_person.name
            if acting_user.legal_person_id == legal_person.pk
            else "",
            detail={
                "legal_person_id": legal_person.pk,
                "agent_id": locked.agent_id,
                "reason": reason,
                "by_agent": is_agent,
            },
        )
    authorization.revoked_at = locked.revoked_at
    return authorization
