"""Browser tests: Debian's Chromium driven through Playwright against pytest-django's live
server, with the shared site group (yiwang/conftest.py) moved onto the live server's port.

Playwright's sync API runs an event loop in the test's thread; Django would then refuse ORM
calls made from the test itself ("You cannot call this from an async context"), hence
DJANGO_ALLOW_ASYNC_UNSAFE.

Without Chromium or axe-core the tests that need them are skipped, with the command that
installs them; under CI (CI=true) they fail instead, since `make test` installs both and a
skipped browser suite would pass unseen.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from yiwang.conftest import (  # noqa: F401  (fixtures shared with the apps)
    fresh_hall_caches,
    media_dir,
    media_root,
    private_dir,
    private_root,
    regions,
    site_group,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
RESULTS_DIR = REPO / "test-results"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 15_000
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def tool_missing(reason):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") and not CHROMIUM.exists():
        tool_missing(
            f"Debian's Chromium is not installed at {CHROMIUM}; `make test` installs it when "
            "run as root, otherwise: sudo apt-get install chromium fonts-wqy-microhei"
        )


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, answering one request at a time.

    With SQLite in memory the server shares the test's one database connection, and the
    threaded server would let two requests use it at once (the Wagtail editor sends a beacon
    while its form is being submitted), which fails now and then with errors that do not
    exist in production. Serving requests in turn removes that; the tests wait for the
    network to be idle before they query the database themselves.
    """
    from django.core.servers.basehttp import WSGIServer
    from django.db import connections
    from pytest_django.live_server_helper import LiveServer

    class OneRequestAtATime(WSGIServer):
        # Not a ThreadingMixIn, so Django answers "Connection: close" and no keep-alive
        # connection can hold the server.
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

        def close_request(self, request):
            connections.close_all()
            super().close_request(request)

    addr = request.config.getvalue("liveserver") or os.getenv(
        "DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.server_class = OneRequestAtATime
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def content_types_cached(transactional_db):
    """Keep the process-wide cache of content types filled with the migrated database's ids.

    Each browser test starts from the migrated database, restored after the previous test's
    flush (serialized_rollback). While it is restored, save signals (the search index) look
    up content types before the content-type rows are back; with an empty cache they would
    create new rows, and the restore then fails on the duplicates. The restored rows keep
    their ids, so a cache filled with them stays right from one test to the next.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import DEFAULT_DB_ALIAS

    ContentType.objects.clear_cache()
    for content_type in ContentType.objects.all():
        ContentType.objects._add_to_cache(DEFAULT_DB_ALIAS, content_type)


@pytest.fixture
def chromium_browser(transactional_db):
    """Debian's Chromium, for one test.

    Playwright's sync API keeps an asyncio loop running in this thread while it is open, and
    Django then looks its database connections up per async context instead of per thread:
    the test would get a second connection that lacks the test database's state (the data
    serialized_rollback restores, the shared in-memory SQLite connection). The thread's own
    connections are therefore handed to that context too. The browser lives for one test
    only, so no other test ever runs inside a running loop.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    own_connections = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in own_connections.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(chromium_browser):
    """Open a page in a fresh browser context (own cookies), Chinese locale. Keyword
    arguments go to ``new_context`` (e.g. a viewport). Not called ``page``: pytest-playwright
    owns that name and would launch its own (absent) browser build."""
    contexts = []

    def open_page(**options):
        options.setdefault("locale", "zh-CN")
        context = chromium_browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


class LiveSites:
    """The site group's Wagtail sites, each answering on the live server's port."""

    def __init__(self, sites, port):
        self.sites = sites
        self.port = port

    def __getitem__(self, key):
        return self.sites[key]

    def url(self, key, path="/"):
        return f"http://{self.sites[key].hostname}:{self.port}{path}"


@pytest.fixture
def live_sites(live_server, site_group, settings):  # noqa: F811
    """The shared site group with every site's port set to the live server's, so that
    http://<hostname>.localhost:<port>/ reaches its portal (Chromium resolves *.localhost
    to 127.0.0.1 by itself)."""
    from django.core.cache import cache

    port = urlsplit(live_server.url).port
    for site in site_group.values():
        site.port = port
        site.save(update_fields=["port"])
    cache.clear()
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    # Pages check for a single sign-on session at the identity host and bounce through it
    # when it answers (site.js). Tests about something else point it at a closed port, so
    # their pages stay put; tests/browser/test_sso_journey.py points it at the live server.
    settings.IDENTITY_URL = "http://localhost:9"
    return LiveSites(site_group, port)


@pytest.fixture
def county_content(live_sites):
    """Columns, a news article, a policy document and its interpretation on a county portal
    (松林县), all published."""
    import datetime

    from yiwang.portal.constants import ColumnType, SubjectCategory
    from yiwang.portal.models import (
        ArticlePage,
        ColumnPage,
        PolicyDocumentPage,
        PolicyInterpretationPage,
    )

    home = live_sites["county_a"].root_page.specific

    def column(title, slug, column_type):
        page = ColumnPage(title=title, slug=slug, column_type=column_type)
        home.add_child(instance=page)
        page.save_revision().publish()
        return page

    def publish(parent, page):
        parent.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        return page

    news = column("工作动态", "gzdt", ColumnType.NEWS)
    policies = column("政策文件", "zcwj", ColumnType.POLICY)
    interpretations = column("政策解读", "zcjd", ColumnType.INTERPRETATION)
    article = publish(
        news,
        ArticlePage(
            title="松林县召开春季植树造林工作会议",
            slug="zhishu",
            summary="会议部署了今年的植树造林任务。",
            content_source="松林县林业局",
            body="<p>会议要求各乡镇按时完成植树造林任务。</p>",
        ),
    )
    document = publish(
        policies,
        PolicyDocumentPage(
            title="松林县人民政府关于加强森林防火工作的通知",
            slug="senlin-fanghuo",
            issuing_authority="松林县人民政府",
            document_number="松政发〔2026〕1号",
            date_written=datetime.date(2026, 1, 5),
            subject_category=SubjectCategory.AGRICULTURE,
            body="<p>各乡镇人民政府，县直各部门：现就加强森林防火工作通知如下。</p>",
        ),
    )
    interpretation = PolicyInterpretationPage(
        title="图解：松林县加强森林防火工作",
        slug="tujie-fanghuo",
        body="<p>一图读懂森林防火工作要求。</p>",
    )
    interpretation.documents = [document]
    publish(interpretations, interpretation)
    return {
        "home": home,
        "news": news,
        "policies": policies,
        "interpretations": interpretations,
        "article": article,
        "document": document,
        "interpretation": interpretation,
    }


@pytest.fixture
def results_dir():
    """test-results/ (gitignored): screenshots worth looking at after a run."""
    RESULTS_DIR.mkdir(exist_ok=True)
    return RESULTS_DIR


@pytest.fixture
def assert_accessible():
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now and fail with
    every violation (rule id, impact, the offending nodes) when there is any."""
    if not AXE_JS.exists():
        tool_missing(f"axe-core is not installed at {AXE_JS}: run `npm ci` (make test does)")

    def check(page, label):
        page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        # A check that ran no rule would pass anything.
        assert result["passes"], f"axe-core ran no WCAG rule on {label}"
        violations = result["violations"]
        assert not violations, (
            f"axe-core found {len(violations)} WCAG A/AA violation(s) on {label} "
            f"({page.url}):\n{describe_violations(violations)}"
        )

    return check


def describe_violations(violations):
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more nodes")
    return "\n".join(lines)
