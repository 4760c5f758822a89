"""Properties of the timeline over random schedules and random operator journals."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from control_room.core.commands import (
    Back,
    Blackout,
    Command,
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
    SiteClear,
    SiteOverride,
    Slate,
    SlateClear,
    SlateToggle,
    Take,
    Undo,
)
from control_room.core.schedule import (
    Channel,
    Event,
    Item,
    Kind,
    Person,
    PersonRole,
    Schedule,
    Segment,
    Site,
)
from control_room.core.timeline import (
    CommandRejected,
    JournalEntry,
    Replay,
    ShowState,
    apply,
    check,
    next_change_after,
    state,
    state_and_next_change,
)

PARIS = ZoneInfo("Europe/Paris")
DAY0 = dt.datetime(2026, 7, 7, 8, 0, tzinfo=dt.UTC)  # 10:00 in Paris
SITES = {s: Site(s, s.title(), s.title(), scene=s) for s in ("paris", "lille", "lyon")}
MIN = dt.timedelta(minutes=1)
ANA = (Person("Ana", PersonRole.SPEAKER, "Maire", "Lyon"),)
BOB = (Person("Bob", PersonRole.MODERATOR),)

# Random examples by hand (HYPOTHESIS_EXAMPLES=5000 to search harder); in CI the same
# examples every run, so a landing never depends on luck.
PROFILE = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "400")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def channels(draw: st.DrawFn, cid: str) -> Channel:
    n = draw(st.integers(1, 7))
    t = DAY0 + draw(st.integers(0, 30)) * MIN
    segs: list[Segment] = []
    for i in range(n):
        t += draw(st.sampled_from([0, 0, 0, 5, 15])) * MIN
        length = draw(st.integers(5, 90)) * MIN
        items: tuple[Item, ...] = ()
        if draw(st.booleans()) and length >= 10 * MIN:
            half = (length // MIN // 2) * MIN
            short = draw(st.sampled_from([0, 0, 1])) * MIN  # 1: does not close its segment
            items = (
                Item(f"{cid}-{i}-1", "first", t, t + half, people=draw(st.sampled_from([(), ANA]))),
                Item(f"{cid}-{i}-2", "second", t + half, t + length - short, site="lyon"),
            )
        kind = draw(st.sampled_from([Kind.TALK, Kind.BREAK, Kind.WORKSHOP]))
        strap = draw(st.sampled_from([None, None, dt.timedelta(0), dt.timedelta(seconds=45)]))
        segs.append(
            Segment(
                id=f"{cid}-{i}",
                title=f"Segment {i}",
                kind=kind,
                start=t,
                end=t + length,
                hard=draw(st.booleans()),
                site=None if kind is Kind.BREAK else draw(st.sampled_from(sorted(SITES))),
                items=items,
                people=draw(st.sampled_from([(), BOB])),
                lower_third=strap,
            )
        )
        t += length
    return Channel(cid, cid.title(), tuple(segs))


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    n = draw(st.integers(1, 2))
    chans = tuple(draw(channels(f"c{i}")) for i in range(n))
    event = Event(
        "Random day", dt.date(2026, 7, 7), PARIS, safe_take_minutes=draw(st.sampled_from([0, 5]))
    )
    return Schedule(event, SITES, chans)


def command_for(draw: st.DrawFn, schedule: Schedule) -> Command:
    channel = draw(st.sampled_from([c.id for c in schedule.channels]))
    segs = [s.id for s in schedule.channel(channel).segments]
    minutes = draw(st.sampled_from([-10, -1, 1, 5, 8, 30]))
    seconds = draw(st.sampled_from([-90, -30, 30, 45, 600]))
    options: list[Command] = [
        Take(channel=channel),
        Take(channel=channel, confirm=True),
        Take(channel=channel, segment=draw(st.sampled_from(segs)), confirm=True),
        Back(channel=channel),
        Hold(channel=channel),
        Release(channel=channel),
        HoldToggle(channel=channel),
        Extend(channel=channel, minutes=minutes),
        Extend(channel=channel, seconds=seconds),
        Shorten(channel=channel, seconds=abs(seconds)),
        Delay(channel=channel, minutes=minutes),
        Delay(channel=channel, seconds=seconds),
        Slate(channel=channel, text="incident"),
        SlateClear(channel=channel),
        SlateToggle(channel=channel, text="feed lost"),
        LowerThird(channel=channel, action=draw(st.sampled_from(["in", "out", "toggle"]))),
        Flash(channel=channel, seconds=draw(st.sampled_from([5, 600]))),
        Blackout(channel=channel, on=draw(st.sampled_from([None, True, False]))),
        SiteOverride(channel=channel, site="paris"),
        SiteClear(channel=channel),
        Message(channel=channel, audience="moderators", text="hello"),
        Reset(channel=draw(st.sampled_from([None, channel]))),
    ]
    return draw(st.sampled_from(options))


@st.composite
def shows(
    draw: st.DrawFn, *, only: tuple[type, ...] | None = None, forward: bool = False
) -> tuple[Schedule, list[JournalEntry]]:
    """A schedule and a journal of commands, each checked at its instant like the server."""
    schedule = draw(schedules())
    journal: list[JournalEntry] = []
    t = DAY0 - 10 * MIN
    for _ in range(draw(st.integers(0, 12))):
        t += draw(st.integers(0, 60 * 40)) * dt.timedelta(seconds=1)
        cmd = command_for(draw, schedule)
        if journal and draw(st.integers(0, 3)) == 0:  # an undo (or a redo) of an entry
            cmd = Undo(seq=draw(st.integers(1, len(journal))))
        if only is not None and not isinstance(cmd, only):
            continue
        if forward and isinstance(cmd, Delay) and cmd.delta < dt.timedelta(0):
            continue  # only delays that push later
        try:
            kept = check(schedule, journal, cmd, t)
        except CommandRejected:
            continue
        journal.append(JournalEntry(len(journal) + 1, t, kept))
    return schedule, journal


instants = st.integers(-20 * 60, 12 * 3600).map(lambda s: DAY0 + dt.timedelta(seconds=s))


def assert_sane(show: ShowState) -> None:
    for cs in show.channels:
        on_air = [row for row in cs.rundown if row.status == "on_air"]
        assert len(on_air) <= 1
        assert (cs.now is None) == (not on_air)
        if cs.now is not None:
            assert cs.now.ends_at >= cs.now.starts_at
            assert cs.now.starts_at <= show.at
            if not cs.held:
                assert show.at < cs.now.ends_at or cs.now.ends_at == cs.now.starts_at
        for row in cs.rundown:
            if row.starts_at is not None and row.ends_at is not None:
                assert row.ends_at >= row.starts_at


@PROFILE
@given(shows(), instants)
def test_at_most_one_segment_is_on_air_per_channel_and_none_is_negative(
    show: tuple[Schedule, list[JournalEntry]], t: dt.datetime
) -> None:
    schedule, journal = show
    assert_sane(state(schedule, journal, t))


@PROFILE
@given(shows(), instants)
def test_replaying_the_same_journal_gives_the_same_state(
    show: tuple[Schedule, list[JournalEntry]], t: dt.datetime
) -> None:
    schedule, journal = show
    first = state(schedule, journal, t)
    again = state(schedule, [JournalEntry(e.seq, e.at, e.command, e.by) for e in journal], t)
    assert first == again


@PROFILE
@given(shows(), instants, st.floats(0.0, 1.0))
def test_state_is_constant_until_the_next_change(
    show: tuple[Schedule, list[JournalEntry]], t: dt.datetime, fraction: float
) -> None:
    schedule, journal = show
    here = state(schedule, journal, t)
    change = next_change_after(schedule, journal, t)
    assert state_and_next_change(schedule, journal, t) == (here, change)
    if change is None:
        later = t + dt.timedelta(hours=20)
        assert state(schedule, journal, later) == here
        return
    assert change > t
    inside = t + (change - t) * fraction
    if inside >= change:
        inside = change - dt.timedelta(microseconds=1)
    assert state(schedule, journal, inside) == here
    assert state(schedule, journal, change - dt.timedelta(microseconds=1)) == here


@PROFILE
@given(shows(), instants)
def test_following_next_change_visits_every_change(
    show: tuple[Schedule, list[JournalEntry]], t: dt.datetime
) -> None:
    """Walking from change to change never misses one: each step changes the state."""
    schedule, journal = show
    steps = 0
    current = state(schedule, journal, t)
    while (change := next_change_after(schedule, journal, t)) is not None and steps < 60:
        new = state(schedule, journal, change)
        assert_sane(new)
        if change not in {e.at for e in journal}:  # a command may be a no-op (reset)
            assert new != current, f"nothing changed at {change}"
        steps += 1
        t, current = change, new


@PROFILE
@given(shows(only=(Delay, Slate, SlateClear, SiteOverride, SiteClear, Message)), instants)
def test_hard_starts_never_move_under_delays(
    show: tuple[Schedule, list[JournalEntry]], t: dt.datetime
) -> None:
    schedule, journal = show
    for cs in state(schedule, journal, t).channels:
        for row in cs.rundown:
            if row.segment.hard and row.starts_at is not None:
                assert row.starts_at == row.segment.start, row


@PROFILE
@given(shows(only=(Delay,), forward=True), instants)
def test_delays_never_start_a_segment_before_its_planned_time(
    show: tuple[Schedule, list[JournalEntry]], t: dt.datetime
) -> None:
    schedule, journal = show
    for cs in state(schedule, journal, t).channels:
        for row in cs.rundown:
            if row.starts_at is not None:
                assert row.starts_at >= row.segment.start


@PROFILE
@given(shows(), st.data())
def test_applying_a_command_equals_replaying_the_journal_with_it(
    show: tuple[Schedule, list[JournalEntry]], data: st.DataObject
) -> None:
    """The server's one-replay path (check + state + next change) is the full replay's twin."""
    schedule, journal = show
    last = journal[-1].at if journal else DAY0 - 10 * MIN
    t = last + data.draw(st.integers(0, 3600)) * dt.timedelta(seconds=1)
    entry = JournalEntry(len(journal) + 1, t, command_for(data.draw, schedule))
    try:
        check(schedule, journal, entry.command, t)
    except CommandRejected:
        rejected = True
    else:
        rejected = False
    try:
        after, next_change = apply(schedule, journal, entry)
    except CommandRejected:
        assert rejected
        return
    assert not rejected
    assert (after, next_change) == state_and_next_change(schedule, [*journal, entry], t)


@PROFILE
@given(shows(), st.integers(0, 6 * 3600))
def test_the_replay_that_keeps_its_place_equals_the_full_replay(
    show: tuple[Schedule, list[JournalEntry]], later: int
) -> None:
    """The incremental engine (checked and committed entry by entry, the server's path)
    equals the full replay after every entry and at any later instant."""
    schedule, journal = show
    incremental = Replay(schedule)
    previous = DAY0 - 10 * MIN
    for i, entry in enumerate(journal):
        between = previous + (entry.at - previous) / 2  # an instant between two commands
        assert incremental.state(between) == state_and_next_change(schedule, journal[:i], between)
        previous = entry.at
        step = incremental.check(entry)
        assert (step.state, step.next_change) == state_and_next_change(
            schedule, journal[: i + 1], entry.at
        )
        incremental.commit(step)
    t = (journal[-1].at if journal else DAY0) + dt.timedelta(seconds=later)
    expected = state_and_next_change(schedule, journal, t)
    assert incremental.state(t) == expected
    assert Replay(schedule, journal).state(t) == expected
