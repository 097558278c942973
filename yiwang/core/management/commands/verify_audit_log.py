"""``manage.py verify_audit_log``: walk the audit log's hash chain and report the first row
that breaks it (edited, deleted, inserted). Exit status 0 when intact, 1 when broken."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from yiwang.core.audit import verify_chain
from yiwang.core.models import AuditEvent

# Below this many rows the check takes a moment: no progress bar.
PROGRESS_THRESHOLD = 10_000


class Command(BaseCommand):
    help = "校验审计日志的哈希链：报告第一条被修改、删除或插入的记录。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="每批读取的记录数（默认 2000）"
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, batch_size, no_progress, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 必须是正整数")
        total = AuditEvent.objects.count()
        bar = None
        if not no_progress and total >= PROGRESS_THRESHOLD:
            bar = tqdm(total=total, unit="条", desc="校验审计日志", file=self.stderr._out)
        try:
            report = verify_chain(batch_size=batch_size, progress=bar.update if bar else None)
        finally:
            if bar is not None:
                bar.close()

        if report.ok:
            if report.checked == 0:
                self.stdout.write(self.style.SUCCESS("审计日志为空，无需校验。"))
                return
            self.stdout.write(
                self.style.SUCCESS(
                    f"审计日志完整：共校验 {report.checked} 条记录"
                    f"（序号 {report.first_sequence} 至 {report.last_sequence}）。"
                )
            )
            self.stdout.write(f"起点锚点哈希：{report.anchor_hash}")
            self.stdout.write(f"链头哈希：{report.head_hash}")
            return

        broken = report.broken
        where = []
        if broken.sequence is not None:
            where.append(f"序号 {broken.sequence}")
        if broken.event_id is not None:
            where.append(f"ID {broken.event_id}")
        location = f"（{'，'.join(where)}）" if where else ""
        self.stderr.write(f"审计日志校验未通过{location}：{broken.message}")
        self.stderr.write(f"此前已校验通过 {report.checked} 条记录。")
        raise CommandError("审计日志已被篡改或不完整", returncode=1)
