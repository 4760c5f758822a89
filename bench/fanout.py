"""Fan-out: one operator change reaching every screen, control-room against a naive loop.

    python bench/fanout.py [--sizes 100 1000 3000 10000] [--changes 20] [--procs 2]
                           [--only control-room|naive] [--idle 10]

For each size N and each server (control-room on the shipped day, and
bench/naive_fanout.py: Starlette with ``await ws.send_text`` per client, in the same run),
N websocket clients in ``--procs`` processes (raw asyncio protocols: a frame parser that
looks for a marker, so that the load generator costs little of the 2 cores) connect and
wait for their snapshot; then ``--changes`` commands are sent one after the other over a
kept-alive HTTP connection (a slate whose text is ``bench-K``), each after the previous
one reached everybody (or 5 s). It prints, per row:

- p50/p95/p99/max from the command being sent to each client's receipt (one clock:
  CLOCK_MONOTONIC is system-wide), and delivered/expected receipts;
- admission: N clients connected with their first snapshot, in seconds;
- the server's RSS per connection (RSS with the clients minus RSS before, over N);
- the server's CPU per change per client (user+system during the changes, over
  changes × N), and bytes received per client per change;
- idle traffic: bytes per client per second over ``--idle`` seconds with no change
  (websocket pings of the heartbeat).

The figures go in docs/performance.md. Figures only, no assertion.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing as mp
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.server import eventually, run_server  # noqa: E402

DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"
MARK = b"bench-"
STATE = b'"type":"state"'


# -- the load generator ------------------------------------------------------------


class _Client(asyncio.Protocol):
    def __init__(self, worker: _Worker) -> None:
        self.w = worker
        self.buf = bytearray()
        self.open = False
        self.admitted = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.w.request)

    def data_received(self, data: bytes) -> None:
        w = self.w
        w.nbytes += len(data)
        buf = self.buf
        buf += data
        if not self.open:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            del buf[: end + 4]
            self.open = True
        while len(buf) >= 2:
            size = buf[1] & 0x7F
            at = 2
            if size == 126:
                if len(buf) < 4:
                    return
                size = int.from_bytes(buf[2:4], "big")
                at = 4
            elif size == 127:
                if len(buf) < 10:
                    return
                size = int.from_bytes(buf[2:10], "big")
                at = 10
            if len(buf) < at + size:
                return
            opcode = buf[0] & 0x0F
            payload = bytes(buf[at : at + size])
            del buf[: at + size]
            if opcode == 0x9 and self.transport is not None:  # ping: a masked pong (zero key)
                self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
            elif opcode == 0x1:
                if not self.admitted and STATE in payload:
                    self.admitted = True
                    w.admitted.value += 1
                found = payload.find(MARK)
                if found >= 0:
                    end = found + len(MARK)
                    digits = end
                    while digits < len(payload) and 48 <= payload[digits] <= 57:
                        digits += 1
                    if digits > end:
                        w.receipts.append((int(payload[end:digits]), time.monotonic()))
                        w.got.value += 1


@dataclass
class _Worker:
    request: bytes
    admitted: Any
    got: Any
    nbytes: int = 0

    def __post_init__(self) -> None:
        self.receipts: list[tuple[int, float]] = []


def worker(port: int, query: str, count: int, admitted: Any, got: Any, pipe: Any) -> None:
    asyncio.run(_work(port, query, count, admitted, got, pipe))


async def _work(port: int, query: str, count: int, admitted: Any, got: Any, pipe: Any) -> None:
    loop = asyncio.get_running_loop()
    request = (
        f"GET /ws{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    ).encode()
    w = _Worker(request, admitted, got)
    sem = asyncio.Semaphore(200)
    transports = []

    async def one() -> None:
        async with sem:
            transport, _ = await loop.create_connection(lambda: _Client(w), "127.0.0.1", port)
            transports.append(transport)

    await asyncio.gather(*(one() for _ in range(count)))
    while True:  # commands from the parent: "bytes" (a counter reading), "done"
        command = await loop.run_in_executor(None, pipe.recv)
        if command == "bytes":
            pipe.send(w.nbytes)
        elif command == "done":
            pipe.send(w.receipts)
            break
    for transport in transports:
        transport.abort()


# -- the servers ---------------------------------------------------------------------


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class _Target:
    name = ""
    pid = 0
    port = 0
    query = ""

    def change(self, conn: http.client.HTTPConnection, k: int) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class ControlRoom(_Target):
    name = "control-room"
    query = "?role=viewer"

    def __init__(self, tmp: Path) -> None:
        self._cm = run_server(
            DAY, data_dir=tmp / "cr", at="2026-07-07T12:10", speed=1, extra_args=[]
        )
        self.server = self._cm.__enter__()
        self.pid = self.server.process.pid
        self.port = self.server.port

    def change(self, conn: http.client.HTTPConnection, k: int) -> None:
        body = json.dumps({"type": "slate", "channel": "main", "text": f"bench-{k}"})
        headers = {
            "Authorization": f"Bearer {self.server.token}",
            "Content-Type": "application/json",
        }
        conn.request("POST", "/api/commands", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status

    def close(self) -> None:
        self._cm.__exit__(None, None, None)


class Naive(_Target):
    name = "naive loop"

    def __init__(self, payload: int) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        script = REPO / "bench" / "naive_fanout.py"
        self.process = subprocess.Popen([sys.executable, str(script), str(self.port), str(payload)])
        self.pid = self.process.pid
        eventually(lambda: self._up(), timeout=20, what="the naive server")

    def _up(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        conn.request("GET", "/-/health")
        return conn.getresponse().status == 200

    def change(self, conn: http.client.HTTPConnection, k: int) -> None:
        conn.request("POST", f"/change?n={k}")
        response = conn.getresponse()
        response.read()

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


# -- one row -------------------------------------------------------------------------


def measure(target: _Target, size: int, changes: int, procs: int, idle: float) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    counters = [
        (ctx.Value("i", 0, lock=False), ctx.Value("i", 0, lock=False)) for _ in range(procs)
    ]

    class _Sum:  # one counter per worker (an unlocked += is not atomic across processes)
        def __init__(self, index: int) -> None:
            self.index = index

        @property
        def value(self) -> int:
            return sum(pair[self.index].value for pair in counters)

    admitted, got = _Sum(0), _Sum(1)
    rss0 = _rss(target.pid)
    pipes, workers = [], []
    started = time.monotonic()
    for n in range(procs):
        share = size // procs + (1 if n < size % procs else 0)
        ours, theirs = ctx.Pipe()
        proc = ctx.Process(
            target=worker,
            args=(target.port, target.query, share, *counters[n], theirs),
            daemon=True,
        )
        proc.start()
        pipes.append(ours)
        workers.append(proc)
    deadline = started + 120
    while admitted.value < size and time.monotonic() < deadline:
        time.sleep(0.01)
    admission = time.monotonic() - started
    if admitted.value < size:
        print(f"  admitted {admitted.value}/{size}", file=sys.stderr)
    time.sleep(0.5)
    rss1 = _rss(target.pid)

    def nbytes() -> int:
        for pipe in pipes:
            pipe.send("bytes")
        return sum(pipe.recv() for pipe in pipes)

    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
    sent: dict[int, float] = {}
    bytes0, cpu0 = nbytes(), _cpu(target.pid)
    for k in range(changes):
        sent[k] = time.monotonic()
        try:
            target.change(conn, k)
        except (OSError, http.client.HTTPException):  # closed while we waited: once more
            conn.close()
            target.change(conn, k)
        until = time.monotonic() + 5
        while got.value < size * (k + 1) and time.monotonic() < until:
            time.sleep(0.001)
        if got.value < size * (k + 1):
            print(f"  change {k}: {got.value - size * k}/{size} after 5 s", file=sys.stderr)
        time.sleep(0.02)
    cpu1, bytes1 = _cpu(target.pid), nbytes()
    time.sleep(idle)
    bytes2 = nbytes()
    receipts: list[tuple[int, float]] = []
    for pipe in pipes:
        pipe.send("done")
        receipts += pipe.recv()
    for proc in workers:
        proc.join(timeout=30)
    conn.close()
    late = sorted((at - sent[k]) * 1000 for k, at in receipts if k in sent)
    pick = lambda q: late[min(len(late) - 1, int(q * len(late)))] if late else float("nan")  # noqa: E731
    return {
        "target": target.name,
        "clients": size,
        "admitted": admitted.value,
        "p50": pick(0.50),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "max": late[-1] if late else float("nan"),
        "delivered": len(late),
        "expected": size * changes,
        "admission_s": admission,
        "rss_kb_per_conn": (rss1 - rss0) / size / 1024,
        "cpu_us_per_change_client": (cpu1 - cpu0) / changes / size * 1e6,
        "bytes_per_change_client": (bytes1 - bytes0) / changes / size,
        "idle_bytes_per_client_s": (bytes2 - bytes1) / size / idle,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 3000, 10000])
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--only", choices=["control-room", "naive"])
    parser.add_argument(
        "--payload", type=int, default=0, help="naive: state bytes (default: control-room's)"
    )
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the servers inherit it
    need = max(args.sizes) + 200
    if hard < need:
        sys.exit(f"the file-descriptor limit ({hard}) is below {need}: raise ulimit -Hn")
    header = (
        f"{'server':<13} {'N':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
        f"{'delivered':>15} {'admit s':>7} {'KB/conn':>7} {'µs/chg/cl':>9} "
        f"{'B/chg/cl':>8} {'idle B/s':>8}"
    )
    print(header)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            for kind in ("control-room", "naive"):
                if args.only and args.only != kind:
                    continue
                target: _Target
                if kind == "control-room":
                    target = ControlRoom(Path(tmp) / str(size))
                else:
                    target = Naive(args.payload or _frame_size())
                try:
                    row = measure(target, size, args.changes, args.procs, args.idle)
                finally:
                    target.close()
                if kind == "control-room" and not args.payload:
                    args.payload = int(row["bytes_per_change_client"])
                rows.append(row)
                print(
                    f"{row['target']:<13} {size:>6} {row['p50']:>7.1f} {row['p95']:>7.1f} "
                    f"{row['p99']:>7.1f} {row['max']:>7.1f} "
                    f"{row['delivered']:>7}/{row['expected']:<7} {row['admission_s']:>7.2f} "
                    f"{row['rss_kb_per_conn']:>7.1f} {row['cpu_us_per_change_client']:>9.1f} "
                    f"{row['bytes_per_change_client']:>8.0f} "
                    f"{row['idle_bytes_per_client_s']:>8.2f}",
                    flush=True,
                )
    print(json.dumps(rows))


def _frame_size() -> int:
    return 2000


if __name__ == "__main__":
    main()
