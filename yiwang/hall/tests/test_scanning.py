"""The ClamAV client speaks clamd's INSTREAM protocol to a real peer: a small fake clamd
listening on a unix socket (and on TCP) in a thread, which parses the stream exactly as
clamd does and answers OK, FOUND, an error, or hangs up."""

import io
import os
import socket
import struct
import tempfile
import threading

import pytest

from yiwang.hall import scanning
from yiwang.hall.constants import ScanStatus


class FakeClamd:
    """``mode``: "scan" (FOUND when the EICAR string is in the stream, else OK), "limit"
    (replies INSTREAM size limit exceeded), "hangup" (closes without a reply), "silent"
    (reads and never answers: the client's timeout)."""

    def __init__(self, mode="scan", *, tcp=False):
        self.mode = mode
        self.received = []
        self.commands = []
        if tcp:
            self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.server.bind(("127.0.0.1", 0))
            self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        else:
            self.directory = tempfile.mkdtemp()
            path = os.path.join(self.directory, "clamd.sock")
            self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.server.bind(path)
            self.address = path
        self.server.listen(4)
        self.server.settimeout(5)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            connection, _ = self.server.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(5)
            reader = connection.makefile("rb")
            command = b""
            while not command.endswith(b"\0"):
                byte = reader.read(1)
                if not byte:
                    return
                command += byte
            self.commands.append(command)
            if self.mode == "hangup":
                return
            data = b""
            while True:
                (length,) = struct.unpack("!L", reader.read(4))
                if length == 0:
                    break
                data += reader.read(length)
            self.received.append(data)
            if self.mode == "silent":
                threading.Event().wait(3)
                return
            if self.mode == "limit":
                reply = b"INSTREAM size limit exceeded. ERROR\0"
            elif scanning.EICAR in data:
                reply = b"stream: Win.Test.EICAR_HDB-1 FOUND\0"
            else:
                reply = b"stream: OK\0"
            connection.sendall(reply)

    def close(self):
        self.server.close()
        self.thread.join(timeout=5)


@pytest.fixture
def clamd(request):
    servers = []

    def start(mode="scan", **kwargs):
        server = FakeClamd(mode, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_clean_stream_over_unix_socket(clamd):
    server = clamd()
    content = os.urandom(200_000)  # several 64 KiB chunks
    result = scanning.ClamdScanner(server.address, timeout=5).scan(io.BytesIO(content))
    assert result == scanning.ScanResult(ScanStatus.CLEAN, "")
    assert server.commands == [b"zINSTREAM\0"]
    assert server.received == [content]


def test_infected_stream_reports_the_signature(clamd):
    server = clamd()
    result = scanning.ClamdScanner(server.address, timeout=5).scan(
        io.BytesIO(b"%PDF-1.4\n" + scanning.EICAR)
    )
    assert result.status == ScanStatus.INFECTED
    assert result.detail == "Win.Test.EICAR_HDB-1"
    assert not result.acceptable


def test_tcp_address(clamd):
    server = clamd(tcp=True)
    assert server.address.startswith("tcp://127.0.0.1:")
    result = scanning.ClamdScanner(server.address, timeout=5).scan(io.BytesIO(b"hello"))
    assert result.status == ScanStatus.CLEAN


@pytest.mark.parametrize("mode", ["hangup", "limit"])
def test_broken_connection_or_clamd_error_is_an_error(clamd, mode):
    server = clamd(mode)
    result = scanning.ClamdScanner(server.address, timeout=5).scan(io.BytesIO(b"x" * 1000))
    assert result.status == ScanStatus.ERROR
    assert not result.acceptable


def test_no_answer_times_out_as_an_error(clamd):
    server = clamd("silent")
    result = scanning.ClamdScanner(server.address, timeout=0.5).scan(io.BytesIO(b"x"))
    assert result.status == ScanStatus.ERROR


def test_nothing_listening_is_an_error(tmp_path):
    result = scanning.ClamdScanner(str(tmp_path / "missing.sock"), timeout=1).scan(io.BytesIO(b"x"))
    assert result.status == ScanStatus.ERROR
    assert "clamd" in result.detail


def test_get_scanner_follows_settings(settings, clamd):
    assert isinstance(scanning.get_scanner(), scanning.NoScanner)
    assert scanning.NoScanner().scan(io.BytesIO(b"x")).status == ScanStatus.SKIPPED
    assert scanning.NoScanner().scan(io.BytesIO(b"x")).acceptable

    server = clamd()
    settings.HALL_SCANNER = "yiwang.hall.scanning.ClamdScanner"
    settings.CLAMD_SOCKET = server.address
    scanner = scanning.get_scanner()
    assert isinstance(scanner, scanning.ClamdScanner)
    assert scanner.scan(io.BytesIO(scanning.EICAR)).status == ScanStatus.INFECTED


def test_recording_scanner():
    scanning.RecordingScanner.clear()
    scanner = scanning.RecordingScanner()
    assert scanner.scan(io.BytesIO(b"clean")).status == ScanStatus.CLEAN
    assert scanner.scan(io.BytesIO(b"xx" + scanning.EICAR)).status == ScanStatus.INFECTED
    assert scanning.RecordingScanner.seen == [b"clean", b"xx" + scanning.EICAR]
    scanning.RecordingScanner.clear()
    assert scanning.RecordingScanner.seen == []
