"""Choices and thresholds of website monitoring (docs/monitoring.md says the same to people).

The thresholds are the national website check's (STANDARDS.md, "National website check"):
change them here, and the docs with them.
"""

from django.db import models

from .results import ColumnKind, FindingKind


class RunState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "检查中"
    # Between two slices of a long crawl: ``crawl_state`` holds where to go on.
    PAUSED = "paused", "已暂停（待继续）"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


# A run in one of these states is still going: a site has at most one at a time.
ACTIVE_RUN_STATES = (RunState.QUEUED, RunState.RUNNING, RunState.PAUSED)
FINAL_RUN_STATES = (RunState.DONE, RunState.FAILED, RunState.CANCELLED)

STOPPED_BECAUSE_LABELS = {
    "": "",
    "max_pages": "达到页数上限",
    "max_seconds": "达到时长上限",
    "stopped": "已取消",
}


class WordingCategory(models.TextChoices):
    WRONG = "wrong", "错别字"
    OUTDATED_NAME = "outdated_name", "过时名称"
    SENSITIVE = "sensitive", "敏感或严重错误表述"


class FindingKindChoice(models.TextChoices):
    BROKEN_LINK = FindingKind.BROKEN_LINK, "错链断链"
    WORDING = FindingKind.WORDING, "错敏词"
    SECURITY = FindingKind.SECURITY, "安全防护"
    UNREACHABLE = FindingKind.UNREACHABLE, "无法访问"
    STALE_COLUMN = FindingKind.STALE_COLUMN, "栏目不更新"
    EMPTY_COLUMN = FindingKind.EMPTY_COLUMN, "空白栏目"
    HOME_STALE = FindingKind.HOME_STALE, "首页不更新"
    TAMPERED = FindingKind.TAMPERED, "网页被篡改"
    GUIDE_INCOMPLETE = FindingKind.GUIDE_INCOMPLETE, "办事指南要素缺失"
    UNANSWERED_MESSAGES = FindingKind.UNANSWERED_MESSAGES, "留言超期未答复"
    NO_ONLINE_SERVICE = FindingKind.NO_ONLINE_SERVICE, "无在线办事服务"
    NO_CONSULTATION_CHANNEL = FindingKind.NO_CONSULTATION_CHANNEL, "无互动交流渠道"


class FindingOrigin(models.TextChoices):
    CRAWL = "crawl", "网站抓取"
    FRESHNESS = "freshness", "更新情况判定"
    OWN_DATA = "own_data", "本平台数据"
    TAMPER = "tamper", "防篡改比对"


class ColumnKindChoice(models.TextChoices):
    NEWS = ColumnKind.NEWS, ColumnKind.LABELS[ColumnKind.NEWS]
    NOTICE = ColumnKind.NOTICE, ColumnKind.LABELS[ColumnKind.NOTICE]
    POLICY = ColumnKind.POLICY, ColumnKind.LABELS[ColumnKind.POLICY]
    OTHER = ColumnKind.OTHER, ColumnKind.LABELS[ColumnKind.OTHER]


class AlertKind(models.TextChoices):
    VETO = "veto", "单项否决"
    BROKEN_LINKS = "broken_links", "新增错链断链"
    TAMPERED = "tampered", "网页被篡改"


# Freshness (days since the newest item; older than this is stale).
NEWS_STALE_DAYS = 14  # 动态、要闻类: two weeks
NOTICE_STALE_DAYS = 183  # 通知公告类: six months
POLICY_STALE_DAYS = 183  # 政策文件类: six months
HOME_STALE_DAYS = 14  # the home page: two weeks
# Another column that carries dated items and has not had one for a year is "应更新但长期
# 未更新" (veto rule 4, second clause) too.
LONG_STALE_DAYS = 365
STALE_DAYS = {
    ColumnKind.NEWS: NEWS_STALE_DAYS,
    ColumnKind.NOTICE: NOTICE_STALE_DAYS,
    ColumnKind.POLICY: POLICY_STALE_DAYS,
    ColumnKind.OTHER: LONG_STALE_DAYS,
}
# Kinds that must update (their empty columns count as 空白栏目).
SHOULD_UPDATE_KINDS = (ColumnKind.NEWS, ColumnKind.NOTICE, ColumnKind.POLICY)

# Veto rule 4: news stale + notice/policy stale >= 5; stale columns of any kind >= 10; empty
# columns >= 5.
VETO_STALE_COLUMNS = 5
VETO_LONG_STALE_COLUMNS = 10
VETO_EMPTY_COLUMNS = 5

# Reachability (veto rule 2): 5 % or more of the tries of the last 7 days failed.
AVAILABILITY_DAYS = 7
VETO_FAILED_PERCENT = 5
PROBE_TIMEOUT_SECONDS = 15.0
DEFAULT_TRIES_PER_DAY = 20
MAX_TRIES_PER_DAY = 288  # one every five minutes: the probe job's interval
PROBE_THREADS = 8
PROBE_RETENTION_DAYS = 400

# Interaction (veto rule 5): a valid message submitted within the last year and still
# unanswered more than three months (90 days) after it came in.
UNANSWERED_DAYS = 90
UNANSWERED_WITHIN_DAYS = 365
VETO_UNANSWERED_MESSAGES = 1

# Crawls: a run's budget (MonitoredSite.max_seconds) is spent in slices of at most this many
# seconds each; between slices the run is paused with its crawl state and re-enqueued.
SLICE_SECONDS = 120
# How often a running crawl's progress is written and its cancel flag read (seconds).
PROGRESS_INTERVAL = 1.0
# A run "running" without progress for this long lost its worker (runner.recover_stalled).
STALLED_MINUTES = 30
DEFAULT_MAX_PAGES = 2000
DEFAULT_MAX_SECONDS = 1800
DEFAULT_RATE_PER_SECOND = 5.0
# The daily full check skips a site checked (or being checked) more recently than this.
DAILY_RUN_MIN_HOURS = 20

# Groups (roles.py).
MONITORING_ADMIN_GROUP = "网站监测管理员"
SITE_TEAM_GROUP = "网站主办单位"
