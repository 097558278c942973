"""Fixed lists of 政民互动 (STANDARDS.md "12345 hotline and messages"): message kinds,
channels, urgency, states, error types, the staff groups."""

from django.db import models


class Kind(models.TextChoices):
    MAILBOX = "mailbox", "领导信箱"
    CONSULTATION = "consultation", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"
    ERROR_REPORT = "error_report", "网站找错"


# The kinds a 12345 operator records (GB/T 33358 categories).
HOTLINE_KINDS = (
    Kind.CONSULTATION,
    Kind.HELP,
    Kind.COMPLAINT,
    Kind.REPORT,
    Kind.SUGGESTION,
    Kind.PRAISE,
)


class Channel(models.TextChoices):
    WEB = "web", "网站"
    HOTLINE = "hotline", "12345热线"
    API = "api", "接口"
    IMPORT = "import", "历史导入"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class Unit(models.TextChoices):
    WORKING_DAYS = "working_days", "工作日"
    WORKING_HOURS = "working_hours", "工作小时"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "待分办"
    DISPATCHED = "dispatched", "已交办"
    HANDLING = "handling", "办理中"
    REVIEWING = "reviewing", "答复待审核"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"
    INVALID = "invalid", "无效留言"


# Still owed an answer: the clock runs and supervision watches.
OPEN_STATUSES = (Status.SUBMITTED, Status.DISPATCHED, Status.HANDLING, Status.REVIEWING)
# At a department (not waiting for the dispatcher).
AT_DEPARTMENT = (Status.DISPATCHED, Status.HANDLING, Status.REVIEWING)
ANSWERED_STATUSES = (Status.REPLIED, Status.CLOSED)


class ErrorType(models.TextChoices):
    WORDING = "wording", "错别字或表述错误"
    BROKEN_LINK = "broken_link", "链接错误（打不开或指向错误）"
    OUTDATED = "outdated", "内容过期未更新"
    NOT_OPENING = "not_opening", "页面无法打开"
    OTHER = "other", "其他"


class ReplyState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "退回修改"
    SENT = "sent", "已答复"
    WITHDRAWN = "withdrawn", "已作废（已转办或退回）"


class ExtensionState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "不同意"


class Satisfaction(models.IntegerChoices):
    SATISFIED = 3, "满意"
    BASICALLY_SATISFIED = 2, "基本满意"
    DISSATISFIED = 1, "不满意"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", "提交"
    ROUTED = "routed", "系统建议承办部门"
    DISPATCHED = "dispatched", "交办"
    TRANSFERRED = "transferred", "转办"
    RETURNED = "returned", "退回分办"
    ASSIGNED = "assigned", "指派承办人"
    EXTENSION_REQUESTED = "extension_requested", "申请延期"
    EXTENSION_DECIDED = "extension_decided", "延期审批"
    REPLY_DRAFTED = "reply_drafted", "起草答复"
    REPLY_SUBMITTED = "reply_submitted", "答复送审"
    REPLY_RETURNED = "reply_returned", "答复退回修改"
    REPLIED = "replied", "答复"
    RATED = "rated", "评价"
    REOPENED = "reopened", "重新办理"
    CLOSED = "closed", "办结"
    INVALIDATED = "invalidated", "判定无效"
    PUBLISHED = "published", "公开"
    UNPUBLISHED = "unpublished", "撤销公开"
    WARNED = "warned", "即将到期预警"
    OVERDUE = "overdue", "超期"
    REMINDED = "reminded", "催办"
    ESCALATED = "escalated", "督办"
    FOLLOWED_UP = "followed_up", "回访"
    COMMENTED = "commented", "备注"


# Events the writer sees on the follow-up page (the rest is internal).
WRITER_EVENTS = (
    EventKind.SUBMITTED,
    EventKind.DISPATCHED,
    EventKind.TRANSFERRED,
    EventKind.REPLIED,
    EventKind.RATED,
    EventKind.REOPENED,
    EventKind.CLOSED,
    EventKind.INVALIDATED,
)


class InteractionRole(models.TextChoices):
    """Staff groups (created by migration ``0002_groups``). Region roles act for
    ``user.department.region`` and the regions below it; department roles for
    ``user.department``."""

    OPERATOR = "operator", "12345话务员"
    DISPATCHER = "dispatcher", "互动分办员"
    SUPERVISOR = "supervisor", "互动督办员"
    COORDINATOR = "coordinator", "互动部门联络员"
    HANDLER = "handler", "互动承办员"
    REVIEWER = "reviewer", "互动审核员"


REGION_ROLES = (InteractionRole.OPERATOR, InteractionRole.DISPATCHER, InteractionRole.SUPERVISOR)
DEPARTMENT_ROLES = (
    InteractionRole.COORDINATOR,
    InteractionRole.HANDLER,
    InteractionRole.REVIEWER,
)

# Default deadlines (kind, urgency) -> (amount, unit), seeded by migration 0002 and edited
# in the admin afterwards. STANDARDS.md: consultation/help <= 3 working days;
# complaint/report/suggestion <= 13; error reports one working day; urgent the same day
# (4 working hours).
DEFAULT_DEADLINES = {
    Kind.MAILBOX: (15, Unit.WORKING_DAYS),
    Kind.CONSULTATION: (3, Unit.WORKING_DAYS),
    Kind.HELP: (3, Unit.WORKING_DAYS),
    Kind.COMPLAINT: (13, Unit.WORKING_DAYS),
    Kind.REPORT: (13, Unit.WORKING_DAYS),
    Kind.SUGGESTION: (13, Unit.WORKING_DAYS),
    Kind.PRAISE: (5, Unit.WORKING_DAYS),
    Kind.ERROR_REPORT: (1, Unit.WORKING_DAYS),
}
URGENT_DEADLINE = (4, Unit.WORKING_HOURS)

# Office hours on a working day, for deadlines in working hours (Asia/Shanghai).
OFFICE_HOURS = ((9, 0, 12, 0), (13, 30, 17, 30))

# The writer may reopen a replied message once, within this many days of the reply.
REOPEN_DAYS = 30
# A replied message the writer does not rate or reopen closes itself after this many days.
AUTO_CLOSE_DAYS = 15
# Overdue this many working days: escalated (督办) to the region's supervisors.
ESCALATE_AFTER_DAYS = 3
# The national check fails a site with valid messages unanswered over three months; every
# open message this old is flagged on every back-office page of its region.
LONG_UNANSWERED_DAYS = 60
NATIONAL_LIMIT_DAYS = 90

MAX_TITLE = 100
MAX_BODY = 5000
MAX_REPLY = 10000
