"""好差评 data: ratings (online once per case, on-site once per invitation), the
rectification of every bad rating with its follow-up contacts, appeals against wrong or
malicious ratings, the one reminder per case, rating devices at service-centre windows and
their invitations, the per-region rectification deadline, and the published figures.

Every write goes through ``actions.py``; reads that cross a permission boundary and the
reports through ``queries.py``.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .constants import (
    DEFAULT_RECTIFICATION_DAYS,
    MAX_RECTIFICATION_DAYS,
    MIN_RECTIFICATION_DAYS,
    AppealKind,
    AppealState,
    ClosedHow,
    EscalationReason,
    FollowUpMethod,
    InvitationState,
    Level,
    RatingChannel,
    RectificationState,
)


class RegionSetting(models.Model):
    """The local rules of 好差评 for a region and the regions below it (the nearest region
    up the tree with a row decides; none: the national default)."""

    region = models.OneToOneField(
        "orgs.Region",
        verbose_name="区划",
        on_delete=models.CASCADE,
        related_name="evaluation_setting",
    )
    rectification_days = models.PositiveSmallIntegerField(
        "差评整改期限（工作日）",
        default=DEFAULT_RECTIFICATION_DAYS,
        validators=[
            MinValueValidator(MIN_RECTIFICATION_DAYS),
            MaxValueValidator(MAX_RECTIFICATION_DAYS),
        ],
        help_text="5–15 个工作日，默认 5 个工作日；适用于本区划及下级区划（下级另有设置的除外）。",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "好差评区划设置"
        verbose_name_plural = "好差评区划设置"
        ordering = ["region__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rectification_days__gte=MIN_RECTIFICATION_DAYS)
                & Q(rectification_days__lte=MAX_RECTIFICATION_DAYS),
                name="evaluation_rectification_days_range",
            )
        ]

    def __str__(self):
        return f"{self.region}：整改期限 {self.rectification_days} 个工作日"


class RatingDevice(models.Model):
    """A rating tablet (评价器) at a window of a service centre. Its page is
    ``/pingjia/device/<key>/``: the key in the URL is its only credential."""

    name = models.CharField("设备名称", max_length=100)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="所属部门",
        on_delete=models.CASCADE,
        related_name="rating_devices",
    )
    centre = models.ForeignKey(
        "orgs.ServiceCentre",
        verbose_name="政务服务中心",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rating_devices",
    )
    window = models.CharField("窗口", max_length=50, blank=True)
    key = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "评价设备"
        verbose_name_plural = "评价设备"
        ordering = ["department", "name", "pk"]

    def __str__(self):
        return f"{self.name}（{self.window}）" if self.window else self.name


class RatingInvitation(models.Model):
    """Counter staff asked the visitor to rate (请办事人评价) on a device: one rating at most."""

    device = models.ForeignKey(
        RatingDevice, verbose_name="评价设备", on_delete=models.CASCADE, related_name="invitations"
    )
    department = models.ForeignKey(
        "orgs.Department", verbose_name="部门", on_delete=models.CASCADE, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="窗口工作人员",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.ForeignKey(
        "hall.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rating_invitations",
    )
    state = models.CharField(
        "状态", max_length=20, choices=InvitationState.choices, default=InvitationState.WAITING
    )
    created_at = models.DateTimeField("发起时间")
    expires_at = models.DateTimeField("失效时间")

    class Meta:
        verbose_name = "现场评价邀请"
        verbose_name_plural = "现场评价邀请"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["device", "state"], name="eval_invitation_device")]

    def __str__(self):
        return f"{self.device} {self.created_at:%Y-%m-%d %H:%M}"


class Rating(models.Model):
    """One rating. Online (一事一评): by the case's applicant, once per case (the partial
    unique constraint). On site (一次一评): on a device, once per invitation."""

    channel = models.CharField("评价渠道", max_length=20, choices=RatingChannel.choices)
    case = models.ForeignKey(
        "hall.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    invitation = models.OneToOneField(
        RatingInvitation,
        verbose_name="现场评价邀请",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rating",
    )
    device = models.ForeignKey(
        RatingDevice, null=True, blank=True, on_delete=models.SET_NULL, related_name="ratings"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="窗口工作人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="被评价部门",
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    region = models.ForeignKey(
        "orgs.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="ratings"
    )
    item_name = models.CharField("事项名称", max_length=200, blank=True)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评价人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ratings_given",
    )
    rater_name = models.CharField("评价人", max_length=100, blank=True)
    # A rating by a known applicant (a case's account): its bad rating gets a follow-up visit.
    real_name = models.BooleanField("实名评价", default=False)
    level = models.PositiveSmallIntegerField("总体评价", choices=Level.choices)
    # {indicator code: level} for the channel's indicators (constants.INDICATORS).
    indicators = models.JSONField("分项评价", default=dict, blank=True)
    comment = models.TextField("评价内容", blank=True)
    publish_comment = models.BooleanField("同意公开评价内容", default=False)
    # An upheld appeal takes the rating out of every figure.
    excluded = models.BooleanField("已剔除（申诉成立）", default=False)
    rated_at = models.DateTimeField("评价时间")
    rated_on = models.DateField("评价日期", db_index=True)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        ordering = ["-rated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(channel=RatingChannel.ONLINE),
                name="evaluation_rating_once_per_case",
                violation_error_message="该办件已评价，不能重复评价。",
            )
        ]
        indexes = [
            models.Index(fields=["department", "rated_on"], name="eval_rating_department_day"),
            models.Index(fields=["region", "rated_at"], name="eval_rating_region_time"),
        ]

    def __str__(self):
        return f"{self.item_name or self.department} {self.get_level_display()}"

    @property
    def is_bad(self):
        return self.level <= Level.DISSATISFIED


class Rectification(models.Model):
    """差评整改: the department's answer to one bad rating, due ``deadline`` (working days
    after the rating, per region)."""

    rating = models.OneToOneField(
        Rating, verbose_name="差评", on_delete=models.CASCADE, related_name="rectification"
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="责任部门",
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    region = models.ForeignKey(
        "orgs.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        "状态",
        max_length=20,
        choices=RectificationState.choices,
        default=RectificationState.OPEN,
        db_index=True,
    )
    opened_on = models.DateField("起算日")
    deadline_days = models.PositiveSmallIntegerField("整改期限（工作日）")
    deadline = models.DateField("整改截止日")
    deadline_provisional = models.BooleanField("截止日按暂定日历", default=False)
    overdue = models.BooleanField("已超期", default=False)
    overdue_flagged_at = models.DateTimeField("超期标记时间", null=True, blank=True)
    outcome = models.TextField("整改情况或情况说明", blank=True)
    outcome_at = models.DateTimeField("整改反馈时间", null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicant_feedback = models.TextField("申请人意见", blank=True)
    escalation_reason = models.CharField(
        "升级原因",
        max_length=20,
        choices=EscalationReason.choices,
        default=EscalationReason.NONE,
        blank=True,
    )
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)
    closed_how = models.CharField(
        "办结方式", max_length=20, choices=ClosedHow.choices, default=ClosedHow.NONE, blank=True
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closing_note = models.TextField("办结说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["department", "state"], name="eval_rect_department_state"),
            models.Index(fields=["state", "deadline"], name="eval_rect_state_deadline"),
        ]

    def __str__(self):
        return f"差评整改 {self.pk}（{self.get_state_display()}）"


class FollowUp(models.Model):
    """A follow-up contact (回访) with the applicant about a bad rating."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="follow_ups"
    )
    contacted_at = models.DateTimeField("回访时间")
    method = models.CharField("回访方式", max_length=20, choices=FollowUpMethod.choices)
    contact_person = models.CharField("回访人", max_length=100)
    applicant_said = models.TextField("申请人反映的情况")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "回访记录"
        verbose_name_plural = "回访记录"
        ordering = ["rectification", "contacted_at", "pk"]

    def __str__(self):
        return f"{self.get_method_display()} {self.contacted_at:%Y-%m-%d}"


class Appeal(models.Model):
    """申诉: the department holds a rating wrong or malicious; a reviewer of the region
    decides. One per rating."""

    rating = models.OneToOneField(
        Rating, verbose_name="评价", on_delete=models.CASCADE, related_name="appeal"
    )
    department = models.ForeignKey(
        "orgs.Department", verbose_name="申诉部门", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "orgs.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("申诉类型", max_length=20, choices=AppealKind.choices)
    reason = models.TextField("申诉理由")
    state = models.CharField(
        "状态", max_length=20, choices=AppealState.choices, default=AppealState.PENDING
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField("申诉时间")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    review_note = models.TextField("复核意见", blank=True)

    class Meta:
        verbose_name = "评价申诉"
        verbose_name_plural = "评价申诉"
        ordering = ["-filed_at", "-pk"]
        indexes = [models.Index(fields=["state", "region"], name="eval_appeal_state_region")]

    def __str__(self):
        return f"申诉 {self.pk}（{self.get_state_display()}）"


class RatingReminder(models.Model):
    """The one reminder to rate a case: the row makes it once only, whoever runs the job."""

    case = models.OneToOneField(
        "hall.Case", on_delete=models.CASCADE, related_name="rating_reminder"
    )
    sent_at = models.DateTimeField("提醒时间")
    by_sms = models.BooleanField("短信", default=False)
    by_email = models.BooleanField("邮件", default=False)

    class Meta:
        verbose_name = "评价提醒"
        verbose_name_plural = "评价提醒"

    def __str__(self):
        return f"{self.case} {self.sent_at:%Y-%m-%d}"


class PublishedFigure(models.Model):
    """The public figures of one department (``publish_figures``, daily): the page
    ``/pingjia/`` reads only this table. One row per department that has ratings."""

    department = models.OneToOneField(
        "orgs.Department", on_delete=models.CASCADE, related_name="evaluation_figure"
    )
    region = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField("统计起始日")
    period_end = models.DateField("统计截止日")
    ratings = models.PositiveIntegerField("评价数")
    average = models.FloatField("平均分", null=True)
    satisfied = models.PositiveIntegerField("满意数（4–5）")
    satisfied_rate = models.FloatField("满意率", null=True)
    bad = models.PositiveIntegerField("差评数")
    rectified = models.PositiveIntegerField("差评整改办结数")
    rectification_rate = models.FloatField("整改率", null=True)
    computed_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "好差评公开数据"
        verbose_name_plural = "好差评公开数据"
        ordering = ["region__code", "department__name"]
        indexes = [models.Index(fields=["region"], name="eval_figure_region")]

    def __str__(self):
        return f"{self.department} {self.period_start}–{self.period_end}"
