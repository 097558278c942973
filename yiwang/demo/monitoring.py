"""The demo's website monitoring (网站监测): every demo portal under monitoring (owned by its
place's government office), a monitoring administrator of the province, 松林县's website
team (the interaction demo's) as its portal's site team, a week of reachability tries (one
county portal with a few failures, so the availability figures are not all 100 %), the day's
news on every portal (its site team's daily update), and a first full check of every
portal, queued to start once the web server is up.

Idempotent: sites are found by their portal or address, accounts by username, the week of
tries is written once per site. Needs the demo portals (``builder.py``) and the interaction
demo's accounts (``interaction.py``).
"""

import datetime
import hashlib
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Site

from yiwang.monitoring import runner
from yiwang.monitoring.constants import MONITORING_ADMIN_GROUP, SITE_TEAM_GROUP
from yiwang.monitoring.models import MonitoredSite, Probe, SiteScore
from yiwang.monitoring.tasks import execute_run

from . import geography as geo
from .catalog import _department
from .spec import (
    ADDRESSEES,
    DEMO_PASSWORD,
    HEAD_TITLES,
    LEVEL_WORDS,
    SUB_UNITS,
    places,
    portal_hostname,
    site_url,
)
from .text import TextGenerator, Voice

SHOWCASE_PLACE = "990121"
# The county portal whose week of tries has failures (3 of 140: 2.1 %, under the 5 % veto).
FLAKY_PLACE = "990122"
FLAKY_FAILURES = 3
PROBE_DAYS = 7
# The demo's portals are small: a check reads all of each at this pace.
RATE_PER_SECOND = 20
MAX_PAGES = 3000
# The first checks start this long after the load, when ``make demo`` has the server up.
FIRST_RUN_DELAY = datetime.timedelta(seconds=20)


@dataclass(frozen=True)
class MonitoringStaff:
    username: str
    display_name: str
    place: str
    group: str
    role: str
    mobile: str


MONITORING_STAFF = (
    MonitoringStaff(
        "jiance.mingchuan",
        "何静",
        "99",
        MONITORING_ADMIN_GROUP,
        "明川省网站监测管理员：全省网站的得分、检查报告、添加外部网站、错敏词库",
        "13900000111",
    ),
    # The county office's website team of the interaction demo (网站找错留言的承办) is the
    # portal's site team here too: it gets the monitoring alerts of 松林县's portal.
    MonitoringStaff(
        "wangzhan.songlin",
        "李想",
        SHOWCASE_PLACE,
        SITE_TEAM_GROUP,
        "松林县人民政府门户网站主办单位：本站检查报告和问题通知（也承办网站找错留言）",
        "",
    ),
)
# Accounts only this step makes (the site team's is the interaction demo's).
OWN_ACCOUNTS = ("jiance.mingchuan",)


def monitoring_usernames():
    """The accounts this step makes (the summary's device list)."""
    return list(OWN_ACCOUNTS)


def _staff():
    from yiwang.demo.staff_devices import ensure_staff_account

    by_code = places()
    return {
        spec.username: ensure_staff_account(
            spec.username,
            display_name=spec.display_name,
            department=_department(by_code[spec.place], "office"),
            groups=[spec.group],
            mobile=spec.mobile,
        )
        for spec in MONITORING_STAFF
    }


def _portal_sites():
    """(place, wagtail Site) of every demo portal that exists."""
    sites = {s.hostname: s for s in Site.objects.all()}
    return [
        (place, sites[portal_hostname(place)])
        for place in geo.portal_places()
        if portal_hostname(place) in sites
    ]


def _ensure_site(place, portal, creator):
    office = _department(place, "office")
    base_url = site_url(portal)
    site = MonitoredSite.objects.filter(portal=portal).first()
    if site is None:
        site = MonitoredSite.objects.filter(base_url=base_url).first()
    values = {
        "name": portal.site_name,
        "base_url": base_url,
        "region": office.region,
        "portal": portal,
        "owner_department": office,
        "check_external": False,  # the demo machine need not reach the Internet
        "rate_per_second": RATE_PER_SECOND,
        "max_pages": MAX_PAGES,
    }
    if site is None:
        return MonitoredSite.objects.create(created_by=creator, **values)
    for name, value in values.items():
        setattr(site, name, value)
    site.save()
    return site


NEWS_COLUMN_PATH = "xwzx/gzdt/"


def _todays_news(place, portal, now, publisher):
    """The site team's update of the day: a news item dated today in the portal's 工作动态
    column. The demo's content is generated up to ``spec.BASE_DATE`` and never "now", so
    without it every home page would look stale on the day the demo is loaded; the
    department and township columns migrated into 松林县 are left as they are (stale, as
    such columns often are). Returns the page, or None when today's is already there."""
    from yiwang.portal.models import ArticleKind, ArticlePage, ColumnPage

    root = portal.root_page
    column = (
        ColumnPage.objects.descendant_of(root)
        .filter(url_path=root.url_path + NEWS_COLUMN_PATH)
        .first()
    )
    if column is None:
        return None
    today = timezone.localdate(now)
    if ArticlePage.objects.child_of(column).filter(publish_date__date=today).exists():
        return None
    rng = random.Random(f"demo-monitoring-{place.code}-{today.isoformat()}")
    text = TextGenerator(rng)
    office = _department(place, "office").name
    voice = Voice(
        org=place.name,
        signer=office,
        place=place.name,
        level_word=LEVEL_WORDS.get(place.level, "县"),
        sub_units=SUB_UNITS[place.level],
        addressee=ADDRESSEES[place.level],
        sub_places=tuple(child.name for child in place.children) or ("城区",),
    )
    topic = rng.choice(geo.GOVERNMENT.topics)
    leader = f"{rng.choice(HEAD_TITLES[place.level])}{text.person_name()}"
    title, summary, body = text.news(voice, topic, today, leader)
    # The start of the day: the same for every load that day (a reset gives the same page).
    when = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    page = ArticlePage(
        title=title,
        slug=f"jr-{today:%Y%m%d}",
        kind=ArticleKind.NEWS,
        publish_date=when,
        first_published_at=when,
        summary=summary,
        content_source=f"{place.name}融媒体中心",
        author=office,
        keywords=f"{topic},{place.name}",
        body=body,
    )
    column.add_child(instance=page)
    page.save_revision(user=publisher).publish(user=publisher)
    return page


def _offset(site, slot):
    digest = hashlib.sha256(f"demo-probe-{site.base_url}-{slot}".encode()).hexdigest()
    return int(digest[:8], 16)


def _week_of_probes(site, *, place, now):
    """Twenty tries a day for the last week, spread out like the scheduler's; the flaky
    county's portal failed a few of them (timeouts)."""
    if site.probes.exists():
        return 0
    per_day = site.tries_per_day
    interval = 86400 // per_day
    total = PROBE_DAYS * per_day
    failing = set()
    if place.code == FLAKY_PLACE:
        failing = {total // 4, total // 2, (3 * total) // 4}
    rows = []
    for slot in range(total):
        at = now - datetime.timedelta(seconds=(total - slot) * interval)
        elapsed = 80 + _offset(site, slot) % 400
        if slot in failing:
            rows.append(
                Probe(site=site, at=at, ok=False, elapsed_ms=15000, detail="超过 15 秒未响应")
            )
        else:
            rows.append(Probe(site=site, at=at, ok=True, status=200, elapsed_ms=elapsed))
    Probe.objects.bulk_create(rows)
    return len(rows)


def load(*, today=None, progress=None):
    """The monitored portals, the two accounts, a week of tries each, and every portal's
    first check queued (deferred until the server is up when the task backend can defer).
    Returns (sites, runs queued)."""
    now = timezone.now()
    staff = _staff()
    admin = staff["jiance.mingchuan"]
    if progress is not None:
        progress("监测人员")
    # The demo's superuser publishes, as it published the rest of the content.
    publisher = get_user_model().objects.filter(username="admin", is_superuser=True).first()
    sites = []
    for place, portal in _portal_sites():
        site = _ensure_site(place, portal, admin)
        _week_of_probes(site, place=place, now=now)
        _todays_news(place, portal, now, publisher)
        sites.append(site)
    if progress is not None:
        progress(f"监测网站 {len(sites)} 个，当日动态已发布")
    defer = execute_run.get_backend().supports_defer
    queued = 0
    for site in sites:
        if site.runs.exists():
            continue
        runner.start_run(site, run_after=now + FIRST_RUN_DELAY if defer else None)
        queued += 1
    if progress is not None:
        progress(f"首次检查 {queued} 个")
    return len(sites), queued


def describe(base_url="/"):
    """Login lines for the demo summary."""
    User = get_user_model()
    names = [spec.username for spec in MONITORING_STAFF]
    present = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    if not present:
        return []
    sites = MonitoredSite.objects.filter(portal__isnull=False)
    scored = SiteScore.objects.filter(site__in=sites).values("site").distinct().count()
    state = (
        f"{sites.count()} 个门户网站，已评分 {scored} 个"
        if scored
        else f"{sites.count()} 个门户网站，首次检查在服务启动后自动开始，每站约一两分钟"
    )
    lines = [
        "",
        f"网站监测：{base_url.rstrip('/')}/admin/monitoring/ （{state}）；账号（密码同上）：",
    ]
    for spec in MONITORING_STAFF:
        if spec.username in present:
            lines.append(f"  {spec.username} / {DEMO_PASSWORD}  {spec.display_name}，{spec.role}")
    return lines


def reset():
    """Delete the monitored demo portals (their runs, findings, scores, tries, fingerprints
    and alerts go with them) and the demo's monitoring accounts. Sites someone added by
    hand in the demo's regions go too: the regions are about to be deleted. The site team's
    account is the interaction demo's to delete."""
    MonitoredSite.objects.filter(region__code__startswith=geo.DEMO_CODE_PREFIX).delete()
    get_user_model().objects.filter(
        username__in=monitoring_usernames(),
        department__region__code__startswith=geo.DEMO_CODE_PREFIX,
    ).delete()
