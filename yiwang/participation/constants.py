"""Fixed lists of 公众参与 (意见征集、在线访谈、网上调查), with the Chinese labels users see."""

from django.db import models

# Longest text a citizen may send in one comment, question or free answer.
MAX_COMMENT_LENGTH = 2000
MAX_QUESTION_LENGTH = 500
MAX_FREE_ANSWER_LENGTH = 1000
MAX_REASON_LENGTH = 500
MAX_ANSWER_LENGTH = 5000
# One person's comments on one consultation (a flood of copies is not participation).
MAX_COMMENTS_PER_PERSON = 30
MAX_QUESTIONS_PER_PERSON = 10

# The live interview page asks for new answers this often (seconds), and the feed hands out
# at most this many entries per request (the script asks again at once when it got a full
# batch).
FEED_POLL_SECONDS = 5
FEED_BATCH = 100

ANONYMOUS_NAME = "匿名网友"
HOST_NAME = "主持人"


class Phase(models.TextChoices):
    """Where a consultation, an interview or a survey stands, from its times."""

    # 未开始 / 预告: published, not yet open.
    UPCOMING = "upcoming", "未开始"
    # 征集中 / 直播中 / 进行中.
    OPEN = "open", "进行中"
    # 已结束 (a consultation with its feedback published is 已反馈, see ``PHASE_LABELS``).
    CLOSED = "closed", "已结束"


# The label of each phase per kind of page, as the lists and pages show it.
PHASE_LABELS = {
    "consultation": {Phase.UPCOMING: "未开始", Phase.OPEN: "征集中", Phase.CLOSED: "已结束"},
    "interview": {Phase.UPCOMING: "预告", Phase.OPEN: "直播中", Phase.CLOSED: "已结束"},
    "survey": {Phase.UPCOMING: "未开始", Phase.OPEN: "进行中", Phase.CLOSED: "已结束"},
}
FEEDBACK_PUBLISHED_LABEL = "已反馈"


class ModerationStatus(models.TextChoices):
    """Comments and questions are public only once approved."""

    PENDING = "pending", "待审核"
    APPROVED = "approved", "已公开"
    REJECTED = "rejected", "未通过"


class Adoption(models.TextChoices):
    """What became of a comment (采纳情况), published with the feedback report."""

    ADOPTED = "adopted", "采纳"
    PARTLY = "partly", "部分采纳"
    NOT_ADOPTED = "not_adopted", "未采纳"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选题"
    MULTIPLE = "multiple", "多选题"
    TEXT = "text", "问答题"


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
