"""The service catalog: base catalog items, their implementations and the service guide.

An ``Implementation`` (实施清单) is a Wagtail snippet with drafts and revisions: a published
implementation changes only by publishing a new revision (``version`` counts them), and the
revisions are its history, comparable in the admin. The guide's lists (materials, legal basis,
steps...) are child rows of the implementation (modelcluster), so they travel inside each
revision. The lifecycle (in force / suspended / cancelled) is not guide content: it is set by
``yiwang.catalog.actions`` and never restored from an old revision.
"""

import re

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import DraftStateMixin, Orderable, RevisionMixin

from yiwang.accounts.models import RealNameLevel
from yiwang.orgs.models import Department, Region

from .constants import (
    Audience,
    DeliveryMethod,
    ImplementationStatus,
    ItemType,
    LawLevel,
    LimitKind,
    MaterialForm,
    MaterialNecessity,
    MaterialSource,
    OnlineDepth,
    ResultType,
    ThemeAudience,
    ThemeKind,
    Variant,
)

# 基本编码: letters, digits and hyphens, as the national and provincial catalogs write them
# ("511A0138600000", "G-000007-001", "1J-5100-00027").
CATALOG_CODE_RE = re.compile(r"^[0-9A-Z][0-9A-Z-]{2,40}[0-9A-Z]$")

# 实施编码: <基本编码>-<12-digit region>-<3-digit sequence>-<body code>-<body kind>-<2-digit
# business item>, e.g. 511A0138600000-511602000000-000-115113010833722043-1-00. The body
# code is the implementing body's credit code (older data has organization codes such as
# 00877868-5); "00" is the item itself, 01.. its business variants (业务办理项).
IMPLEMENTATION_CODE_RE = re.compile(
    r"^(?P<catalog>[0-9A-Z][0-9A-Z-]*?)-(?P<region>\d{12})-(?P<sequence>\d{3})-"
    r"(?P<body>[0-9A-Za-z][0-9A-Za-z_-]*?)-(?P<body_kind>\d)-(?P<business_item>\d{2})$"
)


def parse_implementation_code(code):
    """The parts of an implementation code as a dict, or ``None`` if it has not the national
    structure."""
    match = IMPLEMENTATION_CODE_RE.match((code or "").strip())
    return match.groupdict() if match else None


def validate_catalog_code(value):
    if not CATALOG_CODE_RE.match(value or ""):
        raise ValidationError(
            "基本编码只能由大写字母、数字和连字符组成（4至42位），不能以连字符开头或结尾：%(value)s",
            code="invalid_catalog_code",
            params={"value": value},
        )


def validate_implementation_code(value):
    if parse_implementation_code(value) is None:
        raise ValidationError(
            "实施编码的结构不正确，应为“基本编码-12位区划代码-3位序号-实施主体编码-主体性质-"
            "2位业务办理项编码”，例如 511A0138600000-511602000000-000-115113010833722043-1-00："
            "%(value)s",
            code="invalid_implementation_code",
            params={"value": value},
        )


class Theme(models.Model):
    """A browsing theme (主题) of the hall: a national topic or a life event, for individuals
    or for legal persons. Data the administrator edits; seeded by a migration."""

    code = models.SlugField("代码", max_length=50, unique=True)
    name = models.CharField("名称", max_length=50)
    audience = models.CharField("面向", max_length=20, choices=ThemeAudience.choices)
    kind = models.CharField(
        "类别", max_length=20, choices=ThemeKind.choices, default=ThemeKind.TOPIC
    )
    description = models.CharField("说明", max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["audience", "kind", "sort_order", "code"]

    def __str__(self):
        return f"{self.name}（{self.get_audience_display()}）"


class CatalogItem(models.Model):
    """A base catalog item (基本目录): the nationally standard item, the same everywhere.
    Its six base elements are identical province-wide; implementations add the rest."""

    code = models.CharField(
        "基本编码", max_length=42, unique=True, validators=[validate_catalog_code]
    )
    name = models.CharField("事项名称", max_length=200)
    item_type = models.PositiveSmallIntegerField("事项类型", choices=ItemType.choices)
    competent_department = models.CharField("主管部门", max_length=200, blank=True)
    legal_basis = models.TextField("设定依据", blank=True)
    exercise_levels = models.CharField(
        "行使层级", max_length=50, blank=True, help_text="例如：省级、市级、县级"
    )
    description = models.TextField("事项说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "基本目录事项"
        verbose_name_plural = "基本目录"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class ImplementationQuerySet(models.QuerySet):
    def visible(self, at=None):
        """Published and in force at ``at`` (now): what portals, lists, search and the API
        show. A suspension or cancellation counts from its effective time on."""
        at = at or timezone.now()
        return self.filter(live=True).filter(
            Q(status=ImplementationStatus.IN_FORCE) | Q(status_effective_at__gt=at)
        )

    def withdrawn(self, at=None):
        """Published once, and suspended or cancelled as of ``at``."""
        at = at or timezone.now()
        return self.exclude(status=ImplementationStatus.IN_FORCE).filter(
            status_effective_at__lte=at
        )


class Implementation(DraftStateMixin, RevisionMixin, ClusterableModel):
    """An implementation (实施清单) of a base catalog item by one region's department, with
    the complete service guide (办事指南)."""

    # Fields that describe the implementation's lifecycle, not its guide: kept as they are
    # when a revision is published (see ``with_content_json``).
    LIFECYCLE_FIELDS = (
        "status",
        "status_effective_at",
        "status_reason",
        "replaced_by_id",
        "version",
    )

    catalog_item = models.ForeignKey(
        CatalogItem,
        verbose_name="基本目录事项",
        on_delete=models.PROTECT,
        related_name="implementations",
    )
    code = models.CharField(
        "实施编码", max_length=120, unique=True, validators=[validate_implementation_code]
    )
    name = models.CharField("事项名称", max_length=200)
    region = models.ForeignKey(
        Region, verbose_name="实施区划", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="实施主体",
        on_delete=models.PROTECT,
        related_name="implementations",
    )
    variant = models.CharField(
        "业务办理项", max_length=20, choices=Variant.choices, blank=True, default=Variant.NONE
    )
    variant_of = models.ForeignKey(
        "self",
        verbose_name="所属事项（业务办理项的主项）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="variants",
    )
    audience = models.CharField(
        "服务对象", max_length=20, choices=Audience.choices, default=Audience.INDIVIDUAL
    )
    themes = ParentalManyToManyField(
        Theme, verbose_name="主题", blank=True, related_name="implementations"
    )

    # The implementing body's contact (defaults to the department's when empty).
    body_address = models.CharField("实施主体地址", max_length=200, blank=True)
    body_postcode = models.CharField("邮政编码", max_length=6, blank=True)
    body_contact = models.CharField("联系人/联系方式", max_length=100, blank=True)

    summary = models.TextField("事项概述", blank=True)
    conditions = models.TextField("受理条件", blank=True, help_text="每行一条")
    prohibitions = models.TextField("禁止性要求", blank=True)

    statutory_limit_days = models.PositiveSmallIntegerField(
        "法定办结时限（工作日）", null=True, blank=True
    )
    statutory_limit_note = models.CharField("法定时限说明", max_length=200, blank=True)
    limit_kind = models.CharField(
        "办件类型", max_length=20, choices=LimitKind.choices, default=LimitKind.PROMISED
    )
    promised_limit_days = models.PositiveSmallIntegerField(
        "承诺办结时限（工作日）", null=True, blank=True
    )

    charges_fee = models.BooleanField("是否收费", default=False)

    place = models.TextField("办理地点", blank=True)
    hours = models.TextField("办理时间", blank=True)
    enquiry_phone = models.CharField("咨询电话", max_length=100, blank=True)
    complaint_phone = models.CharField("监督投诉电话", max_length=100, blank=True)
    required_visits = models.PositiveSmallIntegerField("到办事现场次数", default=1)
    visit_reason = models.CharField("必须现场办理的原因", max_length=200, blank=True)
    online_depth = models.PositiveSmallIntegerField(
        "网上办理深度", choices=OnlineDepth.choices, default=OnlineDepth.GUIDE
    )
    real_name_level = models.PositiveSmallIntegerField(
        "网上申请所需实名等级",
        choices=RealNameLevel.choices,
        default=RealNameLevel.IDENTITY,
    )
    flow_chart = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="办理流程图",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    result_name = models.CharField("办理结果名称", max_length=200, blank=True)
    result_type = models.CharField(
        "结果类型", max_length=20, choices=ResultType.choices, blank=True
    )
    result_sample = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="结果样本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivery_methods = models.JSONField(
        "送达方式",
        default=list,
        blank=True,
        help_text="可多选：" + "、".join(label for _, label in DeliveryMethod.choices),
    )
    responsibility_notes = models.TextField(
        "本事项的其他责任事项", blank=True, help_text="列入责任清单，补充通用责任事项"
    )

    # Lifecycle (set by actions, kept across revisions).
    status = models.CharField(
        "状态",
        max_length=20,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.IN_FORCE,
        editable=False,
        db_index=True,
    )
    status_effective_at = models.DateTimeField("状态生效时间", null=True, editable=False)
    status_reason = models.TextField("暂停或取消原因", blank=True, editable=False)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name="替代事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
        editable=False,
    )
    version = models.PositiveIntegerField("版本号", default=0, editable=False)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="implementation")

    objects = ImplementationQuerySet.as_manager()

    class Meta:
        verbose_name = "实施清单事项"
        verbose_name_plural = "实施清单"
        ordering = ["region__code", "department__name", "code"]
        indexes = [
            models.Index(fields=["region", "live", "status"], name="impl_region_live_status"),
        ]

    def __str__(self):
        return self.name

    @property
    def revisions(self):
        return self._revisions

    @property
    def item_type(self):
        return self.catalog_item.item_type

    def get_item_type_display(self):
        return ItemType(self.catalog_item.item_type).label

    def is_visible(self, at=None):
        at = at or timezone.now()
        return self.live and (
            self.status == ImplementationStatus.IN_FORCE
            or (self.status_effective_at is not None and self.status_effective_at > at)
        )

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for field in self.LIFECYCLE_FIELDS:
            setattr(obj, field, getattr(self, field))
        return obj

    def clean(self):
        super().clean()
        errors = {}
        parts = parse_implementation_code(self.code)
        if parts:
            item, region, dept = self.catalog_item_id, self.region_id, self.department_id
            if item and parts["catalog"] != self.catalog_item.code:
                errors["code"] = (
                    f"实施编码的基本编码部分（{parts['catalog']}）"
                    f"与所选基本目录事项的编码（{self.catalog_item.code}）不一致。"
                )
            elif region and parts["region"] != self.region.code:
                errors["code"] = (
                    f"实施编码的区划代码部分（{parts['region']}）"
                    f"与实施区划的代码（{self.region.code}）不一致。"
                )
            elif (
                dept
                and self.department.uscc
                # Older codes carry the organization code (characters 9-17 of the credit
                # code), sometimes written with a hyphen: 00877868-5.
                and parts["body"].replace("-", "").upper()
                not in {self.department.uscc, self.department.uscc[8:17]}
            ):
                errors["code"] = (
                    f"实施编码的实施主体编码部分（{parts['body']}）"
                    f"与实施主体的统一社会信用代码（{self.department.uscc}）不一致。"
                )
        if self.department_id and self.region_id and self.department.region_id != self.region_id:
            errors["department"] = "实施主体必须是实施区划的部门。"
        if self.limit_kind == LimitKind.PROMISED and self.promised_limit_days is None:
            errors["promised_limit_days"] = "承诺件必须填写承诺办结时限（工作日）。"
        if (
            self.statutory_limit_days is not None
            and self.promised_limit_days is not None
            and self.promised_limit_days > self.statutory_limit_days
        ):
            errors["promised_limit_days"] = "承诺办结时限不能长于法定办结时限。"
        unknown = [m for m in self.delivery_methods or [] if m not in DeliveryMethod.values]
        if unknown:
            errors["delivery_methods"] = "未知的送达方式：" + "、".join(map(str, unknown))
        if self.variant_of_id and self.variant_of_id == self.pk:
            errors["variant_of"] = "业务办理项不能以自身为主项。"
        if errors:
            raise ValidationError(errors)


class Situation(Orderable):
    """办理情形: a circumstance of the applicant that changes the material list."""

    implementation = ParentalKey(
        Implementation, on_delete=models.CASCADE, related_name="situations"
    )
    code = models.CharField("情形代码", max_length=20, help_text="在本事项内唯一，如 A、B")
    name = models.CharField("情形名称", max_length=200)
    description = models.TextField("说明", blank=True)

    class Meta(Orderable.Meta):
        verbose_name = "办理情形"
        verbose_name_plural = "办理情形"

    def __str__(self):
        return self.name


class Material(Orderable):
    """申请材料."""

    implementation = ParentalKey(Implementation, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField("材料名称", max_length=300)
    form = models.CharField(
        "材料形式", max_length=20, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL
    )
    copies = models.PositiveSmallIntegerField("份数", default=1)
    necessity = models.CharField(
        "是否必要",
        max_length=20,
        choices=MaterialNecessity.choices,
        default=MaterialNecessity.REQUIRED,
    )
    source = models.CharField(
        "来源渠道",
        max_length=20,
        choices=MaterialSource.choices,
        default=MaterialSource.APPLICANT,
    )
    source_note = models.CharField("来源说明", max_length=200, blank=True)
    paper_size = models.CharField("纸质规格", max_length=50, blank=True)
    requirements = models.TextField("填报须知/受理标准", blank=True)
    blank_form = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="空白表格",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sample_form = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="示例样表",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    license_type = models.CharField(
        "可用电子证照替代",
        max_length=200,
        blank=True,
        help_text="可替代本材料的电子证照类型名称，如“居民身份证”",
    )
    situation_codes = models.CharField(
        "适用情形",
        max_length=200,
        blank=True,
        help_text="适用的办理情形代码，以逗号分隔；留空表示所有情形都需要",
    )

    class Meta(Orderable.Meta):
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"

    def __str__(self):
        return self.name

    @property
    def situation_code_list(self):
        return [c.strip() for c in re.split(r"[,，、\s]+", self.situation_codes or "") if c.strip()]

    def applies_to(self, situation_code):
        codes = self.situation_code_list
        return not codes or situation_code in codes


class LegalBasis(Orderable):
    """设定依据, article by article; the guide lists them higher law first."""

    implementation = ParentalKey(
        Implementation, on_delete=models.CASCADE, related_name="legal_bases"
    )
    law_name = models.CharField("法律法规名称", max_length=200)
    law_level = models.CharField("效力层级", max_length=40, choices=LawLevel.choices)
    document_number = models.CharField("文号", max_length=100, blank=True)
    article = models.CharField("条款号", max_length=100, blank=True, help_text="例如：第十二条")
    text = models.TextField("条款内容", blank=True)

    class Meta(Orderable.Meta):
        verbose_name = "设定依据"
        verbose_name_plural = "设定依据"

    def __str__(self):
        return f"{self.law_name}{self.article}"


class ProcessStep(Orderable):
    """办理流程: one step with its own time limit."""

    implementation = ParentalKey(
        Implementation, on_delete=models.CASCADE, related_name="process_steps"
    )
    name = models.CharField("环节名称", max_length=100)
    description = models.TextField("办理内容和标准", blank=True)
    time_limit_days = models.DecimalField(
        "环节时限（工作日）", max_digits=5, decimal_places=1, null=True, blank=True
    )
    handler = models.CharField("办理人员/岗位", max_length=100, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = "办理环节"
        verbose_name_plural = "办理流程"

    def __str__(self):
        return self.name


class SpecialProcedure(Orderable):
    """特别程序 (testing, expert review, hearing, public notice)."""

    implementation = ParentalKey(
        Implementation, on_delete=models.CASCADE, related_name="special_procedures"
    )
    name = models.CharField("特别程序名称", max_length=100)
    time_limit_days = models.PositiveSmallIntegerField("时限（工作日）", null=True, blank=True)
    counts_in_limit = models.BooleanField("计入办结时限", default=False)
    description = models.TextField("说明", blank=True)

    class Meta(Orderable.Meta):
        verbose_name = "特别程序"
        verbose_name_plural = "特别程序"

    def __str__(self):
        return self.name


class Fee(Orderable):
    """收费项目."""

    implementation = ParentalKey(Implementation, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField("收费项目名称", max_length=200)
    standard = models.CharField("收费标准", max_length=300)
    basis = models.TextField("收费依据")
    reducible = models.BooleanField("可减免", default=False)
    reduction_note = models.CharField("减免说明", max_length=300, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = "收费项目"
        verbose_name_plural = "收费项目"

    def __str__(self):
        return self.name


class Question(Orderable):
    """常见问题 (FAQ)."""

    implementation = ParentalKey(Implementation, on_delete=models.CASCADE, related_name="questions")
    question = models.CharField("问题", max_length=300)
    answer = models.TextField("解答")

    class Meta(Orderable.Meta):
        verbose_name = "常见问题"
        verbose_name_plural = "常见问题"

    def __str__(self):
        return self.question
