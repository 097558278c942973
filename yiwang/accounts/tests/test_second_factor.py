"""Staff cannot log in without their second factor (TOTP).

The first factor is a tiny password login defined here (``test-login/``) that hands over
through ``otp.begin_login``, exactly as the real login pages do, so these tests do not
depend on them. Codes are computed from the device's secret like an authenticator app does.
"""

import time
from binascii import unhexlify

import pytest
from django.contrib.auth import SESSION_KEY, authenticate
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpResponseForbidden
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang import urls as root_urls
from yiwang.accounts import events, otp
from yiwang.accounts.actions import reset_second_factor
from yiwang.accounts.models import User, UserKind
from yiwang.core.models import AuditEvent
from yiwang.demo.staff_devices import demo_key, ensure_demo_devices

PASSWORD = "Qingshan-2026-staff"
SECOND_FACTOR_URL = "/accounts/staff/second-factor/"
ENROL_URL = "/accounts/staff/enrol/"


@csrf_exempt
def password_login(request):
    user = authenticate(
        request, username=request.POST.get("username"), password=request.POST.get("password")
    )
    if user is None:
        return HttpResponseForbidden()
    return otp.begin_login(request, user, request.POST.get("next", ""))


urlpatterns = [path("test-login/", password_login), *root_urls.urlpatterns]
handler403 = getattr(root_urls, "handler403", None)
handler404 = root_urls.handler404
handler500 = root_urls.handler500
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()


def code_for(key_hex, *, steps_ahead=0):
    totp = TOTP(unhexlify(key_hex))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def code(device, *, steps_ahead=0):
    return code_for(device.key, steps_ahead=steps_ahead)


@pytest.fixture
def staff(department):
    user = User.objects.create_user(
        username="wangwu",
        password=PASSWORD,
        kind=UserKind.STAFF,
        display_name="王五",
        department=department,
    )
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return user


@pytest.fixture
def device(staff):
    return TOTPDevice.objects.create(user=staff, name="手机", confirmed=True)


@pytest.fixture
def citizen_with_password(citizen):
    citizen.set_password(PASSWORD)
    citizen.save(update_fields=["password"])
    return citizen


def first_factor(client, username="wangwu", next_url="/admin/"):
    return client.post(
        "/test-login/", {"username": username, "password": PASSWORD, "next": next_url}
    )


def audits(action):
    return AuditEvent.objects.filter(action=action)


# -- staff never hold a session on their password alone ----------------------------------


def test_staff_with_password_only_gets_no_authenticated_session(client, device):
    response = first_factor(client)
    assert response.status_code == 302
    assert response["Location"] == SECOND_FACTOR_URL
    assert SESSION_KEY not in client.session
    assert client.session[otp.PENDING_SESSION_KEY]["user_id"] == device.user_id

    dashboard = client.get("/admin/")
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith("/accounts/login/?next=")
    assert SESSION_KEY not in client.session
    assert not audits(events.LOGIN).exists()


def test_the_platform_login_page_hands_staff_to_the_second_factor(client, device):
    response = client.post(
        "/accounts/login/", {"identifier": "wangwu", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"] == SECOND_FACTOR_URL
    assert SESSION_KEY not in client.session
    assert not audits(events.LOGIN).exists()
    assert client.get("/admin/")["Location"].startswith("/accounts/login/")

    response = client.post(SECOND_FACTOR_URL, {"token": code(device)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert audits(events.LOGIN).get().detail == {"method": "password", "second_factor": "totp"}


def test_the_second_factor_page_asks_for_the_code(client, device):
    first_factor(client)
    response = client.get(SECOND_FACTOR_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "动态验证码" in html
    assert 'autocomplete="one-time-code"' in html
    assert 'aria-describedby="id_token_helptext"' in html


def test_correct_code_logs_in_with_a_verified_session(client, device):
    first_factor(client, next_url="/admin/pages/")
    response = client.post(SECOND_FACTOR_URL, {"token": code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"
    session = client.session
    assert session[SESSION_KEY] == str(device.user_id)
    assert session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert otp.PENDING_SESSION_KEY not in session

    assert client.get("/admin/").status_code == 200
    login_event = audits(events.LOGIN).get()
    assert login_event.actor_id == device.user_id
    assert login_event.detail == {"method": "password", "second_factor": "totp"}
    assert code(device) not in str(login_event.detail)


def test_code_with_spaces_is_accepted(client, device):
    first_factor(client)
    token = code(device)
    response = client.post(SECOND_FACTOR_URL, {"token": f"{token[:3]} {token[3:]}"})
    assert response.status_code == 302
    assert SESSION_KEY in client.session


def test_malformed_code_is_a_form_error_not_a_failed_attempt(client, device):
    first_factor(client)
    response = client.post(SECOND_FACTOR_URL, {"token": "12ab"})
    assert response.status_code == 400
    assert "动态验证码是 6 位数字" in response.content.decode()
    assert client.session[otp.PENDING_SESSION_KEY]["failures"] == 0
    assert not audits(events.SECOND_FACTOR_FAILED).exists()


def test_a_used_code_cannot_be_replayed(client, device, django_user_model):
    from django.test import Client

    token = code(device)
    first_factor(client)
    assert client.post(SECOND_FACTOR_URL, {"token": token}).status_code == 302

    other = Client()
    first_factor(other)
    response = other.post(SECOND_FACTOR_URL, {"token": token})
    assert response.status_code == 400
    assert "已使用过" in response.content.decode()
    assert SESSION_KEY not in other.session
    failed = audits(events.SECOND_FACTOR_FAILED).get()
    assert failed.detail["reason"] == "wrong_token"
    assert audits(events.LOGIN).count() == 1


def test_five_wrong_codes_drop_the_pending_login(client, device, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    wrong = code(device, steps_ahead=5)
    first_factor(client)
    for left in (4, 3, 2, 1):
        response = client.post(SECOND_FACTOR_URL, {"token": wrong})
        assert response.status_code == 400
        body = response.content.decode()
        assert "动态验证码不正确" in body
        assert f"还可尝试 {left} 次" in body
        assert 'aria-invalid="true"' in body
    response = client.post(SECOND_FACTOR_URL, {"token": wrong})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert otp.PENDING_SESSION_KEY not in client.session
    assert audits(events.SECOND_FACTOR_FAILED).count() == 5

    # Even the right code no longer helps: the password must be given again.
    response = client.post(SECOND_FACTOR_URL, {"token": code(device)})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert SESSION_KEY not in client.session
    assert not audits(events.LOGIN).exists()


def test_device_back_off_refuses_codes_right_after_a_wrong_one(client, device):
    first_factor(client)
    client.post(SECOND_FACTOR_URL, {"token": code(device, steps_ahead=5)})
    response = client.post(SECOND_FACTOR_URL, {"token": code(device)})
    assert response.status_code == 400
    assert "秒后再试" in response.content.decode()
    assert SESSION_KEY not in client.session
    # Waiting is not a wrong code: only the first attempt counts against the pending login.
    assert client.session[otp.PENDING_SESSION_KEY]["failures"] == 1
    reasons = list(audits(events.SECOND_FACTOR_FAILED).values_list("detail__reason", flat=True))
    assert sorted(reasons) == ["throttled", "wrong_token"]

    # Once the back-off has passed, the right code logs in.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=device.created_at.replace(year=2000)
    )
    assert client.post(SECOND_FACTOR_URL, {"token": code(device)}).status_code == 302
    assert SESSION_KEY in client.session


def test_pending_login_expires_after_five_minutes(client, device):
    first_factor(client)
    session = client.session
    pending = session[otp.PENDING_SESSION_KEY]
    pending["started"] -= otp.PENDING_LOGIN_SECONDS + 1
    session[otp.PENDING_SESSION_KEY] = pending
    session.save()
    response = client.post(SECOND_FACTOR_URL, {"token": code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert SESSION_KEY not in client.session
    assert otp.PENDING_SESSION_KEY not in client.session


def test_second_factor_page_without_a_pending_login_sends_to_login(client, device):
    response = client.get(SECOND_FACTOR_URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_begin_login_ends_another_users_session(client, device, citizen):
    client.force_login(citizen)
    first_factor(client)
    assert SESSION_KEY not in client.session
    assert client.session[otp.PENDING_SESSION_KEY]["user_id"] == device.user_id


def test_foreign_next_is_not_kept(client, device):
    first_factor(client, next_url="https://evil.example/")
    response = client.post(SECOND_FACTOR_URL, {"token": code(device)})
    assert response["Location"] == "/admin/"


# -- first-login enrolment ----------------------------------------------------------------


def test_staff_without_a_device_enrol_and_are_logged_in(client, staff):
    response = first_factor(client)
    assert response["Location"] == ENROL_URL
    assert client.get(SECOND_FACTOR_URL)["Location"] == ENROL_URL

    page = client.get(ENROL_URL)
    assert page.status_code == 200
    html = page.content.decode()
    key = client.session[otp.PENDING_SESSION_KEY]["enrol_key"]
    assert 'src="data:image/svg+xml' in html
    assert "otpauth://totp/" in html
    assert "secret=" in html
    assert not TOTPDevice.objects.filter(user=staff).exists(), "nothing written on GET"
    # Reloading shows the same secret.
    client.get(ENROL_URL)
    assert client.session[otp.PENDING_SESSION_KEY]["enrol_key"] == key

    response = client.post(ENROL_URL, {"token": code_for(key)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed and device.key == key
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/admin/").status_code == 200
    enrolled = audits(events.SECOND_FACTOR_ENROLLED).get()
    assert enrolled.actor == staff
    assert key not in str(enrolled.detail)
    assert audits(events.LOGIN).get().detail["second_factor"] == "totp"


def test_enrolment_code_cannot_log_in_again(client, staff):
    from django.test import Client

    first_factor(client)
    client.get(ENROL_URL)
    token = code_for(client.session[otp.PENDING_SESSION_KEY]["enrol_key"])
    client.post(ENROL_URL, {"token": token})

    other = Client()
    assert first_factor(other)["Location"] == SECOND_FACTOR_URL
    assert other.post(SECOND_FACTOR_URL, {"token": token}).status_code == 400
    assert SESSION_KEY not in other.session


def test_wrong_enrolment_code_writes_no_device(client, staff):
    first_factor(client)
    client.get(ENROL_URL)
    key = client.session[otp.PENDING_SESSION_KEY]["enrol_key"]
    response = client.post(ENROL_URL, {"token": code_for(key, steps_ahead=5)})
    assert response.status_code == 400
    assert "动态验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert SESSION_KEY not in client.session
    assert audits(events.SECOND_FACTOR_FAILED).get().detail["stage"] == "enrolment"
    assert not audits(events.SECOND_FACTOR_ENROLLED).exists()


def test_enrolment_page_is_closed_once_a_device_is_confirmed(client, device):
    first_factor(client)
    response = client.get(ENROL_URL)
    assert response["Location"] == SECOND_FACTOR_URL
    assert client.session[otp.PENDING_SESSION_KEY].get("enrol_key") is None


# -- the middleware: no staff session without OTP -----------------------------------------


def test_staff_session_without_otp_is_logged_out_on_the_admin(client, staff):
    client.force_login(staff)
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpages%2F"
    assert SESSION_KEY not in client.session
    denied = audits(events.AUTHORIZATION_DENIED).get()
    assert denied.actor == staff
    assert denied.detail == {"reason": "second_factor_missing", "path": "/admin/pages/"}


def test_staff_session_without_otp_is_logged_out_everywhere(client, staff, superuser):
    for url in ("/django-admin/", "/accounts/centre/", "/"):
        client.force_login(staff)
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
        assert SESSION_KEY not in client.session, url
    client.force_login(superuser)
    assert client.get("/django-admin/")["Location"].startswith("/accounts/login/")
    assert SESSION_KEY not in client.session


def test_json_requests_get_401_in_chinese_and_english(client, staff):
    client.force_login(staff)
    response = client.get("/admin/pages/", headers={"Accept": "application/json"})
    assert response.status_code == 401
    body = response.json()
    assert "双因素认证" in body["error"] and "second factor" in body["error"]
    assert body["login_url"].startswith("/accounts/login/")
    assert SESSION_KEY not in client.session


def test_login_steps_and_static_files_are_left_alone(client, staff):
    client.force_login(staff)
    client.get("/static/yiwang/site.css")
    client.get(ENROL_URL)
    assert client.session[SESSION_KEY] == str(staff.pk)
    assert not audits(events.AUTHORIZATION_DENIED).exists()


def test_natural_persons_are_not_affected(client, citizen_with_password):
    response = first_factor(client, username="citizen", next_url="/accounts/centre/")
    assert response["Location"] == "/accounts/centre/"
    assert client.session[SESSION_KEY] == str(citizen_with_password.pk)
    assert otp.PENDING_SESSION_KEY not in client.session
    assert not otp.requires_second_factor(citizen_with_password)

    client.force_login(citizen_with_password)
    client.get("/")
    assert client.session[SESSION_KEY] == str(citizen_with_password.pk)
    assert not audits(events.AUTHORIZATION_DENIED).exists()


def test_the_middleware_does_not_make_anonymous_pages_vary_on_cookie(rf, db):
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from yiwang.accounts.middleware import StaffSecondFactorMiddleware

    request = rf.get("/")
    request.session = SessionStore()
    AuthenticationMiddleware(lambda r: None).process_request(request)
    response = StaffSecondFactorMiddleware(lambda r: HttpResponse("ok"))(request)
    assert response.status_code == 200
    assert not request.session.accessed, "SessionMiddleware would add Vary: Cookie"


# -- the admins' own login pages lead to the platform's login -----------------------------


def test_admin_login_pages_redirect_to_the_platform_login(client, settings, db):
    assert settings.WAGTAILADMIN_LOGIN_URL == settings.LOGIN_URL == "/accounts/login/"
    cases = {
        "/admin/login/": "/accounts/login/?next=%2Fadmin%2F",
        "/admin/login/?next=/admin/pages/": "/accounts/login/?next=%2Fadmin%2Fpages%2F",
        "/admin/login/?next=https://evil.example/": "/accounts/login/?next=%2Fadmin%2F",
        "/django-admin/login/": "/accounts/login/?next=%2Fdjango-admin%2F",
        "/django-admin/login/?next=/django-admin/auth/": (
            "/accounts/login/?next=%2Fdjango-admin%2Fauth%2F"
        ),
    }
    for url, location in cases.items():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == location, url
    # Wagtail sends anonymous visitors straight to the platform's login.
    assert client.get("/admin/pages/")["Location"] == "/accounts/login/?next=/admin/pages/"


def test_admin_login_pages_take_no_password(client, staff):
    response = client.post("/admin/login/", {"username": "wangwu", "password": PASSWORD})
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    response = client.post("/django-admin/login/", {"username": "wangwu", "password": PASSWORD})
    assert SESSION_KEY not in client.session


# -- the security administrator's reset ---------------------------------------------------


def test_reset_needs_the_permission(staff, device, citizen):
    with pytest.raises(PermissionDenied):
        reset_second_factor(user=staff, acting_user=citizen)
    with pytest.raises(PermissionDenied):
        reset_second_factor(user=staff, acting_user=None)
    assert TOTPDevice.objects.filter(user=staff).exists()
    staff.refresh_from_db()
    assert staff.session_generation == 0
    assert not audits(events.SECOND_FACTOR_RESET).exists()


def test_nobody_resets_their_own_second_factor(superuser):
    TOTPDevice.objects.create(user=superuser, confirmed=True)
    with pytest.raises(PermissionDenied):
        reset_second_factor(user=superuser, acting_user=superuser)
    assert TOTPDevice.objects.filter(user=superuser).exists()


def test_reset_removes_the_device_and_ends_the_sessions(client, device, superuser):
    staff = device.user
    first_factor(client)
    client.post(SECOND_FACTOR_URL, {"token": code(device)})
    assert client.get("/admin/").status_code == 200

    security_admin = User.objects.create_user(
        username="anquan", kind=UserKind.STAFF, display_name="安全管理员"
    )
    security_admin.user_permissions.add(
        Permission.objects.get(content_type__app_label="accounts", codename="change_user")
    )
    security_admin = User.objects.get(pk=security_admin.pk)
    assert reset_second_factor(user=staff, acting_user=security_admin) == 1

    assert not TOTPDevice.objects.filter(user=staff).exists()
    staff.refresh_from_db()
    assert staff.session_generation == 1
    response = client.get("/admin/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    event = audits(events.SECOND_FACTOR_RESET).get()
    assert (event.actor, event.object_id) == (security_admin, str(staff.pk))

    # The next login enrols a new authenticator.
    assert first_factor(client)["Location"] == ENROL_URL


def test_reset_page_for_security_administrators(client, device, superuser):
    url = f"/accounts/staff/{device.user_id}/reset-second-factor/"
    # A verified session of the superuser (who needs TOTP too).
    superuser.set_password(PASSWORD)
    superuser.save(update_fields=["password"])
    admin_device = TOTPDevice.objects.create(user=superuser, confirmed=True)
    first_factor(client, username="admin")
    client.post(SECOND_FACTOR_URL, {"token": code(admin_device)})
    page = client.get(url)
    assert page.status_code == 200
    assert "确定重置" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=device.user).exists()
    assert audits(events.SECOND_FACTOR_RESET).count() == 1


def test_reset_page_refuses_others(client, device, citizen):
    client.force_login(citizen)
    url = f"/accounts/staff/{device.user_id}/reset-second-factor/"
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=device.user).exists()


# -- demo devices ------------------------------------------------------------------------


def test_demo_devices_are_fixed_and_their_codes_printable(staff, capsys):
    lines = ensure_demo_devices(["wangwu", "nobody"])
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed and device.key == demo_key("wangwu")
    text = "\n".join(lines)
    assert "wangwu" in text and "nobody" not in text
    assert "otpauth://totp/" in text and "oathtool --totp -b" in text
    # Idempotent: the same device, the same secret.
    ensure_demo_devices(["wangwu"])
    assert TOTPDevice.objects.get(user=staff).pk == device.pk

    call_command("totp_code", "wangwu")
    printed = capsys.readouterr().out.strip()
    assert printed in {code(device, steps_ahead=n) for n in (0, 1)}


def test_totp_code_refuses_real_devices(device):
    with pytest.raises(CommandError, match="不是演示密钥"):
        call_command("totp_code", "wangwu")
    with pytest.raises(CommandError, match="没有用户名"):
        call_command("totp_code", "nobody")
