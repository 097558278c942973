"""Encryption of sensitive personal data in the database, and the keyed hash it is found by.

Values are encrypted with AES-256-GCM under ``settings.FIELD_ENCRYPTION_KEY`` and stored as
text ``v1:<base64 of nonce + ciphertext + tag>``; the version prefix leaves room to rotate
the key later. The keyed hash (HMAC-SHA256 under ``settings.LOOKUP_HASH_KEY``) finds a
record by its value without decrypting every row, and reveals nothing without the key.
"""

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1:"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted: wrong key, or the value was altered."""


def _key(value, name):
    try:
        key = base64.b64decode(value, validate=True)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{name} must be 32 bytes in base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must be 32 bytes in base64, not {len(key)} bytes")
    return key


def encrypt(plaintext, *, context=""):
    """Encrypt ``plaintext`` (str). ``context`` (e.g. the field's name) is bound to the
    ciphertext as associated data, so a value copied into another field will not decrypt."""
    key = _key(settings.FIELD_ENCRYPTION_KEY, "YIWANG_FIELD_ENCRYPTION_KEY")
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token, *, context=""):
    if not token.startswith(PREFIX):
        raise DecryptionError("unknown format")
    key = _key(settings.FIELD_ENCRYPTION_KEY, "YIWANG_FIELD_ENCRYPTION_KEY")
    raw = base64.b64decode(token[len(PREFIX) :])
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()
    except InvalidTag as exc:
        raise DecryptionError("the value does not decrypt under the configured key") from exc


def lookup_hash(value, *, context=""):
    """The keyed hash a value is looked up by (hex, 64 characters)."""
    key = _key(settings.LOOKUP_HASH_KEY, "YIWANG_LOOKUP_HASH_KEY")
    return hmac.new(key, f"{context}\0{value}".encode(), hashlib.sha256).hexdigest()
