"""Masking personal identifiers before they reach logs, audit rows or pages."""


def mask_mobile(value):
    """``13812345678`` → ``138****5678``; short or empty values are masked whole."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_code(value, *, keep=4):
    """Keep the last ``keep`` characters of an identifier (ID number, credit code)."""
    value = (value or "").strip()
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]
