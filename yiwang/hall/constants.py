"""Fixed lists of the online service hall: case statuses, steps, roles, event kinds."""

from django.db import models


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交，待受理"
    CORRECTION = "correction", "待补正"
    ACCEPTED = "accepted", "已受理，审查中"
    SPECIAL = "special", "特别程序中"
    DECIDED = "decided", "已决定，待送达"
    COMPLETED = "completed", "已办结"
    REFUSED = "refused", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"


# Statuses of a case that is still running (its clocks tick, it can be withdrawn before a
# decision, staff work on it).
OPEN_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.CORRECTION,
    CaseStatus.ACCEPTED,
    CaseStatus.SPECIAL,
    CaseStatus.DECIDED,
)
# Before a decision the applicant may withdraw.
WITHDRAWABLE_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.CORRECTION,
    CaseStatus.ACCEPTED,
    CaseStatus.SPECIAL,
)
FINAL_STATUSES = (CaseStatus.COMPLETED, CaseStatus.REFUSED, CaseStatus.WITHDRAWN)


class Decision(models.TextChoices):
    NONE = "", "（未决定）"
    APPROVED = "approved", "准予"
    DENIED = "denied", "不予"


class Channel(models.TextChoices):
    ONLINE = "online", "网上申请"
    COUNTER = "counter", "窗口申请"


class Step(models.TextChoices):
    """The kind of a BPMN user task. A user task's id is the step, optionally followed by
    ``_`` and anything (``review_fire``): that is how the hall knows what a task in an
    uploaded BPMN is for."""

    HANDLE = "handle", "即时办理"  # on-the-spot: accept and decide at once
    ACCEPT = "accept", "受理"
    REVIEW = "review", "审查"
    SPECIAL = "special", "特别程序"
    DECIDE = "decide", "决定"
    DELIVER = "deliver", "送达"


class HallRole(models.TextChoices):
    """Staff roles of the hall, each a Django group (``roles.py``); a staff member acts for
    the department of their account (``User.department``)."""

    ACCEPTOR = "acceptor", "窗口受理人员"
    REVIEWER = "reviewer", "审查人员"
    DECIDER = "decider", "审批决定人员"
    SUPERVISOR = "supervisor", "部门监察人员"
    ADMINISTRATOR = "administrator", "办件配置管理员"


# Which role works on which step.
STEP_ROLE = {
    Step.HANDLE: HallRole.ACCEPTOR,
    Step.ACCEPT: HallRole.ACCEPTOR,
    Step.REVIEW: HallRole.REVIEWER,
    Step.SPECIAL: HallRole.REVIEWER,
    Step.DECIDE: HallRole.DECIDER,
    Step.DELIVER: HallRole.ACCEPTOR,
}


class TaskState(models.TextChoices):
    OPEN = "open", "待办"
    CLAIMED = "claimed", "办理中"
    DONE = "done", "已办"
    CANCELLED = "cancelled", "已取消"


ACTIVE_TASK_STATES = (TaskState.OPEN, TaskState.CLAIMED)


class ReviewOpinion(models.TextChoices):
    AGREE = "agree", "同意"
    DISAGREE = "disagree", "不同意"


class EventKind(models.TextChoices):
    DRAFT_SAVED = "draft_saved", "保存草稿"
    SUBMITTED = "submitted", "提交申请"
    COUNTER_CREATED = "counter_created", "窗口收件"
    ACCEPTED = "accepted", "受理"
    CORRECTION_REQUESTED = "correction_requested", "一次性告知补正"
    RESUBMITTED = "resubmitted", "补正材料已提交"
    REFUSED = "refused", "不予受理"
    REVIEWED = "reviewed", "审查意见"
    SPECIAL_STARTED = "special_started", "特别程序开始"
    SPECIAL_FINISHED = "special_finished", "特别程序结束"
    EXTENDED = "extended", "延长办理时限"
    DECIDED = "decided", "作出决定"
    DELIVERED = "delivered", "送达"
    COMPLETED = "completed", "办结"
    WITHDRAWN = "withdrawn", "撤回申请"
    CLAIMED = "claimed", "签收任务"
    RELEASED = "released", "退回任务"
    COMMENTED = "commented", "备注"
    ATTACHED = "attached", "上传附件"
    NOTIFIED = "notified", "通知申请人"


class ClockKind(models.TextChoices):
    STATUTORY = "statutory", "法定时限"
    PROMISED = "promised", "承诺时限"


class PauseReason(models.TextChoices):
    CORRECTION = "correction", "补正"
    SPECIAL = "special", "特别程序"
    EXTENSION = "extension", "延期"


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", "申请回执"
    ACCEPTANCE_NOTICE = "acceptance_notice", "受理通知书"
    CORRECTION_NOTICE = "correction_notice", "补正材料通知书"
    REFUSAL_NOTICE = "refusal_notice", "不予受理通知书"
    DECISION = "decision", "决定书"
    ATTACHMENT = "attachment", "附件"


class ScanStatus(models.TextChoices):
    PENDING = "pending", "待扫描"
    CLEAN = "clean", "安全"
    INFECTED = "infected", "发现恶意代码"
    SKIPPED = "skipped", "未配置扫描"
    ERROR = "error", "扫描失败"


class ProcessTemplate(models.TextChoices):
    ON_THE_SPOT = "on_the_spot", "即办件"
    STANDARD = "standard", "承诺件（受理→审查→决定→送达）"
    JOINT = "joint", "并联审批（牵头受理→配合部门并行审查→牵头决定）"
    SPECIAL = "special", "含特别程序（检验检测、专家评审等，不计时）"
    CUSTOM = "custom", "自定义 BPMN"
