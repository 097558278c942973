"""Uploaded files: content checks, private storage, scanning (CONTRACT — owner: helper
"forms").

The type of a file comes from its bytes only (``filetype`` plus our own checks of the
container formats), never from its name or the browser's ``Content-Type``. Files are stored
with ``models.private_storage`` (no URL) and served through ``file_response`` after the
caller's access check."""

import hashlib
import zipfile

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse

from . import scanning

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
OFD = "application/ofd"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ALLOWED_TYPES = {
    PDF: "PDF",
    OFD: "OFD",
    JPEG: "JPEG",
    PNG: "PNG",
    TIFF: "TIFF",
    DOCX: "Word（DOCX）",
    XLSX: "Excel（XLSX）",
}
# Extensions for the file input's ``accept`` hint (the server still checks content).
ACCEPT = ".pdf,.ofd,.jpg,.jpeg,.png,.tif,.tiff,.docx,.xlsx"
# Types a browser may show inline without risk of running content.
INLINE_TYPES = frozenset({PDF, JPEG, PNG})

SCAN_UNAVAILABLE_MESSAGE = "暂时无法完成安全扫描，请稍后再试。"
INFECTED_MESSAGE = "文件未通过安全扫描（发现恶意代码），已拒收。"
TYPE_MESSAGE = (
    "不支持此文件类型。请上传 "
    + "、".join(ALLOWED_TYPES.values())
    + " 文件。系统按文件内容识别类型，修改扩展名无效。"
)

_MAGIC = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)
_SIMPLE_TYPES = {mime for _, mime in _MAGIC}
_ZIP_MAGIC = b"PK\x03\x04"
_HEADER_BYTES = 8192


def _megabytes(n):
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _zip_type(upload):
    """OFD, DOCX or XLSX by the members of the zip; None for any other zip (macro-enabled
    Office files included)."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            return DOCX
        if any(name.startswith("xl/") for name in names):
            return XLSX
    return None


def detect_type(upload):
    """The allowed content type of the file's bytes, or None."""
    upload.seek(0)
    header = upload.read(_HEADER_BYTES)
    upload.seek(0)
    if header.startswith(_ZIP_MAGIC):
        return _zip_type(upload)
    ours = next((mime for magic, mime in _MAGIC if header.startswith(magic)), None)
    guessed = filetype.guess(header)
    # Both must agree: our magic numbers, and filetype's wider view of what the bytes are.
    if ours is not None and guessed is not None and guessed.mime == ours:
        return ours
    return None


def check(upload, *, max_bytes=None):
    """Check an ``UploadedFile`` by its content: allowed types (PDF, JPEG, PNG, OFD, DOCX,
    XLSX …, recognised by magic numbers — never by the name or the browser's type), size at
    most ``max_bytes`` (``settings.HALL_UPLOAD_MAX_BYTES``), not empty. Returns
    ``(content_type, sha256)``; raises ``ValidationError`` in Chinese."""
    max_bytes = max_bytes or settings.HALL_UPLOAD_MAX_BYTES
    size = upload.size
    if not size:
        raise ValidationError("文件是空的，请检查后重新选择。", code="empty")
    if size > max_bytes:
        raise ValidationError(
            f"文件过大：单个文件不能超过 {_megabytes(max_bytes)} MB，"
            f"此文件约 {_megabytes(size)} MB。请压缩或拆分后再上传。",
            code="too_large",
        )
    content_type = detect_type(upload)
    if content_type is None:
        raise ValidationError(TYPE_MESSAGE, code="file_type")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


def scan(upload):
    """Run the configured scanner (``scanning.get_scanner()``) on the upload; returns a
    ``scanning.ScanResult``."""
    try:
        return scanning.get_scanner().scan(upload)
    except Exception as error:  # a broken scanner must refuse the file, not raise a 500
        return scanning.ScanResult(
            scanning.ScanStatus.ERROR, f"扫描出错：{type(error).__name__}"[:200]
        )
    finally:
        upload.seek(0)


def check_and_scan(upload, *, max_bytes=None):
    """``check`` then ``scan``, refusing an infected file or one the scanner could not
    scan (``ValidationError`` in Chinese). Returns ``(content_type, sha256, ScanResult)``."""
    content_type, sha256 = check(upload, max_bytes=max_bytes)
    result = scan(upload)
    if result.status == scanning.ScanStatus.INFECTED:
        raise ValidationError(INFECTED_MESSAGE, code="infected")
    if not result.acceptable:
        raise ValidationError(SCAN_UNAVAILABLE_MESSAGE, code="scan_error")
    return content_type, sha256, result


def file_response(fieldfile, *, filename, content_type, inline=False):
    """A ``FileResponse`` for a private file (attachment unless ``inline``, nosniff, no
    caching by shared caches). Callers check access first. ``inline`` is honoured only for
    PDF and images; the file name is sent as RFC 5987 UTF-8."""
    inline = inline and content_type in INLINE_TYPES
    handle = fieldfile.storage.open(fieldfile.name, "rb")
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
