"""The online service hall's data: process definitions and application forms (versioned),
each implementation's hall setup, cases with their materials, tasks, clocks, documents and
timeline.

Every write goes through ``actions.py``; reads that cross a permission boundary through
``queries.py``. A case keeps what it started with: the implementation's version, the
process definition version and the form version it was submitted on.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from yiwang.core import crypto
from yiwang.core.masking import mask_id_number, mask_mobile

from .constants import (
    CaseStatus,
    Channel,
    ClockKind,
    Decision,
    DocumentKind,
    EventKind,
    PauseReason,
    ProcessTemplate,
    ScanStatus,
    Step,
    TaskState,
)

ID_NUMBER_CONTEXT = "hall.case.id_number"


def private_storage():
    """Files of cases (materials, notices, attachments) live outside MEDIA_ROOT and are only
    served through a view that checks access (``views.download``)."""
    from .storage import PrivateStorage

    return PrivateStorage()


class ProcessDefinition(models.Model):
    """One version of a BPMN 2.0 process. Rows are never changed once a case uses them: a
    change is a new version with the same ``key``."""

    key = models.SlugField("流程标识", max_length=100)
    version = models.PositiveIntegerField("版本")
    name = models.CharField("流程名称", max_length=200)
    template = models.CharField(
        "模板", max_length=20, choices=ProcessTemplate.choices, default=ProcessTemplate.STANDARD
    )
    # What the template was parameterized with, e.g. {"joint_departments": [3, 5],
    # "special_name": "专家评审"}; for custom BPMN, empty.
    parameters = models.JSONField("参数", default=dict, blank=True)
    bpmn_xml = models.TextField("BPMN 2.0 XML")
    process_id = models.CharField("可执行流程 ID", max_length=100)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "办理流程"
        verbose_name_plural = "办理流程"
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="process_key_version_unique")
        ]

    def __str__(self):
        return f"{self.name}（第 {self.version} 版）"


class ApplicationForm(models.Model):
    """One version of an implementation's application form, defined as data.

    ``schema``: ``{"sections": [{"title": str, "fields": [field, ...]}, ...]}`` where a field
    is ``{"name": slug, "label": str, "type": one of formdefs.FIELD_TYPES, "required": bool,
    "help": str, "min_length"/"max_length"/"min"/"max"/"pattern"/"pattern_message",
    "choices": [[value, label], ...]}``.

    ``material_rules``: which catalog materials (by name, as the guide lists them) the
    applicant must upload: ``{material name: {"required": "always" | "never" |
    "situations", "situations": [codes], "max_files": n}}``; materials not listed follow
    the guide (necessity and situation codes)."""

    implementation = models.ForeignKey(
        "catalog.Implementation",
        verbose_name="实施清单",
        on_delete=models.CASCADE,
        related_name="application_forms",
    )
    version = models.PositiveIntegerField("版本")
    schema = models.JSONField("表单定义", default=dict)
    material_rules = models.JSONField("材料规则", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "申请表单"
        verbose_name_plural = "申请表单"
        ordering = ["implementation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["implementation", "version"], name="form_implementation_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.implementation.name} 申请表（第 {self.version} 版）"


class ServiceSetup(models.Model):
    """How the hall handles one implementation: its current process and form versions."""

    implementation = models.OneToOneField(
        "catalog.Implementation",
        verbose_name="实施清单",
        on_delete=models.CASCADE,
        related_name="hall_setup",
    )
    process = models.ForeignKey(
        ProcessDefinition,
        verbose_name="当前流程",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="setups",
    )
    form = models.ForeignKey(
        ApplicationForm,
        verbose_name="当前申请表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="setups",
    )
    accepting = models.BooleanField("接受网上申请", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办件配置"
        verbose_name_plural = "办件配置"

    def __str__(self):
        return f"{self.implementation.name} 办件配置"


class CaseNumberCounter(models.Model):
    """The last case number handed out per scope (division code and day). Incremented
    inside the submitting transaction: a row lock on PostgreSQL, the IMMEDIATE
    transaction's write lock on SQLite; ``Case.number`` is unique as the last guard."""

    scope = models.CharField(max_length=20, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "办件编号计数器"
        verbose_name_plural = "办件编号计数器"

    def __str__(self):
        return f"{self.scope}: {self.last}"


class Case(models.Model):
    """办件: one application and everything that happens to it. A draft has no number."""

    number = models.CharField("办件编号", max_length=32, null=True, blank=True, unique=True)
    # The query code is shown once (receipt, notification) and kept only as a hash.
    query_code_hash = models.CharField("查询码摘要", max_length=64, blank=True, editable=False)

    implementation = models.ForeignKey(
        "catalog.Implementation",
        verbose_name="实施清单",
        on_delete=models.PROTECT,
        related_name="cases",
    )
    implementation_version = models.PositiveIntegerField("事项版本", default=0)
    item_code = models.CharField("实施编码", max_length=100)
    item_name = models.CharField("事项名称", max_length=200)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="实施部门（牵头部门）",
        on_delete=models.PROTECT,
        related_name="hall_cases",
    )
    region = models.ForeignKey(
        "orgs.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="hall_cases"
    )
    process = models.ForeignKey(
        ProcessDefinition,
        verbose_name="流程版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    form = models.ForeignKey(
        ApplicationForm,
        verbose_name="表单版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # SpiffWorkflow's serialized workflow, without the spec (the spec comes from ``process``).
    workflow_state = models.JSONField("流程状态", null=True, blank=True, editable=False)

    # Who applies. A walk-in applicant at the counter may have no account.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hall_cases",
    )
    legal_person = models.ForeignKey(
        "accounts.LegalPerson",
        verbose_name="申请单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hall_cases",
    )
    # accounts.queries.ROLE_ADMINISTRATOR / ROLE_AGENT when applying for a legal person.
    acting_role = models.CharField("代办身份", max_length=20, blank=True)
    applicant_name = models.CharField("申请人姓名", max_length=100, blank=True)
    applicant_id_number_encrypted = models.TextField(blank=True, editable=False)
    applicant_id_number_masked = models.CharField("证件号码", max_length=18, blank=True)
    applicant_mobile = models.CharField("联系电话", max_length=20, blank=True)
    applicant_email = models.EmailField("电子邮箱", blank=True)

    form_data = models.JSONField("申请表内容", default=dict, blank=True)
    situation_codes = models.JSONField("办理情形", default=list, blank=True)

    status = models.CharField(
        "状态", max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT, db_index=True
    )
    decision = models.CharField(
        "决定", max_length=20, choices=Decision.choices, default=Decision.NONE, blank=True
    )
    decision_reason = models.TextField("决定理由", blank=True)
    refusal_reason = models.TextField("不予受理理由及依据", blank=True)
    withdrawal_reason = models.TextField("撤回理由", blank=True)
    channel = models.CharField(
        "申请渠道", max_length=20, choices=Channel.choices, default=Channel.ONLINE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="收件人（窗口）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    correction_rounds = models.PositiveSmallIntegerField("补正次数", default=0)

    delivery_method = models.CharField("送达方式", max_length=20, blank=True)
    delivery_address = models.TextField("邮寄地址", blank=True)
    tracking_number = models.CharField("邮件单号", max_length=50, blank=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            models.Index(fields=["applicant", "status"], name="case_applicant_status"),
            models.Index(fields=["department", "status"], name="case_department_status"),
            # Finished cases by when they finished (the 好差评 reminder, statistics).
            models.Index(fields=["status", "completed_at"], name="case_status_completed"),
            # Statistics: the refresh reads what changed since its last run, then recomputes
            # one month of the changed implementations by submission and by end.
            models.Index(fields=["updated_at"], name="case_updated"),
            models.Index(fields=["implementation", "submitted_at"], name="case_impl_submitted"),
            models.Index(fields=["implementation", "completed_at"], name="case_impl_completed"),
        ]
        permissions = [("view_all_cases", "可查看全部办件（监察）")]

    def __str__(self):
        return self.number or f"草稿 {self.pk}"

    def set_applicant_id_number(self, value):
        value = (value or "").strip().upper()
        self.applicant_id_number_encrypted = (
            crypto.encrypt(value, context=ID_NUMBER_CONTEXT) if value else ""
        )
        self.applicant_id_number_masked = mask_id_number(value) if value else ""

    def applicant_id_number(self):
        if not self.applicant_id_number_encrypted:
            return ""
        return crypto.decrypt(self.applicant_id_number_encrypted, context=ID_NUMBER_CONTEXT)

    @property
    def masked_mobile(self):
        return mask_mobile(self.applicant_mobile)

    @property
    def is_open(self):
        from .constants import OPEN_STATUSES

        return self.status in OPEN_STATUSES


class CaseMaterial(models.Model):
    """An uploaded file for one of the guide's materials (or an extra one). A correction
    round supersedes files instead of deleting them."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    # The guide's material at the time; the name is kept because revisions renumber rows.
    material = models.ForeignKey(
        "catalog.Material", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    material_name = models.CharField("材料名称", max_length=300)
    file = models.FileField("文件", storage=private_storage, upload_to="cases/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型（按内容识别）", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    scan_status = models.CharField(
        "安全扫描", max_length=20, choices=ScanStatus.choices, default=ScanStatus.PENDING
    )
    scan_detail = models.CharField("扫描结果", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    correction_round = models.PositiveSmallIntegerField("补正轮次", default=0)
    superseded = models.BooleanField("已被替换", default=False)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["case", "material_name", "uploaded_at"]

    def __str__(self):
        return f"{self.material_name}：{self.original_name}"


class CaseTask(models.Model):
    """A user task of the case's process that is (or was) waiting for a department: the
    hall's mirror of a READY SpiffWorkflow user task, so queues are plain indexed queries."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    spiff_task_id = models.CharField(max_length=36)
    bpmn_id = models.CharField("流程节点", max_length=100)
    step = models.CharField("环节", max_length=20, choices=Step.choices)
    name = models.CharField("任务名称", max_length=100)
    department = models.ForeignKey(
        "orgs.Department", verbose_name="办理部门", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("岗位", max_length=20)
    state = models.CharField(
        "状态", max_length=20, choices=TaskState.choices, default=TaskState.OPEN, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hall_tasks",
    )
    created_at = models.DateTimeField("到达时间", auto_now_add=True)
    claimed_at = models.DateTimeField("签收时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField("办理结果", max_length=20, blank=True)
    opinion = models.TextField("办理意见", blank=True)

    class Meta:
        verbose_name = "办件任务"
        verbose_name_plural = "办件任务"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["department", "role", "state"], name="task_queue"),
            models.Index(fields=["case", "state"], name="task_case_state"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "spiff_task_id"], name="task_case_spiff_unique")
        ]

    def __str__(self):
        return f"{self.case} {self.name}"


class Clock(models.Model):
    """A working-day clock of a case (``task`` empty) or of one step. ``due_date`` is
    derived: the start day plus the limit, extension and paused working days
    (``clocks.recompute``), so a calendar change recomputes it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    task = models.ForeignKey(
        CaseTask, null=True, blank=True, on_delete=models.CASCADE, related_name="clocks"
    )
    kind = models.CharField("时限类型", max_length=20, choices=ClockKind.choices)
    label = models.CharField("计时对象", max_length=100)
    start_date = models.DateField("起算日")
    limit_days = models.PositiveIntegerField("时限（工作日）")
    extension_days = models.PositiveIntegerField("延长（工作日）", default=0)
    paused_days = models.PositiveIntegerField("暂停（工作日，已结束的暂停）", default=0)
    paused_since = models.DateField("暂停自", null=True, blank=True)
    pause_reason = models.CharField(max_length=20, choices=PauseReason.choices, blank=True)
    due_date = models.DateField("截止日", db_index=True)
    due_is_provisional = models.BooleanField("截止日按暂定日历", default=False)
    stopped_on = models.DateField("停止计时日", null=True, blank=True)
    calendar_version = models.PositiveIntegerField(default=0, editable=False)
    # Set on every write, bulk ones included (``clocks``): supervision reads the clocks
    # changed since its last run by this index instead of scanning every running clock.
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    class Meta:
        verbose_name = "时限"
        verbose_name_plural = "时限"
        ordering = ["case", "task", "kind"]
        indexes = [models.Index(fields=["stopped_on", "due_date"], name="clock_running_due")]

    def __str__(self):
        return f"{self.label} {self.get_kind_display()} 截止 {self.due_date}"

    @property
    def running(self):
        return self.stopped_on is None


class ClockPause(models.Model):
    """A stop of a clock: a correction, a special procedure, an approved extension."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField("原因", max_length=20, choices=PauseReason.choices)
    start_date = models.DateField("开始")
    end_date = models.DateField("结束", null=True, blank=True)

    class Meta:
        verbose_name = "计时暂停"
        verbose_name_plural = "计时暂停"
        ordering = ["clock", "start_date", "pk"]

    def __str__(self):
        return f"{self.get_reason_display()} {self.start_date}–{self.end_date or ''}"


class CorrectionRequest(models.Model):
    """A one-time correction notice (一次性告知): everything missing, listed at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    round = models.PositiveSmallIntegerField("轮次")
    # [{"material": name, "reason": str}, ...] and a free note.
    items = models.JSONField("补正内容", default=list)
    note = models.TextField("说明", blank=True)
    requested_at = models.DateTimeField("告知时间", auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resubmitted_at = models.DateTimeField("补正提交时间", null=True, blank=True)

    class Meta:
        verbose_name = "补正告知"
        verbose_name_plural = "补正告知"
        ordering = ["case", "round"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="correction_case_round_unique")
        ]

    def __str__(self):
        return f"{self.case} 第 {self.round} 次补正"


class CaseDocument(models.Model):
    """A document of the case: a generated notice (PDF) or a staff attachment."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("类型", max_length=30, choices=DocumentKind.choices)
    title = models.CharField("标题", max_length=200)
    file = models.FileField("文件", storage=private_storage, upload_to="notices/%Y/%m/")
    content_type = models.CharField(max_length=100, default="application/pdf")
    visible_to_applicant = models.BooleanField("申请人可见", default=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "办件文书"
        verbose_name_plural = "办件文书"
        ordering = ["case", "created_at", "pk"]

    def __str__(self):
        return self.title


class CaseEvent(models.Model):
    """The case's timeline. Every transition writes one in its transaction."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=30, choices=EventKind.choices)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField("办理人", max_length=200, blank=True)
    department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task = models.ForeignKey(
        CaseTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    text = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)
    visible_to_applicant = models.BooleanField("申请人可见", default=True)

    class Meta:
        verbose_name = "办件记录"
        verbose_name_plural = "办件记录"
        ordering = ["case", "at", "pk"]

    def __str__(self):
        return f"{self.case} {self.get_kind_display()}"


# Queries the workbench runs constantly.
OPEN_TASKS = Q(state__in=(TaskState.OPEN, TaskState.CLAIMED))
