"""Fixed lists of 好差评 (State Council 2019 No. 51; STANDARDS.md "好差评"): levels, channels,
indicators, the states of a rectification and of an appeal, the staff groups."""

from django.db import models

from yiwang.hall.constants import CaseStatus


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASICALLY_SATISFIED = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


# 差评: levels 1–2. Each one opens a rectification.
BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
# Counted as satisfied in the published satisfaction rate (满意率): 4 and 5.
SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED)


class RatingChannel(models.TextChoices):
    ONLINE = "online", "网上评价（一事一评）"
    ON_SITE = "on_site", "现场评价（一次一评）"


# The indicators besides the overall level (which is ``Rating.level``), per channel.
ONLINE_INDICATORS = (
    ("efficiency", "办事效率"),
    ("guide_accuracy", "办事指南准确性"),
    ("convenience", "办事便捷程度"),
    ("platform_usability", "平台易用性"),
)
ON_SITE_INDICATORS = (
    ("efficiency", "办事效率"),
    ("service_level", "服务水平"),
    ("attitude", "服务态度"),
)
INDICATORS = {RatingChannel.ONLINE: ONLINE_INDICATORS, RatingChannel.ON_SITE: ON_SITE_INDICATORS}
INDICATOR_LABELS = dict(ONLINE_INDICATORS) | dict(ON_SITE_INDICATORS)

# A case may be rated once it is final with a result; a refusal (不予受理) is a service too.
# A withdrawn case is not rated.
RATABLE_STATUSES = (CaseStatus.COMPLETED, CaseStatus.REFUSED)


class RectificationState(models.TextChoices):
    OPEN = "open", "待回访"
    FOLLOWED_UP = "followed_up", "已回访，整改中"
    RECTIFIED = "rectified", "已整改，待申请人确认"
    EXPLAINED = "explained", "已说明，待申请人确认"
    ESCALATED = "escalated", "已提交复核"
    CLOSED = "closed", "已办结"
    APPEAL_UPHELD = "appeal_upheld", "申诉成立"


# The department still owes work: the deadline applies.
WORKING_STATES = (RectificationState.OPEN, RectificationState.FOLLOWED_UP)
# Waiting for the applicant's answer.
AWAITING_CONFIRMATION = (RectificationState.RECTIFIED, RectificationState.EXPLAINED)
FINISHED_STATES = (RectificationState.CLOSED, RectificationState.APPEAL_UPHELD)


class ClosedHow(models.TextChoices):
    NONE = "", "（未办结）"
    APPLICANT_ONLINE = "applicant_online", "申请人在线确认满意"
    STAFF_RECORDED = "staff_recorded", "回访确认满意（工作人员记录）"
    REVIEWER = "reviewer", "复核人员办结"
    APPEAL_UPHELD = "appeal_upheld", "申诉成立"


class EscalationReason(models.TextChoices):
    NONE = "", "（未升级）"
    OVERDUE = "overdue", "超过整改期限"
    NOT_SATISFIED = "not_satisfied", "申请人不满意整改结果"


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", "电话回访"
    VISIT = "visit", "上门回访"
    SMS = "sms", "短信回访"
    ONLINE = "online", "网上回访"
    COUNTER = "counter", "窗口面谈"


class AppealKind(models.TextChoices):
    WRONG = "wrong", "错评（评价对象错误或误操作）"
    MALICIOUS = "malicious", "恶意评价"


class AppealState(models.TextChoices):
    PENDING = "pending", "待复核"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "申诉不成立"


class InvitationState(models.TextChoices):
    WAITING = "waiting", "等待评价"
    RATED = "rated", "已评价"
    CANCELLED = "cancelled", "已取消"


# Groups (created by migration 0002_groups).
MANAGER_GROUP = "好差评管理员"
REVIEWER_GROUP = "好差评复核人员"

DEFAULT_RECTIFICATION_DAYS = 5
MIN_RECTIFICATION_DAYS = 5
MAX_RECTIFICATION_DAYS = 15
