"""Malware scanning of uploaded files behind one small interface.

``get_scanner()`` builds the scanner named by ``settings.HALL_SCANNER``: ``NoScanner`` (the
default, reports SKIPPED), ``ClamdScanner`` (ClamAV's daemon over its INSTREAM protocol, used
when ``settings.CLAMD_SOCKET`` / ``YIWANG_CLAMD_SOCKET`` is set) or ``RecordingScanner``
(tests). A scanner never raises: a scanner that cannot answer reports ERROR, and the caller
refuses the upload."""

import socket
import struct
import threading
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from .constants import ScanStatus

CHUNK_SIZE = 64 * 1024
DEFAULT_TIMEOUT = 30
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@dataclass(frozen=True)
class ScanResult:
    status: ScanStatus
    detail: str = ""

    @property
    def acceptable(self):
        """Whether the file may be kept: clean, or no scanner configured."""
        return self.status in (ScanStatus.CLEAN, ScanStatus.SKIPPED)


def _chunks(fileobj):
    """The file's bytes from its start, in chunks; the position is reset afterwards."""
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    if hasattr(fileobj, "chunks"):
        yield from fileobj.chunks(CHUNK_SIZE)
    else:
        while chunk := fileobj.read(CHUNK_SIZE):
            yield chunk
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)


class BaseScanner:
    def scan(self, fileobj):
        """Scan a file object (an ``UploadedFile`` or any binary file); a ``ScanResult``."""
        raise NotImplementedError


class NoScanner(BaseScanner):
    """No scanner configured: files are kept, marked 未配置扫描."""

    def scan(self, fileobj):
        return ScanResult(ScanStatus.SKIPPED, "未配置恶意代码扫描")


class ClamdScanner(BaseScanner):
    """ClamAV's clamd over a unix socket path or ``tcp://host:port`` (INSTREAM)."""

    def __init__(self, address=None, *, timeout=None):
        self.address = address or getattr(settings, "CLAMD_SOCKET", "")
        self.timeout = timeout or getattr(settings, "CLAMD_TIMEOUT", DEFAULT_TIMEOUT)

    def _connect(self):
        address = self.address
        if address.startswith("tcp://"):
            host, _, port = address[len("tcp://") :].rpartition(":")
            sock = socket.create_connection((host.strip("[]"), int(port)), timeout=self.timeout)
        else:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(address)
            except OSError:
                sock.close()
                raise
        return sock

    def scan(self, fileobj):
        if not self.address:
            return ScanResult(ScanStatus.ERROR, "未配置 clamd 地址")
        try:
            with self._connect() as sock:
                try:
                    sock.sendall(b"zINSTREAM\0")
                    for chunk in _chunks(fileobj):
                        sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                    sock.sendall(struct.pack("!L", 0))
                except (BrokenPipeError, ConnectionResetError):
                    # clamd closes early when the stream exceeds its limit; its reply, if
                    # any, says why.
                    pass
                reply = self._read_reply(sock)
        except (OSError, ValueError) as error:
            return ScanResult(ScanStatus.ERROR, f"clamd 连接失败：{type(error).__name__}")
        return self._parse(reply)

    @staticmethod
    def _read_reply(sock):
        data = b""
        while b"\0" not in data and len(data) < 4096:
            try:
                chunk = sock.recv(4096)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
        return data.split(b"\0", 1)[0].decode("utf-8", "replace").strip()

    @staticmethod
    def _parse(reply):
        if not reply:
            return ScanResult(ScanStatus.ERROR, "clamd 无应答")
        _, _, verdict = reply.partition(": ")
        verdict = verdict or reply
        if verdict == "OK":
            return ScanResult(ScanStatus.CLEAN, "")
        if verdict.endswith(" FOUND"):
            return ScanResult(ScanStatus.INFECTED, verdict[: -len(" FOUND")][:200])
        return ScanResult(ScanStatus.ERROR, f"clamd：{verdict}"[:200])


class RecordingScanner(BaseScanner):
    """The tests' fake: flags the EICAR test string, records the bytes of everything it
    saw in ``RecordingScanner.seen``. Set ``RecordingScanner.fail`` to make
    it report ERROR."""

    seen: list[bytes] = []
    fail = False
    _lock = threading.Lock()

    def scan(self, fileobj):
        content = b"".join(_chunks(fileobj))
        with self._lock:
            RecordingScanner.seen.append(content)
        if RecordingScanner.fail:
            return ScanResult(ScanStatus.ERROR, "测试：扫描服务不可用")
        if EICAR in content:
            return ScanResult(ScanStatus.INFECTED, "Eicar-Test-Signature")
        return ScanResult(ScanStatus.CLEAN, "")

    @classmethod
    def clear(cls):
        with cls._lock:
            cls.seen.clear()
            cls.fail = False


def get_scanner():
    return import_string(settings.HALL_SCANNER)()
