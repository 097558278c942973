"""Search end to end on the real engine (Tantivy, an index in a temporary folder): text
normalised and segmented with the platform's words, synonyms as data, pages, service items
and published replies of the whole group indexed, kept current after commit on publish and
unpublish, found with facets, snippets and scopes; the rebuild command."""

import io

import pytest
from django.core.management import call_command

from yiwang.catalog.tests.factories import (
    build_implementation,
    make_catalog_item,
    make_department,
    publish,
)
from yiwang.interaction import actions
from yiwang.interaction.tests.kit import Kit
from yiwang.portal.models import ArticlePage
from yiwang.portal.tests.conftest import (
    county_content,  # noqa: F401  (fixture)
    publish_page,
)
from yiwang.search import index, query, text
from yiwang.search.engines import forget_engines, get_engine
from yiwang.search.models import SynonymGroup

pytestmark = pytest.mark.django_db


@pytest.fixture(
    autouse=True,
    params=["tantivy", "postgres"],
    ids=["tantivy", "postgres"],
)
def search_index(request, settings, tmp_path):
    """Each test on both engines: Tantivy in a temporary folder, and PostgreSQL's table when
    the suite runs on PostgreSQL (skipped on SQLite)."""
    from django.db import connection

    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL engine needs PostgreSQL")
    settings.SEARCH_ENGINE = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    forget_engines()
    text.reset()
    yield get_engine()
    forget_engines()
    text.reset()


def test_text_is_normalised_half_width_simplified_lower_case():
    assert text.normalise("居民身份證 ＡＢＣ　１２３") == "居民身份证 abc 123"
    assert text.index_terms("辦理居民身份證") == text.index_terms("办理居民身份证")
    assert {"身份证", "居民身份证"} <= set(text.index_terms("办理居民身份证"))


def test_platform_words_stay_whole(regions):
    make_department(regions["county_a"], name="松林县行政审批局")
    text.reset()
    assert "松林县行政审批局" in text.index_terms("松林县行政审批局发布通知")
    assert ("松林县行政审批局",) in text.query_terms("松林县行政审批局")


def test_synonyms_are_data(db):
    assert text.query_terms("医保") == [("医保",)]
    SynonymGroup.objects.create(terms="医保、医疗保险")
    text.reset()
    assert text.query_terms("医保怎么报销") == [("医保", "医疗保险"), ("报销",)]
    group = SynonymGroup(terms="公积金")
    with pytest.raises(Exception, match="至少要有两个词"):
        group.full_clean()


@pytest.fixture
def group_content(county_content, regions, site_group):  # noqa: F811
    """The county's pages, an ID-card service item of the county and a published reply
    about ID cards on the city's portal."""
    department = make_department(regions["county_a"], name="松林县公安局")
    item = publish(
        build_implementation(
            region=regions["county_a"],
            department=department,
            catalog_item=make_catalog_item(name="居民身份证申领"),
        )
    )
    kit = Kit(regions, site_group)
    message, _ = kit.write(title="身份证丢了怎么补办", body="我的身份证丢了，请问在哪里补办？")
    kit.to_housing(message)
    message = kit.answer(message, text="请携带户口簿到县公安局户籍窗口补办居民身份证。")
    message = actions.publish(message=message, staff=kit.reviewer)
    city_news = publish_page(
        site_group["city"].root_page.specific,
        ArticlePage(
            title="青山市推行身份证异地办理",
            slug="shenfenzheng",
            body="<p>即日起，市民可在全市任一户籍窗口办理居民身份证。</p>",
        ),
    )
    return {"item": item, "message": message, "city_news": city_news, **county_content}


def rebuild():
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out, verbosity=0)
    return out.getvalue()


def test_the_whole_group_is_found_with_facets_and_snippets(group_content, site_group):
    output = rebuild()
    assert "已重建索引（" in output and "条（网页、办事事项、互动留言）" in output
    outcome = query.search("身份证")
    kinds = {r.kind for r in outcome.results}
    assert {"item", "message"} <= kinds
    item = next(r for r in outcome.results if r.kind == "item")
    assert item.title == "居民身份证申领" and "<mark>身份证</mark>" in item.title_html
    assert item.url.endswith(f"/fuwu/items/{group_content['item'].code}/")
    assert item.url.startswith("http://songlin.localhost")
    reply = next(r for r in outcome.results if r.kind == "message")
    assert "户籍窗口" in reply.snippet_html and reply.url.endswith(
        f"/hudong/gongkai/{group_content['message'].number}/"
    )
    facet_kinds = {value: count for value, _, count in outcome.facets["kind"]}
    assert facet_kinds == {"item": 1, "message": 1, "news": 1}
    sites = {value: count for value, _, count in outcome.facets["site_id"]}
    assert sites == {site_group["county_a"].pk: 2, site_group["city"].pk: 1}

    # This site only: the county's portal has the item and the reply, not the city's news.
    county = query.search("身份证", site=site_group["county_a"])
    assert sorted(r.kind for r in county.results) == ["item", "message"]
    # A type filter, and its facet still counts the others.
    replies = query.search("身份证", kinds=["message"])
    assert [r.kind for r in replies.results] == ["message"]
    assert {v for v, _, _ in replies.facets["kind"]} == {"item", "message", "news"}


def test_pages_are_found_by_their_words_and_metadata(group_content):
    rebuild()
    outcome = query.search("植树造林")
    assert outcome.results[0].title == "松林县召开春季植树造林工作会议"
    assert outcome.results[0].kind == "news"
    assert "<mark>植树造林</mark>" in outcome.results[0].snippet_html
    # A document by its number; traditional characters find simplified text.
    assert query.search("松林发〔2020〕3号").results[0].title == "松林县森林防火管理暂行办法"
    assert query.search("森林防火").total >= 2
    assert query.search("植樹造林").results[0].title == "松林县召开春季植树造林工作会议"
    assert query.search("不存在的词语组合").total == 0


def test_the_index_follows_publishing_after_commit(
    group_content, django_capture_on_commit_callbacks
):
    from yiwang.portal.models import ArticlePage

    rebuild()
    article = group_content["article"]
    assert query.search("植树造林").total == 1
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert query.search("植树造林").total == 0
    page = ArticlePage.objects.get(pk=article.pk)
    page.title = "松林县召开植树造林和森林防火工作会议"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    found = query.search("植树造林")
    assert [r.title for r in found.results] == ["松林县召开植树造林和森林防火工作会议"]
    # Moved to another portal: found at its new address, on the new site.
    with django_capture_on_commit_callbacks(execute=True):
        page.move(group_content["city_news"].get_parent(), pos="last-child")
    (moved,) = query.search("植树造林").results
    assert moved.url.startswith("http://qingshan.localhost") and moved.site_name == "青山市人民政府"
    with django_capture_on_commit_callbacks(execute=True):
        ArticlePage.objects.get(pk=article.pk).delete()
    assert query.search("植树造林").total == 0


def test_a_suspended_item_leaves_the_index(group_content, django_capture_on_commit_callbacks):
    from yiwang.catalog.constants import ImplementationStatus

    rebuild()
    assert query.search("居民身份证申领").total == 1
    item = group_content["item"]
    with django_capture_on_commit_callbacks(execute=True):
        item.status = ImplementationStatus.SUSPENDED
        item.save(update_fields=["status"])
    assert query.search("居民身份证申领").total == 0


def test_one_task_per_transaction_whatever_the_changes(
    group_content, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(index, "update", lambda keys: enqueued.append(keys))
    with django_capture_on_commit_callbacks(execute=True):
        index.changed("page:1")
        index.changed("page:2")
        index.changed("item:1")
    assert len(enqueued) == 1 and set(enqueued[0]) >= {"page:1", "page:2", "item:1"}


# The results page ---------------------------------------------------------------------------


def page(client, host, **params):
    response = client.get("/sousuo/", params, HTTP_HOST=host)
    assert response.status_code == 200, response.content.decode()[:300]
    return response, response.content.decode()


def test_the_results_page_works_without_javascript(client, group_content, site_group):
    rebuild()
    response, html = page(client, "songlin.localhost", q="身份证")
    assert "找到约 <strong>3</strong> 条结果" in html
    assert "居民<mark>身份证</mark>申领" in html, html[html.find("search-results") :][:1500]
    # Facets are links with counts; choosing one keeps the words and leaves the others.
    facets = {f["param"]: f for f in response.context["facets"]}
    kinds = {item["label"]: item for item in facets["type"]["items"]}
    assert {label: item["count"] for label, item in kinds.items()} == {
        "办事服务": 1,
        "互动回应": 1,
        "新闻动态": 1,
    }
    url = kinds["互动回应"]["url"]
    assert url.startswith("?") and "type=message" in url and "q=" in url
    response, html = page(client, "songlin.localhost", q="身份证", type="message")
    assert [r.kind for r in response.context["outcome"].results] == ["message"]
    assert "全部类型" in html
    # This site: the city's news is left out.
    response, _ = page(client, "songlin.localhost", q="身份证", scope="site")
    assert sorted(r.kind for r in response.context["outcome"].results) == ["item", "message"]
    # The fragment the script swaps in: no page frame.
    fragment = client.get(
        "/sousuo/", {"q": "身份证"}, HTTP_HOST="songlin.localhost", HTTP_X_SEARCH_FRAGMENT="1"
    ).content.decode()
    assert "<mark>身份证</mark>" in fragment and "<html" not in fragment


def test_bad_choices_are_named_and_dropped(client, group_content):
    rebuild()
    response, html = page(
        client, "songlin.localhost", q="身份证", type="nonsense", site="x", year="99999", page="-3"
    )
    assert "所选信息类型不存在" in html and "所选网站不存在" in html and "年份无效" in html
    assert response.context["outcome"].total == 3
    _, html = page(client, "songlin.localhost", q="没有这样的内容组合词")
    assert "没有找到与“没有这样的内容组合词”相关的结果" in html
    _, html = page(client, "songlin.localhost")
    assert "输入要找的内容" in html
    # Very long or odd input is cut, never an error.
    _, html = page(client, "songlin.localhost", q="身份证" * 200 + "<script>")
    assert "<script>" not in html.split("<main", 1)[1].split("</main>")[0].replace(
        '<script src="', ""
    )


def test_every_portal_has_the_search_box(client, site_group):
    html = client.get("/", HTTP_HOST="songlin.localhost").content.decode()
    assert 'action="/sousuo/"' in html and 'role="search"' in html


def test_editors_keep_synonyms_in_the_admin(
    client, group_content, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from yiwang.accounts.tests.otp_helpers import login_with_second_factor
    from yiwang.catalog.tests.test_admin import make_staff

    rebuild()
    assert query.search("身份证件").total == 0
    admin = make_staff("searchadmin")
    admin.is_superuser = True
    admin.save()
    login_with_second_factor(client, admin)
    add = reverse("wagtailsnippets_search_synonymgroup:add")
    assert client.get(add).status_code == 200
    response = client.post(add, {"terms": "身份证件"})
    assert response.status_code == 200 and "至少要有两个词" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add, {"terms": "身份证件、身份证", "active": "on"})
    assert response.status_code == 302
    # Another process sees the new version in the shared cache and reads the groups again.
    assert [r.kind for r in query.search("身份证件").results]
    listing = client.get(reverse("wagtailsnippets_search_synonymgroup:list"), {"q": "身份证"})
    assert listing.status_code == 200 and "身份证件" in listing.content.decode()


def test_the_search_api(client, group_content, site_group):
    rebuild()
    response = client.get("/api/search/v1/search", {"q": "身份证"}, HTTP_HOST="songlin.localhost")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3 and body["terms"] == [["身份证"]]
    assert {r["type"] for r in body["results"]} == {"item", "message", "news"}
    assert {f["value"] for f in body["facets"]["type"]} == {"item", "message", "news"}
    one = client.get(
        "/api/search/v1/search",
        {"q": "身份证", "type": "item", "site": site_group["county_a"].pk},
        HTTP_HOST="songlin.localhost",
    ).json()
    assert [r["title"] for r in one["results"]] == ["居民身份证申领"]
    # Errors in Chinese and English.
    bad = client.get("/api/search/v1/search", {"q": "", "type": "x", "page": 0})
    assert bad.status_code == 422
    assert "message_zh" in bad.json() and "message_en" in bad.json()
    unknown = client.get("/api/search/v1/search", {"q": "身份证", "site": 99999})
    assert unknown.status_code == 400 and unknown.json()["message_zh"] == "没有这个网站：99999"
    schema = client.get("/api/search/v1/openapi.json").json()
    assert "/api/search/v1/search" in schema["paths"]


def test_promoted_results_hot_queries_and_queries_without_results(
    client, group_content, site_group
):
    from django.urls import reverse

    from yiwang.accounts.tests.otp_helpers import login_with_second_factor
    from yiwang.catalog.tests.test_admin import make_staff
    from yiwang.search.models import PromotedResult, QueryStat

    rebuild()
    PromotedResult.objects.create(
        queries="身份证\n居民身份证", title="身份证办理指南", url="/fuwu/?q=身份证"
    )
    PromotedResult.objects.create(
        queries="身份证", title="只在青山市", url="/x/", site=site_group["city"]
    )
    _, html = page(client, "songlin.localhost", q="身份證")  # normalised before matching
    assert "身份证办理指南" in html and "只在青山市" not in html
    page(client, "songlin.localhost", q="身份证")
    page(client, "songlin.localhost", q="身份证", type="item")  # a filter: not counted again
    page(client, "songlin.localhost", q="火星移民政策")
    client.get("/api/search/v1/search", {"q": "火星移民政策"})
    stat = QueryStat.objects.get(query="身份证", site_id=site_group["county_a"].pk)
    assert stat.searches == 2 and stat.zero_results == 0
    assert QueryStat.objects.filter(query="火星移民政策").count() == 2  # the portal, the API
    _, html = page(client, "songlin.localhost")
    assert "热门搜索" in html and "身份证" in html and "火星移民政策" not in html

    bad = PromotedResult(queries="", title="x", url="javascript:alert(1)")
    with pytest.raises(Exception) as caught:
        bad.full_clean()
    assert "请至少填写一个搜索词" in str(caught.value) and "链接须为本站路径" in str(caught.value)

    editor = make_staff("searcheditor", access_admin=True)
    login_with_second_factor(client, editor)
    assert client.get(reverse("search_stats")).status_code == 403
    editor.is_superuser = True
    editor.save()
    response = client.get(reverse("search_stats"), {"days": 7})
    html = response.content.decode()
    assert response.status_code == 200 and "火星移民政策" in html and "无结果的搜索词" in html


def test_did_you_mean(client, group_content, django_capture_on_commit_callbacks):
    from yiwang.search.models import SuggestionWord

    rebuild()
    assert SuggestionWord.objects.filter(word="植树造林").exists()
    # A homophone typo of a word the index knows.
    outcome = query.search("植树造淋")
    assert outcome.total == 0 and outcome.suggestion == "植树造林"
    assert outcome.suggestion_total == 1
    _, html = page(client, "songlin.localhost", q="植树造淋")
    assert "您是不是要找" in html and "植树造林" in html
    # A word that stops a query from matching is left out.
    assert query.search("植树造林 火星").suggestion == "植树造林"
    # Nothing better: no offer.
    assert query.search("火星移民").suggestion == ""
    # New titles are learnt when they are indexed.
    from yiwang.portal.models import ArticlePage

    article = ArticlePage.objects.get(pk=group_content["article"].pk)
    article.title = "松林县开展湿地保护宣传"
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert query.search("湿地保户").suggestion == "湿地保护"


def test_a_portal_s_own_results_rank_a_little_higher(group_content, site_group):
    from yiwang.portal.models import ArticlePage

    city = site_group["city"].root_page.specific
    twin = publish_page(
        city,
        ArticlePage(
            title="松林县召开春季植树造林工作会议",
            slug="zhishu-copy",
            publish_date=group_content["article"].publish_date,
            summary="会议部署了今年的植树造林任务。",
            content_source="松林县林业局",
            author="李明",
            keywords="植树造林,春季",
            body="<p>会议要求各乡镇按时完成植树造林任务。</p>",
        ),
    )
    rebuild()
    from_county = query.search("植树造林", home_site=site_group["county_a"]).results
    from_city = query.search("植树造林", home_site=site_group["city"]).results
    assert from_county[0].key == f"page:{group_content['article'].pk}"
    assert from_city[0].key == f"page:{twin.pk}"
