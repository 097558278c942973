"""Load the demo site group (docs/demo.md). The work is in ``yiwang.demo``."""

from django.core.management.base import BaseCommand, CommandError

from yiwang.demo.loader import DEFAULT_PORT, DEFAULT_SEED, DemoConflict, load_demo


class Command(BaseCommand):
    help = (
        "加载演示站群：虚构的明川省及其市县的门户网站、部门、内容和演示账号。"
        "已加载时只打印地址和账号；--reset 删除演示数据后重新加载。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=DEFAULT_PORT,
            help=f"站点的端口（主机名为 *.localhost），默认 {DEFAULT_PORT}",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"随机数种子：同一种子生成完全相同的内容，默认 {DEFAULT_SEED}",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="先删除演示数据（站点、页面、账号、演示区划和部门），再重新加载",
        )

    def handle(self, *args, port, seed, reset, verbosity, **options):
        if not 0 < port < 65536:
            raise CommandError(f"端口无效：{port}")
        try:
            report = load_demo(port=port, seed=seed, reset=reset, progress=verbosity > 0)
        except DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
