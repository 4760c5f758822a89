"""Acknowledgements: a flood without a moderator link writes nothing; with one, the limits
keep it to a handful of journal rows (the journal's writer thread is the operator's too)."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from typing import Any

import pytest

from control_room.desk import AckLimits, AckRefused, TokenBucket
from control_room.room import Room
from tests.security.helpers import journal_acks, make_token, ws_client
from tests.support.server import RunningServer
from tests.support.ws import WsClient

FLOOD = 50  # acknowledgements per socket (below the queue limit: the answers fit)


async def _message(server: RunningServer) -> int:
    async with ws_client(server, hello={"role": "regie", "token": server.token}) as regie:
        shown = await regie.command(
            {"type": "message", "channel": "lille", "audience": "moderators", "text": "2 min"}
        )
    seq: int = shown["seq"]
    return seq


async def _flood(client: WsClient, message_id: int, tag: str) -> list[dict[str, Any]]:
    mark = len(client.messages)
    for i in range(FLOOD):
        name = f"{tag}-{i}"
        await client.send(
            {"type": "ack", "channel": "lille", "message_id": message_id, "name": name}
        )
    # A ping after the flood: its pong comes after every answer to the acks before it.
    await client.request({"type": "ping", "t0": 0})
    return [m for m in client.messages[mark:] if m["type"] == "error"]


async def test_an_ack_flood_without_a_moderator_link_writes_nothing(
    server: RunningServer,
) -> None:
    message_id = await _message(server)
    async with (
        ws_client(server, hello={"role": "timer", "channels": ["lille"]}) as a,
        ws_client(server, hello={"role": "timer", "channels": ["lille"]}) as b,
        ws_client(server, hello={"role": "timer", "channels": ["lille"]}) as c,
    ):
        errors = await asyncio.gather(
            _flood(a, message_id, "a"), _flood(b, message_id, "b"), _flood(c, message_id, "c")
        )
    assert [len(e) for e in errors] == [FLOOD] * 3
    assert all("moderator" in e["error"] for found in errors for e in found)
    assert journal_acks(server) == []


async def test_an_ack_flood_with_a_moderator_link_is_limited(server: RunningServer) -> None:
    token = make_token(server, "moderator", ["lille"], "Modération Lille")
    message_id = await _message(server)
    hello = {"role": "timer", "channels": ["lille"], "token": token}
    async with (
        ws_client(server, hello=hello) as a,
        ws_client(server, hello=hello) as b,
        ws_client(server, hello=hello) as c,
    ):
        errors = await asyncio.gather(
            _flood(a, message_id, "a"), _flood(b, message_id, "b"), _flood(c, message_id, "c")
        )
    rows = journal_acks(server)
    # A burst of 5 per link, and the little refilled while the flood lasts.
    assert 3 * 5 <= len(rows) <= 3 * 8, len(rows)
    assert sum(len(e) for e in errors) == 3 * FLOOD - len(rows)
    assert any("too many" in e["error"] for found in errors for e in found)


async def test_one_name_acknowledges_one_message_once(server: RunningServer) -> None:
    token = make_token(server, "moderator", ["lille"], "Modération Lille")
    message_id = await _message(server)
    hello = {"role": "timer", "channels": ["lille"], "token": token}
    async with ws_client(server, hello=hello) as mod:
        ack = {"type": "ack", "channel": "lille", "message_id": message_id, "name": "Zoé"}
        await mod.send(ack)
        await mod.send(ack)
        again = await mod.wait_for(lambda m: m["type"] == "error", what="the second ack refused")
    assert "already acknowledged" in again["error"]
    assert [a["name"] for a in journal_acks(server)] == ["Zoé"]


async def test_a_moderator_of_another_channel_may_not_acknowledge(server: RunningServer) -> None:
    token = make_token(server, "moderator", ["main"], "Modération Main")
    message_id = await _message(server)
    hello = {"role": "timer", "channels": ["lille"], "token": token}
    async with ws_client(server, hello=hello) as mod:
        await mod.send({"type": "ack", "channel": "lille", "message_id": message_id})
        refused = await mod.wait_for(lambda m: m["type"] == "error", what="the ack refused")
    assert "forbidden" in refused["error"]
    assert journal_acks(server) == []


def test_a_token_bucket_gives_a_burst_then_its_rate() -> None:
    bucket = TokenBucket(capacity=3, rate=1.0)
    assert [bucket.take("k", 0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take("k", 0.5) is False
    assert bucket.take("k", 1.0) is True
    assert bucket.take("other", 1.0) is True  # one bucket per key


def test_the_channel_bucket_bounds_many_links_together() -> None:
    limits = AckLimits(per_connection=TokenBucket(5, 0.5), per_channel=TokenBucket(30, 2.0))
    links: list[Hashable] = [object() for _ in range(100)]
    admitted = sum(limits.admit(link, "lille", 0.0) is None for link in links)
    assert admitted == 30


async def test_the_desk_refuses_past_the_limit_and_writes_nothing(room: Room) -> None:
    await room.start()
    try:
        from control_room.auth import OPERATOR
        from control_room.dispatch import Caller

        shown = await room.dispatcher.submit(
            {"type": "message", "channel": "lille", "audience": "moderators", "text": "go"},
            Caller("Ana", identity=OPERATOR),
        )
        assert shown.seq is not None
        link = object()
        for i in range(5):
            await room.desk.ack("lille", shown.seq, f"m{i}", connection=link, now=0.0)
        with pytest.raises(AckRefused, match="too many"):
            await room.desk.ack("lille", shown.seq, "m5", connection=link, now=0.0)
        assert len(room.show.journal.acks()) == 5
    finally:
        await room.stop()
