"""Login (password or SMS code), logout, logout everywhere, registration of a natural person,
password change and password reset by SMS code.

Brute-force protection is ``accounts.throttle``: password login is refused while the
(account, client address) pair or the address is locked; SMS-code login and the SMS reset
never are, so the owner of the verified mobile can always get in. Messages never say
whether an account exists ("账号或密码错误"). Every attempt is audited with the client address;
no password, code or full ID number ever reaches an audit row.

The login functions check the first factor and return the user; the view then calls
``accounts.otp.begin_login``, which sends staff on to their second factor. The completed
login is audited here for everyone else, and by the second-factor step for staff.
"""

import re

from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from yiwang.core.audit import record
from yiwang.core.masking import mask_id_number, mask_mobile

from .. import events, sms_codes
from ..models import RealNameLevel, User, UserKind
from ..otp import requires_second_factor
from ..throttle import Throttle, client_ip
from ..validators import validate_password
from .identity import id_number_digest, normalize_id_number, set_id_number
from .staff import MOBILE_RE, check_mobile

INVALID_LOGIN = "账号或密码错误。"
ID_NUMBER_LIKE = re.compile(r"^\d{17}[\dXx]$")
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,29}$")


def locked_message(lock):
    if lock.address_wide:
        return f"该网络登录失败次数过多，请 {lock.minutes} 分钟后再试，或使用短信验证码登录。"
    return f"登录失败次数过多，请 {lock.minutes} 分钟后再试，或使用短信验证码登录。"


def _identifier_kind(identifier):
    if ID_NUMBER_LIKE.match(identifier):
        return "id_number"
    if MOBILE_RE.match(identifier):
        return "mobile"
    return "username"


def _masked_identifier(identifier):
    """What the audit row keeps of an identifier that named no account: people type their
    password into the wrong box, so a username is cut short too."""
    kind = _identifier_kind(identifier)
    if kind == "id_number":
        return mask_id_number(identifier)
    if kind == "mobile":
        return mask_mobile(identifier)
    return identifier[:3] + "***"


def find_login_user(identifier):
    """The account an identifier names: a resident ID number, a verified mobile, or a
    username (in that order of trying), or ``None``."""
    from ..queries import find_by_id_number

    identifier = (identifier or "").strip()
    if not identifier:
        return None
    kind = _identifier_kind(identifier)
    if kind == "id_number":
        try:
            user = find_by_id_number(identifier)
        except ValidationError:
            user = None
        if user is not None:
            return user
    if kind == "mobile":
        user = User.objects.filter(mobile=identifier, mobile_verified_at__isnull=False).first()
        if user is not None:
            return user
    return User.objects.filter(username=identifier).first()


def _verified_user(mobile):
    return User.objects.filter(mobile=mobile, mobile_verified_at__isnull=False).first()


def _address_detail(request, detail):
    """The audit row's own column has the client's address (``core.audit.client_ip``);
    behind trusted proxies the nearest proxy's address goes into the detail too."""
    if request is not None:
        remote = request.META.get("REMOTE_ADDR")
        if remote and client_ip(request) != remote:
            detail["proxy"] = remote
    return detail


def _audit(action, *, request, user=None, **detail):
    with transaction.atomic():
        record(
            action=action,
            actor=user,
            obj=user,
            request=request,
            detail=_address_detail(request, detail),
        )


def _login_failed(*, request, user, identifier, method, reason):
    detail = {"method": method, "reason": reason}
    if user is None:
        detail["identifier"] = _masked_identifier(identifier)
    _audit(events.LOGIN_FAILED, request=request, user=user, **detail)


def log_in_with_password(*, request, identifier, password):
    """Check a password for the account named by ``identifier`` (username, verified mobile
    or resident ID number) and return the user. Raises ``ValidationError`` with code
    ``invalid_login`` (wrong identifier or password, inactive account: one message for
    all) or ``locked`` (too many failures from this address)."""
    identifier = (identifier or "").strip()
    password = password or ""
    user = find_login_user(identifier)
    throttle = Throttle.for_request(request, user=user, identifier=identifier)
    lock = throttle.locked()
    if lock is not None:
        _login_failed(
            request=request, user=user, identifier=identifier, method="password", reason="locked"
        )
        raise ValidationError(locked_message(lock), code="locked")

    if user is None:
        # As long as checking a real password takes (django.contrib.auth.backends).
        User().set_password(password)
        reason = "unknown_account"
    elif not user.check_password(password):
        reason = "wrong_password"
    elif not user.is_active:
        reason = "inactive"
    else:
        reason = None

    if reason is not None:
        failure = throttle.fail()
        _login_failed(
            request=request, user=user, identifier=identifier, method="password", reason=reason
        )
        if failure.lock is not None:
            _audit(
                events.LOCKED_OUT,
                request=request,
                user=user,
                seconds=failure.lock.seconds,
                address_wide=failure.lock.address_wide,
                lockouts=failure.lockouts,
                **({} if user else {"identifier": _masked_identifier(identifier)}),
            )
            raise ValidationError(locked_message(failure.lock), code="locked")
        raise ValidationError(INVALID_LOGIN, code="invalid_login")

    throttle.succeed()
    if not requires_second_factor(user):
        # Staff are not logged in yet: their second-factor step audits the login.
        _audit(
            events.LOGIN,
            request=request,
            user=user,
            method="password",
            identifier_kind=_identifier_kind(identifier),
        )
    return user


def _send_code_if_verified(*, mobile, purpose):
    """Text a ``purpose`` code to ``mobile`` if it is an account's verified mobile. For any
    other number nothing is sent, with the same answers (including "too frequent"), so the
    form does not tell who has an account."""
    mobile = (mobile or "").strip()
    if not mobile:
        raise ValidationError({"mobile": "请填写手机号码。"})
    check_mobile(mobile)
    if _verified_user(mobile) is not None:
        sms_codes.send_code(mobile=mobile, purpose=purpose)
    elif not cache.add(f"accounts:sms-decoy:{purpose}:{mobile}", 1, sms_codes.RESEND_SECONDS):
        raise ValidationError(
            f"验证码发送太频繁，请 {sms_codes.RESEND_SECONDS} 秒后再试。", code="sms_too_frequent"
        )
    return mobile


def send_login_code(*, mobile):
    """Text a login code to ``mobile`` (when an account has it verified)."""
    return _send_code_if_verified(mobile=mobile, purpose="login")


def send_recovery_code(*, mobile):
    """Text a password-reset code to ``mobile`` (when an account has it verified)."""
    return _send_code_if_verified(mobile=mobile, purpose="recover")


def _check_code(*, mobile, purpose, code):
    try:
        sms_codes.check_code(mobile=mobile, purpose=purpose, code=code)
    except ValidationError as exc:
        # On the code field, keeping the reason (sms_code_wrong, sms_code_expired...).
        raise ValidationError({"code": exc.error_list}) from exc


def log_in_with_sms_code(*, request, mobile, code):
    """Check a login code texted to a verified mobile and return its account. Works while
    password login is locked, and clears the lock of this (account, address) pair. Raises
    ``ValidationError`` (on ``mobile`` or ``code``)."""
    mobile = (mobile or "").strip()
    if not mobile:
        raise ValidationError({"mobile": "请填写手机号码。"})
    check_mobile(mobile)
    user = _verified_user(mobile)
    try:
        # No code was ever sent to a number no account has: it fails as "expired".
        _check_code(mobile=mobile, purpose="login", code=code)
    except ValidationError as exc:
        _login_failed(
            request=request,
            user=user,
            identifier=mobile,
            method="sms",
            reason=exc.error_dict["code"][0].code or "sms_code_wrong",
        )
        raise
    if user is None:
        # Unreachable in practice: no code is ever sent to such a number.
        raise ValidationError({"code": "验证码已过期或不存在，请重新获取。"})
    if not user.is_active:
        _login_failed(
            request=request, user=user, identifier=mobile, method="sms", reason="inactive"
        )
        raise ValidationError("该账号已停用，请联系客服。", code="inactive")
    Throttle.for_request(request, user=user).succeed()
    if not requires_second_factor(user):
        _audit(events.LOGIN, request=request, user=user, method="sms", mobile=mask_mobile(mobile))
    return user


def log_in_by_sso(*, request, user, otp_device=None):
    """Log ``user`` in on this host with a ticket from the identity host (accounts/sso.py
    checked it), carrying over the second factor the identity session passed."""
    django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if otp_device is not None:
        from django_otp import login as otp_login

        otp_login(request, otp_device)
    _audit(events.SSO_LOGIN, request=request, user=user, host=request.get_host())
    return user


def revoke_oauth_tokens(user):
    """End every OpenID Connect/OAuth grant of ``user``: pending authorization codes, access
    and ID tokens deleted, refresh tokens revoked. Returns the counts."""
    from oauth2_provider.models import (
        get_access_token_model,
        get_grant_model,
        get_id_token_model,
        get_refresh_token_model,
    )

    refresh = get_refresh_token_model().objects.filter(user=user, revoked__isnull=True)
    refreshed = refresh.update(revoked=timezone.now(), access_token=None)
    access, _ = get_access_token_model().objects.filter(user=user).delete()
    get_id_token_model().objects.filter(user=user).delete()
    get_grant_model().objects.filter(user=user).delete()
    return {"access_tokens": access, "refresh_tokens": refreshed}


def _end_every_session(user):
    # F(): two "log out everywhere" at once both count; every session hash changes.
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    return revoke_oauth_tokens(user)


def log_out(*, request):
    """End this session only (this browser on this host)."""
    user = request.user
    if user.is_authenticated:
        _audit(events.LOGOUT, request=request, user=user, scope="device")
    django_logout(request)


def log_out_everywhere(*, user, request=None):
    """End every session of ``user`` on every host of the site group (their session hash
    includes ``session_generation``) and revoke their OAuth tokens; with ``request``, the
    current session is flushed too."""
    with transaction.atomic():
        counts = _end_every_session(user)
        record(
            action=events.LOGOUT_EVERYWHERE,
            actor=user,
            obj=user,
            request=request,
            detail=_address_detail(request, counts),
        )
    if request is not None:
        django_logout(request)


def _new_password_errors(password, user):
    """Every complaint about a new password, as one message (one error per field keeps
    the page's aria-describedby ids unique)."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def register_natural_person(
    *, username, mobile, code, password, name="", id_number="", request=None
):
    """Create a natural person's account with a verified mobile (real-name level 2), and,
    when given, their real name and resident ID number (stored encrypted), in one
    transaction. The code is the one texted for ``register``. The view logs the new account
    in (its login row is written here). Raises ``ValidationError`` with every field's
    problems in Chinese; nothing is written then."""
    username = (username or "").strip()
    mobile = (mobile or "").strip()
    name = (name or "").strip()
    id_number = (id_number or "").strip()
    errors = {}

    if not username:
        errors["username"] = ["请填写用户名。"]
    elif not USERNAME_RE.match(username):
        errors["username"] = ["用户名应为 4 至 30 位字母、数字或下划线，并以字母开头。"]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["该用户名已被使用，请换一个。"]

    try:
        check_registration_mobile(mobile)
    except ValidationError as exc:
        errors.update(exc.message_dict)

    number = ""
    if id_number:
        try:
            number = normalize_id_number(id_number)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            if User.objects.filter(id_number_digest=id_number_digest(number)).exists():
                errors["id_number"] = ["该身份证号码已注册，请直接登录或找回密码。"]
        if not name:
            errors["name"] = ["登记身份证号码时请填写真实姓名。"]

    user = User(
        username=username,
        kind=UserKind.NATURAL,
        display_name=name,
        mobile=mobile,
        real_name_level=RealNameLevel.PHONE,
    )
    if message := _new_password_errors(password or "", user):
        errors["password"] = [message]
    if errors:
        raise ValidationError(errors)

    # Last, so that a mistake elsewhere does not use the code up.
    _check_code(mobile=mobile, purpose="register", code=code)

    user.mobile_verified_at = timezone.now()
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            record(
                action=events.REGISTERED,
                actor=user,
                obj=user,
                request=request,
                detail=_address_detail(
                    request,
                    {"username": username, "kind": UserKind.NATURAL, "mobile": mask_mobile(mobile)},
                ),
            )
            record(
                action=events.MOBILE_VERIFIED,
                actor=user,
                obj=user,
                request=request,
                detail={"mobile": mask_mobile(mobile), "level": user.real_name_level},
            )
            record(
                action=events.LOGIN,
                actor=user,
                obj=user,
                request=request,
                detail=_address_detail(request, {"method": "registration"}),
            )
            if number:
                set_id_number(
                    user=user, id_number=number, name=name, acting_user=user, request=request
                )
    except IntegrityError as exc:
        # Someone else took the name, mobile or number between the checks and the write.
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": "该用户名已被使用，请换一个。"}) from exc
        if _verified_user(mobile) is not None:
            raise ValidationError({"mobile": "该手机号码已注册，请直接登录或找回密码。"}) from exc
        raise ValidationError({"id_number": "该身份证号码已注册，请直接登录或找回密码。"}) from exc
    return user


def check_registration_mobile(mobile):
    """A mobile a new account may register with, or ``ValidationError`` on ``mobile``."""
    mobile = (mobile or "").strip()
    if not mobile:
        raise ValidationError({"mobile": "请填写手机号码。"})
    check_mobile(mobile)
    if _verified_user(mobile) is not None:
        raise ValidationError({"mobile": "该手机号码已注册，请直接登录或找回密码。"})
    return mobile


def send_registration_code(*, mobile):
    """Text a registration code to a mobile no account has verified yet."""
    mobile = check_registration_mobile(mobile)
    sms_codes.send_code(mobile=mobile, purpose="register")
    return mobile


def change_password(*, user, old_password, new_password, request=None):
    """Change ``user``'s password after checking the old one (failures count towards the
    lockout of password login, so a borrowed session cannot guess it). Every other
    session of the user ends (its hash covers the password); the view keeps the current
    one with ``update_session_auth_hash``."""
    throttle = Throttle.for_request(request, user=user) if request is not None else None
    if throttle is not None and (lock := throttle.locked()) is not None:
        raise ValidationError({"old_password": locked_message(lock)}, code="locked")
    if not user.check_password(old_password or ""):
        lock = throttle.fail().lock if throttle is not None else None
        _audit(
            events.LOGIN_FAILED,
            request=request,
            user=user,
            method="password_change",
            reason="wrong_password",
        )
        if lock is not None:
            raise ValidationError({"old_password": locked_message(lock)}, code="locked")
        raise ValidationError({"old_password": "原密码不正确。"}, code="wrong_password")
    if message := _new_password_errors(new_password or "", user):
        raise ValidationError({"new_password1": message})
    user.set_password(new_password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        record(
            action=events.PASSWORD_CHANGED,
            actor=user,
            obj=user,
            request=request,
            detail=_address_detail(request, {"method": "change"}),
        )
    return user


def reset_password_with_sms_code(*, mobile, code, new_password, request=None):
    """Set a new password for the account whose verified mobile got the ``recover`` code.
    Works while password login is locked, clears this address's lock of the account, and
    ends every session and OAuth token of the account (whoever knew the old password is
    out). Raises ``ValidationError``; the code is not used up by a weak password."""
    mobile = (mobile or "").strip()
    if not mobile:
        raise ValidationError({"mobile": "请填写手机号码。"})
    check_mobile(mobile)
    user = _verified_user(mobile)
    probe = user or User(mobile=mobile)
    if message := _new_password_errors(new_password or "", probe):
        raise ValidationError({"new_password1": message})
    _check_code(mobile=mobile, purpose="recover", code=code)
    if user is None:
        # Unreachable in practice: no code is ever sent to such a number.
        raise ValidationError({"code": "验证码已过期或不存在，请重新获取。"})
    user.set_password(new_password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        counts = _end_every_session(user)
        record(
            action=events.PASSWORD_CHANGED,
            actor=user,
            obj=user,
            request=request,
            detail=_address_detail(request, {"method": "sms_reset", **counts}),
        )
    if request is not None:
        Throttle.for_request(request, user=user).succeed()
    return user
