"""No Nagle stalls (issue 15 item 4): a kept-alive HTTP connection answers as fast as a
fresh one, and the frames a websocket gets back to back leave together.

Without TCP_NODELAY every request after the first on a kept-alive connection waited for
the client's delayed ACK: 40 ms on Linux, every time, not now and then. The test takes the
*fastest* of requests 2–10: a stall shows in every one of them, while scheduling noise on a
busy box never makes all nine slow, so the 30 ms bound is not a flaky timing assertion.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from pathlib import Path

from websockets.client import ClientProtocol
from websockets.frames import Frame
from websockets.http11 import Response
from websockets.uri import parse_uri

from tests.support.server import run_server

SHORT_DAY = Path(__file__).resolve().parents[1] / "e2e" / "short-day.yaml"


def test_a_kept_alive_connection_answers_its_tenth_request_as_fast_as_its_first(
    tmp_path: Path,
) -> None:
    with run_server(SHORT_DAY, data_dir=tmp_path / "data") as s:
        times: dict[str, list[float]] = {}
        for label, method, path, body in [
            ("GET /-/health", "GET", "/-/health", None),
            ("POST /api/commands", "POST", "/api/commands", {"type": "hold", "channel": "x"}),
        ]:
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            headers = {"Authorization": f"Bearer {s.token}", "Content-Type": "application/json"}
            spent = []
            for _ in range(10):
                start = time.perf_counter()
                conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
                response = conn.getresponse()
                response.read()
                spent.append((time.perf_counter() - start) * 1000)
                assert response.status < 500
                assert response.getheader("connection", "keep-alive") != "close"
            conn.close()
            times[label] = spent
    print()
    for label, spent in times.items():
        print(f"{label}: " + " ".join(f"{ms:.1f}" for ms in spent) + " ms")
        assert min(spent[1:]) < 30, spent  # a Nagle stall is >= 40 ms on each of them
        assert min(spent[1:]) <= 5 * spent[0] + 1, spent


def test_the_welcome_and_the_snapshot_leave_in_one_write(tmp_path: Path) -> None:
    with run_server(SHORT_DAY, data_dir=tmp_path / "data") as s:
        protocol = ClientProtocol(parse_uri(f"ws://127.0.0.1:{s.port}/ws?role=viewer"))
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        protocol.send_request(protocol.connect())
        for chunk in protocol.data_to_send():
            sock.sendall(chunk)
        reads: list[list[str]] = []  # the message types completed by each read
        while sum(len(r) for r in reads) < 2:
            data = sock.recv(1 << 20)
            assert data, "closed"
            protocol.receive_data(data)
            kinds = [
                json.loads(e.data)["type"]
                for e in protocol.events_received()
                if isinstance(e, Frame) and not isinstance(e, Response)
            ]
            if kinds:
                reads.append(kinds)
        sock.close()
    print(f"\nmessages completed by each read: {reads}")
    assert reads[0][:2] == ["welcome", "state"]
