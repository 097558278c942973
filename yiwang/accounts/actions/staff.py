"""Staff accounts (工作人员): creation, and (with the two-factor work) their roles."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from yiwang.core.audit import record
from yiwang.core.masking import mask_mobile

from ..models import User, UserKind
from ..validators import validate_password

MOBILE_RE = re.compile(r"^1\d{10}$")


def check_mobile(mobile):
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
    check_mobile(mobile)
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
