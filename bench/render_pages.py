"""Render times and query counts of the public pages of a county portal.

Builds a small site group (a province, a city, a county) in a throwaway SQLite database, puts
N articles in one column of the county portal, then renders its home page, that column and
one article many times through Django's test client, and prints the median and 95th
percentile time and the number of SQL queries of each.

    .venv/bin/python bench/render_pages.py [--articles 300] [--repeats 50]

`make bench` runs it with the defaults. The figures are for comparing one change with the
next on the same machine, not absolute promises: the database is SQLite on local disk, the
cache is in memory and nothing sits in front of Django.
"""

import argparse
import datetime
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
COUNTY_HOST = "songlin.localhost"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300, help="articles in the column")
    parser.add_argument("--repeats", type=int, default=50, help="renders of each page")
    return parser.parse_args()


def set_up_django(data_dir):
    # The test shape of the settings: SQLite under data_dir, an in-memory cache and tasks
    # (search indexing) run at once, so building the content needs no worker.
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["YIWANG_DATA_DIR"] = str(data_dir)
    os.environ["YIWANG_ENV"] = "test"
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.settings"
    sys.path.insert(0, str(REPO))
    (data_dir / "static").mkdir()

    import django
    from django.core.management import call_command

    django.setup()
    # Page saves log every page and every search-index task; the figures are the output.
    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)


def build_site_group(article_count):
    from yiwang.orgs.models import Region, level_of, stats_code
    from yiwang.portal.constants import ColumnType, SubjectCategory
    from yiwang.portal.models import ArticlePage, ColumnPage, PolicyDocumentPage
    from yiwang.portal.sitegroup import create_portal

    def region(code, name, parent=None):
        full = stats_code(code)
        return Region.objects.create(
            code=full, division_code=full[:6], name=name, level=level_of(code), parent=parent
        )

    province = region("99", "示范省")
    city = region("9901", "青山市", province)
    county = region("990102", "松林县", city)
    create_portal(
        hostname="sheng.localhost",
        title="示范省人民政府",
        region=province,
        is_default=True,
        site_id_code="9900000001",
    )
    create_portal(
        hostname="qingshan.localhost",
        title="青山市人民政府",
        region=city,
        site_id_code="9901000001",
    )
    site = create_portal(
        hostname=COUNTY_HOST, title="松林县人民政府", region=county, site_id_code="9901020001"
    )
    home = site.root_page.specific

    def column(title, slug, column_type):
        page = ColumnPage(title=title, slug=slug, column_type=column_type)
        home.add_child(instance=page)
        return page

    news = column("工作动态", "gzdt", ColumnType.NEWS)
    notices = column("通知公告", "tzgg", ColumnType.NOTICE)
    policies = column("政策文件", "zcwj", ColumnType.POLICY)
    start = datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC)
    body = "<p>" + "松林县持续推进政务公开标准化规范化建设，提升政务服务水平。" * 20 + "</p>"
    for i in range(article_count):
        news.add_child(
            instance=ArticlePage(
                title=f"松林县工作动态第{i + 1}期",
                slug=f"news-{i + 1}",
                publish_date=start + datetime.timedelta(hours=i),
                summary="工作动态摘要。",
                content_source="松林县人民政府办公室",
                body=body,
            )
        )
    for i in range(10):
        notices.add_child(
            instance=ArticlePage(
                title=f"松林县通知公告第{i + 1}号",
                slug=f"notice-{i + 1}",
                kind="notice",
                publish_date=start + datetime.timedelta(days=i),
                body=body,
            )
        )
        policies.add_child(
            instance=PolicyDocumentPage(
                title=f"松林县人民政府关于第{i + 1}项工作的通知",
                slug=f"policy-{i + 1}",
                issuing_authority="松林县人民政府",
                date_written=datetime.date(2026, 1, 1 + i),
                subject_category=SubjectCategory.GENERAL,
                body=body,
            )
        )
    article = ArticlePage.objects.child_of(news).order_by("-publish_date").first()
    return {"home page": home, "column page": news, "article page": article}


def measure(pages, repeats):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=COUNTY_HOST)
    results = []
    for label, page in pages.items():
        path = urlsplit(page.full_url).path
        response = client.get(path)  # warm caches and template loading
        if response.status_code != 200:
            raise SystemExit(f"{label} {path} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        # Counted now: the captured list is a view of the connection's log, which the next
        # request clears.
        query_count = len(queries)
        timings = []
        for _ in range(repeats):
            began = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - began) * 1000)
        p50 = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[-1] if repeats >= 2 else timings[0]
        results.append((label, path, p50, p95, query_count))
    return results


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="yiwang-bench-") as data_dir:
        set_up_django(Path(data_dir))
        began = time.perf_counter()
        pages = build_site_group(args.articles)
        built = time.perf_counter() - began
        results = measure(pages, args.repeats)

    print(
        f"Site group built in {built:.1f} s: {args.articles} articles in one column, "
        f"{args.repeats} renders of each page, SQLite, DEBUG off."
    )
    print(f"{'page':<14} {'path':<22} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for label, path, p50, p95, queries in results:
        print(f"{label:<14} {path:<22} {p50:>8.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
