"""``manage.py rebuild_stats``: rebuild the statistics' summary from the raw cases."""

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "从办件原始数据全量重建统计汇总表（显示进度）。"

    def handle(self, *args, **options):
        from yiwang.stats import rollups

        started = time.monotonic()

        def progress(done, total):
            self.stdout.write(
                f"\r已处理办件编号 {done:,}/{total:,}（{done * 100 // total}%）", ending=""
            )
            self.stdout.flush()

        cells = rollups.rebuild(progress=progress)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"统计汇总已重建：{cells:,} 个汇总单元，用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
