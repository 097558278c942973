"""The crawler and its checks against sites served on 127.0.0.1 by the tests themselves (no
Django, no database, no internet)."""

import asyncio
import dataclasses
import datetime
import hashlib
import json
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from yiwang.monitoring import crawler
from yiwang.monitoring.checks import freshness, html, links, security
from yiwang.monitoring.checks.wording import Dictionary
from yiwang.monitoring.results import ColumnKind, CrawlLimits, CrawlReport, FindingKind
from yiwang.monitoring.tests.fixture_site import WORDING, FixtureSite

TODAY = datetime.date(2026, 11, 30)
# No rate limit: the tests are about what is found, not about politeness (but one).
FAST = CrawlLimits(rate_per_second=0, timeout=5.0, concurrency=8)


def fast(**changes):
    return dataclasses.replace(FAST, **changes)


@pytest.fixture(scope="module")
def site():
    with FixtureSite(today=TODAY) as served:
        yield served


@pytest.fixture(scope="module")
def full_report(site):
    return crawler.crawl(site.url, limits=FAST, wording=site.wording)


def summary(report):
    return {
        "findings": [f.as_dict() for f in report.findings],
        "columns": [c.as_dict() for c in report.columns],
        "home_newest": report.home_newest,
        "home_status": report.home_status,
        "pages": report.pages,
        "links_checked": report.links_checked,
        "fingerprints": report.fingerprints,
        "finished": report.finished,
    }


# -- the fixture site's report, exactly ----------------------------------------------------


def test_fixture_site_report_exactly(site, full_report):
    expected = site.expected
    report = full_report
    assert report.finished and report.stopped_because == "" and report.state == {}
    assert [f.as_dict() for f in report.findings] == [f.as_dict() for f in expected["findings"]]
    assert report.columns == expected["columns"]
    assert report.home_newest == expected["home_newest"] == TODAY - datetime.timedelta(days=3)
    assert report.home_status == 200
    assert report.pages == expected["pages"]
    assert report.links_checked == expected["links_checked"]
    # The column facts the store side judges: news 40 days old, notice empty.
    news = next(c for c in report.columns if c.kind == ColumnKind.NEWS)
    assert (TODAY - news.newest).days == 40
    notice = next(c for c in report.columns if c.kind == ColumnKind.NOTICE)
    assert notice.items == 0 and notice.newest is None


def test_robots_respected_and_links_checked_once(site, full_report):
    paths = site.paths_requested()
    assert "/robots.txt" in paths
    # Disallowed by robots.txt: neither the page nor the broken link it holds.
    assert not any(p.startswith("/private/") for p in paths)
    assert not any(f.url.endswith("/private/") for f in full_report.findings)
    for path in ("/", "/news/", "/news/a1.html", "/files/missing.docx", "/static/site.css"):
        assert paths.count(path) == 1, path


def test_report_round_trips_through_json(full_report):
    data = json.loads(json.dumps(full_report.as_dict()))
    assert CrawlReport.from_dict(data) == full_report


def test_attachments_and_files_are_checked_with_head_not_parsed():
    with FixtureSite(today=TODAY) as served:
        crawler.crawl(served.url, limits=FAST)
        methods = {(m, p) for _t, m, p, _h in served.requests}
    assert ("HEAD", "/files/report.pdf") in methods
    assert ("HEAD", "/files/missing.docx") in methods
    assert ("HEAD", "/static/site.css") in methods
    assert ("GET", "/files/report.pdf") not in methods


def test_security_headers_present():
    with FixtureSite(today=TODAY, security_headers=True) as served:
        report = crawler.crawl(served.url, limits=FAST, wording=served.wording)
        expected = served.expected
    assert [f.as_dict() for f in report.findings] == [f.as_dict() for f in expected["findings"]]
    categories = {f.category for f in report.findings if f.kind == FindingKind.SECURITY}
    # Only what headers cannot fix on this http:// site (and the exposed paths).
    assert categories == {"https", "exposed_debug", "exposed_admin", "directory_listing"}


def test_external_links_not_checked_when_off(site):
    report = crawler.crawl(site.url, limits=fast(check_external=False))
    assert not [f for f in report.findings if f.external]
    assert report.links_checked == site.expected["links_checked"] - 1


def test_without_dictionary_no_wording(site, full_report):
    report = crawler.crawl(site.url, limits=FAST)
    assert not [f for f in report.findings if f.kind == FindingKind.WORDING]
    others = [f for f in full_report.findings if f.kind != FindingKind.WORDING]
    assert report.findings == others


def test_fingerprints_of_pages_under_the_prefix(site):
    prefix = site.url + "news/"
    report = crawler.crawl(site.url, limits=FAST, fingerprint_prefix=prefix)
    assert sorted(report.fingerprints) == [prefix, prefix + "a1.html", prefix + "a2.html"]
    body = (site.root / "news" / "a1.html").read_bytes()
    assert report.fingerprints[prefix + "a1.html"] == hashlib.sha256(body).hexdigest()
    custom = crawler.crawl(
        site.url, limits=FAST, fingerprint_prefix=prefix, fingerprint=lambda b: f"len{len(b)}"
    )
    assert custom.fingerprints[prefix + "a1.html"] == f"len{len(body)}"
    assert crawler.crawl(site.url, limits=FAST).fingerprints == {}


# -- limits, stopping and resuming ---------------------------------------------------------


def test_max_pages_honoured(site):
    report = crawler.crawl(site.url, limits=fast(max_pages=4), wording=site.wording)
    assert report.pages == 4
    assert not report.finished and report.stopped_because == "max_pages"
    assert report.state["page_stack"]


def test_resume_equals_uninterrupted(site, full_report):
    prefix = site.url
    whole = crawler.crawl(site.url, limits=FAST, wording=site.wording, fingerprint_prefix=prefix)
    assert summary(whole)["findings"] == summary(full_report)["findings"]
    report = crawler.crawl(
        site.url, limits=fast(max_pages=2), wording=site.wording, fingerprint_prefix=prefix
    )
    runs = 1
    while not report.finished:
        assert report.stopped_because == "max_pages"
        # Through JSON, as the store keeps it.
        state = json.loads(json.dumps(report.as_dict()))["state"]
        report = crawler.crawl(
            site.url,
            limits=fast(max_pages=report.pages + 2),
            wording=site.wording,
            state=state,
            fingerprint_prefix=prefix,
        )
        runs += 1
    assert runs >= 6
    assert summary(report) == summary(whole)


def test_should_stop_then_resume(site, full_report):
    seen = []
    limits = fast(rate_per_second=40)
    report = crawler.crawl(
        site.url,
        limits=limits,
        wording=site.wording,
        progress=lambda done, queued: seen.append((done, queued)),
        should_stop=lambda: bool(seen) and seen[-1][0] >= 2,
    )
    assert not report.finished and report.stopped_because == "stopped"
    assert 2 <= report.pages < full_report.pages
    assert seen and all(isinstance(d, int) and isinstance(q, int) for d, q in seen)
    resumed = crawler.crawl(site.url, limits=limits, wording=site.wording, state=report.state)
    assert resumed.finished
    assert summary(resumed) == summary(full_report)


def test_max_seconds_then_resume(site, full_report):
    limits = fast(rate_per_second=20, max_seconds=0.3)
    report = crawler.crawl(site.url, limits=limits, wording=site.wording)
    assert not report.finished and report.stopped_because == "max_seconds"
    while not report.finished:
        report = crawler.crawl(
            site.url, limits=fast(max_seconds=30), wording=site.wording, state=report.state
        )
    assert summary(report) == summary(full_report)


def test_stop_before_start(site):
    report = crawler.crawl(site.url, limits=FAST, should_stop=lambda: True)
    assert report.stopped_because == "stopped" and report.pages == 0
    resumed = crawler.crawl(site.url, limits=FAST, state=report.state)
    assert resumed.finished and resumed.pages == site.expected["pages"]


def test_state_of_another_site_is_refused(site, full_report):
    report = crawler.crawl(site.url, limits=fast(max_pages=1))
    with pytest.raises(ValueError, match="另一个网址"):
        crawler.crawl("http://127.0.0.1:9/", state=report.state)
    with pytest.raises(ValueError, match="续查状态"):
        crawler.crawl(site.url, state={"version": 99})


@pytest.mark.parametrize("url", ["", "ftp://example.org/", "not a url", None, "http://"])
def test_bad_start_url_is_a_clear_error(url):
    with pytest.raises(ValueError, match="网址无效"):
        crawler.crawl(url)


def test_rate_limit_honoured_roughly():
    with FixtureSite(today=TODAY, extra_pages=40) as served:
        report = crawler.crawl(served.url, limits=fast(rate_per_second=20, concurrency=8))
        total = len(served.requests)
        busiest = served.max_requests_per_second()
    assert report.finished and report.pages == served.expected["pages"]
    # Unlimited, these requests all come within a fraction of a second.
    assert total >= 60
    assert busiest <= 30


def test_crawl_from_a_running_event_loop(site):
    async def main():
        return crawler.crawl(site.url, limits=FAST)

    report = asyncio.run(main())
    assert report.finished and report.pages == site.expected["pages"]


# -- timeouts, reachability, host names ----------------------------------------------------


def test_slow_page_is_a_timeout():
    with FixtureSite(today=TODAY, slow_seconds=2.0) as served:
        report = crawler.crawl(served.url + "timeout.html", limits=fast(timeout=0.5))
    broken = [f for f in report.findings if f.target == served.url + "slow/"]
    assert [(f.url, f.status, f.detail) for f in broken] == [
        (served.url + "timeout.html", None, "timeout")
    ]


def test_probe_ok_and_failed():
    with FixtureSite(today=TODAY, slow_seconds=2.0) as served:
        ok = crawler.probe(served.url, timeout=5)
        missing = crawler.probe(served.url + "gone.html", timeout=5)
        slow = crawler.probe(served.url + "slow/", timeout=0.5)
        by_name = crawler.probe(served.url_for("probe.localhost"), timeout=5)
        host = served.requests[-1][3]
    assert ok.ok and ok.status == 200 and ok.detail == "" and ok.elapsed_ms >= 0
    assert not missing.ok and missing.status == 404 and missing.detail == "HTTP 404"
    assert not slow.ok and slow.status is None and slow.detail == "timeout"
    assert by_name.ok and host == f"probe.localhost:{served.port}"
    refused = crawler.probe(served.external_broken, timeout=5)
    assert not refused.ok and refused.detail == "refused"
    assert crawler.probe("javascript:alert(1)").detail == "invalid url"


def test_localhost_names_resolve_with_the_real_host_header(site):
    base = site.url_for("fixture.localhost")
    before = len(site.requests)
    report = crawler.crawl(base, limits=FAST, wording=site.wording)
    hosts = {h for _t, _m, _p, h in site.requests[before:]}
    assert hosts == {f"fixture.localhost:{site.port}"}
    expected = site.expected_for(base)
    assert [f.as_dict() for f in report.findings] == [f.as_dict() for f in expected["findings"]]
    assert report.columns == expected["columns"]


def test_resolve_map(site):
    base = f"http://yiwang-fixture.test:{site.port}/"
    report = crawler.crawl(base, limits=fast(resolve={"yiwang-fixture.test": "127.0.0.1"}))
    assert report.home_status == 200 and report.pages == site.expected["pages"]


def test_unreachable_start_page(site):
    report = crawler.crawl(site.external_broken, limits=FAST)
    assert report.finished and report.pages == 1 and report.home_status is None
    assert [(f.kind, f.detail) for f in report.findings] == [(FindingKind.UNREACHABLE, "refused")]
    missing = crawler.crawl(site.url + "gone.html", limits=FAST)
    assert [(f.kind, f.status) for f in missing.findings] == [(FindingKind.UNREACHABLE, 404)]


class _HeadRefusingHandler(BaseHTTPRequestHandler):
    """HEAD answers 405 (as some servers do), GET works; /page links to the file."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", content_type="text/html; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.server.seen.append(("HEAD", self.path))
        self._send(405)

    def do_GET(self):
        self.server.seen.append(("GET", self.path))
        if self.path == "/":
            self._send(200, '<a href="/doc.pdf">文件</a><a href="/old.doc">旧文件</a>'.encode())
        elif self.path == "/doc.pdf":
            self._send(200, b"%PDF-1.4", "application/pdf")
        else:
            self._send(404)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


def test_head_refused_falls_back_to_get():
    server = _Server(("127.0.0.1", 0), _HeadRefusingHandler)
    server.seen = []
    thread = threading.Thread(target=partial(server.serve_forever, 0.05), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        report = crawler.crawl(url, limits=FAST)
    finally:
        server.shutdown()
        server.server_close()
    assert ("HEAD", "/doc.pdf") in server.seen and ("GET", "/doc.pdf") in server.seen
    broken = [(f.target, f.status) for f in report.findings if f.kind == FindingKind.BROKEN_LINK]
    assert broken == [(url + "old.doc", 404)]


# -- the checks on their own ---------------------------------------------------------------


def test_wording_longest_match_first_and_correct_forms():
    words = Dictionary(WORDING)
    text = "原国家食品药品监督管理总局，中华人民共和国国务院办公厅，县人民政付。"
    hits = [(h.entry.wrong, h.entry.correct, h.entry.category) for h in words.find(text)]
    assert hits == [
        ("国家食品药品监督管理总局", "国家市场监督管理总局", "outdated_name"),
        ("人民政付", "人民政府", "wrong"),
    ]
    # A bare 人民共和国 (not part of 中华人民共和国) hits; 食品药品监督管理 alone hits.
    assert [h.entry.wrong for h in words.find("人民共和国成立以来，食品药品监督管理工作")] == [
        "人民共和国",
        "食品药品监督管理",
    ]
    # A wrong text inside the correct form of another entry is no hit either.
    inside = Dictionary([("办公厅", "办公室", "wrong"), ("国务院办工厅", "国务院办公厅", "wrong")])
    assert [h.entry.wrong for h in inside.find("国务院办公厅，县政府办公厅")] == ["办公厅"]
    assert [h.start for h in inside.find("国务院办公厅，县政府办公厅")] == [10]
    assert not Dictionary([]).find("国务院办工厅")


def test_wording_context():
    words = Dictionary([("国务院办工厅", "国务院办公厅", "wrong")])
    text = "甲" * 30 + "国务院办工厅" + "乙" * 30
    [hit] = words.find(text)
    assert hit.context == "甲" * 20 + "国务院办工厅" + "乙" * 20
    [short] = words.find("见\n国务院办工厅\n通知")
    assert short.context == "见 国务院办工厅 通知"


def test_wording_only_in_visible_text():
    page = html.parse(
        "<html><head><title>标题</title><style>.x{content:'国务院办工厅'}</style></head>"
        '<body><p title="国务院办工厅">正文<b>国务院办</b>工厅</p>'
        "<script>var a='国务院办工厅'</script><noscript>国务院办工厅</noscript>"
        "<!-- 国务院办工厅 --><li>国务院办</li><li>工厅</li></body></html>",
        "http://example.test/",
    )
    words = Dictionary([("国务院办工厅", "国务院办公厅", "wrong")])
    # Once: inside a paragraph split by <b>; not in attributes, scripts, styles, comments,
    # noscript, nor across two list items.
    assert [h.context for h in words.find(page.text)] == ["标题 正文国务院办工厅 国务院办 工厅"]


def test_links_extracted_and_normalised():
    page = html.parse(
        '<html><head><base href="http://Example.TEST:80/news/"><link rel="stylesheet" '
        'href="/s.css"><link rel="preconnect" href="http://cdn.test/"></head><body>'
        '<a href="a.html#part">a</a><a href="a.html">again</a><a href="#top">top</a>'
        '<a href="mailto:x@y.test">m</a><a href="javascript:void(0)">j</a><a href="tel:1">t</a>'
        '<a href=" ../b/c.html?x=1&amp;y=2 ">b</a><img src="//img.test/p.png">'
        '<iframe src="https://video.test/v"></iframe><script src="/app.js"></script>'
        '<a href="/路径/文件.pdf">中文</a><a href="HTTP://example.test:8080">port</a></body></html>',
        "http://example.test/ignored/",
    )
    assert [(link.url, link.resource) for link in page.links] == [
        ("http://example.test/s.css", True),
        ("http://example.test/news/a.html", False),
        ("http://example.test/b/c.html?x=1&y=2", False),
        ("http://img.test/p.png", True),
        ("https://video.test/v", True),
        ("http://example.test/app.js", True),
        ("http://example.test/%E8%B7%AF%E5%BE%84/%E6%96%87%E4%BB%B6.pdf", False),
        ("http://example.test:8080/", False),
    ]
    assert links.normalize("https://a.test:443/x/../y") == "https://a.test/y"
    assert links.same_site("https://a.test/", {("a.test", 80)})
    assert not links.same_site("http://a.test:8080/", {("a.test", 80)})
    assert links.is_attachment("http://a.test/f/%E6%96%87.OFD") and not links.is_attachment(
        "http://a.test/f/"
    )


def test_decode_gbk_and_meta_charset():
    body = '<html><head><meta charset="gb2312"><title>政府</title></head></html>'.encode("gbk")
    assert "政府" in html.decode(body)
    assert "政府" in html.decode("政府".encode("gbk"), "text/html; charset=GBK")
    assert html.decode("政府".encode()) == "政府"


def test_item_dates_of_listings():
    page = html.parse(
        "<html><body><ul><li><a href='/1'>一</a><span>[2026-11-30]</span></li>"
        "<li><a href='/2'>二 2025年工作</a> 2026年11月2日</li>"
        "<li><a href='/3'>三<em>2026/10/01</em></a></li>"
        "<li><a href='/4'>没有日期</a></li></ul>"
        "<table><tr><td><a href='/5'>五</a></td><td>2026.09.09</td></tr></table>"
        "<div class='list'><div><a href='/6'>六</a> 11-03</div></div>"
        "<p>电话：0571-88886666 <a href='/7'>七</a></p></body></html>",
        "http://example.test/",
        today=TODAY,
    )
    assert page.item_dates == [
        datetime.date(2026, 11, 30),
        datetime.date(2026, 11, 2),
        datetime.date(2026, 10, 1),
        datetime.date(2026, 9, 9),
        datetime.date(2026, 11, 3),
    ]


def _column(meta=None, h1="", title="", dates=(), text="", home=False):
    return freshness.column_of(meta or {}, h1, title, list(dates), text, is_home=home)


def test_columns_by_meta_and_by_name():
    one = [TODAY]
    two = [TODAY, TODAY]
    by_meta = {"columnname": "部门动态", "columntype": "工作动态"}
    assert _column(by_meta) == ("部门动态", ColumnKind.NEWS)
    assert _column({"columnname": "公示", "columntype": "通知公告"}) == ("公示", "notice")
    assert _column({"columnname": "规范性文件", "columntype": "政策文件"}) == (
        "规范性文件",
        "policy",
    )
    assert _column({"columnname": "政策解读", "columntype": "政策解读"}) == ("政策解读", "other")
    # An article carries its column's ColumnType but is no column; sections are no columns.
    assert _column({**by_meta, "articletitle": "某会议"}, dates=one) is None
    assert _column({"columnname": "信息公开", "columntype": "频道"}, dates=two) is None
    assert _column({"columntype": "首页"}, dates=two) is None
    assert _column(by_meta, home=True) is None
    # A value outside the national list: by its wording, then by the name.
    assert _column({"columnname": "X", "columntype": "新闻中心"}) == ("X", "news")
    assert _column({"columnname": "法规规章", "columntype": "综合"}) == ("法规规章", "policy")
    # No meta: a listing of dated links, named by <h1> or <title>.
    assert _column(h1="通知公告", dates=two) == ("通知公告", "notice")
    assert _column(title="要闻 - 某市人民政府", dates=two) == ("要闻", "news")
    assert _column(h1="领导信息", dates=two) == ("领导信息", "other")
    assert _column(h1="某篇文章", dates=one) is None
    assert _column({"pubdate": "2026-11-30"}, h1="新闻", dates=two) is None
    # No meta and no items: only a column-like name that says it is empty.
    assert _column(h1="政策文件", text="暂无信息") == ("政策文件", "policy")
    assert _column(h1="政策文件", text="欢迎") is None
    assert _column(h1="关于做好年度政策文件清理工作的通知补充", text="暂无") is None


def test_paginated_listing_is_one_column():
    assert freshness.column_key("http://a.test/gzdt/index.html", "工作动态") == (
        freshness.column_key("http://a.test/gzdt/index_2.html", "工作动态")
    )
    assert freshness.column_key("http://a.test/gzdt/?page=2", "工作动态") == (
        freshness.column_key("http://a.test/gzdt/", "工作动态")
    )
    assert freshness.column_key("http://a.test/gzdt/", "工作动态") != (
        freshness.column_key("http://a.test/tzgg/", "通知公告")
    )


def test_security_headers_rules():
    good = {
        "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
        "Content-Security-Policy": "default-src 'self'",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "SAMEORIGIN",
        "Referrer-Policy": "same-origin",
        "Server": "nginx",
    }
    assert security.header_findings("https://a.test/", good) == []
    bad = {
        "Strict-Transport-Security": "max-age=0",
        "Content-Security-Policy": "frame-ancestors 'none'",
        "X-Content-Type-Options": "sniff",
        "Referrer-Policy": "unsafe-url",
        "Server": "Apache/2.4.41 (Ubuntu)",
        "X-Powered-By": "PHP/7.4.3",
    }
    found = [(f.category, f.detail) for f in security.header_findings("https://a.test/", bad)]
    # frame-ancestors stands for X-Frame-Options.
    assert found == [
        ("hsts", "max-age=0"),
        ("x_content_type_options", "sniff"),
        ("referrer_policy", "unsafe-url"),
        ("server_version", "Apache/2.4.41 (Ubuntu)"),
        ("server_version", "X-Powered-By: PHP/7.4.3"),
    ]
    assert [f.category for f in security.header_findings("http://a.test/", good)] == ["https"]


def test_security_probe_rules():
    def found(path, status, body):
        return [(f.category, f.detail) for f in security.probe_findings("u", path, status, body)]

    login = '<form method="post"><input name="u"><input type="password" name="p"></form>'
    assert found("/admin/", 200, login) == [("exposed_admin", "/admin/")]
    assert found("/admin/", 200, "<p>欢迎</p>") == []
    assert found("/admin/", 404, login) == []
    assert found("/.git/HEAD", 200, "ref: refs/heads/master\n") == [("exposed_debug", "/.git/HEAD")]
    assert found("/.git/HEAD", 200, "<html>首页</html>") == []
    assert found("/phpinfo.php", 200, "<title>PHP 8.2 - phpinfo()</title>") == [
        ("exposed_debug", "/phpinfo.php")
    ]
    assert found("/server-status", 200, "<h1>Apache Server Status for a</h1>") == [
        ("exposed_debug", "/server-status")
    ]
    assert found("/debug/", 200, "<h1>首页</h1>") == []
    django = (
        "<title>Page not found at /x/</title>Using the URLconf defined in site.urls, Django "
        "tried these URL patterns... You’re seeing this error because you have "
        "<code>DEBUG = True</code> in your Django settings file."
    )
    assert found(security.NOT_FOUND_PROBE, 404, django) == [("exposed_debug", "DEBUG = True")]
    assert found(security.NOT_FOUND_PROBE, 404, "<h1>404</h1>") == []
    assert security.is_directory_listing("Index of /files")
    assert not security.is_directory_listing("信息公开目录")


def test_mixed_content_only_for_https_resources():
    page = html.parse(
        '<html><body><img src="http://cdn.test/a.png"><script src="https://cdn.test/b.js">'
        '</script><a href="http://other.test/">link</a></body></html>',
        "https://a.test/",
    )
    resources = [link.url for link in page.links if link.resource]
    found = [(f.category, f.detail) for f in security.mixed_content("https://a.test/", resources)]
    assert found == [("mixed_content", "http://cdn.test/a.png")]
    assert security.mixed_content("http://a.test/", resources) == []
