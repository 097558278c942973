"""Reads of accounts that cross a permission line, and what other apps ask of a user."""

from django.db.models import Q
from django.utils import timezone

from .actions.identity import id_number_digest, normalize_id_number
from .models import AgentAuthorization, RealNameLevel, User

# How a user stands towards a legal person they act for.
ROLE_ADMINISTRATOR = "administrator"
ROLE_AGENT = "agent"


def find_by_id_number(id_number):
    """The natural person holding ``id_number`` (by its keyed hash), or ``None``. Raises
    ``ValidationError`` for a malformed number."""
    number = normalize_id_number(id_number)
    return User.objects.filter(id_number_digest=id_number_digest(number)).first()


def real_name_level(user):
    """The real-name level service items compare with their minimum (0 when anonymous)."""
    if user is None or not user.is_authenticated:
        return 0
    return user.real_name_level


def meets_level(user, minimum):
    return real_name_level(user) >= RealNameLevel(minimum)


def acting_role(user, legal_person, *, at=None, own_account_counts=False):
    """How ``user`` may act for ``legal_person`` at ``at`` (now): ``ROLE_ADMINISTRATOR`` for
    its administrator (法人管理员), ``ROLE_AGENT`` for an agent with a live (not revoked, not
    expired) authorization, else ``None``.

    The legal person's own account (a ``UserKind.LEGAL`` user linked to it) counts as its
    administrator only when ``own_account_counts``: OpenID Connect logins of that account
    speak for the company, while switching "to act for a company" is for natural persons."""
    if user is None or legal_person is None:
        return None
    if not user.is_authenticated or not user.is_active:
        return None
    if own_account_counts and user.legal_person_id == legal_person.pk:
        return ROLE_ADMINISTRATOR
    if legal_person.administrator_id is not None and legal_person.administrator_id == user.pk:
        return ROLE_ADMINISTRATOR
    at = at or timezone.now()
    live = (
        AgentAuthorization.objects.filter(
            legal_person=legal_person, agent=user, revoked_at__isnull=True
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        .exists()
    )
    return ROLE_AGENT if live else None
