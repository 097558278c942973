"""政民互动's public pages on 松林县's portal (/hudong/): writing a letter (login, receipt
with the code once, SMS), a website error report (anonymous, screenshot checked by content),
following a message by number and query code (throttled), rating and reopening it, the
published letters (public texts only, this portal's only) and the reply figures."""

import io
from datetime import timedelta
from urllib.parse import quote, urlencode

import lxml.html
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from yiwang.hall.tests.factories import make_citizen
from yiwang.interaction import actions, figures, numbers, queries, views
from yiwang.interaction.constants import ErrorType, EventKind, Kind, Status
from yiwang.interaction.models import Message
from yiwang.portal.models import LeaderPage, PortalSettings

from .kit import at, make_staff

pytestmark = pytest.mark.django_db

HOST = "songlin.localhost"


def get(client, path, host=HOST, **params):
    if params:
        path = f"{path}?{urlencode(params)}"
    return client.get(path, HTTP_HOST=host)


def post(client, path, data, host=HOST):
    return client.post(path, data, HTTP_HOST=host)


def tree(response):
    return lxml.html.fromstring(response.content.decode())


def text(response):
    return " ".join(tree(response).text_content().split())


def field_errors(response):
    return [
        " ".join(e.text_content().split()) for e in tree(response).xpath("//*[@class='hd-error']")
    ]


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def recent(hours_ago):
    return timezone.now() - timedelta(hours=hours_ago)


def answered(kit, *, hours_ago=30, **extra):
    """A complaint written ``hours_ago`` and answered by 住建局 an hour later."""
    message, code = kit.write(now=recent(hours_ago), **extra)
    kit.to_housing(message)
    message = kit.answer(message, now=recent(hours_ago - 1))
    return message, code


def follow_with_code(client, message, code):
    response = post(client, "/hudong/chaxun/", {"number": message.number, "query_code": code})
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == f"/hudong/chaxun/{message.number}/"
    return get(client, response["Location"])


# Writing ----------------------------------------------------------------------------------


def test_writing_a_letter_needs_a_login_and_shows_the_code_once(
    client, kit, sms, django_capture_on_commit_callbacks
):
    response = get(client, "/hudong/xie/complaint/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sso/start?next=" + quote("/hudong/xie/complaint/", "")
    assert get(client, "/hudong/xie/error_report/").status_code == 404
    assert get(client, "/hudong/xie/nonsense/").status_code == 404

    client.force_login(kit.citizen)
    page = tree(get(client, "/hudong/xie/complaint/"))
    assert page.xpath("//input[@name='writer_phone']/@value") == [kit.citizen.mobile]
    assert page.xpath("//input[@name='writer_email']/@value") == ["wxm@example.com"]
    assert page.xpath("//label[@for='id_publish_consent']/text()") == [
        "同意公开，公开时隐去个人信息"
    ]

    letter = {
        "title": "",
        "body": "青石镇幸福小区门口道路破损多日。",
        "writer_phone": kit.citizen.mobile,
        "writer_email": "wxm@example.com",
    }
    response = post(client, "/hudong/xie/complaint/", letter)
    assert response.status_code == 400
    assert "请填写标题。" in field_errors(response)
    assert (
        "青石镇幸福小区门口道路破损多日。"
        in tree(response).xpath("//textarea[@name='body']")[0].text
    )
    assert not Message.objects.exists()

    letter.update(title="小区门口道路破损", publish_consent="on")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "/hudong/xie/complaint/", letter)
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hudong/huizhi/{message.number}/"
    assert (message.kind, message.portal, message.writer) == (
        Kind.COMPLAINT,
        kit.portal,
        kit.citizen,
    )
    assert message.publish_consent and message.writer_phone == kit.citizen.mobile

    receipt = get(client, response["Location"])
    code = tree(receipt).xpath("//dd[@class='hd-code']/text()")[0]
    assert numbers.matches(message, code)
    assert message.number in text(receipt) and "只在这里显示这一次" in text(receipt)
    # The SMS carries number and code too.
    assert sms[-1].mobile == kit.citizen.mobile
    assert code in sms[-1].text and message.number in sms[-1].text
    # Shown once: the receipt again has the number, not the code.
    again = get(client, response["Location"])
    assert again.status_code == 200 and code not in again.content.decode()
    assert message.number in text(again)
    # Another browser has no receipt to see.
    client.logout()
    assert get(client, response["Location"]).status_code == 404


def test_a_mailbox_letter_goes_to_a_leader_of_this_portal(client, kit, site_group):
    def leader(portal, name, slug):
        page = LeaderPage(title=name, slug=slug, name=name, position="县长")
        portal.add_child(instance=page)
        page.save_revision().publish()
        return page

    ours = leader(kit.portal, "李建国", "li")
    theirs = leader(site_group["county_b"].root_page.specific, "赵平", "zhao")
    index = text(get(client, "/hudong/"))
    assert "写信给李建国" in index and "赵平" not in index

    client.force_login(kit.citizen)
    page = tree(get(client, "/hudong/xie/mailbox/", leader=ours.pk))
    options = page.xpath("//select[@name='leader']/option")
    assert [o.text for o in options] == ["请选择", "李建国（县长）"]
    assert page.xpath("//select[@name='leader']/option[@selected]/@value") == [str(ours.pk)]
    letter = {"title": "建议增开公交线路", "body": "建议开通青石镇到县城的公交。"}
    response = post(client, "/hudong/xie/mailbox/", {**letter, "leader": theirs.pk})
    assert response.status_code == 400 and "请选择本网站的领导。" in field_errors(response)
    response = post(client, "/hudong/xie/mailbox/", {**letter, "leader": ours.pk})
    assert response.status_code == 302
    assert Message.objects.get().leader_id == ours.pk


def test_an_error_report_needs_no_login_and_checks_the_screenshot(
    client, kit, sms, django_capture_on_commit_callbacks
):
    page_url = "http://songlin.localhost/gzdt/zhishu/"
    form = tree(get(client, "/hudong/zhaocuo/", url=page_url))
    assert form.xpath("//form[@enctype='multipart/form-data']")
    assert form.xpath("//input[@name='page_url']/@value") == [page_url]
    # Addresses of other sites are not prefilled (but may be typed).
    other = tree(get(client, "/hudong/zhaocuo/", url="https://evil.example/x"))
    assert other.xpath("//input[@name='page_url']/@value") == []

    report = {
        "page_url": page_url,
        "error_type": ErrorType.WORDING,
        "body": "第二段“松林县人民政付”有错字。",
        "writer_phone": "13900001111",
    }
    fake = SimpleUploadedFile("shot.png", b"PNG but really text", content_type="image/png")
    response = client.post("/hudong/zhaocuo/", {**report, "screenshot": fake}, HTTP_HOST=HOST)
    assert response.status_code == 400
    assert "截图只能是 PNG、JPEG 或 WebP 图片。" in field_errors(response)
    page = tree(response)
    assert page.xpath("//input[@name='page_url']/@value") == [page_url]
    assert "第二段“松林县人民政付”有错字。" in page.xpath("//textarea[@name='body']")[0].text
    assert page.xpath("//input[@name='error_type'][@checked]/@value") == [ErrorType.WORDING]
    assert page.xpath("//input[@name='writer_phone']/@value") == ["13900001111"]
    assert not Message.objects.exists()

    shot = SimpleUploadedFile("anything.bin", png_bytes(), content_type="application/octet-stream")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/hudong/zhaocuo/", {**report, "screenshot": shot}, HTTP_HOST=HOST)
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.kind == Kind.ERROR_REPORT and message.writer is None
    assert message.page_url == page_url and message.screenshot.name.endswith(".png")
    assert message.department == kit.office and message.status == Status.DISPATCHED
    receipt = get(client, response["Location"])
    code = tree(receipt).xpath("//dd[@class='hd-code']/text()")[0]
    assert numbers.matches(message, code) and code in sms[-1].text
    # The follow-up page tells a screenshot came along, never shows or links it.
    detail = get(client, f"/hudong/chaxun/{message.number}/")
    assert "已附截图" in text(detail)
    assert message.screenshot.name not in detail.content.decode()


def test_an_error_report_needs_a_web_address_and_a_type(client, kit):
    response = post(client, "/hudong/zhaocuo/", {"page_url": "javascript:alert(1)", "body": "错字"})
    assert response.status_code == 400
    assert "请填写完整的网址，以 http:// 或 https:// 开头。" in field_errors(response)
    response = post(client, "/hudong/zhaocuo/", {"page_url": "https://a.example/", "body": "x"})
    assert "请选择错误类型。" in field_errors(response)
    assert not Message.objects.exists()


def test_the_footer_reports_an_error_on_the_current_page(client, kit):
    page = tree(get(client, "/"))
    link = page.xpath("//footer//a[text()='我为政府网站找错']/@href")
    assert link == ["/hudong/zhaocuo/?" + urlencode({"url": "http://songlin.localhost/"})]
    on_index = tree(get(client, "/hudong/", q="道路"))
    assert on_index.xpath("//footer//a[text()='我为政府网站找错']/@href") == [
        "/hudong/zhaocuo/?"
        + urlencode({"url": "http://songlin.localhost/hudong/?q=%E9%81%93%E8%B7%AF"})
    ]
    # A portal whose settings name another entry keeps it.
    settings = PortalSettings.for_site(kit.site)
    settings.error_report_url = "https://zfwzzc.www.gov.cn/check_web/?site=9901020001"
    settings.save()
    page = tree(get(client, "/"))
    assert page.xpath("//footer//a[text()='我为政府网站找错']/@href") == [settings.error_report_url]


# Following --------------------------------------------------------------------------------


def test_following_a_message_needs_its_query_code(client, kit):
    message, code = kit.write(now=recent(3))
    other, _ = kit.write(now=recent(2), title="另一封信")
    response = get(client, f"/hudong/chaxun/{message.number}/")
    assert response.status_code == 302
    assert response["Location"] == f"/hudong/chaxun/?number={message.number}"
    prefilled = tree(get(client, response["Location"]))
    assert prefilled.xpath("//input[@name='number']/@value") == [message.number]

    wrong = post(client, "/hudong/chaxun/", {"number": message.number, "query_code": "WRONG234"})
    unknown = post(client, "/hudong/chaxun/", {"number": "123", "query_code": code})
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "留言编号或查询码不正确，请核对后再试。" in text(response)

    detail = follow_with_code(client, message, code.lower())
    page = text(detail)
    assert "待分办" in page and "小区门口道路破损" in page and "答复期限" in page
    # The code opened this number only.
    assert get(client, f"/hudong/chaxun/{other.number}/").status_code == 302
    assert get(client, f"/hudong/chaxun/{message.number}/").status_code == 200

    # The writer, logged in, needs no code, and finds the letter under 我的留言.
    writer = Client()
    assert get(writer, "/hudong/wode/").status_code == 302
    writer.force_login(kit.citizen)
    assert get(writer, f"/hudong/chaxun/{other.number}/").status_code == 200
    mine = tree(get(writer, "/hudong/wode/"))
    assert mine.xpath("//table//a/@href") == [
        f"/hudong/chaxun/{other.number}/",
        f"/hudong/chaxun/{message.number}/",
    ]
    # Someone else's account does not open it.
    stranger = Client()
    stranger.force_login(make_citizen(display_name="李四"))
    assert get(stranger, f"/hudong/chaxun/{other.number}/").status_code == 302
    assert get(stranger, "/hudong/wode/").status_code == 200
    assert other.title not in get(stranger, "/hudong/wode/").content.decode()


def test_wrong_codes_are_throttled_per_address(client, kit, monkeypatch):
    message, code = kit.write(now=recent(3))
    for _ in range(views.LOOKUP_MAX_FAILURES):
        response = post(client, "/hudong/chaxun/", {"number": message.number, "query_code": "X"})
        assert response.status_code == 400
    response = post(client, "/hudong/chaxun/", {"number": message.number, "query_code": code})
    assert response.status_code == 429 and "查询失败次数过多" in text(response)
    # Another address is not locked out.
    other = Client()
    response = other.post(
        "/hudong/chaxun/",
        {"number": message.number, "query_code": code},
        HTTP_HOST=HOST,
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 302
    cache.clear()
    follow_with_code(client, message, code)


def test_the_writer_sees_the_reply_and_rates_it(client, kit):
    message, code = answered(kit)
    detail = follow_with_code(client, message, code)
    page = text(detail)
    assert "已答复" in page and "已安排施工队修复，预计本周内完工。" in page
    assert "松林县住房和城乡建设局" in page
    # Internal steps stay internal: only the writer's events are listed.
    timeline = [
        " ".join(li.text_content().split())
        for li in tree(detail).xpath("//ol[@class='hd-timeline']/li")
    ]
    assert [t.split(" ", 2)[2].split("：")[0] for t in timeline] == ["提交", "交办", "答复"]
    assert "指派承办人" not in page and "答复送审" not in page
    assert tree(detail).xpath("//input[@name='satisfaction']/@value") == ["3", "2", "1"]

    response = post(client, f"/hudong/chaxun/{message.number}/pingjia/", {"comment": "很好"})
    assert response.status_code == 400 and "请选择满意程度。" in field_errors(response)
    assert "很好" in tree(response).xpath("//textarea[@name='comment']")[0].text
    response = post(
        client,
        f"/hudong/chaxun/{message.number}/pingjia/",
        {"satisfaction": "2", "comment": "还行"},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.CLOSED and message.satisfaction == 2
    assert message.rating_comment == "还行"
    assert message.events.filter(kind=EventKind.RATED, actor__isnull=True).exists()
    page = text(get(client, response["Location"]))
    assert "感谢您的评价！" in page and "您的评价：基本满意（还行）" in page
    # Rated once: a second rating is refused, in Chinese.
    response = post(client, f"/hudong/chaxun/{message.number}/pingjia/", {"satisfaction": "1"})
    assert response.status_code == 400 and "这条留言现在不能评价。" in text(response)
    message.refresh_from_db()
    assert message.satisfaction == 2


def test_rating_needs_the_code_too(client, kit):
    message, _ = answered(kit)
    response = post(client, f"/hudong/chaxun/{message.number}/pingjia/", {"satisfaction": "1"})
    assert response.status_code == 302 and response["Location"].startswith("/hudong/chaxun/?")
    response = post(client, f"/hudong/chaxun/{message.number}/chongban/", {"reason": "x"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.REPLIED and message.satisfaction is None


def test_a_message_is_reopened_once(client, kit):
    message, code = answered(kit)
    follow_with_code(client, message, code)
    url = f"/hudong/chaxun/{message.number}/chongban/"
    response = post(client, url, {"reason": ""})
    assert response.status_code == 400 and "请填写重新办理的理由。" in field_errors(response)
    response = post(client, url, {"reason": "路还没修好"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.HANDLING and message.reopen_count == 1
    page = text(get(client, response["Location"]))
    assert "已转回承办部门重新办理" in page and "重新办理：路还没修好" in page

    message = kit.answer(message, text="已再次修复。", now=timezone.now())
    detail = get(client, f"/hudong/chaxun/{message.number}/")
    assert not tree(detail).xpath("//form[contains(@action, 'chongban')]")
    assert "已再次修复。" in text(detail) and "已重新办理过一次" in text(detail)
    response = post(client, url, {"reason": "还是不行"})
    assert response.status_code == 400
    assert "每条留言只能要求重新办理一次。" in text(response)
    message.refresh_from_db()
    assert message.status == Status.REPLIED and message.reopen_count == 1


def test_reopening_is_refused_after_thirty_days(client, kit):
    message, code = answered(kit, hours_ago=31 * 24)
    detail = follow_with_code(client, message, code)
    assert not tree(detail).xpath("//form[contains(@action, 'chongban')]")
    response = post(client, f"/hudong/chaxun/{message.number}/chongban/", {"reason": "没修好"})
    assert response.status_code == 400 and "答复已超过 30 天" in text(response)


# Published letters and figures ------------------------------------------------------------


def superuser_of(department):
    user = make_staff(department)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def hotline_published(kit, *, region, department, staff, title):
    message, _ = actions.enter_work_order(
        operator=staff,
        region=region,
        kind=Kind.CONSULTATION,
        title=title,
        body=f"{title}，来电人赵六，电话13700000000。",
        caller_name="赵六",
        caller_phone="13700000000",
        publish_consent=True,
        now=recent(5),
    )
    actions.dispatch(message=message, staff=staff, department_id=department.pk, now=recent(5))
    actions.save_reply(message=message, staff=staff, text="答复：请到窗口办理。", submit=True)
    actions.review_reply(message=message, staff=staff, approve=True)
    return actions.publish(message=message, staff=staff)


def test_published_letters_show_public_texts_of_this_portal_only(client, kit, regions):
    body = "幸福小区门口道路破损，我是王小明，电话13912345678。"
    shown, _ = answered(kit, body=body)
    shown = actions.publish(message=shown, staff=kit.reviewer)
    assert "王小明" not in shown.public_body
    hidden, _ = answered(kit, title="不公开的来信", body="不公开的内容")
    ours = hotline_published(
        kit,
        region=kit.county,
        department=kit.housing,
        staff=superuser_of(kit.office),
        title="本县热线咨询公积金",
    )
    theirs = hotline_published(
        kit,
        region=regions["county_b"],
        department=kit.other_county_dept,
        staff=superuser_of(kit.other_county_dept),
        title="临溪县热线咨询学位",
    )

    index = get(client, "/hudong/")
    html = index.content.decode()
    titles = tree(index).xpath("//ul[@class='hd-letters']//a/text()")
    assert titles == [ours.public_title, shown.public_title]
    for absent in (
        "不公开的来信",
        "临溪县热线咨询学位",
        "王小明",
        kit.citizen.mobile,
        "13912345678",
    ):
        assert absent not in html

    detail = get(client, f"/hudong/gongkai/{shown.number}/")
    html = detail.content.decode()
    assert detail.status_code == 200
    assert shown.public_body in text(detail) and "已安排施工队修复" in text(detail)
    assert "松林县住房和城乡建设局" in text(detail)
    for absent in ("王小明", kit.citizen.mobile, "13912345678", "wxm@example.com", body):
        assert absent not in html
    hotline = get(client, f"/hudong/gongkai/{ours.number}/").content.decode()
    assert "赵六" not in hotline and "13700000000" not in hotline

    assert get(client, f"/hudong/gongkai/{hidden.number}/").status_code == 404
    assert get(client, f"/hudong/gongkai/{theirs.number}/").status_code == 404
    assert (
        get(client, f"/hudong/gongkai/{theirs.number}/", host="linxi.localhost").status_code == 200
    )
    assert get(client, "/hudong/gongkai/abc/").status_code == 404
    actions.unpublish(message=shown, staff=kit.reviewer, reason="撤回")
    assert get(client, f"/hudong/gongkai/{shown.number}/").status_code == 404


def test_the_published_list_is_searched_and_filtered(client, kit):
    road, _ = answered(kit)
    actions.publish(message=road, staff=kit.reviewer)
    school, _ = kit.write(
        kind=Kind.CONSULTATION, title="学位咨询", body="孩子入学怎么办？", now=recent(10)
    )
    actions.dispatch(
        message=school, staff=kit.dispatcher, department_id=kit.education.pk, now=recent(10)
    )
    actions.save_reply(
        message=school, staff=kit.edu_handler, text="请登录招生平台报名。", submit=True
    )
    actions.review_reply(message=school, staff=kit.edu_reviewer, approve=True)
    actions.publish(message=school, staff=kit.edu_reviewer)

    def titles(**params):
        return tree(get(client, "/hudong/", **params)).xpath("//ul[@class='hd-letters']//a/text()")

    assert titles() == ["学位咨询", "小区门口道路破损"]
    assert titles(q="招生平台") == ["学位咨询"]  # in the reply
    assert titles(q="施工队 本周") == ["小区门口道路破损"]
    assert titles(q="施工队 招生") == []
    assert titles(kind=Kind.COMPLAINT) == ["小区门口道路破损"]
    assert titles(department=kit.education.pk) == ["学位咨询"]
    # Bad filter values are ignored.
    assert titles(kind="nonsense", department="x") == ["学位咨询", "小区门口道路破损"]
    options = tree(get(client, "/hudong/")).xpath("//select[@name='department']/option/text()")
    assert options == ["全部单位", "松林县住房和城乡建设局", "松林县教育局"]


def test_the_published_list_is_paginated(client, kit, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    for n in range(3):
        message, _ = answered(kit, title=f"第{n}封信", hours_ago=30 - n)
        actions.publish(message=message, staff=kit.reviewer)
    first = tree(get(client, "/hudong/", q="信"))
    assert first.xpath("//ul[@class='hd-letters']//a/text()") == ["第2封信", "第1封信"]
    assert first.xpath("//nav[@aria-label='分页']//a[@rel='next']/@href") == ["?q=%E4%BF%A1&page=2"]
    second = tree(get(client, "/hudong/", q="信", page="2"))
    assert second.xpath("//ul[@class='hd-letters']//a/text()") == ["第0封信"]


def figure_rows(response):
    rows = tree(response).xpath("//table[@class='hd-figures']//tr[th[@scope='row']]")
    return [[" ".join(c.text_content().split()) for c in row.xpath("th|td")] for row in rows]


def test_the_index_shows_the_reply_figures_per_department(client, kit, regions):
    def housing(submitted, replied=None):
        message, _ = kit.write(now=submitted)
        kit.to_housing(message)
        if replied is not None:
            kit.answer(message, now=replied)
        return message

    housing(at(2026, 11, 2, 10), at(2026, 11, 3, 10))  # 1 day
    housing(at(2026, 11, 2, 10), at(2026, 11, 5, 10))  # 3 days
    housing(at(2026, 11, 2, 10))  # not yet
    school, _ = kit.write(now=at(2026, 11, 2, 10), publish_consent=False)
    actions.dispatch(message=school, staff=kit.dispatcher, department_id=kit.education.pk)
    actions.save_reply(message=school, staff=kit.edu_handler, text="答复", submit=True)
    actions.review_reply(
        message=school, staff=kit.edu_reviewer, approve=True, now=at(2026, 11, 4, 10)
    )  # 2 days
    spam, _ = kit.write(now=at(2026, 11, 2, 10))
    actions.mark_invalid(message=spam, staff=kit.dispatcher, reason="广告")
    hotline_published(
        kit,
        region=regions["county_b"],
        department=kit.other_county_dept,
        staff=superuser_of(kit.other_county_dept),
        title="临溪县热线",
    )

    response = get(client, "/hudong/")
    assert figure_rows(response) == [
        ["松林县住房和城乡建设局", "3", "2", "66.7%", "2.00", "2.00"],
        ["松林县教育局", "1", "1", "100.0%", "2.00", "2.00"],
        ["合计", "4", "3", "75.0%", "2.00", "2.00"],
    ]
    # The same numbers as figures' own, on this portal's messages.
    rows = figures.by_department(queries.portal_messages(kit.portal))
    assert [(name, f.total, f.replied, f.reply_rate_percent) for _, name, f in rows] == [
        ("松林县住房和城乡建设局", 3, 2, 66.7),
        ("松林县教育局", 1, 1, 100.0),
    ]
    assert figures.of(queries.portal_messages(kit.portal)).total == 4
    assert "临溪县教育局" not in response.content.decode()


def test_a_site_that_is_no_portal_has_no_interaction(client, kit):
    kit.portal.region = None
    kit.portal.save(update_fields=["region"])
    assert get(client, "/hudong/").status_code == 404
    assert get(client, "/hudong/zhaocuo/").status_code == 404


def test_the_index_needs_the_same_queries_for_more_letters(client, kit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def publish_one(n):
        message, _ = answered(kit, title=f"第{n}封信", hours_ago=30 - n)
        actions.publish(message=message, staff=kit.reviewer)

    def count():
        with CaptureQueriesContext(connection) as queries_run:
            assert get(client, "/hudong/").status_code == 200
        return len(queries_run)

    publish_one(0)
    get(client, "/hudong/")
    one = count()
    for n in range(1, 4):
        publish_one(n)
    assert count() == one
