"""The app in-process: the room as the server builds it, served through httpx's ASGI
transport, with its lifespan run (or not) by the test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from control_room.app import create_app
from control_room.clock import rehearsal_clock
from control_room.journal import Journal
from control_room.room import Room, build_room
from control_room.schedule_file import load_schedule

SHORT_DAY = Path(__file__).resolve().parents[1] / "e2e" / "short-day.yaml"
TOKEN = "secret"


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Room]:
    """10:07 on the short day: the opening on main's air, a cue at 10:10."""
    schedule = load_schedule(SHORT_DAY)
    clock = rehearsal_clock(datetime.fromisoformat("2026-07-07T10:07:00+02:00"), 1.0)
    journal = Journal.open(tmp_path / "data")
    yield build_room(schedule, clock, journal, token=TOKEN, tick_seconds=0)
    journal.close()


@pytest.fixture
def app(room: Room) -> Starlette:
    return create_app(room, web_dir=None)


def http(app: Starlette) -> httpx.AsyncClient:
    """A client of the app that never opens a socket (the lifespan is not run)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://room")


@asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan run, as uvicorn runs it: the show started, then stopped."""
    async with app.router.lifespan_context(app), http(app) as client:
        yield client


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app) as started:
        yield started
