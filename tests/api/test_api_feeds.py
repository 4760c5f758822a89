"""A site's feed health beyond the régie: the public ``feed_health`` message, the
``feed_lost*`` variables, the feed metrics, and the journal's feed records (no OBS: the
watcher's status is a dict shaped like the real one, handed to the desk or the link)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx

from control_room.cli.journal import audit_rows
from control_room.feed_health import FEED_TARGET, feed_changes, public_loss, watchers
from control_room.hub import Client
from control_room.room import Room, SwitcherLink
from control_room.views.session import greet, handle
from control_room.wire import Role, now_ms, parse_client_message
from tests.api.test_api_operations import samples

LOST_AT = 1783415400.5  # 2026-07-07T09:10:00.5Z


def status(
    lost: bool, *, role: str | None = "on_air", reaction: str | None = None, site: str = "morlaix"
) -> dict[str, Any]:
    """The feed watcher's status of one channel (``FeedWatch.status()``), one feed."""
    name = {"morlaix": "Morlaix", "lyon": "Lyon"}[site]
    return {
        "connected": True,
        "error": None,
        "feeds": [
            {
                "site": site,
                "name": name,
                "feed": f"{name} SRT",
                "role": role,
                "health": "lost" if lost else "healthy",
                "lost": lost,
                "lost_at": LOST_AT if lost else None,
                "on_loss": "nothing" if reaction is None else reaction,
                "on_return": "propose",
                "reaction": reaction,
                "proposal": None,
                "error": None,
            }
        ],
    }


class Screen:
    """A fake connection: the decoded messages it was sent."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()

    async def send(self, text: str) -> None:
        self.messages.append(json.loads(text))
        self.arrived.set()

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == kind]

    async def wait_for(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        async with asyncio.timeout(5):
            while True:
                for message in self.messages:
                    if predicate(message):
                        return message
                self.arrived.clear()
                await self.arrived.wait()


def test_the_pure_reading_of_a_status() -> None:
    assert public_loss(status(True)) == "morlaix"
    assert public_loss(status(True, role="next")) is None  # the régie's, not the public's
    assert public_loss(status(False)) is None and public_loss(None) is None
    lost = feed_changes(None, status(True))
    assert [(c.kind, c.loss.site, c.loss.since) for c in lost] == [("lost", "morlaix", LOST_AT)]
    assert feed_changes(status(True), status(True)) == []
    back = feed_changes(status(True), status(False))
    assert [(c.kind, c.loss.feed) for c in back] == [("healthy", "Morlaix SRT")]
    gone = feed_changes(status(True), {"connected": True, "error": None, "feeds": []})
    assert [c.kind for c in gone] == ["healthy"]


def test_a_parcours_is_watched_by_the_main_channel_that_runs_it_in_parallel(room: Room) -> None:
    assert watchers(room.schedule, "morlaix") == {"morlaix", "main"}
    assert watchers(room.schedule, "main") == {"main"}


async def test_http_variables_say_which_site_lost_its_feed_and_since_when(
    client: httpx.AsyncClient, room: Room
) -> None:
    before = (await client.get("/api/variables")).json()["channels"]
    assert {
        (c["feed_lost"], c["feed_lost_site"], c["feed_lost_since"]) for c in before.values()
    } == {(False, "", "")}
    room.desk.set_feed_status("morlaix", status(True))
    lost = (await client.get("/api/variables?channels=morlaix")).json()["channels"]["morlaix"]
    assert (lost["feed_lost"], lost["feed_lost_site"]) == (True, "Morlaix")
    assert lost["feed_lost_since"] == "2026-07-07T09:10:00.500000Z"
    main = (await client.get("/api/variables?channels=main")).json()["channels"]["main"]
    assert main["feed_lost"] is False  # each channel its own
    room.desk.set_feed_status("morlaix", status(False))
    back = (await client.get("/api/variables?channels=morlaix")).json()["channels"]["morlaix"]
    assert (back["feed_lost"], back["feed_lost_site"], back["feed_lost_since"]) == (False, "", "")
    # the next site's loss counts for a button too (the régie's warning)
    room.desk.set_feed_status("morlaix", status(True, role="next"))
    ahead = (await client.get("/api/variables?channels=morlaix")).json()["channels"]["morlaix"]
    assert ahead["feed_lost"] is True


async def test_the_pushed_variables_follow_the_feed_health(
    client: httpx.AsyncClient, room: Room
) -> None:
    screen = Screen()
    connection = room.hub.client(screen.send, role=Role.VIEWER, channels=frozenset({"morlaix"}))
    room.hub.add(connection)
    sender = asyncio.create_task(connection.run())
    try:
        await handle(room, connection, parse_client_message('{"type":"variables"}'), now_ms())
        first = await screen.wait_for(lambda m: m["type"] == "variables")
        assert first["channels"]["morlaix"]["feed_lost"] is False
        room.desk.set_feed_status("morlaix", status(True))
        pushed = await screen.wait_for(
            lambda m: m["type"] == "variables" and m["channels"]["morlaix"]["feed_lost"]
        )
        assert pushed["channels"]["morlaix"]["feed_lost_site"] == "Morlaix"
    finally:
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)
        room.hub.remove(connection)


async def test_feed_health_reaches_the_screens_of_the_channel_and_of_the_main_one(
    client: httpx.AsyncClient, room: Room
) -> None:
    screens = {
        "main": Screen(),
        "morlaix": Screen(),
        "all": Screen(),
        "parcours-only": Screen(),  # follows the parcours only
    }
    views = {
        "main": frozenset({"main"}),
        "morlaix": frozenset({"morlaix"}),
        "all": None,
        "parcours-only": frozenset({"morlaix"}),
    }
    connections: dict[str, Client] = {}
    for name, screen in screens.items():
        connection = room.hub.client(screen.send, role=Role.OVERLAY, channels=views[name])
        room.hub.add(connection)
        connections[name] = connection
    senders = [asyncio.create_task(c.run()) for c in connections.values()]
    try:
        room.desk.set_feed_status("morlaix", status(True, reaction="slate"))
        for name in ("main", "morlaix", "all"):
            message = await screens[name].wait_for(lambda m: m["type"] == "feed_health")
            assert message == {
                "type": "feed_health",
                "channel": "morlaix",
                "lost": True,
                "site": "morlaix",
                "server_time": message["server_time"],
            }  # nothing internal: no OBS input, no reaction
        room.desk.set_feed_status("morlaix", status(True, reaction="slate"))  # unchanged
        room.desk.set_feed_status("main", status(True, site="lyon"))
        await screens["main"].wait_for(
            lambda m: m["type"] == "feed_health" and m["channel"] == "main"
        )
        room.desk.set_feed_status("morlaix", status(False))
        await screens["main"].wait_for(lambda m: m["type"] == "feed_health" and not m["lost"])
        await asyncio.sleep(0.05)
        assert [(m["channel"], m["lost"]) for m in screens["main"].of("feed_health")] == [
            ("morlaix", True),
            ("main", True),
            ("morlaix", False),
        ]
        # a screen following only the parcours never hears of main's own feed
        assert [m["channel"] for m in screens["parcours-only"].of("feed_health")] == [
            "morlaix",
            "morlaix",
        ]
        # the régie's detail stays the régie's
        assert not any(s.of("feeds") for s in screens.values())
    finally:
        for task in senders:
            task.cancel()
        await asyncio.gather(*senders, return_exceptions=True)
        for connection in connections.values():
            room.hub.remove(connection)


async def test_a_screen_that_connects_later_is_greeted_with_the_current_feed_health(
    client: httpx.AsyncClient, room: Room
) -> None:
    room.desk.set_feed_status("morlaix", status(True))
    room.desk.set_feed_status("main", status(False, site="lyon"))
    screen = Screen()
    connection = room.hub.client(screen.send, role=Role.OVERLAY, channels=frozenset({"main"}))
    room.hub.add(connection)
    sender = asyncio.create_task(connection.run())
    try:
        greet(room, connection)
        await screen.wait_for(lambda m: m["type"] == "feed_health" and m["channel"] == "morlaix")
        await asyncio.sleep(0.05)
        health = {m["channel"]: (m["lost"], m["site"]) for m in screen.of("feed_health")}
        assert health == {"morlaix": (True, "morlaix"), "main": (False, None)}
        kinds = [m["type"] for m in screen.messages]
        assert kinds.index("welcome") < kinds.index("feed_health")  # the welcome resets
    finally:
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)
        room.hub.remove(connection)


async def test_feed_metrics_and_records_never_count_as_switches(
    client: httpx.AsyncClient, room: Room
) -> None:
    link = SwitcherLink(room)
    link.set_feed_status("morlaix", status(True, reaction="slate"))
    await link.wait_recorded()
    found = samples((await client.get("/metrics")).text)
    lost = ("control_room_feed_lost", (("channel", "morlaix"), ("site", "morlaix")))
    losses = ("control_room_feed_losses_total", (("channel", "morlaix"), ("site", "morlaix")))
    assert (found[lost], found[losses]) == (1, 1)
    link.set_feed_status("morlaix", status(False))
    link.set_feed_status("morlaix", status(True))  # lost again
    link.set_feed_status("morlaix", status(False))
    await link.wait_recorded()
    found = samples((await client.get("/metrics")).text)
    assert (found[lost], found[losses]) == (0, 2)
    assert found[("control_room_journal_write_seconds_count", (("op", "record_switch"),))] == 4
    assert not [key for key in found if key[0].startswith("control_room_switch")]

    records = room.show.journal.switches()
    assert [(r.target, r.channel, r.scene, r.result, r.comment) for r in records] == [
        (FEED_TARGET, "morlaix", "morlaix", "lost", "slate"),
        (FEED_TARGET, "morlaix", "morlaix", "healthy", "Morlaix SRT"),
        (FEED_TARGET, "morlaix", "morlaix", "lost", "nothing"),
        (FEED_TARGET, "morlaix", "morlaix", "healthy", "Morlaix SRT"),
    ]
    assert records[0].asked_at.timestamp() == LOST_AT  # dated when the loss began
    assert records[0].show_at == room.show.clock.show_time(LOST_AT)
    rows = audit_rows(room.show.journal)
    assert [row.kind for row in rows if row.ref.startswith("s")] == ["feed"] * 4


async def test_a_loss_of_the_next_site_is_recorded_as_such(room: Room) -> None:
    link = SwitcherLink(room)
    link.set_feed_status("morlaix", status(True, role="next"))
    await link.wait_recorded()
    (record,) = room.show.journal.switches()
    assert (record.result, record.comment) == ("lost", "nothing (next)")
