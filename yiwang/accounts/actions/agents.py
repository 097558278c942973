"""Agents' authorizations (经办人授权): a legal person lets a natural person act for it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core.audit import record
from yiwang.core.masking import mask_code

from ..models import AgentAuthorization, LegalPerson, UserKind


def _may_manage_agents(user, legal_person, permission):
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.kind == UserKind.LEGAL and user.legal_person_id == legal_person.pk:
        return True
    if legal_person.administrator_id is not None and legal_person.administrator_id == user.pk:
        return True
    return user.has_perm(permission)


def authorize_agent(
    *, legal_person, agent, expires_at=None, acting_user, request=None, on_behalf_of=""
):
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
            on_behalf_of=on_behalf_of
            or (legal_person.name if acting_user.legal_person_id == legal_person.pk else ""),
            detail={
                "legal_person_id": legal_person.pk,
                "legal_person_uscc": mask_code(legal_person.uscc),
                "agent_id": agent.pk,
                "expires_at": expires_at.isoformat() if expires_at else None,
                "closed_expired": replaced,
            },
        )
    return authorization


def revoke_agent(*, authorization, acting_user, reason="", request=None, on_behalf_of=""):
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
            on_behalf_of=on_behalf_of
            or (legal_person.name if acting_user.legal_person_id == legal_person.pk else ""),
            detail={
                "legal_person_id": legal_person.pk,
                "agent_id": locked.agent_id,
                "reason": reason,
                "by_agent": is_agent,
            },
        )
    authorization.revoked_at = locked.revoked_at
    return authorization
