"""A demo "department system" (某某局业务系统): a relying party of the platform's OpenID
Connect provider, separate from the platform (no Django here).

It logs its users in with the authorization code flow and PKCE (S256) through Authlib's
``OAuth2Session``, verifies the ID token's RS256 signature against the provider's JWKS
and its ``iss``, ``aud``, ``exp`` and ``nonce`` with ``authlib.jose``, then shows the
claims of the ID token and of userinfo. Serve it with
``manage.py run_department_system`` (wsgiref) or any WSGI server::

    app = DepartmentSystem(issuer=..., client_id=..., client_secret=..., base_url=...)

Its sessions live in memory (one process, a demo). ``backchannel_url``, when given,
replaces the issuer's origin for the calls the system makes itself (discovery, token,
JWKS, userinfo): Python cannot resolve ``*.localhost`` names that browsers can.
"""

import html
import json
import secrets
import threading
import warnings
from http import cookies
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

with warnings.catch_warnings():
    # Authlib 1.x announces joserfc as its successor; authlib.jose works until Authlib 2.
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt
    from authlib.jose.errors import JoseError

SCOPE = "openid profile phone real_name legal_person"
COOKIE_NAME = "department_session"

CLAIM_LABELS = {
    "sub": "用户标识",
    "name": "姓名",
    "preferred_username": "用户名",
    "phone_number": "手机号码",
    "phone_number_verified": "手机号码已核验",
    "real_name_level": "实名等级",
    "id_number_masked": "身份证号码（脱敏）",
    "legal_person": "代表的法人",
    "iss": "签发者",
    "aud": "接收方",
    "exp": "过期时间",
    "iat": "签发时间",
    "auth_time": "认证时间",
    "nonce": "nonce",
}


class ProviderError(Exception):
    """The provider refused, or answered something this system cannot trust."""


class DepartmentSystem:
    def __init__(
        self,
        *,
        issuer,
        client_id,
        client_secret,
        base_url,
        title="某某局业务系统",
        backchannel_url=None,
        http=None,
        timeout=10,
    ):
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.base_url = base_url.rstrip("/")
        self.title = title
        self.backchannel_url = backchannel_url.rstrip("/") if backchannel_url else None
        self.http = http or requests.Session()
        self.timeout = timeout
        self.redirect_uri = f"{self.base_url}/callback"
        self._sessions = {}
        self._lock = threading.Lock()
        self._metadata = None

    # The provider.

    def _backchannel(self, url):
        if not self.backchannel_url:
            return url
        target = urlsplit(self.backchannel_url)
        parts = urlsplit(url)
        return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))

    def metadata(self):
        if self._metadata is None:
            url = self._backchannel(f"{self.issuer}/.well-known/openid-configuration")
            response = self.http.get(url, timeout=self.timeout)
            response.raise_for_status()
            metadata = response.json()
            if metadata.get("issuer") != self.issuer:
                raise ProviderError("认证平台配置中的签发者与本系统登记的不一致。")
            self._metadata = metadata
        return self._metadata

    def _client(self, **kwargs):
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=SCOPE,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
            **kwargs,
        )

    def verify_id_token(self, id_token, *, nonce):
        """The ID token's claims, after checking signature (RS256, JWKS), iss, aud, exp
        and nonce. Raises ``ProviderError``."""
        response = self.http.get(
            self._backchannel(self.metadata()["jwks_uri"]), timeout=self.timeout
        )
        response.raise_for_status()
        keys = JsonWebKey.import_key_set(response.json())
        try:
            claims = jwt.decode(
                id_token,
                keys,
                claims_options={
                    "iss": {"essential": True, "value": self.issuer},
                    "aud": {"essential": True, "value": self.client_id},
                    "exp": {"essential": True},
                    "nonce": {"essential": True, "value": nonce},
                },
            )
            if claims.header.get("alg") != "RS256":
                raise ProviderError("ID 令牌不是 RS256 签名。")
            claims.validate(leeway=30)
        except JoseError as exc:
            raise ProviderError(f"ID 令牌校验失败：{exc}") from exc
        return dict(claims)

    # Login.

    def login_url(self, session):
        """Where the login button sends the browser; remembers state, nonce, verifier."""
        verifier = generate_token(64)
        nonce = generate_token(24)
        client = self._client()
        url, state = client.create_authorization_url(
            self.metadata()["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        session["pending"] = {"state": state, "nonce": nonce, "verifier": verifier}
        return url

    def complete_login(self, session, callback_url):
        """Exchange the code of the redirect to ``callback_url`` for tokens; keep the
        verified ID token claims and userinfo in the session."""
        pending = session.pop("pending", None)
        params = parse_qs(urlsplit(callback_url).query)
        if "error" in params:
            raise ProviderError(f"认证平台拒绝了登录：{params['error'][0]}")
        if pending is None or params.get("state", [None])[0] != pending["state"]:
            raise ProviderError("登录请求已失效（state 不符），请重新登录。")
        if "iss" in params and params["iss"][0] != self.issuer:
            raise ProviderError("授权响应来自未登记的签发者。")
        metadata = self.metadata()
        client = self._client(state=pending["state"])
        try:
            token = client.fetch_token(
                self._backchannel(metadata["token_endpoint"]),
                authorization_response=callback_url,
                code_verifier=pending["verifier"],
                timeout=self.timeout,
            )
        except Exception as exc:  # Authlib raises OAuthError or requests' errors.
            raise ProviderError(f"换取令牌失败：{exc}") from exc
        claims = self.verify_id_token(token["id_token"], nonce=pending["nonce"])
        response = client.get(
            self._backchannel(metadata["userinfo_endpoint"]), timeout=self.timeout
        )
        if response.status_code != 200:
            raise ProviderError(f"读取用户信息失败（HTTP {response.status_code}）。")
        userinfo = response.json()
        if userinfo.get("sub") != claims.get("sub"):
            raise ProviderError("用户信息与 ID 令牌不属于同一用户。")
        session["user"] = {
            "id_token": claims,
            "userinfo": userinfo,
            "raw_id_token": token["id_token"],
        }
        return session["user"]

    def logout_url(self, session):
        user = session.pop("user", None)
        endpoint = self.metadata().get("end_session_endpoint")
        if not endpoint or user is None:
            return f"{self.base_url}/"
        query = {
            "id_token_hint": user["raw_id_token"],
            "client_id": self.client_id,
            "post_logout_redirect_uri": f"{self.base_url}/",
        }
        return f"{endpoint}?{urlencode(query)}"

    # WSGI.

    def __call__(self, environ, start_response):
        session_id, session = self._session(environ)
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path == "/" and method == "GET":
                status, headers, body = "200 OK", [], self.page(session)
            elif path == "/login":
                status, headers, body = "302 Found", [("Location", self.login_url(session))], ""
            elif path == "/callback":
                query = environ.get("QUERY_STRING", "")
                self.complete_login(session, f"{self.redirect_uri}?{query}")
                status, headers, body = "302 Found", [("Location", f"{self.base_url}/")], ""
            elif path == "/logout" and method == "POST":
                status, headers, body = "302 Found", [("Location", self.logout_url(session))], ""
            else:
                status, headers, body = (
                    "404 Not Found",
                    [],
                    self.frame("页面不存在", "<p>页面不存在。</p>"),
                )
        except (ProviderError, requests.RequestException) as exc:
            message = str(exc) if isinstance(exc, ProviderError) else "无法连接统一身份认证平台。"
            body = self.frame(
                "登录失败",
                f'<div role="alert"><p>{html.escape(message)}</p></div>'
                '<p><a href="/">返回首页</a></p>',
            )
            status, headers = "502 Bad Gateway", []
        cookie = cookies.SimpleCookie()
        cookie[COOKIE_NAME] = session_id
        cookie[COOKIE_NAME]["path"] = "/"
        cookie[COOKIE_NAME]["httponly"] = True
        cookie[COOKIE_NAME]["samesite"] = "Lax"
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Cache-Control", "no-store"),
            ("Set-Cookie", cookie[COOKIE_NAME].OutputString()),
            *headers,
        ]
        start_response(status, headers)
        return [body.encode("utf-8")]

    def _session(self, environ):
        jar = cookies.SimpleCookie(environ.get("HTTP_COOKIE", ""))
        session_id = jar[COOKIE_NAME].value if COOKIE_NAME in jar else None
        with self._lock:
            if session_id not in self._sessions:
                session_id = secrets.token_urlsafe(32)
                self._sessions[session_id] = {}
            return session_id, self._sessions[session_id]

    # Pages.

    def frame(self, heading, content):
        title = html.escape(self.title)
        return (
            '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(heading) + ' - ' if heading != self.title else ''}{title}</title>"
            "<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;"
            "line-height:1.6}button{font-size:1rem;padding:.5rem 1rem;cursor:pointer}"
            "th{text-align:left;padding-right:1rem;vertical-align:top}"
            "table{border-collapse:collapse;margin-bottom:1.5rem}"
            "td,th{border-bottom:1px solid #ccc;padding:.25rem .5rem}</style></head><body>"
            f'<header><p><strong>{title}</strong></p></header><main id="main">'
            f"<h1>{html.escape(heading)}</h1>{content}</main></body></html>"
        )

    def page(self, session):
        user = session.get("user")
        if user is None:
            return self.frame(
                self.title,
                "<p>请先登录。本系统使用一网统一身份认证，无需另行注册。</p>"
                '<form method="get" action="/login">'
                '<button type="submit">使用一网统一身份认证登录</button></form>',
            )
        name = user["userinfo"].get("name") or user["userinfo"].get("sub")
        content = (
            f"<p>您好，{html.escape(str(name))}，您已通过一网统一身份认证登录。</p>"
            + self._claims_table("userinfo", "用户信息（userinfo）", user["userinfo"])
            + self._claims_table("id-token", "ID 令牌（已验证签名）", user["id_token"])
            + '<form method="post" action="/logout"><button type="submit">退出登录</button></form>'
        )
        return self.frame(self.title, content)

    def _claims_table(self, key, caption, claims):
        rows = []
        for name, value in claims.items():
            label = CLAIM_LABELS.get(name, name)
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            rows.append(
                f'<tr data-claim="{html.escape(name)}"><th scope="row">{html.escape(label)}'
                f" <code>{html.escape(name)}</code></th><td>{html.escape(shown)}</td></tr>"
            )
        return (
            f'<table id="{key}"><caption><h2>{html.escape(caption)}</h2></caption>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
