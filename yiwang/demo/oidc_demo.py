"""The demo department system's registration with the platform's OpenID Connect provider.

``register_demo_client`` registers "明川省市场监管业务系统（演示）" (a fixed client_id) and
writes what the department system needs (issuer, client id and secret, its own URL) to a
small JSON file in the data directory, which ``manage.py run_department_system`` reads.
Run again, it keeps the client and its secret, updating the URLs if the ports changed.
"""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from oauth2_provider.models import Application

from yiwang.accounts.oidc import register_client, reset_client_secret, update_client

CLIENT_ID = "yiwang-demo-mingchuan-market-regulation"
CLIENT_NAME = "明川省市场监管业务系统（演示）"
CONFIG_FILENAME = "demo_department_system.json"


def config_path():
    return settings.DATA_DIR / CONFIG_FILENAME


def read_config():
    """The department system's configuration written by ``register_demo_client``, or
    ``None``."""
    path = config_path()
    if not path.exists():
        return None
    return json.loads(path.read_text())


def _issuer(port):
    issuer = settings.OAUTH2_PROVIDER["OIDC_ISS_ENDPOINT"].rstrip("/")
    return issuer or f"http://localhost:{port}"


def register_demo_client(*, port, system_port):
    """Register (or keep) the demo department system at http://localhost:<system_port>
    against the platform served on <port>. Returns lines to print."""
    base_url = f"http://localhost:{system_port}"
    redirect_uris = f"{base_url}/callback"
    post_logout = f"{base_url}/"
    config = read_config() or {}
    with transaction.atomic():
        application = Application.objects.filter(client_id=CLIENT_ID).first()
        secret = None
        if application is None:
            application, secret = register_client(
                name=CLIENT_NAME,
                client_id=CLIENT_ID,
                redirect_uris=redirect_uris,
                post_logout_redirect_uris=post_logout,
                skip_authorization=True,
            )
        else:
            if (application.redirect_uris, application.post_logout_redirect_uris) != (
                redirect_uris,
                post_logout,
            ):
                application.redirect_uris = redirect_uris
                application.post_logout_redirect_uris = post_logout
                update_client(
                    application=application,
                    changed=["redirect_uris", "post_logout_redirect_uris"],
                )
            known = config.get("client_secret")
            if (
                config.get("client_id") == CLIENT_ID
                and known
                and check_password(known, application.client_secret)
            ):
                secret = known
            else:
                secret = reset_client_secret(application=application)
    issuer = _issuer(port)
    host = urlsplit(issuer).hostname or ""
    config = {
        "title": CLIENT_NAME,
        "issuer": issuer,
        # Python cannot resolve *.localhost: the system's own calls go to localhost.
        "backchannel_url": f"http://localhost:{port}" if host.endswith(".localhost") else None,
        "client_id": CLIENT_ID,
        "client_secret": secret,
        "base_url": base_url,
        "port": system_port,
    }
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2))
    path.chmod(0o600)
    return [
        f"演示部门系统（OpenID Connect 单点登录）：{base_url}/  {CLIENT_NAME}",
    ]
