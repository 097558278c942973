"""``manage.py setup_roles``: make the three separated administrator roles (系统管理员,
安全管理员, 审计管理员) as groups with exactly their permissions (``accounts/roles.py``).
Idempotent; also run after every ``migrate``. ``--check`` changes nothing and exits with
status 1 when a role group differs from its definition."""

from django.core.management.base import BaseCommand, CommandError

from yiwang.accounts.roles import ADMIN_ROLES, RoleSetupError, ensure_admin_roles, role_drift


class Command(BaseCommand):
    help = "创建或更新三员分立的管理员角色（系统管理员、安全管理员、审计管理员）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="只检查角色组是否与定义一致，不作修改"
        )

    def handle(self, *args, check, **options):
        if check:
            drift = role_drift()
            if not drift:
                self.stdout.write(self.style.SUCCESS("三个管理员角色均与定义一致。"))
                return
            for name, message in drift.items():
                self.stderr.write(f"{name}：{message}")
            raise CommandError("管理员角色与定义不一致，请执行 manage.py setup_roles", returncode=1)
        try:
            result = ensure_admin_roles()
        except RoleSetupError as exc:
            raise CommandError(str(exc)) from exc
        for role in ADMIN_ROLES:
            group, created, changed = result[role.key]
            state = "已创建" if created else ("已更新" if changed else "无变化")
            count = len(role.all_permissions)
            self.stdout.write(f"{role.name}：{state}（{count} 项权限）——{role.description}")
        self.stdout.write(self.style.SUCCESS("管理员角色已就绪；同一账号只能担任其中一个角色。"))
