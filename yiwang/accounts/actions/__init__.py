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
from .staff import create_staff_user

__all__ = [
    "authorize_agent",
    "create_staff_user",
    "reveal_id_number",
    "revoke_agent",
    "send_mobile_code",
    "set_id_number",
    "verify_identity_at_counter",
    "verify_mobile",
]
