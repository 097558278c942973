"""The name a citizen's comment or question carries on public pages: the family name and
two stars whatever the name's length (张三 and 欧阳修 both hide how long they are), or
匿名网友. Worked out when the text is written and stored, so no page ever reads the
account's name."""

from .constants import ANONYMOUS_NAME


def masked_name(value):
    """``张三`` → ``张**``; empty → ``匿名网友``."""
    value = (value or "").strip()
    if not value:
        return ANONYMOUS_NAME
    return value[0] + "**"


def public_name(user, *, anonymous):
    if anonymous or user is None:
        return ANONYMOUS_NAME
    return masked_name(getattr(user, "display_name", "") or "")
