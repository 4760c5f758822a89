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


@pytest.fixture(scope="session")
def day_data_dir(tmp_path_factory: pytest.TempPathFactory, day: Schedule) -> Path:
    """A data directory as ``serve`` leaves it after the day: the schedule stored, the
    journal of :data:`COMMANDS`, two switcher attempts (one failed), presence samples."""
    from control_room.core.commands import command_json
    from control_room.journal import Journal, SwitchRecord
    from control_room.versions import store

    data = tmp_path_factory.mktemp("day") / "data"
    with Journal.open(data) as journal:
        store(data, DAY.read_text(encoding="utf-8"), source=str(DAY), journal=journal)
        for entry in journal_of(day, COMMANDS):
            journal.append(
                wall=entry.at, show=entry.at, who=entry.by, command=command_json(entry.command)
            )
        ok = SwitchRecord("main", "Paris - Maison 3Zéro", "program", at("10:30:30"),
                          at("10:30:30"), "ok", 100, "", 12.0)  # fmt: skip
        failed = SwitchRecord("parcours-2", "Lyon", "program", at("12:10"), at("12:10"),
                              "timeout", None, "no answer", 2000.0)  # fmt: skip
        journal.record_switch(ok)
        journal.record_switch(failed)
        journal.record_presence({"main": {"timer": 1, "overlay": 1}}, wall=at("09:58"),
                                show=at("09:58"))  # fmt: skip
        journal.record_presence({"main": {"timer": 2, "overlay": 1}}, wall=at("10:05"),
                                show=at("10:05"))  # fmt: skip
    return data
