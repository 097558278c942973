"""Uploaded files: content checks, private storage, scanning (CONTRACT — owner: helper
"forms")."""


def check(upload, *, max_bytes=None):
    """Check an ``UploadedFile`` by its content: allowed types (PDF, JPEG, PNG, OFD, DOCX,
    XLSX …, recognised by magic numbers — never by the name or the browser's type), size at
    most ``max_bytes`` (``settings.HALL_UPLOAD_MAX_BYTES``), not empty. Returns
    ``(content_type, sha256)``; raises ``ValidationError`` in Chinese."""
    raise NotImplementedError


def scan(upload):
    """Run the configured scanner (``scanning.get_scanner()``) on the upload; returns a
    ``scanning.ScanResult``."""
    raise NotImplementedError


def file_response(fieldfile, *, filename, content_type, inline=False):
    """A ``FileResponse`` for a private file (attachment unless ``inline``, nosniff, no
    caching by shared caches). Callers check access first."""
    raise NotImplementedError
