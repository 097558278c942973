"""A small static government website with known faults, served on 127.0.0.1 by the test
suite itself, and the report a crawl of it must give.

    with FixtureSite(today=datetime.date(2026, 12, 1)) as site:
        report = crawl(site.url, wording=site.wording)
        assert report.findings == site.expected["findings"]

The faults: a broken internal link (404), a broken link on the home page, a broken external
link (to a 127.0.0.1 port that refuses), a broken attachment, a redirect loop, a stale news
column (newest item 40 days before ``today``), an empty notice column, a misspelled official
name (国务院办工厅) and an outdated one (国家食品药品监督管理总局), missing security headers
(unless ``security_headers=True``), the server's version in its Server header, an exposed
/.git/HEAD, an admin login page at /admin/, a directory listing (/uploads/) and a page
disallowed by robots.txt (/private/) that holds a broken link (it must not be crawled).

Not linked from the site: /timeout.html, which links to /slow/ (the server answers it after
``slow_seconds``), for the timeout tests. ``extra_pages=N`` adds a fault-free /more/ section
of N pages (for the rate-limit test).

Other tests may use it: ``FixtureSite``, or the pytest fixture ``fixture_site``
(``from yiwang.monitoring.tests.fixture_site import fixture_site``).
"""

import datetime
import shutil
import socket
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from yiwang.monitoring.results import Column, ColumnKind, Finding, FindingKind

SITE_NAME = "示范县人民政府"
# (wrong, correct, category), as the dictionary in the database holds them.
WORDING = [
    ("国务院办工厅", "国务院办公厅", "wrong"),
    ("国家食品药品监督管理总局", "国家市场监督管理总局", "outdated_name"),
    # Inside the longer entry above: one hit there, not two.
    ("食品药品监督管理", "市场监督管理", "outdated_name"),
    # 中华人民共和国 holds it and is no hit; only a bare 人民共和国 would be.
    ("人民共和国", "中华人民共和国", "wrong"),
    ("人民政付", "人民政府", "wrong"),
]
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
# The paragraphs holding the wording faults (the expected context is cut from them).
A1_TEXT = (
    "11月25日上午，县长主持召开县政府第三十次常务会议。会议传达学习了国务院办工厅关于进一步"
    "优化政务服务提升行政效能的意见，研究部署我县贯彻落实工作。"
)
A2_TEXT = (
    "为做好食品安全监管工作，根据机构改革方案，原国家食品药品监督管理总局的职责已整合划入国家"
    "市场监督管理总局，请各单位及时更新相关表述。"
)


def _context(text, wrong):
    start = text.index(wrong)
    end = start + len(wrong)
    return text[max(0, start - 20) : end + 20]


def _page(title, body, meta=None):
    metas = "".join(
        f'<meta name="{name}" content="{value}">' for name, value in (meta or {}).items()
    )
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title} - {SITE_NAME}</title>{metas}"
        '<link rel="stylesheet" href="/static/site.css"></head><body>'
        f'<header><a href="/">{SITE_NAME}</a></header>'
        f"<main><h1>{title}</h1>\n{body}\n</main>"
        f"<footer><p>主办：{SITE_NAME}办公室</p></footer></body></html>"
    )


def _meta(column, column_type, article="", pub=None):
    meta = {"SiteName": SITE_NAME, "ColumnName": column, "ColumnType": column_type}
    meta["ArticleTitle"] = article
    meta["PubDate"] = pub.strftime("%Y-%m-%d 09:00") if pub else ""
    return meta


class _Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site = None  # set per server

    def version_string(self):
        if self.site.security_headers:
            return "fixture"
        return super().version_string()

    def end_headers(self):
        if self.site.security_headers:
            for name, value in SECURITY_HEADERS.items():
                self.send_header(name, value)
        super().end_headers()

    def log_message(self, format, *args):
        pass

    def _record(self):
        self.site._record(self.command, self.path, self.headers.get("Host", ""))

    def _special(self):
        path = self.path.split("?", 1)[0]
        if path in ("/loop/a", "/loop/b"):
            self.send_response(302)
            self.send_header("Location", "/loop/b" if path == "/loop/a" else "/loop/a")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        if path == "/slow/":
            time.sleep(self.site.slow_seconds)
            body = _page("慢页面", "<p>这一页很慢。</p>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return True
        return False

    def do_GET(self):
        self._record()
        if not self._special():
            super().do_GET()

    def do_HEAD(self):
        self._record()
        if not self._special():
            super().do_HEAD()

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog (5) drops connections when a crawler opens eight at once (the
    # client then waits a second to try again).
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass


class FixtureSite:
    """The fixture site, served while the context manager is open (or between ``start()`` and
    ``stop()``). ``today``: the date the site's items are dated from (default: today)."""

    def __init__(self, today=None, *, security_headers=False, extra_pages=0, slow_seconds=3.0):
        from yiwang.monitoring.checks.freshness import today_in_beijing

        self.today = today or today_in_beijing()
        self.security_headers = security_headers
        self.extra_pages = extra_pages
        self.slow_seconds = slow_seconds
        self.wording = list(WORDING)
        self.requests = []  # (monotonic time, method, path, Host header)
        self._lock = threading.Lock()
        self._server = None
        self._thread = None
        self._refusing = None
        self.root = None

    # -- serving ----------------------------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.root = Path(tempfile.mkdtemp(prefix="yiwang-fixture-site-"))
        # A port bound but not listening: connecting to it is refused (for the broken
        # external link); kept bound so that nothing else takes it meanwhile.
        self._refusing = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._refusing.bind(("127.0.0.1", 0))
        self.refused_port = self._refusing.getsockname()[1]
        handler = type("FixtureHandler", (_Handler,), {"site": self})
        self._server = _Server(("127.0.0.1", 0), partial(handler, directory=str(self.root)))
        self.port = self._server.server_address[1]
        self.write(self.root)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._refusing is not None:
            self._refusing.close()
            self._refusing = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def _record(self, method, path, host):
        with self._lock:
            self.requests.append((time.monotonic(), method, path, host))

    @property
    def url(self):
        return self.url_for("127.0.0.1")

    def url_for(self, host):
        """The home page's URL by another host name (e.g. "fixture.localhost")."""
        return f"http://{host}:{self.port}/"

    @property
    def external_broken(self):
        return f"http://127.0.0.1:{self.refused_port}/xxgk/"

    def paths_requested(self):
        with self._lock:
            return [path for _t, _m, path, _h in self.requests]

    def max_requests_per_second(self):
        """The most requests the server got within any one second."""
        with self._lock:
            times = sorted(t for t, _m, _p, _h in self.requests)
        best = 0
        first = 0
        for last, at in enumerate(times):
            while at - times[first] >= 1.0:
                first += 1
            best = max(best, last - first + 1)
        return best

    # -- the site ---------------------------------------------------------------------------

    def day(self, days_before):
        return self.today - datetime.timedelta(days=days_before)

    def pages(self):
        """path -> content (str or bytes) of every file of the site."""
        news1, news2 = self.day(40), self.day(55)
        policy1, policy2 = self.day(3), self.day(100)
        more = '<li><a href="/more/">更多</a></li>' if self.extra_pages else ""
        files = {
            "robots.txt": "User-agent: *\nDisallow: /private/\n",
            "static/site.css": "body { font-family: sans-serif; }\n",
            "files/report.pdf": b"%PDF-1.4\n% fixture\n%%EOF\n",
            ".git/HEAD": "ref: refs/heads/main\n",
            "uploads/notice.txt": "附件说明\n",
            "index.html": _page(
                "首页",
                '<nav><ul><li><a href="/news/">工作动态</a></li>'
                '<li><a href="/notice/">通知公告</a></li>'
                '<li><a href="/policy/">政策文件</a></li>'
                '<li><a href="/about.html">县情概况</a></li>'
                f'<li><a href="/private/">内部事务</a></li>{more}</ul></nav>'
                '<section><h2>最新信息</h2><ul class="item-list">'
                '<li><a href="/policy/p1.html">关于印发示范县政务公开工作要点的通知</a>'
                f" <span>{policy1:%Y-%m-%d}</span></li>"
                f'<li><a href="/news/a1.html">县政府召开常务会议</a> <span>[{news1:%Y-%m-%d}]'
                "</span></li></ul></section>"
                '<p><a href="/gone.html">已撤销的专题</a> '
                '<a href="mailto:gov@example.org">联系我们</a> '
                '<a href="javascript:window.print()">打印</a> <a href="tel:12345">12345</a> '
                '<a href="#top">返回顶部</a></p>',
                {"SiteName": SITE_NAME, "ColumnName": SITE_NAME, "ColumnType": "首页"},
            ),
            "news/index.html": _page(
                "工作动态",
                '<ul class="item-list">'
                f'<li><a href="/news/a1.html">县政府召开常务会议</a> <span>[{news1:%Y-%m-%d}]'
                "</span></li>"
                '<li><a href="/news/a2.html">县市场监管局开展食品安全检查</a> '
                f"<span>{news2.year}年{news2.month}月{news2.day}日</span></li></ul>",
                _meta("工作动态", "工作动态"),
            ),
            "news/a1.html": _page(
                "县政府召开常务会议",
                f'<p title="国务院办工厅">{A1_TEXT}</p>'
                "<p>会议要求，根据国务院办公厅有关通知精神，认真贯彻中华人民共和国政府信息公开条例。</p>"
                '<script>var note = "国务院办工厅";</script><style>/* 国务院办工厅 */</style>'
                "<!-- 国务院办工厅 -->",
                _meta("工作动态", "工作动态", "县政府召开常务会议", news1),
            ),
            "news/a2.html": _page(
                "县市场监管局开展食品安全检查",
                f'<p>{A2_TEXT}</p><p>相关阅读：<a href="/news/a3.html">上一篇</a></p>',
                _meta("工作动态", "工作动态", "县市场监管局开展食品安全检查", news2),
            ),
            "notice/index.html": _page(
                "通知公告",
                '<ul class="item-list"><li class="empty">暂无信息</li></ul>',
                _meta("通知公告", "通知公告"),
            ),
            "policy/index.html": _page(
                "政策文件",
                '<ul class="item-list">'
                '<li><a href="/policy/p1.html">关于印发示范县政务公开工作要点的通知</a> '
                f"<span>{policy1:%Y/%m/%d}</span></li>"
                '<li><a href="/policy/p2.html">示范县行政规范性文件管理办法</a> '
                f"<span>{policy2:%Y.%m.%d}</span></li></ul>",
                _meta("政策文件", "政策文件"),
            ),
            "policy/p1.html": _page(
                "关于印发示范县政务公开工作要点的通知",
                "<p>现将工作要点印发给你们，请认真贯彻执行。</p>"
                '<p>附件：<a href="/files/report.pdf">工作要点.pdf</a> '
                '<a href="/files/missing.docx">任务分工表.docx</a></p>',
                _meta("政策文件", "政策文件", "关于印发示范县政务公开工作要点的通知", policy1),
            ),
            "policy/p2.html": _page(
                "示范县行政规范性文件管理办法",
                "<p>第一条 为规范行政规范性文件管理，制定本办法。</p>",
                _meta("政策文件", "政策文件", "示范县行政规范性文件管理办法", policy2),
            ),
            "about.html": _page(
                "县情概况",
                "<p>示范县位于示范省中部，辖十个乡镇。</p>"
                '<p><a href="/loop/a">县情数据库</a> <a href="/uploads/">资料下载</a> '
                f'<a href="{self.external_broken}">上级政府信息公开</a></p>',
            ),
            "private/index.html": _page(
                "内部事务", '<p><a href="/private/missing.html">内部通讯录</a></p>'
            ),
            "admin/index.html": _page(
                "后台登录",
                '<form method="post" action="/admin/login"><input name="username">'
                '<input type="password" name="password"><button>登录</button></form>',
            ),
            "timeout.html": _page("超时测试", '<p><a href="/slow/">很慢的页面</a></p>'),
        }
        if self.extra_pages:
            items = "".join(
                f'<li><a href="/more/{n}.html">第{n}篇</a></li>'
                for n in range(1, self.extra_pages + 1)
            )
            files["more/index.html"] = _page("更多", f"<ul>{items}</ul>")
            for n in range(1, self.extra_pages + 1):
                files[f"more/{n}.html"] = _page(f"第{n}篇", f"<p>第{n}篇的正文。</p>")
        return files

    def write(self, root):
        for path, content in self.pages().items():
            target = Path(root) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")

    # -- what a crawl must report -----------------------------------------------------------

    @property
    def expected(self):
        return self.expected_for(self.url)

    def expected_for(self, base):
        """The report of a full crawl from ``base`` (the home page's URL) with ``wording``:
        ``findings`` (sorted as the crawler sorts them), ``columns``, ``home_newest``,
        ``pages`` and ``links_checked``."""
        from yiwang.monitoring.crawler import _finding_key

        def broken(page, target, status=None, detail="", on_home=False, external=False):
            return Finding(
                kind=FindingKind.BROKEN_LINK,
                url=base + page,
                target=target if "://" in target else base + target,
                status=status,
                detail=detail,
                on_home=on_home,
                external=external,
            )

        def security(category, detail, path=""):
            return Finding(
                kind=FindingKind.SECURITY, url=base + path, category=category, detail=detail
            )

        def wording(page, wrong, correct, category, text):
            return Finding(
                kind=FindingKind.WORDING,
                url=base + page,
                target=wrong,
                detail=correct,
                context=_context(text, wrong),
                category=category,
            )

        findings = [
            broken("", "gone.html", 404, on_home=True),
            broken("news/a2.html", "news/a3.html", 404),
            broken("policy/p1.html", "files/missing.docx", 404),
            broken("about.html", "loop/a", None, "too many redirects"),
            broken("about.html", self.external_broken, None, "refused", external=True),
            wording("news/a1.html", "国务院办工厅", "国务院办公厅", "wrong", A1_TEXT),
            wording(
                "news/a2.html",
                "国家食品药品监督管理总局",
                "国家市场监督管理总局",
                "outdated_name",
                A2_TEXT,
            ),
            security("https", "http"),
            security("exposed_debug", "/.git/HEAD", ".git/HEAD"),
            security("exposed_admin", "/admin/", "admin/"),
            security("directory_listing", "Directory listing for /uploads/", "uploads/"),
        ]
        if not self.security_headers:
            server = f"{SimpleHTTPRequestHandler.server_version} Python/{sys.version.split()[0]}"
            findings += [
                security("hsts", "missing"),
                security("csp", "missing"),
                security("x_content_type_options", "missing"),
                security("x_frame_options", "missing"),
                security("referrer_policy", "missing"),
                security("server_version", server),
            ]
        findings.sort(key=_finding_key)
        columns = [
            Column(base + "news/", "工作动态", ColumnKind.NEWS, 2, self.day(40)),
            Column(base + "notice/", "通知公告", ColumnKind.NOTICE, 0, None),
            Column(base + "policy/", "政策文件", ColumnKind.POLICY, 2, self.day(3)),
        ]
        # Pages: / news/ notice/ policy/ about.html gone.html news/a1 a2 a3 policy/p1 p2
        # loop/a uploads/ (+ more/ and its pages); checked with HEAD: site.css, report.pdf,
        # missing.docx, uploads/notice.txt and the external link.
        pages = 13 + (1 + self.extra_pages if self.extra_pages else 0)
        return {
            "findings": findings,
            "columns": columns,
            "home_newest": self.day(3),
            "pages": pages,
            "links_checked": pages + 5,
        }


@pytest.fixture
def fixture_site():
    """The fixture site (today: the real today), served for one test."""
    with FixtureSite() as site:
        yield site
