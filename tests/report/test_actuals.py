"""The actual times of the day equal what the engine had on air, instant by instant."""

from __future__ import annotations

import datetime as dt

from control_room.core.actuals import Actuals, actuals
from control_room.core.schedule import Schedule
from control_room.core.timeline import JournalEntry, state

from .conftest import at


def samples(start: str, end: str, *, step: dt.timedelta) -> list[dt.datetime]:
    out, t = [], at(start)
    while t <= at(end):
        out.append(t)
        t += step
    return out


def test_actuals_equal_the_engine_at_every_sampled_instant(
    day: Schedule, day_journal: list[JournalEntry]
) -> None:
    result = actuals(day, day_journal, at("20:00"))
    for t in samples("09:55", "19:59:45", step=dt.timedelta(seconds=15)):
        for cs in state(day, day_journal, t).channels:
            got = result.channel(cs.channel.id)
            for seg in got.segments:
                on_air = cs.now is not None and cs.now.segment.id == seg.segment.id
                if seg.pieces == 1:
                    inside = (
                        seg.start is not None
                        and seg.start <= t
                        and (seg.end is None or t < seg.end)
                    )
                    assert inside == on_air, (t, cs.channel.id, seg.segment.id)
                    if on_air:
                        assert cs.now is not None and seg.start == cs.now.starts_at
            if cs.now is not None and cs.now.item is not None:
                item = next(
                    i for i in got.segment(cs.now.segment.id).items if i.item == cs.now.item
                )
                assert item.start is not None and item.start <= t
                assert item.end is None or t < item.end or item.end == t


def test_actuals_agree_with_the_engine_rundown_at_the_end_of_the_day(
    day: Schedule, day_journal: list[JournalEntry]
) -> None:
    result = actuals(day, day_journal, at("20:00"))
    for cs in state(day, day_journal, at("20:00")).channels:
        for row in cs.rundown:
            seg = result.channel(cs.channel.id).segment(row.segment.id)
            if row.status == "done":
                assert (seg.status, seg.start, seg.end) == ("aired", row.starts_at, row.ends_at)
            else:
                assert row.status == "skipped" and seg.status == "skipped"
                assert seg.start is None and seg.end is None


def test_the_extended_round_table_ends_8_minutes_late_and_the_undone_take_resumes(
    day: Schedule, day_journal: list[JournalEntry]
) -> None:
    main = actuals(day, day_journal, at("20:00")).channel("main")
    accueil, table = main.segment("accueil"), main.segment("table-ronde")
    assert (accueil.start, accueil.end, accueil.pieces) == (at("10:00"), at("10:30:30"), 2)
    assert (table.start, table.end, table.pieces) == (at("10:30:30"), at("11:38:30"), 2)
    assert table.overrun == dt.timedelta(minutes=8)
    assert main.segment("parcours").start == at("11:45")


def test_the_delayed_lunch_and_the_held_afternoon_show_their_minutes(
    day: Schedule, day_journal: list[JournalEntry]
) -> None:
    result = actuals(day, day_journal, at("20:00"))
    p1 = result.channel("parcours-1")
    lunch = next(s for s in p1.segments if s.segment.kind == "break")
    assert lunch.late == dt.timedelta(minutes=10)
    p3 = result.channel("parcours-3")
    last = p3.segments[-1]
    assert last.end == at("16:05") and last.held == dt.timedelta(minutes=5)


def test_in_the_middle_of_the_day_the_segment_on_air_has_no_end_yet(
    day: Schedule, day_journal: list[JournalEntry]
) -> None:
    result: Actuals = actuals(day, day_journal, at("12:30"))
    main = result.channel("main")
    assert main.segment("parcours").status == "on_air"
    assert main.segment("parcours").end is None
    assert main.segment("agir-ensemble").status == "planned"
    assert main.segment("accueil").status == "aired"
