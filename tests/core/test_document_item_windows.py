"""The state document's segment on air carries each item's expected window
(``now.item_windows``): what the backstage view sets beside the plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from control_room.core.commands import Extend, parse_command
from control_room.core.document import public_state, state_document
from control_room.core.schedule import Schedule
from control_room.core.timeline import JournalEntry, state
from control_room.schedule_file import load_schedule

PARIS = ZoneInfo("Europe/Paris")
DAY = Path(__file__).resolve().parents[2] / "schedules" / "rnct-2026-07-07.yaml"


@pytest.fixture(scope="module")
def day() -> Schedule:
    return load_schedule(DAY)


def at(hhmm: str) -> dt.datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime(2026, 7, 7, h, m, tzinfo=PARIS)


def windows(doc: dict, channel: str = "main") -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    [ch] = [c for c in doc["channels"] if c["id"] == channel]
    return [
        (w["id"], w["starts_at"][11:16], w["ends_at"][11:16]) for w in ch["now"]["item_windows"]
    ]


def test_on_the_plan_the_windows_are_the_planned_times(day: Schedule) -> None:
    doc = state_document(day, state(day, [], at("10:16")))
    assert windows(doc) == [
        ("accueil-ouverture", "10:00", "10:10"),
        ("accueil-ferrari", "10:10", "10:20"),
        ("accueil-fournier", "10:20", "10:30"),
    ]


def test_after_an_extend_the_closing_item_stretches_with_its_segment(day: Schedule) -> None:
    extend = parse_command({"type": "extend", "channel": "main", "minutes": 3})
    assert isinstance(extend, Extend)
    doc = state_document(day, state(day, [JournalEntry(1, at("10:15"), extend)], at("10:16")))
    assert windows(doc)[-1] == ("accueil-fournier", "10:20", "10:33")
    assert windows(doc)[:2] == [
        ("accueil-ouverture", "10:00", "10:10"),
        ("accueil-ferrari", "10:10", "10:20"),
    ]
    # The same windows for every reader: they hold no note.
    assert windows(public_state(doc)) == windows(doc)


def test_a_segment_without_items_has_no_windows(day: Schedule) -> None:
    doc = state_document(day, state(day, [], at("12:05")))
    assert windows(doc, "parcours-1") == []
