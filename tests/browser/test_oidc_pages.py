"""The OpenID Connect consent page, as a citizen sees it when a system that is not
pre-trusted asks to log them in: Chinese, accessible (axe-core, WCAG 2.1 AA), and
"同意" sends the browser back to the system with a code."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.browser.test_centre_pages import browser_logged_in_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REDIRECT_URI = "https://system.example.cn/callback"


def test_consent_page_is_accessible_and_grants_a_code(live_sites, new_page, assert_accessible):
    from yiwang.accounts.models import User, UserKind
    from yiwang.accounts.oidc import register_client

    application, _ = register_client(
        name="某某局业务系统（未预授信）", redirect_uris=REDIRECT_URI, skip_authorization=False
    )
    citizen = User.objects.create_user(
        username="zhaoliu", kind=UserKind.NATURAL, display_name="赵六", password="Qingshan-2026-c"
    )
    page = browser_logged_in_as(new_page, live_sites, citizen)
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    query = urlencode(
        {
            "response_type": "code",
            "client_id": application.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile",
            "state": "s1",
            "nonce": "n1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    response = page.goto(live_sites.url("province", f"/o/authorize/?{query}"))
    assert response.status == 200
    assert "某某局业务系统（未预授信）" in page.content()
    assert_accessible(page, "oidc-consent")

    # 同意 (allow): the browser is sent to the system's callback with a code.
    with page.expect_request(lambda request: request.url.startswith(REDIRECT_URI)) as sent:
        page.route(f"{REDIRECT_URI}*", lambda route: route.fulfill(status=200, body="ok"))
        page.locator("form [type=submit]").filter(has_text="同意").first.click()
    params = parse_qs(urlsplit(sent.value.url).query)
    assert params["state"] == ["s1"] and params["code"][0]
