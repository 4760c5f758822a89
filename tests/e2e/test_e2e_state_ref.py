"""The state by reference over a real websocket: one greeting, then small deltas in order.

A client that asks for ``state=ref`` gets one ``welcome`` and one ``live`` snapshot per
connection (the hello that confirms the URL's subscription brings nothing more), then a
``delta`` per change of what it follows: merge patches whose ``seq`` grows and whose
``base`` is the publication the patch applies to. Applied to the snapshot they give the
live document a new connection gets; each is a few hundred bytes at most. A client that
does not ask still gets whole ``state`` messages.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from control_room.core.live_document import apply_patch
from tests.support.server import RunningServer


class Raw:
    """A websocket client that keeps every text frame as received (sizes are exact)."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.texts: list[str] = []
        self._arrived = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.connection:
            assert isinstance(raw, str)
            self.texts.append(raw)
            self._arrived.set()

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(t) for t in self.texts]

    def of(self, *kinds: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] in kinds]

    async def until(self, count: int, *kinds: str, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Until ``count`` messages of ``kinds`` arrived (then those)."""
        async with asyncio.timeout(timeout):
            while len(self.of(*kinds)) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.of(*kinds)

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def pong(self) -> None:
        """Until the server answered a ping: everything it sent before is in."""
        mark = len(self.of("pong"))
        await self.send({"type": "ping", "id": 1, "t0": 0.0})
        await self.until(mark + 1, "pong")


@asynccontextmanager
async def raw(url: str, query: str) -> AsyncIterator[Raw]:
    async with connect(
        url + query, compression=None, max_size=None, ping_interval=None
    ) as connection:
        client = Raw(connection)
        try:
            yield client
        finally:
            client._reader.cancel()
            await asyncio.gather(client._reader, return_exceptions=True)


def post(server: RunningServer, command: dict[str, Any]) -> int:
    status, body = server.command(command)
    assert status == 200, body
    return int(body["state_seq"])


async def test_a_compact_client_gets_one_welcome_one_snapshot_then_deltas_in_order(
    long_day_server: RunningServer,
) -> None:
    s = long_day_server
    async with raw(s.ws_url, "?role=timer&channels=main&state=ref") as timer:
        await timer.send({"type": "hello", "role": "timer", "channels": ["main"], "state": "ref"})
        await timer.pong()
        greeting = [m["type"] for m in timer.messages if m["type"] != "pong"]
        assert greeting == ["welcome", "live"]
        welcome, live = timer.of("welcome")[0], timer.of("live")[0]
        assert welcome["state"] == "ref" and welcome["boot"]
        assert live["cause"] == {"kind": "snapshot"}
        assert set(live["channels"]) == {"main"}
        assert live["instants"] == {"prefix": "2026-07-07T", "suffix": "+02:00"}
        main = live["channels"]["main"]
        assert main["now"]["id"] == "matin" and main["status"] == "on_air"
        assert "title" not in main["now"]  # titles are the schedule's, fetched once
        commands = [
            {"type": "message", "channel": "main", "audience": "viewers", "text": "Merci"},
            {"type": "slate", "channel": "main", "text": "Coupure réseau"},
            {"type": "extend", "channel": "main", "minutes": 5},
            {"type": "hold", "channel": "main"},
            {"type": "extend", "channel": "lille", "minutes": 5},  # not followed: no delta
            {"type": "slate_clear", "channel": "main"},
        ]
        seqs = [post(s, c) for c in commands]
        deltas = await timer.until(5, "delta")
        await timer.pong()
        assert len(timer.of("delta")) == 5
        assert [d["seq"] for d in deltas] == [seqs[0], seqs[1], seqs[2], seqs[3], seqs[5]]
        doc, at = dict(live["channels"]), live["seq"]
        for d in deltas:
            assert d["base"] <= at < d["seq"]
            assert set(d["channels"]) == {"main"}
            doc = apply_patch(doc, d["channels"])
            at = d["seq"]
        sizes = [len(t.encode()) for t in timer.texts if '"type":"delta"' in t]
        assert max(sizes) <= 300, [t for t in timer.texts if "delta" in t]
        assert deltas[1]["channels"]["main"]["slate"]["text"] == "Coupure réseau"
        assert deltas[3]["channels"]["main"] == {"held": True}
        # The patched document is what a new connection gets.
        async with raw(s.ws_url, "?role=timer&channels=main&state=ref") as fresh:
            snapshot = (await fresh.until(1, "live"))[0]
        assert snapshot["seq"] == at
        assert snapshot["channels"] == doc


async def test_a_hello_that_changes_the_subscription_brings_a_new_snapshot(
    long_day_server: RunningServer,
) -> None:
    s = long_day_server
    async with raw(s.ws_url, "?role=viewer&state=ref") as client:
        await client.until(1, "live")
        assert set(client.of("live")[0]["channels"]) == {"main", "lille"}
        await client.send({"type": "hello", "role": "overlay", "channels": ["lille"]})
        lives = await client.until(2, "live")
        assert set(lives[1]["channels"]) == {"lille"}
        assert [m["type"] for m in client.messages] == ["welcome", "live", "welcome", "live"]
        # Back to whole states, by the hello alone.
        await client.send(
            {"type": "hello", "role": "overlay", "channels": ["lille"], "state": "full"}
        )
        state = (await client.until(1, "state"))[0]
        assert [c["id"] for c in state["state"]["channels"]] == ["lille"]
        assert client.of("welcome")[-1]["state"] == "full"


async def test_a_client_without_the_opt_in_still_gets_whole_states(
    long_day_server: RunningServer,
) -> None:
    s = long_day_server
    async with raw(s.ws_url, "?role=overlay&channels=main") as overlay:
        await overlay.send({"type": "hello", "role": "overlay", "channels": ["main"]})
        await overlay.pong()
        assert [m["type"] for m in overlay.messages if m["type"] != "pong"] == [
            "welcome",
            "state",
        ]
        seq = post(s, {"type": "slate", "channel": "main", "text": "Coupure"})
        states = await overlay.until(2, "state")
        assert states[1]["seq"] == seq
        main = states[1]["state"]["channels"][0]
        assert main["slate"]["text"] == "Coupure" and main["title"] == "Plénière"
        assert overlay.of("delta", "live") == []
        assert states[1]["state"]["channels"] == s.get_json("/api/state?channels=main")["channels"]


async def test_an_unknown_state_mode_in_the_url_is_named_and_whole_states_are_sent(
    long_day_server: RunningServer,
) -> None:
    async with raw(long_day_server.ws_url, "?state=tiny") as client:
        await client.pong()
        error = client.of("error")[0]
        assert "?state='tiny'" in error["error"] and "'ref'" in error["error"]
        assert [m["type"] for m in client.messages][:2] == ["welcome", "state"]
