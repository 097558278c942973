"""Granting and revoking the three separated administrator roles (三员分立, roles.py)."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from yiwang.core.audit import record

from .. import events
from ..models import User, UserKind
from ..roles import ONE_ROLE_MESSAGE, STAFF_ONLY_MESSAGE, get_role, may_manage_roles, roles_of


def _check_acting_user(acting_user, user, verb):
    if not may_manage_roles(acting_user):
        raise PermissionDenied(f"只有安全管理员可以{verb}管理员角色。")
    if acting_user.pk == user.pk:
        raise PermissionDenied(f"不能{verb}自己的管理员角色，请由其他安全管理员办理。")


def _role_group(role):
    group = Group.objects.filter(name=role.name).first()
    if group is None:
        raise ValidationError(
            {"role": f"管理员角色“{role.name}”尚未设置，请先执行 manage.py setup_roles。"}
        )
    return group


def grant_admin_role(*, user, role, acting_user, request=None):
    """Give ``user`` one of the three administrator roles (a key, group name or
    ``AdminRole``) and make them staff (``is_staff``) if they are not yet.

    ``acting_user`` must be a security administrator or a superuser, and not ``user``.
    ``user`` must be an active staff account (工作人员) that holds no admin role yet: one
    person never holds two of the three. Raises ``PermissionDenied`` or ``ValidationError``
    with a Chinese message, writing nothing then. Audited as ROLE_GRANTED."""
    role = get_role(role)
    _check_acting_user(acting_user, user, "授予")
    with transaction.atomic():
        # Locked: two grants racing for the same person cannot both see "no role yet".
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.kind != UserKind.STAFF or not locked.is_active:
            raise ValidationError({"user": STAFF_ONLY_MESSAGE})
        held = roles_of(locked)
        if role in held:
            raise ValidationError({"role": f"该账号已担任{role.name}。"})
        if held:
            raise ValidationError(
                {"role": f"{ONE_ROLE_MESSAGE}该账号已担任{held[0].name}，请先撤销。"}
            )
        group = _role_group(role)
        locked.groups.add(group)
        if not locked.is_staff:
            locked.is_staff = True
            locked.save(update_fields=["is_staff"])
        record(
            action=events.ROLE_GRANTED,
            actor=acting_user,
            obj=locked,
            request=request,
            detail={"role": role.key, "role_name": role.name, "group_id": group.pk},
        )
    user.is_staff = locked.is_staff
    return group


def revoke_admin_role(*, user, role, acting_user, request=None):
    """Take one of the three administrator roles from ``user`` (who stays staff: they may
    have other work in the back office).

    Same ``acting_user`` rule as ``grant_admin_role``. Raises ``PermissionDenied`` or
    ``ValidationError`` (the user does not hold the role), writing nothing then. Audited as
    ROLE_REVOKED."""
    role = get_role(role)
    _check_acting_user(acting_user, user, "撤销")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if role not in roles_of(locked):
            raise ValidationError({"role": f"该账号未担任{role.name}。"})
        group = _role_group(role)
        locked.groups.remove(group)
        record(
            action=events.ROLE_REVOKED,
            actor=acting_user,
            obj=locked,
            request=request,
            detail={"role": role.key, "role_name": role.name, "group_id": group.pk},
        )
    return group


def record_role_changes(*, user, granted, revoked, acting_user, request=None):
    """Audit the roles the back office's user form gave or took (the form checked them:
    one role per person, staff only, security administrators only; ``forms.py``). Call in
    the transaction that saved the form, with ``form.role_changes()`` taken before saving."""
    for action, changed in ((events.ROLE_GRANTED, granted), (events.ROLE_REVOKED, revoked)):
        for role in changed:
            record(
                action=action,
                actor=acting_user,
                obj=user,
                request=request,
                detail={"role": role.key, "role_name": role.name, "via": "admin_user_form"},
            )
