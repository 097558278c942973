"""Login by password and by SMS code, brute-force protection, logout (everywhere),
registration, password change and reset: the pages as a visitor uses them, and what each
leaves behind (session, audit rows, throttle counters) or must not leave behind."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, RefreshToken
from stdnum.cn import ric

from yiwang.accounts import events, throttle
from yiwang.accounts.actions import set_id_number
from yiwang.accounts.models import RealNameLevel, User, UserKind
from yiwang.accounts.validators import CharacterClassesValidator
from yiwang.core.models import AuditEvent
from yiwang.core.sms import RecordingSmsBackend

PASSWORD = "Qingshan-2026-citizen"
NEW_PASSWORD = "Songlin#2027-renewed"
MOBILE = "13812345678"
ADDRESS_A = "203.0.113.5"
ADDRESS_B = "198.51.100.7"
LOCKED = "登录失败次数过多"


def make_id_number(body17):
    return body17 + ric.calc_check_digit(body17 + "0")


ID_NUMBER = make_id_number("33010619900101123")
OTHER_ID_NUMBER = make_id_number("33010619851231002")


def wrong_checksum(number):
    return number[:-1] + ("0" if number[-1] != "0" else "1")


@pytest.fixture(autouse=True)
def clean_slate(settings):
    cache.clear()
    RecordingSmsBackend.clear()
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_SECONDS = 900
    settings.AUTH_PASSWORD_VALIDATORS = [
        *settings.AUTH_PASSWORD_VALIDATORS,
        {"NAME": "yiwang.accounts.validators.CharacterClassesValidator"},
    ]
    yield
    cache.clear()
    RecordingSmsBackend.clear()


@pytest.fixture
def clock(monkeypatch):
    """Moves time forward for the throttle and the cache's expiry alike."""
    real = time.time
    offset = [0.0]
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])

    def advance(seconds):
        offset[0] += seconds

    return advance


@pytest.fixture
def person(db):
    user = User.objects.create_user(
        username="zhangsan",
        password=PASSWORD,
        kind=UserKind.NATURAL,
        display_name="张三",
        mobile=MOBILE,
        mobile_verified_at=timezone.now(),
        real_name_level=RealNameLevel.PHONE,
    )
    set_id_number(user=user, id_number=ID_NUMBER, name="张三", acting_user=user)
    return user


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """POST a form's 获取验证码 and return the code that was texted (or None)."""

    def post(client, url, mobile, **extra):
        before = len(RecordingSmsBackend.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"mobile": mobile, "send_code": "1", **extra})
        assert response.status_code == 200
        sent = RecordingSmsBackend.outbox[before:]
        if not sent:
            return response, None
        return response, re.search(r"验证码是 (\d{6})", sent[-1].text).group(1)

    return post


def login(client, identifier, password, address=ADDRESS_A, **data):
    return client.post(
        reverse("accounts:login"),
        {"identifier": identifier, "password": password, **data},
        REMOTE_ADDR=address,
    )


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


def page_text(response):
    return response.content.decode()


# Password login --------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["zhangsan", MOBILE, ID_NUMBER, ID_NUMBER.lower()])
def test_password_login_by_username_mobile_or_id_number(client, person, identifier):
    response = login(client, identifier, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/centre/"
    assert logged_in_user_id(client) == str(person.pk)
    event = AuditEvent.objects.get(action=events.LOGIN)
    assert (event.actor, event.client_address, event.detail["method"]) == (
        person,
        ADDRESS_A,
        "password",
    )


def test_an_unverified_mobile_does_not_log_in(client, person):
    User.objects.filter(pk=person.pk).update(mobile_verified_at=None)
    response = login(client, MOBILE, PASSWORD)
    assert "账号或密码错误" in page_text(response)
    assert logged_in_user_id(client) is None


def test_wrong_password_and_unknown_account_get_the_same_answer(client, person):
    wrong = login(client, "zhangsan", "Wrong-password-1")
    unknown = login(client, "nobody_here", "Wrong-password-1")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "账号或密码错误。" in page_text(response)
    assert logged_in_user_id(client) is None
    failed = AuditEvent.objects.filter(action=events.LOGIN_FAILED).order_by("sequence")
    assert [(e.actor, e.detail["reason"]) for e in failed] == [
        (person, "wrong_password"),
        (None, "unknown_account"),
    ]
    assert failed[1].detail["identifier"] == "nob***"
    assert not AuditEvent.objects.filter(action=events.LOGIN).exists()


def test_an_inactive_account_cannot_log_in(client, person):
    User.objects.filter(pk=person.pk).update(is_active=False)
    response = login(client, "zhangsan", PASSWORD)
    assert "账号或密码错误。" in page_text(response)
    assert logged_in_user_id(client) is None


def test_empty_fields_get_chinese_errors(client, db):
    response = client.post(reverse("accounts:login"), {"identifier": "", "password": ""})
    text = page_text(response)
    assert "请填写账号。" in text and "请填写密码。" in text
    # Errors are tied to their inputs for screen readers.
    assert 'aria-describedby="id_identifier_helptext id_identifier_error"' in text


def test_the_login_page_has_both_ways_and_keeps_next(client, db):
    response = client.get(reverse("accounts:login"), {"next": "/zwgk/"})
    text = page_text(response)
    assert response.status_code == 200
    assert 'name="next" value="/zwgk/"' in text
    assert 'href="/accounts/login/sms/?next=%2Fzwgk%2F"' in text
    assert "密码登录" in text and "短信验证码登录" in text


# Brute-force protection ------------------------------------------------------------------


def test_lockout_after_max_failures_refuses_even_the_right_password(client, person):
    for _ in range(2):
        assert "账号或密码错误" in page_text(login(client, "zhangsan", "Wrong-password-1"))
    third = page_text(login(client, "zhangsan", "Wrong-password-1"))
    assert "登录失败次数过多，请 15 分钟后再试，或使用短信验证码登录" in third
    # Locked: the right password does not get in, from this address, by any identifier.
    for identifier in ("zhangsan", MOBILE, ID_NUMBER):
        assert LOCKED in page_text(login(client, identifier, PASSWORD))
    assert logged_in_user_id(client) is None
    lockout = AuditEvent.objects.get(action=events.LOCKED_OUT)
    assert (lockout.actor, lockout.detail["seconds"], lockout.client_address) == (
        person,
        900,
        ADDRESS_A,
    )
    reasons = list(
        AuditEvent.objects.filter(action=events.LOGIN_FAILED)
        .order_by("sequence")
        .values_list("detail__reason", flat=True)
    )
    assert reasons == ["wrong_password"] * 3 + ["locked"] * 3


def test_a_lockout_does_not_lock_the_owner_out_from_another_address(client, person):
    for _ in range(3):
        login(client, "zhangsan", "Wrong-password-1", address=ADDRESS_A)
    assert LOCKED in page_text(login(client, "zhangsan", PASSWORD, address=ADDRESS_A))

    elsewhere = Client()
    response = login(elsewhere, "zhangsan", PASSWORD, address=ADDRESS_B)
    assert response.status_code == 302
    assert logged_in_user_id(elsewhere) == str(person.pk)
    # ...and that success does not unlock the attacker's address.
    assert LOCKED in page_text(login(client, "zhangsan", PASSWORD, address=ADDRESS_A))


def test_the_owner_recovers_by_sms_code_while_locked(client, person, send):
    for _ in range(3):
        login(client, "zhangsan", "Wrong-password-1")
    _, code = send(client, reverse("accounts:login_sms"), MOBILE, REMOTE_ADDR=ADDRESS_A)
    assert code is not None
    response = client.post(
        reverse("accounts:login_sms"),
        {"mobile": MOBILE, "code": code, "stage": "verify"},
        REMOTE_ADDR=ADDRESS_A,
    )
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(person.pk)
    assert AuditEvent.objects.filter(action=events.LOGIN, detail__method="sms").count() == 1
    # The SMS login proved ownership: the pair's lock is gone, the password works again.
    client.logout()
    assert login(Client(), "zhangsan", PASSWORD, address=ADDRESS_A).status_code == 302


def test_the_owner_resets_the_password_by_sms_while_locked(client, person, send):
    for _ in range(3):
        login(client, "zhangsan", "Wrong-password-1")
    other_device = Client()
    other_device.force_login(person)

    _, code = send(client, reverse("accounts:recover"), MOBILE)
    response = client.post(
        reverse("accounts:recover"),
        {
            "mobile": MOBILE,
            "code": code,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "stage": "verify",
        },
        REMOTE_ADDR=ADDRESS_A,
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=events.PASSWORD_CHANGED)
    assert event.detail["method"] == "sms_reset"
    # Whoever held a session with the old password is out.
    assert other_device.get("/api/portal/session").json()["authenticated"] is False
    assert login(client, "zhangsan", NEW_PASSWORD).status_code == 302


def test_the_back_off_grows_with_each_lockout(client, person, clock):
    messages = []
    for _round in range(3):
        for _ in range(3):
            response = login(client, "zhangsan", "Wrong-password-1")
        messages.append(re.search(r"请 (\d+) 分钟后再试", page_text(response)).group(1))
        clock(24 * 60 if _round == 0 else 61 * 60)
    assert messages == ["15", "30", "60"]
    seconds = list(
        AuditEvent.objects.filter(action=events.LOCKED_OUT)
        .order_by("sequence")
        .values_list("detail__seconds", flat=True)
    )
    assert seconds == [900, 1800, 3600]
    # Once the lock has run out the right password works, and clears the history.
    assert login(client, "zhangsan", PASSWORD).status_code == 302
    assert throttle.Throttle.for_request(_request(ADDRESS_A), user=person).locked() is None


def test_the_back_off_is_capped_at_a_day(settings, person):
    settings.LOGIN_LOCKOUT_SECONDS = 6 * 3600
    pair = throttle.Throttle(account="u1", address=ADDRESS_A)
    locks = []
    for _ in range(4):
        for _ in range(3):
            failure = pair.fail()
        locks.append(failure.lock.seconds)
        cache.delete(pair._until)
    assert locks == [6 * 3600, 12 * 3600, 24 * 3600, 24 * 3600]


def test_the_address_wide_limit_stops_credential_stuffing(client, settings, person):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    for n in range(4):
        text = page_text(login(client, f"victim{n}", "Password-1234"))
        assert "账号或密码错误" in text
    text = page_text(login(client, "victim9", "Password-1234"))
    assert "该网络登录失败次数过多" in text
    # Every account from this address, even with the right password...
    assert "该网络登录失败次数过多" in page_text(login(client, "zhangsan", PASSWORD))
    # ...but not from another address.
    assert login(Client(), "zhangsan", PASSWORD, address=ADDRESS_B).status_code == 302
    assert AuditEvent.objects.filter(action=events.LOCKED_OUT, detail__address_wide=True).exists()


def _request(address, forwarded=None):
    from django.test import RequestFactory

    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_client_address_ignores_x_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert throttle.client_ip(_request(ADDRESS_A, forwarded="192.0.2.1")) == ADDRESS_A


def test_client_address_behind_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent its own X-Forwarded-For; the proxy appended the real address.
    request = _request("10.0.0.2", forwarded=f"192.0.2.1, {ADDRESS_B}")
    assert throttle.client_ip(request) == ADDRESS_B
    settings.TRUSTED_PROXY_COUNT = 2
    assert throttle.client_ip(request) == "192.0.2.1"
    # Fewer entries than proxies, or garbage: the direct peer.
    settings.TRUSTED_PROXY_COUNT = 3
    assert throttle.client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert throttle.client_ip(_request("10.0.0.2", forwarded="not-an-ip")) == "10.0.0.2"


def test_a_spoofed_forwarded_header_does_not_escape_the_lockout(client, person, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(3):
        client.post(
            reverse("accounts:login"),
            {"identifier": "zhangsan", "password": "Wrong-password-1"},
            REMOTE_ADDR=ADDRESS_A,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        reverse("accounts:login"),
        {"identifier": "zhangsan", "password": PASSWORD},
        REMOTE_ADDR=ADDRESS_A,
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert LOCKED in page_text(response)


# SMS-code login --------------------------------------------------------------------------


def test_sms_login_sends_a_code_then_logs_in(client, person, send):
    response, code = send(client, reverse("accounts:login_sms"), MOBILE)
    text = page_text(response)
    assert "验证码已发送至 138****5678" in text
    assert 'name="code"' in text and 'value="verify"' in text
    response = client.post(
        reverse("accounts:login_sms"), {"mobile": MOBILE, "code": code, "stage": "verify"}
    )
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(person.pk)


def test_sms_login_to_an_unknown_number_answers_alike_and_texts_nobody(client, db, send):
    response, code = send(client, reverse("accounts:login_sms"), "13900001111")
    assert code is None and RecordingSmsBackend.outbox == []
    assert "验证码已发送至 139****1111" in page_text(response)
    # Asking again at once is "too frequent" for an unknown number as for a known one.
    response, _ = send(client, reverse("accounts:login_sms"), "13900001111")
    assert "验证码发送太频繁" in page_text(response)


def test_sms_login_wrong_and_expired_codes(client, person, send, clock):
    _, code = send(client, reverse("accounts:login_sms"), MOBILE)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(
        reverse("accounts:login_sms"), {"mobile": MOBILE, "code": wrong, "stage": "verify"}
    )
    assert "验证码不正确。" in page_text(response)
    clock(301)
    response = client.post(
        reverse("accounts:login_sms"), {"mobile": MOBILE, "code": code, "stage": "verify"}
    )
    assert "验证码已过期或不存在，请重新获取。" in page_text(response)
    assert logged_in_user_id(client) is None
    reasons = set(
        AuditEvent.objects.filter(action=events.LOGIN_FAILED).values_list(
            "detail__reason", flat=True
        )
    )
    assert reasons == {"sms_code_wrong", "sms_code_expired"}


def test_a_bad_mobile_is_refused_before_sending(client, db, send):
    response, code = send(client, reverse("accounts:login_sms"), "12345")
    assert code is None
    assert "手机号码应为以 1 开头的 11 位数字。" in page_text(response)


# Audit rows hold no secrets --------------------------------------------------------------


def test_audit_rows_hold_no_password_code_or_full_number(client, person, send):
    login(client, "zhangsan", "Wrong-password-1")
    login(client, ID_NUMBER, "Another-wrong-2")
    login(client, make_id_number("11010519491231002"), "Unknown-number-3")
    _, code = send(Client(), reverse("accounts:login_sms"), MOBILE)
    Client().post(
        reverse("accounts:login_sms"), {"mobile": MOBILE, "code": code, "stage": "verify"}
    )
    login(client, "zhangsan", PASSWORD)
    rows = list(AuditEvent.objects.values_list("detail", "object_repr"))
    assert len(rows) >= 6
    dump = repr(rows)
    for secret in (
        "Wrong-password-1",
        "Another-wrong-2",
        "Unknown-number-3",
        PASSWORD,
        code,
        ID_NUMBER,
        "110105194912310",
        MOBILE,
    ):
        assert secret not in dump, secret


# next --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/steal", "http://songlin.localhost.evil.example/"],
)
def test_a_foreign_next_is_refused(client, person, site_group, next_url):
    response = login(client, "zhangsan", PASSWORD, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/centre/"


def test_a_next_on_this_site_is_kept(client, person):
    response = login(client, "zhangsan", PASSWORD, next="/zwgk/tzgg/?page=2")
    assert response["Location"] == "/zwgk/tzgg/?page=2"


# Logout ------------------------------------------------------------------------------------


@pytest.fixture
def two_hosts(person, site_group):
    """The person logged in on the identity host and, separately, on the county portal."""
    identity = Client(HTTP_HOST="localhost:8000")
    county = Client(HTTP_HOST="songlin.localhost")
    assert login(identity, "zhangsan", PASSWORD).status_code == 302
    assert login(county, "zhangsan", PASSWORD).status_code == 302
    for client in (identity, county):
        assert client.get("/api/portal/session").json()["authenticated"] is True
    return identity, county


@pytest.fixture
def oauth_tokens(person):
    app = Application.objects.create(
        name="部门系统",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://dept.example/cb",
        algorithm=Application.RS256_ALGORITHM,
    )
    access = AccessToken.objects.create(
        user=person,
        application=app,
        token="access-token-1",
        expires=timezone.now() + timedelta(hours=1),
        scope="openid",
    )
    refresh = RefreshToken.objects.create(
        user=person, application=app, token="refresh-token-1", access_token=access
    )
    return access, refresh


def test_logout_everywhere_ends_the_session_on_another_host(two_hosts, person, oauth_tokens):
    identity, county = two_hosts
    response = county.post(reverse("accounts:logout"), {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    for client in (identity, county):
        assert client.get("/api/portal/session").json()["authenticated"] is False
    person.refresh_from_db()
    assert person.session_generation == 1
    assert not AccessToken.objects.filter(user=person).exists()
    assert RefreshToken.objects.get(pk=oauth_tokens[1].pk).revoked is not None
    event = AuditEvent.objects.get(action=events.LOGOUT_EVERYWHERE)
    assert (event.actor, event.detail["access_tokens"], event.detail["refresh_tokens"]) == (
        person,
        1,
        1,
    )
    # The old password still works: logging out is not a lockout.
    assert login(Client(), "zhangsan", PASSWORD).status_code == 302


def test_logout_of_this_device_only(two_hosts, person, oauth_tokens):
    identity, county = two_hosts
    county.post(reverse("accounts:logout"), {"scope": "device"})
    assert county.get("/api/portal/session").json()["authenticated"] is False
    assert identity.get("/api/portal/session").json()["authenticated"] is True
    assert AccessToken.objects.filter(user=person).exists()
    assert AuditEvent.objects.filter(action=events.LOGOUT, detail__scope="device").exists()


def test_logout_by_get_only_asks(two_hosts):
    identity, _ = two_hosts
    response = identity.get(reverse("accounts:logout"))
    assert response.status_code == 200
    assert "退出所有网站" in page_text(response) and "只退出本设备" in page_text(response)
    assert identity.get("/api/portal/session").json()["authenticated"] is True
    assert not AuditEvent.objects.filter(action__startswith="accounts.logout").exists()


def test_logout_needs_the_csrf_token(two_hosts):
    identity, _ = two_hosts
    identity.handler.enforce_csrf_checks = True
    assert identity.post(reverse("accounts:logout")).status_code == 403
    assert identity.get("/api/portal/session").json()["authenticated"] is True


# Registration ------------------------------------------------------------------------------


def register(client, code, **overrides):
    data = {
        "stage": "verify",
        "mobile": "13900002222",
        "code": code,
        "username": "lisi2026",
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "name": "李四",
        "id_number": OTHER_ID_NUMBER,
        **overrides,
    }
    return client.post(reverse("accounts:register"), data, REMOTE_ADDR=ADDRESS_A)


def test_registration_creates_a_level_two_person_with_an_encrypted_id_number(client, db, send):
    response, code = send(client, reverse("accounts:register"), "13900002222")
    assert "第二步" in page_text(response)
    response = register(client, code)
    assert response.status_code == 302
    user = User.objects.get(username="lisi2026")
    assert (user.kind, user.real_name_level, user.display_name) == (
        UserKind.NATURAL,
        RealNameLevel.PHONE,
        "李四",
    )
    assert user.mobile == "13900002222" and user.mobile_verified_at is not None
    assert user.id_number_masked == OTHER_ID_NUMBER[:4] + "*" * 10 + OTHER_ID_NUMBER[-4:]
    assert OTHER_ID_NUMBER not in user.id_number_encrypted
    assert user.check_password(NEW_PASSWORD)
    assert logged_in_user_id(client) == str(user.pk)
    actions = set(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
    assert {
        events.REGISTERED,
        events.MOBILE_VERIFIED,
        events.ID_NUMBER_SET,
        events.LOGIN,
    } <= actions
    assert OTHER_ID_NUMBER not in repr(list(AuditEvent.objects.values_list("detail")))


def test_registration_without_id_number(client, db, send):
    _, code = send(client, reverse("accounts:register"), "13900002222")
    response = register(client, code, name="", id_number="")
    assert response.status_code == 302
    user = User.objects.get(username="lisi2026")
    assert user.real_name_level == RealNameLevel.PHONE and user.id_number_digest == ""


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id_number": wrong_checksum(OTHER_ID_NUMBER)}, "居民身份证号码校验位不正确"),
        ({"id_number": make_id_number("33010619901301123")}, "出生日期或地区码无效"),
        ({"name": ""}, "登记身份证号码时请填写真实姓名。"),
        ({"password": "abcdefghijkl", "password2": "abcdefghijkl"}, "至少 3 类"),
        ({"password": "Short-1", "password2": "Short-1"}, "密码太短，至少需要 10 个字符。"),
        ({"password": "1234567890", "password2": "1234567890"}, "这个密码太常见了。"),
        ({"password2": "Something-else-9"}, "两次输入的密码不一致。"),
        ({"username": "1abc"}, "用户名应为 4 至 30 位字母、数字或下划线"),
        ({"username": "ZhangSan"}, "该用户名已被使用"),
    ],
)
def test_registration_errors_write_nothing_and_keep_the_code(
    client, person, send, overrides, message
):
    _, code = send(client, reverse("accounts:register"), "13900002222")
    users = User.objects.count()
    response = register(client, code, **overrides)
    assert response.status_code == 200
    assert message in page_text(response)
    assert User.objects.count() == users
    assert not AuditEvent.objects.filter(action=events.REGISTERED).exists()
    # The code was not used up by the mistake: the corrected form goes through.
    assert register(client, code).status_code == 302


def test_registration_with_a_wrong_or_expired_code(client, db, send, clock):
    _, code = send(client, reverse("accounts:register"), "13900002222")
    wrong = "000000" if code != "000000" else "111111"
    assert "验证码不正确。" in page_text(register(client, wrong))
    clock(301)
    assert "验证码已过期或不存在，请重新获取。" in page_text(register(client, code))
    assert not User.objects.filter(username="lisi2026").exists()


def test_registration_refuses_a_taken_mobile_or_id_number(client, person, send):
    response, code = send(client, reverse("accounts:register"), MOBILE)
    assert code is None
    assert "该手机号码已注册，请直接登录或找回密码。" in page_text(response)
    _, code = send(client, reverse("accounts:register"), "13900002222")
    response = register(client, code, id_number=ID_NUMBER)
    assert "该身份证号码已注册，请直接登录或找回密码。" in page_text(response)
    response = register(client, code, mobile=MOBILE)
    assert "该手机号码已注册" in page_text(response)
    assert User.objects.count() == 1


def test_registration_page_resend_keeps_what_was_typed(client, db, send, clock):
    send(client, reverse("accounts:register"), "13900002222")
    clock(61)
    response, code = send(
        client,
        reverse("accounts:register"),
        "13900002222",
        stage="verify",
        username="lisi2026",
        password=NEW_PASSWORD,
    )
    text = page_text(response)
    assert code is not None and 'value="lisi2026"' in text
    assert NEW_PASSWORD not in text


# Password change ---------------------------------------------------------------------------


def test_password_change(client, person):
    other_device = Client()
    other_device.force_login(person)
    client.force_login(person)
    url = reverse("accounts:password_change")

    response = client.post(
        url,
        {
            "old_password": "Wrong-1234-x",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert "原密码不正确。" in page_text(response)
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": "zhangsan", "new_password2": "zhangsan"}
    )
    assert "密码太短" in page_text(response)

    response = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert client.get("/api/portal/session").json()["authenticated"] is True
    assert other_device.get("/api/portal/session").json()["authenticated"] is False
    assert AuditEvent.objects.get(action=events.PASSWORD_CHANGED).detail == {"method": "change"}


def test_password_change_needs_a_login(client, db):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# The password policy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("abcdefghij", False),
        ("abcdefgh12", False),
        ("ABCDEFGH12", False),
        ("Abcdefgh12", True),
        ("abcdefgh1!", True),
        ("密码abcdef12", True),
    ],
)
def test_character_classes_validator(password, ok):
    from django.core.exceptions import ValidationError

    validator = CharacterClassesValidator()
    if ok:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError, match="至少 3 类"):
            validator.validate(password)
