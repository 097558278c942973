"""Import historic messages of another 问政 platform (docs/interaction-routing.md).

manage.py import_messages fj4.csv.gz --region 430100 --department 市长信箱办公室 --user admin
manage.py import_messages votes.csv --region 430100 --kind suggestion
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yiwang.interaction import figures, importers
from yiwang.interaction.constants import Kind


class Command(BaseCommand):
    help = (
        "导入其他问政平台的历史留言（泰迪杯格式 CSV，可为 .csv.gz）：含答复的一并导入答复。"
        "按留言编号去重，可重复运行；导入的留言不会自动公开。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 或 CSV.gz 文件")
        parser.add_argument(
            "--region", required=True, help="留言所属区划：6 位行政区划代码或 12 位统计用区划代码"
        )
        parser.add_argument("--department", help="承办和答复部门（编号或名称）；文件含答复时必填")
        parser.add_argument(
            "--kind",
            default=Kind.MAILBOX,
            choices=importers.IMPORTABLE_KINDS,
            help="留言类型（默认 mailbox 领导信箱）",
        )
        parser.add_argument(
            "--format", default="taidi", choices=importers.FORMATS, help="文件格式（默认 taidi）"
        )
        parser.add_argument(
            "--source",
            default="taidi",
            help="来源平台代号（默认 taidi）：外部编号记为“代号:留言编号”，同一编号不重复导入",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="操作人（记入审计日志、作为答复的录入人）；含答复时必填",
        )

    def handle(self, *args, file, region, department, kind, format, source, user, **options):
        verbosity = options["verbosity"]
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"找不到用户 {user}（或已停用）。")
        try:
            importers.check_source(source)
            region_row = importers.find_region(region)
            department_row = (
                importers.find_department(department, region_row) if department else None
            )
            if verbosity >= 1:
                self.stdout.write(f"读取 {file} ……")
            source_file = importers.read_file(file, format=format)
            if verbosity >= 1:
                self.stdout.write(
                    f"读取 {len(source_file.rows)} 条留言，其中有答复 {source_file.replied} 条。"
                )
            result = importers.import_messages(
                source_file,
                region=region_row,
                kind=kind,
                department=department_row,
                actor=actor,
                source=source,
                progress=verbosity >= 1,
                progress_file=self.stderr._out,
            )
        except importers.MessageImportError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity < 1:
            return
        self.stdout.write(
            f"新增 {result.created} 条（其中有答复 {result.created_with_reply} 条），"
            f"此前已导入而跳过 {result.skipped} 条；{result.batches} 批，"
            f"用时 {result.seconds:.1f} 秒。"
        )
        total = figures.of(importers.imported_from(source))
        if total.total:
            median = "—" if total.median_days is None else f"{total.median_days} 天"
            self.stdout.write(
                f"来源 {source} 的全部导入留言：{total.total} 条，已答复 {total.replied} 条，"
                f"答复率 {total.reply_rate_percent}%，答复用时中位数 {median}（自然日）。"
            )
        self.stdout.write(self.style.SUCCESS("导入完成。导入的留言不会自动公开。"))
