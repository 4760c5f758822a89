"""The worked examples of docs/timeline.md, on the shipped 7 July 2026."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from control_room.core.commands import Back, Command, Delay, Extend, Hold, Release, Take
from control_room.core.schedule import Schedule
from control_room.core.timeline import ChannelState, CommandRejected, JournalEntry, check, state
from control_room.schedule_file import load_schedule

PARIS = ZoneInfo("Europe/Paris")
DAY = Path(__file__).resolve().parents[2] / "schedules" / "rnct-2026-07-07.yaml"


@pytest.fixture(scope="module")
def day() -> Schedule:
    return load_schedule(DAY)


def at(hhmm: str) -> dt.datetime:
    return dt.datetime.combine(dt.date(2026, 7, 7), dt.time.fromisoformat(hhmm), tzinfo=PARIS)


def hm(instant: dt.datetime) -> str:
    local = instant.astimezone(PARIS)
    return local.strftime("%H:%M:%S" if local.second else "%H:%M")


def run(day: Schedule, *commands: tuple[str, Command]) -> list[JournalEntry]:
    journal: list[JournalEntry] = []
    for when, command in commands:
        check(day, journal, command, at(when))
        journal.append(JournalEntry(len(journal) + 1, at(when), command))
    return journal


def on(day: Schedule, journal: list[JournalEntry], when: str, channel: str) -> ChannelState:
    return state(day, journal, at(when)).channel(channel)


def now(cs: ChannelState) -> tuple[str, str, str] | None:
    if cs.now is None:
        return None
    return cs.now.segment.id, hm(cs.now.starts_at), hm(cs.now.ends_at)


def nxt(cs: ChannelState) -> tuple[str, str, str] | None:
    if cs.next is None:
        return None
    return cs.next.segment.id, hm(cs.next.starts_at), hm(cs.next.ends_at)


def test_the_round_table_runs_8_minutes_over_into_the_gap(day: Schedule) -> None:
    journal = run(day, ("11:20", Extend(channel="main", minutes=8)))
    assert now(on(day, journal, "11:30", "main")) == ("table-ronde", "10:30", "11:38")
    cs = on(day, journal, "11:40", "main")
    assert cs.status == "gap" and nxt(cs) == ("parcours", "11:45", "16:00")
    assert now(on(day, journal, "11:45", "main")) == ("parcours", "11:45", "16:00")


def test_the_round_table_held_22_minutes_over(day: Schedule) -> None:
    journal = run(day, ("11:25", Hold(channel="main")), ("11:52", Release(channel="main")))
    cs = on(day, journal, "11:40", "main")
    assert cs.held and now(cs) == ("table-ronde", "10:30", "11:30")
    assert now(on(day, journal, "11:45", "main")) == ("table-ronde", "10:30", "11:30")
    assert now(on(day, journal, "11:52", "main")) == ("parcours", "11:52", "16:00")
    # The parcours started at 11:45 regardless, and main's lunch item keeps its times.
    assert now(on(day, journal, "11:46", "parcours-1")) == ("parcours-1-matin", "11:45", "13:00")
    lunch = on(day, journal, "13:30", "main")
    assert lunch.now is not None and lunch.now.item is not None
    assert lunch.now.item.id == "parcours-coupure"
    assert on(day, journal, "14:01", "main").now.item is None  # type: ignore[union-attr]
    assert now(on(day, journal, "16:20", "main")) == ("agir-ensemble", "16:15", "17:45")


def test_an_extension_of_22_minutes_beats_the_hard_1145(day: Schedule) -> None:
    journal = run(day, ("11:25", Extend(channel="main", minutes=22)))
    assert now(on(day, journal, "11:46", "main")) == ("table-ronde", "10:30", "11:52")
    assert now(on(day, journal, "11:52", "main")) == ("parcours", "11:52", "16:00")


def test_a_late_round_table_is_cut_by_the_hard_1145(day: Schedule) -> None:
    journal = run(day, ("10:20", Hold(channel="main")), ("10:50", Release(channel="main")))
    assert now(on(day, journal, "11:00", "main")) == ("table-ronde", "10:50", "11:45")
    assert now(on(day, journal, "11:45", "main")) == ("parcours", "11:45", "16:00")


def test_lilles_morning_runs_10_minutes_into_lunch(day: Schedule) -> None:
    journal = run(day, ("12:50", Extend(channel="parcours-2", minutes=10)))
    cs = on(day, journal, "13:05", "parcours-2")
    assert now(cs) == ("parcours-2-matin", "11:45", "13:10")
    assert nxt(cs) == ("parcours-2-coupure", "13:10", "14:00")
    assert now(on(day, journal, "13:30", "parcours-2")) == ("parcours-2-coupure", "13:10", "14:00")
    assert now(on(day, journal, "14:00", "parcours-2")) == (
        "parcours-2-apres-midi",
        "14:00",
        "16:00",
    )
    assert now(on(day, journal, "13:05", "parcours-1")) == ("parcours-1-coupure", "13:00", "14:00")


def test_delay_the_rest_of_parcours_1(day: Schedule) -> None:
    journal = run(day, ("12:00", Delay(channel="parcours-1", minutes=10)))
    assert now(on(day, journal, "12:59", "parcours-1")) == ("parcours-1-matin", "11:45", "13:00")
    cs = on(day, journal, "13:05", "parcours-1")
    assert cs.status == "gap" and nxt(cs) == ("parcours-1-coupure", "13:10", "14:00")
    assert now(on(day, journal, "14:00", "parcours-1")) == (
        "parcours-1-apres-midi",
        "14:00",
        "16:00",
    )


def test_a_delay_before_the_hard_1145_is_refused_with_the_reason(day: Schedule) -> None:
    with pytest.raises(CommandRejected) as refused:
        run(day, ("11:40", Delay(channel="main", minutes=5)))
    assert str(refused.value) == (
        "delay: the next segment on main, 'parcours', has a hard start at 11:45; "
        "hold the channel or take it by hand"
    )


def test_a_take_pressed_too_early_then_undone(day: Schedule) -> None:
    journal = run(day, ("10:27", Take(channel="main")), ("10:27:30", Back(channel="main")))
    cs = on(day, journal, "10:28", "main")
    assert now(cs) == ("accueil", "10:00", "10:30:30")
    assert cs.now is not None and cs.now.item is not None
    assert cs.now.item.id != day.channel("main").segments[0].items[0].id  # not restarted
    assert nxt(cs) == ("table-ronde", "10:30:30", "11:30:30")
