"""Processes and plumbing of the two-node test (licheng/tests/test_nodes.py): a TCP proxy that can
cut a connection on purpose, process groups that are always stopped, and a browser-like HTTP
client (cookies, CSRF) for pages served by gunicorn. Loopback only; every wait is bounded."""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
HTTP_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(check: Callable[[], Any], *, timeout: float, interval: float = 0.2, what: str = "") -> Any:
    """Call ``check`` until it answers something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            last = check()
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what or check}: last answer {last!r}")


class TcpProxy:
    """Forward 127.0.0.1:``port`` to 127.0.0.1:``target``. ``cut()`` drops every open connection
    and refuses new ones (as a lost network or a stopped server would); ``restore()`` listens again."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._stopped = False
        self.restore()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        with self._lock:
            self._listener = listener

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            doomed, self._sockets = self._sockets, set()
        if listener is not None:
            listener.close()
        for sock in doomed:
            _close(sock)

    def close(self) -> None:
        self._stopped = True
        self.cut()
        self._thread.join(timeout=2)

    def _accept_loop(self) -> None:
        while not self._stopped:
            with self._lock:
                listener = self._listener
            if listener is None:
                time.sleep(0.05)
                continue
            try:
                ready, _w, _x = select.select([listener], [], [], 0.2)
                if not ready:
                    continue
                client, _address = listener.accept()
            except (OSError, ValueError):  # closed by cut() meanwhile
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # cut while connecting
                    _close(client)
                    _close(upstream)
                    continue
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets.discard(source)
                self._sockets.discard(sink)
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


class Processes:
    """Child processes, each in a process group of its own, with a log file each."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own programs, fixed arguments
            argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.running[name] = process
        return process

    def log(self, name: str, tail: int = 3000) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        """Kill every process group at once: they are throw-away, with nothing to finish."""
        for name in list(self.running):
            self.kill(name)


def gunicorn_argv(port: int, *, workers: int, threads: int) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "licheng.wsgi",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "30",
        "--graceful-timeout",
        "3",
        "--log-level",
        "warning",
        "--no-control-socket",
    ]


def manage_argv(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


class Browser:
    """One person's browser: a cookie jar shared by every node (cookies are per host, not per
    port), so a session made on one node is presented to the other."""

    def __init__(self) -> None:
        self.session = requests.Session()

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.session.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> requests.Response:
        token = self.session.cookies.get("csrftoken")
        if token is None:
            self.get(url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + "/login/")
            token = self.session.cookies.get("csrftoken")
        return self.session.post(
            url,
            data={**(data or {}), "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=HTTP_TIMEOUT,
            **kwargs,
        )

    def login(self, node: str, username: str, password: str) -> requests.Response:
        self.get(f"{node}/login/")
        return self.post(f"{node}/login/", {"username": username, "password": password})


def links(page: str, pattern: str) -> list[str]:
    """The distinct first groups of ``pattern`` in the page, in order."""
    seen: dict[str, None] = {}
    for match in re.finditer(pattern, page):
        seen.setdefault(match.group(1), None)
    return list(seen)
