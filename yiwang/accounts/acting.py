"""Acting for a legal person (以该企业身份办事).

The personal centre's switch stores the legal person's id in the session under
``SESSION_KEY``. Nothing trusts that value as it stands: ``acting_legal_person(request)``
checks it again on every use (the user must still be the legal person's administrator or
hold a live authorization) and drops a stale value, so revoking or letting an authorization
expire ends the acting at the next request.

Callers of ``yiwang.core.audit.record`` pass ``on_behalf_of=on_behalf_of_label(request)`` so
that an agent's actions read "经办人 张三 代表 某某公司" in the audit log.
"""

from .actions import legal as legal_actions
from .models import LegalPerson

SESSION_KEY = "acting_legal_person_id"


def acting_legal_person(request):
    """The ``LegalPerson`` the request's user acts for now, or ``None``. A value the user may
    no longer act for (authorization revoked or expired, user logged out) is removed from
    the session."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    pk = session.get(SESSION_KEY)
    if pk is None:
        return None
    user = getattr(request, "user", None)
    legal_person = LegalPerson.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if legal_person is None or not legal_actions.may_act_for(user, legal_person):
        session.pop(SESSION_KEY, None)
        return None
    return legal_person


def on_behalf_of_label(request):
    """The audit log's "on behalf of" text for the request: "经办人 张三 代表 某某公司" while
    the user acts for a legal person, otherwise ``""``."""
    legal_person = acting_legal_person(request)
    if legal_person is None:
        return ""
    return legal_actions.acting_label(request.user, legal_person)


def start_acting(request, legal_person):
    """Act for ``legal_person`` from now on (audited). Raises ``PermissionDenied`` unless the
    user is its administrator or holds a live authorization."""
    legal_actions.start_acting(acting_user=request.user, legal_person=legal_person, request=request)
    request.session[SESSION_KEY] = legal_person.pk


def stop_acting(request):
    """Act as oneself again; returns the legal person acted for until now (or ``None``)."""
    legal_person = acting_legal_person(request)
    request.session.pop(SESSION_KEY, None)
    if legal_person is not None:
        legal_actions.stop_acting(
            acting_user=request.user, legal_person=legal_person, request=request
        )
    return legal_person
