"""The main overlay's parcours box, in a real Chromium, when a parcours' site loses its
feed with no reaction configured (``on_loss = "nothing"``: no slate): « Interruption
momentanée » from the public ``feed_health`` message, and back when the feed returns.

The server is the app in-process (the room built here) on a real uvicorn, through
control-room's own protocol classes, on a free loopback port in a thread; the test hands
the desk a feed watcher's status in the server's loop, as the watcher would.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from control_room import transport
from control_room.app import create_app
from control_room.clock import rehearsal_clock
from control_room.journal import Journal
from control_room.room import Room, build_room
from control_room.schedule_file import load_schedule
from tests.browser.conftest import Screens

SHORT_DAY = Path(__file__).resolve().parents[1] / "e2e" / "short-day.yaml"
ITEM = "#parallel-list li[data-channel='morlaix'] .parallel-where"


def status(lost: bool) -> dict[str, Any]:
    """Morlaix's feed as the feed watcher of channel ``morlaix`` publishes it."""
    return {
        "connected": True,
        "error": None,
        "feeds": [
            {
                "site": "morlaix",
                "name": "Morlaix",
                "feed": "Morlaix SRT",
                "role": "on_air",
                "health": "lost" if lost else "healthy",
                "lost": lost,
                "lost_at": 1783415400.0 if lost else None,
                "on_loss": "nothing",
                "on_return": "propose",
                "reaction": None,
                "proposal": None,
                "error": None,
            }
        ],
    }


@dataclass
class Served:
    room: Room
    url: str
    loop: asyncio.AbstractEventLoop

    def feed_status(self, channel: str, value: dict[str, Any]) -> None:
        """``desk.set_feed_status`` in the server's loop, and wait until done."""

        async def publish() -> None:
            self.room.desk.set_feed_status(channel, value)

        asyncio.run_coroutine_threadsafe(publish(), self.loop).result(timeout=5)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    # 10:12 on the short day: main runs the parcours block, Morlaix's workshop on air.
    clock = rehearsal_clock(datetime.fromisoformat("2026-07-07T10:12:00+02:00"), 1.0)
    journal = Journal.open(tmp_path / "data")
    room = build_room(load_schedule(SHORT_DAY), clock, journal, token="secret", tick_seconds=0)
    app = create_app(room)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config, _ = transport.config(
        app, limits=transport.Limits(), heartbeat=None, log_level="warning", lifespan="on"
    )
    server = transport.Server(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(
        target=lambda: loop.run_until_complete(server.serve(sockets=[sock])), daemon=True
    )
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        assert server.started, "the server did not start"
        yield Served(room, f"http://127.0.0.1:{port}", loop)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        loop.close()
        sock.close()
        journal.close()


def test_a_lost_feed_without_a_slate_reads_as_interrupted_on_the_main_overlay(
    served: Served, screens: Screens
) -> None:
    overlay = screens.open(f"{served.url}/overlay/main")
    where = overlay.page.locator(ITEM)
    where.wait_for()
    assert where.text_content() == "En direct de Morlaix"

    served.feed_status("morlaix", status(True))
    overlay.page.wait_for_function(
        f"() => document.querySelector({ITEM!r}).textContent === 'Interruption momentanée'"
    )
    assert (
        overlay.page.locator("#parallel-list li[data-channel='morlaix']").get_attribute("class")
        == "off"
    )
    assert overlay.page.locator("#slate").is_hidden()  # no slate: only the signal says so

    # an overlay that (re)connects now is told at once, by its greeting
    later = screens.open(f"{served.url}/overlay/main")
    later.page.wait_for_function(
        f"() => document.querySelector({ITEM!r})?.textContent === 'Interruption momentanée'"
    )

    served.feed_status("morlaix", status(False))
    for screen in (overlay, later):
        screen.page.wait_for_function(
            f"() => document.querySelector({ITEM!r}).textContent === 'En direct de Morlaix'"
        )
