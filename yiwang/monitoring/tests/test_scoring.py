"""The verdict of the national website check on constructed findings, asserted exactly: each
veto rule at its boundary, each deduction's points and caps, the score's floor."""

import datetime

import pytest

from yiwang.monitoring.results import Column, ColumnKind, Finding, FindingKind
from yiwang.monitoring.scoring import Availability, judge_freshness, score

TODAY = datetime.date(2026, 11, 30)
WEEK_OK = Availability(total=140, failed=0)


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


def stale(kind, n=1, age=200):
    return [
        Finding(
            kind=FindingKind.STALE_COLUMN,
            url=f"http://x.test/{kind}{i}/",
            detail=f"{kind}{i}",
            category=kind,
            newest=days_ago(age),
            count=age,
        )
        for i in range(n)
    ]


def empty(n):
    return [
        Finding(
            kind=FindingKind.EMPTY_COLUMN,
            url=f"http://x.test/empty{i}/",
            detail=f"空{i}",
            category=ColumnKind.NOTICE,
        )
        for i in range(n)
    ]


def broken(target, *, url="http://x.test/a/", on_home=False, status=404):
    return Finding(
        kind=FindingKind.BROKEN_LINK, url=url, target=target, status=status, on_home=on_home
    )


def veto(result, rule):
    return next(v for v in result.vetoes if v["rule"] == rule)


def points(result):
    return {d["indicator"]: d["points"] for d in result.deductions}


def test_a_clean_external_site_scores_100_and_passes_with_rules_5_and_6_unchecked():
    result = score([], availability=WEEK_OK, own_site=False)
    assert (result.score, result.passed, result.deductions) == (100, True, [])
    assert [(v["rule"], v["passed"], v["checked"]) for v in result.vetoes] == [
        (1, True, True),
        (2, True, True),
        (3, True, True),
        (4, True, True),
        (5, True, False),
        (6, True, False),
    ]
    assert veto(result, 2)["evidence"] == ["近 7 天检测 140 次，失败 0 次（0.0%），否决线 5%"]


@pytest.mark.parametrize(
    ("total", "failed", "passed", "deducted"),
    [
        (143, 7, True, 4),  # 4.895 %: passes, 4 points (one per whole per cent)
        (140, 7, False, None),  # 5 % exactly: fails, the veto replaces the deduction
        (100, 0, True, None),
        (100, 1, True, 1),
    ],
)
def test_reachability_veto_at_five_per_cent(total, failed, passed, deducted):
    result = score([], availability=Availability(total=total, failed=failed))
    assert veto(result, 2)["passed"] is passed
    assert result.passed is passed
    assert points(result).get("availability") == deducted


def test_without_tries_an_unreachable_start_page_fails_rule_2():
    down = Finding(kind=FindingKind.UNREACHABLE, url="http://x.test/", detail="timeout")
    assert veto(score([], availability=Availability()), 2) == {
        "rule": 2,
        "title": "站点无法访问",
        "passed": True,
        "checked": True,
        "evidence": ["暂无连通性检测记录"],
    }
    assert veto(score([down], availability=Availability()), 2)["evidence"] == [
        "暂无连通性检测记录",
        "本次检查首页无法访问：http://x.test/（timeout）",
    ]
    assert veto(score([down], availability=Availability()), 2)["passed"] is False


@pytest.mark.parametrize(
    ("findings", "passed"),
    [
        (stale(ColumnKind.NEWS, 4), True),
        (stale(ColumnKind.NEWS, 2) + stale(ColumnKind.POLICY, 3), False),  # 5 together
        (empty(4), True),
        (empty(5), False),
        # 9 stale columns of which 4 must update: passes; 10: the second clause fails it.
        (stale(ColumnKind.NOTICE, 4) + stale(ColumnKind.OTHER, 5, age=400), True),
        (stale(ColumnKind.NOTICE, 4) + stale(ColumnKind.OTHER, 6, age=400), False),
    ],
)
def test_column_veto_boundaries(findings, passed):
    assert veto(score(findings, availability=WEEK_OK), 4)["passed"] is passed


def test_column_veto_evidence_lists_counts_and_columns():
    result = score(stale(ColumnKind.NEWS, 1, age=40) + empty(1), availability=WEEK_OK)
    assert veto(result, 4)["evidence"] == [
        "动态要闻类超过 2 周、通知公告和政策文件类超过 6 个月未更新的栏目 1 个（5 个及以上否决）",
        "应更新但未更新的栏目 1 个（10 个及以上否决）",
        "空白栏目 1 个（5 个及以上否决）",
        "news0（动态要闻类，http://x.test/news0/）：最新 2026-10-21，40 天未更新",
        "空0（通知公告类，http://x.test/empty0/）：无信息",
    ]
    assert result.deductions == [
        {
            "indicator": "stale_columns",
            "title": "栏目更新情况",
            "points": 2,
            "evidence": ["news0（动态要闻类，http://x.test/news0/）：最新 2026-10-21，40 天未更新"],
        },
        {
            "indicator": "empty_columns",
            "title": "空白栏目",
            "points": 2,
            "evidence": ["空0（通知公告类，http://x.test/empty0/）：无信息"],
        },
    ]
    assert result.score == 96


def test_freshness_thresholds_per_kind_and_the_home_page():
    columns = [
        Column(url="u/news14", name="动态14", kind=ColumnKind.NEWS, items=3, newest=days_ago(14)),
        Column(url="u/news15", name="动态15", kind=ColumnKind.NEWS, items=3, newest=days_ago(15)),
        Column(url="u/n183", name="通知183", kind=ColumnKind.NOTICE, items=1, newest=days_ago(183)),
        Column(url="u/p184", name="政策184", kind=ColumnKind.POLICY, items=1, newest=days_ago(184)),
        Column(url="u/o365", name="其他365", kind=ColumnKind.OTHER, items=1, newest=days_ago(365)),
        Column(url="u/o366", name="其他366", kind=ColumnKind.OTHER, items=1, newest=days_ago(366)),
        Column(url="u/empty", name="空白", kind=ColumnKind.NEWS, items=0),
        Column(url="u/static", name="机构职能", kind=ColumnKind.OTHER, items=0),
    ]
    judged, findings = judge_freshness(columns, home_newest=days_ago(14), today=TODAY)
    assert [(j.column.name, j.stale, j.empty) for j in judged] == [
        ("动态14", False, False),
        ("动态15", True, False),
        ("通知183", False, False),
        ("政策184", True, False),
        ("其他365", False, False),
        ("其他366", True, False),
        ("空白", False, True),
        ("机构职能", False, False),
    ]
    assert [(f.kind, f.url, f.category, f.count) for f in findings] == [
        (FindingKind.STALE_COLUMN, "u/news15", ColumnKind.NEWS, 15),
        (FindingKind.STALE_COLUMN, "u/p184", ColumnKind.POLICY, 184),
        (FindingKind.STALE_COLUMN, "u/o366", ColumnKind.OTHER, 366),
        (FindingKind.EMPTY_COLUMN, "u/empty", ColumnKind.NEWS, 0),
    ]
    _, late = judge_freshness([], home_newest=days_ago(15), today=TODAY, home_url="h")
    assert [(f.kind, f.url, f.detail, f.count) for f in late] == [
        (FindingKind.HOME_STALE, "h", "首页最新信息日期 2026-11-15，已 15 天未更新", 15)
    ]
    _, undated = judge_freshness([], home_newest=None, today=TODAY)
    assert [(f.kind, f.detail) for f in undated] == [
        (FindingKind.HOME_STALE, "首页没有带日期的信息")
    ]
    assert veto(score(late, availability=WEEK_OK), 3) == {
        "rule": 3,
        "title": "首页不更新",
        "passed": False,
        "checked": True,
        "evidence": ["首页最新信息日期 2026-11-15，已 15 天未更新"],
    }


def test_deductions_and_their_evidence():
    findings = [
        broken("http://x.test/gone1", url="http://x.test/", on_home=True),
        broken("http://x.test/gone1", url="http://x.test/b/"),  # same target: counted on home
        broken("http://x.test/gone2", url="http://x.test/", on_home=True, status=None),
        *(broken(f"http://x.test/other{i}") for i in range(12)),
        broken("http://x.test/other0", url="http://x.test/c/"),  # a target counts once
        Finding(
            kind=FindingKind.WORDING,
            url="http://x.test/a/",
            target="国家旅游局",
            detail="文化和旅游部",
            context="原国家旅游局发布",
            category="outdated_name",
        ),
        Finding(kind=FindingKind.WORDING, url="http://x.test/b/", target="按装", detail="安装"),
        Finding(kind=FindingKind.SECURITY, url="http://x.test/", category="https", detail="http"),
        Finding(kind=FindingKind.SECURITY, url="http://x.test/", category="hsts", detail="missing"),
        *(
            Finding(kind=FindingKind.SECURITY, url=f"http://x.test/{i}/", category="mixed_content")
            for i in range(3)
        ),
    ]
    result = score(findings, availability=WEEK_OK)
    assert points(result) == {
        "home_broken_links": 2,
        "other_broken_links": 3,  # 12 targets, one point per 5 started
        "wording": 2,
        "security": 4,  # https 2 + hsts 1 + mixed content 1 (a category counts once)
    }
    assert (result.score, result.passed) == (89, True)
    by = {d["indicator"]: d["evidence"] for d in result.deductions}
    assert by["home_broken_links"] == [
        "http://x.test/ → http://x.test/gone1（404）",
        "http://x.test/ → http://x.test/gone2（无响应）",
    ]
    assert by["other_broken_links"][0] == "其他页面错链断链 12 个，每 5 个扣 1 分"
    assert by["wording"] == [
        "“国家旅游局”，应为“文化和旅游部”：http://x.test/a/（原国家旅游局发布）",
        "“按装”，应为“安装”：http://x.test/b/（）",
    ]
    assert by["security"] == [
        "未设置 HSTS：http://x.test/（missing）",
        "未使用 HTTPS：http://x.test/（http）",
        "HTTPS 页面引用 HTTP 资源：http://x.test/0/ 等 3 处",
    ]


def test_caps_and_the_floor():
    findings = [
        broken(f"http://x.test/h{i}", url="http://x.test/", on_home=True) for i in range(15)
    ]
    findings += [broken(f"http://x.test/o{i}") for i in range(100)]
    findings += stale(ColumnKind.NEWS, 7) + empty(8)
    findings += [
        Finding(kind=FindingKind.WORDING, url="http://x.test/", target=f"错{i}") for i in range(30)
    ]
    findings += [
        Finding(kind=FindingKind.SECURITY, url="http://x.test/", category=c)
        for c in ("https", "exposed_admin", "exposed_debug", "directory_listing", "csp", "hsts")
    ]
    result = score(findings, availability=WEEK_OK)
    assert points(result) == {
        "home_broken_links": 10,
        "other_broken_links": 10,
        "stale_columns": 10,
        "empty_columns": 10,
        "wording": 10,
        "security": 10,
    }
    assert result.score == 40
    findings += [
        Finding(kind=FindingKind.GUIDE_INCOMPLETE, count=9),
    ]
    assert score(findings, availability=Availability(100, 4), own_site=True).score == 26
    many = findings * 3
    assert score(many, availability=Availability(100, 4)).score == 26  # every cap holds


def test_serious_wording_and_tampering_fail_rule_1():
    sensitive = Finding(
        kind=FindingKind.WORDING,
        url="http://x.test/a/",
        target="台湾总统",
        detail="台湾地区领导人",
        context="……台湾总统……",
        category="sensitive",
    )
    misspelt = Finding(
        kind=FindingKind.WORDING,
        url="http://x.test/b/",
        target="国务院办工厅",
        detail="国务院办公厅",
        context="国务院办工厅印发",
        category="wrong",
    )
    tampered = Finding(kind=FindingKind.TAMPERED, url="http://x.test/c/", detail="应为 a，实际 b")
    assert veto(score([misspelt], availability=WEEK_OK), 1)["passed"] is True
    result = score(
        [sensitive, misspelt, tampered], availability=WEEK_OK, serious_terms={"国务院办工厅"}
    )
    assert veto(result, 1) == {
        "rule": 1,
        "title": "严重问题（严重错误表述、网页被篡改等）",
        "passed": False,
        "checked": True,
        "evidence": [
            "网页被篡改：http://x.test/c/（应为 a，实际 b）",
            "严重错误表述“台湾总统”，应为“台湾地区领导人”：http://x.test/a/（……台湾总统……）",
            "严重错误表述“国务院办工厅”，应为“国务院办公厅”：http://x.test/b/（国务院办工厅印发）",
        ],
    }
    assert "wording" not in points(result)  # a serious hit is a veto, not a deduction
    assert (result.score, result.passed) == (100, False)


@pytest.mark.parametrize(
    ("findings", "rule", "passed", "guide_points"),
    [
        ([Finding(kind=FindingKind.UNANSWERED_MESSAGES, count=1, detail="1 件")], 5, False, None),
        ([Finding(kind=FindingKind.NO_CONSULTATION_CHANNEL, detail="未开通")], 5, False, None),
        ([Finding(kind=FindingKind.GUIDE_INCOMPLETE, count=4, detail="4 项")], 6, True, 8),
        ([Finding(kind=FindingKind.GUIDE_INCOMPLETE, count=5, detail="5 项")], 6, False, 10),
        ([Finding(kind=FindingKind.NO_ONLINE_SERVICE, detail="无")], 6, False, None),
        ([], 5, True, None),
        ([], 6, True, None),
    ],
)
def test_own_data_vetoes(findings, rule, passed, guide_points):
    result = score(findings, availability=WEEK_OK, own_site=True)
    assert veto(result, rule)["passed"] is passed
    assert veto(result, rule)["checked"] is True
    assert points(result).get("guides") == guide_points
