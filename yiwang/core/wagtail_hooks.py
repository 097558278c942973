from wagtail.snippets.models import register_snippet

from . import calendar_hooks  # noqa: F401  (registers its hooks on import)
from .viewsets import AuditEventViewSet

register_snippet(AuditEventViewSet)
