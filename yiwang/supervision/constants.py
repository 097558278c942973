"""Fixed lists of supervision (电子监察): warning levels, clock scopes, event kinds, memo and
anomaly states, anomaly rule codes and their default parameters."""

from django.db import models

# The share of a clock's limit used on the day it turns yellow, unless an administrator set
# another for the region or clock scope (``WarningThreshold``).
DEFAULT_WARN_PERCENT = 80
# Working days a department has to answer a 督办 memo.
DEFAULT_MEMO_ANSWER_DAYS = 3


class Level(models.IntegerChoices):
    """A watched clock's warning level; larger is worse (lists sort red first)."""

    NONE = 0, "正常"
    YELLOW = 1, "黄牌（预警）"
    RED = 2, "红牌（超期）"


LEVEL_SHORT = {Level.NONE: "正常", Level.YELLOW: "黄牌", Level.RED: "红牌"}


class ClockScope(models.TextChoices):
    """What a clock times: one step (a task's clock) or the whole case."""

    STEP = "step", "环节时限"
    CASE = "case", "办件时限"


class WarningEventKind(models.TextChoices):
    RAISED_YELLOW = "raised_yellow", "亮黄牌"
    RAISED_RED = "raised_red", "亮红牌"
    CLEARED = "cleared", "解除预警"
    LOWERED = "lowered", "红牌降为黄牌"


class MemoStatus(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"


class AnomalyStatus(models.TextChoices):
    OPEN = "open", "待核查"
    CONFIRMED = "confirmed", "确认异常"
    DISMISSED = "dismissed", "排除（正常）"


class RuleCode(models.TextChoices):
    CORRECTIONS = "corrections", "多次退回补正"
    FAST_STEP = "fast_step", "环节办理用时过短"
    REFUSAL_WITHOUT_BASIS = "refusal_without_basis", "不予受理未说明法律依据"


# code → (description, default parameters, {parameter: (label, minimum, maximum)})
RULES = {
    RuleCode.CORRECTIONS: (
        "同一办件被一次性告知补正的次数超过 N 次（一次性告知应当一次告全）。",
        {"max_rounds": 2},
        {"max_rounds": ("允许的最多补正次数 N", 0, 20)},
    ),
    RuleCode.FAST_STEP: (
        "一个办理环节从到达到办结的用时不足 N 分钟（可能未经实质审查）。",
        {"min_minutes": 2},
        {"min_minutes": ("最短合理用时（分钟）N", 0, 1440)},
    ),
    RuleCode.REFUSAL_WITHOUT_BASIS: (
        "不予受理的理由少于 N 个字，或未引用法律、法规、规章（法、条例、规定、办法、第…条）。",
        {"min_length": 15},
        {"min_length": ("理由的最少字数 N", 0, 500)},
    ),
}
