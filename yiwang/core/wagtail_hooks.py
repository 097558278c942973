from wagtail.snippets.models import register_snippet

from .viewsets import AuditEventViewSet

register_snippet(AuditEventViewSet)
