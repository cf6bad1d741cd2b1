"""Virus scanning through ClamAV's daemon (clamd), spoken directly: ``zINSTREAM`` with 4-byte
big-endian chunk lengths and a zero-length chunk at the end.

Configured by ``LICHENG_CLAMAV_SOCKET`` (a unix socket path) or ``LICHENG_CLAMAV_HOST`` (with
``LICHENG_CLAMAV_PORT``, default 3310). Not configured: uploads are not scanned, and the files status
page says so. Configured but unreachable: uploads are refused (fail closed).
"""

from __future__ import annotations

import dataclasses
import os
import socket
import struct

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 30.0


class ScannerUnavailable(OSError):
    pass


@dataclasses.dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def scanner_address() -> str | tuple[str, int] | None:
    """Where clamd listens, or None when scanning is not configured. Read at each call, so a
    deployment can change it without code and tests can set it."""
    unix = os.environ.get("LICHENG_CLAMAV_SOCKET", "").strip()
    if unix:
        return unix
    host = os.environ.get("LICHENG_CLAMAV_HOST", "").strip()
    if host:
        return host, int(os.environ.get("LICHENG_CLAMAV_PORT", "3310") or 3310)
    return None


def describe(address: str | tuple[str, int]) -> str:
    return address if isinstance(address, str) else f"{address[0]}:{address[1]}"


def _connect(address: str | tuple[str, int], timeout: float) -> socket.socket:
    try:
        if isinstance(address, str):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        return socket.create_connection(address, timeout=timeout)
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error


def _read_reply(sock: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def ping(address: str | tuple[str, int], timeout: float = 2.0) -> bool:
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zPING\0")
            return _read_reply(sock) == "PONG"
    except OSError:
        return False


def scan_file(path: str, address: str | tuple[str, int]) -> ScanResult:
    """Stream the file to clamd. Raises ScannerUnavailable when clamd cannot be reached or answers
    with an error (size limit, internal error)."""
    try:
        with _connect(address, TIMEOUT_SECONDS) as sock, open(path, "rb") as fh:
            sock.sendall(b"zINSTREAM\0")
            while chunk := fh.read(CHUNK):
                sock.sendall(struct.pack(">I", len(chunk)) + chunk)
            sock.sendall(struct.pack(">I", 0))
            reply = _read_reply(sock)
    except ScannerUnavailable:
        raise
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    # "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    if reply.endswith(" OK"):
        return ScanResult(clean=True)
    if reply.endswith(" FOUND"):
        signature = reply.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanResult(clean=False, signature=signature)
    raise ScannerUnavailable(reply or "no answer")
