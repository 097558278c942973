"""Creating the portals of the site group and walking its hierarchy."""

from django.db import transaction
from wagtail.models import Page, Site

from .models import PortalHomePage, PortalSettings


@transaction.atomic
def create_portal(
    *,
    hostname,
    title,
    region=None,
    port=80,
    owner_department=None,
    site_id_code="",
    organizer="",
    is_default=False,
    slug=None,
):
    """Create a portal: its home page under the tree root, its Wagtail ``Site`` and its
    per-site settings. Returns the ``Site``. Raises ``ValueError`` if the hostname and port
    are taken."""
    if Site.objects.filter(hostname=hostname, port=port).exists():
        raise ValueError(f"站点 {hostname}:{port} 已存在")
    root = Page.get_first_root_node()
    home = PortalHomePage(
        title=title,
        slug=slug or hostname.split(".")[0].replace("_", "-")[:50],
        region=region,
        owner_department=owner_department,
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    if is_default:
        # Wagtail allows one default site (its own admin breaks on two).
        Site.objects.filter(is_default_site=True).update(is_default_site=False)
    site = Site.objects.create(
        hostname=hostname,
        port=port,
        root_page=home,
        site_name=title,
        is_default_site=is_default,
    )
    PortalSettings.objects.update_or_create(
        site=site,
        defaults={"site_id_code": site_id_code, "organizer": organizer or title},
    )
    return site


def portal_home_of(site):
    return site.root_page.specific


def child_portals(home):
    """The portals one level down the administrative hierarchy (站群导航)."""
    if home.region_id is None:
        return PortalHomePage.objects.none()
    return (
        PortalHomePage.objects.live()
        .filter(region__parent_id=home.region_id)
        .select_related("region")
        .order_by("region__code")
    )


def parent_portal(home):
    if home.region_id is None or home.region.parent_id is None:
        return None
    return PortalHomePage.objects.live().filter(region_id=home.region.parent_id).first()
