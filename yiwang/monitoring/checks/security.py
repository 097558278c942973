"""Security settings a visitor can see: the home page's response headers, well-known paths
that should not be public, directory listings and mixed content."""

import re
from urllib.parse import urlsplit

from yiwang.monitoring.results import Finding, FindingKind

# Paths probed on the site's host once per crawl (robots.txt does not apply to these few
# requests: they are what an attacker would try first). The last one does not exist: its 404
# page tells whether Django runs with DEBUG = True.
NOT_FOUND_PROBE = "/yiwang-monitor-not-found/"
PROBE_PATHS = (
    "/admin/",
    "/.git/HEAD",
    "/phpinfo.php",
    "/server-status",
    "/debug/",
    NOT_FOUND_PROBE,
)

_LOGIN_FORM = re.compile(r"<form\b.*?<input\b[^>]*type\s*=\s*[\"']?password", re.I | re.S)
_GIT_HEAD = re.compile(r"\A\s*(?:ref:\s*refs/|[0-9a-f]{40}\s*\Z)")
_DEBUG_MARKERS = (
    "Traceback (most recent call last)",
    "DEBUG = True",
    "Werkzeug Debugger",
    "djDebug",
    "Whoops! There was an error",
    "Xdebug",
)
_LISTING_TITLE = re.compile(r"^\s*(?:Index of /|Directory listing for /)", re.I)
_VERSION = re.compile(r"\d+(?:\.\d+)")


def _finding(url, category, detail):
    return Finding(kind=FindingKind.SECURITY, url=url, category=category, detail=detail)


def header_findings(url, headers):
    """Findings about the response headers of ``url`` (the home page as served)."""
    out = []
    get = headers.get
    if urlsplit(url).scheme != "https":
        out.append(_finding(url, "https", "http"))
    hsts = (get("Strict-Transport-Security") or "").strip()
    if not hsts:
        out.append(_finding(url, "hsts", "missing"))
    else:
        match = re.search(r"max-age\s*=\s*\"?(\d+)", hsts, re.I)
        if not match or int(match.group(1)) < 86400:
            out.append(_finding(url, "hsts", hsts))
    csp = (get("Content-Security-Policy") or "").strip()
    if not csp:
        out.append(_finding(url, "csp", "missing"))
    nosniff = (get("X-Content-Type-Options") or "").strip()
    if not nosniff:
        out.append(_finding(url, "x_content_type_options", "missing"))
    elif nosniff.lower() != "nosniff":
        out.append(_finding(url, "x_content_type_options", nosniff))
    frame = (get("X-Frame-Options") or "").strip()
    if "frame-ancestors" not in csp.lower():
        if not frame:
            out.append(_finding(url, "x_frame_options", "missing"))
        elif frame.upper() not in ("DENY", "SAMEORIGIN"):
            out.append(_finding(url, "x_frame_options", frame))
    referrer = (get("Referrer-Policy") or "").strip()
    if not referrer:
        out.append(_finding(url, "referrer_policy", "missing"))
    elif referrer.split(",")[-1].strip().lower() == "unsafe-url":
        out.append(_finding(url, "referrer_policy", referrer))
    server = (get("Server") or "").strip()
    if server and _VERSION.search(server):
        out.append(_finding(url, "server_version", server))
    powered = (get("X-Powered-By") or "").strip()
    if powered and _VERSION.search(powered):
        out.append(_finding(url, "server_version", f"X-Powered-By: {powered}"))
    return out


def has_login_form(body):
    return bool(_LOGIN_FORM.search(body or ""))


def is_django_debug(body):
    """Django's yellow debug page (technical 404 or 500)."""
    body = body or ""
    return "DEBUG = True" in body and "Django" in body


def is_directory_listing(title):
    return bool(_LISTING_TITLE.match(title or ""))


def probe_findings(url, path, status, body):
    """What the answer to one probe of ``PROBE_PATHS`` shows (a list, usually empty)."""
    body = body or ""
    out = []
    if status == 200:
        if path == "/admin/":
            if has_login_form(body):
                out.append(_finding(url, "exposed_admin", path))
        elif path == "/.git/HEAD":
            if _GIT_HEAD.match(body):
                out.append(_finding(url, "exposed_debug", path))
        elif path == "/phpinfo.php":
            if "phpinfo()" in body or "PHP Version" in body:
                out.append(_finding(url, "exposed_debug", path))
        elif path == "/server-status":
            if "Server Status" in body or "Server Version:" in body:
                out.append(_finding(url, "exposed_debug", path))
        elif path == "/debug/":
            if any(marker in body for marker in _DEBUG_MARKERS):
                out.append(_finding(url, "exposed_debug", path))
    if not out and is_django_debug(body):
        out.append(_finding(url, "exposed_debug", "DEBUG = True"))
    return out


def mixed_content(url, resources):
    """http:// resources (pictures, scripts, styles, frames) of an https:// page."""
    if urlsplit(url).scheme != "https":
        return []
    return [
        _finding(url, "mixed_content", resource)
        for resource in resources
        if resource.startswith("http://")
    ]
