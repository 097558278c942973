"""政民互动 in Chromium: from a county article, a visitor clicks the footer's
我为政府网站找错, finds the page's address filled in, sends a report with a screenshot, gets
number and query code and follows the report with them in another browser; a citizen logs
in and writes a consultation; a writer rates an answered letter. axe-core checks the index,
the write form, the error form (with an error), the receipt, the follow-up form and the
follow-up pages.

Everything the pages show is built before the browser starts; the writes happen through the
pages themselves, one request at a time."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_hall_journey import PASSWORD, log_in_citizen

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def png_bytes():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 10), (30, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def interaction(county_content, live_sites, live_server, settings, regions, site_group):
    from yiwang.accounts.models import User, UserKind
    from yiwang.interaction import actions
    from yiwang.interaction.tests.kit import Kit
    from yiwang.portal.models import LeaderPage

    settings.IDENTITY_URL = live_server.url.rstrip("/")
    settings.SMS_BACKEND = "yiwang.core.sms.RecordingSmsBackend"
    kit = Kit(regions, site_group)
    leader = LeaderPage(title="李建国", slug="li", name="李建国", position="县长")
    kit.portal.add_child(instance=leader)
    leader.save_revision().publish()
    now = timezone.now()
    published, _ = kit.write(now=now - timedelta(days=2))
    kit.to_housing(published)
    published = kit.answer(published, now=now - timedelta(days=1))
    actions.publish(message=published, staff=kit.reviewer)
    answered, code = kit.write(
        title="路灯不亮", body="幸福小区北门路灯不亮。", now=now - timedelta(hours=5)
    )
    kit.to_housing(answered)
    answered = kit.answer(answered, text="已更换灯泡。", now=now - timedelta(hours=4))
    User.objects.create_user(
        username="zhangsan",
        password=PASSWORD,
        kind=UserKind.NATURAL,
        display_name="张三",
        mobile="13900000001",
        real_name_level=3,
    )
    return {"kit": kit, "answered": answered, "code": code, "published": published}


def open_page(page, url):
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    page.wait_for_load_state("networkidle")


def test_a_visitor_reports_an_error_from_the_footer_and_follows_it(
    interaction, county_content, live_sites, new_page, assert_accessible, results_dir
):
    from yiwang.interaction.constants import Kind, Status
    from yiwang.interaction.models import Message

    article_url = county_content["article"].get_full_url()
    page = new_page()
    open_page(page, article_url)
    page.locator("footer").get_by_role("link", name="我为政府网站找错").click()
    page.wait_for_url(re.compile(r"/hudong/zhaocuo/\?url="))
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label(re.compile("^出错页面网址"))).to_have_value(article_url)

    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".hd-errors")).to_contain_text("提交未成功")
    expect(page.get_by_role("group", name=re.compile("错误类型"))).to_contain_text(
        "请选择错误类型。"
    )
    expect(page.locator(".hd-field-error")).to_have_count(2)
    expect(page.get_by_label(re.compile("^出错页面网址"))).to_have_value(article_url)
    assert_accessible(page, "error report form with errors")

    page.get_by_role("group", name=re.compile("错误类型")).get_by_label("错别字或表述错误").check()
    page.get_by_label(re.compile("^问题描述")).fill("第一段“植树造林”写成了“植树照林”。")
    page.get_by_label(re.compile("^截图")).set_input_files(
        {"name": "shot.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r"/hudong/huizhi/\d+/$"))
    page.wait_for_load_state("networkidle")
    number = page.locator(".hd-number").inner_text().strip()
    code = page.locator(".hd-code").inner_text().strip()
    assert re.fullmatch(r"\d{19}", number) and re.fullmatch(r"[0-9A-Z]{8}", code)
    expect(page.get_by_role("status")).to_contain_text("已提交")
    assert_accessible(page, "receipt")
    page.screenshot(path=str(results_dir / "interaction-receipt.png"), full_page=True)

    message = Message.objects.get(number=number)
    assert message.kind == Kind.ERROR_REPORT and message.page_url == article_url
    assert message.status == Status.DISPATCHED and message.screenshot

    page.get_by_role("link", name="查看办理进度").click()
    page.wait_for_url(re.compile(rf"/hudong/chaxun/{number}/$"))
    page.wait_for_load_state("networkidle")
    expect(page.locator(".hd-status")).to_have_text("已交办")
    assert_accessible(page, "follow-up page of the report")

    # Another browser needs number and code.
    other = new_page()
    open_page(other, live_sites.url("county_a", f"/hudong/chaxun/{number}/"))
    assert other.url.endswith(f"/hudong/chaxun/?number={number}")
    expect(other.get_by_label("留言编号")).to_have_value(number)
    assert_accessible(other, "follow-up form")
    other.get_by_label("查询码").fill("WRONG234")
    other.get_by_role("button", name="查询").click()
    other.wait_for_load_state("networkidle")
    expect(other.locator(".hd-errors")).to_contain_text("留言编号或查询码不正确")
    other.get_by_label("查询码").fill(code)
    other.get_by_role("button", name="查询").click()
    other.wait_for_url(re.compile(rf"/hudong/chaxun/{number}/$"))
    expect(other.locator("h1")).to_contain_text("错别字或表述错误")


def test_a_citizen_writes_a_letter_and_a_writer_rates_an_answer(
    interaction, live_sites, new_page, assert_accessible, results_dir
):
    from yiwang.interaction.models import Message

    page = new_page()
    open_page(page, live_sites.url("county_a", "/hudong/"))
    expect(page.locator(".hd-letters")).to_contain_text(interaction["published"].public_title)
    expect(page.locator(".hd-figures")).to_contain_text("松林县住房和城乡建设局")
    assert_accessible(page, "interaction index")
    page.screenshot(path=str(results_dir / "interaction-index.png"), full_page=True)

    link = page.get_by_role("link", name="咨询", exact=True)
    log_in_citizen(page, live_sites.url("county_a", link.get_attribute("href")))
    page.wait_for_url(re.compile(r"/hudong/xie/consultation/$"))
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label("联系电话")).to_have_value("13900000001")
    assert_accessible(page, "write form")
    page.get_by_label(re.compile("^标题")).fill("公积金提取咨询")
    page.get_by_label(re.compile("^内容")).fill("租房提取公积金需要哪些材料？")
    page.get_by_label("同意公开，公开时隐去个人信息").check()
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r"/hudong/huizhi/\d+/$"))
    page.wait_for_load_state("networkidle")
    number = page.locator(".hd-number").inner_text().strip()
    expect(page.locator(".hd-code")).to_have_count(1)
    letter = Message.objects.get(number=number)
    assert letter.writer.username == "zhangsan" and letter.publish_consent

    # The writer of an answered letter follows it with the code and rates the answer.
    answered = interaction["answered"]
    writer = new_page()
    open_page(writer, live_sites.url("county_a", "/hudong/chaxun/"))
    writer.get_by_label("留言编号").fill(answered.number)
    writer.get_by_label("查询码").fill(interaction["code"])
    writer.get_by_role("button", name="查询").click()
    writer.wait_for_url(re.compile(rf"/hudong/chaxun/{answered.number}/$"))
    writer.wait_for_load_state("networkidle")
    expect(writer.locator(".hd-reply")).to_contain_text("已更换灯泡。")
    assert_accessible(writer, "follow-up page with the rating and reopening forms")
    writer.screenshot(path=str(results_dir / "interaction-follow-up.png"), full_page=True)
    writer.get_by_role("group", name=re.compile("您对答复是否满意")).get_by_label(
        "满意", exact=True
    ).check()
    writer.get_by_role("button", name="提交评价").click()
    writer.wait_for_url(re.compile(rf"/hudong/chaxun/{answered.number}/$"))
    writer.wait_for_load_state("networkidle")
    expect(writer.get_by_role("status").first).to_contain_text("感谢您的评价！")
    expect(writer.locator(".hd-rated")).to_contain_text("满意")
    assert_accessible(writer, "follow-up page after rating")
    answered.refresh_from_db()
    assert answered.satisfaction == 3
