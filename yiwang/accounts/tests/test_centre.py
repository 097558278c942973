"""The personal centre (/accounts/centre/): my profile with the masked ID number (the full one
only after the password again, audited), the phone verification that gives level 2, my
companies and their agents, acting for a company, my login history; and the
``real_name_required`` decorator."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import ric

from yiwang.accounts import acting, events
from yiwang.accounts.actions import authorize_agent, set_id_number
from yiwang.accounts.decorators import real_name_required
from yiwang.accounts.models import AgentAuthorization, RealNameLevel, User, UserKind
from yiwang.accounts.views.centre import LOGINS_PER_PAGE, login_history
from yiwang.core.audit import record
from yiwang.core.masking import mask_address
from yiwang.core.models import AuditEvent
from yiwang.core.sms import RecordingSmsBackend

PASSWORD = "Qingshan-2026-citizen"


def make_id_number(body17):
    """A valid resident ID number from its first 17 digits."""
    return body17 + ric.calc_check_digit(body17 + "0")


ID_NUMBER = make_id_number("33010619900101123")  # 33010619900101123X
OTHER_ID_NUMBER = make_id_number("33010619851231002")


def wrong_checksum(number):
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def make_citizen(username, *, display_name="", level=RealNameLevel.REGISTERED, mobile=""):
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        kind=UserKind.NATURAL,
        display_name=display_name or username,
        real_name_level=level,
        mobile=mobile,
    )


@pytest.fixture(autouse=True)
def clean_slate():
    cache.clear()
    RecordingSmsBackend.clear()
    yield
    cache.clear()
    RecordingSmsBackend.clear()


@pytest.fixture
def person(db):
    return make_citizen("zhangsan", display_name="张三")


@pytest.fixture
def registered(person):
    """张三 with his ID number on record (masked 3301**********123X)."""
    return set_id_number(user=person, id_number=ID_NUMBER, name="张三", acting_user=person)


@pytest.fixture
def logged_in(client, person):
    client.force_login(person)
    return client


def html(response):
    return response.content.decode()


# 我的资料 ---------------------------------------------------------------------------------


def test_centre_needs_login(client, db):
    response = client.get(reverse("accounts:centre"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/centre/")


def test_profile_renders_with_labels_level_and_the_way_to_the_next_levels(logged_in, person):
    response = logged_in.get(reverse("accounts:centre"))
    assert response.status_code == 200
    page = html(response)
    assert "<h1>个人中心</h1>" in page
    assert 'aria-current="page">我的资料</a>' in page
    assert "zhangsan" in page and "自然人" in page
    assert "1 级（注册用户（密码））" in page
    # Both steps to the higher levels are explained.
    assert "升为二级" in page and "核验手机号码" in page
    assert "升为三级" in page and "政务服务中心窗口" in page and "电子证照" in page
    # Every input has its label.
    for field_id, label in [
        ("id_name", "真实姓名"),
        ("id_id_number", "居民身份证号码"),
        ("id_mobile", "手机号码"),
    ]:
        assert re.search(rf'<label for="{field_id}">{label}', page), label
        assert f'id="{field_id}"' in page
    assert response["Cache-Control"].count("no-store") == 1


def test_registering_the_id_number_keeps_it_encrypted_and_shows_it_masked(logged_in, person):
    response = logged_in.post(
        reverse("accounts:centre_id_number"), {"name": "张三", "id_number": ID_NUMBER.lower()}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.id_number_masked == "3301**********123X"
    assert person.id_number_digest and ID_NUMBER not in person.id_number_encrypted
    event = AuditEvent.objects.get(action=events.ID_NUMBER_SET)
    assert event.actor == person and event.detail == {"id_number": "3301**********123X"}
    page = html(logged_in.get(reverse("accounts:centre")))
    assert "3301**********123X" in page
    assert ID_NUMBER not in page
    # The form to register one is gone; the reveal form is there.
    assert 'id="id_id_number"' not in page
    assert '<label for="id_password">登录密码' in page


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (wrong_checksum(ID_NUMBER), "居民身份证号码校验位不正确，请核对后重新输入。"),
        ("3301061990010112", "居民身份证号码应为 18 位。"),
        (make_id_number("33010619901301123"), "居民身份证号码中的出生日期或地区码无效。"),
    ],
)
def test_a_bad_id_number_gets_a_chinese_error_and_nothing_is_saved(
    logged_in, person, number, message
):
    response = logged_in.post(
        reverse("accounts:centre_id_number"), {"name": "张三", "id_number": number}
    )
    assert response.status_code == 200
    page = html(response)
    assert message in page
    # The error is tied to its input, and the typed number is not written back.
    assert 'aria-describedby="id_id_number_helptext id_id_number_error"' in page
    assert 'id="id_id_number_error"' in page
    assert number not in page
    person.refresh_from_db()
    assert person.id_number_digest == "" and person.display_name == "张三"
    assert not AuditEvent.objects.filter(action=events.ID_NUMBER_SET).exists()


def test_an_id_number_registered_by_someone_else_is_refused(logged_in, person, db):
    other = make_citizen("lisi")
    set_id_number(user=other, id_number=ID_NUMBER, name="李四", acting_user=other)
    response = logged_in.post(
        reverse("accounts:centre_id_number"), {"name": "张三丰", "id_number": ID_NUMBER}
    )
    assert "该身份证号码已注册" in html(response)
    person.refresh_from_db()
    assert person.id_number_digest == "" and person.display_name == "张三"
    assert ID_NUMBER not in html(response)


def test_the_full_number_is_shown_once_after_the_password_and_audited(logged_in, registered):
    url = reverse("accounts:centre_reveal_id_number")
    wrong = logged_in.post(url, {"password": "not-my-password"})
    assert wrong.status_code == 200
    assert "密码不正确。" in html(wrong) and ID_NUMBER not in html(wrong)
    assert not AuditEvent.objects.filter(action=events.ID_NUMBER_VIEWED).exists()

    right = logged_in.post(url, {"password": PASSWORD})
    assert right.status_code == 200
    assert ID_NUMBER in html(right)
    assert "no-store" in right["Cache-Control"]
    event = AuditEvent.objects.get(action=events.ID_NUMBER_VIEWED)
    assert (event.actor, event.object_id) == (registered, str(registered.pk))
    assert ID_NUMBER not in str(event.detail)

    # Back to masked on the next page.
    for name in ("accounts:centre", "accounts:centre_companies", "accounts:centre_logins"):
        page = html(logged_in.get(reverse(name)))
        assert ID_NUMBER not in page, name
    assert "3301**********123X" in html(logged_in.get(reverse("accounts:centre")))


def test_reveal_is_refused_after_five_wrong_passwords(logged_in, registered):
    url = reverse("accounts:centre_reveal_id_number")
    for _ in range(5):
        logged_in.post(url, {"password": "wrong-password"})
    response = logged_in.post(url, {"password": PASSWORD})
    assert "密码错误次数过多" in html(response)
    assert ID_NUMBER not in html(response)
    assert not AuditEvent.objects.filter(action=events.ID_NUMBER_VIEWED).exists()


def test_reveal_without_password_is_a_form_error(logged_in, registered):
    response = logged_in.post(reverse("accounts:centre_reveal_id_number"), {"password": ""})
    assert response.status_code == 200
    assert 'id="id_password_error"' in html(response)
    assert not AuditEvent.objects.filter(action=events.ID_NUMBER_VIEWED).exists()


def test_reveal_is_post_only(logged_in, registered):
    assert logged_in.get(reverse("accounts:centre_reveal_id_number")).status_code == 405


# 手机号码核验 ------------------------------------------------------------------------------


def sent_code(mobile):
    message = RecordingSmsBackend.last_to(mobile)
    assert message is not None, f"no SMS to {mobile}"
    return re.search(r"\d{6}", message.text).group()


def test_verifying_the_phone_raises_the_level_to_two(
    logged_in, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(reverse("accounts:centre_mobile"), {"mobile": "13912345678"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:centre_mobile_verify")
    code = sent_code("13912345678")

    page = logged_in.get(reverse("accounts:centre_mobile_verify"))
    assert "139****5678" in html(page) and "13912345678" not in html(page)
    assert '<label for="id_code">短信验证码' in html(page)

    wrong = "000000" if code != "000000" else "111111"
    response = logged_in.post(reverse("accounts:centre_mobile_verify"), {"code": wrong})
    assert "验证码不正确。" in html(response)
    person.refresh_from_db()
    assert person.real_name_level == RealNameLevel.REGISTERED and person.mobile == ""

    response = logged_in.post(reverse("accounts:centre_mobile_verify"), {"code": code})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.real_name_level == RealNameLevel.PHONE
    assert person.mobile == "13912345678" and person.mobile_verified_at is not None
    event = AuditEvent.objects.get(action=events.MOBILE_VERIFIED)
    assert event.detail["mobile"] == "139****5678"
    profile = html(logged_in.get(reverse("accounts:centre"), follow=True))
    assert "手机号码已核验，实名等级已升为二级。" in profile
    profile = html(logged_in.get(reverse("accounts:centre")))
    assert "2 级" in profile and "139****5678" in profile and "13912345678" not in profile
    assert "升为二级" not in profile


def test_an_expired_code_says_so(logged_in, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post(reverse("accounts:centre_mobile"), {"mobile": "13912345678"})
    code = sent_code("13912345678")
    cache.clear()
    response = logged_in.post(reverse("accounts:centre_mobile_verify"), {"code": code})
    assert "验证码已过期或不存在，请重新获取。" in html(response)
    person.refresh_from_db()
    assert person.real_name_level == RealNameLevel.REGISTERED


@pytest.mark.parametrize(
    ("mobile", "message"),
    [("12345", "手机号码应为以 1 开头的 11 位数字。"), ("", "必需字段")],
)
def test_a_bad_mobile_gets_a_chinese_error(logged_in, mobile, message):
    response = logged_in.post(reverse("accounts:centre_mobile"), {"mobile": mobile})
    assert response.status_code == 200
    assert message in html(response)
    assert RecordingSmsBackend.outbox == []


def test_a_mobile_verified_by_another_account_is_refused(logged_in, db):
    other = make_citizen("lisi", mobile="13912345678")
    User.objects.filter(pk=other.pk).update(mobile_verified_at=timezone.now())
    response = logged_in.post(reverse("accounts:centre_mobile"), {"mobile": "13912345678"})
    assert "该手机号码已被其他账号核验使用。" in html(response)
    assert RecordingSmsBackend.outbox == []


def test_resend_is_throttled(logged_in, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post(reverse("accounts:centre_mobile"), {"mobile": "13912345678"})
        response = logged_in.post(
            reverse("accounts:centre_mobile_verify"), {"resend": "1"}, follow=True
        )
    assert "验证码发送太频繁" in html(response)
    assert len(RecordingSmsBackend.outbox) == 1


def test_the_code_page_without_a_pending_mobile_goes_back_to_the_profile(logged_in):
    response = logged_in.get(reverse("accounts:centre_mobile_verify"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:centre")


# 我的企业与经办人 -------------------------------------------------------------------------


@pytest.fixture
def administered(company, person):
    company.administrator = person
    company.save(update_fields=["administrator"])
    return company


@pytest.fixture
def agent(db):
    return make_citizen("lisi", display_name="李四", level=RealNameLevel.PHONE)


def authorize_url(legal_person):
    return reverse("accounts:centre_authorize_agent", args=[legal_person.pk])


def authorize_data(legal_person, agent_text, expires=""):
    prefix = f"authorize-{legal_person.pk}"
    return {f"{prefix}-agent": agent_text, f"{prefix}-expires_at": expires}


def test_companies_page_lists_what_i_administer_with_accessible_forms(logged_in, administered):
    response = logged_in.get(reverse("accounts:centre_companies"))
    assert response.status_code == 200
    page = html(response)
    assert administered.name in page and administered.uscc in page
    prefix = f"id_authorize-{administered.pk}"
    assert f'<label for="{prefix}-agent">经办人用户名或已核验手机号码' in page
    assert f'<label for="{prefix}-expires_at">授权失效时间（北京时间，可不填）' in page
    assert 'type="datetime-local"' in page
    assert "尚未授权经办人" in page
    # No list of the platform's users to choose from.
    assert "<select" not in page


def test_administrator_authorizes_an_agent_by_username_with_beijing_expiry(
    logged_in, administered, agent
):
    response = logged_in.post(
        authorize_url(administered), authorize_data(administered, "lisi", "2030-01-01T09:00")
    )
    assert response.status_code == 302
    authorization = AgentAuthorization.objects.get(legal_person=administered, agent=agent)
    assert authorization.expires_at == datetime(2030, 1, 1, 1, 0, tzinfo=UTC)
    assert AuditEvent.objects.filter(action="accounts.authorize_agent").count() == 1
    page = html(logged_in.get(reverse("accounts:centre_companies")))
    assert "李四（lisi）" in page and "2030-01-01 09:00" in page


def test_administrator_authorizes_an_agent_by_verified_mobile(logged_in, administered, agent):
    User.objects.filter(pk=agent.pk).update(mobile="13700001111", mobile_verified_at=timezone.now())
    response = logged_in.post(
        authorize_url(administered), authorize_data(administered, "13700001111")
    )
    assert response.status_code == 302
    authorization = AgentAuthorization.objects.get(legal_person=administered, agent=agent)
    assert authorization.expires_at is None
    page = html(logged_in.get(reverse("accounts:centre_companies")))
    assert "137****1111" in page and "13700001111" not in page and "长期有效" in page


@pytest.mark.parametrize(
    ("agent_text", "expires", "message"),
    [
        ("nobody", "", "未找到该用户，请核对用户名或已核验的手机号码。"),
        # An unverified mobile names nobody.
        ("13800009999", "", "未找到该用户，请核对用户名或已核验的手机号码。"),
        ("company", "", "经办人必须是自然人用户。"),
        ("zhangsan", "", "你是该法人的管理员"),
        ("lisi", "2020-01-01T09:00", "失效时间必须晚于当前时间。"),
        ("lisi", "明天", "输入一个有效的日期/时间。"),
    ],
)
def test_bad_authorizations_get_chinese_errors_and_write_nothing(
    logged_in, administered, agent, company_account, agent_text, expires, message
):
    User.objects.filter(pk=agent.pk).update(mobile="13800009999")
    response = logged_in.post(
        authorize_url(administered), authorize_data(administered, agent_text, expires)
    )
    assert response.status_code == 200
    assert message in html(response)
    assert 'aria-invalid="true"' in html(response)
    assert not AgentAuthorization.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.authorize_agent").exists()


def test_a_second_live_authorization_of_the_same_agent_is_refused(logged_in, administered, agent):
    logged_in.post(authorize_url(administered), authorize_data(administered, "lisi"))
    response = logged_in.post(authorize_url(administered), authorize_data(administered, "lisi"))
    assert "该经办人已有这个法人的有效授权" in html(response)
    assert AgentAuthorization.objects.count() == 1


def test_only_the_administrator_may_authorize(client, administered, agent):
    client.force_login(agent)
    response = client.post(authorize_url(administered), authorize_data(administered, "lisi"))
    assert response.status_code == 403
    assert not AgentAuthorization.objects.exists()


def revoke_url(authorization):
    return reverse("accounts:centre_revoke_agent", args=[authorization.pk])


def revoke_data(authorization, reason):
    return {f"revoke-{authorization.pk}-reason": reason}


@pytest.fixture
def authorization(administered, person, agent):
    return authorize_agent(legal_person=administered, agent=agent, acting_user=person)


def test_administrator_revokes_an_agent_with_a_reason(logged_in, authorization):
    response = logged_in.post(revoke_url(authorization), revoke_data(authorization, "已离职"))
    assert response.status_code == 302
    authorization.refresh_from_db()
    assert authorization.revoked_at is not None
    event = AuditEvent.objects.get(action="accounts.revoke_agent")
    assert event.detail["reason"] == "已离职" and event.detail["by_agent"] is False


def test_revoking_needs_a_reason(logged_in, authorization):
    response = logged_in.post(revoke_url(authorization), revoke_data(authorization, " "))
    assert response.status_code == 200
    assert "必需字段" in html(response)
    authorization.refresh_from_db()
    assert authorization.revoked_at is None


@pytest.mark.parametrize("reason", ["我来撤销", ""])
def test_another_user_cannot_revoke_my_companys_agents(client, authorization, reason):
    stranger = make_citizen("wangwu")
    client.force_login(stranger)
    response = client.post(revoke_url(authorization), revoke_data(authorization, reason))
    assert response.status_code == 403
    authorization.refresh_from_db()
    assert authorization.revoked_at is None
    assert not AuditEvent.objects.filter(action="accounts.revoke_agent").exists()


def test_the_agent_sees_the_company_and_may_give_the_authorization_up(
    client, authorization, agent, administered
):
    client.force_login(agent)
    page = html(client.get(reverse("accounts:centre_companies")))
    assert administered.name in page and "长期有效" in page
    response = client.post(
        revoke_url(authorization),
        {"as_agent": "1", f"giveup-{authorization.pk}-reason": "不再负责"},
    )
    assert response.status_code == 302
    authorization.refresh_from_db()
    assert authorization.revoked_at is not None
    assert AuditEvent.objects.get(action="accounts.revoke_agent").detail["by_agent"] is True
    client.get(reverse("accounts:centre_companies"))  # shows (and uses up) the message
    assert administered.name not in html(client.get(reverse("accounts:centre_companies")))


def test_an_expired_authorization_is_not_listed_for_the_agent(client, authorization, agent):
    AgentAuthorization.objects.filter(pk=authorization.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(agent)
    page = html(client.get(reverse("accounts:centre_companies")))
    assert "目前没有法人授权你为经办人" in page


# 以该企业身份办事 -------------------------------------------------------------------------


def act(client, legal_person):
    return client.post(reverse("accounts:centre_act_for"), {"legal_person": legal_person.pk})


def request_for(client, user):
    """A request carrying the client's session, to call ``acting`` helpers on."""
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key=client.session.session_key)
    request.user = user
    return request


def test_an_agent_acts_for_the_company_and_switches_back(client, authorization, agent):
    client.force_login(agent)
    legal_person = authorization.legal_person
    response = act(client, legal_person)
    assert response.status_code == 302
    assert client.session[acting.SESSION_KEY] == legal_person.pk
    label = f"经办人 李四 代表 {legal_person.name}"
    event = AuditEvent.objects.get(action=events.ACTING_STARTED)
    assert (event.actor, event.on_behalf_of) == (agent, label)
    request = request_for(client, agent)
    assert acting.acting_legal_person(request) == legal_person
    assert acting.on_behalf_of_label(request) == label
    page = html(client.get(reverse("accounts:centre")))
    assert "当前身份" in page and "切换回个人身份" in page

    response = client.post(reverse("accounts:centre_act_as_self"))
    assert response.status_code == 302
    assert acting.SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action=events.ACTING_STOPPED).count() == 1
    assert acting.on_behalf_of_label(request_for(client, agent)) == ""
    page = html(client.get(reverse("accounts:centre")))
    assert "已切换回个人身份。" in page and "当前身份" not in page


def test_the_administrator_acts_for_the_company(logged_in, administered, person):
    act(logged_in, administered)
    assert logged_in.session[acting.SESSION_KEY] == administered.pk
    label = acting.on_behalf_of_label(request_for(logged_in, person))
    assert label == f"法人管理员 张三 代表 {administered.name}"


def test_nobody_acts_for_a_company_without_an_authorization(client, administered):
    stranger = make_citizen("wangwu")
    client.force_login(stranger)
    response = act(client, administered)
    assert response.status_code == 302
    assert acting.SESSION_KEY not in client.session
    assert not AuditEvent.objects.filter(action=events.ACTING_STARTED).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("没有该法人的有效经办人授权" in m for m in messages)


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_a_stale_acting_value_is_dropped(client, authorization, agent, person, how):
    client.force_login(agent)
    act(client, authorization.legal_person)
    assert client.session[acting.SESSION_KEY] == authorization.legal_person.pk
    if how == "revoked":
        from yiwang.accounts.actions import revoke_agent

        revoke_agent(authorization=authorization, acting_user=person, reason="到期")
    else:
        AgentAuthorization.objects.filter(pk=authorization.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    request = request_for(client, agent)
    assert acting.acting_legal_person(request) is None
    assert acting.on_behalf_of_label(request) == ""
    assert acting.SESSION_KEY not in request.session
    # The page no longer says so, and the session lost the value.
    page = html(client.get(reverse("accounts:centre")))
    assert "当前身份" not in page
    assert acting.SESSION_KEY not in client.session


def test_acting_for_an_unknown_company_is_an_error(logged_in):
    response = logged_in.post(reverse("accounts:centre_act_for"), {"legal_person": "x"})
    assert response.status_code == 302
    assert acting.SESSION_KEY not in logged_in.session


def test_acting_is_nothing_for_anonymous_requests(db):
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.session[acting.SESSION_KEY] = 1
    request.user = AnonymousUser()
    assert acting.acting_legal_person(request) is None
    assert acting.SESSION_KEY not in request.session


# 登录记录 ---------------------------------------------------------------------------------


def login_rows(user, count, *, address="192.168.3.7", action=events.LOGIN):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    for _ in range(count):
        record(action=action, actor=user, obj=user, request=request, detail={})


def test_login_history_shows_my_rows_newest_first_in_beijing_time_masked(logged_in, person):
    other = make_citizen("lisi")
    login_rows(person, 1)
    login_rows(person, 1, address="10.1.2.3", action=events.LOGIN_FAILED)
    login_rows(other, 1, address="172.16.9.9")
    # Not a login event: not listed.
    record(action=events.ID_NUMBER_SET, actor=person, obj=person, detail={})
    mine = AuditEvent.objects.filter(actor=person)
    # The login at 00:30 Beijing time on 2 March, the failure at 09:05 the same day.
    mine.filter(action=events.LOGIN).update(occurred_at=datetime(2026, 3, 1, 16, 30, tzinfo=UTC))
    mine.filter(action=events.LOGIN_FAILED).update(
        occurred_at=datetime(2026, 3, 2, 1, 5, tzinfo=UTC)
    )

    response = logged_in.get(reverse("accounts:centre_logins"))
    assert response.status_code == 200
    page = html(response)
    assert "时间（北京时间）" in page
    assert page.index("2026-03-02 09:05:00") < page.index("2026-03-02 00:30:00")
    assert "登录失败" in page and "10.1.*.*" in page and "192.168.*.*" in page
    assert "10.1.2.3" not in page and "192.168.3.7" not in page
    assert "172.16" not in page


def test_login_history_is_paginated(logged_in, person):
    login_rows(person, LOGINS_PER_PAGE + 3)
    first = html(logged_in.get(reverse("accounts:centre_logins")))
    assert first.count("192.168.*.*") == LOGINS_PER_PAGE
    assert "第 1 页，共 2 页" in first and "下一页" in first
    second = html(logged_in.get(reverse("accounts:centre_logins"), {"page": 2}))
    assert second.count("192.168.*.*") == 3
    assert (
        html(logged_in.get(reverse("accounts:centre_logins"), {"page": "x"})).count("192.168.*.*")
        == LOGINS_PER_PAGE
    )


@pytest.mark.parametrize("rows", [3, LOGINS_PER_PAGE])
def test_a_page_of_login_history_takes_two_queries(person, rows, django_assert_num_queries):
    login_rows(person, rows)
    # The count and the page's rows, however many rows there are.
    with django_assert_num_queries(2):
        page = login_history(person, 1)
    assert len(page.rows) == rows


def test_the_login_history_page_query_count_does_not_grow_with_rows(logged_in, person):
    def queries_for_page():
        with CaptureQueriesContext(connection) as context:
            response = logged_in.get(reverse("accounts:centre_logins"))
        assert response.status_code == 200
        return len(context.captured_queries)

    login_rows(person, 2)
    logged_in.get(reverse("accounts:centre_logins"))  # caches filled (site, content types)
    few = queries_for_page()
    login_rows(person, LOGINS_PER_PAGE * 2)
    assert queries_for_page() == few


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("192.168.3.7", "192.168.*.*"),
        ("2001:db8::1", "2001:db8:*"),
        ("", ""),
        (None, ""),
        ("nonsense", "*"),
    ],
)
def test_mask_address(address, masked):
    assert mask_address(address) == masked


# real_name_required ------------------------------------------------------------------------


@real_name_required(RealNameLevel.PHONE)
def phone_level_view(request):
    return HttpResponse("办理页面")


@real_name_required(3)
def identity_level_view(request):
    return HttpResponse("办理页面")


def call(view, user):
    request = RequestFactory().get("/service/apply/?item=1")
    request.user = user
    request.session = SessionStore()
    return view(request)


def test_real_name_required_sends_anonymous_visitors_to_login(db):
    response = call(phone_level_view, AnonymousUser())
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/service/apply/%3Fitem%3D1"


def test_real_name_required_explains_how_to_reach_the_level(person):
    response = call(phone_level_view, person)
    assert response.status_code == 403
    page = html(response)
    assert "需要实名等级2级" in page and "当前的实名等级是 1 级" in page
    assert "升为二级" in page and "升为三级" not in page
    assert "办理页面" not in page
    denial = AuditEvent.objects.get(action=events.AUTHORIZATION_DENIED)
    assert denial.actor == person and denial.detail["source"] == "real_name_level"

    response = call(identity_level_view, person)
    page = html(response)
    assert response.status_code == 403
    assert "升为二级" in page and "升为三级" in page
    assert "先在个人中心“我的资料”中登记真实姓名和居民身份证号码" in page


def test_real_name_required_lets_users_at_or_above_the_level_in(person):
    person.real_name_level = RealNameLevel.PHONE
    assert call(phone_level_view, person).content.decode() == "办理页面"
    assert call(identity_level_view, person).status_code == 403
    person.real_name_level = RealNameLevel.IDENTITY
    assert call(phone_level_view, person).status_code == 200
    assert call(identity_level_view, person).content.decode() == "办理页面"
