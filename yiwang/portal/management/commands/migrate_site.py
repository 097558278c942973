"""Shut a department's or township's site down and move it into a portal (关停迁移).

    manage.py migrate_site --source-site jyj.songlin.example.gov.cn \\
        --target-site songlin.example.gov.cn --as subsite --kind department --department-id 12
    manage.py migrate_site --source-page 345 --target-page 67 --as column --dry-run

See docs/site-migration.md.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm
from wagtail.models import Page, Site

from yiwang.orgs.models import Department, Region
from yiwang.portal.migration import AS_KIND_CHOICES, MigrateSiteAction
from yiwang.portal.models import SubsiteKind

# Below this many redirects a progress bar is only noise.
PROGRESS_THRESHOLD = 200


def find_site(hostname):
    host, _, port = hostname.partition(":")
    sites = Site.objects.filter(hostname=host)
    if port:
        sites = sites.filter(port=port)
    sites = list(sites)
    if not sites:
        raise CommandError(f"找不到主机名为 {hostname} 的站点。")
    if len(sites) > 1:
        ports = "、".join(str(s.port) for s in sites)
        raise CommandError(f"主机名 {host} 有多个端口（{ports}），请写成 主机名:端口。")
    return sites[0]


def find_page(page_id):
    try:
        return Page.objects.get(pk=page_id)
    except Page.DoesNotExist:
        raise CommandError(f"找不到 ID 为 {page_id} 的页面。") from None


class Command(BaseCommand):
    help = (
        "站点关停迁移：把部门或乡镇网站（或门户中的一个栏目）迁入县区门户，"
        "作为子站或栏目，旧网址全部 301 跳转。"
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--source-site", metavar="HOST", help="要关停的站点主机名")
        source.add_argument(
            "--source-page", metavar="ID", type=int, help="要迁移的栏目或子站页面 ID"
        )
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--target-page", metavar="ID", type=int, help="迁入位置（父页面）ID")
        target.add_argument("--target-site", metavar="HOST", help="迁入该门户的首页之下")
        parser.add_argument(
            "--as",
            dest="as_kind",
            required=True,
            choices=[value for value, _ in AS_KIND_CHOICES],
            help="迁为子站（subsite）或栏目（column）",
        )
        parser.add_argument(
            "--kind",
            choices=SubsiteKind.values,
            help="子站类型：department 部门，township 乡镇（街道）",
        )
        parser.add_argument("--department-id", type=int, help="子站所属部门 ID")
        parser.add_argument("--region-code", help="乡镇（街道）子站的统计用区划代码")
        parser.add_argument("--title", help="新子站或栏目的标题（默认沿用原首页标题）")
        parser.add_argument("--slug", help="新子站或栏目的路径（默认沿用原路径，重名时加 -2、-3…）")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只列出将迁移的页面和将创建的重定向，不做任何修改",
        )

    def handle(self, *args, **options):
        if options["source_site"]:
            source = find_site(options["source_site"])
        else:
            source = find_page(options["source_page"])
        if options["target_site"]:
            target_parent = find_site(options["target_site"]).root_page
        else:
            target_parent = find_page(options["target_page"])
        department = region = None
        if options["department_id"] is not None:
            department = Department.objects.filter(pk=options["department_id"]).first()
            if department is None:
                raise CommandError(f"找不到 ID 为 {options['department_id']} 的部门。")
        if options["region_code"]:
            region = Region.objects.filter(code=options["region_code"]).first()
            if region is None:
                raise CommandError(f"找不到区划代码为 {options['region_code']} 的区划。")

        action = MigrateSiteAction(
            source=source,
            target_parent=target_parent,
            as_kind=options["as_kind"],
            subsite_kind=options["kind"],
            department=department,
            region=region,
            title=options["title"],
            slug=options["slug"],
            progress=self.progress,
        )
        try:
            if options["dry_run"]:
                self.show_plan(action.plan())
                self.stdout.write("演练（--dry-run）：没有做任何修改。")
                return
            migration = action.execute()
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None

        target = migration.target_page
        self.stdout.write(
            self.style.SUCCESS(
                f"已迁移：{migration.source_description} → {target.title}"
                f"（{target.specific_deferred.get_full_url()}）。"
                f"迁移页面 {migration.moved_page_count} 个，"
                f"创建重定向 {migration.redirect_count} 条，"
                f"迁移记录 #{migration.pk}。"
            )
        )
        skipped = action.executed_plan.skipped_paths
        if skipped:
            self.stderr.write(f"以下 {len(skipped)} 个旧网址超过 255 字符，未能创建重定向：")
            for url in skipped:
                self.stderr.write(url)
        if migration.closed_site_id:
            self.stdout.write(
                f"站点 {migration.closed_site.hostname} 已关停：它的所有网址都 301 跳转到新位置。"
            )

    def progress(self, items, total):
        if total < PROGRESS_THRESHOLD:
            return items
        return tqdm(items, total=total, desc="创建重定向", unit="条", file=self.stderr._out)

    def show_plan(self, plan):
        self.stdout.write(f"来源：{plan.source_description}")
        self.stdout.write(f"迁入：{plan.new_location}")
        if plan.source_site is not None:
            self.stdout.write(f"关停站点：{plan.source_site.hostname}（保留主机名，只作跳转）")
        elif not plan.move_as_is:
            self.stdout.write(f"原页面“{plan.source_root.title}”清空后保留为草稿，不删除。")
        self.stdout.write(f"\n将迁移的页面（{plan.moved_page_count} 个）：")
        for page in plan.pages:
            if page.depth == 0 and not plan.move_as_is:
                continue
            state = "" if page.live else "（草稿）"
            self.stdout.write(
                f"{'  ' * page.depth}#{page.page_id} [{page.type_label}] {page.title}{state}"
                f"  {page.old_url} → {page.new_url}"
            )
        self.stdout.write(f"\n将创建的 301 重定向（{len(plan.redirects)} 条）：")
        for redirect in plan.redirects:
            self.stdout.write(f"{redirect.old_url} → {redirect.new_url}")
        if plan.skipped_paths:
            self.stdout.write(
                f"\n路径过长（超过 255 字符）无法重定向的旧网址（{len(plan.skipped_paths)} 条）："
            )
            for url in plan.skipped_paths:
                self.stdout.write(url)
