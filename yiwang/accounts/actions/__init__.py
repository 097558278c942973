"""Every write to accounts, one module per subject. Import from here:
``from yiwang.accounts.actions import authorize_agent``.

Each action checks who may do it, validates, writes in one transaction together with its
audit row (personal data writes are always audited), and raises ``ValidationError`` or
``PermissionDenied`` with a Chinese message before writing anything.
"""

from .agents import authorize_agent, revoke_agent
from .identity import (
    reveal_id_number,
    send_mobile_code,
    set_id_number,
    verify_identity_at_counter,
    verify_mobile,
)
from .legal import register_legal_person, start_acting, stop_acting
from .login import (
    change_password,
    log_in_by_sso,
    log_in_with_password,
    log_in_with_sms_code,
    log_out,
    log_out_everywhere,
    register_natural_person,
    reset_password_with_sms_code,
    send_login_code,
    send_recovery_code,
    send_registration_code,
)
from .roles import grant_admin_role, revoke_admin_role
from .second_factor import (
    complete_second_factor_login,
    confirm_enrolment,
    reset_second_factor,
    verify_second_factor,
)
from .staff import create_staff_user

__all__ = [
    "authorize_agent",
    "change_password",
    "complete_second_factor_login",
    "confirm_enrolment",
    "create_staff_user",
    "grant_admin_role",
    "log_in_by_sso",
    "log_in_with_password",
    "log_in_with_sms_code",
    "log_out",
    "log_out_everywhere",
    "register_legal_person",
    "register_natural_person",
    "reset_password_with_sms_code",
    "reset_second_factor",
    "reveal_id_number",
    "revoke_admin_role",
    "revoke_agent",
    "send_login_code",
    "send_mobile_code",
    "send_recovery_code",
    "send_registration_code",
    "set_id_number",
    "start_acting",
    "stop_acting",
    "verify_identity_at_counter",
    "verify_mobile",
    "verify_second_factor",
]
