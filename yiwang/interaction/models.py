"""Data of 政民互动: messages (every kind, from every channel), their replies, extension
requests and timeline, the deadline rules and routing data, and the API clients of other
systems (Open311, 12345)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .constants import (
    Channel,
    ErrorType,
    EventKind,
    ExtensionState,
    Kind,
    ReplyState,
    Satisfaction,
    Status,
    Unit,
    Urgency,
)


def private_storage():
    """Screenshots are personal data: private storage, served only through the back office."""
    from yiwang.core.storage import PrivateStorage

    return PrivateStorage()


class DeadlineRule(models.Model):
    """How long a kind of message may wait for its answer (答复时限)."""

    kind = models.CharField("留言类型", max_length=20, choices=Kind.choices)
    urgency = models.CharField(
        "紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    amount = models.PositiveIntegerField("时限")
    unit = models.CharField("单位", max_length=20, choices=Unit.choices)

    class Meta:
        verbose_name = "答复时限"
        verbose_name_plural = "答复时限"
        ordering = ["kind", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "urgency"],
                name="interaction_deadline_rule_unique",
                violation_error_message="这类留言在这个紧急程度下已有时限。",
            )
        ]

    def __str__(self):
        kind, urgency = self.get_kind_display(), self.get_urgency_display()
        return f"{kind}（{urgency}）：{self.amount}{self.get_unit_display()}"


class Category(models.Model):
    """A subject category of messages (e.g. 城乡建设 › 住房保障), one tree for the province."""

    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField("编码", max_length=40, unique=True)

    class Meta:
        verbose_name = "留言分类"
        verbose_name_plural = "留言分类"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Message(models.Model):
    """One message from the public: a letter to a leader's mailbox, a consultation, a
    complaint... a website error report, or a 12345 work order (工单)."""

    number = models.CharField("编号", max_length=24, unique=True)
    query_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    channel = models.CharField("来源", max_length=10, choices=Channel.choices)
    urgency = models.CharField(
        "紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    category = models.ForeignKey(
        Category, verbose_name="分类", null=True, blank=True, on_delete=models.SET_NULL
    )
    region = models.ForeignKey(
        "orgs.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    portal = models.ForeignKey(
        "portal.PortalHomePage",
        verbose_name="网站",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    leader = models.ForeignKey(
        "portal.LeaderPage",
        verbose_name="收信领导",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    # Website error reports.
    page_url = models.URLField("出错页面", max_length=1000, blank=True)
    error_type = models.CharField("错误类型", max_length=20, choices=ErrorType.choices, blank=True)
    screenshot = models.FileField(
        "截图",
        upload_to="interaction/screenshots/%Y/%m/",
        storage=private_storage,
        blank=True,
        max_length=300,
    )
    # 12345 work orders and Open311 requests.
    location = models.CharField("地点", max_length=300, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    # The writer (personal data: masked everywhere public, audited on every write).
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="留言人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interaction_messages",
    )
    writer_name = models.CharField("留言人", max_length=100, blank=True)
    writer_phone = models.CharField("联系电话", max_length=30, blank=True)
    writer_email = models.EmailField("电子邮箱", blank=True)
    publish_consent = models.BooleanField("同意公开", default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    api_client = models.ForeignKey(
        "ApiClient",
        verbose_name="接入系统",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    external_id = models.CharField("外部编号", max_length=64, blank=True)
    # Routing and responsibility.
    suggested_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="建议承办部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    route_method = models.CharField("建议依据", max_length=20, blank=True)
    route_confidence = models.FloatField("建议置信度", null=True, blank=True)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interaction_messages",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    invalid_reason = models.CharField("无效原因", max_length=300, blank=True)
    submitted_at = models.DateTimeField("提交时间")
    dispatched_at = models.DateTimeField("交办时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # The clock (答复时限): counted from ``clock_started_at`` (submission, or the reopening).
    clock_started_at = models.DateTimeField("计时开始")
    deadline_amount = models.PositiveIntegerField("时限")
    deadline_unit = models.CharField("时限单位", max_length=20, choices=Unit.choices)
    extension_amount = models.PositiveIntegerField("延期", default=0)
    due_at = models.DateTimeField("答复期限", null=True, blank=True)
    warn_at = models.DateTimeField("预警时间", null=True, blank=True)
    due_is_provisional = models.BooleanField("期限暂定", default=False)
    warned_at = models.DateTimeField("已预警", null=True, blank=True)
    overdue_at = models.DateTimeField("已超期", null=True, blank=True)
    reminded_at = models.DateTimeField("已催办", null=True, blank=True)
    escalated_at = models.DateTimeField("已督办", null=True, blank=True)
    followed_up_at = models.DateTimeField("已回访", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    # The writer's rating of the answer.
    satisfaction = models.PositiveSmallIntegerField(
        "满意度", choices=Satisfaction.choices, null=True, blank=True
    )
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    # Publication on the portal (with consent, personal data removed).
    is_published = models.BooleanField("已公开", default=False)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    public_title = models.CharField("公开标题", max_length=200, blank=True)
    public_body = models.TextField("公开内容", blank=True)
    public_reply = models.TextField("公开答复", blank=True)
    # Imported history (votes of 问政 platforms).
    support_count = models.PositiveIntegerField("点赞数", default=0)
    oppose_count = models.PositiveIntegerField("反对数", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "留言"
        verbose_name_plural = "留言"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="interaction_message_external_unique",
            ),
            models.CheckConstraint(
                condition=Q(reopen_count__lte=1), name="interaction_message_reopen_once"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="interaction_open_due"),
            models.Index(fields=["region", "status"], name="interaction_region_status"),
            models.Index(fields=["department", "status"], name="interaction_dept_status"),
            models.Index(
                fields=["portal", "is_published", "-published_at"], name="interaction_public"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_open(self):
        from .constants import OPEN_STATUSES

        return self.status in OPEN_STATUSES


class MessageNumberCounter(models.Model):
    """The last sequence number given per division and day (``<division>-<YYYYMMDD>``)."""

    scope = models.CharField(max_length=20, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.scope}: {self.last}"


class Reply(models.Model):
    """A reply: drafted by a handler, approved by a reviewer, then sent (the official one)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField("答复内容")
    state = models.CharField(
        "状态", max_length=20, choices=ReplyState.choices, default=ReplyState.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department", verbose_name="答复单位", on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.CharField("审核意见", max_length=500, blank=True)
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    sent_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["created_at", "pk"]
        constraints = [
            # One reply in the works per message at a time.
            models.UniqueConstraint(
                fields=["message"],
                condition=Q(state__in=["draft", "submitted", "returned"]),
                name="interaction_one_reply_in_progress",
            )
        ]

    def __str__(self):
        return f"{self.message.number} 的答复"


class ExtensionRequest(models.Model):
    """A request for more time (延期申请), made before the deadline, decided by a dispatcher
    or supervisor of the message's region."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="extensions")
    amount = models.PositiveIntegerField("延期时长")
    reason = models.CharField("理由", max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间")
    state = models.CharField(
        "状态", max_length=20, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["message"],
                condition=Q(state="pending"),
                name="interaction_one_pending_extension",
            )
        ]

    def __str__(self):
        return f"{self.message.number} 延期 {self.amount}"


class MessageEvent(models.Model):
    """The timeline of a message (流转记录)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=30, choices=EventKind.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["message", "at"], name="interaction_event_msg")]

    def __str__(self):
        return f"{self.message.number} {self.get_kind_display()}"


class RoutingRule(models.Model):
    """A keyword rule: a message whose text contains one of ``keywords`` goes to
    ``department``. Used before the classifier has history, and when it is unsure."""

    region = models.ForeignKey(
        "orgs.Region",
        verbose_name="适用区划",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="留空则全省适用",
    )
    keywords = models.TextField("关键词", help_text="用空格或逗号分隔")
    department = models.ForeignKey(
        "orgs.Department", verbose_name="承办部门", on_delete=models.CASCADE
    )
    priority = models.PositiveSmallIntegerField("优先级", default=100)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "分办规则"
        verbose_name_plural = "分办规则"
        ordering = ["priority", "pk"]

    def __str__(self):
        return f"{self.department}：{self.keywords[:30]}"

    def keyword_list(self):
        import re

        return [k for k in re.split(r"[\s,，、;；]+", self.keywords) if k]


class RoutingModel(models.Model):
    """A classifier trained on routed history (``manage.py train_routing``). The newest row
    is used; ``data`` is the classifier's own JSON (see ``routing.py``)."""

    trained_at = models.DateTimeField("训练时间")
    sample_count = models.PositiveIntegerField("样本数")
    label_count = models.PositiveIntegerField("部门数")
    held_out_accuracy = models.FloatField("留出集准确率", null=True, blank=True)
    data = models.JSONField("模型")

    class Meta:
        verbose_name = "分办模型"
        verbose_name_plural = "分办模型"
        ordering = ["-trained_at", "-pk"]

    def __str__(self):
        return f"分办模型 {self.trained_at:%Y-%m-%d %H:%M}"


class ApiClient(models.Model):
    """Another system that posts messages (a 12345 hotline system, an Open311 client): its
    API key (only a hash is kept) and the region its messages belong to."""

    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey("orgs.Region", verbose_name="所属区划", on_delete=models.PROTECT)
    key_prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "接入系统"
        verbose_name_plural = "接入系统"

    def __str__(self):
        return self.name
