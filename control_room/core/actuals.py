"""What actually aired: each segment's and item's actual start and end, per channel.

    actuals(schedule, journal, until) -> Actuals

The rules are the engine's, never re-derived here: this module walks the engine's own
changes (:func:`~control_room.core.timeline.state_and_next_change`) from the first
instant of the day to ``until`` and writes down, between two changes (where the state is
constant), which segment and which item each channel had on air. A segment's start is the
engine's own ``starts_at`` the last time it went on air (a segment resumed with ``back``
keeps the start it had; one taken too early and sent back starts when it finally went on
air), its end the instant it last left the air. An item starts when it first went on air and
ends when it last left it.

Pure core: no I/O, no clock reads; ``until`` is an argument.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from .schedule import Channel, Item, Schedule, Segment
from .timeline import JournalEntry, ShowState, state, state_and_next_change

__all__ = [
    "Actuals",
    "AiredStatus",
    "ChannelActuals",
    "ItemActual",
    "SegmentActual",
    "actuals",
    "first_instant",
]

AiredStatus = Literal["aired", "on_air", "skipped", "planned"]
"""``aired``: went on air and left it; ``on_air``: still on air at ``until``; ``skipped``:
never aired and the day went past it; ``planned``: not reached yet at ``until``."""


@dataclass(frozen=True, slots=True)
class ItemActual:
    """An item of a segment: planned times, and actual times (None when it never aired)."""

    item: Item
    status: AiredStatus
    start: dt.datetime | None
    end: dt.datetime | None  # None while on air, or never aired

    @property
    def duration(self) -> dt.timedelta | None:
        return None if self.start is None or self.end is None else self.end - self.start


@dataclass(frozen=True, slots=True)
class SegmentActual:
    """A segment: planned times, actual times, the time it spent held past its end."""

    segment: Segment
    status: AiredStatus
    start: dt.datetime | None
    end: dt.datetime | None  # None while on air, or never aired
    items: tuple[ItemActual, ...]
    held: dt.timedelta = dt.timedelta(0)
    pieces: int = 0  # how many times it went on air (2 or more: left, then resumed)

    @property
    def duration(self) -> dt.timedelta | None:
        return None if self.start is None or self.end is None else self.end - self.start

    @property
    def late(self) -> dt.timedelta | None:
        """How late it started against the plan (negative: early)."""
        return None if self.start is None else self.start - self.segment.start

    @property
    def overrun(self) -> dt.timedelta | None:
        """How much longer it ran than planned (negative: shorter)."""
        duration = self.duration
        return None if duration is None else duration - self.segment.duration


@dataclass(frozen=True, slots=True)
class ChannelActuals:
    channel: Channel
    segments: tuple[SegmentActual, ...]

    def segment(self, segment_id: str) -> SegmentActual:
        """The actuals of one segment.

        Raises:
            KeyError: no such segment on the channel.
        """
        for actual in self.segments:
            if actual.segment.id == segment_id:
                return actual
        raise KeyError(segment_id)


@dataclass(frozen=True, slots=True)
class Actuals:
    """The day as it ran up to ``until``, channel by channel."""

    until: dt.datetime
    channels: tuple[ChannelActuals, ...]

    def channel(self, channel_id: str) -> ChannelActuals:
        """The actuals of one channel.

        Raises:
            KeyError: no such channel.
        """
        for ch in self.channels:
            if ch.channel.id == channel_id:
                return ch
        raise KeyError(channel_id)


_K = TypeVar("_K", str, tuple[str, str])


@dataclass
class _Span:
    first: dt.datetime
    last: dt.datetime | None = None  # None: still on air
    pieces: int = 1


class _Tally:
    """What one channel had on air over the walk."""

    def __init__(self) -> None:
        self.segments: dict[str, _Span] = {}
        self.items: dict[tuple[str, str], _Span] = {}
        self.held: dict[str, dt.timedelta] = {}
        self.on_segment: str | None = None
        self.on_item: tuple[str, str] | None = None
        self.held_since: tuple[str, dt.datetime] | None = None

    def observe(self, show: ShowState, channel_id: str, at: dt.datetime) -> None:
        cs = show.channel(channel_id)
        segment = cs.now.segment.id if cs.now is not None else None
        item = (
            (cs.now.segment.id, cs.now.item.id)
            if cs.now is not None and cs.now.item is not None
            else None
        )
        if _switch(self.segments, self.on_segment, segment, at) and cs.now is not None:
            # The engine's own start: a segment resumed with ``back`` keeps the start it had.
            self.segments[cs.now.segment.id].first = cs.now.starts_at
        _switch(self.items, self.on_item, item, at)
        self.on_segment, self.on_item = segment, item
        # Held past its end: from max(hold start, expected end) while the state says held.
        overtime = cs.now is not None and cs.held
        if self.held_since is not None and (not overtime or self.held_since[0] != segment):
            seg_id, since = self.held_since
            self.held[seg_id] = self.held.get(seg_id, dt.timedelta(0)) + max(
                at - since, dt.timedelta(0)
            )
            self.held_since = None
        if overtime and self.held_since is None and cs.now is not None:
            self.held_since = (cs.now.segment.id, max(at, cs.now.ends_at))

    def close(self, until: dt.datetime) -> None:
        if self.held_since is not None:
            seg_id, since = self.held_since
            self.held[seg_id] = self.held.get(seg_id, dt.timedelta(0)) + max(
                until - since, dt.timedelta(0)
            )


def _switch(spans: dict[_K, _Span], before: _K | None, after: _K | None, at: dt.datetime) -> bool:
    """Close ``before``'s span and open (or reopen) ``after``'s; True if ``after`` went on air."""
    if before == after:
        return False
    if before is not None:
        spans[before].last = at
    if after is not None:
        span = spans.get(after)
        if span is None:
            spans[after] = _Span(at)
        else:
            span.last = None
            span.pieces += 1
    return after is not None


def first_instant(schedule: Schedule, journal: Sequence[JournalEntry]) -> dt.datetime:
    """Where the walk starts: the earliest planned start or command of the day."""
    starts = [seg.start for ch in schedule.channels for seg in ch.segments]
    starts += [entry.at for entry in journal[:1]]
    if schedule.event.start is not None:
        starts.append(schedule.event.start)
    return min(starts)


def actuals(
    schedule: Schedule,
    journal: Sequence[JournalEntry],
    until: dt.datetime,
    *,
    max_steps: int = 100_000,
) -> Actuals:
    """What aired on every channel, up to ``until``.

    Args:
        schedule: the validated schedule.
        journal: every command, in order (entries after ``until`` are ignored).
        until: an aware instant: the end of the walk (the show time now, or the day's end).
        max_steps: a bound on the engine's changes walked (a guard, never reached).

    Raises:
        ValueError: the walk did not reach ``until`` in ``max_steps`` changes.
    """
    tallies = {ch.id: _Tally() for ch in schedule.channels}
    t: dt.datetime | None = first_instant(schedule, journal)
    assert t is not None
    steps = 0
    while t is not None and t <= until:
        show, t_next = state_and_next_change(schedule, journal, t)
        for ch in schedule.channels:
            tallies[ch.id].observe(show, ch.id, t)
        t = t_next
        steps += 1
        if steps > max_steps:
            raise ValueError(f"actuals: more than {max_steps} changes before {until}")
    final = state(schedule, journal, until)
    for tally in tallies.values():
        tally.close(until)
    return Actuals(
        until,
        tuple(_channel(ch, tallies[ch.id], final) for ch in schedule.channels),
    )


def _status(span: _Span | None, skipped: bool) -> AiredStatus:
    if span is not None:
        return "on_air" if span.last is None else "aired"
    return "skipped" if skipped else "planned"


def _channel(ch: Channel, tally: _Tally, final: ShowState) -> ChannelActuals:
    rows = {row.segment.id: row for row in final.channel(ch.id).rundown}
    out: list[SegmentActual] = []
    for seg in ch.segments:
        span = tally.segments.get(seg.id)
        row = rows[seg.id]
        status = _status(span, row.status == "skipped")
        items: list[ItemActual] = []
        spans = [tally.items.get((seg.id, item.id)) for item in seg.items]
        for k, (item, ispan) in enumerate(zip(seg.items, spans, strict=True)):
            # An item not reached in a segment that is done (or skipped) never will be; in
            # the segment on air, an item is passed once a later one has aired.
            passed = status in ("aired", "skipped") or any(s is not None for s in spans[k + 1 :])
            istatus = _status(ispan, passed)
            items.append(
                ItemActual(
                    item,
                    istatus,
                    None if ispan is None else ispan.first,
                    None if ispan is None else ispan.last,
                )
            )
        out.append(
            SegmentActual(
                seg,
                status,
                None if span is None else span.first,
                None if span is None else span.last,
                tuple(items),
                held=tally.held.get(seg.id, dt.timedelta(0)),
                pieces=0 if span is None else span.pieces,
            )
        )
    return ChannelActuals(ch, tuple(out))
