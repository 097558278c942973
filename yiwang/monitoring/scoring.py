"""The national website check's verdict on one run, as pure functions over plain data
(``results.Finding``, ``results.Column``): no database, easy to test exactly.

``judge_freshness`` turns the columns and the home page's newest date into ``stale_column``,
``empty_column`` and ``home_stale`` findings; ``score`` turns every finding of a run and the
week's reachability into veto rules 1–6 (STANDARDS.md) each passed or failed with evidence,
deductions, a score (100 − deductions, floor 0) and passed (no veto failed).
docs/monitoring.md lists the same rules and points.
"""

from dataclasses import dataclass, field

from .constants import (
    AVAILABILITY_DAYS,
    HOME_STALE_DAYS,
    SHOULD_UPDATE_KINDS,
    STALE_DAYS,
    VETO_EMPTY_COLUMNS,
    VETO_FAILED_PERCENT,
    VETO_LONG_STALE_COLUMNS,
    VETO_STALE_COLUMNS,
    VETO_UNANSWERED_MESSAGES,
)
from .results import ColumnKind, Finding, FindingKind

# Veto 6 (catalog/completeness.py): 4+ of the 10 key elements missing in 5+ items.
VETO_GUIDE_ITEMS = 5

VETO_TITLES = {
    1: "严重问题（严重错误表述、网页被篡改等）",
    2: "站点无法访问",
    3: "首页不更新",
    4: "栏目不更新",
    5: "互动回应差",
    6: "服务不实用",
}

# indicator: (title, maximum points)
INDICATORS = {
    "availability": ("首页可用性", 5),
    "home_broken_links": ("首页链接可用性", 10),
    "other_broken_links": ("其他页面链接可用性", 10),
    "stale_columns": ("栏目更新情况", 10),
    "empty_columns": ("空白栏目", 10),
    "wording": ("错别字和不规范表述", 10),
    "security": ("安全防护", 10),
    "guides": ("办事指南完整性", 10),
}
POINTS_PER_STALE_COLUMN = 2
POINTS_PER_EMPTY_COLUMN = 2
POINTS_PER_INCOMPLETE_GUIDE = 2
OTHER_BROKEN_LINKS_PER_POINT = 5
# Security findings of these categories cost 2 points, others 1; each category counts once.
SERIOUS_SECURITY = frozenset({"https", "exposed_admin", "exposed_debug", "directory_listing"})
SECURITY_LABELS = {
    "https": "未使用 HTTPS",
    "hsts": "未设置 HSTS",
    "csp": "未设置内容安全策略（CSP）",
    "x_content_type_options": "未设置 X-Content-Type-Options",
    "x_frame_options": "未设置防点击劫持（X-Frame-Options）",
    "referrer_policy": "未设置 Referrer-Policy",
    "server_version": "暴露服务器版本",
    "exposed_admin": "后台管理页面对公众开放",
    "exposed_debug": "暴露调试或敏感文件",
    "directory_listing": "开放目录浏览",
    "mixed_content": "HTTPS 页面引用 HTTP 资源",
}
MAX_EVIDENCE = 50


@dataclass
class Availability:
    """Reachability tries of the last ``days`` days: how many, how many failed."""

    total: int = 0
    failed: int = 0
    days: int = AVAILABILITY_DAYS

    @property
    def percent_failed(self):
        return round(self.failed * 100 / self.total, 1) if self.total else 0.0

    @property
    def veto_fails(self):
        """5 % or more of the tries failed (integers: no rounding at the boundary)."""
        return self.total > 0 and self.failed * 100 >= VETO_FAILED_PERCENT * self.total


@dataclass
class Score:
    score: int
    passed: bool
    vetoes: list = field(default_factory=list)
    deductions: list = field(default_factory=list)

    @property
    def failed_rules(self):
        return [veto["rule"] for veto in self.vetoes if not veto["passed"]]


@dataclass
class JudgedColumn:
    column: object  # results.Column
    stale: bool
    empty: bool


def _age(newest, today):
    return (today - newest).days if newest is not None else None


def _date(value):
    return value.isoformat() if value else "无日期"


def judge_freshness(columns, *, home_newest, today, home_url=""):
    """``(judged, findings)``: each column with ``stale`` / ``empty``, and the findings.

    - A news column is stale when its newest item is more than 14 days old, a notice or
      policy column more than 183 days; another column that carries dated items, more than
      365 days ("应更新但长期未更新"). A column of the first three kinds without a dated item
      is empty (空白栏目); other columns are never empty.
    - The home page is stale (veto 3) when its newest dated item is more than 14 days old or
      it has none (undated items count as not updated).
    """
    judged, findings = [], []
    for column in columns:
        kind = column.kind if column.kind in ColumnKind.ALL else ColumnKind.OTHER
        has_items = column.items > 0 and column.newest is not None
        empty = kind in SHOULD_UPDATE_KINDS and not has_items
        age = _age(column.newest, today) if has_items else None
        stale = age is not None and age > STALE_DAYS[kind]
        judged.append(JudgedColumn(column=column, stale=stale, empty=empty))
        if empty:
            findings.append(
                Finding(
                    kind=FindingKind.EMPTY_COLUMN,
                    url=column.url,
                    detail=column.name,
                    category=kind,
                )
            )
        elif stale:
            findings.append(
                Finding(
                    kind=FindingKind.STALE_COLUMN,
                    url=column.url,
                    detail=column.name,
                    category=kind,
                    newest=column.newest,
                    count=age,
                )
            )
    home_age = _age(home_newest, today)
    if home_age is None or home_age > HOME_STALE_DAYS:
        findings.append(
            Finding(
                kind=FindingKind.HOME_STALE,
                url=home_url,
                detail=(
                    f"首页最新信息日期 {home_newest.isoformat()}，已 {home_age} 天未更新"
                    if home_newest
                    else "首页没有带日期的信息"
                ),
                newest=home_newest,
                count=home_age or 0,
            )
        )
    return judged, findings


def _limited(lines):
    lines = list(lines)
    if len(lines) > MAX_EVIDENCE:
        return [*lines[:MAX_EVIDENCE], f"……共 {len(lines)} 项"]
    return lines


def _of(findings, kind):
    return [f for f in findings if f.kind == kind]


def _veto(rule, passed, evidence, *, checked=True):
    return {
        "rule": rule,
        "title": VETO_TITLES[rule],
        "passed": passed,
        "checked": checked,
        "evidence": _limited(evidence),
    }


def _column_line(f):
    label = ColumnKind.LABELS.get(f.category, f.category)
    if f.kind == FindingKind.EMPTY_COLUMN:
        return f"{f.detail or f.url}（{label}，{f.url}）：无信息"
    return f"{f.detail or f.url}（{label}，{f.url}）：最新 {_date(f.newest)}，{f.count} 天未更新"


def is_serious_wording(finding, serious_terms=()):
    return finding.kind == FindingKind.WORDING and (
        finding.category == "sensitive" or finding.target in serious_terms
    )


def _wording_line(f):
    correct = f"，应为“{f.detail}”" if f.detail else ""
    return f"“{f.target}”{correct}：{f.url}（{f.context}）"


def vetoes(findings, *, availability, own_site, serious_terms=()):
    """The six veto rules, each ``{rule, title, passed, checked, evidence}``."""
    out = []

    # 1. Serious problems: serious wording, pages tampered with (until resolved).
    tampered = _of(findings, FindingKind.TAMPERED)
    serious = [f for f in findings if is_serious_wording(f, serious_terms)]
    evidence = [f"网页被篡改：{f.url}（{f.detail}）" for f in tampered]
    evidence += [f"严重错误表述{_wording_line(f)}" for f in serious]
    out.append(_veto(1, not (tampered or serious), evidence))

    # 2. Unreachable: 5 % or more of the week's tries failed.
    unreachable = _of(findings, FindingKind.UNREACHABLE)
    if availability.total:
        evidence = [
            f"近 {availability.days} 天检测 {availability.total} 次，失败 {availability.failed}"
            f" 次（{availability.percent_failed}%），否决线 {VETO_FAILED_PERCENT}%"
        ]
        passed = not availability.veto_fails
    else:
        evidence = ["暂无连通性检测记录"]
        passed = not unreachable
    evidence += [f"本次检查首页无法访问：{f.url}（{f.detail or f.status}）" for f in unreachable]
    out.append(_veto(2, passed, evidence))

    # 3. Home page not updated in two weeks.
    home = _of(findings, FindingKind.HOME_STALE)
    out.append(_veto(3, not home, [f.detail for f in home]))

    # 4. Columns: stale news/notice/policy >= 5, stale of any kind >= 10, empty >= 5.
    stale = _of(findings, FindingKind.STALE_COLUMN)
    must = [f for f in stale if f.category in SHOULD_UPDATE_KINDS]
    empty = _of(findings, FindingKind.EMPTY_COLUMN)
    failed = (
        len(must) >= VETO_STALE_COLUMNS
        or len(stale) >= VETO_LONG_STALE_COLUMNS
        or len(empty) >= VETO_EMPTY_COLUMNS
    )
    evidence = [
        f"动态要闻类超过 2 周、通知公告和政策文件类超过 6 个月未更新的栏目 {len(must)} 个"
        f"（{VETO_STALE_COLUMNS} 个及以上否决）",
        f"应更新但未更新的栏目 {len(stale)} 个（{VETO_LONG_STALE_COLUMNS} 个及以上否决）",
        f"空白栏目 {len(empty)} 个（{VETO_EMPTY_COLUMNS} 个及以上否决）",
        *(_column_line(f) for f in stale + empty),
    ]
    out.append(_veto(4, not failed, evidence))

    # 5. Interaction and 6. services: from our own data only.
    if own_site:
        channel = _of(findings, FindingKind.NO_CONSULTATION_CHANNEL)
        unanswered = _of(findings, FindingKind.UNANSWERED_MESSAGES)
        many = [f for f in unanswered if f.count >= VETO_UNANSWERED_MESSAGES]
        evidence = [f.detail or "没有可用的互动交流渠道" for f in channel]
        evidence += [f.detail for f in unanswered]
        out.append(
            _veto(5, not (channel or many), evidence or ["互动交流渠道可用，无超期未答复留言"])
        )
        no_service = _of(findings, FindingKind.NO_ONLINE_SERVICE)
        guides = _of(findings, FindingKind.GUIDE_INCOMPLETE)
        bad_guides = sum(f.count for f in guides)
        evidence = [f.detail for f in no_service] + [f.detail for f in guides]
        out.append(
            _veto(
                6,
                not no_service and bad_guides < VETO_GUIDE_ITEMS,
                evidence or ["提供在线办事服务，办事指南要素完整"],
            )
        )
    else:
        note = "外部网站：本项依据本平台数据检查，未检查"
        out.append(_veto(5, True, [note], checked=False))
        out.append(_veto(6, True, [note], checked=False))
    return out


def _deduction(indicator, points, evidence):
    title, maximum = INDICATORS[indicator]
    return {
        "indicator": indicator,
        "title": title,
        "points": min(points, maximum),
        "evidence": _limited(evidence),
    }


def _broken_line(f):
    answer = f.status if f.status is not None else (f.detail or "无响应")
    return f"{f.url} → {f.target}（{answer}）"


def deductions(findings, *, availability, serious_terms=()):
    """Deduction indicators with points > 0, each ``{indicator, title, points, evidence}``."""
    out = []
    if availability.total and availability.failed and not availability.veto_fails:
        points = availability.failed * 100 // availability.total
        if points:
            out.append(
                _deduction(
                    "availability",
                    points,
                    [
                        f"近 {availability.days} 天首页检测失败 {availability.failed}/"
                        f"{availability.total} 次（{availability.percent_failed}%），每 1% 扣 1 分"
                    ],
                )
            )

    broken = _of(findings, FindingKind.BROKEN_LINK)
    home_targets = {}
    for f in broken:
        if f.on_home:
            home_targets.setdefault(f.target, f)
    if home_targets:
        out.append(
            _deduction(
                "home_broken_links",
                len(home_targets),
                [_broken_line(f) for f in home_targets.values()],
            )
        )
    other_targets = {}
    for f in broken:
        if not f.on_home and f.target not in home_targets:
            other_targets.setdefault(f.target, f)
    if other_targets:
        points = -(-len(other_targets) // OTHER_BROKEN_LINKS_PER_POINT)
        out.append(
            _deduction(
                "other_broken_links",
                points,
                [f"其他页面错链断链 {len(other_targets)} 个，每 5 个扣 1 分"]
                + [_broken_line(f) for f in other_targets.values()],
            )
        )

    stale = _of(findings, FindingKind.STALE_COLUMN)
    if stale:
        out.append(
            _deduction(
                "stale_columns",
                POINTS_PER_STALE_COLUMN * len(stale),
                [_column_line(f) for f in stale],
            )
        )
    empty = _of(findings, FindingKind.EMPTY_COLUMN)
    if empty:
        out.append(
            _deduction(
                "empty_columns",
                POINTS_PER_EMPTY_COLUMN * len(empty),
                [_column_line(f) for f in empty],
            )
        )

    wording = [
        f for f in _of(findings, FindingKind.WORDING) if not is_serious_wording(f, serious_terms)
    ]
    if wording:
        out.append(_deduction("wording", len(wording), [_wording_line(f) for f in wording]))

    security = {}
    for f in _of(findings, FindingKind.SECURITY):
        security.setdefault(f.category, []).append(f)
    if security:
        points = sum(2 if category in SERIOUS_SECURITY else 1 for category in security)
        evidence = [
            f"{SECURITY_LABELS.get(category, category)}：{items[0].url}"
            + (f"（{items[0].detail}）" if items[0].detail else "")
            + (f" 等 {len(items)} 处" if len(items) > 1 else "")
            for category, items in sorted(security.items())
        ]
        out.append(_deduction("security", points, evidence))

    guides = _of(findings, FindingKind.GUIDE_INCOMPLETE)
    bad_guides = sum(f.count for f in guides)
    if bad_guides:
        out.append(
            _deduction(
                "guides",
                POINTS_PER_INCOMPLETE_GUIDE * bad_guides,
                [f.detail for f in guides],
            )
        )
    return out


def score(findings, *, availability=None, own_site=False, serious_terms=()):
    """The verdict on a run's ``findings`` (``results.Finding``; the freshness findings of
    ``judge_freshness`` included) and the week's ``availability``."""
    availability = availability or Availability()
    serious_terms = frozenset(serious_terms)
    veto_list = vetoes(
        findings, availability=availability, own_site=own_site, serious_terms=serious_terms
    )
    deduction_list = deductions(findings, availability=availability, serious_terms=serious_terms)
    total = sum(item["points"] for item in deduction_list)
    return Score(
        score=max(0, 100 - total),
        passed=all(veto["passed"] for veto in veto_list),
        vetoes=veto_list,
        deductions=deduction_list,
    )
