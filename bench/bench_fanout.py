"""How long does a change take to reach N websocket clients?

    python bench/bench_fanout.py [--clients 1000 2000] [--changes 10]

For each N: starts the real server (subprocess) on the shipped day, in the middle of
the parallel tracks, connects N websocket clients (viewers of every channel, or a mix
of overlays and timers per channel with ``--mix``), then sends ``--changes`` operator
commands over HTTP (slate up, slate down, on the main channel) one after the other.
For each change it measures, on the clients' side (same machine, same clock):

- from the command being sent to the first and to the last client receiving the new state;
- the server's own stamp (``server_time``) to the last client.

The clients live in ``--procs`` worker processes (each an asyncio loop with real
``websockets`` clients), so that the measuring side is not the bottleneck of a
2-core machine more than it must be. Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.server import run_server  # noqa: E402

DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"


def worker(url: str, hellos: list[str], ready: Any, go: Any, out: Any, changes: int) -> None:
    """A process holding many clients; reports, per change seq, the receive times."""
    asyncio.run(_worker(url, hellos, ready, go, out, changes))


async def _worker(url: str, hellos: list[str], ready: Any, go: Any, out: Any, changes: int) -> None:
    from websockets.asyncio.client import connect

    received: dict[int, list[tuple[float, float]]] = {}
    connections = []
    sem = asyncio.Semaphore(100)

    async def open_one(hello: str) -> Any:
        async with sem:
            ws = await connect(
                url, compression=None, max_size=None, ping_interval=None, open_timeout=60
            )
            await ws.send(hello)
            # welcome + snapshot(s): drain until the hello's snapshot arrived
            seen = 0
            while seen < 2:
                msg = await ws.recv()
                if '"type":"state"' in msg[:40]:
                    seen += 1
            return ws

    connections = await asyncio.gather(*(open_one(h) for h in hellos))
    ready.put(len(connections))

    async def listen(ws: Any) -> None:
        try:
            async for msg in ws:
                now = time.time() * 1000
                if not msg.startswith('{"type":"state"'):
                    continue
                # Cheap parse: "seq":N,"server_time":T at the start of the message.
                head = msg[:120]
                seq = int(head.split('"seq":', 1)[1].split(",", 1)[0])
                stamp = float(head.split('"server_time":', 1)[1].split(",", 1)[0])
                received.setdefault(seq, []).append((now, stamp))
        except Exception:
            pass

    listeners = [asyncio.create_task(listen(ws)) for ws in connections]
    await asyncio.get_running_loop().run_in_executor(None, go.wait)
    # Wait until the parent says all changes are out, then a little for stragglers.
    await asyncio.get_running_loop().run_in_executor(None, go.wait)
    for task in listeners:
        task.cancel()
    for ws in connections:
        await ws.close()
    out.put({seq: values for seq, values in received.items()})


def run(n: int, changes: int, procs: int, mix: bool) -> None:
    with (
        tempfile.TemporaryDirectory() as data,
        run_server(
            DAY,
            data_dir=Path(data) / "data",
            at="2026-07-07T12:10",
            speed=1,
            extra_args=["--queue-limit", "256", "--send-timeout", "10"],
        ) as server,
    ):
        channels = ["main", "parcours-1", "parcours-2", "parcours-3"]
        hellos = []
        for i in range(n):
            if mix:
                role = "overlay" if i % 2 else "timer"
                hello = f'{{"type":"hello","role":"{role}","channels":["{channels[i % 4]}"]}}'
            else:
                hello = '{"type":"hello","role":"viewer"}'
            hellos.append(hello)
        recipients = sum(1 for h in hellos if "channels" not in h or '"main"' in h)
        ctx = mp.get_context("fork")
        ready, out = ctx.Queue(), ctx.Queue()
        go = ctx.Barrier(procs + 1)
        workers = [
            ctx.Process(
                target=worker,
                args=(server.ws_url, hellos[i::procs], ready, go, out, changes),
            )
            for i in range(procs)
        ]
        started = time.perf_counter()
        for w in workers:
            w.start()
        connected = sum(ready.get(timeout=300) for _ in workers)
        connect_s = time.perf_counter() - started
        health = server.get_json("/-/health")
        go.wait()  # listeners running
        sent: dict[int, float] = {}
        for k in range(changes):
            command = (
                {"type": "slate", "channel": "main", "text": f"Coupure {k}"}
                if k % 2 == 0
                else {"type": "slate_clear", "channel": "main"}
            )
            t0 = time.time() * 1000
            status, body = server.command(command)
            assert status == 200, body
            sent[body["state_seq"]] = t0
            # Let each change reach everyone before the next (a régie does not type faster).
            deadline = time.monotonic() + 30
            target = health["messages_sent"] + (k + 1) * recipients
            while time.monotonic() < deadline:
                if server.get_json("/-/health")["messages_sent"] >= target:
                    break
                time.sleep(0.01)
        time.sleep(0.5)
        go.wait()
        merged: dict[int, list[tuple[float, float]]] = {}
        for _ in workers:
            for seq, values in out.get(timeout=120).items():
                merged.setdefault(seq, []).extend(values)
        for w in workers:
            w.join(timeout=30)
        final = server.get_json("/-/health")

    firsts, lasts, from_stamp, medians, counts = [], [], [], [], []
    for seq, t0 in sorted(sent.items()):
        values = merged.get(seq, [])
        counts.append(len(values))
        if not values:
            continue
        times = sorted(v[0] for v in values)
        firsts.append(times[0] - t0)
        lasts.append(times[-1] - t0)
        medians.append(statistics.median(times) - t0)
        from_stamp.append(times[-1] - values[0][1])
    expected = sum(1 for h in hellos if "channels" not in h or '"main"' in h)
    print(
        f"N={n:5d} ({'mix of overlays/timers' if mix else 'viewers of all channels'}), "
        f"{procs} client processes, connected {connected} in {connect_s:.1f} s; "
        f"{changes} changes"
    )
    print(
        f"  clients reached per change: min {min(counts)} max {max(counts)} "
        f"(of {expected} following main)"
    )
    print(f"  command sent -> first client : median {statistics.median(firsts):7.1f} ms")
    print(f"  command sent -> median client: median {statistics.median(medians):7.1f} ms")
    print(
        f"  command sent -> last client  : median {statistics.median(lasts):7.1f} ms, "
        f"max {max(lasts):7.1f} ms"
    )
    print(f"  server stamp -> last client  : median {statistics.median(from_stamp):7.1f} ms")
    print(
        f"  server: renders {final['renders'] - health['renders']} for {changes} changes "
        f"(once per distinct view), slow clients closed {final['slow_closed']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--procs", type=int, default=2, help="client worker processes")
    parser.add_argument("--mix", action="store_true", help="overlays and timers per channel")
    args = parser.parse_args()
    for n in args.clients:
        run(n, args.changes, args.procs, args.mix)


if __name__ == "__main__":
    main()
