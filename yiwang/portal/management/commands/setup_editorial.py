"""Set up editorial work (groups, collections, two-step workflows) for the portals."""

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from yiwang.portal.editorial import (
    GROUP_WIDE_EDITORS,
    portal_sites,
    setup_group_wide_editors,
    setup_site_editorial,
)


class Command(BaseCommand):
    help = (
        "为每个门户站点（或 --site 指定的站点）建立编辑、初审、终审用户组，"
        "图片文档集合和两审发布流程。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site",
            action="append",
            dest="hostnames",
            metavar="HOSTNAME",
            help="只处理这个主机名的站点（可重复）；不给则处理全部门户站点并更新“站群·编辑”。",
        )

    def handle(self, *args, hostnames=None, **options):
        if hostnames:
            sites = []
            for hostname in hostnames:
                found = list(Site.objects.filter(hostname=hostname))
                if not found:
                    raise CommandError(f"没有主机名为 {hostname} 的站点")
                sites.extend(found)
        else:
            sites = list(portal_sites())
        for site in sites:
            editorial = setup_site_editorial(site)
            self.stdout.write(f"{site.site_name}（{site.hostname}）")
            self._report(editorial.changes)
        if not hostnames:
            _, changes = setup_group_wide_editors()
            self.stdout.write(GROUP_WIDE_EDITORS)
            self._report(changes)

    def _report(self, changes):
        for change in changes:
            self.stdout.write(f"  {change}")
        if not changes:
            self.stdout.write("  已是最新，无需改动")
