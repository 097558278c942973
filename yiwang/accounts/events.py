"""The audit actions of accounts, one name per kind of event (AuditEvent.action).

The personal centre's login history reads the LOGIN_HISTORY ones back."""

LOGIN = "accounts.login"
LOGIN_FAILED = "accounts.login_failed"
LOCKED_OUT = "accounts.locked_out"
LOGOUT = "accounts.logout"
LOGOUT_EVERYWHERE = "accounts.logout_everywhere"
SSO_LOGIN = "accounts.sso_login"
PASSWORD_CHANGED = "accounts.password_changed"
REGISTERED = "accounts.registered"
MOBILE_VERIFIED = "accounts.mobile_verified"
ID_NUMBER_SET = "accounts.id_number_set"
ID_NUMBER_VIEWED = "accounts.id_number_viewed"
IDENTITY_VERIFIED = "accounts.identity_verified"
SECOND_FACTOR_ENROLLED = "accounts.second_factor_enrolled"
SECOND_FACTOR_FAILED = "accounts.second_factor_failed"
SECOND_FACTOR_RESET = "accounts.second_factor_reset"
AUTHORIZATION_DENIED = "accounts.authorization_denied"
LEGAL_PERSON_REGISTERED = "accounts.legal_person_registered"
ROLE_GRANTED = "accounts.role_granted"
ROLE_REVOKED = "accounts.role_revoked"

LOGIN_HISTORY = (
    LOGIN,
    LOGIN_FAILED,
    LOCKED_OUT,
    LOGOUT,
    LOGOUT_EVERYWHERE,
    SSO_LOGIN,
    PASSWORD_CHANGED,
    SECOND_FACTOR_FAILED,
)

# Personal centre, legal persons and the service-centre counter (docs/identity.md).
ID_NUMBER_LOOKUP = "accounts.id_number_lookup"
MOBILE_LOOKUP = "accounts.mobile_lookup"
ACTING_STARTED = "accounts.acting_started"
ACTING_STOPPED = "accounts.acting_stopped"
