"""Single sign-on across the portals (accounts/sso.py), with one Django test client per
host, as a browser keeps one cookie jar per host: log in on the identity host, start on a
county portal, authorize on the identity host, come back to the county's callback."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts import events, sso
from yiwang.accounts.actions import log_out_everywhere
from yiwang.accounts.models import RealNameLevel, User, UserKind
from yiwang.core.models import AuditEvent

PASSWORD = "Qingshan-2026-citizen"
IDENTITY = "localhost:8000"
COUNTY = "songlin.localhost"
CITY = "qingshan.localhost"


@pytest.fixture(autouse=True)
def identity_host(settings):
    settings.IDENTITY_URL = f"http://{IDENTITY}"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(db):
    return User.objects.create_user(
        username="zhangsan",
        password=PASSWORD,
        kind=UserKind.NATURAL,
        display_name="张三",
        mobile="13812345678",
        mobile_verified_at=timezone.now(),
        real_name_level=RealNameLevel.PHONE,
    )


@pytest.fixture
def identity(person, site_group):
    """A browser's cookies for the identity host, logged in there."""
    client = Client(HTTP_HOST=IDENTITY)
    response = client.post(
        reverse("accounts:login"), {"identifier": "zhangsan", "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def county(site_group):
    return Client(HTTP_HOST=COUNTY)


def follow_to(response, host):
    """The path and query of a redirect that must go to ``host``."""
    assert response.status_code == 302, response.content[:500]
    parts = urlsplit(response["Location"])
    assert parts.netloc == host, response["Location"]
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def query(response):
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def authenticated(client):
    return client.get("/api/portal/session").json()["authenticated"]


def sign_on(portal, identity, *, next_url="/zwgk/", prompt=None):
    """start on the portal → authorize on the identity host; returns the authorize
    response (its redirect goes back to the portal)."""
    params = {"next": next_url, **({"prompt": prompt} if prompt else {})}
    start = portal.get(reverse("accounts:sso_start"), params)
    return identity.get(follow_to(start, IDENTITY))


def test_logged_in_on_the_identity_host_means_logged_in_on_the_county_portal(
    identity, county, person
):
    assert not authenticated(county)
    authorize = sign_on(county, identity, next_url="/zwgk/")
    back = follow_to(authorize, COUNTY)
    assert back.startswith("/accounts/sso/callback?")
    assert set(query(authorize)) == {"ticket", "state"}

    callback = county.get(back)
    assert follow_to(callback, "") == "/zwgk/"
    assert county.session[SESSION_KEY] == str(person.pk)
    state = county.get("/api/portal/session").json()
    assert (state["authenticated"], state["name"]) == (True, "张三")
    event = AuditEvent.objects.get(action=events.SSO_LOGIN)
    assert (event.actor, event.detail["host"]) == (person, COUNTY)


def test_a_ticket_works_once(identity, county, site_group):
    authorize = sign_on(county, identity)
    back = follow_to(authorize, COUNTY)
    assert county.get(back).status_code == 302
    county.logout()

    # Replayed by the same browser after a new start (a new state): refused.
    start = county.get(reverse("accounts:sso_start"), {"next": "/"})
    new_state = query(start)["state"]
    replay = county.get(
        reverse("accounts:sso_callback"), {"ticket": query(authorize)["ticket"], "state": new_state}
    )
    assert replay.status_code == 400
    assert "登录凭据无效、已过期或已被使用" in replay.content.decode()
    assert not authenticated(county)
    # Replayed by another browser that never started a sign-on: refused too.
    assert Client(HTTP_HOST=COUNTY).get(back).status_code == 400
    assert AuditEvent.objects.filter(action=events.SSO_LOGIN).count() == 1


def test_consume_ticket_only_once(person):
    ticket = sso.issue_ticket(user=person, host=COUNTY, state="s")
    assert sso.consume_ticket(ticket)["user_id"] == person.pk
    assert sso.consume_ticket(ticket) is None
    assert sso.consume_ticket("made-up") is None


def test_a_ticket_for_one_portal_does_not_work_on_another(identity, county, site_group):
    authorize = sign_on(county, identity)
    ticket = query(authorize)["ticket"]
    city = Client(HTTP_HOST=CITY)
    start = city.get(reverse("accounts:sso_start"), {"next": "/"})
    response = city.get(
        reverse("accounts:sso_callback"), {"ticket": ticket, "state": query(start)["state"]}
    )
    assert response.status_code == 400
    assert not authenticated(city)


def test_a_ticket_issued_before_logout_everywhere_is_refused(identity, county, person):
    authorize = sign_on(county, identity)
    log_out_everywhere(user=person)
    response = county.get(follow_to(authorize, COUNTY))
    assert response.status_code == 400
    assert not authenticated(county)


@pytest.mark.parametrize(
    "return_to",
    [
        "http://evil.example/accounts/sso/callback",
        "http://songlin.localhost.evil.example/accounts/sso/callback",
        "http://evil.example@songlin.localhost/accounts/sso/callback",
        "http://songlin.localhost:8443/accounts/sso/callback",
        "http://songlin.localhost/somewhere-else",
        "javascript:alert(1)",
        "//songlin.localhost/accounts/sso/callback",
        "",
    ],
)
def test_authorize_refuses_a_return_to_outside_the_site_group(identity, return_to):
    response = identity.get(
        reverse("accounts:sso_authorize"), {"return_to": return_to, "state": "abc"}
    )
    assert response.status_code == 400
    assert "回调地址不属于本站群的网站" in response.content.decode()
    assert "Location" not in response


def test_anonymous_silent_check_comes_back_without_login_and_without_a_loop(county, site_group):
    anonymous_identity = Client(HTTP_HOST=IDENTITY)
    authorize = sign_on(county, anonymous_identity, next_url="/zwgk/", prompt="none")
    assert query(authorize)["error"] == "login_required"
    callback = county.get(follow_to(authorize, COUNTY))
    # Straight back to the page: not to the identity host, not to another start.
    assert callback.status_code == 302 and callback["Location"] == "/zwgk/"
    assert not authenticated(county)
    # The state was used up: the same answer again does not restart a sign-on either.
    again = county.get(follow_to(authorize, COUNTY))
    assert again.status_code == 302 and again["Location"] == "/"
    assert not authenticated(county)


def test_anonymous_sign_on_goes_to_the_login_page_and_on_to_the_portal(county, person):
    anonymous_identity = Client(HTTP_HOST=IDENTITY)
    authorize = sign_on(county, anonymous_identity, next_url="/zwgk/")
    login_page = follow_to(authorize, "")
    assert login_page.startswith("/accounts/login/?next=")
    next_url = parse_qs(urlsplit(login_page).query)["next"][0]
    assert next_url.startswith("/accounts/sso/authorize?") and "prompt" not in next_url

    response = anonymous_identity.post(
        "/accounts/login/", {"identifier": "zhangsan", "password": PASSWORD, "next": next_url}
    )
    assert follow_to(response, "") == next_url
    authorize = anonymous_identity.get(next_url)
    callback = county.get(follow_to(authorize, COUNTY))
    assert callback["Location"] == "/zwgk/"
    assert authenticated(county)


def test_start_keeps_next_in_the_site_group(county, site_group):
    start = county.get(reverse("accounts:sso_start"), {"next": "https://evil.example/"})
    state = query(start)["state"]
    assert county.session[sso.STATE_SESSION_KEY][state]["next"] == "/"
    start = county.get(reverse("accounts:sso_start"), {"next": "http://qingshan.localhost/zwgk/"})
    state = query(start)["state"]
    assert county.session[sso.STATE_SESSION_KEY][state]["next"] == "http://qingshan.localhost/zwgk/"


def test_start_on_the_identity_host_is_the_login_page(site_group):
    client = Client(HTTP_HOST=IDENTITY)
    response = client.get(reverse("accounts:sso_start"), {"next": "/zwgk/"})
    assert response["Location"] == "/accounts/login/?next=%2Fzwgk%2F"
    response = client.get(reverse("accounts:sso_start"), {"next": "/zwgk/", "prompt": "none"})
    assert response["Location"] == "/zwgk/"


def test_already_logged_in_on_the_portal_start_goes_straight_back(county, person):
    county.force_login(person)
    response = county.get(reverse("accounts:sso_start"), {"next": "/zwgk/"})
    assert response["Location"] == "/zwgk/"


def test_session_state_tells_the_script_what_to_do(identity, county, person):
    anonymous = county.get("/api/portal/session").json()
    assert anonymous == {
        "authenticated": False,
        "name": "",
        "login_url": "/accounts/sso/start",
        "sso_check": True,
        "identity_url": f"http://{IDENTITY}",
    }
    on_identity = Client(HTTP_HOST=IDENTITY).get("/api/portal/session").json()
    assert (on_identity["login_url"], on_identity["sso_check"]) == ("/accounts/login/", False)
    logged_in = identity.get("/api/portal/session")
    assert "no-cache" in logged_in["Cache-Control"]
    data = logged_in.json()
    assert data["authenticated"] and data["logout_url"] == "/accounts/logout/"
    assert data["csrf_token"]


def test_public_pages_are_the_same_for_everyone(county, person, site_group):
    anonymous = county.get("/")
    assert anonymous.status_code == 200
    county.force_login(person)
    assert authenticated(county)
    logged_in = county.get("/")
    assert logged_in.content == anonymous.content
    html = anonymous.content.decode()
    assert "csrfmiddlewaretoken" not in html and "张三" not in html
    assert 'href="/accounts/sso/start?next=/"' in html


def test_the_ping_answers_any_origin(db):
    response = Client(HTTP_HOST=IDENTITY).get(reverse("accounts:sso_ping"))
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
