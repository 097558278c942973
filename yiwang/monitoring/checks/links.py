"""Links: URL normalisation, which targets are pages, attachments or other files, which host
is the site's own, and the short codes for "no answer" (``Finding.detail`` of a broken link).
"""

import asyncio
import posixpath
import re
import socket
import ssl
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import aiohttp

# Downloads (附件): checked with HEAD, never parsed.
ATTACHMENT_EXTENSIONS = frozenset(
    "pdf doc docx xls xlsx ppt pptx wps et dps ofd zip rar 7z gz tar bz2 xz csv txt rtf "
    "odt ods odp ceb caj apk exe dmg iso".split()
)
# Files a page uses (styles, scripts, pictures, fonts, media): checked with HEAD, not parsed.
ASSET_EXTENSIONS = frozenset(
    "css js mjs json map png jpg jpeg gif bmp webp svg ico tif tiff avif woff woff2 ttf eot "
    "otf mp3 mp4 m4a m4v wav ogg webm avi flv wmv mov mkv swf".split()
)
_SKIP_SCHEMES = (
    "mailto:",
    "javascript:",
    "tel:",
    "sms:",
    "data:",
    "ftp:",
    "file:",
    "about:",
    "blob:",
    "weixin:",
    "callto:",
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/%!$&'()*+,;=:@~-._"
_QUERY_SAFE = "=&%/:?!$'()*+,;@~-._[]"


# A root-relative link that needs no normalisation: "/a/b.html?x=1" (no dot segments, no
# fragment, nothing to encode). Most links of a site are like this: origin + href is the URL.
_PLAIN_PATH = re.compile(
    r"/(?![/.])(?:[A-Za-z0-9_\-~%]|\.(?![./])|/(?![/.]))*"  # the path
    r"(?:\?[A-Za-z0-9_\-.~%=&+]*)?\Z"  # the query
)


def join(origin_of_base, base, href):
    """``normalize(href, base)`` given ``origin_of_base`` (``origin(base)`` of a normalised
    base URL): the plain root-relative case without parsing."""
    if href and href[0] == "/" and _PLAIN_PATH.match(href):
        return origin_of_base + href
    return normalize(href, base)


def normalize(href, base=None):
    """The absolute URL a link points to, without its fragment, with a lower-case scheme and
    host, no default port, an empty path as "/" and unsafe characters percent-encoded; None
    for what is no web link (mailto:, javascript:, tel:, "#...", other schemes)."""
    if href is None:
        return None
    href = href.strip().replace("\n", "").replace("\r", "").replace("\t", "")
    if not href or href.startswith("#"):
        return None
    if href[:12].lower().startswith(_SKIP_SCHEMES):
        return None
    try:
        absolute = urljoin(base, href) if base else href
        parts = urlsplit(absolute)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            return None
        host = (parts.hostname or "").rstrip(".")
        if not host:
            return None
        port = parts.port
    except ValueError:
        return None
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    if "/." in path:
        # Dot segments left in an absolute link ("/a/../b"); keep a trailing slash.
        trailing = path.endswith("/")
        path = posixpath.normpath(path)
        path = "/" + path.lstrip("/")
        if trailing and not path.endswith("/"):
            path += "/"
    path = quote(path, safe=_PATH_SAFE)
    query = quote(parts.query, safe=_QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


def host_key(url):
    """(host, port) with the scheme's default port filled in."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or "", port or _DEFAULT_PORTS.get(parts.scheme, 0))


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def same_site(url, site_hosts):
    """Whether ``url`` is on one of ``site_hosts`` ((host, port) pairs). http:// and https://
    of one host name on their default ports count as the same site."""
    host, port = host_key(url)
    if (host, port) in site_hosts:
        return True
    if port in (80, 443):
        return (host, 443 if port == 80 else 80) in site_hosts
    return False


def netloc(url):
    """The host[:port] of a normalised URL (string slicing: no parsing)."""
    start = url.find("//") + 2
    end = url.find("/", start)
    return url[start:end] if end >= 0 else url[start:]


def extension(url):
    """The lower-case extension of the URL's last path segment ("" for none)."""
    start = url.find("//") + 2
    slash = url.find("/", start)
    if slash < 0:
        return ""
    path = url[slash:].split("?", 1)[0].split("#", 1)[0]
    name = path.rsplit("/", 1)[-1]
    if "." not in name:
        return ""
    return name.rsplit(".", 1)[-1].lower()


def is_attachment(url):
    return extension(url) in ATTACHMENT_EXTENSIONS


def is_asset(url):
    return extension(url) in ASSET_EXTENSIONS


def error_detail(exc):
    """A short code for a request that got no usable answer."""
    if isinstance(exc, aiohttp.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return "timeout"
    dns_error = getattr(aiohttp, "ClientConnectorDNSError", None)
    if dns_error is not None and isinstance(exc, dns_error):
        return "dns"
    if isinstance(
        exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError | ssl.SSLError
    ):
        return "ssl"
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error = getattr(exc, "os_error", None)
        if isinstance(os_error, ConnectionRefusedError):
            return "refused"
        if isinstance(os_error, socket.gaierror):
            return "dns"
        if isinstance(os_error, TimeoutError):
            return "timeout"
        return "connect"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "disconnected"
    if isinstance(exc, aiohttp.InvalidURL | ValueError):
        return "invalid url"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "bad body"
    if isinstance(exc, aiohttp.ClientResponseError):
        return "bad response"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, ConnectionError | OSError):
        return "connection"
    return "error"
