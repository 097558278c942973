"""Import service guides: our own JSON or Excel export, or the 四川政务服务网 listing.

    manage.py import_catalog guides.json [--create-departments]
    manage.py import_catalog guides.xlsx
    manage.py import_catalog ../shared/real-material/service-items-guang-an-sczwfw/

See docs/catalog-import-export.md.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yiwang.catalog import exchange, importers
from yiwang.catalog.constants import ItemType

# At most this many errors or warnings are printed one by one.
SHOWN = 50


def detect_format(path):
    path = Path(path)
    if path.is_dir() or path.suffix.lower() == ".csv":
        return "sczwfw"
    if path.suffix.lower() == ".xlsx":
        return "guides"
    try:
        with path.open("rb") as handle:
            data = json.loads(handle.read().decode("utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"无法读取 {path}：{exc}") from exc
    return "sczwfw" if importers.is_sczwfw_json(data) else "guides"


class Command(BaseCommand):
    help = (
        "导入政务服务事项：本系统导出的办事指南（JSON 或 Excel），或四川政务服务网的事项列表"
        "（bszl.json、service_items_flat.csv 或存放它们的目录）。可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="文件或目录")
        parser.add_argument(
            "--format",
            choices=["auto", "guides", "sczwfw"],
            default="auto",
            help="guides：本系统的 JSON/Excel；sczwfw：四川政务服务网列表；默认自动识别",
        )
        parser.add_argument(
            "--create-departments",
            action="store_true",
            help="（guides）实施主体不存在时按名称和统一社会信用代码创建",
        )
        parser.add_argument("--user", metavar="USERNAME", help="记入审计日志的操作人")

    def handle(self, *args, path, format, create_departments, user, verbosity, **options):
        if not Path(path).exists():
            raise CommandError(f"文件或目录不存在：{path}")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"找不到用户 {user}。")
        format = detect_format(path) if format == "auto" else format
        if format == "sczwfw":
            self.sczwfw(path, actor, verbosity)
        else:
            self.guides(path, actor, create_departments, verbosity)

    def guides(self, path, actor, create_departments, verbosity):
        try:
            result = exchange.import_file(path, actor=actor, create_departments=create_departments)
        except (exchange.ExchangeError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        for where, message in result.errors[:SHOWN]:
            self.stdout.write(self.style.ERROR(f"{where}：{message}"))
        if len(result.errors) > SHOWN:
            self.stdout.write(f"……另有 {len(result.errors) - SHOWN} 条错误未列出。")
        if verbosity >= 1:
            self.stdout.write(
                f"办事指南：新增 {result.created}，更新 {result.updated}（发布新版本），"
                f"未变 {result.unchanged}，失败 {result.failed}；"
                f"状态变更 {result.lifecycle_changed}；"
                f"基本目录新增 {result.catalog_items_created}、"
                f"更新 {result.catalog_items_updated}；"
                f"部门新增 {result.departments_created}；附件新增 {result.documents_created}。"
            )
        if result.failed:
            raise CommandError(f"{result.failed} 条办事指南导入失败（其余已导入），见上方错误。")
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS("导入完成。"))

    def sczwfw(self, path, actor, verbosity):
        try:
            items = importers.read_source(path)
            result = importers.import_sczwfw(
                items, actor=actor, source=str(path), progress=verbosity >= 1
            )
        except importers.SczwfwImportError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity < 1:
            return
        self.stdout.write(f"读取 {result.items} 项，用时 {result.seconds:.1f} 秒。")
        self.stdout.write("按事项类型：")
        for item_type, count in sorted(result.per_type.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {item_type:>2} {ItemType(item_type).label}：{count}")
        self.stdout.write(
            f"实施清单：新增 {result.created}，更新 {result.updated}（发布新版本），"
            f"未变 {result.unchanged}，跳过 {result.skipped}。"
        )
        self.stdout.write(
            f"部门：共 {result.departments}，新建 {result.departments_created}；"
            f"基本目录新增 {result.catalog_items_created}。"
        )
        for where, message in result.errors[:SHOWN]:
            self.stdout.write(self.style.ERROR(f"错误：{where}：{message}"))
        self.stdout.write(f"警告 {len(result.warnings)} 条：")
        for warning in result.warnings[:SHOWN]:
            self.stdout.write(self.style.WARNING(f"  {warning}"))
        self.stdout.write(self.style.SUCCESS("导入完成。"))
