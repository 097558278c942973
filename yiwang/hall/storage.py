"""The hall's case files live in the platform's private storage (``yiwang.core.storage``)."""

from yiwang.core.storage import PrivateStorage  # noqa: F401
