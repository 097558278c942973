"""Masking a rater's name on public pages: the family name stays, the rest is hidden."""


def mask_name(value):
    """``张三`` → ``张*``, ``欧阳修`` → ``欧**``; empty → ``匿名用户``."""
    value = (value or "").strip()
    if not value:
        return "匿名用户"
    if len(value) == 1:
        return "*"
    return value[0] + "*" * (len(value) - 1)
