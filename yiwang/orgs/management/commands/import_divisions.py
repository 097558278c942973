from django.core.management.base import BaseCommand, CommandError

from yiwang.orgs.importers import DivisionImportError, import_divisions
from yiwang.orgs.models import RegionLevel


class Command(BaseCommand):
    help = (
        "导入行政区划（省、市、县、乡四级 CSV：provinces.csv、cities.csv、areas.csv、"
        "streets.csv）。可重复运行：只新增或更新有变化的行。任何一行有错则不写入任何数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="存放四个 CSV 文件的目录")
        parser.add_argument(
            "--province", metavar="CODE", help="只导入这个省级区划（两位代码，例如 33）"
        )

    def handle(self, *args, directory, province, verbosity, **options):
        try:
            result = import_divisions(directory, province=province, progress=verbosity >= 1)
        except DivisionImportError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            for level in result.levels:
                folded = f"，并入上级 {level.folded}" if level.folded else ""
                self.stdout.write(
                    f"{RegionLevel(level.level).label}：读取 {level.rows_read} 行，"
                    f"新增 {level.created}，更新 {level.updated}，未变 {level.unchanged}{folded}"
                )
            self.stdout.write(
                self.style.SUCCESS(f"完成：新增 {result.created}，更新 {result.updated}。")
            )
