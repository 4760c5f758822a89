"""A rehearsal at 120x: every client receives every transition, in order, on cue."""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
from pathlib import Path
from typing import Any

from conftest import SHORT_DAY

from control_room.core.document import state_document
from control_room.core.timeline import next_change_after, state
from control_room.schedule_file import load_schedule
from tests.support.server import run_server
from tests.support.ws import Message, WsClient

SCHEDULE = load_schedule(SHORT_DAY)
START = dt.datetime(2026, 7, 7, 9, 54, tzinfo=SCHEDULE.event.timezone)  # 3 s before 10:00
SPEED = 120


def expected_cues() -> list[tuple[dt.datetime, list[dict[str, Any]]]]:
    """Every change of the untouched day after START, with the channels it shows."""
    out = []
    t: dt.datetime | None = START
    while (t := next_change_after(SCHEDULE, [], t)) is not None:
        out.append((t, state_document(SCHEDULE, state(SCHEDULE, [], t))["channels"]))
    return out


def view_changes(
    cues: list[tuple[dt.datetime, list[dict[str, Any]]]], view: set[str] | None
) -> list[dt.datetime]:
    """The cues at which a client following ``view`` must receive a state."""
    before = state_document(SCHEDULE, state(SCHEDULE, [], START))["channels"]
    changes = []
    for t, channels in cues:
        mine = [c for c in channels if view is None or c["id"] in view]
        old = [c for c in before if view is None or c["id"] in view]
        if mine != old:
            changes.append(t)
        before = channels
    return changes


def cue_wall_ms(message: Message) -> float:
    clock = message["clock"]
    cue = dt.datetime.fromisoformat(message["cause"]["cue"])
    origin = dt.datetime.fromisoformat(clock["origin_show"])
    return float(clock["origin_wall_ms"]) + (cue - origin).total_seconds() * 1000 / clock["speed"]


def lateness(messages: list[Message]) -> tuple[list[float], list[float]]:
    server = [m["server_time"] - cue_wall_ms(m) for m in messages]
    received = [m["_received_ms"] - cue_wall_ms(m) for m in messages]
    return server, received


def summary(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{label}: n={len(values)} median={statistics.median(values):.2f} ms "
        f"p95={p95:.2f} ms max={max(values):.2f} ms"
    )


async def test_every_client_receives_every_transition_in_order(tmp_path: Path) -> None:
    cues = expected_cues()
    views: dict[str, tuple[dict[str, Any], set[str] | None]] = {
        "viewer-all": ({"role": "viewer", "channels": None}, None),
        "overlay-main": ({"role": "overlay", "channels": ["main"]}, {"main"}),
        "timer-morlaix": ({"role": "timer", "channels": ["morlaix"]}, {"morlaix"}),
        "overlay-both": ({"role": "overlay", "channels": ["main", "morlaix"]}, None),
    }
    with run_server(SHORT_DAY, data_dir=tmp_path / "data", at=START.isoformat(), speed=SPEED) as s:
        views["regie"] = ({"role": "regie", "token": s.token}, None)
        async with asyncio.TaskGroup() as group:
            tasks = {
                name: group.create_task(follow(s.ws_url, hello, len(view_changes(cues, view))))
                for name, (hello, view) in views.items()
            }
        health = s.get_json("/-/health")

    all_server: list[float] = []
    all_received: list[float] = []
    for name, task in tasks.items():
        received = task.result()
        snapshot, pushes = received[0], received[1:]
        # The snapshot came before the first cue: nothing was missed before we connected.
        assert all(c["status"] == "before" for c in snapshot["state"]["channels"]), name
        assert [m["cause"]["kind"] for m in pushes] == ["cue"] * len(pushes), name
        got = [dt.datetime.fromisoformat(m["cause"]["cue"]) for m in pushes]
        assert got == view_changes(cues, views[name][1]), name
        seqs = [m["seq"] for m in received]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), name
        expected_by_cue = dict(cues)
        for message, t in zip(pushes, got, strict=True):
            wanted = [c for c in expected_by_cue[t] if c["id"] in (views[name][1] or {c["id"]})]
            assert message["state"]["channels"] == wanted, (name, t)
        server, client = lateness(pushes)
        all_server += server
        all_received += client
        assert min(server) >= 0, (name, "a push left before its cue")

    print()
    print(f"rehearsal at {SPEED}x, {len(cues)} cues, {len(views)} clients")
    print(summary("server stamp - cue instant", all_server))
    print(summary("client receipt - cue instant", all_received))
    print(f"server: {health['cue_wake_late_ms']} (scheduler wake-up lateness)")


async def follow(url: str, hello: dict[str, Any], count: int) -> list[Message]:
    """Connect, say hello, collect the snapshot and ``count`` pushes (deadline: 30 s)."""
    async with WsClient.connect(url, hello=hello) as client:
        # One welcome on connect, and one answering the hello if it changed the subscription:
        # once the ping is answered, the pushes follow the last welcome.
        await client.request({"type": "ping", "t0": 0.0})
        mark = client.messages.index(client.of_type("welcome")[-1])

        def states() -> list[Message]:
            return [m for m in client.messages[mark:] if m["type"] == "state"]

        await client.wait_for(
            lambda m: len(states()) >= count + 1,
            timeout=30,
            after=mark,
            what=f"{count} pushes for {hello}",
        )
        return states()
