"""Audit action names of the service catalog (``AuditEvent.action``)."""

IMPLEMENTATION_PUBLISHED = "catalog.implementation_published"
IMPLEMENTATION_SUSPENDED = "catalog.implementation_suspended"
IMPLEMENTATION_CANCELLED = "catalog.implementation_cancelled"
IMPLEMENTATION_RESUMED = "catalog.implementation_resumed"
CATALOG_IMPORTED = "catalog.imported"
