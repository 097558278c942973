"""Logging a test client in as if the user had passed their second factor (TOTP).

Staff reach the back office only with a verified second factor
(``yiwang.accounts.middleware.StaffSecondFactorMiddleware``). Tests about something else
(permissions, say) log in with ``login_with_second_factor(client, user)``: the user gets a
confirmed TOTP device and the session is marked verified with it, exactly as
``django_otp.login`` marks it, so ``request.user.is_verified()`` is true."""

import django_otp
from django_otp.plugins.otp_totp.models import TOTPDevice


def login_with_second_factor(client, user):
    """``client.force_login(user)`` plus a session verified with the user's TOTP device
    (made, confirmed, when the user has none). Returns the device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="测试设备", confirmed=True)
    client.force_login(user)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
