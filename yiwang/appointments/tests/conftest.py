from .kit import kit  # noqa: F401
