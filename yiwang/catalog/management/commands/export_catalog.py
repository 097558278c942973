"""Export published service guides as JSON or Excel (see docs/catalog-import-export.md).

manage.py export_catalog --format json -o guides.json
manage.py export_catalog --format xlsx --region 511602 -o guangan.xlsx
manage.py export_catalog --department 12 -o minzheng.xlsx
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yiwang.catalog import exchange
from yiwang.catalog.models import Implementation
from yiwang.orgs.models import Department, Region, stats_code


def region_and_below(region):
    """The pks of ``region`` and every region under it."""
    pks, frontier = [region.pk], [region.pk]
    while frontier:
        frontier = list(Region.objects.filter(parent__in=frontier).values_list("pk", flat=True))
        pks += frontier
    return pks


class Command(BaseCommand):
    help = (
        "导出已发布的办事指南（含基本目录、全部要素、子表和附件），格式为 JSON 或 Excel，"
        "可再用 import_catalog 导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=["json", "xlsx"],
            help="导出格式（默认按输出文件的扩展名，.xlsx 为 Excel，其余为 JSON）",
        )
        parser.add_argument(
            "--region", metavar="CODE", help="只导出这个区划（及其下级区划）的实施清单"
        )
        parser.add_argument("--department", metavar="ID", type=int, help="只导出这个部门的")
        parser.add_argument("-o", "--output", required=True, metavar="FILE", help="输出文件")

    def handle(self, *args, format, region, department, output, verbosity, **options):
        queryset = Implementation.objects.all()
        if region:
            try:
                found = Region.objects.filter(code=stats_code(region)).first()
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            if found is None:
                raise CommandError(f"找不到区划 {region}。")
            queryset = queryset.filter(region__in=region_and_below(found))
        if department is not None:
            if not Department.objects.filter(pk=department).exists():
                raise CommandError(f"找不到 ID 为 {department} 的部门。")
            queryset = queryset.filter(department_id=department)
        path = Path(output)
        format = format or ("xlsx" if path.suffix.lower() == ".xlsx" else "json")
        document = exchange.export_guides(queryset)
        if format == "xlsx":
            exchange.guides_to_workbook(document).save(path)
        else:
            path.write_text(exchange.dumps(document), encoding="utf-8")
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"已导出 {len(document['guides'])} 条办事指南到 {path}。")
            )
