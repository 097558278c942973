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


def mask_id_number(value):
    """``330106199001011234`` → ``3301**********1234``: the province and city of issue and
    the last four characters, as Chinese platforms show it."""
    value = (value or "").strip()
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"
