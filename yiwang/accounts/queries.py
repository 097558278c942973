"""Reads of accounts that cross a permission line, and what other apps ask of a user."""

from .actions.identity import id_number_digest, normalize_id_number
from .models import RealNameLevel, User


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
