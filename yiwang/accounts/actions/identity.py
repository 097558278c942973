"""A natural person's identity: resident ID number, verified mobile, real-name level.

The ID number is stored encrypted (``yiwang.core.crypto``), with a keyed hash to find it and
a masked copy to show; the full number is read only through ``reveal_id_number``, which
audits every reading.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from yiwang.core import crypto
from yiwang.core.audit import record
from yiwang.core.masking import mask_id_number, mask_mobile

from .. import events, sms_codes
from ..models import IdentityMethod, RealNameLevel, User, UserKind
from .staff import check_mobile

ID_CONTEXT = "accounts.User.id_number"


def normalize_id_number(value):
    """The checked, compact form of a resident ID number, or ``ValidationError`` saying in
    Chinese what is wrong with it."""
    value = (value or "").strip().upper()
    if not value:
        raise ValidationError({"id_number": "请填写居民身份证号码。"})
    try:
        return ric.validate(value)
    except InvalidLength:
        message = "居民身份证号码应为 18 位。"
    except InvalidChecksum:
        message = "居民身份证号码校验位不正确，请核对后重新输入。"
    except InvalidComponent:
        message = "居民身份证号码中的出生日期或地区码无效。"
    except InvalidFormat:
        message = "居民身份证号码格式不正确：前 17 位应为数字，最后一位为数字或 X。"
    raise ValidationError({"id_number": message}, code="invalid_id_number")


def id_number_digest(id_number):
    return crypto.lookup_hash(id_number, context=ID_CONTEXT)


def set_id_number(*, user, id_number, name, acting_user, request=None):
    """Record ``user``'s real name and resident ID number (encrypted; the masked form is
    kept for display). Only the user, before identity verification, or staff who may verify
    identities. Raises ``ValidationError`` for a bad or already registered number."""
    if user.kind != UserKind.NATURAL:
        raise ValidationError("只有自然人账号登记居民身份证号码。")
    is_self = acting_user is not None and acting_user.pk == user.pk
    if is_self and user.real_name_level >= RealNameLevel.IDENTITY:
        raise PermissionDenied("身份已核验，如需更正身份证号码请到政务服务中心窗口办理。")
    if not is_self and not (acting_user and acting_user.has_perm("accounts.verify_identity")):
        raise PermissionDenied("你没有登记他人身份证号码的权限。")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写真实姓名。"})
    number = normalize_id_number(id_number)
    digest = id_number_digest(number)
    if User.objects.filter(id_number_digest=digest).exclude(pk=user.pk).exists():
        raise ValidationError({"id_number": "该身份证号码已注册，请直接登录或找回账号。"})
    user.display_name = name
    user.id_number_encrypted = crypto.encrypt(number, context=ID_CONTEXT)
    user.id_number_digest = digest
    user.id_number_masked = mask_id_number(number)
    try:
        with transaction.atomic():
            user.save(
                update_fields=[
                    "display_name",
                    "id_number_encrypted",
                    "id_number_digest",
                    "id_number_masked",
                ]
            )
            record(
                action=events.ID_NUMBER_SET,
                actor=acting_user,
                obj=user,
                request=request,
                detail={"id_number": user.id_number_masked},
            )
    except IntegrityError as exc:
        raise ValidationError({"id_number": "该身份证号码已注册，请直接登录或找回账号。"}) from exc
    return user


def reveal_id_number(*, user, acting_user, request=None, reason=""):
    """The full ID number of ``user``, for the user or for staff with
    ``accounts.view_id_number``; every reading is written to the audit log."""
    if not user.id_number_encrypted:
        return ""
    is_self = acting_user is not None and acting_user.pk == user.pk
    if not is_self and not (acting_user and acting_user.has_perm("accounts.view_id_number")):
        raise PermissionDenied("你没有查看完整身份证号码的权限。")
    with transaction.atomic():
        record(
            action=events.ID_NUMBER_VIEWED,
            actor=acting_user,
            obj=user,
            request=request,
            detail={"id_number": user.id_number_masked, "reason": reason[:200]},
        )
    return crypto.decrypt(user.id_number_encrypted, context=ID_CONTEXT)


def send_mobile_code(*, user, mobile):
    """Text a code that proves ``user`` holds ``mobile``."""
    mobile = (mobile or "").strip()
    if not mobile:
        raise ValidationError({"mobile": "请填写手机号码。"})
    check_mobile(mobile)
    taken = User.objects.filter(mobile=mobile, mobile_verified_at__isnull=False).exclude(pk=user.pk)
    if taken.exists():
        raise ValidationError({"mobile": "该手机号码已被其他账号核验使用。"})
    sms_codes.send_code(mobile=mobile, purpose="verify_mobile")


def verify_mobile(*, user, mobile, code, request=None):
    """Check the code sent to ``mobile``; the mobile becomes the user's verified one and the
    user reaches real-name level 2 (if lower)."""
    mobile = (mobile or "").strip()
    check_mobile(mobile)
    sms_codes.check_code(mobile=mobile, purpose="verify_mobile", code=code)
    user.mobile = mobile
    user.mobile_verified_at = timezone.now()
    user.real_name_level = max(user.real_name_level, RealNameLevel.PHONE)
    try:
        with transaction.atomic():
            user.save(update_fields=["mobile", "mobile_verified_at", "real_name_level"])
            record(
                action=events.MOBILE_VERIFIED,
                actor=user,
                obj=user,
                request=request,
                detail={"mobile": mask_mobile(mobile), "level": user.real_name_level},
            )
    except IntegrityError as exc:
        raise ValidationError({"mobile": "该手机号码已被其他账号核验使用。"}) from exc
    return user


def verify_identity_at_counter(*, user, id_number, acting_user, request=None):
    """A counter clerk has seen ``user``'s ID card: the number on the card must be the one
    the account holds. The user reaches real-name level 3. Needs
    ``accounts.verify_identity``."""
    if acting_user is None or not acting_user.has_perm("accounts.verify_identity"):
        raise PermissionDenied("你没有窗口核验身份的权限。")
    if user.kind != UserKind.NATURAL:
        raise ValidationError("只有自然人账号可以核验身份。")
    if not user.id_number_digest:
        raise ValidationError("该账号尚未登记身份证号码，请先登记。")
    number = normalize_id_number(id_number)
    if id_number_digest(number) != user.id_number_digest:
        raise ValidationError({"id_number": "证件号码与账号登记的身份证号码不一致。"})
    user.real_name_level = RealNameLevel.IDENTITY
    user.identity_verified_at = timezone.now()
    user.identity_verified_by = acting_user
    user.identity_method = IdentityMethod.COUNTER
    with transaction.atomic():
        user.save(
            update_fields=[
                "real_name_level",
                "identity_verified_at",
                "identity_verified_by",
                "identity_method",
            ]
        )
        record(
            action=events.IDENTITY_VERIFIED,
            actor=acting_user,
            obj=user,
            request=request,
            detail={"method": IdentityMethod.COUNTER, "id_number": user.id_number_masked},
        )
    return user
