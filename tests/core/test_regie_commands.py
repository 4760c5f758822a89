"""The régie's commands of issue 10 on the shipped day: undo, seconds, toggles, safe takes,
the name strap, the timer flags, the lateness badge and the lunch break's "resumes at"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from control_room.core.commands import (
    Blackout,
    Command,
    CommandInvalid,
    Delay,
    Extend,
    Flash,
    Hold,
    HoldToggle,
    LowerThird,
    Message,
    Release,
    Reset,
    Shorten,
    Slate,
    SlateToggle,
    Take,
    Undo,
    describe,
    parse_command,
)
from control_room.core.document import (
    public_schedule,
    public_state,
    schedule_document,
    state_document,
)
from control_room.core.schedule import Schedule
from control_room.core.timeline import (
    ChannelState,
    CommandRejected,
    JournalEntry,
    Replay,
    check,
    next_change_after,
    state,
    state_and_next_change,
)
from control_room.schedule_file import load_schedule

PARIS = ZoneInfo("Europe/Paris")
DAY = Path(__file__).resolve().parents[2] / "schedules" / "rnct-2026-07-07.yaml"


@pytest.fixture(scope="module")
def day() -> Schedule:
    return load_schedule(DAY)


def at(hhmm: str) -> dt.datetime:
    return dt.datetime.combine(dt.date(2026, 7, 7), dt.time.fromisoformat(hhmm), tzinfo=PARIS)


def hm(instant: dt.datetime | None) -> str | None:
    if instant is None:
        return None
    local = instant.astimezone(PARIS)
    return local.strftime("%H:%M:%S" if local.second else "%H:%M")


class Day:
    """A journal under construction, each command checked and kept as the server keeps it."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.journal: list[JournalEntry] = []

    def do(self, when: str, command: Command) -> Day:
        kept = check(self.schedule, self.journal, command, at(when))
        self.journal.append(JournalEntry(len(self.journal) + 1, at(when), kept))
        return self

    def ch(self, when: str, channel: str = "main") -> ChannelState:
        return state(self.schedule, self.journal, at(when)).channel(channel)

    def kept(self, seq: int) -> Command:
        return self.journal[seq - 1].command


def now_of(cs: ChannelState) -> tuple[str, str | None, str | None] | None:
    if cs.now is None:
        return None
    return cs.now.segment.id, hm(cs.now.starts_at), hm(cs.now.ends_at)


def texts(value: object) -> str:
    """Every text in a document, joined (to look for a note in it)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(texts(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(texts(v) for v in value)
    return ""


# --------------------------------------------------------------------------- seconds


def test_extend_and_delay_take_seconds_or_minutes_as_strict_integers() -> None:
    assert parse_command({"type": "extend", "channel": "main", "seconds": 30}).delta == (
        dt.timedelta(seconds=30)
    )
    assert parse_command({"type": "delay", "channel": "main", "minutes": 5}).delta == (
        dt.timedelta(minutes=5)
    )
    for bad in ("5", True, 1.5):
        with pytest.raises(CommandInvalid):
            parse_command({"type": "extend", "channel": "main", "minutes": bad})
    with pytest.raises(CommandInvalid, match="give minutes or seconds"):
        parse_command({"type": "extend", "channel": "main", "minutes": 1, "seconds": 30})
    with pytest.raises(CommandInvalid):
        parse_command({"type": "shorten", "channel": "main", "seconds": -30})


def test_thirty_seconds_more_and_shorten_are_exact_to_the_second(day: Schedule) -> None:
    show = Day(day).do("10:20", Extend(channel="main", seconds=30))
    assert now_of(show.ch("10:20")) == ("accueil", "10:00", "10:30:30")
    show.do("10:21", Shorten(channel="main", seconds=45))
    assert now_of(show.ch("10:21")) == ("accueil", "10:00", "10:29:45")
    assert describe(show.kept(2)) == "shorten main -45 s"


# --------------------------------------------------------------------------- the badge


def test_after_one_minute_more_then_a_five_minute_delay_the_badge_reads_five_minutes(
    day: Schedule,
) -> None:
    """The defect of issue 10: the badge read +1:04 (the segment on air's own end)."""
    show = Day(day).do("09:59", Hold(channel="main")).do("10:00:04", Release(channel="main"))
    assert now_of(show.ch("10:00:04")) == ("accueil", "10:00:04", "10:30:04")
    show.do("10:20", Extend(channel="main", minutes=1)).do(
        "10:21", Delay(channel="main", minutes=5)
    )
    cs = show.ch("10:21")
    assert cs.next is not None and hm(cs.next.starts_at) == "10:35"
    assert cs.delay == dt.timedelta(minutes=5)
    assert (
        state_document(day, state(day, show.journal, at("10:21")))["channels"][0]["delay_seconds"]
        == 300
    )


# --------------------------------------------------------------------------- toggles


def test_a_toggle_is_journaled_as_what_it_did(day: Schedule) -> None:
    show = Day(day).do("10:20", HoldToggle(channel="main")).do("10:25", HoldToggle(channel="main"))
    assert show.kept(1) == Hold(channel="main") and show.kept(2) == Release(channel="main")
    show.do("10:26", SlateToggle(channel="main", text="Liaison perdue"))
    assert show.kept(3) == Slate(channel="main", text="Liaison perdue")
    assert show.do("10:27", SlateToggle(channel="main", text="x")).kept(4).type == "slate_clear"
    show.do("10:28", Blackout(channel="main"))
    assert show.kept(5) == Blackout(channel="main", on=True) and show.ch("10:28").timer.blackout


def test_the_timer_flashes_for_its_seconds_and_the_server_wakes_when_it_stops(
    day: Schedule,
) -> None:
    show = Day(day).do("10:20", Flash(channel="main", seconds=10))
    assert show.ch("10:20:05").timer.flash_until == at("10:20:10")
    assert show.ch("10:20:10").timer.flash_until is None
    assert next_change_after(day, show.journal, at("10:20:01")) == at("10:20:10")


# --------------------------------------------------------------------------- safe takes


def test_an_early_take_that_cuts_is_refused_with_both_segments_named(day: Schedule) -> None:
    with pytest.raises(CommandRejected) as refused:
        Day(day).do("10:05", Take(channel="main"))
    detail = refused.value.detail
    assert detail is not None and detail["code"] == "confirm"
    assert (
        detail["starts"]["segment"] == "table-ronde" and detail["starts"]["early_seconds"] == 1500
    )
    assert detail["ends"]["segment"] == "accueil" and detail["ends"]["elapsed_seconds"] == 300
    assert "'table-ronde'" in str(refused.value) and "'accueil'" in str(refused.value)


def test_a_confirmed_take_is_applied_and_a_take_near_the_end_needs_none(day: Schedule) -> None:
    assert now_of(Day(day).do("10:05", Take(channel="main", confirm=True)).ch("10:05")) == (
        "table-ronde",
        "10:05",
        "11:05",
    )
    assert now_of(Day(day).do("10:27", Take(channel="main")).ch("10:27"))[0] == "table-ronde"  # type: ignore[index]


def test_a_finished_channel_takes_nothing(day: Schedule) -> None:
    with pytest.raises(CommandRejected, match="finished its day"):
        Day(day).do("19:45", Take(channel="main", segment="accueil", confirm=True))


# --------------------------------------------------------------------------- the strap


def test_the_strap_comes_in_at_each_speaker_and_goes_out_after_twenty_seconds(
    day: Schedule,
) -> None:
    show = Day(day)
    strap = show.ch("10:10:05").lower_third
    assert strap.visible and [p.name for p in strap.people] == ["Marina FERRARI"]
    assert (hm(strap.since), hm(strap.until)) == ("10:10", "10:10:20")
    assert not show.ch("10:10:20").lower_third.visible
    assert next_change_after(day, [], at("10:10:01")) == at("10:10:20")


def test_the_regie_calls_the_strap_in_and_out_until_the_next_speaker(day: Schedule) -> None:
    show = Day(day).do("10:15", LowerThird(channel="main", action="toggle"))
    assert show.kept(1) == LowerThird(channel="main", action="in")
    strap = show.ch("10:18").lower_third
    assert strap.visible and strap.until is None and hm(strap.since) == "10:15"
    show.do("10:19", LowerThird(channel="main", action="out"))
    assert not show.ch("10:19").lower_third.visible
    assert show.ch("10:20:05").lower_third.visible  # the next speaker: in by itself
    with pytest.raises(CommandRejected, match="no strap in"):
        show.do("10:25", LowerThird(channel="main", action="out"))


# --------------------------------------------------------------------------- undo


def test_undo_of_a_mistaken_take_puts_the_segment_back_as_if_never_taken(day: Schedule) -> None:
    show = Day(day).do("10:05", Take(channel="main", confirm=True)).do("10:05:10", Undo(seq=1))
    cs = show.ch("10:05:10")
    assert now_of(cs) == ("accueil", "10:00", "10:30")
    aired = {row.segment.id: (hm(row.starts_at), hm(row.ends_at)) for row in cs.rundown}
    assert cs.next is not None and cs.next.segment.id == "table-ronde"
    assert aired["table-ronde"] == ("10:30", "11:30")  # next again, at its time


def test_undo_of_an_extend_keeps_what_aired_and_gives_back_the_plan(day: Schedule) -> None:
    show = Day(day).do("10:25", Extend(channel="main", minutes=5)).do("10:28", Undo(seq=1))
    assert now_of(show.ch("10:28")) == ("accueil", "10:00", "10:30")
    assert describe(Undo(seq=1), target=show.kept(1)) == "undo #1 (extend main +5 min)"


def test_undo_of_a_hold_long_past_its_end_starts_the_next_segment_now(day: Schedule) -> None:
    show = Day(day).do("10:25", Hold(channel="main")).do("10:40", Undo(seq=1))
    cs = show.ch("10:40")
    assert now_of(cs) == ("table-ronde", "10:40", "11:30")  # starts now, ends on its plan
    done = {row.segment.id: (row.status, hm(row.ends_at)) for row in cs.rundown}
    assert done["accueil"] == ("done", "10:40")  # the past stays as it aired


def test_undo_of_an_undo_gives_the_command_back(day: Schedule) -> None:
    show = Day(day).do("10:20", Extend(channel="main", minutes=5)).do("10:21", Undo(seq=1))
    show.do("10:22", Undo(seq=2))
    assert now_of(show.ch("10:22")) == ("accueil", "10:00", "10:35")
    with pytest.raises(CommandRejected, match="already undone"):
        show.do("10:23", Undo(seq=2))


def test_undo_of_a_reset_brings_back_what_it_forgot(day: Schedule) -> None:
    show = Day(day).do("10:20", Extend(channel="main", minutes=5)).do("10:21", Reset())
    assert now_of(show.ch("10:21")) == ("accueil", "10:00", "10:30")
    show.do("10:22", Undo(seq=2))
    assert now_of(show.ch("10:22")) == ("accueil", "10:00", "10:35")


def test_undo_refuses_unknown_voided_and_empty_entries(day: Schedule) -> None:
    show = Day(day).do("10:20", Message(channel="main", audience="moderators", text="Concluez"))
    with pytest.raises(CommandRejected, match="no journal entry #9"):
        show.do("10:21", Undo(seq=9))
    show.do("10:21", Undo(seq=1))
    assert show.ch("10:21").moderators_message is None
    with pytest.raises(CommandRejected, match="already undone"):
        show.do("10:22", Undo(seq=1))
    show.do("10:23", Extend(channel="main", minutes=1)).do(
        "10:24", Shorten(channel="main", minutes=1)
    )
    show.do("10:40", Take(channel="main", segment="accueil", confirm=True))
    with pytest.raises(CommandRejected, match="would change nothing"):
        show.do("10:41", Undo(seq=3))


def test_the_engine_that_keeps_its_place_equals_the_full_replay_across_undos(
    day: Schedule,
) -> None:
    show = Day(day).do("10:05", Take(channel="main", confirm=True)).do("10:06", Undo(seq=1))
    show.do("10:07", Undo(seq=2)).do("10:08", Hold(channel="main"))
    incremental = Replay(day)
    for entry in show.journal:
        incremental.commit(incremental.check(entry))
    for when in ("10:08", "11:10", "13:30"):
        assert incremental.state(at(when)) == state_and_next_change(day, show.journal, at(when))


# --------------------------------------------------------------------------- the documents


def test_during_the_lunch_break_the_main_channel_says_when_the_parcours_resume(
    day: Schedule,
) -> None:
    doc = state_document(day, state(day, [], at("13:30")))["channels"][0]
    assert doc["now"] is not None and doc["now"]["item"] is not None
    assert doc["now"]["item"]["id"] == "parcours-coupure"
    assert doc["resumes_at"] == "2026-07-07T14:00:00+02:00"
    assert doc["next"] is not None and doc["next"]["id"] == "agir-ensemble"  # the next segment
    assert [p["next"]["starts_at"] for p in doc["parallel"] if p["next"]] == [
        "2026-07-07T14:00:00+02:00"
    ] * 3


def test_no_note_text_in_the_public_documents_and_all_of_it_for_the_regie(
    day: Schedule,
) -> None:
    notes = [s.notes for c in day.channels for s in c.segments if s.notes] + [
        i.notes for c in day.channels for s in c.segments for i in s.items if i.notes
    ]
    assert notes
    full = schedule_document(day)
    assert not [n for n in notes if n in texts(public_schedule(full))]
    assert all(n in texts(full) for n in notes)
    for when in ("10:05", "10:35", "16:50", "18:30", "19:25"):
        doc = state_document(day, state(day, [], at(when)))
        assert not [n for n in notes if n in texts(public_state(doc))]
    doc = state_document(day, state(day, [], at("10:05")))
    assert doc["channels"][0]["now"]["notes"] is not None  # type: ignore[index]
    moderator = public_state(doc, frozenset({"parcours-1"}))
    assert moderator["channels"][0]["now"]["notes"] is None  # type: ignore[index]


def test_the_schedule_document_carries_presets_short_titles_and_strap_times(
    day: Schedule,
) -> None:
    doc = schedule_document(day)
    assert doc["presets"] == ["Concluez", "Encore 5 minutes", "Question suivante"]
    assert doc["safe_take_minutes"] == 5 and doc["lower_third_seconds"] == 20
    assert doc["channels"][0]["short"] == "Plénière"
