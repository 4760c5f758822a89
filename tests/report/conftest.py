"""The real day with a journal of commands of every kind that moves time, for the report
and export tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from control_room.core.commands import (
    Back,
    Command,
    Delay,
    Extend,
    Hold,
    Release,
    SiteClear,
    SiteOverride,
    Slate,
    SlateClear,
    Take,
)
from control_room.core.schedule import Schedule
from control_room.core.timeline import JournalEntry, check
from control_room.schedule_file import load_schedule

PARIS = ZoneInfo("Europe/Paris")
REPO = Path(__file__).resolve().parents[2]
DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"


def at(hhmm: str) -> dt.datetime:
    return dt.datetime.combine(dt.date(2026, 7, 7), dt.time.fromisoformat(hhmm), tzinfo=PARIS)


#: A take pressed too early then undone, an extension, a delay, a hold and its release, a
#: slate and a fallback site.
COMMANDS: list[tuple[str, Command]] = [
    ("10:27", Take(channel="main")),
    ("10:27:30", Back(channel="main")),
    ("11:20", Extend(channel="main", minutes=8)),
    ("12:00", Delay(channel="parcours-1", minutes=10)),
    ("12:10", SiteOverride(channel="parcours-2", site="lyon")),
    ("12:20", SiteClear(channel="parcours-2")),
    ("15:50", Hold(channel="parcours-3")),
    ("16:05", Release(channel="parcours-3")),
    ("16:30", Slate(channel="main", text="Coupure technique")),
    ("16:32", SlateClear(channel="main")),
]


def journal_of(schedule: Schedule, commands: list[tuple[str, Command]]) -> list[JournalEntry]:
    journal: list[JournalEntry] = []
    for when, command in commands:
        check(schedule, journal, command, at(when))
        journal.append(JournalEntry(len(journal) + 1, at(when), command, "régie-1"))
    return journal


@pytest.fixture(scope="session")
def day() -> Schedule:
    return load_schedule(DAY)


@pytest.fixture(scope="session")
def day_journal(day: Schedule) -> list[JournalEntry]:
    return journal_of(day, COMMANDS)
