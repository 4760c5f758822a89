"""One follower in-process: its answer to a forwarded command waits for its state.

CI once saw a follower acknowledge its own command with the state before it: the copy
was in the local journal (written on the writer thread) a moment before the engine held
it, and the wait looked at the journal. Here the journal holds the entry, the state does
not yet, and the answer must wait until it does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from cluster_harness import SCHEDULE, RedisServer
from redis.asyncio import Redis

from control_room.clock import rehearsal_clock
from control_room.cluster.keys import Keys
from control_room.cluster.node import Node
from control_room.journal import Journal, entry_row
from control_room.room import Room, build_room
from control_room.schedule_file import load_schedule

AT = datetime.fromisoformat("2026-07-07T10:30:00+02:00")


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Room]:
    journal = Journal.open(tmp_path / "data")
    built = build_room(
        load_schedule(SCHEDULE), rehearsal_clock(AT, 1.0), journal, token="t", tick_seconds=0
    )
    built.show.recompute({"kind": "start"})
    built.hub.on_presence = None
    yield built
    await built.show.stop()
    built.writer.shutdown()
    journal.close()


def slate_of(room: Room) -> str | None:
    state = room.show.state.channels[0].slate
    return None if state is None else state.text


async def test_a_forwarded_answer_waits_for_the_state_not_only_the_journal(
    room: Room, redis_server: RedisServer
) -> None:
    redis = Redis(host="127.0.0.1", port=redis_server.port, decode_responses=True)
    node = Node(room, redis, Keys.of("rnct"), node_id="test:1:a")
    channel = room.show.schedule.channels[0].id
    row = entry_row(
        wall=1_800_000_000.0,
        show=AT,
        who="n0",
        command={"type": "slate", "channel": channel, "text": "r0-n1"},
    )
    record = room.show.journal.append_row(1, row)  # the writer thread's part is done
    answered = asyncio.create_task(node.forwarder.applied(1))
    for _ in range(5):
        await asyncio.sleep(0)
    assert room.show.journal.last_seq == 1
    assert not answered.done(), "answered while the state did not hold the command"
    assert slate_of(room) != "r0-n1"

    await room.show.apply_replicated(record)
    async with node._applied:
        node._applied.notify_all()  # as the follower's copy does once it applied an entry
    await asyncio.wait_for(answered, timeout=1.0)
    assert slate_of(room) == "r0-n1"
    await redis.aclose()
