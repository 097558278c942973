"""Uploads are typed by their bytes (never by name or browser type), size-limited, scanned,
stored privately and served as attachments that nothing caches or sniffs."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from fpdf import FPDF
from PIL import Image

from yiwang.hall import scanning, uploads
from yiwang.hall.constants import ScanStatus
from yiwang.hall.models import CaseMaterial, private_storage


def image_bytes(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def pdf_bytes(text="hello"):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def docx_bytes():
    return zip_bytes(
        {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": "<r/>", "word/document.xml": "<w/>"}
    )


def xlsx_bytes():
    return zip_bytes(
        {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": "<r/>", "xl/workbook.xml": "<x/>"}
    )


def ofd_bytes():
    return zip_bytes({"OFD.xml": "<ofd:OFD/>", "Doc_0/Document.xml": "<ofd:Document/>"})


def exe_bytes():
    header = bytearray(b"MZ" + b"\x90\x00" * 29 + b"\x00" * 2)
    header[0x3C:0x40] = (0x80).to_bytes(4, "little")
    return bytes(header) + b"\x00" * (0x80 - len(header)) + b"PE\x00\x00" + b"\x00" * 200


def upload(name, content, browser_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=browser_type)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("申请书.pdf", pdf_bytes(), uploads.PDF),
        ("photo.jpg", image_bytes("JPEG"), uploads.JPEG),
        ("photo.png", image_bytes("PNG"), uploads.PNG),
        ("scan.tif", image_bytes("TIFF"), uploads.TIFF),
        ("合同.docx", docx_bytes(), uploads.DOCX),
        ("清单.xlsx", xlsx_bytes(), uploads.XLSX),
        ("电子证照.ofd", ofd_bytes(), uploads.OFD),
        # The name does not matter: a PNG called .pdf is a PNG.
        ("证明.pdf", image_bytes("PNG"), uploads.PNG),
        ("noextension", pdf_bytes(), uploads.PDF),
    ],
)
def test_allowed_types_recognised_by_content(name, content, expected):
    file = upload(name, content, browser_type="application/octet-stream")
    content_type, sha256 = uploads.check(file)
    assert content_type == expected
    import hashlib

    assert sha256 == hashlib.sha256(content).hexdigest()
    assert file.tell() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("申请书.pdf", exe_bytes()),
        ("申请书.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        ("材料.zip", zip_bytes({"a.txt": "hello"})),
        (
            "宏.docx",
            zip_bytes(
                {
                    "[Content_Types].xml": CONTENT_TYPES,
                    "word/document.xml": "<w/>",
                    "word/vbaProject.bin": "macro",
                }
            ),
        ),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 100),
        ("note.txt", "纯文本文件".encode()),
        ("anim.gif", image_bytes("GIF")),
        ("fake.pdf", b"xx%PDF-1.4 not at the start"),
    ],
)
def test_other_content_is_refused_whatever_the_name(name, content):
    with pytest.raises(ValidationError) as caught:
        uploads.check(upload(name, content))
    assert caught.value.code == "file_type"
    assert "不支持此文件类型" in caught.value.messages[0]
    assert "修改扩展名无效" in caught.value.messages[0]


def test_empty_and_too_large_files_are_refused(settings):
    with pytest.raises(ValidationError) as caught:
        uploads.check(upload("empty.pdf", b""))
    assert caught.value.messages == ["文件是空的，请检查后重新选择。"]

    content = pdf_bytes() + b"\n%" + b"x" * (1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        uploads.check(upload("big.pdf", content), max_bytes=1024 * 1024)
    assert caught.value.code == "too_large"
    assert "不能超过 1 MB" in caught.value.messages[0]

    settings.HALL_UPLOAD_MAX_BYTES = 512 * 1024
    with pytest.raises(ValidationError) as caught:
        uploads.check(upload("big.pdf", content))
    assert "不能超过 0.5 MB" in caught.value.messages[0]
    assert "约 1.0 MB" in caught.value.messages[0]

    settings.HALL_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    assert uploads.check(upload("big.pdf", content))[0] == uploads.PDF


def test_temporary_uploaded_files_are_checked_too():
    file = TemporaryUploadedFile("large.docx", "application/octet-stream", 0, None)
    content = docx_bytes()
    file.write(content)
    file.size = len(content)
    file.seek(0)
    try:
        assert uploads.check(file)[0] == uploads.DOCX
    finally:
        file.close()


def test_scan_uses_the_configured_scanner(settings):
    file = upload("a.pdf", pdf_bytes())
    assert uploads.scan(file) == scanning.ScanResult(ScanStatus.SKIPPED, "未配置恶意代码扫描")

    settings.HALL_SCANNER = "yiwang.hall.scanning.RecordingScanner"
    scanning.RecordingScanner.clear()
    content = pdf_bytes()
    assert uploads.scan(upload("a.pdf", content)).status == ScanStatus.CLEAN
    assert scanning.RecordingScanner.seen == [content]

    infected = upload("b.pdf", pdf_bytes() + scanning.EICAR)
    assert uploads.scan(infected).status == ScanStatus.INFECTED
    with pytest.raises(ValidationError) as caught:
        uploads.check_and_scan(upload("b.pdf", pdf_bytes() + scanning.EICAR))
    assert caught.value.messages == [uploads.INFECTED_MESSAGE]

    scanning.RecordingScanner.fail = True
    try:
        with pytest.raises(ValidationError) as caught:
            uploads.check_and_scan(upload("c.pdf", pdf_bytes()))
        assert caught.value.messages == ["暂时无法完成安全扫描，请稍后再试。"]
    finally:
        scanning.RecordingScanner.clear()

    content_type, sha256, result = uploads.check_and_scan(upload("d.png", image_bytes("PNG")))
    assert (content_type, result.status) == (uploads.PNG, ScanStatus.CLEAN)


def test_a_scanner_that_raises_refuses_instead_of_failing(settings):
    settings.HALL_SCANNER = "yiwang.hall.tests.test_uploads.ExplodingScanner"
    result = uploads.scan(upload("a.pdf", pdf_bytes()))
    assert result.status == ScanStatus.ERROR
    assert not result.acceptable


class ExplodingScanner(scanning.BaseScanner):
    def scan(self, fileobj):
        raise RuntimeError("boom")


# Closing a response sends request_finished, which checks the database connection.
@pytest.mark.django_db
def test_files_are_private_and_served_as_attachments(private_root):
    storage = private_storage()
    content = pdf_bytes()
    name = storage.save("cases/test/申请书.pdf", ContentFile(content))
    assert storage.path(name).startswith(str(private_root))
    with pytest.raises(ValueError):
        storage.url(name)

    fieldfile = CaseMaterial(file=name).file
    response = uploads.file_response(
        fieldfile, filename="申请书 第1页.pdf", content_type=uploads.PDF
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%94%B3%E8%AF%B7%E4%B9%A6%20%E7%AC%AC1%E9%A1%B5.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == content
    response.close()

    inline = uploads.file_response(
        fieldfile, filename="a.pdf", content_type=uploads.PDF, inline=True
    )
    assert inline["Content-Disposition"] == 'inline; filename="a.pdf"'
    inline.close()
    # Only PDFs and images may be shown inline; anything else is always downloaded.
    docx = uploads.file_response(
        fieldfile, filename="a.docx", content_type=uploads.DOCX, inline=True
    )
    assert docx["Content-Disposition"].startswith("attachment;")
    docx.close()
