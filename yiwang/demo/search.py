"""The demo's search data (全网检索): the synonym groups every installation starts with (the
editors' data, editable in the admin), a promoted result for 身份证 on 松林县's portal, and a
news item on 松林县's portal about ID cards — so that searching 身份证 there finds items,
news and replies of the whole group. The index itself is built after the load
(``loader._build_search_index``).

Idempotent: groups are found by their terms, the promoted result by its title, the news by
its slug.
"""

import datetime

from django.urls import reverse

from yiwang.portal.models import ArticleKind, ArticlePage, ColumnPage
from yiwang.search.models import PromotedResult, SynonymGroup

from .spec import BASE_DATE, TZ, places, portal_hostname

SHOWCASE_PLACE = "990121"
SYNONYMS = (
    ("身份证、居民身份证", "常用简称"),
    ("医保、医疗保险、基本医疗保险", "常用简称"),
    ("公积金、住房公积金", "常用简称"),
    ("社保、社会保险", "常用简称"),
    ("营业执照、执照", ""),
    ("户口、户籍", ""),
    ("新生儿、婴儿、出生", ""),
)
NEWS_SLUG = "sfz-kuasheng"
NEWS_TITLE = "松林县公安局推出居民身份证跨省通办服务"
NEWS_BODY = (
    "<p>近日，松林县公安局在县政务服务中心公安窗口推出居民身份证异地申领、补领和换领"
    "“跨省通办”服务。外省户籍群众在松林县工作生活的，凭本人户口簿或原身份证即可就近办理，"
    "无需再回户籍地。</p>"
    "<p>办理居民身份证时，现场采集人像和指纹信息，一般20个工作日内制证完成，可选择窗口领取"
    "或邮寄送达。群众也可以通过网上办事大厅“居民身份证首次申领”事项在线预约。</p>"
)


def _portal():
    from wagtail.models import Site

    site = Site.objects.filter(hostname=portal_hostname(places()[SHOWCASE_PLACE])).first()
    return site, (site.root_page.specific if site else None)


def load(*, today=None, progress=None):
    """Synonym groups, the promoted result and the news item. Returns what was created."""
    created = {"synonyms": 0, "promoted": 0, "news": 0}
    for terms, note in SYNONYMS:
        _, new = SynonymGroup.objects.get_or_create(terms=terms, defaults={"note": note})
        created["synonyms"] += new
    site, home = _portal()
    if home is not None:
        if not PromotedResult.objects.filter(title="居民身份证办理").exists():
            PromotedResult.objects.create(
                queries="身份证\n居民身份证\n办身份证\n身份证补办",
                title="居民身份证办理",
                url=reverse("catalog:hall") + "?q=身份证",
                description="首次申领、换领、补领居民身份证的办事指南和在线预约。",
                site=site,
            )
            created["promoted"] += 1
        column = ColumnPage.objects.filter(url_path=home.url_path + "xwzx/gzdt/").first()
        if column is not None and not ArticlePage.objects.filter(slug=NEWS_SLUG).exists():
            when = datetime.datetime.combine(
                BASE_DATE - datetime.timedelta(days=5), datetime.time(10, 0), tzinfo=TZ
            )
            news = ArticlePage(
                title=NEWS_TITLE,
                slug=NEWS_SLUG,
                kind=ArticleKind.NEWS,
                publish_date=when,
                first_published_at=when,
                summary="外省户籍群众可在松林县就近办理居民身份证。",
                content_source="松林县公安局",
                author="松林县公安局",
                keywords="居民身份证,跨省通办",
                body=NEWS_BODY,
            )
            column.add_child(instance=news)
            news.save_revision().publish()
            created["news"] += 1
    if progress is not None:
        progress(f"同义词 {created['synonyms']} 组")
    return created


def describe(base_url="/"):
    if not SynonymGroup.objects.exists():
        return []
    return [
        "",
        f"全网检索：{base_url.rstrip('/')}/sousuo/?q=身份证 （同义词、推荐结果在后台“全网检索”，"
        "检索统计在“报告”）",
    ]


def reset():
    """The demo's promoted results and news go with its sites; the synonym groups the demo
    added are removed (someone else's groups stay)."""
    SynonymGroup.objects.filter(terms__in=[terms for terms, _ in SYNONYMS]).delete()
    PromotedResult.objects.filter(title="居民身份证办理").delete()
