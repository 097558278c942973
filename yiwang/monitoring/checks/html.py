"""Reading one HTML page: its links, meta tags, title, visible text and dated list items
(selectolax's lexbor parser: one parse per page)."""

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from . import freshness, links

_LINK_SELECTOR = (
    "a[href], area[href], link[href], img[src], script[src], iframe[src], frame[src], "
    "embed[src], source[src], video[src], audio[src]"
)
# <link rel=...> that name no document to check.
_LINK_REL_SKIP = frozenset({"preconnect", "dns-prefetch", "prerender"})
# <link rel=...> that load something into the page (mixed content when over http://).
_LINK_REL_RESOURCE = frozenset(
    {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "manifest"}
)
_HIDDEN = ["script", "style", "noscript", "template", "svg", "head"]
_BLOCK = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul option select button".split()
)
_SPACES = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_ENCODING_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312": "gb18030",
}
# A container of more links than this is a list, not one item of it.
_ITEM_MAX_LINKS = 3


def decode(body, content_type=""):
    """Page bytes to text: the charset of Content-Type, else of a <meta> tag, else UTF-8,
    else GB18030 (the superset of GBK and GB2312 many government sites still use)."""
    charset = ""
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if not charset:
        match = _CHARSET_RE.search(body[:4096])
        if match:
            charset = match.group(1).decode("ascii").lower()
    charset = _ENCODING_ALIASES.get(charset, charset)
    if charset:
        try:
            return body.decode(charset, errors="replace")
        except LookupError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace")


@dataclass
class Link:
    url: str
    # Loaded into the page (picture, script, style, frame) rather than followed.
    resource: bool


@dataclass
class Page:
    url: str
    title: str = ""
    h1: str = ""
    # Meta tags by lower-case name (<meta name="ColumnName"> → "columnname").
    meta: dict = field(default_factory=dict)
    links: list = field(default_factory=list)  # Link, distinct URLs in document order
    # Dates of the list items (a link with a date beside it), one per item.
    item_dates: list = field(default_factory=list)
    text: str = ""  # visible text (title, then the body without scripts and styles)
    body_text: str = ""  # all text of the body, scripts included (cheap; for dates)


def _text_of(node):
    parts = []
    for child in node.traverse(include_text=True):
        tag = child.tag
        if tag == "-text":
            parts.append(child.text_content or "")
        elif tag in _BLOCK:
            parts.append("\n")
    return "".join(parts)


def clean_text(text):
    text = _SPACES.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


def _item_dates(tree, today):
    """One date per list item: for each link, the nearest enclosing element (up to three
    levels up) that holds a date outside the link's own text, when that element holds one
    distinct such date and no more than a few links (else it is the whole list, not an
    item); or a date in an element inside the link (<a>标题<span>2026-11-30</span></a>)."""
    seen = set()
    out = []
    for anchor in tree.css("a[href]"):
        own_text = anchor.text() or ""
        own = freshness.find_dates(own_text, today)
        node = anchor
        found = None
        for _level in range(3):
            node = node.parent
            if node is None or node.tag in ("body", "html", "ul", "ol", "table", "tbody"):
                break
            dates = freshness.find_dates(node.text() or "", today)
            for value in own:
                if value in dates:
                    dates.remove(value)
            if not dates:
                continue
            if len(set(dates)) == 1 and len(node.css("a[href]")) <= _ITEM_MAX_LINKS:
                found = (node.mem_id, dates[0])
            break
        if found is None and own:
            inner = [c for c in anchor.iter() if c.tag not in ("-text",)]
            for child in inner:
                child_dates = freshness.find_dates(child.text() or "", today)
                if child_dates:
                    found = (anchor.mem_id, child_dates[-1])
                    break
        if found is not None and found[0] not in seen:
            seen.add(found[0])
            out.append(found[1])
    return out


def parse(html_text, url, *, today=None, want_text=True, want_items=None):
    """A Page from the HTML of ``url``. ``want_text``: extract the visible text (for the
    wording check). ``want_items``: find the dated list items; None: only on pages that may
    be columns (not on articles: ``freshness.may_be_column``)."""
    tree = LexborHTMLParser(html_text)
    page = Page(url=url)
    base = links.normalize(url) or url
    head = tree.head
    if head is not None:
        title = head.css_first("title")
        if title is not None:
            page.title = clean_text(title.text() or "")
        for meta in head.css("meta[name]"):
            attrs = meta.attributes
            name = (attrs.get("name") or "").strip().lower()
            if name and name not in page.meta:
                page.meta[name] = (attrs.get("content") or "").strip()
        base_tag = head.css_first("base[href]")
        if base_tag is not None:
            base = links.normalize(base_tag.attributes.get("href"), base) or base
    if not page.title:
        title = tree.css_first("title")
        if title is not None:
            page.title = clean_text(title.text() or "")
    h1 = tree.css_first("h1")
    if h1 is not None:
        page.h1 = clean_text(h1.text() or "")

    seen = set()
    origin = links.origin(base)
    for node in tree.css(_LINK_SELECTOR):
        tag = node.tag
        attrs = node.attributes
        if tag == "a" or tag == "area":
            resource = False
            value = attrs.get("href")
        elif tag == "link":
            rel = set((attrs.get("rel") or "").lower().split())
            if rel & _LINK_REL_SKIP:
                continue
            resource = bool(rel & _LINK_REL_RESOURCE)
            value = attrs.get("href")
        else:
            resource = True
            value = attrs.get("src")
        if not value:
            continue
        target = links.join(origin, base, value)
        if target is None or target in seen:
            continue
        seen.add(target)
        page.links.append(Link(target, resource))

    if want_items is None:
        want_items = freshness.may_be_column(page.meta)
    body = tree.body
    if body is not None:
        if want_items:
            body_text = page.body_text = body.text() or ""
            if freshness.find_dates(body_text, today):
                page.item_dates = _item_dates(tree, today)
        if want_text:
            tree.strip_tags(_HIDDEN)
            body = tree.body
            text = _text_of(body) if body is not None else ""
            page.text = clean_text(page.title + "\n" + text)
    elif want_text:
        page.text = page.title
    return page
