"""Train the routing model (分办模型) on the platform's answered messages.

    manage.py train_routing [--holdout 0.2] [--seed 0]

See docs/interaction-routing.md.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yiwang.interaction import classifier


class Command(BaseCommand):
    help = (
        "用已答复且有承办部门的留言训练分办模型：先在留出部分上测准确率，再用全部样本训练并保存。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--holdout",
            type=float,
            default=0.2,
            help="留出测准确率的比例，0 到 0.5 之间（默认 0.2；0 表示不测）",
        )
        parser.add_argument("--seed", type=int, default=0, help="随机划分的种子（默认 0）")
        parser.add_argument("--user", metavar="USERNAME", help="记入审计日志的操作人")

    def handle(self, *args, holdout, seed, user, verbosity, **options):
        if not 0 <= holdout <= 0.5:
            raise CommandError("--holdout 应在 0 到 0.5 之间，例如 0.2。")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"找不到用户 {user}（或已停用）。")

        def say(text):
            if verbosity >= 1:
                self.stdout.write(text)

        say("读取已答复的留言……")
        result = classifier.train_from_history(
            holdout=holdout, seed=seed, actor=actor, progress=say
        )
        if not result.trained:
            self.stdout.write(self.style.WARNING(f"未训练：{result.reason}"))
            return
        if result.held_out_accuracy is None:
            say("未留出样本，没有测准确率（--holdout 0）。")
        self.stdout.write(self.style.SUCCESS(result.reason))
