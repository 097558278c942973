"""The platform as an OpenID Connect provider (yiwang/accounts/oidc.py, docs/oidc.md).

Driven through the Django test client (the protocol, claims by scope, the legal person a
login acts for, the back office's client list) and, against the running provider
(pytest-django's ``live_server``), through Authlib's OAuth2 client and the demo department
system."""

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken
from stdnum.cn import ric

from yiwang.accounts import oidc
from yiwang.accounts.actions import set_id_number
from yiwang.accounts.models import AgentAuthorization, LegalPerson, User, UserKind
from yiwang.accounts.oidc_urls import provider_urlpatterns
from yiwang.core.models import AuditEvent
from yiwang.demo import oidc_demo
from yiwang.demo.department_system import DepartmentSystem

from .conftest import make_uscc
from .otp_helpers import login_with_second_factor

REDIRECT = "https://dept.example.gov.cn/callback"
ISSUER = settings.OAUTH2_PROVIDER["OIDC_ISS_ENDPOINT"]
ALL_SCOPES = "openid profile phone real_name legal_person"
ID_NUMBER = "33010619900101123" + ric.calc_check_digit("33010619900101123X")


# Fixtures and helpers.


@pytest.fixture
def department_system(db):
    application, secret = oidc.register_client(name="某某局业务系统", redirect_uris=REDIRECT)
    application.plain_secret = secret
    return application


@pytest.fixture
def person(db):
    user = User.objects.create_user(
        username="zhangsan",
        kind=UserKind.NATURAL,
        display_name="张三",
        mobile="13812345678",
        mobile_verified_at=timezone.now(),
        real_name_level=2,
    )
    set_id_number(user=user, id_number=ID_NUMBER, name="张三", acting_user=user)
    user.refresh_from_db()
    assert user.id_number_masked and ID_NUMBER not in user.id_number_masked
    return user


@pytest.fixture
def company(db):
    return LegalPerson.objects.create(
        name="青山市示范科技有限公司",
        uscc=make_uscc("91990100MA0000001"),
        legal_representative="王五",
    )


@pytest.fixture
def logged_in(client, person):
    client.force_login(person)
    return client


def basic_auth(application):
    credentials = f"{quote(application.client_id)}:{quote(application.plain_secret)}"
    return "Basic " + base64.b64encode(credentials.encode()).decode()


def authorize(client, application, scope="openid", **overrides):
    """Send the authorization request; returns (response, code_verifier)."""
    verifier = generate_token(48)
    params = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "state-1",
        "nonce": "nonce-1",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    params = {key: value for key, value in params.items() if value is not None}
    return client.get("/o/authorize/", params), verifier


def code_from(response):
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["state-1"]
    assert query["iss"] == [ISSUER]  # RFC 9207
    return query["code"][0]


def exchange(client, application, code, verifier, redirect_uri=REDIRECT):
    return client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=basic_auth(application),
    )


def login(client, application, scope="openid"):
    """The whole code flow; returns the token response's JSON."""
    response, verifier = authorize(client, application, scope)
    response = exchange(client, application, code_from(response), verifier)
    assert response.status_code == 200, response.content
    return response.json()


def verify_id_token(client, application, id_token, nonce="nonce-1"):
    jwks = client.get("/o/.well-known/jwks.json").json()
    claims = jwt.decode(
        id_token,
        JsonWebKey.import_key_set(jwks),
        claims_options={
            "iss": {"essential": True, "value": ISSUER},
            "aud": {"essential": True, "value": application.client_id},
            "exp": {"essential": True},
            **({"nonce": {"essential": True, "value": nonce}} if nonce else {}),
        },
    )
    claims.validate()
    assert claims.header["alg"] == "RS256"
    return dict(claims)


def userinfo(client, access_token):
    return client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access_token}")


def refresh(client, application, refresh_token):
    return client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        HTTP_AUTHORIZATION=basic_auth(application),
    )


# Discovery and keys.


@pytest.mark.parametrize(
    "path", ["/.well-known/openid-configuration", "/o/.well-known/openid-configuration"]
)
def test_discovery_document(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    doc = response.json()
    assert doc["issuer"] == ISSUER
    assert doc["authorization_endpoint"] == f"{ISSUER}/o/authorize/"
    assert doc["token_endpoint"] == f"{ISSUER}/o/token/"
    assert doc["userinfo_endpoint"] == f"{ISSUER}/o/userinfo/"
    assert doc["jwks_uri"] == f"{ISSUER}/o/.well-known/jwks.json"
    assert doc["end_session_endpoint"] == f"{ISSUER}/o/logout/"
    assert "RS256" in doc["id_token_signing_alg_values_supported"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["response_types_supported"] == ["code"]
    assert set(ALL_SCOPES.split()) == set(doc["scopes_supported"])
    assert {"name", "phone_number", "real_name_level", "id_number_masked", "legal_person"} <= set(
        doc["claims_supported"]
    )


def test_jwks_publishes_the_public_rsa_key_only(client, db):
    keys = client.get("/o/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert key["kid"] and key["n"] and key["e"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


def test_only_the_used_parts_of_the_toolkit_are_mounted_by_provider_urlpatterns():
    names = {pattern.name for pattern in provider_urlpatterns}
    assert {"authorize", "token", "revoke-token", "user-info", "jwks-info"} <= names
    assert not {"register", "list", "device-authorization", "authorized-token-list"} & names


# The code flow and claims by scope.


def test_code_flow_with_pkce_gives_a_verified_id_token_and_claims_by_scope(
    logged_in, department_system, person
):
    tokens = login(logged_in, department_system, "openid profile phone real_name")
    assert tokens["token_type"] == "Bearer"
    assert tokens["refresh_token"]
    claims = verify_id_token(logged_in, department_system, tokens["id_token"])
    assert claims["sub"] == str(person.pk)
    assert claims["name"] == "张三"
    assert claims["id_number_masked"] == person.id_number_masked

    response = userinfo(logged_in, tokens["access_token"])
    assert response.status_code == 200
    info = response.json()
    assert info == {
        "sub": str(person.pk),
        "name": "张三",
        "preferred_username": "zhangsan",
        "phone_number": "+8613812345678",
        "phone_number_verified": True,
        "real_name_level": 2,
        "id_number_masked": person.id_number_masked,
    }
    # The full ID number is in no response, not even percent- or JSON-escaped.
    for body in (json.dumps(tokens), response.content.decode(), json.dumps(claims)):
        assert ID_NUMBER not in body
        assert ID_NUMBER[6:14] not in body  # the birth date part
    # Tokens are kept hashed at rest (RFC 9700), and the login is audited.
    stored = AccessToken.objects.get(user=person)
    assert stored.token == "" and tokens["access_token"] not in stored.token_checksum
    event = AuditEvent.objects.get(action=oidc.OIDC_LOGIN)
    assert event.actor == person
    assert event.detail["client_id"] == department_system.client_id
    assert event.detail["legal_person_id"] is None
    assert event.on_behalf_of == ""
    assert not Grant.objects.exists()  # the code is spent


def test_claims_are_absent_without_their_scope(logged_in, department_system, person):
    tokens = login(logged_in, department_system, "openid")
    claims = verify_id_token(logged_in, department_system, tokens["id_token"])
    info = userinfo(logged_in, tokens["access_token"]).json()
    assert info == {"sub": str(person.pk)}
    for name in ("name", "phone_number", "real_name_level", "id_number_masked", "legal_person"):
        assert name not in claims

    tokens = login(logged_in, department_system, "openid profile")
    assert set(userinfo(logged_in, tokens["access_token"]).json()) == {
        "sub",
        "name",
        "preferred_username",
    }


def test_an_unverified_mobile_is_not_given(logged_in, department_system, person):
    person.mobile_verified_at = None
    person.save()
    tokens = login(logged_in, department_system, "openid phone")
    info = userinfo(logged_in, tokens["access_token"]).json()
    assert info == {"sub": str(person.pk), "phone_number_verified": False}


def test_authorization_needs_a_login(client, department_system):
    response, _ = authorize(client, department_system)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL + "?next=")
    assert not Grant.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"code_challenge": None, "code_challenge_method": None},
        {"code_challenge_method": "plain"},
    ],
    ids=["no-pkce", "plain-pkce"],
)
def test_authorization_without_s256_pkce_is_refused(logged_in, department_system, overrides):
    response, _ = authorize(logged_in, department_system, **overrides)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert "code" not in query
    assert query["error"] == ["invalid_request"]
    assert not Grant.objects.exists()


def test_the_code_needs_its_verifier(logged_in, department_system):
    response, _verifier = authorize(logged_in, department_system)
    code = code_from(response)
    response = exchange(logged_in, department_system, code, generate_token(48))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize(
    "redirect_uri",
    [
        REDIRECT + "/",
        REDIRECT + "?next=/",
        REDIRECT + "?",
        REDIRECT + "#x",
        "https://dept.example.gov.cn:8443/callback",
        "http://dept.example.gov.cn/callback",
        "https://evil.example.com/callback",
        "https://DEPT.example.gov.cn/callback",
    ],
)
def test_a_redirect_uri_not_registered_exactly_is_refused(
    logged_in, department_system, redirect_uri
):
    response, _ = authorize(logged_in, department_system, redirect_uri=redirect_uri)
    # An error page of the platform: never a redirect to the unregistered address.
    assert response.status_code == 400
    assert "Location" not in response
    assert "无法完成登录" in response.content.decode()
    assert not Grant.objects.exists()


def test_loopback_redirect_uris_are_matched_exactly_too(logged_in, db):
    application, secret = oidc.register_client(
        name="本机测试系统", redirect_uris="http://127.0.0.1:9000/callback"
    )
    response, _ = authorize(logged_in, application, redirect_uri="http://127.0.0.1:9001/callback")
    assert response.status_code == 400
    assert not Grant.objects.exists()
    response, _ = authorize(logged_in, application, redirect_uri="http://127.0.0.1:9000/callback")
    assert response.status_code == 302
    assert Grant.objects.count() == 1


def test_the_token_request_must_repeat_the_redirect_uri(logged_in, department_system):
    application, _ = oidc.register_client(
        name="两个回调地址的系统", redirect_uris=f"{REDIRECT} https://dept.example.gov.cn/other"
    )
    application.plain_secret = _
    response, verifier = authorize(logged_in, application)
    code = code_from(response)
    response = exchange(
        logged_in, application, code, verifier, redirect_uri="https://dept.example.gov.cn/other"
    )
    assert response.status_code == 400
    assert not AccessToken.objects.exists()


def test_refresh_rotates_and_a_replayed_refresh_token_ends_the_login(
    logged_in, department_system, person
):
    tokens = login(logged_in, department_system, "openid profile")
    response = refresh(logged_in, department_system, tokens["refresh_token"])
    assert response.status_code == 200, response.content
    renewed = response.json()
    assert renewed["access_token"] != tokens["access_token"]
    assert renewed["refresh_token"] != tokens["refresh_token"]
    verify_id_token(logged_in, department_system, renewed["id_token"], nonce=None)
    assert userinfo(logged_in, renewed["access_token"]).json()["name"] == "张三"
    assert userinfo(logged_in, tokens["access_token"]).status_code == 401

    # Replaying the old refresh token is refused and revokes the whole family.
    response = refresh(logged_in, department_system, tokens["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert userinfo(logged_in, renewed["access_token"]).status_code == 401
    assert refresh(logged_in, department_system, renewed["refresh_token"]).status_code == 400
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()


def test_a_revoked_token_is_rejected_by_userinfo(logged_in, department_system):
    tokens = login(logged_in, department_system, "openid profile")
    assert userinfo(logged_in, tokens["access_token"]).status_code == 200
    response = logged_in.post(
        "/o/revoke_token/",
        {"token": tokens["access_token"], "token_type_hint": "access_token"},
        HTTP_AUTHORIZATION=basic_auth(department_system),
    )
    assert response.status_code == 200
    assert userinfo(logged_in, tokens["access_token"]).status_code == 401
    # Revoking the access token revokes its refresh token too.
    assert refresh(logged_in, department_system, tokens["refresh_token"]).status_code == 400


def test_another_client_cannot_revoke_or_exchange(logged_in, department_system):
    other, secret = oidc.register_client(name="另一系统", redirect_uris=REDIRECT)
    other.plain_secret = secret
    tokens = login(logged_in, department_system, "openid")
    logged_in.post(
        "/o/revoke_token/",
        {"token": tokens["access_token"]},
        HTTP_AUTHORIZATION=basic_auth(other),
    )
    assert userinfo(logged_in, tokens["access_token"]).status_code == 200

    response, verifier = authorize(logged_in, department_system)
    response = exchange(logged_in, other, code_from(response), verifier)
    assert response.status_code == 400


# The legal person the login acts for.


def act_for(client, legal_person):
    session = client.session
    session[oidc.ACTING_SESSION_KEY] = legal_person.pk
    session.save()


def test_an_agent_with_a_live_authorization_gets_the_legal_person_claim(
    logged_in, department_system, person, company
):
    AgentAuthorization.objects.create(
        legal_person=company, agent=person, expires_at=timezone.now() + timedelta(days=1)
    )
    act_for(logged_in, company)
    tokens = login(logged_in, department_system, ALL_SCOPES)
    expected = {"name": company.name, "uscc": company.uscc, "role": "agent"}
    claims = verify_id_token(logged_in, department_system, tokens["id_token"])
    assert claims["legal_person"] == expected
    assert userinfo(logged_in, tokens["access_token"]).json()["legal_person"] == expected
    event = AuditEvent.objects.get(action=oidc.OIDC_LOGIN)
    assert event.on_behalf_of == company.name
    assert event.detail["legal_person_id"] == company.pk
    assert event.detail["role"] == "agent"

    # Refreshing keeps it (the login's token family remembers it)...
    renewed = refresh(logged_in, department_system, tokens["refresh_token"]).json()
    claims = verify_id_token(logged_in, department_system, renewed["id_token"], nonce=None)
    assert claims["legal_person"] == expected
    assert userinfo(logged_in, renewed["access_token"]).json()["legal_person"] == expected

    # ... until the authorization ends: checked again at every use.
    AgentAuthorization.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    info = userinfo(logged_in, renewed["access_token"]).json()
    assert "legal_person" not in info
    assert info["name"] == "张三"


def test_an_expired_or_revoked_authorization_gives_no_legal_person(
    logged_in, department_system, person, company
):
    past = timezone.now() - timedelta(days=1)
    authorization = AgentAuthorization.objects.create(
        legal_person=company,
        agent=person,
        granted_at=past - timedelta(days=30),
        expires_at=past,
    )
    act_for(logged_in, company)
    tokens = login(logged_in, department_system, ALL_SCOPES)
    assert "legal_person" not in verify_id_token(logged_in, department_system, tokens["id_token"])
    assert "legal_person" not in userinfo(logged_in, tokens["access_token"]).json()

    authorization.expires_at = None
    authorization.revoked_at = timezone.now()
    authorization.save()
    tokens = login(logged_in, department_system, ALL_SCOPES)
    assert "legal_person" not in userinfo(logged_in, tokens["access_token"]).json()
    assert AuditEvent.objects.filter(action=oidc.OIDC_LOGIN, on_behalf_of="").count() == 2


def test_no_legal_person_without_the_session_choice_the_scope_or_any_right(
    logged_in, department_system, person, company
):
    AgentAuthorization.objects.create(legal_person=company, agent=person)
    # Authorized, but not acting for it in this login.
    tokens = login(logged_in, department_system, ALL_SCOPES)
    assert "legal_person" not in userinfo(logged_in, tokens["access_token"]).json()
    # Acting for it, but the system did not ask for the scope.
    act_for(logged_in, company)
    tokens = login(logged_in, department_system, "openid profile")
    assert "legal_person" not in userinfo(logged_in, tokens["access_token"]).json()
    # Acting for a company the user has no right to.
    other = LegalPerson.objects.create(
        name="别家公司", uscc=make_uscc("91990100MA0000002"), legal_representative="赵六"
    )
    act_for(logged_in, other)
    tokens = login(logged_in, department_system, ALL_SCOPES)
    assert "legal_person" not in userinfo(logged_in, tokens["access_token"]).json()


def test_a_relying_party_cannot_smuggle_the_legal_person_in(
    logged_in, department_system, person, company
):
    smuggled = json.dumps({"yiwang_login": {"legal_person_id": company.pk}})
    response, verifier = authorize(logged_in, department_system, ALL_SCOPES, claims=smuggled)
    tokens = exchange(logged_in, department_system, code_from(response), verifier).json()
    assert "legal_person" not in userinfo(logged_in, tokens["access_token"]).json()
    assert "legal_person" not in verify_id_token(logged_in, department_system, tokens["id_token"])


def test_administrators_and_the_legal_persons_own_account_act_as_administrator(
    client, department_system, person, company
):
    company.administrator = person
    company.save()
    client.force_login(person)
    act_for(client, company)
    tokens = login(client, department_system, ALL_SCOPES)
    claim = userinfo(client, tokens["access_token"]).json()["legal_person"]
    assert claim["role"] == "administrator"

    own = User.objects.create_user(
        username="company", kind=UserKind.LEGAL, legal_person=company, display_name=company.name
    )
    client.force_login(own)
    tokens = login(client, department_system, ALL_SCOPES)  # no session choice needed
    claim = userinfo(client, tokens["access_token"]).json()["legal_person"]
    assert claim == {"name": company.name, "uscc": company.uscc, "role": "administrator"}


# Consent for systems that are not trusted.


def test_an_untrusted_system_shows_the_chinese_consent_page(logged_in, db, person):
    application, secret = oidc.register_client(
        name="外部合作系统", redirect_uris=REDIRECT, skip_authorization=False
    )
    application.plain_secret = secret
    response, verifier = authorize(logged_in, application, "openid profile real_name")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-Hans">' in page
    assert "授权“外部合作系统”使用您的一网账号登录" in page
    assert "实名等级和脱敏的身份证号码" in page
    assert 'name="allow"' in page
    assert not Grant.objects.exists()

    form = response.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    refused = logged_in.post("/o/authorize/", data)
    assert parse_qs(urlsplit(refused["Location"]).query)["error"] == ["access_denied"]
    assert not Grant.objects.exists()

    allowed = logged_in.post("/o/authorize/", {**data, "allow": "1"})
    response = exchange(logged_in, application, code_from(allowed), verifier)
    assert response.status_code == 200
    assert "real_name_level" in userinfo(logged_in, response.json()["access_token"]).json()


# Client registration in the back office.


@pytest.fixture
def admin_client(client, superuser):
    login_with_second_factor(client, superuser)
    return client


def test_the_back_office_registers_a_department_system_and_shows_its_secret_once(
    admin_client, superuser
):
    add_url = reverse("oidc_clients:add")
    assert admin_client.get(add_url).status_code == 200
    response = admin_client.post(
        add_url,
        {
            "name": "青山市人社局业务系统",
            "redirect_uris": "https://rs.qingshan.gov.cn/oidc/callback\r\n"
            "https://rs.qingshan.gov.cn/oidc/callback2",
            "post_logout_redirect_uris": "",
            "skip_authorization": "on",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    application = Application.objects.get()
    assert application.name == "青山市人社局业务系统"
    assert application.client_type == Application.CLIENT_CONFIDENTIAL
    assert application.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert application.algorithm == Application.RS256_ALGORITHM
    assert application.skip_authorization
    assert application.redirect_uris.split() == [
        "https://rs.qingshan.gov.cn/oidc/callback",
        "https://rs.qingshan.gov.cn/oidc/callback2",
    ]
    page = response.content.decode()
    secret = page.split("data-client-secret>")[1].split("</code>")[0]
    assert len(secret) > 30
    assert application.client_id in page
    assert secret != application.client_secret  # only the hash is kept
    assert check_password(secret, application.client_secret)
    event = AuditEvent.objects.get(action=oidc.OIDC_CLIENT_REGISTERED)
    assert event.actor == superuser
    assert secret not in json.dumps(event.detail)

    # The list shows it, but never the secret again.
    index = admin_client.get(reverse("oidc_clients:index")).content.decode()
    assert "青山市人社局业务系统" in index and application.client_id in index
    edit = admin_client.get(reverse("oidc_clients:edit", args=(application.pk,)))
    assert secret not in edit.content.decode()
    # In the settings menu (rendered from JSON, so the URL is what shows in the page).
    home = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("oidc_clients:index") in home


@pytest.mark.parametrize(
    "redirect_uris",
    [
        "",
        "rs.qingshan.gov.cn/callback",
        "ftp://rs.qingshan.gov.cn/callback",
        "https://rs.qingshan.gov.cn/callback#top",
        "https://*.qingshan.gov.cn/callback",
    ],
)
def test_bad_redirect_uris_get_a_chinese_error_and_save_nothing(admin_client, redirect_uris):
    response = admin_client.post(
        reverse("oidc_clients:add"), {"name": "某系统", "redirect_uris": redirect_uris}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["redirect_uris"]
    assert errors and all("URI" not in error for error in errors)
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action=oidc.OIDC_CLIENT_REGISTERED).exists()


def test_https_only_redirect_uris_in_production(admin_client, settings):
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    }
    response = admin_client.post(
        reverse("oidc_clients:add"),
        {"name": "某系统", "redirect_uris": "http://rs.qingshan.gov.cn/callback"},
    )
    assert "https" in response.context["form"].errors["redirect_uris"][0]
    assert not Application.objects.exists()


def test_editing_and_resetting_the_secret(admin_client, department_system):
    edit_url = reverse("oidc_clients:edit", args=(department_system.pk,))
    response = admin_client.post(
        edit_url,
        {"name": "某某局业务系统（新）", "redirect_uris": "https://dept.example.gov.cn/cb"},
    )
    assert response.status_code == 302
    department_system.refresh_from_db()
    assert department_system.name == "某某局业务系统（新）"
    assert department_system.redirect_uris == "https://dept.example.gov.cn/cb"
    assert not department_system.skip_authorization
    assert AuditEvent.objects.filter(action=oidc.OIDC_CLIENT_CHANGED).count() == 1

    old_hash = department_system.client_secret
    reset_url = reverse("oidc_clients:reset_secret", args=(department_system.pk,))
    assert "确定重置" in admin_client.get(reset_url).content.decode()
    assert Application.objects.get().client_secret == old_hash  # GET changes nothing
    response = admin_client.post(reset_url)
    secret = response.content.decode().split("data-client-secret>")[1].split("</code>")[0]
    department_system.refresh_from_db()
    assert check_password(secret, department_system.client_secret)
    assert not check_password(department_system.plain_secret, department_system.client_secret)


def test_deleting_a_client_ends_its_tokens(admin_client, department_system, person):
    admin_client.force_login(person)
    tokens = login(admin_client, department_system, "openid")
    login_with_second_factor(admin_client, User.objects.get(username="admin"))
    response = admin_client.post(reverse("oidc_clients:delete", args=(department_system.pk,)))
    assert response.status_code == 302
    assert not Application.objects.exists()
    assert userinfo(admin_client, tokens["access_token"]).status_code == 401
    assert AuditEvent.objects.filter(action=oidc.OIDC_CLIENT_DELETED).count() == 1


def test_the_client_list_needs_the_application_permissions(client, person, department_system):
    person.is_staff = True
    person.save()
    login_with_second_factor(client, person)
    for url in (
        reverse("oidc_clients:index"),
        reverse("oidc_clients:add"),
        reverse("oidc_clients:reset_secret", args=(department_system.pk,)),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
    client.post(reverse("oidc_clients:reset_secret", args=(department_system.pk,)))
    assert check_password(department_system.plain_secret, Application.objects.get().client_secret)


# Against the running provider: a real relying-party library and the demo system.


@pytest.fixture
def live_provider(live_server, settings):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": live_server.url}
    return live_server.url


def session_cookie(client, user):
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.mark.django_db(transaction=True)
def test_authlib_logs_in_against_the_running_provider(live_provider, client, person, company):
    application, secret = oidc.register_client(name="某某局业务系统", redirect_uris=REDIRECT)
    AgentAuthorization.objects.create(legal_person=company, agent=person)
    cookie = session_cookie(client, person)
    act_for(client, company)

    metadata = requests.get(f"{live_provider}/.well-known/openid-configuration", timeout=10).json()
    assert metadata["issuer"] == live_provider
    rp = OAuth2Session(
        application.client_id,
        secret,
        scope=ALL_SCOPES,
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
    )
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = rp.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    browser = requests.get(url, headers={"Cookie": cookie}, allow_redirects=False, timeout=10)
    assert browser.status_code == 302
    location = browser.headers["Location"]
    assert location.startswith(REDIRECT + "?")

    token = rp.fetch_token(
        metadata["token_endpoint"],
        authorization_response=location,
        state=state,
        code_verifier=verifier,
        timeout=10,
    )
    jwks = requests.get(metadata["jwks_uri"], timeout=10).json()
    claims = jwt.decode(
        token["id_token"],
        JsonWebKey.import_key_set(jwks),
        claims_options={
            "iss": {"essential": True, "value": live_provider},
            "aud": {"essential": True, "value": application.client_id},
            "nonce": {"essential": True, "value": nonce},
        },
    )
    claims.validate()
    assert claims["sub"] == str(person.pk)

    info = rp.get(metadata["userinfo_endpoint"], timeout=10).json()
    assert info["name"] == "张三"
    assert info["real_name_level"] == 2
    assert info["id_number_masked"] == person.id_number_masked
    assert info["legal_person"] == {"name": company.name, "uscc": company.uscc, "role": "agent"}
    assert ID_NUMBER not in json.dumps(info) + json.dumps(token)

    # Without the session cookie the provider sends the browser to the login page instead.
    url, _ = rp.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    anonymous = requests.get(url, allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302
    assert urlsplit(anonymous.headers["Location"]).path == settings.LOGIN_URL


def call_wsgi(app, path, *, cookie=None, method="GET"):
    environ = {}
    setup_testing_defaults(environ)
    path, _, query = path.partition("?")
    environ.update(PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD=method)
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response)).decode()
    cookie = answer["headers"]["Set-Cookie"].split(";")[0]
    return answer["status"], answer["headers"], body, cookie


@pytest.mark.django_db(transaction=True)
def test_the_demo_department_system_logs_a_citizen_in(live_provider, client, person):
    base_url = "http://dept.test"
    application, secret = oidc.register_client(
        name="某某局业务系统",
        redirect_uris=f"{base_url}/callback",
        post_logout_redirect_uris=f"{base_url}/",
    )
    system = DepartmentSystem(
        issuer=live_provider,
        client_id=application.client_id,
        client_secret=secret,
        base_url=base_url,
    )
    status, _, page, dept_cookie = call_wsgi(system, "/")
    assert status == "200 OK"
    assert "某某局业务系统" in page and "使用一网统一身份认证登录" in page

    status, headers, _, dept_cookie = call_wsgi(system, "/login", cookie=dept_cookie)
    assert status == "302 Found"
    assert headers["Location"].startswith(f"{live_provider}/o/authorize/?")
    assert "code_challenge_method=S256" in headers["Location"]
    browser = requests.get(
        headers["Location"],
        headers={"Cookie": session_cookie(client, person)},
        allow_redirects=False,
        timeout=10,
    )
    callback = browser.headers["Location"]
    assert callback.startswith(f"{base_url}/callback?")

    status, headers, _, dept_cookie = call_wsgi(
        system, callback[len(base_url) :], cookie=dept_cookie
    )
    assert status == "302 Found", _
    status, _, page, dept_cookie = call_wsgi(system, "/", cookie=dept_cookie)
    assert "您好，张三" in page
    assert person.id_number_masked in page
    assert 'data-claim="real_name_level"' in page
    assert ID_NUMBER not in page

    # A replayed callback is refused (the state was used up).
    status, _, page, _ = call_wsgi(system, callback[len(base_url) :], cookie=dept_cookie)
    assert status == "502 Bad Gateway" and "state" in page

    status, headers, _, _ = call_wsgi(system, "/logout", cookie=dept_cookie, method="POST")
    assert headers["Location"].startswith(f"{live_provider}/o/logout/?")
    assert "id_token_hint=" in headers["Location"]
    status, _, page, _ = call_wsgi(system, "/", cookie=dept_cookie)
    assert "使用一网统一身份认证登录" in page


def test_the_department_system_rejects_a_forged_id_token(db):
    class FakeHttp:
        def get(self, url, timeout):
            body = (
                {"issuer": ISSUER, "jwks_uri": f"{ISSUER}/o/.well-known/jwks.json"}
                if "openid-configuration" in url
                else {"keys": [json.loads(JsonWebKey.generate_key("RSA", 2048).as_json())]}
            )
            response = requests.Response()
            response.status_code = 200
            response._content = json.dumps(body).encode()
            return response

    key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
    forged = jwt.encode(
        {"alg": "RS256"},
        {"iss": ISSUER, "aud": "x", "exp": 2**31, "nonce": "n", "sub": "1"},
        key,
    ).decode()
    system = DepartmentSystem(
        issuer=ISSUER,
        client_id="x",
        client_secret="s",
        base_url="http://dept.test",
        http=FakeHttp(),
    )
    with pytest.raises(Exception, match="ID 令牌校验失败"):
        system.verify_id_token(forged, nonce="n")


# The demo's registration and command.


def test_register_demo_client_is_idempotent(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    lines = oidc_demo.register_demo_client(port=8000, system_port=8001)
    assert "http://localhost:8001/" in lines[0]
    config = oidc_demo.read_config()
    application = Application.objects.get(client_id=oidc_demo.CLIENT_ID)
    assert application.name == "明川省市场监管业务系统（演示）"
    assert application.skip_authorization
    assert application.redirect_uris == "http://localhost:8001/callback"
    assert check_password(config["client_secret"], application.client_secret)
    assert config["issuer"] == ISSUER and config["base_url"] == "http://localhost:8001"
    assert (tmp_path / oidc_demo.CONFIG_FILENAME).stat().st_mode & 0o077 == 0

    oidc_demo.register_demo_client(port=8000, system_port=8001)
    assert Application.objects.count() == 1
    assert oidc_demo.read_config()["client_secret"] == config["client_secret"]

    oidc_demo.register_demo_client(port=8000, system_port=8101)
    application.refresh_from_db()
    assert application.redirect_uris == "http://localhost:8101/callback"
    assert oidc_demo.read_config()["client_secret"] == config["client_secret"]

    (tmp_path / oidc_demo.CONFIG_FILENAME).unlink()  # the secret is lost: a new one
    oidc_demo.register_demo_client(port=8000, system_port=8101)
    new = oidc_demo.read_config()["client_secret"]
    assert new != config["client_secret"]
    application.refresh_from_db()
    assert check_password(new, application.client_secret)


def test_run_department_system_needs_a_registered_client(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with pytest.raises(CommandError, match="缺少配置"):
        call_command("run_department_system", "--port", "0")
