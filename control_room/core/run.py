"""The run of a channel: the mutable replay state the engine advances.

:class:`ChannelRun` follows a channel's plan by itself (:meth:`ChannelRun.advance`: segments
end at their expected end, the next starts when its start rule says so); the rules of each
operator command (:mod:`control_room.core.rules`) change it. Only the engine uses it: it
never leaves it.

Pure core: no I/O, no clock reads.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from .schedule import Channel, Segment
from .states import LowerThirdState, MessageState, SlateState
from .straps import Manual, lower_third

__all__ = ["ChannelRun"]

_ZERO = dt.timedelta(0)

# --------------------------------------------------------------------------- the run of a channel


@dataclass
class ChannelRun:
    """The mutable replay state of one channel (never leaves the engine)."""

    ch: Channel
    pos: int | None = None  # index of the segment on air
    start: dt.datetime | None = None  # when it went on air
    end: dt.datetime | None = None  # when it is expected to end (before any hard cut)
    min_end: dt.datetime | None = None  # it may not end before this (release, shorten)
    cuttable: bool = True  # a later hard start may cut it (false once extended)
    gate: int = 0  # not on air: the next segment that may start
    floor: dt.datetime | None = None  # not on air: the next may not start before this
    held: bool = False
    shift: list[dt.timedelta] = field(default_factory=list)  # delays per segment
    # for back: (segment, time it had left, when it first went on air)
    stack: list[tuple[int, dt.timedelta, dt.datetime]] = field(default_factory=list)
    aired: dict[int, tuple[dt.datetime, dt.datetime]] = field(default_factory=dict)
    slate: SlateState | None = None
    override: str | None = None
    messages: dict[str, MessageState] = field(default_factory=dict)
    strap: Manual | None = None  # the strap called in or out by hand on this segment
    flash_until: dt.datetime | None = None
    blackout: bool = False

    def __post_init__(self) -> None:
        if not self.shift:
            self.shift = [_ZERO] * len(self.ch.segments)

    @property
    def segs(self) -> tuple[Segment, ...]:
        return self.ch.segments

    def clone(self) -> ChannelRun:
        """An independent copy (its own lists and dicts; the schedule objects are shared)."""
        twin = copy.copy(self)
        twin.shift = list(self.shift)
        twin.stack = list(self.stack)
        twin.aired = dict(self.aired)
        twin.messages = dict(self.messages)
        return twin

    # -- automatic progression

    def deadline(self) -> dt.datetime | None:
        """The planned start of the first later hard segment, if it can cut the current one."""
        assert self.pos is not None and self.start is not None
        if not self.cuttable:
            return None
        for seg in self.segs[self.pos + 1 :]:
            if seg.hard:
                return seg.start if seg.start > self.start else None
        return None

    def end_instant(self, *, ignore_hold: bool = False) -> dt.datetime | None:
        """When the segment on air will end by itself (None while held)."""
        assert self.end is not None and self.min_end is not None
        if self.held and not ignore_hold:
            return None
        end = self.end
        if not self.held:
            cut = self.deadline()
            if cut is not None and cut < end:
                end = cut
        return max(end, self.min_end)

    def gap_target(self) -> tuple[int, dt.datetime] | None:
        """While nothing is on air: which segment starts next by itself, and when.

        The gate segment starts at its (delayed) start; but a later hard segment whose
        planned start comes first starts then, and the segments before it are skipped.
        """
        if self.held or self.gate >= len(self.segs):
            return None
        floor = self.floor

        def bounded(instant: dt.datetime) -> dt.datetime:
            return max(instant, floor) if floor is not None else instant

        seg = self.segs[self.gate]
        start = bounded(seg.start if seg.hard else seg.start + self.shift[self.gate])
        for h in range(self.gate + 1, len(self.segs)):
            if self.segs[h].hard:
                hard_start = bounded(self.segs[h].start)
                if hard_start < start:
                    return h, hard_start
                break
        return self.pick(self.gate, start), start

    def next_transition(self) -> dt.datetime | None:
        if self.pos is not None:
            return self.end_instant()
        target = self.gap_target()
        return target[1] if target is not None else None

    def pick(self, k: int, at: dt.datetime) -> int:
        """Segment k, or the last later hard segment whose planned start has passed."""
        chosen = k
        for i in range(k, len(self.segs)):
            seg = self.segs[i]
            if seg.start > at:
                break
            if seg.hard:
                chosen = i
        return chosen

    def fire(self, at: dt.datetime) -> None:
        """Perform the automatic transition due at ``at``."""
        if self.pos is not None:
            k = self.pos + 1
            self.leave(at)
            self.after(k, at)
        else:
            target = self.gap_target()
            assert target is not None
            self.enter(target[0], at)

    def leave(self, at: dt.datetime) -> None:
        assert self.pos is not None and self.start is not None and self.end is not None
        self.aired[self.pos] = (self.start, at)
        self.stack.append((self.pos, max(self.end - at, _ZERO), self.start))
        self.pos = self.start = self.end = self.min_end = None

    def after(self, k: int, at: dt.datetime) -> None:
        """Something just ended at ``at``; segment k is the candidate to follow."""
        self.floor = at
        self.gate = k
        if k >= len(self.segs):
            return
        chosen = self.pick(k, at)
        if chosen != k:
            self.enter(chosen, at)
            return
        seg = self.segs[k]
        start = seg.start if seg.hard else max(seg.start + self.shift[k], at)
        if start <= at and not self.held:
            self.enter(k, at)

    def enter(self, k: int, at: dt.datetime) -> None:
        seg = self.segs[k]
        # A late segment keeps its duration, except a block that only points at parallel
        # channels: those run on their own clocks, so it keeps its planned end.
        end = max(seg.end, at) if seg.parallel else at + seg.duration
        self.pos, self.start, self.end, self.min_end = k, at, end, at
        self.cuttable = True
        self.held = False
        self.strap = None
        self.gate, self.floor = k + 1, None

    def advance(self, until: dt.datetime) -> None:
        """Follow the plan up to and including ``until``."""
        for _ in range(4 * len(self.segs) + 4):
            when = self.next_transition()
            if when is None or when > until:
                return
            self.fire(when)
        raise AssertionError("timeline did not settle")  # pragma: no cover

    def projection(self) -> list[tuple[int, dt.datetime, dt.datetime]]:
        """The segments still to air, with expected times, if nobody touches anything.

        While held, the projection assumes the hold is released at the expected end.
        """
        sim = copy.copy(self)
        sim.stack, sim.aired = [], {}
        out: list[tuple[int, dt.datetime, dt.datetime]] = []
        if sim.pos is not None:
            when = sim.end_instant(ignore_hold=True)
            assert when is not None
            sim.held = False
            k = sim.pos + 1
            sim.leave(when)
            sim.after(k, when)
        else:
            sim.held = False
        for _ in range(2 * len(self.segs) + 2):
            if sim.pos is None:
                target = sim.gap_target()
                if target is None:
                    break
                sim.enter(*target)
            assert sim.pos is not None and sim.start is not None
            end = sim.end_instant()
            assert end is not None
            out.append((sim.pos, sim.start, end))
            k = sim.pos + 1
            sim.leave(end)
            sim.after(k, end)
        return out

    def next_index(self) -> int | None:
        proj = self.projection()
        return proj[0][0] if proj else None

    def lower_third(
        self, t: dt.datetime, default: dt.timedelta
    ) -> tuple[LowerThirdState, dt.datetime | None]:
        """The name strap at ``t`` and when it goes out by itself (:mod:`.straps`)."""
        if self.pos is None:
            return LowerThirdState(False), None
        assert self.start is not None
        end = self.end_instant(ignore_hold=True)
        assert end is not None
        seg = self.segs[self.pos]
        return lower_third(seg, self.start, end, self.held, self.strap, t, default)
