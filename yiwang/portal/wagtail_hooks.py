# Wagtail loads only this module of an app; each subject keeps its hooks in its own module.
from . import editorial_hooks, migration_hooks  # noqa: F401
