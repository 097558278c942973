"""Print the current TOTP code of a demo staff account, so the demo can be used without a
phone. Only for devices holding their account's fixed demo secret
(yiwang.demo.staff_devices): a real account's code is never printed."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.demo.staff_devices import is_demo_key


class Command(BaseCommand):
    help = "显示演示工作人员账号身份验证器的当前动态验证码（仅限演示密钥）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="演示工作人员的用户名")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的账号。")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            raise CommandError(f"账号 {username} 没有已绑定的身份验证器。")
        if not is_demo_key(device):
            raise CommandError(
                f"账号 {username} 的身份验证器不是演示密钥，不能显示其验证码："
                "请使用本人手机上的身份验证器。"
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        remaining = device.step - int(totp.time - device.t0) % device.step
        self.stderr.write(f"（{remaining} 秒内有效，每个验证码只能使用一次）")
