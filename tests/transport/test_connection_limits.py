"""Nobody who can reach the port can lock the operator out (issue 9).

The server runs under ``ulimit -n 1024``; the test opens 2,000 TCP connections that
never send a request line, or stop half-way through their headers. The operator's
command still gets its answer, every silent connection is closed by the server (the test
reads EOF on it), and the server never runs out of file descriptors. Events are asserted;
the times are printed (and only the issue's own limit, 15 s, is asserted)."""

from __future__ import annotations

import contextlib
import resource
import selectors
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.server import RunningServer, run_server

SHORT_DAY = Path(__file__).resolve().parents[1] / "e2e" / "short-day.yaml"
SERVER_FDS = 1024
SILENT = 2000
HALF_HEAD = b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


@contextlib.contextmanager
def fd_limit(soft: int) -> Iterator[None]:
    """Lower this process's soft RLIMIT_NOFILE while the server starts (it inherits it)."""
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, before[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, before)


@contextlib.contextmanager
def limited_server(tmp_path: Path) -> Iterator[RunningServer]:
    with fd_limit(SERVER_FDS):
        running = run_server(SHORT_DAY, data_dir=tmp_path / "data")
        server = running.__enter__()
    try:
        yield server
    finally:
        running.__exit__(None, None, None)


def open_silent(port: int, count: int) -> list[socket.socket]:
    """``count`` connections; every third sends half a request head, the rest nothing."""
    socks = []
    for n in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            sock.connect(("127.0.0.1", port))
        socks.append(sock)
        if n % 3 == 0:
            with contextlib.suppress(OSError):
                sock.send(HALF_HEAD)
    return socks


def wait_closed(socks: list[socket.socket], timeout: float) -> dict[int, float]:
    """Read each socket until EOF (or a reset); the time each one was closed at."""
    selector = selectors.DefaultSelector()
    for sock in socks:
        selector.register(sock, selectors.EVENT_READ)
    closed: dict[int, float] = {}
    deadline = time.monotonic() + timeout
    while len(closed) < len(socks) and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.5):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                closed[sock.fileno()] = time.monotonic()
                selector.unregister(sock)
    selector.close()
    return closed


def test_silent_connections_cannot_lock_the_operator_out(tmp_path: Path) -> None:
    with limited_server(tmp_path) as s:
        started = time.monotonic()
        socks = open_silent(s.port, SILENT)
        opened = time.monotonic()
        try:
            before = time.monotonic()
            status, body = s.command({"type": "slate", "channel": "main", "text": "Coupure"})
            answered = time.monotonic() - before
            assert status == 200, (status, body)
            health = s.get_json("/-/health")
            assert health["ok"]
            closed = wait_closed(socks, timeout=30)
            last = max(closed.values(), default=opened)
        finally:
            for sock in socks:
                sock.close()
        output = s.output()
    print()
    print(
        f"{SILENT} silent connections opened in {opened - started:.2f} s (server: -n {SERVER_FDS})"
    )
    print(f"the operator's command answered in {answered * 1000:.0f} ms")
    print(f"closed by the server: {len(closed)}/{SILENT}; last {last - opened:.1f} s after opening")
    assert len(closed) == SILENT
    assert last - opened <= 15.0  # the limit (header timeout: 10 s)
    assert "out of system resource" not in output
