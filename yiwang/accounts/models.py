from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from yiwang.orgs.models import Department, normalize_uscc, validate_uscc


class UserKind(models.TextChoices):
    NATURAL = "natural", "自然人"
    LEGAL = "legal", "法人"
    STAFF = "staff", "工作人员"


class RealNameLevel(models.IntegerChoices):
    REGISTERED = 1, "注册用户（密码）"
    PHONE = 2, "手机已核验"
    IDENTITY = 3, "身份已核验"


class IdentityMethod(models.TextChoices):
    # How a natural person reached level 3.
    COUNTER = "counter", "窗口核验"
    E_LICENSE = "e_license", "电子证照核验"


class User(AbstractUser):
    """Every account of the platform: a natural person, a legal person's own account, or
    staff. Agents are natural persons authorized by a legal person (``AgentAuthorization``)."""

    kind = models.CharField(
        "用户类型", max_length=10, choices=UserKind.choices, default=UserKind.NATURAL
    )
    display_name = models.CharField("姓名或名称", max_length=100, blank=True)
    mobile = models.CharField("手机号码", max_length=20, blank=True)
    real_name_level = models.PositiveSmallIntegerField(
        "实名等级", choices=RealNameLevel.choices, default=RealNameLevel.REGISTERED
    )
    department = models.ForeignKey(
        Department,
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    legal_person = models.OneToOneField(
        "LegalPerson",
        verbose_name="法人主体",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )
    # The resident ID number is sensitive personal data: stored only encrypted
    # (yiwang.core.crypto), found by a keyed hash, shown by its masked form. Written by
    # accounts.actions only.
    id_number_encrypted = models.TextField("身份证号码（密文）", blank=True, editable=False)
    id_number_digest = models.CharField(
        "身份证号码检索摘要", max_length=64, blank=True, editable=False
    )
    id_number_masked = models.CharField("身份证号码", max_length=18, blank=True, editable=False)
    mobile_verified_at = models.DateTimeField("手机核验时间", null=True, blank=True)
    identity_verified_at = models.DateTimeField("身份核验时间", null=True, blank=True)
    identity_verified_by = models.ForeignKey(
        "self",
        verbose_name="身份核验人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    identity_method = models.CharField(
        "身份核验方式", max_length=20, choices=IdentityMethod.choices, blank=True
    )
    # Bumped by "log out everywhere": every session of the user, on every host, carries a
    # hash of it and stops being valid (see _get_session_auth_hash).
    session_generation = models.PositiveIntegerField("会话代数", default=0, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        permissions = [
            ("view_id_number", "可查看完整身份证号码（每次查看均记入审计）"),
            ("verify_identity", "可在窗口核验身份（实名等级三级）"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=~models.Q(id_number_digest=""),
                name="user_id_number_unique",
                violation_error_code="duplicate_id_number",
                violation_error_message="该身份证号码已注册。",
            ),
            # A verified mobile logs in by SMS code, so it names one account only.
            models.UniqueConstraint(
                fields=["mobile"],
                condition=models.Q(mobile_verified_at__isnull=False),
                name="user_verified_mobile_unique",
                violation_error_code="duplicate_mobile",
                violation_error_message="该手机号码已被其他账号核验使用。",
            ),
        ]

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret=None):
        # Django's hash covers the password; the generation makes "log out everywhere" end
        # every session of the user without finding them (cache-backed sessions cannot be
        # listed).
        return salted_hmac(
            "yiwang.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def clean(self):
        super().clean()
        if self.kind == UserKind.STAFF and self.department_id is None and not self.is_superuser:
            raise ValidationError({"department": "工作人员必须属于一个部门。"})
        if self.kind == UserKind.LEGAL and self.legal_person_id is None:
            raise ValidationError({"legal_person": "法人账号必须关联法人主体。"})


class LegalPerson(models.Model):
    """A company, social organization or public institution (法人)."""

    name = models.CharField("名称", max_length=200)
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc]
    )
    legal_representative = models.CharField("法定代表人", max_length=100)
    # The natural person who administers the legal person online (authorizes its agents).
    administrator = models.ForeignKey(
        User,
        verbose_name="法人管理员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="administered_legal_persons",
    )

    class Meta:
        verbose_name = "法人"
        verbose_name_plural = "法人"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.uscc = normalize_uscc(self.uscc)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.uscc = normalize_uscc(self.uscc)


class AgentAuthorization(models.Model):
    """A legal person's authorization for a natural person to act for it (经办人)."""

    legal_person = models.ForeignKey(
        LegalPerson, verbose_name="法人", on_delete=models.CASCADE, related_name="agents"
    )
    agent = models.ForeignKey(
        User, verbose_name="经办人", on_delete=models.CASCADE, related_name="authorizations"
    )
    granted_at = models.DateTimeField("授权时间", default=timezone.now)
    expires_at = models.DateTimeField("失效时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "经办人授权"
        verbose_name_plural = "经办人授权"
        constraints = [
            models.UniqueConstraint(
                fields=["legal_person", "agent"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_authorization_per_agent",
                violation_error_code="duplicate_authorization",
                violation_error_message="该经办人已有这个法人的有效授权，请先撤销原授权。",
            )
        ]

    def __str__(self):
        return f"{self.agent} 代表 {self.legal_person}"

    def is_active(self, at=None):
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)
