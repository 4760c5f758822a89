"""Fixtures of the security tests: the real server in a subprocess, and the room in-process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from control_room.clock import rehearsal_clock
from control_room.journal import Journal
from control_room.room import Room, build_room
from control_room.schedule_file import load_schedule
from tests.security.helpers import LONG_DAY
from tests.support.server import RunningServer, run_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    """Half past ten on the long day: nothing changes by itself for an hour."""
    with run_server(LONG_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:30", speed=1) as s:
        yield s


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Room]:
    """The room in-process, half past ten on the long day (its lifespan left to the test)."""
    schedule = load_schedule(LONG_DAY)
    clock = rehearsal_clock(datetime.fromisoformat("2026-07-07T10:30:00+02:00"), 1.0)
    journal = Journal.open(tmp_path / "room")
    yield build_room(schedule, clock, journal, token="operator-secret", tick_seconds=0)
    journal.close()
