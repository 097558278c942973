"""Website monitoring's crawler (``yiwang.monitoring.crawler.crawl``) against LinkChecker, the
peer to beat, on the same local site of N pages, in the same run.

Serves a generated government-style site on 127.0.0.1 (an aiohttp web server in a process
of its own, pages built in memory: national meta tags, a navigation bar, ~20 links a page,
dated list items, attachments, a few broken links), then:

1. a plain aiohttp fetch of every page, no parsing: the server's ceiling, to show that the
   server is not the bottleneck;
2. ``crawl()`` of the whole site (rate limit off, external links off, a small wording
   dictionary on): pages per second;
3. LinkChecker (PyPI ``linkchecker``, in .venv) on the same site: recursive, external links
   off, robots.txt honoured, its per-host throttle lifted (the server sends the
   ``LinkChecker`` header and the config sets maxrequestspersecond=1000), quiet output;

and prints pages per second of each and the ratio (the aim: at least 10 times LinkChecker).

    .venv/bin/python bench/monitoring_crawl.py [--pages 10000] [--skip-linkchecker]
"""

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ATTACHMENTS = 500
NAV = [
    ("工作动态", "gzdt"),
    ("通知公告", "tzgg"),
    ("政策文件", "zcwj"),
    ("政策解读", "zcjd"),
    ("政府信息公开", "xxgk"),
    ("办事服务", "bsfw"),
    ("互动交流", "hdjl"),
    ("专题专栏", "ztzl"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000, help="pages of the site")
    parser.add_argument("--concurrency", type=int, default=16, help="crawl() requests in flight")
    parser.add_argument("--linkchecker-threads", type=int, default=10)
    parser.add_argument("--skip-linkchecker", action="store_true")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    return parser.parse_args()


# -- the site ----------------------------------------------------------------------------


def page_links(i, pages):
    """Page i's links to other pages: the next one (so that every page is reachable) and
    seventeen more spread over the site."""
    out = [(i + 1) % pages]
    for k in range(1, 18):
        out.append((i * 7919 + k * 104729) % pages)
    return out


def render(i, pages):
    day = 1 + i % 28
    month = 1 + i % 12
    column = i % 100 == 0
    nav = "".join(f'<li><a href="/{slug}/">{name}</a></li>' for name, slug in NAV)
    items = "".join(
        f'<li><a href="/p/{target}.html">关于做好第{target}项政务公开工作的通知</a>'
        f"<span>2026-{month:02d}-{1 + (day + n) % 28:02d}</span></li>"
        for n, target in enumerate(page_links(i, pages))
    )
    attachments = (
        f'<p>附件：<a href="/files/{i % ATTACHMENTS}.pdf">工作方案.pdf</a> '
        f'<a href="/files/{(i * 3) % ATTACHMENTS}.docx">任务分工表.docx</a></p>'
    )
    broken = f'<p><a href="/missing/{i}.html">已撤销的页面</a></p>' if i % 50 == 7 else ""
    column_type = "工作动态" if column else "工作动态"
    article = "" if column else f"示范县第{i}号信息"
    meta = {
        "SiteName": "示范县人民政府",
        "SiteDomain": "127.0.0.1",
        "SiteIDCode": "9999000001",
        "ColumnName": "工作动态",
        "ColumnType": column_type,
        "ArticleTitle": article,
        "PubDate": "" if column else f"2026-{month:02d}-{day:02d} 09:00",
        "ContentSource": "示范县人民政府办公室",
        "Keywords": "政务公开,工作动态",
        "Description": f"示范县第{i}号信息的摘要",
    }
    metas = "".join(f'<meta name="{k}" content="{v}">' for k, v in meta.items())
    body = (
        "<p>为深入贯彻落实国务院办公厅关于全面推进政务公开工作的意见，进一步提升政务公开"
        "标准化规范化水平，结合我县实际，现就有关事项通知如下。一、加强组织领导，明确责任"
        "分工；二、完善制度建设，规范公开流程；三、强化监督检查，确保工作落实。</p>" * 3
    )
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>示范县第{i}号信息 - 示范县人民政府</title>{metas}"
        '<link rel="stylesheet" href="/static/site.css"><script src="/static/site.js"></script>'
        f'</head><body><header><a href="/">示范县人民政府</a><nav><ul>{nav}</ul></nav></header>'
        f"<main><h1>示范县第{i}号信息</h1>{body}{attachments}{broken}"
        f'<ul class="item-list">{items}</ul></main>'
        "<footer><p>主办：示范县人民政府办公室 地址：示范县人民路1号 电话：0999-12345678</p>"
        "</footer></body></html>"
    ).encode()


def serve(port, pages):
    """The bench site: an aiohttp web server (this process, one core)."""
    from aiohttp import web

    cache = {}
    stats = {"get": 0, "head": 0, "pages": 0}
    headers = {"Content-Type": "text/html; charset=utf-8", "LinkChecker": "bench"}

    def page(i):
        body = cache.get(i)
        if body is None:
            body = cache[i] = render(i, pages)
        return body

    async def handle(request):
        stats["get" if request.method == "GET" else "head"] += 1
        path = request.path
        if path.startswith("/p/") and path.endswith(".html"):
            try:
                i = int(path[3:-5])
            except ValueError:
                i = -1
            if 0 <= i < pages:
                stats["pages"] += 1
                return web.Response(body=page(i), headers=headers)
        if path == "/":
            stats["pages"] += 1
            return web.Response(
                body=page(0).replace(b"<h1>", "<h1>首页 ".encode()), headers=headers
            )
        if path.startswith("/files/"):
            return web.Response(body=b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        if path.startswith("/static/"):
            return web.Response(text="/* */", content_type="text/css")
        if (
            path.count("/") == 2
            and path.endswith("/")
            and path.strip("/") in dict((slug, name) for name, slug in NAV)
        ):
            stats["pages"] += 1
            return web.Response(
                body=page(1).replace(b"<h1>", "<h1>栏目 ".encode()), headers=headers
            )
        return web.Response(status=404, text="not found", headers={"LinkChecker": "bench"})

    async def get_stats(request):
        return web.json_response(stats)

    async def reset(request):
        for key in stats:
            stats[key] = 0
        return web.json_response(stats)

    app = web.Application()
    app.router.add_get("/__stats", get_stats)
    app.router.add_get("/__reset", reset)
    app.router.add_route("*", "/{tail:.*}", handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None, backlog=1024)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_stats(base, action="__stats"):
    with urllib.request.urlopen(base + action, timeout=10) as response:
        return json.loads(response.read())


def start_server(pages):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--pages", str(pages)],
        cwd=REPO,
    )
    base = f"http://127.0.0.1:{port}/"
    for _ in range(200):
        try:
            server_stats(base)
            return process, base
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the bench server did not start")


# -- the runs ----------------------------------------------------------------------------


def plain_fetch(base, pages, concurrency):
    """Every page once with a bare aiohttp client (no parsing): what the server can give."""
    import aiohttp

    async def main():
        queue = list(range(pages))
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=concurrency)
        ) as session:

            async def worker():
                while queue:
                    i = queue.pop()
                    async with session.get(f"{base}p/{i}.html") as response:
                        await response.read()

            await asyncio.gather(*(worker() for _ in range(concurrency)))

    started = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - started


def run_crawl(base, pages, concurrency):
    sys.path.insert(0, str(REPO))
    from yiwang.monitoring import crawler
    from yiwang.monitoring.results import CrawlLimits
    from yiwang.monitoring.tests.fixture_site import WORDING

    limits = CrawlLimits(
        max_pages=2 * pages + 100,
        max_seconds=1800,
        rate_per_second=0,
        concurrency=concurrency,
        check_external=False,
        timeout=30,
    )
    shown = [0.0]

    def progress(done, queued):
        now = time.perf_counter()
        if now - shown[0] >= 2:
            shown[0] = now
            print(f"  crawl(): {done} pages, {queued} queued", flush=True)

    started = time.perf_counter()
    report = crawler.crawl(base, limits=limits, wording=WORDING, progress=progress)
    return time.perf_counter() - started, report


def run_linkchecker(base, threads):
    exe = shutil.which("linkchecker", path=str(Path(sys.executable).parent)) or shutil.which(
        "linkchecker"
    )
    if exe is None:
        print("LinkChecker is not installed: .venv/bin/pip install linkchecker")
        return None
    config_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-linkchecker-"))
    config = config_dir / "linkcheckerrc"
    config.write_text(
        f"[checking]\nmaxrequestspersecond=1000\nthreads={threads}\ntimeout=30\n"
        "[filtering]\ncheckextern=0\n[output]\nstatus=0\nwarnings=0\n"
    )
    env = dict(os.environ, HOME=str(config_dir), XDG_CONFIG_HOME=str(config_dir))
    command = [exe, "-f", str(config), "-o", "none", "--no-status", "--no-warnings", base]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    while process.poll() is None:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            done = server_stats(base)["pages"]
            print(f"  LinkChecker: {done} pages after {time.perf_counter() - started:.0f} s")
    elapsed = time.perf_counter() - started
    shutil.rmtree(config_dir, ignore_errors=True)
    # LinkChecker exits 1 when it found broken links (the site has some).
    if process.returncode not in (0, 1):
        print(process.stderr.read()[-2000:])
        raise SystemExit(f"LinkChecker failed ({process.returncode})")
    return elapsed


def main():
    args = parse_args()
    if args.serve:
        serve(args.serve, args.pages)
        return
    pages = args.pages
    print(f"Site of {pages} pages (~20 links each, attachments, 1 in 50 with a broken link)")
    process, base = start_server(pages)
    try:
        ceiling = plain_fetch(base, pages, args.concurrency)
        print(f"plain aiohttp fetch, no parsing: {pages / ceiling:8.0f} pages/s (the server)")
        server_stats(base, "__reset")

        elapsed, report = run_crawl(base, pages, args.concurrency)
        crawled = server_stats(base)["pages"]
        broken = sum(1 for f in report.findings if f.kind == "broken_link")
        ours = report.pages / elapsed
        print(
            f"crawl():                        {ours:8.0f} pages/s  ({report.pages} pages, "
            f"{report.links_checked} links, {broken} broken links, {elapsed:.1f} s)"
        )
        if not report.finished or crawled < pages:
            raise SystemExit(f"crawl() did not cover the site ({crawled} pages served)")

        if args.skip_linkchecker:
            return
        server_stats(base, "__reset")
        print("LinkChecker (this takes a while)...", flush=True)
        lc_elapsed = run_linkchecker(base, args.linkchecker_threads)
        if lc_elapsed is None:
            return
        lc_pages = server_stats(base)["pages"]
        theirs = lc_pages / lc_elapsed
        print(
            f"LinkChecker:                    {theirs:8.0f} pages/s  ({lc_pages} pages, "
            f"{lc_elapsed:.1f} s)"
        )
        print(f"crawl() / LinkChecker:          {ours / theirs:8.1f} x  (aim: at least 10 x)")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
