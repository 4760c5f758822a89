"""Fan-out: one operator change reaching every screen, control-room against a naive loop.

    python bench/fanout.py [--sizes 100 1000 3000 10000] [--changes 20] [--procs 2]
                           [--only control-room|naive|floor|floor-2] [--idle 10]

For each size N and each server (control-room on the shipped day, and
bench/naive_fanout.py: Starlette with ``await ws.send_text`` per client, in the same run),
N websocket clients in ``--procs`` processes (one epoll loop each, no asyncio: a frame
parser that looks for a marker, so that the load generator costs little of the 2 cores)
connect and wait for their snapshot; then ``--changes`` commands are sent one after the other over a
kept-alive HTTP connection (a slate whose text is ``bench-K``), each after the previous
one reached everybody (or 5 s). It prints, per row:

- p50/p95/p99/max from the command being sent to each client's receipt (one clock:
  CLOCK_MONOTONIC is system-wide), and delivered/expected receipts; for control-room also
  p50/p99 from the message's ``server_time`` (when the server produced it, after the
  journal's commit) to each receipt (``pub50``, ``pub99``: the fan-out alone);
- admission: N clients connected with their first snapshot, in seconds, beside the time
  by which every handshake was answered (``hs s``), and the server's CPU per admitted
  connection (``adm µs``: flat from 1k to 10k when nothing is quadratic; the wall times
  depend on the box's load, the CPU hardly);
- the server's RSS per connection (RSS with the clients minus RSS before, over N);
- the server's CPU per change per client (user+system during the changes, over
  changes × N), and bytes received per client per change; and the bytes one client
  receives for each kind of change the issue counts: a message, a slate, an extend, a hold;
- idle traffic: bytes per client per second over ``--idle`` seconds with no change
  (websocket pings of the heartbeat).

The figures go in docs/performance.md. Figures only, no assertion.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import resource
import selectors
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
SNAPSHOTS = (b'"type":"state"', b'"type":"live"')


# -- the load generator ------------------------------------------------------------


def _frames(buf: bytearray) -> list[tuple[int, bytes]]:
    """The complete frames at the start of ``buf`` (removed from it): (opcode, payload)."""
    out = []
    while len(buf) >= 2:
        size = buf[1] & 0x7F
        at = 2
        if size == 126:
            if len(buf) < 4:
                break
            size = int.from_bytes(buf[2:4], "big")
            at = 4
        elif size == 127:
            if len(buf) < 10:
                break
            size = int.from_bytes(buf[2:10], "big")
            at = 10
        if len(buf) < at + size:
            break
        out.append((buf[0] & 0x0F, bytes(buf[at : at + size])))
        del buf[: at + size]
    return out


@dataclass
class _Worker:
    admitted: Any
    got: Any
    opened: Any
    nbytes: int = 0

    def __post_init__(self) -> None:
        self.receipts: list[tuple[int, float, float]] = []

    def text(self, payload: bytes, admitted: bool) -> bool:
        """Note a text message; True once the connection has had its snapshot."""
        if not admitted and any(mark in payload for mark in SNAPSHOTS):
            admitted = True
            self.admitted.value += 1
        found = payload.find(MARK)
        if found >= 0:
            end = found + len(MARK)
            digits = end
            while digits < len(payload) and 48 <= payload[digits] <= 57:
                digits += 1
            if digits > end:
                stamp = float("nan")
                if payload.startswith(b'{"server_time":'):
                    comma = payload.find(b",", 15)
                    stamp = float(payload[15:comma]) / 1000
                self.receipts.append(
                    (int(payload[end:digits]), time.monotonic(), time.time() - stamp)
                )
                self.got.value += 1
        return admitted


def worker(
    port: int, query: str, count: int, admitted: Any, got: Any, opened: Any, pipe: Any
) -> None:
    """One load-generating process: ``count`` websocket clients on one epoll loop (no
    asyncio, no object per message: a receipt costs a ``recv`` and a ``find``)."""
    request = (
        f"GET /ws{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    ).encode()
    w = _Worker(admitted, got, opened)
    sel = selectors.EpollSelector()
    sel.register(pipe.fileno(), selectors.EVENT_READ, None)
    # per socket: [handshake done, admitted, partial bytes]
    state: dict[socket.socket, list[Any]] = {}
    pending = count
    connecting: set[socket.socket] = set()

    def connect_more() -> None:
        nonlocal pending
        while pending and len(connecting) < 200:  # at most 200 handshakes in flight
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            connecting.add(sock)
            state[sock] = [False, False, bytearray()]
            sel.register(sock, selectors.EVENT_WRITE, sock)
            pending -= 1

    connect_more()
    while True:
        for key, events in sel.select():
            sock = key.data
            if sock is None:  # the parent: "bytes" (a counter reading) or "done"
                command = pipe.recv()
                if command == "bytes":
                    pipe.send(w.nbytes)
                    continue
                pipe.send(w.receipts)
                for other in state:
                    other.close()
                return
            if events & selectors.EVENT_WRITE:
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    sys.exit("a connection was refused")
                sock.send(request)
                sel.modify(sock, selectors.EVENT_READ, sock)
                continue
            try:
                data = sock.recv(262144)
            except BlockingIOError:
                continue
            if not data:
                sel.unregister(sock)
                continue
            w.nbytes += len(data)
            st = state[sock]
            buf = st[2]
            buf += data
            if not st[0]:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    continue
                del buf[: end + 4]
                st[0] = True
                w.opened.value += 1
                connecting.discard(sock)
                connect_more()
            for opcode, payload in _frames(buf):
                if opcode == 0x9:  # ping: a masked pong (zero key)
                    sock.send(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
                elif opcode == 0x1:
                    st[1] = w.text(payload, st[1])


# -- the servers ---------------------------------------------------------------------


def _cpu(pid: int) -> float:
    return sum(_cpu_split(pid))


def _cpu_split(pid: int) -> tuple[float, float]:
    """The process's user and system CPU time, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


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

    def kind_sizes(self) -> dict[str, int]:
        """Bytes one client receives for each kind of change (the same for every client)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


KINDS: dict[str, dict[str, Any]] = {
    "message": {
        "type": "message",
        "channel": "main",
        "audience": "viewers",
        "text": "Reprise à 14 h",
    },
    "slate": {"type": "slate", "channel": "main", "text": "Coupure réseau"},
    "extend": {"type": "extend", "channel": "main", "minutes": 1},
    "hold": {"type": "hold", "channel": "main"},
}
"""The changes whose cost per client the issue counts (one client's frame, in bytes)."""

UNDO: list[dict[str, Any]] = [
    {"type": "release", "channel": "main"},
    {"type": "slate_clear", "channel": "main"},
    {"type": "message_clear", "channel": "main", "audience": "viewers"},
]


class ControlRoom(_Target):
    name = "control-room"
    query = "?role=viewer&state=ref"

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

    def kind_sizes(self) -> dict[str, int]:
        from websockets.sync.client import connect

        sizes: dict[str, int] = {}
        url = self.server.ws_url + self.query
        with connect(url, compression=None, max_size=None, open_timeout=30) as ws:
            while '"type":"live"' not in str(ws.recv(timeout=30)):
                pass
            for kind, command in KINDS.items():
                status, body = self.server.command(command)
                assert status == 200, body
                while True:
                    frame = ws.recv(timeout=30)
                    if isinstance(frame, str) and '"type":"delta"' in frame:
                        sizes[kind] = _framed(len(frame.encode()))
                        break
        for command in UNDO:
            self.server.command(command)
        return sizes

    def close(self) -> None:
        self._cm.__exit__(None, None, None)


class Naive(_Target):
    name = "naive loop"
    script = "naive_fanout.py"

    def __init__(self, payload: int, *extra: str) -> None:
        self.payload = payload
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        script = REPO / "bench" / self.script
        self.process = subprocess.Popen(
            [sys.executable, str(script), str(self.port), str(payload), *extra]
        )
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

    def kind_sizes(self) -> dict[str, int]:
        return {kind: _framed(self.payload) for kind in KINDS}

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Floor(Naive):
    """bench/floor_fanout.py: no framework, one ``send()`` per client (the box's floor)."""

    script = "floor_fanout.py"

    def __init__(self, payload: int, threads: int) -> None:
        self.name = "floor" if threads == 1 else f"floor {threads} thr"
        super().__init__(payload, str(threads))


# -- one row -------------------------------------------------------------------------


def measure(target: _Target, size: int, changes: int, procs: int, idle: float) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    counters = [tuple(ctx.Value("i", 0, lock=False) for _ in range(3)) for _ in range(procs)]

    class _Sum:  # one counter per worker (an unlocked += is not atomic across processes)
        def __init__(self, index: int) -> None:
            self.index = index

        @property
        def value(self) -> int:
            return sum(pair[self.index].value for pair in counters)

    admitted, got, opened = _Sum(0), _Sum(1), _Sum(2)
    rss0, admit_cpu0 = _rss(target.pid), _cpu(target.pid)
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
    bare = float("nan")
    while admitted.value < size and time.monotonic() < deadline:
        if bare != bare and opened.value >= size:
            bare = time.monotonic() - started
        time.sleep(0.002)
    admission = time.monotonic() - started
    admit_cpu = _cpu(target.pid) - admit_cpu0
    if bare != bare:
        bare = admission
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
    bytes0, split0 = nbytes(), _cpu_split(target.pid)
    cpu0 = sum(split0)
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
    split1 = _cpu_split(target.pid)
    cpu1, bytes1 = sum(split1), nbytes()
    time.sleep(idle)
    bytes2 = nbytes()
    receipts: list[tuple[int, float, float]] = []
    for pipe in pipes:
        pipe.send("done")
        receipts += pipe.recv()
    for proc in workers:
        proc.join(timeout=30)
    conn.close()
    kinds = target.kind_sizes()
    late = sorted((at - sent[k]) * 1000 for k, at, _ in receipts if k in sent)
    fanout = sorted(since * 1000 for k, _, since in receipts if k in sent and since == since)
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
        "handshakes_s": bare,
        "admission_cpu_us_per_conn": admit_cpu / size * 1e6,
        "rss_kb_per_conn": (rss1 - rss0) / size / 1024,
        "cpu_us_per_change_client": (cpu1 - cpu0) / changes / size * 1e6,
        "sys_us_per_change_client": (split1[1] - split0[1]) / changes / size * 1e6,
        "bytes_per_change_client": (bytes1 - bytes0) / changes / size,
        "idle_bytes_per_client_s": (bytes2 - bytes1) / size / idle,
        "bytes_per_kind": kinds,
        "fanout_p50": fanout[len(fanout) // 2] if fanout else float("nan"),
        "fanout_p99": fanout[min(len(fanout) - 1, int(0.99 * len(fanout)))]
        if fanout
        else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 3000, 10000])
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--only", choices=KINDS_OF_SERVER)
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
        f"{'of it sys':>9} {'B/chg/cl':>8} {'idle B/s':>8} {'hs s':>6} {'adm µs':>6} {'pub50':>6} "
        f"{'pub99':>6}  B msg/slate/extend/hold"
    )
    print(header)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            for kind in KINDS_OF_SERVER:
                if args.only and args.only != kind:
                    continue
                target: _Target
                if kind == "control-room":
                    target = ControlRoom(Path(tmp) / str(size))
                elif kind == "naive":
                    target = Naive(args.payload or _frame_size())
                else:
                    target = Floor(args.payload or _frame_size(), 1 if kind == "floor" else 2)
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
                    f"{row['sys_us_per_change_client']:>9.1f} "
                    f"{row['bytes_per_change_client']:>8.0f} "
                    f"{row['idle_bytes_per_client_s']:>8.2f} {row['handshakes_s']:>6.2f} "
                    f"{row['admission_cpu_us_per_conn']:>6.0f} {row['fanout_p50']:>6.1f} "
                    f"{row['fanout_p99']:>6.1f}  "
                    + "/".join(str(row["bytes_per_kind"][k]) for k in KINDS),
                    flush=True,
                )
    print(json.dumps(rows))


KINDS_OF_SERVER = ("control-room", "naive", "floor", "floor-2")
"""control-room, the naive Starlette loop, and the floor (bench/floor_fanout.py) with one
sending thread and with two."""


def _framed(size: int) -> int:
    """A text of ``size`` bytes as a server frame (unmasked): its header added."""
    return size + (2 if size < 126 else 4 if size < 65536 else 10)


def _frame_size() -> int:
    return 2000


if __name__ == "__main__":
    main()
