"""One identity for the whole site group, as a citizen's browser sees it: register on the
identity host (the SMS code read from the recording backend: the live server runs in this
process), then the city and county portals greet them without another login (the pages'
script makes a silent sign-on round trip); logging out on the county portal logs them out
of the city portal too. And the login and registration pages pass axe-core."""

import re

import pytest
from playwright.sync_api import expect

from yiwang.core.sms import RecordingSmsBackend

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MOBILE = "13900003333"
PASSWORD = "Songlin#2027-citizen"
ID_BODY = "33010619900101123"
# "密码" and the required-field asterisk, not "再次输入密码".
PASSWORD_LABEL = re.compile(r"^密码\*?$")


def id_number():
    from stdnum.cn import ric

    return ID_BODY + ric.calc_check_digit(ID_BODY + "0")


@pytest.fixture
def identity_url(live_sites, live_server, settings):
    """The identity host is a name of the live server that is no portal's: localhost."""
    settings.IDENTITY_URL = live_server.url.rstrip("/")
    RecordingSmsBackend.clear()
    yield settings.IDENTITY_URL
    RecordingSmsBackend.clear()


def texted_code(mobile):
    message = RecordingSmsBackend.last_to(mobile)
    assert message is not None, f"no SMS was sent to {mobile}"
    return re.search(r"验证码是 (\d{6})", message.text).group(1)


def greeting(page):
    return page.locator("[data-session]")


def test_register_once_and_be_recognised_on_city_and_county_portals(
    identity_url, live_sites, new_page, assert_accessible
):
    page = new_page()
    # Afterwards to a page of the identity host's own (its "/" is no portal's home).
    page.goto(f"{identity_url}/accounts/register/?next=/accounts/password/")
    assert_accessible(page, "registration, step 1")
    page.get_by_label("手机号码").fill(MOBILE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("验证码已发送至 139****3333")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "registration, step 2")

    page.get_by_label("短信验证码").fill(texted_code(MOBILE))
    page.get_by_label("用户名").fill("lisi2026")
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_label("真实姓名（选填）").fill("李四")
    page.get_by_label("居民身份证号码（选填）").fill(id_number())
    page.get_by_role("button", name="注册", exact=True).click()
    page.wait_for_url(f"{identity_url}/accounts/password/")
    expect(greeting(page)).to_contain_text("您好，李四")

    # The city and county portals: other hostnames, no login asked for.
    for key in ("city", "county_a"):
        page.goto(live_sites.url(key))
        expect(greeting(page)).to_contain_text("您好，李四")
        assert page.url == live_sites.url(key)

    # 退出 on the county portal ends the login everywhere.
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(live_sites.url("county_a"))
    expect(greeting(page).get_by_role("link", name="登录")).to_be_visible()

    page.goto(live_sites.url("city"))
    page.wait_for_load_state("networkidle")
    expect(greeting(page).get_by_role("link", name="登录")).to_be_visible()
    expect(greeting(page)).not_to_contain_text("您好")

    # A new tab (no "already checked" flag) checks the identity host again, and comes
    # back to the page, still logged out, without looping.
    fresh = page.context.new_page()
    fresh.goto(live_sites.url("county_a"))
    fresh.wait_for_load_state("networkidle")
    expect(greeting(fresh).get_by_role("link", name="登录")).to_be_visible()
    assert fresh.url == live_sites.url("county_a")


def test_log_in_on_a_portal_through_the_identity_host(identity_url, live_sites, new_page):
    from django.utils import timezone

    from yiwang.accounts.models import RealNameLevel, User, UserKind

    User.objects.create_user(
        username="wangwu",
        password=PASSWORD,
        kind=UserKind.NATURAL,
        display_name="王五",
        mobile=MOBILE,
        mobile_verified_at=timezone.now(),
        real_name_level=RealNameLevel.PHONE,
    )
    page = new_page()
    page.goto(live_sites.url("county_a"))
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="登录").click()
    # The 登录 of a portal leads to the identity host's login page.
    page.wait_for_url(re.compile(re.escape(f"{identity_url}/accounts/login/")))
    page.get_by_label("账号").fill("wangwu")
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(live_sites.url("county_a"))
    expect(greeting(page)).to_contain_text("您好，王五")

    page.goto(live_sites.url("city"))
    expect(greeting(page)).to_contain_text("您好，王五")


def test_login_pages_have_no_wcag_violations(identity_url, new_page, assert_accessible):
    page = new_page()
    page.goto(f"{identity_url}/accounts/login/")
    assert_accessible(page, "password login")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_text("请填写账号。")).to_be_visible()
    assert_accessible(page, "password login with errors")

    page.get_by_role("link", name="短信验证码登录").click()
    page.wait_for_url(f"{identity_url}/accounts/login/sms/")
    assert_accessible(page, "SMS login")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("手机号码应为以 1 开头的 11 位数字。")).to_be_visible()
    assert_accessible(page, "SMS login with errors")

    page.goto(f"{identity_url}/accounts/recover/")
    assert_accessible(page, "password reset")
