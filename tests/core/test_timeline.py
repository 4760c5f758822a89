"""The timeline engine, command by command, each at an explicit instant."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from control_room.core.commands import (
    Back,
    Command,
    Delay,
    Extend,
    Hold,
    Message,
    MessageClear,
    Release,
    Reset,
    SiteClear,
    SiteOverride,
    Slate,
    SlateClear,
    Take,
)
from control_room.core.schedule import Schedule
from control_room.core.schedule_yaml import parse_schedule
from control_room.core.timeline import (
    ChannelState,
    CommandRejected,
    JournalEntry,
    check,
    next_change_after,
    state,
)

PARIS = ZoneInfo("Europe/Paris")

DAY = """
event: {title: Test day, date: 2026-07-07, timezone: Europe/Paris, start: "09:00", end: "20:00"}
sites:
  - {id: paris, name: Paris, city: Paris, scene: Paris}
  - {id: morlaix, name: Morlaix, city: Morlaix, scene: Morlaix}
  - {id: lille, name: Lille, city: Lille, scene: Lille}
channels:
  - id: main
    title: Main
    segments:
      - {id: a, start: "10:00", end: "10:30", hard: true, title: A, kind: opening, site: paris}
      - id: b
        end: "11:30"
        title: B
        kind: round_table
        site: paris
        items:
          - {id: b1, title: Intro, start: "10:30", end: "10:40"}
          - {id: b2, title: Debate, end: "11:30", site: lille}
      - {id: x, end: "11:40", title: X, kind: talk, site: paris}
      - id: c
        start: "11:45"
        end: "13:00"
        hard: true
        title: C
        kind: workshop
        site: morlaix
        items:
          - {id: c1, title: Pitch, start: "12:00", end: "12:15"}
      - {id: d, end: "14:00", title: Lunch, kind: break}
      - {id: e, end: "15:00", title: E, kind: talk, site: lille}
  - id: side
    title: Side
    segments:
      - id: block
        start: "09:00"
        end: "09:40"
        title: Tracks
        kind: parallel
        parallel: [main]
        items:
          - {id: block-pause, title: Pause, start: "09:20", end: "09:30", kind: break}
      - {id: s1, start: "11:45", end: "13:00", hard: true, title: S1, kind: workshop, site: lille}
"""


@pytest.fixture(scope="module")
def day() -> Schedule:
    return parse_schedule(DAY, source="day.yaml")


def at(hhmm: str) -> dt.datetime:
    """An instant on 7 July 2026, Paris time."""
    t = dt.time.fromisoformat(hhmm)
    return dt.datetime.combine(dt.date(2026, 7, 7), t, tzinfo=PARIS).astimezone(dt.UTC)


def hm(instant: dt.datetime | None) -> str | None:
    if instant is None:
        return None
    local = instant.astimezone(PARIS)
    return local.strftime("%H:%M:%S" if local.second else "%H:%M")


class Show:
    """A journal under construction: each command is checked at its instant, as the
    server does, then appended."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.journal: list[JournalEntry] = []

    def do(self, when: str, command: Command) -> Show:
        t = at(when)
        check(self.schedule, self.journal, command, t)
        self.journal.append(JournalEntry(len(self.journal) + 1, t, command))
        return self

    def ch(self, when: str, channel: str = "main") -> ChannelState:
        return state(self.schedule, self.journal, at(when)).channel(channel)


def now_of(cs: ChannelState) -> tuple[str, str | None, str | None] | None:
    if cs.now is None:
        return None
    return cs.now.segment.id, hm(cs.now.starts_at), hm(cs.now.ends_at)


def next_of(cs: ChannelState) -> tuple[str, str | None, str | None] | None:
    if cs.next is None:
        return None
    return cs.next.segment.id, hm(cs.next.starts_at), hm(cs.next.ends_at)


# --------------------------------------------------------------------------- the plan


def test_before_the_first_segment_the_channel_waits_for_it(day: Schedule) -> None:
    cs = Show(day).ch("09:30")
    assert cs.status == "before"
    assert cs.now is None
    assert next_of(cs) == ("a", "10:00", "10:30")


def test_segments_follow_the_plan_without_commands(day: Schedule) -> None:
    show = Show(day)
    assert now_of(show.ch("10:00")) == ("a", "10:00", "10:30")
    assert now_of(show.ch("10:29:59")) == ("a", "10:00", "10:30")
    assert now_of(show.ch("10:30")) == ("b", "10:30", "11:30")
    assert next_of(show.ch("10:30")) == ("x", "11:30", "11:40")


def test_a_gap_between_segments_has_nothing_on_air_and_the_next_one(day: Schedule) -> None:
    cs = Show(day).ch("11:42")
    assert cs.status == "gap"
    assert cs.now is None and cs.site is None
    assert next_of(cs) == ("c", "11:45", "13:00")


def test_after_the_last_segment_the_channel_has_finished(day: Schedule) -> None:
    cs = Show(day).ch("15:30")
    assert cs.status == "finished"
    assert cs.now is None and cs.next is None


def test_the_current_item_and_its_site_are_on_air(day: Schedule) -> None:
    show = Show(day)
    cs = show.ch("10:35")
    assert cs.now is not None and cs.now.item is not None
    assert cs.now.item.id == "b1" and cs.site == "paris"
    cs = show.ch("10:45")
    assert cs.now is not None and cs.now.item is not None
    assert cs.now.item.id == "b2" and cs.site == "lille"


def test_an_item_that_does_not_close_its_segment_keeps_its_length(day: Schedule) -> None:
    show = Show(day)
    assert show.ch("11:50").now.item is None  # type: ignore[union-attr]
    assert show.ch("12:05").now.item.id == "c1"  # type: ignore[union-attr]
    assert show.ch("12:20").now.item is None  # type: ignore[union-attr]
    assert hm(next_change_after(day, [], at("12:05"))) == "12:15"
    show.do("12:10", Hold(channel="main"))
    assert hm(next_change_after(day, show.journal, at("12:10"))) == "12:15"


def test_the_closing_item_runs_on_while_its_segment_is_held(day: Schedule) -> None:
    show = Show(day).do("11:00", Hold(channel="main"))
    cs = show.ch("11:35")
    assert cs.now is not None and cs.now.item is not None and cs.now.item.id == "b2"
    assert cs.site == "lille"


def test_a_parallel_block_started_late_keeps_its_planned_end_and_item_times(
    day: Schedule,
) -> None:
    show = Show(day).do("08:50", Hold(channel="side")).do("09:10", Release(channel="side"))
    cs = show.ch("09:25", "side")
    assert now_of(cs) == ("block", "09:10", "09:40")
    assert cs.now is not None and cs.now.item is not None and cs.now.item.id == "block-pause"
    assert show.ch("09:31", "side").now.item is None  # type: ignore[union-attr]


def test_a_break_has_no_site(day: Schedule) -> None:
    cs = Show(day).ch("13:30")
    assert now_of(cs) == ("d", "13:00", "14:00")
    assert cs.site is None


def test_channels_run_independently(day: Schedule) -> None:
    show = Show(day).do("11:00", Extend(channel="main", minutes=30))
    assert now_of(show.ch("11:50", "side")) == ("s1", "11:45", "13:00")


# --------------------------------------------------------------------------- extend


def test_extend_moves_the_following_soft_segments(day: Schedule) -> None:
    show = Show(day).do("10:50", Extend(channel="main", minutes=8))
    assert now_of(show.ch("11:00")) == ("b", "10:30", "11:38")
    assert next_of(show.ch("11:00")) == ("x", "11:38", "11:45")  # cut by c (hard)


def test_a_late_soft_segment_is_cut_by_the_next_hard_start(day: Schedule) -> None:
    show = Show(day).do("10:50", Extend(channel="main", minutes=8))
    # x follows b (11:38) and would run to 11:48, but c starts hard at 11:45.
    assert now_of(show.ch("11:40")) == ("x", "11:38", "11:45")
    assert now_of(show.ch("11:45")) == ("c", "11:45", "13:00")


def test_an_explicit_extension_beats_a_hard_start(day: Schedule) -> None:
    show = Show(day).do("11:35", Extend(channel="main", minutes=10))
    # x: 11:30-11:40 extended to 11:50, past c's hard 11:45: the operator's word wins.
    assert now_of(show.ch("11:46")) == ("x", "11:30", "11:50")
    cs = show.ch("11:50")
    assert now_of(cs) == ("c", "11:50", "13:05")
    assert cs.delay == dt.timedelta(minutes=5)


def test_shorten_ends_the_segment_earlier_but_never_in_the_past(day: Schedule) -> None:
    show = Show(day).do("10:40", Extend(channel="main", minutes=-20))
    assert now_of(show.ch("10:41")) == ("b", "10:30", "11:10")
    show = Show(day).do("10:40", Extend(channel="main", minutes=-120))
    cs = show.ch("10:40")
    assert cs.status == "gap"  # b ended now; x is soft and never starts before 11:30
    assert next_of(cs) == ("x", "11:30", "11:40")


def test_extend_with_nothing_on_air_is_refused(day: Schedule) -> None:
    with pytest.raises(CommandRejected, match="nothing on air"):
        Show(day).do("11:42", Extend(channel="main", minutes=5))


# --------------------------------------------------------------------------- hold / release


def test_hold_keeps_the_segment_on_air_past_its_end(day: Schedule) -> None:
    show = Show(day).do("10:20", Hold(channel="main"))
    cs = show.ch("10:40")
    assert now_of(cs) == ("a", "10:00", "10:30")  # ends_at stays: the timer counts overtime
    assert cs.held
    assert next_of(cs) == ("b", "10:30", "11:30")


def test_release_after_the_end_moves_on_at_once(day: Schedule) -> None:
    show = Show(day).do("10:20", Hold(channel="main")).do("10:35", Release(channel="main"))
    cs = show.ch("10:35")
    assert now_of(cs) == ("b", "10:35", "11:35")
    assert not cs.held


def test_release_before_the_end_keeps_the_planned_end(day: Schedule) -> None:
    show = Show(day).do("10:20", Hold(channel="main")).do("10:25", Release(channel="main"))
    assert now_of(show.ch("10:30")) == ("b", "10:30", "11:30")


def test_a_hold_beats_a_hard_start_and_skips_what_it_overran(day: Schedule) -> None:
    show = Show(day).do("11:00", Hold(channel="main")).do("11:50", Release(channel="main"))
    cs = show.ch("11:50")
    # b held until 11:50; c (hard, 11:45) has passed: x is skipped, c starts now.
    assert now_of(cs) == ("c", "11:50", "13:05")
    rows = {row.segment.id: row.status for row in cs.rundown}
    assert rows["b"] == "done" and rows["x"] == "skipped" and rows["c"] == "on_air"


def test_hold_in_a_gap_keeps_the_next_segment_from_starting(day: Schedule) -> None:
    show = Show(day).do("11:42", Hold(channel="main"))
    assert show.ch("11:50").now is None
    show.do("11:52", Release(channel="main"))
    assert now_of(show.ch("11:52")) == ("c", "11:52", "13:07")


def test_hold_twice_and_release_without_hold_are_refused(day: Schedule) -> None:
    show = Show(day).do("10:10", Hold(channel="main"))
    with pytest.raises(CommandRejected, match="already held"):
        show.do("10:11", Hold(channel="main"))
    with pytest.raises(CommandRejected, match="not held"):
        Show(day).do("10:10", Release(channel="main"))


# --------------------------------------------------------------------------- delay


def test_delay_moves_soft_segments_up_to_the_next_hard_start(day: Schedule) -> None:
    show = Show(day).do("10:10", Delay(channel="main", minutes=20))
    assert show.ch("10:31").status == "gap"
    assert next_of(show.ch("10:31")) == ("b", "10:50", "11:45")  # 11:50, cut by c at 11:45
    assert now_of(show.ch("11:45")) == ("c", "11:45", "13:00")  # hard start does not move


def test_a_hard_start_comes_first_when_a_delay_pushes_soft_segments_past_it(
    day: Schedule,
) -> None:
    show = Show(day).do("10:10", Delay(channel="main", minutes=90))
    cs = show.ch("10:31")
    assert cs.status == "gap"
    assert next_of(cs) == ("c", "11:45", "13:00")  # b (12:00) and x come after c: skipped
    cs = show.ch("11:45")
    assert now_of(cs) == ("c", "11:45", "13:00")
    rows = {row.segment.id: row.status for row in cs.rundown}
    assert rows["b"] == "skipped" and rows["x"] == "skipped"


def test_delay_is_refused_when_the_next_segment_is_hard(day: Schedule) -> None:
    with pytest.raises(CommandRejected, match="hard start at 11:45"):
        Show(day).do("11:42", Delay(channel="main", minutes=5))


def test_a_delay_after_lunch_moves_the_afternoon(day: Schedule) -> None:
    show = Show(day).do("12:00", Delay(channel="main", minutes=10))
    cs = show.ch("13:05")
    assert cs.status == "gap"  # c ended on time at 13:00 (hard); lunch moved to 13:10
    assert next_of(cs) == ("d", "13:10", "14:10")
    assert next_of(show.ch("13:30")) == ("e", "14:10", "15:10")


# --------------------------------------------------------------------------- take / back


def test_take_puts_the_next_segment_on_air_now(day: Schedule) -> None:
    show = Show(day).do("10:20", Take(channel="main", confirm=True))
    cs = show.ch("10:20")
    assert now_of(cs) == ("b", "10:20", "11:20")


def test_take_a_named_segment_skips_to_it(day: Schedule) -> None:
    show = Show(day).do("10:20", Take(channel="main", segment="e", confirm=True))
    assert now_of(show.ch("10:20")) == ("e", "10:20", "11:20")
    assert show.ch("11:25").status == "finished"


def test_take_of_the_segment_on_air_is_refused(day: Schedule) -> None:
    with pytest.raises(CommandRejected, match="already on air"):
        Show(day).do("10:10", Take(channel="main", segment="a"))


def test_back_right_after_a_take_restores_the_remaining_time(day: Schedule) -> None:
    show = Show(day).do("10:28", Take(channel="main")).do("10:28:10", Back(channel="main"))
    cs = show.ch("10:28:10")
    assert now_of(cs) == ("a", "10:00", "10:30:10")  # resumes: same start, 2 min left
    assert not cs.held


def test_back_after_a_natural_end_holds_the_previous_segment(day: Schedule) -> None:
    show = Show(day).do("10:35", Back(channel="main"))
    cs = show.ch("10:40")
    assert now_of(cs) == ("a", "10:00", "10:35")  # no time left: held, in overtime
    assert cs.held


def test_back_with_nothing_before_is_refused(day: Schedule) -> None:
    with pytest.raises(CommandRejected, match="nothing before"):
        Show(day).do("10:10", Back(channel="main"))


# --------------------------------------------------------------------------- slate, site, messages


def test_slate_is_up_until_cleared_and_does_not_stop_the_clock(day: Schedule) -> None:
    show = Show(day).do("10:10", Slate(channel="main", text="Incident technique"))
    cs = show.ch("10:40")
    assert cs.slate is not None and cs.slate.text == "Incident technique"
    assert now_of(cs) == ("b", "10:30", "11:30")
    show.do("10:41", SlateClear(channel="main"))
    assert show.ch("10:41").slate is None
    with pytest.raises(CommandRejected, match="no slate"):
        show.do("10:42", SlateClear(channel="main"))


def test_site_override_replaces_the_site_on_air_until_cleared(day: Schedule) -> None:
    show = Show(day).do("10:10", SiteOverride(channel="main", site="morlaix"))
    cs = show.ch("10:45")
    assert cs.site == "morlaix" and cs.site_overridden
    assert show.ch("13:30").site is None  # a break stays a break
    show.do("14:10", SiteClear(channel="main"))
    assert show.ch("14:10").site == "lille"
    with pytest.raises(CommandRejected, match="unknown site"):
        show.do("14:11", SiteOverride(channel="main", site="nowhere"))


def test_messages_stay_until_cleared_and_carry_their_journal_id(day: Schedule) -> None:
    show = Show(day).do("10:10", Message(channel="main", audience="moderators", text="2 min"))
    cs = show.ch("12:00")
    assert cs.moderators_message is not None
    assert cs.moderators_message.text == "2 min" and cs.moderators_message.id == 1
    assert cs.viewers_message is None
    show.do("12:01", MessageClear(channel="main", audience="moderators"))
    assert show.ch("12:01").moderators_message is None


def test_reset_returns_the_channel_to_the_plan(day: Schedule) -> None:
    show = (
        Show(day)
        .do("10:10", Extend(channel="main", minutes=15))
        .do("10:11", Slate(channel="main", text="x"))
        .do("10:12", Reset(channel="main"))
    )
    cs = show.ch("10:40")
    assert now_of(cs) == ("b", "10:30", "11:30")
    assert cs.slate is None


def test_commands_on_an_unknown_channel_are_refused(day: Schedule) -> None:
    with pytest.raises(CommandRejected, match="unknown channel"):
        Show(day).do("10:10", Hold(channel="nope"))


# --------------------------------------------------------------------------- next change


def test_next_change_is_the_next_transition_or_item(day: Schedule) -> None:
    show = Show(day)
    assert hm(next_change_after(day, [], at("10:15"))) == "10:30"
    assert hm(next_change_after(day, [], at("10:31"))) == "10:40"
    assert hm(next_change_after(day, [], at("11:41"))) == "11:45"
    assert next_change_after(day, [], at("15:30")) is None
    show.do("10:20", Hold(channel="main"))
    assert hm(next_change_after(day, show.journal, at("10:10"))) == "10:20"


def test_state_is_the_same_after_replaying_the_same_journal(day: Schedule) -> None:
    show = Show(day).do("10:20", Hold(channel="main")).do("10:40", Release(channel="main"))
    assert state(day, show.journal, at("11:00")) == state(day, list(show.journal), at("11:00"))
