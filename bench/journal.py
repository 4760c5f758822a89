"""What a command and a recompute cost as the journal grows: 0, 1k, 5k, 20k entries.

    python bench/journal.py [--sizes 0 1000 5000 20000] [--commands 200] [--flood 3000]

For each journal length, on the shipped day, in-process (the room as the server builds
it, a real SQLite journal on disk, the real writer thread; screens left out):

- command → ack: the time of ``Dispatcher.submit`` (check against the kept state, journal
  commit with fsync, state adopted and published), p50 / p95 / max;
- recompute: one ``Show.recompute`` at a later instant (what a cue or the safety tick costs),
  with the engine keeping its place (``Replay.state``), and the naive baseline measured in
  the same run: the full replay of the journal (``state_and_next_change``), which is what
  round 1 did on every command and every tick;
- the longest the event loop was blocked during a flood of commands arriving one per loop
  iteration, as from sockets, all in flight together (a 1 ms ticker task measures the gaps
  between its wake-ups).

Targets (issue 15): command → ack p50 at 20k ≤ 1.5 × its p50 with an empty journal; a
recompute at 20k ≤ 2 ms; the event loop never blocked more than 20 ms during the flood.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import statistics
import tempfile
import time
from pathlib import Path

from control_room.auth import OPERATOR as OPERATOR_IDENTITY
from control_room.clock import rehearsal_clock
from control_room.core.commands import command_json, parse_command
from control_room.core.timeline import state_and_next_change
from control_room.dispatch import Caller
from control_room.hub import tune_collector
from control_room.journal import Journal
from control_room.room import build_room
from control_room.schedule_file import load_schedule
from control_room.show import entries_from_records

DAY = Path(__file__).resolve().parent.parent / "schedules" / "rnct-2026-07-07.yaml"
START = dt.datetime.fromisoformat("2026-07-07T09:55:00+02:00")
OPERATOR = Caller(who="bench", identity=OPERATOR_IDENTITY)


def message(i: int, channel: str) -> dict[str, object]:
    """A command the engine always accepts: a message to a channel's moderators."""
    return {"type": "message", "channel": channel, "audience": "moderators", "text": f"n°{i}"}


def prefill(data_dir: Path, n: int, channels: list[str]) -> None:
    """A journal of ``n`` commands before the rehearsal's start (written directly)."""
    with Journal.open(data_dir) as journal:
        for i in range(n):
            at = START - dt.timedelta(seconds=n - i)
            command = command_json(parse_command(message(i, channels[i % len(channels)])))
            journal.append(wall=time.time(), show=at, who="prefill", command=command)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(n: int, commands: int, flood: int) -> dict[str, float]:
    schedule = load_schedule(DAY)
    channels = [c.id for c in schedule.channels]
    thresholds = gc.get_threshold()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        prefill(data_dir, n, channels)
        journal = Journal.open(data_dir)
        clock = rehearsal_clock(START, 1.0)
        t0 = time.perf_counter()
        room = build_room(schedule, clock, journal, token="t", tick_seconds=0)
        start_ms = (time.perf_counter() - t0) * 1000
        tune_collector()  # as serve does once started (cli/serve.py): start-up frozen
        room.show.recompute({"kind": "start"})
        latencies = []
        for i in range(commands):
            t = time.perf_counter()
            result = await room.dispatcher.submit(message(i, channels[i % 4]), OPERATOR)
            latencies.append((time.perf_counter() - t) * 1000)
            assert result.ok, result
        recompute = []
        for _ in range(50):
            t = time.perf_counter()
            room.show.recompute({"kind": "tick"})
            recompute.append((time.perf_counter() - t) * 1000)
        entries = entries_from_records(journal.records())
        later = room.show.now()
        naive = []
        for _ in range(5 if n >= 5000 else 20):
            t = time.perf_counter()
            state_and_next_change(schedule, entries, later)
            naive.append((time.perf_counter() - t) * 1000)
        # The baseline's own objects (the journal's entries, read back whole) are not the
        # server's: out of the collector's way before the flood is measured.
        del entries
        gc.collect()
        blocked = await flood_block(room, flood, channels)
        await room.show.stop()
        room.writer.shutdown()
        journal.close()
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    return {
        "start_ms": start_ms,
        "p50": statistics.median(latencies),
        "p95": pct(latencies, 0.95),
        "max": max(latencies),
        "recompute": statistics.median(recompute),
        "naive": statistics.median(naive),
        "blocked": blocked,
    }


async def flood_block(room: object, flood: int, channels: list[str]) -> float:
    """The longest gap between a 1 ms ticker's wake-ups while ``flood`` commands run."""
    from control_room.room import Room

    assert isinstance(room, Room)
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append((now - last) * 1000)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    # As from the network: one command arrives per loop iteration (a socket read each), all
    # of them in flight together, queued on the show's lock.
    sends = []
    for i in range(flood):
        command = message(i, channels[i % 4])
        sends.append(asyncio.create_task(room.dispatcher.submit(command, OPERATOR)))
        await asyncio.sleep(0)
    results = await asyncio.gather(*sends)
    assert all(r.ok for r in results)
    stop.set()
    await task
    return max(gaps) - 1.0 if gaps else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 1000, 5000, 20000])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--flood", type=int, default=3000)
    args = parser.parse_args()
    print(
        f"{'journal':>8}  {'start':>8}  {'cmd p50':>8}  {'p95':>7}  {'max':>7}  "
        f"{'recompute':>9}  {'full replay':>11}  {'loop blocked':>12}"
    )
    base = None
    for n in args.sizes:
        r = asyncio.run(measure(n, args.commands, args.flood))
        base = base or r["p50"]
        print(
            f"{n:>8}  {r['start_ms']:>6.0f}ms  {r['p50']:>6.2f}ms  {r['p95']:>5.2f}ms  "
            f"{r['max']:>5.1f}ms  {r['recompute']:>7.3f}ms  {r['naive']:>9.2f}ms  "
            f"{r['blocked']:>10.1f}ms   (p50 {r['p50'] / base:.2f}× empty)"
        )


if __name__ == "__main__":
    main()
