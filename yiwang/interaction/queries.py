"""Reads of 政民互动's public pages (``views.py``).

A portal's messages are those written on it, and those of its region that came in through
no portal (12345 work orders, Open311 requests): the hotline of another county never shows
here. The public sees only published messages, and of them only the public texts
(``public_title``, ``public_body``, ``public_reply``) and the department; the writer sees
their own message after logging in as its writer or giving its query code
(``find_for_follow_up``).
"""

from dataclasses import dataclass

from django.db.models import Q

from yiwang.orgs.models import Department
from yiwang.portal.models import LeaderPage

from . import figures, numbers
from .constants import WRITER_EVENTS, Kind, ReplyState
from .models import Message

MAX_KEYWORD = 100
# Kinds the public writes on a portal, in the order the index offers them (error reports
# have their own page, linked from every page's footer).
WRITABLE_KINDS = (
    Kind.MAILBOX,
    Kind.CONSULTATION,
    Kind.COMPLAINT,
    Kind.REPORT,
    Kind.SUGGESTION,
    Kind.PRAISE,
    Kind.HELP,
)


def portal_messages(portal):
    """Every message of ``portal`` (a ``PortalHomePage``): written on it, or of its region
    and written on no portal."""
    condition = Q(portal=portal)
    if portal.region_id is not None:
        condition |= Q(portal__isnull=True, region_id=portal.region_id)
    return Message.objects.filter(condition)


def published(portal):
    return (
        portal_messages(portal)
        .filter(is_published=True)
        .select_related("department")
        .order_by("-published_at", "-pk")
    )


def keywords(text):
    """The words of a search box, at most ``MAX_KEYWORD`` characters."""
    return (text or "").strip()[:MAX_KEYWORD].split()


def search_published(portal, *, q="", kind="", department_id=None):
    """Published messages of ``portal`` whose public title, body or reply contain every
    word of ``q``, of ``kind`` and answered by ``department_id`` when given."""
    rows = published(portal)
    for word in keywords(q):
        rows = rows.filter(
            Q(public_title__icontains=word)
            | Q(public_body__icontains=word)
            | Q(public_reply__icontains=word)
        )
    if kind:
        rows = rows.filter(kind=kind)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    return rows


def published_departments(portal):
    """The departments that answered a published message of ``portal`` (the list's filter)."""
    ids = published(portal).exclude(department__isnull=True).values("department_id")
    return Department.objects.filter(pk__in=ids).order_by("name")


def published_message(portal, number):
    """The published message ``number`` of ``portal``, or None."""
    return published(portal).filter(number=number).first()


@dataclass(frozen=True)
class DepartmentFigures:
    department_id: int
    name: str
    figures: figures.Figures


def portal_figures(portal):
    """``(rows, total)``: the reply figures of every department that has messages of
    ``portal`` (published or not; invalid ones are not counted), and of all of them."""
    messages = portal_messages(portal)
    rows = [
        DepartmentFigures(department_id=pk, name=name, figures=result)
        for pk, name, result in figures.by_department(messages)
    ]
    return rows, figures.of(messages)


def leaders(portal):
    """The leaders (领导之窗) of ``portal`` a letter to the mailbox may be addressed to."""
    return LeaderPage.objects.live().public().descendant_of(portal).order_by("path")


# The writer's side ------------------------------------------------------------------------


def find_for_follow_up(number, code):
    """The message ``number`` when ``code`` is its query code, else None (an unknown number
    and a wrong code look the same)."""
    number = "".join((number or "").split())
    message = Message.objects.filter(number=number).first() if number else None
    if message is None:
        # The same work as a real check, so that timing does not tell numbers apart.
        numbers.query_code_hash(number, code)
        return None
    return message if numbers.matches(message, code) else None


def follow_up_message(number):
    return (
        Message.objects.select_related("department", "category", "leader", "portal")
        .filter(number=number)
        .first()
    )


def writer_messages(user):
    """The messages ``user`` wrote, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    return Message.objects.filter(writer=user).select_related("department")


def writer_timeline(message):
    """The events the writer sees (``WRITER_EVENTS``), oldest first."""
    return message.events.filter(kind__in=WRITER_EVENTS).select_related(
        "to_department", "from_department"
    )


def sent_replies(message):
    """The official replies the writer received (a reopened message may have two)."""
    return message.replies.filter(state=ReplyState.SENT).select_related("department")
