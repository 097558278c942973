"""Authenticator devices for the demo's staff accounts, so the demo can be tried without
enrolling a phone first.

Each demo account gets a confirmed TOTP device whose secret is derived from its username and
a constant written here: the same on every demo install, so the README can say how to get a
code (``oathtool --totp -b <secret>``, any authenticator app, or
``manage.py totp_code <username>``). These secrets are public: an account holding one has,
in effect, no second factor. ``manage.py totp_code`` prints codes for these secrets only.
"""

import hashlib
from base64 import b32encode
from binascii import unhexlify

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_SECRET_CONTEXT = "yiwang-demo-totp-secret-v1:"
DEVICE_NAME = "演示身份验证器"


def demo_key(username):
    """The fixed demo TOTP secret of ``username``, as the 40 hex digits django-otp keeps."""
    return hashlib.sha1(f"{DEMO_SECRET_CONTEXT}{username}".encode()).hexdigest()


def is_demo_key(device):
    """Whether ``device`` holds its user's fixed demo secret (so its codes may be shown)."""
    return device.key.lower() == demo_key(device.user.get_username())


def base32_secret(key_hex):
    return b32encode(unhexlify(key_hex)).decode()


def ensure_demo_devices(usernames):
    """Give each of ``usernames`` (existing accounts; others are skipped) a confirmed TOTP
    device with its demo secret, replacing any other device of theirs; run again, it
    changes nothing. Returns ``demo_device_lines(usernames)``."""
    User = get_user_model()
    with transaction.atomic():
        for user in User.objects.filter(username__in=list(usernames)):
            key = demo_key(user.get_username())
            devices = TOTPDevice.objects.filter(user=user)
            if not devices.filter(key=key, confirmed=True).exists():
                devices.delete()
                TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key, confirmed=True)
    return demo_device_lines(usernames)


def demo_device_lines(usernames):
    """The lines to print (read only): per account holding its demo device, the base32
    secret and otpauth URI, and how to get a code."""
    from yiwang.accounts.views.staff import otpauth_uri

    devices = {
        device.user.get_username(): device
        for device in TOTPDevice.objects.filter(
            user__username__in=list(usernames), confirmed=True
        ).select_related("user")
        if is_demo_key(device)
    }
    lines = ["工作人员登录需要动态验证码（双因素认证）。演示账号的身份验证器密钥："]
    for username in usernames:
        device = devices.get(username)
        if device is not None:
            lines.append(f"  {username}  密钥 {base32_secret(device.key)}")
            lines.append(f"      {otpauth_uri(device.user, device.key)}")
    lines.append(
        "  取得当前验证码：oathtool --totp -b <密钥>，或把密钥/链接添加到任一身份验证器应用，"
        "或 python manage.py totp_code <用户名>（仅限演示密钥）。"
    )
    return lines


def ensure_staff_account(username, *, display_name, department, groups, mobile=""):
    """The demo staff account ``username`` (created with the demo password when missing),
    in ``groups`` (group names), with its demo authenticator device. Returns the user."""
    from yiwang.accounts.models import UserKind

    from .spec import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username,
            password=DEMO_PASSWORD,
            kind=UserKind.STAFF,
            display_name=display_name,
            department=department,
            email=f"{username.replace('.', '-')}@{DEMO_EMAIL_DOMAIN}",
            mobile=mobile,
            is_staff=True,
        )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    ensure_demo_devices([username])
    return user
