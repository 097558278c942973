"""Dates in Chinese listing pages, and which pages are columns (栏目) of which kind.

The crawler only reports each column with the dates its listing shows; whether it is stale or
empty is judged by the caller (``yiwang.monitoring.constants`` holds the thresholds).
"""

import datetime
import re
from zoneinfo import ZoneInfo

from yiwang.monitoring.results import ColumnKind

_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN = "〇○零一二三四五六七八九"
# The dates of Chinese government sites are Beijing time.
BEIJING = ZoneInfo("Asia/Shanghai")


def today_in_beijing():
    return datetime.datetime.now(BEIJING).date()


# Left and right edges: a date is not part of a longer number (phone numbers, codes, versions,
# IP addresses), so no digit or date separator followed by a digit may touch it.
_L = r"(?<![\d.\-/／])"
_R = r"(?!\d|[.\-/／]\d)"
_DATE_RE = re.compile(
    # 2026-11-30, 2026/11/30, 2026.11.30 (also with a time after it: 2026-11-30 08:00)
    rf"{_L}(?P<y>(?:19|20)\d\d)(?P<sep>[-/.／])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}}){_R}"
    # 2026年11月30日, 2026 年 11 月 30 日
    r"|(?<!\d)(?P<cy>(?:19|20)\d\d)\s*年\s*(?P<cm>\d{1,2})\s*月\s*(?P<cd>\d{1,2})\s*[日号]"
    # 二〇二六年十一月三十日 (成文日期 of official documents)
    rf"|(?P<ny>[{_CN}]{{4}})年(?P<nm>[十{_CN}]{{1,2}})月(?P<nd>[十{_CN}]{{1,3}})日"
    # year implied: 11-30, 11/30, [11-30] (not 11.30: that is a number)
    rf"|{_L}(?P<im>\d{{1,2}})(?P<isep>[-/])(?P<id>\d{{1,2}}){_R}"
    # year implied: 11月30日
    r"|(?<![\d年])(?P<jm>\d{1,2})\s*月\s*(?P<jd>\d{1,2})\s*[日号]"
)


# What every date above holds somewhere: a cheap test before the full expression.
_MAYBE_DATE = re.compile(r"\d\s*[-/.／年月]\s*\d|[〇○零]")


def _cn_number(text):
    """二〇二六 → 2026 (digit by digit); 十一 → 11, 三十 → 30, 二十一 → 21."""
    if "十" not in text:
        value = 0
        for char in text:
            value = value * 10 + _CN_DIGITS[char]
        return value
    tens, _, ones = text.partition("十")
    if "十" in ones:
        raise ValueError(text)
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _make(year, month, day):
    if not 1990 <= year <= 2099:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _implied(month, day, today):
    """A month and day without a year: this year's, or last year's when that would be in the
    future (a listing shows what was published, not what will be)."""
    if today is None:
        today = today_in_beijing()
    value = _make(today.year, month, day)
    if value is None:
        # 02-29 of a year without one: the latest year that had it.
        for year in range(today.year - 1, today.year - 8, -1):
            value = _make(year, month, day)
            if value is not None and value <= today:
                return value
        return None
    if value > today:
        value = _make(today.year - 1, month, day)
    return value


def find_dates(text, today=None, *, implied=True):
    """Every date in ``text``, in order. ``implied``: also month-day forms (``11-30``,
    ``11月30日``) with the year taken from ``today`` (default: the real today)."""
    out = []
    if not text or not _MAYBE_DATE.search(text):
        return out
    for match in _DATE_RE.finditer(text):
        group = match.group
        value = None
        if group("y"):
            value = _make(int(group("y")), int(group("m")), int(group("d")))
        elif group("cy"):
            value = _make(int(group("cy")), int(group("cm")), int(group("cd")))
        elif group("ny"):
            try:
                value = _make(
                    _cn_number(group("ny")), _cn_number(group("nm")), _cn_number(group("nd"))
                )
            except (KeyError, ValueError):
                value = None
        elif implied and group("im"):
            value = _implied(int(group("im")), int(group("id")), today)
        elif implied and group("jm"):
            value = _implied(int(group("jm")), int(group("jd")), today)
        if value is not None:
            out.append(value)
    return out


def parse_date(text, today=None, *, implied=True):
    """The first date in ``text``, or None (see ``find_dates``)."""
    dates = find_dates(text, today, implied=implied)
    return dates[0] if dates else None


# The ColumnType meta tag's values (yiwang.portal.constants.ColumnType labels, which follow the
# national page-design rules) and what they mean here. Pages of the kinds in NOT_COLUMNS are
# sections, not columns of dated items.
COLUMN_TYPES = {
    "工作动态": ColumnKind.NEWS,
    "通知公告": ColumnKind.NOTICE,
    "政策文件": ColumnKind.POLICY,
    "政策解读": ColumnKind.OTHER,
    "政府信息公开": ColumnKind.OTHER,
    "专题专栏": ColumnKind.OTHER,
    "领导之窗": ColumnKind.OTHER,
    "其他": ColumnKind.OTHER,
}
NOT_COLUMNS = frozenset({"首页", "频道", "子站", "办事服务", "互动交流"})

# By name, first match wins (解读 before 政策: 政策解读 is not a policy-document column).
_NAME_RULES = (
    (("解读",), ColumnKind.OTHER),
    (("通知", "公告", "公示"), ColumnKind.NOTICE),
    (("政策", "文件", "法规", "规章"), ColumnKind.POLICY),
    (("动态", "要闻", "新闻", "资讯", "快讯"), ColumnKind.NEWS),
)
_EMPTY_WORDS = ("暂无", "没有相关", "无信息", "无内容", "无数据")
_TITLE_SPLIT = re.compile(r"\s*(?:[-_|—–·｜]|&gt;|>)\s*")


def kind_by_name(name):
    for words, kind in _NAME_RULES:
        if any(word in name for word in words):
            return kind
    return ColumnKind.OTHER


def _name_kind(name):
    for words, _kind in _NAME_RULES:
        if any(word in name for word in words):
            return True
    return False


def page_name(meta, h1, title):
    """A page's column name: its ColumnName meta tag, else its heading, else the first part of
    its <title> ("工作动态 - 某县人民政府" → "工作动态")."""
    name = (meta.get("columnname") or "").strip()
    if name:
        return name
    if h1 and h1.strip():
        return h1.strip()
    parts = [p for p in _TITLE_SPLIT.split(title or "") if p.strip()]
    return parts[0].strip() if parts else ""


def may_be_column(meta):
    """Whether a page with these meta tags can be a column's listing (articles, sections and
    home pages are not: their list items need not be read)."""
    if (meta.get("articletitle") or "").strip():
        return False
    column_type = (meta.get("columntype") or "").strip()
    if column_type:
        return column_type not in NOT_COLUMNS
    return not (meta.get("pubdate") or "").strip()


def column_of(meta, h1, title, dates, text, *, is_home=False):
    """``(name, kind)`` when the page is a column's listing, else None.

    - With the ColumnType meta tag: a column when its value is a column type (not 首页, 频道,
      子站, 办事服务, 互动交流) and the page is not an article (no ArticleTitle); the kind from
      the value (工作动态 → news, 通知公告 → notice, 政策文件 → policy, other known values →
      other; an unknown value by its wording, then by the column's name).
    - Without it (sites that do not follow the national page rules): a page that is not an
      article (no ArticleTitle or PubDate) and lists two or more dated links; or an empty
      listing: a short name that reads like a column (通知公告, 政策文件...) whose text says
      there is nothing (暂无信息...). The kind from the name.
    """
    if is_home:
        return None
    name = page_name(meta, h1, title)
    article = bool((meta.get("articletitle") or "").strip())
    column_type = (meta.get("columntype") or "").strip()
    if column_type:
        if column_type in NOT_COLUMNS or article:
            return None
        kind = COLUMN_TYPES.get(column_type)
        if kind is None:
            kind = kind_by_name(column_type) if _name_kind(column_type) else kind_by_name(name)
        return (name or column_type, kind)
    if article or (meta.get("pubdate") or "").strip() or not name:
        return None
    if len(dates) >= 2:
        return (name, kind_by_name(name))
    if not dates and len(name) <= 10 and _name_kind(name) and any(w in text for w in _EMPTY_WORDS):
        return (name, kind_by_name(name))
    return None


_INDEX_RE = re.compile(r"(?:index|default|list)(?:_\d+)?\.(?:s?html?|jsp|php|aspx?)$", re.I)


def column_key(url, name):
    """Listing pages of one column share a key: its pages (?page=2, index_1.html) are one
    column."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = _INDEX_RE.sub("", parts.path)
    return f"{parts.netloc}{path}|{name}"
