"""The show in-process: the room built as the server builds it, an injected clock, fake
connections recording what they are sent. No subprocess, no socket, no sleep that guesses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from control_room import auth
from control_room.clock import epoch, rehearsal_clock
from control_room.core import timeline
from control_room.core.schedule import Schedule
from control_room.dispatch import Caller, Outcome
from control_room.hub import Client
from control_room.journal import Journal
from control_room.room import Room, build_room
from control_room.schedule_file import load_schedule
from control_room.views.session import greet
from control_room.wire import Role

DAY = Path(__file__).resolve().parents[1] / "schedules" / "rnct-2026-07-07.yaml"
OPERATOR = Caller(who="Anna", identity=auth.OPERATOR)
SENDERS: dict[int, list[asyncio.Task[None]]] = {}
"""Each room's connections' sender tasks, cancelled when the room is torn down."""


class Wall:
    """An injected wall clock (epoch seconds) the test moves by hand."""

    def __init__(self, start: float) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Screen:
    """A fake connection: the decoded messages it was sent, waited for by predicate."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._arrived = asyncio.Condition()

    async def send(self, text: str) -> None:
        async with self._arrived:
            self.messages.append(json.loads(text))
            self._arrived.notify_all()

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == kind]

    async def wait_for(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        async with asyncio.timeout(5), self._arrived:
            while True:
                for message in self.messages:
                    if predicate(message):
                        return message
                await self._arrived.wait()


@pytest.fixture(scope="module")
def schedule() -> Schedule:
    return load_schedule(DAY)


@pytest.fixture
def wall() -> Wall:
    return Wall(1_800_000_000.0)


@pytest.fixture
async def room(schedule: Schedule, wall: Wall, tmp_path: Path) -> AsyncIterator[Room]:
    at = datetime.fromisoformat("2026-07-07T09:55:00+02:00")
    clock = rehearsal_clock(at, 1.0, wall=wall)
    journal = Journal.open(tmp_path / "data")
    built = build_room(schedule, clock, journal, token="secret", tick_seconds=0)
    built.show.recompute({"kind": "start"})  # what start() does, without the real alarm
    built.hub.on_presence = None  # presence is coalesced on a real timer: not under test here
    yield built
    tasks = SENDERS.pop(id(built), [])
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await built.show.stop()
    built.writer.shutdown()
    journal.close()


def connect(room: Room, *, role: Role, channels: frozenset[str] | None = None) -> Screen:
    """A screen connected as the websocket session connects one (welcome, snapshot...)."""
    screen = Screen()
    client: Client = room.hub.client(screen.send, role=role, channels=channels)
    client.authenticated = role is Role.REGIE
    room.hub.add(client)
    greet(room, client)
    SENDERS.setdefault(id(room), []).append(asyncio.create_task(client.run()))
    return screen


def channel(message: dict[str, Any], channel_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in message["state"]["channels"] if c["id"] == channel_id)
    return found


async def test_a_screen_gets_a_welcome_then_a_snapshot_of_what_it_follows(room: Room) -> None:
    screen = connect(room, role=Role.TIMER, channels=frozenset({"parcours-1"}))
    snapshot = await screen.wait_for(lambda m: m["type"] == "state")
    assert screen.messages[0]["type"] == "welcome"
    assert screen.messages[0]["channels"] == ["parcours-1"]
    assert snapshot["cause"] == {"kind": "snapshot"}
    assert [c["id"] for c in snapshot["state"]["channels"]] == ["parcours-1"]


async def test_a_command_is_journaled_published_and_shown_in_the_regie_journal(
    room: Room,
) -> None:
    regie = connect(room, role=Role.REGIE)
    timer = connect(room, role=Role.TIMER, channels=frozenset({"main"}))
    await timer.wait_for(lambda m: m["type"] == "state")
    command = {"type": "message", "channel": "main", "audience": "moderators", "text": "Concluez"}
    result = await room.dispatcher.submit(command, OPERATOR)
    assert result.outcome is Outcome.APPLIED and result.seq == 1
    pushed = await timer.wait_for(
        lambda m: m["type"] == "state" and m["cause"] == {"kind": "command", "seq": 1}
    )
    assert channel(pushed, "main")["messages"]["moderators"]["text"] == "Concluez"
    entry = await regie.wait_for(lambda m: m["type"] == "journal" and not m["snapshot"])
    assert entry["entries"][0]["who"] == "Anna"
    assert entry["entries"][0]["text"] == "message main (moderators) «Concluez»"
    assert [r.command for r in room.show.journal.records()] == [command]


async def test_a_command_applies_only_itself_never_the_journal_again(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    for text in ("Bonjour", "Encore 5 minutes", "Concluez"):
        message = {"type": "message", "channel": "main", "audience": "moderators", "text": text}
        assert (await room.dispatcher.submit(message, OPERATOR)).ok
    replays: list[int] = []
    applied: list[str] = []
    full_replay, apply_command = timeline.replay, timeline.apply_command

    def counted_replay(*args: Any) -> Any:
        replays.append(1)
        return full_replay(*args)

    def counted_apply(runs: Any, schedule: Any, entry: Any, at: Any) -> None:
        applied.append(entry.command.type)
        apply_command(runs, schedule, entry, at)

    monkeypatch.setattr(timeline, "replay", counted_replay)
    monkeypatch.setattr(timeline, "apply_command", counted_apply)
    result = await room.dispatcher.submit({"type": "hold", "channel": "main"}, OPERATOR)
    assert result.ok
    assert replays == [] and applied == ["hold"]  # not the three messages again
    room.show.recompute({"kind": "tick"})
    assert replays == [] and applied == ["hold"]


async def test_a_screen_following_other_channels_is_not_sent_a_change(room: Room) -> None:
    lyon = connect(room, role=Role.TIMER, channels=frozenset({"parcours-3"}))
    main = connect(room, role=Role.TIMER, channels=frozenset({"main"}))
    await lyon.wait_for(lambda m: m["type"] == "state")
    await room.dispatcher.submit({"type": "slate", "channel": "main", "text": "Coupure"}, OPERATOR)
    await main.wait_for(lambda m: m["type"] == "state" and m["cause"]["kind"] == "command")
    # a message sent after the change reaches every screen after it: the order is the proof
    room.hub.broadcast('{"type":"marker"}')
    await lyon.wait_for(lambda m: m["type"] == "marker")
    assert [m["cause"]["kind"] for m in lyon.of("state")] == ["snapshot"]


async def test_the_clock_reaching_a_cue_publishes_the_next_segment(room: Room, wall: Wall) -> None:
    timer = connect(room, role=Role.TIMER, channels=frozenset({"main"}))
    before = await timer.wait_for(lambda m: m["type"] == "state")
    assert channel(before, "main")["status"] == "before"
    cue = room.show.alarm.next_cue
    assert cue is not None and cue == datetime.fromisoformat("2026-07-07T10:00:00+02:00")
    wall.advance(epoch(cue) - epoch(room.show.now()))
    assert room.show.recompute({"kind": "cue", "cue": cue.isoformat()}, at=cue)
    after = await timer.wait_for(lambda m: m["type"] == "state" and m["cause"]["kind"] == "cue")
    assert channel(after, "main")["status"] == "on_air"
    assert room.show.alarm.next_cue is not None and room.show.alarm.next_cue > cue


async def test_the_safety_tick_publishes_nothing_when_nothing_changed(
    room: Room, wall: Wall
) -> None:
    seq = room.show.seq
    wall.advance(1.0)
    assert room.show.recompute({"kind": "tick"}) is False
    assert room.show.seq == seq


async def test_commands_without_the_token_or_unreadable_or_refused_change_nothing(
    room: Room,
) -> None:
    anonymous = Caller(who="x", identity=None)
    refused = await room.dispatcher.submit({"type": "hold", "channel": "main"}, anonymous)
    assert refused.outcome is Outcome.UNAUTHORIZED
    invalid = await room.dispatcher.submit({"type": "extend", "channel": "main"}, OPERATOR)
    assert invalid.outcome is Outcome.INVALID and (
        invalid.error == "extend: give minutes or seconds (one of them)"
    )
    rejected = await room.dispatcher.submit({"type": "release", "channel": "main"}, OPERATOR)
    assert rejected.outcome is Outcome.REJECTED and rejected.error == "release: main is not held"
    assert room.show.journal.records() == [] and room.show.entries == []


async def test_a_journal_that_cannot_be_written_applies_nothing(room: Room) -> None:
    seq = room.show.seq
    room.show.journal.close()
    result = await room.dispatcher.submit({"type": "hold", "channel": "main"}, OPERATOR)
    assert result.outcome is Outcome.FAILED and result.error is not None
    assert result.error.startswith("not applied:")
    assert room.show.entries == [] and room.show.seq == seq
    assert not room.show.state.channel("main").held


async def test_a_moderator_acknowledgement_reaches_the_regie_once_journaled(room: Room) -> None:
    regie = connect(room, role=Role.REGIE)
    text = {"type": "message", "channel": "main", "audience": "moderators", "text": "Encore 5 min"}
    result = await room.dispatcher.submit(text, OPERATOR)
    assert result.seq is not None
    await room.desk.ack("main", result.seq, "Camille")
    acks = await regie.wait_for(lambda m: m["type"] == "acks" and m["acks"])
    assert acks["channel"] == "main" and acks["message_id"] == result.seq
    assert [a["name"] for a in acks["acks"]] == ["Camille"]
    assert [a.name for a in room.show.journal.acks()] == ["Camille"]
    with pytest.raises(ValueError, match="no longer shown"):
        await room.desk.ack("main", result.seq + 1, "Camille")


async def test_a_viewer_never_sees_the_desk(room: Room) -> None:
    viewer = connect(room, role=Role.VIEWER)
    await room.dispatcher.submit({"type": "hold", "channel": "main"}, OPERATOR)
    await viewer.wait_for(lambda m: m["type"] == "state" and m["cause"]["kind"] == "command")
    assert {m["type"] for m in viewer.messages} == {"welcome", "state"}


def test_state_at_any_instant_is_computed_without_publishing(room: Room) -> None:
    seq = room.show.seq
    later = datetime.fromisoformat("2026-07-07T11:50:00+02:00")
    doc = room.show.state_at(later)
    main = next(c for c in doc["channels"] if c["id"] == "main")
    assert main["status"] == "on_air" and room.show.seq == seq
    assert doc["at"] == later.isoformat()


def connect_compact(
    room: Room, *, role: Role, channels: frozenset[str] | None = None
) -> tuple[Screen, Client]:
    """A screen that asked for the state by reference (``?state=ref``)."""
    screen = Screen()
    client: Client = room.hub.client(screen.send, role=role, channels=channels)
    client.compact = True
    room.hub.add(client)
    greet(room, client)
    SENDERS.setdefault(id(room), []).append(asyncio.create_task(client.run()))
    return screen, client


async def test_a_compact_screen_gets_a_live_snapshot_then_deltas_of_its_channels_only(
    room: Room, wall: Wall
) -> None:
    timer, _ = connect_compact(room, role=Role.TIMER, channels=frozenset({"main"}))
    full = connect(room, role=Role.OVERLAY, channels=frozenset({"main"}))
    live = await timer.wait_for(lambda m: m["type"] == "live")
    assert [m["type"] for m in timer.messages] == ["welcome", "live"]
    assert timer.messages[0]["state"] == "ref"
    assert list(live["channels"]) == ["main"] and live["seq"] == room.show.seq
    caller = Caller(who="test", identity=room.auth.check("secret"))
    for command in (
        {"type": "slate", "channel": "main", "text": "Coupure"},
        {"type": "slate", "channel": "parcours-1", "text": "Coupure"},  # not followed
        {"type": "hold", "channel": "main"},
    ):
        result = await room.dispatcher.submit(command, caller)
        assert result.outcome is Outcome.APPLIED, result.error
    await timer.wait_for(lambda m: m["type"] == "delta" and m["seq"] == room.show.seq)
    deltas = timer.of("delta")
    assert [d["channels"] for d in deltas] == [
        {"main": {"slate": {"text": "Coupure", "since": deltas[0]["at"]}}},
        {"main": {"held": True}},
    ]
    assert deltas[0]["base"] == live["seq"] and deltas[1]["base"] == deltas[0]["seq"]
    assert deltas[1]["seq"] == deltas[0]["seq"] + 2  # parcours-1's change skipped it
    await full.wait_for(lambda m: m["type"] == "state" and m["seq"] == room.show.seq)
    assert full.of("delta") == [] and full.of("live") == []


async def test_snapshots_are_encoded_once_per_publication_and_stamped_when_sent(
    room: Room, wall: Wall
) -> None:
    show = room.show
    first = json.loads(show.snapshot_text(None, compact=True))
    wall.advance(3)
    again = json.loads(show.snapshot_text(None, compact=True))
    assert first["channels"] == again["channels"] and first["seq"] == again["seq"]
    assert again["server_time"] > 0 and first["type"] == "live"
    full = json.loads(show.snapshot_text(frozenset({"main"})))
    assert full["type"] == "state" and full["server_time"] > 0
    assert [c["id"] for c in full["state"]["channels"]] == ["main"]
