"""Masking personal identifiers before they reach logs, audit rows or pages."""

import ipaddress


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


def mask_address(value):
    """``192.168.3.7`` → ``192.168.*.*``; IPv6 keeps its first two groups."""
    if not value:
        return ""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return "*"
    if address.version == 4:
        first, second, *_ = str(address).split(".")
        return f"{first}.{second}.*.*"
    groups = address.exploded.split(":")
    return f"{int(groups[0], 16):x}:{int(groups[1], 16):x}:*"
