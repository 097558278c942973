"""The public pages of a portal: every page type renders in Chinese with the national meta
tags, navigation, breadcrumbs, the site-group navigation and the footer."""

import datetime

import pytest
from django.core.files.base import ContentFile
from lxml import html

from yiwang.portal.constants import Validity
from yiwang.portal.models import ArticlePage, PageAttachment, PortalSettings

from .conftest import at, publish_page

COUNTY = "songlin.localhost"
NATIONAL_META = [
    "SiteName",
    "SiteDomain",
    "SiteIDCode",
    "ColumnName",
    "ColumnType",
    "ArticleTitle",
    "PubDate",
    "ContentSource",
    "Keywords",
    "Author",
    "Description",
    "Image",
    "Url",
]


def fetch(client, url, host=COUNTY, status=200):
    response = client.get(url, HTTP_HOST=host)
    assert response.status_code == status, response.content.decode()[:500]
    return response, html.fromstring(response.content)


def meta(tree):
    return {el.get("name"): el.get("content") for el in tree.xpath("//head/meta[@name]")}


def texts(elements):
    return [" ".join(el.text_content().split()) for el in elements]


PAGE_TEMPLATES = {
    "home": "portal/portal_home_page.html",
    "news": "portal/column_page.html",
    "article": "portal/article_page.html",
    "document": "portal/policy_document_page.html",
    "interpretation": "portal/policy_interpretation_page.html",
    "catalog": "portal/disclosure_catalog_page.html",
    "topic": "portal/topic_page.html",
    "leader": "portal/leader_page.html",
    "functions": "portal/organization_functions_page.html",
}


@pytest.mark.parametrize("key", sorted(PAGE_TEMPLATES))
def test_every_page_type_renders_with_its_template_one_h1_and_landmarks(
    client, county_content, key
):
    response, tree = fetch(client, county_content[key].url)
    assert PAGE_TEMPLATES[key] in [t.name for t in response.templates]
    assert tree.get("lang") == "zh-Hans"
    assert len(tree.xpath("//h1")) == 1
    assert tree.xpath("//header") and tree.xpath("//main[@id='main']") and tree.xpath("//footer")
    assert tree.xpath("//a[@class='skip-link']/@href") == ["#main"]
    for nav in tree.xpath("//nav"):
        assert nav.get("aria-label") or nav.get("aria-labelledby"), html.tostring(nav)[:80]
    assert set(NATIONAL_META) <= set(meta(tree))


def test_channel_and_subsite_pages_list_their_columns(client, county_content):
    from yiwang.portal.models import ChannelPage, ColumnPage, SubsiteHomePage, SubsiteKind

    home = county_content["home"]
    channel = publish_page(home, ChannelPage(title="政务公开", slug="zwgk"))
    column = publish_page(channel, ColumnPage(title="财政信息", slug="czxx"))
    publish_page(column, ArticlePage(title="2026年县级预算公开", slug="ys"))
    subsite = publish_page(
        home, SubsiteHomePage(title="松林县林业局", slug="lyj", kind=SubsiteKind.DEPARTMENT)
    )
    sub_column = publish_page(subsite, ColumnPage(title="林业动态", slug="lydt"))
    publish_page(sub_column, ArticlePage(title="林业局开展护林巡查", slug="xuncha"))

    response, tree = fetch(client, channel.url)
    assert "portal/channel_page.html" in [t.name for t in response.templates]
    assert "2026年县级预算公开" in texts(tree.xpath("//main//a"))
    response, tree = fetch(client, subsite.url)
    assert "portal/subsite_home_page.html" in [t.name for t in response.templates]
    assert "林业局开展护林巡查" in texts(tree.xpath("//main//a"))
    assert meta(tree)["ColumnType"] == "子站"
    # The county home shows the channel's column but nothing from the department's sub-site.
    _, tree = fetch(client, home.url)
    links = texts(tree.xpath("//main//a"))
    assert "2026年县级预算公开" in links
    assert "林业局开展护林巡查" not in links


def test_article_carries_the_national_meta_tags(client, county_content):
    article = county_content["article"]
    _, tree = fetch(client, article.url)
    assert meta(tree) | {} == meta(tree)
    tags = meta(tree)
    assert {name: tags[name] for name in NATIONAL_META} == {
        "SiteName": "松林县人民政府",
        "SiteDomain": COUNTY,
        "SiteIDCode": "9901020001",
        "ColumnName": "工作动态",
        "ColumnType": "工作动态",
        "ArticleTitle": "松林县召开春季植树造林工作会议",
        "PubDate": "2026-02-28 09:00",
        "ContentSource": "松林县林业局",
        "Keywords": "植树造林,春季",
        "Author": "李明",
        "Description": "会议部署了今年的植树造林任务。",
        "Image": "",
        "Url": f"http://{COUNTY}/gzdt/zhishu/",
    }
    assert tree.xpath("//title")[0].text == "松林县召开春季植树造林工作会议 - 松林县人民政府"


def test_home_page_meta_says_home_and_has_no_article_fields(client, county_content):
    _, tree = fetch(client, "/")
    tags = meta(tree)
    assert (tags["ColumnName"], tags["ColumnType"]) == ("松林县人民政府", "首页")
    assert tags["ArticleTitle"] == tags["PubDate"] == ""
    assert tree.xpath("//h1")[0].text_content().strip() == "松林县人民政府"


def test_home_page_shows_latest_items_per_column_leaders_and_topics(client, county_content):
    _, tree = fetch(client, "/")
    news_block = tree.xpath("//section[.//h2/a[text()='工作动态']]")[0]
    assert texts(news_block.xpath(".//li/a")) == [
        "松林县召开春季植树造林工作会议",
        "松林县启动春耕备耕工作",
    ]
    assert texts(tree.xpath("//section[@class='home-leaders']//a")) == ["张华"]
    assert texts(tree.xpath("//section[@class='home-topics']//a")) == ["森林防火专题"]


def test_breadcrumbs_on_every_page_but_home(client, county_content):
    _, tree = fetch(client, "/")
    assert not tree.xpath("//nav[@aria-label='当前位置']")
    _, tree = fetch(client, county_content["notices"].url)
    crumbs = tree.xpath("//nav[@aria-label='当前位置']//li")
    assert texts(crumbs) == ["首页", "工作动态", "通知公告"]
    assert crumbs[1].xpath("a/@href") == ["/gzdt/"]
    assert crumbs[-1].xpath("span/@aria-current") == ["page"]


def test_main_navigation_lists_live_sections_in_menu_order(client, county_content):
    _, tree = fetch(client, county_content["article"].url)
    nav = tree.xpath("//nav[@aria-label='主导航']")[0]
    assert texts(nav.xpath(".//a")) == [
        "首页",
        "工作动态",
        "政策文件",
        "政策解读",
        "政府信息公开目录",
        "机构职能",
        "办事服务",
    ]
    assert nav.xpath(".//a[text()='工作动态']/@aria-current") == ["true"]
    county_content["interpretations"].unpublish()
    functions = county_content["functions"]
    functions.show_in_menus = False
    functions.save_revision().publish()
    _, tree = fetch(client, "/")
    nav = tree.xpath("//nav[@aria-label='主导航']")[0]
    assert texts(nav.xpath(".//a")) == [
        "首页",
        "工作动态",
        "政策文件",
        "政府信息公开目录",
        "办事服务",
    ]


def site_group_links(tree):
    nav = tree.xpath("//nav[@aria-labelledby='site-group-heading']")
    if not nav:
        return {}
    return {a.text_content(): a.get("href") for a in nav[0].xpath(".//a")}


def test_site_group_navigation_links_province_cities_and_counties(client, site_group):
    _, tree = fetch(client, "/", host="sheng.localhost")
    assert site_group_links(tree) == {"青山市人民政府": "http://qingshan.localhost/"}
    _, tree = fetch(client, "/", host="qingshan.localhost")
    assert site_group_links(tree) == {
        "示范省人民政府": "http://sheng.localhost/",
        "松林县人民政府": "http://songlin.localhost/",
        "临溪县人民政府": "http://linxi.localhost/",
    }
    _, tree = fetch(client, "/", host="linxi.localhost")
    assert site_group_links(tree) == {"青山市人民政府": "http://qingshan.localhost/"}


def test_footer_shows_the_portal_settings(client, county_content):
    settings = PortalSettings.for_site(county_content["site"])
    settings.organizer = "松林县人民政府办公室"
    settings.icp_number = "示ICP备00000001号"
    settings.police_filing = "示公网安备 99010202000001号"
    settings.contact_phone = "0000-7654321"
    settings.contact_address = "松林县人民路1号"
    settings.error_report_url = (
        "https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo?site=9901020001"
    )
    settings.save()
    _, tree = fetch(client, county_content["news"].url)
    footer = " ".join(tree.xpath("//footer")[0].text_content().split())
    for text in (
        "主办单位：松林县人民政府办公室",
        "网站标识码：9901020001",
        "示ICP备00000001号",
        "示公网安备 99010202000001号",
        "联系电话：0000-7654321",
        "松林县人民路1号",
    ):
        assert text in footer
    assert tree.xpath("//footer//a[text()='我为政府网站找错']/@href") == [settings.error_report_url]


def test_elder_mode_print_and_login_are_client_side(client, county_content):
    response, tree = fetch(client, county_content["article"].url)
    head_scripts = tree.xpath("//head/script[not(@src)]")
    assert "localStorage" in head_scripts[0].text and "elder" in head_scripts[0].text
    # Applied before the stylesheet loads, so the larger type shows on first paint.
    head = [el.tag for el in tree.xpath("//head/*")]
    assert head.index("script") < head.index("link")
    assert tree.xpath("//button[@data-elder-toggle]/@aria-pressed") == ["false"]
    assert tree.xpath("//button[@data-print]")
    assert texts(tree.xpath("//*[@data-session]")) == ["登录"]
    assert tree.xpath("//link[@rel='stylesheet']/@href") == ["/static/yiwang/site.css"]
    assert b"http://cdn" not in response.content and b"fonts.googleapis" not in response.content


def test_column_lists_newest_first_paginated_with_sub_columns(client, county_content):
    news = county_content["news"]
    news.page_size = 2
    news.save_revision().publish()
    publish_page(news, ArticlePage(title="最新的一条", slug="newest", publish_date=at(0)))
    _, tree = fetch(client, news.url)
    assert texts(tree.xpath("//main//ul[@class='item-list']//a")) == [
        "最新的一条",
        "松林县召开春季植树造林工作会议",
    ]
    assert texts(tree.xpath("//nav[contains(@aria-label, '子栏目')]//a")) == ["通知公告"]
    assert tree.xpath("//nav[@aria-label='分页']//a[@rel='next']/@href") == ["?page=2"]
    _, tree = fetch(client, news.url + "?page=2")
    assert texts(tree.xpath("//main//ul[@class='item-list']//a")) == ["松林县启动春耕备耕工作"]
    for bad in ("abc", "0", "-1", "99999999999999999999999", "1.5", "%00", "2%27"):
        _, tree = fetch(client, f"{news.url}?page={bad}")
        assert tree.xpath("//main//ul[@class='item-list']//a")


def test_column_ignores_unpublished_and_private_pages(client, county_content):
    from wagtail.models import PageViewRestriction

    county_content["older_article"].unpublish()
    private = publish_page(county_content["news"], ArticlePage(title="内部通知", slug="neibu"))
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    _, tree = fetch(client, county_content["news"].url)
    assert texts(tree.xpath("//main//ul[@class='item-list']//a")) == [
        "松林县召开春季植树造林工作会议"
    ]


def test_policy_document_shows_its_disclosure_metadata(client, county_content):
    document = county_content["document"]
    _, tree = fetch(client, document.url)
    rows = {
        row.xpath("th")[0].text: row.xpath("td")[0].text_content()
        for row in tree.xpath("//table[@class='doc-meta']//tr")
    }
    assert rows == {
        "索引号": document.index_number,
        "发文机关": "松林县人民政府",
        "文号": "松政发〔2026〕1号",
        "成文日期": "2026-01-05",
        "发布日期": "2026-02-27",
        "主题分类": "农业、林业、水利",
        "有效性": "现行有效",
    }
    assert tree.xpath("//table[@class='doc-meta']//th/@scope") == ["row"] * 7
    assert not tree.xpath("//*[@role='note']")
    # It repealed the interim measures, and its interpretation is published with it.
    assert texts(tree.xpath("//section[h2='本文件修改或废止的文件']//a")) == [
        "松林县森林防火管理暂行办法"
    ]
    assert texts(tree.xpath("//section[h2='政策解读']//a")) == ["图解：松林县加强森林防火工作"]
    county_content["interpretation"].unpublish()
    _, tree = fetch(client, document.url)
    assert not tree.xpath("//section[h2='政策解读']")


def test_repealed_document_says_so_and_links_to_its_successor(client, county_content):
    _, tree = fetch(client, county_content["old_document"].url)
    notice = tree.xpath("//*[@role='note']")[0]
    assert "本文件已废止" in notice.text_content()
    document = county_content["document"]
    assert notice.xpath(".//a/@href") == [document.relative_url(document.get_site())]
    old = county_content["old_document"]
    old.validity = Validity.AMENDED
    old.save_revision().publish()
    _, tree = fetch(client, old.url)
    assert "本文件已修改" in tree.xpath("//*[@role='note']")[0].text_content()


def test_interpretation_shows_form_interviewees_video_and_its_documents(client, county_content):
    _, tree = fetch(client, county_content["interpretation"].url)
    main = " ".join(tree.xpath("//main")[0].text_content().split())
    assert "解读形式：访谈解读" in main and "访谈嘉宾：县林业局局长 王强" in main
    assert tree.xpath("//p[@class='video-link']/a/@href") == [
        "https://video.example.cn/fanghuo.mp4"
    ]
    document = county_content["document"]
    assert tree.xpath("//section[h2='解读的文件']//a/@href") == [
        document.relative_url(document.get_site())
    ]


def test_topic_gathers_tagged_pages_and_source_columns_of_its_own_site(
    client, county_content, site_group
):
    topic = county_content["topic"]
    _, tree = fetch(client, topic.url)
    assert texts(tree.xpath("//main//ul[@class='item-list']//a")) == [
        "松林县召开春季植树造林工作会议"
    ]
    # Tagged the same on another county's site: not gathered.
    other_home = site_group["county_b"].root_page.specific
    from yiwang.portal.models import ColumnPage

    other_news = publish_page(other_home, ColumnPage(title="工作动态", slug="gzdt"))
    foreign = publish_page(other_news, ArticlePage(title="临溪县森林防火检查", slug="jc"))
    foreign.tags.add("防火")
    foreign.save_revision().publish()
    topic.source_columns.set([county_content["policies"]])
    topic.save_revision().publish()
    _, tree = fetch(client, topic.url)
    assert texts(tree.xpath("//main//ul[@class='item-list']//a")) == [
        "松林县召开春季植树造林工作会议",
        "松林县人民政府关于加强森林防火工作的通知",
        "松林县森林防火管理暂行办法",
    ]


def test_leader_and_organization_functions_pages(client, county_content):
    _, tree = fetch(client, county_content["leader"].url)
    assert tree.xpath("//h1")[0].text == "张华"
    assert "主持县政府全面工作" in tree.xpath("//main")[0].text_content()
    assert meta(tree)["ColumnType"] == "领导之窗"
    _, tree = fetch(client, county_content["functions"].url)
    main = tree.xpath("//main")[0].text_content()
    assert "执行县人民代表大会的决议" in main and "松林县人民路1号" in main
    assert meta(tree)["ColumnName"] == "机构职能"


def test_attachments_are_listed_with_type_and_size(client, county_content, settings, tmp_path):
    from wagtail.documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    document = Document(title="森林防火责任书")
    document.file.save("zerenshu.pdf", ContentFile(b"%PDF-1.4\n" + b"0" * 2039), save=False)
    document.save()
    page = county_content["document"]
    page.attachments.add(PageAttachment(document=document, title="附件1：森林防火责任书"))
    page.save_revision().publish()
    _, tree = fetch(client, page.url)
    item = tree.xpath("//section[@class='attachments']//li")[0]
    assert item.xpath("a")[0].text == "附件1：森林防火责任书"
    assert item.xpath("a/@href") == [document.url]
    assert " ".join(item.text_content().split()).endswith("（PDF，2.0 KB）")


def test_unknown_page_gives_a_chinese_404_with_the_portal_around_it(client, county_content):
    response, tree = fetch(client, "/no-such-column/", status=404)
    assert tree.xpath("//h1")[0].text == "页面未找到"
    assert tree.xpath("//html/@lang") == ["zh-Hans"]
    assert tree.xpath("//header//*[@class='site-title']/a")[0].text == "松林县人民政府"
    _, tree = fetch(client, "/gzdt/zhishu/nothing/", status=404)
    assert "页面不存在" in tree.xpath("//main")[0].text_content()
    # An unpublished page is not found either.
    county_content["article"].unpublish()
    fetch(client, county_content["article"].url, status=404)


def test_500_page_renders_without_request_context_or_database(rf, db, django_assert_num_queries):
    from yiwang.portal.views import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    tree = html.fromstring(response.content)
    assert tree.get("lang") == "zh-Hans"
    assert tree.xpath("//h1")[0].text == "服务暂时不可用"


def test_publish_dates_show_in_beijing_time(client, county_content):
    late = publish_page(
        county_content["news"],
        ArticlePage(
            title="深夜发布",
            slug="late",
            publish_date=datetime.datetime(
                2026, 3, 1, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
            ),
        ),
    )
    _, tree = fetch(client, late.url)
    assert meta(tree)["PubDate"] == "2026-03-01 23:30"


def test_robots_txt_keeps_crawlers_to_content(client, site_group):
    """Search engines and our own monitoring crawl pages, items and listing pages, not the
    login round trip every page links to, the per-page error-report form or every
    combination of a listing's filters."""
    from urllib.robotparser import RobotFileParser

    text = client.get("/robots.txt", HTTP_HOST=COUNTY).content.decode()
    assert f"Sitemap: http://{COUNTY}/sitemap.xml" in text
    robots = RobotFileParser()
    robots.parse(text.splitlines())
    base = f"http://{COUNTY}"
    for allowed in ("/", "/gzdt/", "/fuwu/", "/fuwu/geren/", "/fuwu/?page=2", "/fuwu/items/X/"):
        assert robots.can_fetch("YiwangMonitor/1.0", base + allowed), allowed
    for refused in (
        "/admin/",
        "/accounts/sso/start?next=/gzdt/",
        "/accounts/login/",
        "/hudong/zhaocuo/?url=http%3A%2F%2Fsonglin.localhost%2F",
        "/fuwu/?department=3",
        "/fuwu/geren/?event=pe-job&type=1",
        "/fuwu/faren/?theme=l-health",
    ):
        assert not robots.can_fetch("YiwangMonitor/1.0", base + refused), refused
