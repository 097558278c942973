"""The parts every public page shares: the portal's name and settings, the main navigation,
the site-group navigation (站群导航), breadcrumbs and pagination links.

Nothing here reads the visitor (no user, no session, no CSRF token): a public page must be
the same for everyone so that caches and static copies can serve it.
"""

from django import template
from django.conf import settings as django_settings
from django.utils.http import urlencode
from wagtail.models import Site

from ..models import PortalHomePage, PortalSettings
from ..sitegroup import child_portals, parent_portal

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_chrome(context):
    """Header, navigation and footer data of the request's portal, computed once a request."""
    request = context.get("request")
    if request is None:
        return {}
    cached = getattr(request, "_yiwang_portal_chrome", None)
    if cached is not None:
        return cached
    site = Site.find_for_request(request)
    home = site.root_page.specific if site else None
    chrome = {
        "site": site,
        "home": home,
        "site_name": home.title if home else django_settings.WAGTAIL_SITE_NAME,
        "settings": PortalSettings.for_site(site) if site else None,
        "main_nav": list(home.get_children().live().public().in_menu()) if home else [],
        "child_portals": [],
        "parent_portal": None,
        "login_url": django_settings.LOGIN_URL,
    }
    if isinstance(home, PortalHomePage):
        chrome["child_portals"] = list(child_portals(home))
        chrome["parent_portal"] = parent_portal(home)
    request._yiwang_portal_chrome = chrome
    return chrome


@register.simple_tag
def nav_current(item, page):
    """The aria-current value of a navigation link: ``page`` on the page itself, ``true`` on
    the section the page is in, nothing elsewhere."""
    if page is None or not getattr(page, "path", None):
        return ""
    if item.pk == page.pk:
        return "page"
    if page.path.startswith(item.path):
        return "true"
    return ""


@register.inclusion_tag("portal/includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, page):
    """当前位置: the page's ancestors from the portal's home page down."""
    chrome = portal_chrome(context)
    home = chrome.get("home")
    ancestors = page.get_ancestors()
    if home is not None and page.path.startswith(home.path):
        ancestors = ancestors.filter(depth__gte=home.depth)
    else:
        ancestors = ancestors.filter(depth__gt=1)
    return {"request": context.get("request"), "ancestors": list(ancestors), "page": page}


@register.simple_tag
def page_link(query_string, number):
    """The query string of a numbered page of a list, keeping the list's filters."""
    params = f"{query_string}&" if query_string else ""
    return f"?{params}{urlencode({'page': number})}"


@register.filter
def elided_pages(page_obj):
    """Page numbers around the current one, with None where numbers are left out."""
    paginator = page_obj.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    ]


@register.filter
def file_type(document):
    extension = document.file_extension or ""
    return extension.upper() or "文件"
