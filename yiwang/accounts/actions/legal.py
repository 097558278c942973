"""Legal persons (法人) registered online, and natural persons acting for them.

A natural person whose identity is verified (real-name level 3) registers a company and
becomes its administrator (法人管理员), who then authorizes agents (``actions.agents``).
Changing the administrator of an existing legal person is done at a service-centre counter.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from yiwang.core.audit import record
from yiwang.core.masking import mask_code
from yiwang.orgs.models import normalize_uscc, validate_uscc

from .. import events
from ..models import LegalPerson, RealNameLevel, UserKind

DUPLICATE_USCC = (
    "该统一社会信用代码已登记。如需为该法人办事，请联系其法人管理员为你授权经办人；"
    "如需变更法人管理员，请携带相关材料到政务服务中心窗口办理。"
)


def register_legal_person(
    *, name, uscc, legal_representative, acting_user, request=None, on_behalf_of=""
):
    """Register a legal person with ``acting_user`` as its administrator.

    Only an active natural person at real-name level 3 may; raises ``PermissionDenied``
    otherwise. The credit code must be valid (``cn.uscc``) and not registered yet; name and
    legal representative are required. Raises ``ValidationError`` by field, writing
    nothing. ``on_behalf_of``: ``acting.on_behalf_of_label(request)`` when the user acts
    for another legal person meanwhile. Returns the new ``LegalPerson``."""
    if (
        acting_user is None
        or not acting_user.is_authenticated
        or not acting_user.is_active
        or acting_user.kind != UserKind.NATURAL
    ):
        raise PermissionDenied("只有自然人用户可以登记法人。")
    if acting_user.real_name_level < RealNameLevel.IDENTITY:
        raise PermissionDenied("登记法人需要实名等级三级（身份已核验）。")

    errors = {}
    name = (name or "").strip()
    legal_representative = (legal_representative or "").strip()
    code = normalize_uscc((uscc or "").strip())
    if not name:
        errors["name"] = "请填写法人名称。"
    elif len(name) > 200:
        errors["name"] = "法人名称不能超过 200 个字。"
    if not legal_representative:
        errors["legal_representative"] = "请填写法定代表人姓名。"
    elif len(legal_representative) > 100:
        errors["legal_representative"] = "法定代表人姓名不能超过 100 个字。"
    if not code:
        errors["uscc"] = "请填写统一社会信用代码。"
    else:
        try:
            validate_uscc(code)
        except ValidationError as exc:
            errors["uscc"] = exc.messages
        else:
            if LegalPerson.objects.filter(uscc=code).exists():
                errors["uscc"] = DUPLICATE_USCC
    if errors:
        raise ValidationError(errors)

    legal_person = LegalPerson(
        name=name, uscc=code, legal_representative=legal_representative, administrator=acting_user
    )
    try:
        with transaction.atomic():
            legal_person.save()
            record(
                action=events.LEGAL_PERSON_REGISTERED,
                actor=acting_user,
                obj=legal_person,
                request=request,
                on_behalf_of=on_behalf_of,
                detail={
                    "uscc": mask_code(code),
                    "administrator_id": acting_user.pk,
                },
            )
    except IntegrityError as exc:
        # Two registrations of one code at the same moment: the unique index decides.
        raise ValidationError({"uscc": DUPLICATE_USCC}) from exc
    return legal_person


def may_act_for(user, legal_person, *, at=None):
    """Whether ``user`` may act for ``legal_person`` now: its administrator, or an agent with
    a live (not revoked, not expired) authorization (``queries.acting_role``)."""
    from ..queries import acting_role

    return acting_role(user, legal_person, at=at) is not None


def acting_label(user, legal_person):
    """How the audit log names ``user`` acting for ``legal_person``."""
    role = (
        "法人管理员"
        if legal_person.administrator_id is not None and legal_person.administrator_id == user.pk
        else "经办人"
    )
    return f"{role} {user} 代表 {legal_person.name}"[:200]


def start_acting(*, acting_user, legal_person, request=None):
    """Record that ``acting_user`` starts acting for ``legal_person`` (以该企业身份办事).
    Raises ``PermissionDenied`` unless ``may_act_for``. The session itself is set by
    ``yiwang.accounts.acting.start_acting``, which calls this."""
    if not may_act_for(acting_user, legal_person):
        raise PermissionDenied("你没有该法人的有效经办人授权，不能以该法人身份办事。")
    with transaction.atomic():
        record(
            action=events.ACTING_STARTED,
            actor=acting_user,
            obj=legal_person,
            request=request,
            on_behalf_of=acting_label(acting_user, legal_person),
            detail={"legal_person_id": legal_person.pk, "uscc": mask_code(legal_person.uscc)},
        )


def stop_acting(*, acting_user, legal_person, request=None):
    """Record that ``acting_user`` went back to acting as themselves (切换回个人身份)."""
    with transaction.atomic():
        record(
            action=events.ACTING_STOPPED,
            actor=acting_user,
            obj=legal_person,
            request=request,
            detail={"legal_person_id": legal_person.pk},
        )
