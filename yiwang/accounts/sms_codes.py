"""One-time SMS codes (短信验证码) for a purpose (login, verify a phone, recover an account).

Codes live in the cache (Redis in production, so every app process sees them), hashed, with
an expiry (``settings.SMS_CODE_TTL_SECONDS``), at most ``MAX_ATTEMPTS`` tries, and one new
code per mobile and purpose every ``RESEND_SECONDS``. A used code is deleted.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from yiwang.core.sms import send_sms

MAX_ATTEMPTS = 5
RESEND_SECONDS = 60
PURPOSES = {
    "login": "登录",
    "verify_mobile": "核验手机号码",
    "register": "注册",
    "recover": "找回账号",
}


def _key(purpose, mobile):
    return f"accounts:sms:{purpose}:{mobile}"


def _digest(code):
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def send_code(*, mobile, purpose):
    """Make a six-digit code for ``mobile`` and text it (after commit). Raises
    ``ValidationError`` when asked again within ``RESEND_SECONDS``."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    if not cache.add(f"{_key(purpose, mobile)}:sent", 1, RESEND_SECONDS):
        raise ValidationError(
            f"验证码发送太频繁，请 {RESEND_SECONDS} 秒后再试。", code="sms_too_frequent"
        )
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = settings.SMS_CODE_TTL_SECONDS
    cache.set(_key(purpose, mobile), {"digest": _digest(code), "attempts": 0}, ttl)
    text = f"【一网】您的{PURPOSES[purpose]}验证码是 {code}，{ttl // 60} 分钟内有效。请勿告诉他人。"
    transaction.on_commit(lambda: send_sms(mobile=mobile, text=text))


def check_code(*, mobile, purpose, code):
    """Consume a valid code, or raise ``ValidationError`` (wrong, expired or used up)."""
    key = _key(purpose, mobile)
    entry = cache.get(key)
    if entry is None:
        raise ValidationError("验证码已过期或不存在，请重新获取。", code="sms_code_expired")
    if entry["attempts"] >= MAX_ATTEMPTS:
        cache.delete(key)
        raise ValidationError("验证码错误次数过多，请重新获取。", code="sms_code_exhausted")
    if not hmac.compare_digest(entry["digest"], _digest((code or "").strip())):
        entry["attempts"] += 1
        cache.set(key, entry, settings.SMS_CODE_TTL_SECONDS)
        raise ValidationError("验证码不正确。", code="sms_code_wrong")
    # Whoever deletes the entry first used the code; a second request with it fails.
    if not cache.delete(key):
        raise ValidationError("验证码已过期或不存在，请重新获取。", code="sms_code_expired")
