"""The flat variables a Companion button shows: over HTTP, and pushed on the websocket to the
clients that asked for them, after every change."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

from control_room import auth
from control_room.dispatch import Caller
from control_room.room import Room
from control_room.variables import channel_variables, clock_text, short_title
from control_room.views.session import handle
from control_room.wire import Role, now_ms, parse_client_message

OPERATOR = Caller(who="Ana", identity=auth.OPERATOR)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(754, "12:34"), (0, "00:00"), (-65, "-01:05"), (3723, "1:02:03"), (-3600, "-1:00:00")],
)
def test_a_duration_reads_as_a_countdown(seconds: int, text: str) -> None:
    assert clock_text(seconds) == text


def test_a_short_title_is_cut_at_a_word_with_an_ellipsis() -> None:
    assert short_title("Table ronde") == "Table ronde"
    assert short_title("Les territoires face aux transitions") == "Les territoires…"
    assert len(short_title("x" * 40)) == 18


def test_a_channel_on_air_gives_its_site_titles_and_time_left(room: Room) -> None:
    main = room.show.state_at(datetime.fromisoformat("2026-07-07T10:07:00+02:00"))["channels"][0]
    flat = channel_variables(main, datetime.fromisoformat("2026-07-07T10:07:00.4+02:00"))
    assert flat["site"] == "paris" and flat["site_name"] == "Paris" and flat["site_city"] == "Paris"
    assert (flat["now_title"], flat["next_title"]) == ("Table ronde", "Parcours au choix")
    assert (flat["remaining"], flat["remaining_seconds"], flat["overtime"]) == ("02:00", 120, False)
    assert all(value is not None for key, value in flat.items() if key != "remaining_seconds")


def test_past_its_end_a_segment_shows_its_overtime_negative(room: Room) -> None:
    main = room.show.state_at(datetime.fromisoformat("2026-07-07T10:07:00+02:00"))["channels"][0]
    flat = channel_variables(main, datetime.fromisoformat("2026-07-07T10:10:05+02:00"))
    assert (flat["remaining"], flat["remaining_seconds"], flat["overtime"]) == ("-01:05", -65, True)


async def test_http_variables_say_hold_slate_and_message_after_commands(
    client: httpx.AsyncClient, room: Room
) -> None:
    for command in (
        {"type": "hold", "channel": "main"},
        {"type": "slate", "channel": "main", "text": "Coupure"},
        {"type": "message", "channel": "main", "audience": "moderators", "text": "2 min"},
    ):
        assert (await room.dispatcher.submit(command, OPERATOR)).ok
    body = (await client.get("/api/variables?channels=main")).json()
    assert set(body["channels"]) == {"main"} and body["server_time"] > 0
    main = body["channels"]["main"]
    assert (main["held"], main["hold"], main["slate"], main["slate_text"]) == (
        True,
        "HOLD",
        True,
        "Coupure",
    )
    assert main["message_moderators"] == "2 min" and main["message_shown"] is True


class Screen:
    """A fake connection: the decoded messages it was sent."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()

    async def send(self, text: str) -> None:
        self.messages.append(json.loads(text))
        self.arrived.set()

    async def wait_for(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        async with asyncio.timeout(5):
            while True:
                for message in self.messages:
                    if predicate(message):
                        return message
                self.arrived.clear()
                await self.arrived.wait()


async def test_a_websocket_client_that_asks_gets_variables_now_and_after_each_change(
    client: httpx.AsyncClient, room: Room
) -> None:
    asker, other = Screen(), Screen()
    connections = []
    for screen in (asker, other):
        connection = room.hub.client(screen.send, role=Role.VIEWER, channels=frozenset({"main"}))
        room.hub.add(connection)
        connections.append(connection)
    senders = [asyncio.create_task(c.run()) for c in connections]
    try:
        await handle(room, connections[0], parse_client_message('{"type":"variables"}'), now_ms())
        first = await asker.wait_for(lambda m: m["type"] == "variables")
        assert set(first["channels"]) == {"main"} and first["channels"]["main"]["held"] is False
        assert (await room.dispatcher.submit({"type": "hold", "channel": "main"}, OPERATOR)).ok
        pushed = await asker.wait_for(
            lambda m: m["type"] == "variables" and m["channels"]["main"]["held"]
        )
        assert pushed["channels"]["main"]["hold"] == "HOLD"
        await other.wait_for(lambda m: m["type"] == "state")
        assert not [m for m in other.messages if m["type"] == "variables"]
    finally:
        for task in senders:
            task.cancel()
        await asyncio.gather(*senders, return_exceptions=True)
        for connection in connections:
            room.hub.remove(connection)
