"""What a check of a website finds, as plain data (no Django): the contract between the
crawler and checks (``crawler.py``, ``checks/``), which produce it, and the runner and scoring
(``runner.py``, ``scoring.py``), which store and judge it. Every class here turns into JSON
with ``as_dict`` and back with ``from_dict`` so that a paused crawl can be resumed and a
finding stored as a row.

Kinds of finding (``Finding.kind``) and what their fields mean:

- ``broken_link``: ``url`` the page holding the link, ``target`` the link, ``status`` the
  HTTP status (None when no answer), ``detail`` the error ("timeout", "dns", "refused", "ssl",
  "too many redirects" ...), ``on_home`` the link is on the home page, ``external`` the target
  is on another host.
- ``wording``: ``url`` the page, ``target`` the dictionary entry's wrong text, ``detail`` the
  suggested correct text (may be ""), ``context`` about 20 characters either side of the hit,
  ``category`` the entry's category (``wrong``, ``outdated_name``, ``sensitive``).
- ``security``: ``url``, ``category`` one of ``https``, ``hsts``, ``csp``,
  ``x_content_type_options``, ``x_frame_options``, ``referrer_policy``, ``server_version``,
  ``exposed_admin``, ``exposed_debug``, ``directory_listing``, ``mixed_content``; ``detail``
  what was seen ("missing", the header's value, the exposed path, the http:// resource).
- ``unreachable``: the start page did not answer in time (``status``, ``detail``).
- ``stale_column`` / ``empty_column``: from ``Column`` (``url`` the column, ``detail`` its name,
  ``category`` its ``ColumnKind``, ``newest`` the newest item's date or None).
- ``home_stale``: the home page's newest dated item is older than the threshold.
- ``tampered``: a served page differs from its fingerprint (``url``, ``detail`` the hashes).
- ``guide_incomplete``, ``unanswered_messages``, ``no_online_service``,
  ``no_consultation_channel``: from our own data (``detail`` the evidence as text,
  ``count``).
"""

import datetime
from dataclasses import asdict, dataclass, field, fields


class ColumnKind:
    """How often a column must be updated (national check, STANDARDS.md)."""

    NEWS = "news"  # 动态、要闻: within two weeks
    NOTICE = "notice"  # 通知公告: within six months
    POLICY = "policy"  # 政策文件: within six months
    OTHER = "other"  # not counted as "should update"

    ALL = (NEWS, NOTICE, POLICY, OTHER)
    LABELS = {NEWS: "动态要闻类", NOTICE: "通知公告类", POLICY: "政策文件类", OTHER: "其他"}


class FindingKind:
    BROKEN_LINK = "broken_link"
    WORDING = "wording"
    SECURITY = "security"
    UNREACHABLE = "unreachable"
    STALE_COLUMN = "stale_column"
    EMPTY_COLUMN = "empty_column"
    HOME_STALE = "home_stale"
    TAMPERED = "tampered"
    GUIDE_INCOMPLETE = "guide_incomplete"
    UNANSWERED_MESSAGES = "unanswered_messages"
    NO_ONLINE_SERVICE = "no_online_service"
    NO_CONSULTATION_CHANNEL = "no_consultation_channel"


def _date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


class _Data:
    def as_dict(self):
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, datetime.date):
                out[key] = value.isoformat()
        return out

    @classmethod
    def from_dict(cls, data):
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("newest", "home_newest"):
            if name in values:
                values[name] = _date(values[name])
        return cls(**values)


@dataclass
class Finding(_Data):
    kind: str
    url: str = ""
    target: str = ""
    status: int | None = None
    detail: str = ""
    context: str = ""
    category: str = ""
    on_home: bool = False
    external: bool = False
    newest: datetime.date | None = None
    count: int = 0


@dataclass
class Column(_Data):
    """A column (栏目) found on a site: its listing page, name, kind, how many dated items
    its listing shows and the newest date among them (None: no dated item; ``items`` 0 and
    no date: empty)."""

    url: str
    name: str
    kind: str = ColumnKind.OTHER
    items: int = 0
    newest: datetime.date | None = None


@dataclass
class Probe(_Data):
    """One reachability try of a site's home page."""

    url: str
    ok: bool
    status: int | None = None
    elapsed_ms: int = 0
    detail: str = ""


@dataclass
class CrawlLimits(_Data):
    max_pages: int = 2000
    max_seconds: float = 600.0
    # Requests per second to one host (politeness), and requests in flight.
    rate_per_second: float = 10.0
    concurrency: int = 8
    # A page not loaded within this many seconds is a failure (national check: 15 s).
    timeout: float = 15.0
    check_external: bool = True
    user_agent: str = "YiwangMonitor/1.0 (+https://github.com/yiwang; 政府网站常态化监测)"
    # Host name -> IP address to connect to (Python's resolver knows no *.localhost; names
    # ending in ".localhost" map to 127.0.0.1 even when not listed).
    resolve: dict = field(default_factory=dict)


@dataclass
class CrawlReport(_Data):
    """What one crawl of a site found. ``finished`` False: stopped by a limit or asked to
    stop; ``state`` then holds what ``crawler.crawl(..., state=state)`` needs to go on."""

    start_url: str
    pages: int = 0
    links_checked: int = 0
    seconds: float = 0.0
    finished: bool = True
    stopped_because: str = ""  # "", "max_pages", "max_seconds", "stopped"
    home_newest: datetime.date | None = None
    home_status: int | None = None
    findings: list = field(default_factory=list)  # Finding
    columns: list = field(default_factory=list)  # Column
    # url -> sha256 hex of the page body as served (for tamper detection of our pages).
    fingerprints: dict = field(default_factory=dict)
    state: dict = field(default_factory=dict)

    def as_dict(self):
        out = super().as_dict()
        out["findings"] = [f.as_dict() for f in self.findings]
        out["columns"] = [c.as_dict() for c in self.columns]
        return out

    @classmethod
    def from_dict(cls, data):
        report = super().from_dict(data)
        report.findings = [Finding.from_dict(f) for f in data.get("findings", [])]
        report.columns = [Column.from_dict(c) for c in data.get("columns", [])]
        return report
