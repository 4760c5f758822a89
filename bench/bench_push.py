"""How late are the pushes? A rehearsal of the whole shipped day, measured.

    python bench/bench_push.py [--speed 600] [--clients 10]

Starts the real server (subprocess) on the 7 July at ``--speed`` (600: the day in
about a minute), connects clients like the day's screens (a régie, an overlay and a
timer per channel, viewers of everything), and for every state pushed on a cue
records:

- server lateness: the message's ``server_time`` minus the cue's wall instant (from
  the clock model): how late the server produced the push;
- client lateness: the local receive time minus the cue's wall instant: how late it
  reached a client (same machine, same clock).

Prints the distribution of both and checks that every client saw every cue of what it
follows, in order. Figures only; nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from control_room.core.document import state_document  # noqa: E402
from control_room.core.timeline import next_change_after, state  # noqa: E402
from control_room.schedule_file import load_schedule  # noqa: E402
from tests.support.server import run_server  # noqa: E402
from tests.support.ws import Message, WsClient  # noqa: E402

DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def describe(label: str, values: list[float]) -> str:
    return (
        f"{label:<34} n={len(values):<5} median={statistics.median(values):7.2f} ms  "
        f"p90={percentile(values, 0.9):7.2f}  p99={percentile(values, 0.99):7.2f}  "
        f"max={max(values):7.2f}"
    )


def cue_wall_ms(message: Message) -> float:
    clock = message["clock"]
    cue = dt.datetime.fromisoformat(message["cause"]["cue"])
    origin = dt.datetime.fromisoformat(clock["origin_show"])
    return float(clock["origin_wall_ms"]) + (cue - origin).total_seconds() * 1000 / clock["speed"]


async def follow(url: str, hello: dict[str, Any], done: asyncio.Event) -> list[Message]:
    async with WsClient.connect(url, hello=hello) as client:
        await done.wait()
        return [m for m in client.states() if m["cause"]["kind"] == "cue"]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=600)
    parser.add_argument("--viewers", type=int, default=4, help="viewer clients (all channels)")
    parser.add_argument("--at", default="2026-07-07T09:58", help="rehearsal start")
    args = parser.parse_args()

    schedule = load_schedule(DAY)
    tz = schedule.event.timezone
    start = dt.datetime.fromisoformat(args.at).replace(tzinfo=tz)
    cues = []
    t: dt.datetime | None = start
    while (t := next_change_after(schedule, [], t)) is not None:
        cues.append(t)
    last = cues[-1]
    wall_seconds = (last - start).total_seconds() / args.speed
    ids = [c.id for c in schedule.channels]
    hellos: list[dict[str, Any]] = [{"role": "viewer"} for _ in range(args.viewers)]
    for channel in ids:
        hellos.append({"role": "overlay", "channels": [channel]})
        hellos.append({"role": "timer", "channels": [channel]})

    print(f"rehearsal of {DAY.name} from {start.time()} at {args.speed:g}x: {len(cues)} cues, ")
    print(f"about {wall_seconds:.0f} s of wall time, {len(hellos) + 1} clients")
    with (
        tempfile.TemporaryDirectory() as data,
        run_server(
            DAY, data_dir=Path(data) / "data", at=start.isoformat(), speed=args.speed
        ) as server,
    ):
        hellos.append({"role": "regie", "token": server.token})
        done = asyncio.Event()
        tasks = [asyncio.create_task(follow(server.ws_url, h, done)) for h in hellos]
        # Wait until the show time passes the last cue (plus a margin), per /-/health.
        while True:
            health = server.get_json("/-/health")
            if dt.datetime.fromisoformat(health["show_time"]) > last + dt.timedelta(minutes=2):
                break
            await asyncio.sleep(0.2)
        done.set()
        results = await asyncio.gather(*tasks)
        health = server.get_json("/-/health")

    server_late: list[float] = []
    client_late: list[float] = []
    complete = 0
    for hello, pushes in zip(hellos, results, strict=True):
        view = set(hello["channels"]) if hello.get("channels") else None
        expected = []
        before = state_document(schedule, state(schedule, [], start))["channels"]
        for cue in cues:
            now = state_document(schedule, state(schedule, [], cue))["channels"]
            if [c for c in now if not view or c["id"] in view] != [
                c for c in before if not view or c["id"] in view
            ]:
                expected.append(cue)
            before = now
        got = [dt.datetime.fromisoformat(m["cause"]["cue"]) for m in pushes]
        complete += got == expected
        for message in pushes:
            wall = cue_wall_ms(message)
            server_late.append(message["server_time"] - wall)
            client_late.append(message["_received_ms"] - wall)
    print(f"clients that saw every cue of their channels, in order: {complete}/{len(hellos)}")
    print(describe("server stamp - cue instant", server_late))
    print(describe("client receipt - cue instant", client_late))
    wake = health["cue_wake_late_ms"]
    print(
        f"scheduler wake-ups: {wake['count']}, median {wake['median']:.2f} ms late, "
        f"max {wake['max']:.2f} ms; safety-tick publications: "
        f"{health['publications'] - len(cues) - 1}; slow clients closed: {health['slow_closed']}"
    )


if __name__ == "__main__":
    asyncio.run(main())
