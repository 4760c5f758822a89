"""The run of a channel: the mutable replay state the engine advances, and the rules of
each operator command applied to it.

:class:`ChannelRun` follows a channel's plan by itself (:meth:`ChannelRun.advance`: segments
end at their expected end, the next starts when its start rule says so); :func:`apply_command`
applies one journal entry to the runs; :func:`replay` replays a journal up to an instant.
Only :mod:`control_room.core.timeline` uses them: they never leave the engine.

Pure core: no I/O, no clock reads.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from .commands import (
    Back,
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
from .schedule import Channel, Schedule, Segment
from .states import CommandRejected, JournalEntry, MessageState, SlateState

__all__ = ["ChannelRun", "apply_command", "replay"]

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


# --------------------------------------------------------------------------- commands


def apply_command(
    runs: dict[str, ChannelRun], schedule: Schedule, entry: JournalEntry, at: dt.datetime
) -> None:
    """Apply one command at ``at`` (every run already advanced to ``at``).

    Each rule checks before it changes anything, so a refused command leaves the runs as
    they were.

    Raises:
        CommandRejected: the command cannot apply now.
    """
    cmd = entry.command
    if isinstance(cmd, Reset):
        _reset(runs, cmd, at)
        return
    run = runs.get(cmd.channel)
    if run is None:
        raise CommandRejected(f"unknown channel {cmd.channel!r}")
    cid = cmd.channel
    match cmd:
        case Take():
            _take(run, cmd, at)
        case Back():
            _back(run, at)
        case Hold():
            if run.held:
                raise CommandRejected(f"hold: {cid} is already held")
            if run.pos is None and run.gate >= len(run.segs):
                raise CommandRejected(f"hold: {cid} has finished its day")
            run.held = True
        case Release():
            _release(run, at)
        case Extend(minutes=minutes):
            _extend(run, minutes, at)
        case Delay(minutes=minutes):
            _delay(run, schedule, minutes)
        case Slate(text=text):
            run.slate = SlateState(text, at)
        case SlateClear():
            if run.slate is None:
                raise CommandRejected(f"slate_clear: no slate up on {cid}")
            run.slate = None
        case SiteOverride(site=site):
            if site not in schedule.sites:
                raise CommandRejected(f"site_override: unknown site {site!r}")
            run.override = site
        case SiteClear():
            if run.override is None:
                raise CommandRejected(f"site_clear: no site override on {cid}")
            run.override = None
        case Message(audience=audience, text=text):
            run.messages[audience] = MessageState(entry.seq, text, at)
        case MessageClear(audience=audience):
            if audience not in run.messages:
                raise CommandRejected(f"message_clear: no message to the {audience} on {cid}")
            del run.messages[audience]
        case _:  # pragma: no cover - Reset handled above; the union is exhaustive
            raise AssertionError(cmd)


def _reset(runs: dict[str, ChannelRun], cmd: Reset, at: dt.datetime) -> None:
    """Back to the plan on one channel (or all): a fresh run, advanced to now."""
    targets = [cmd.channel] if cmd.channel is not None else list(runs)
    for cid in targets:
        if cid not in runs:
            raise CommandRejected(f"unknown channel {cid!r}")
    for cid in targets:
        fresh = ChannelRun(runs[cid].ch)
        fresh.advance(at)
        runs[cid] = fresh


def _take(run: ChannelRun, cmd: Take, at: dt.datetime) -> None:
    """The next segment (or the named one) on air now."""
    cid, target_id = cmd.channel, cmd.segment
    if target_id is None:
        target = run.next_index()
        if target is None:
            raise CommandRejected(f"take: nothing left to take on {cid}")
    else:
        ids = [s.id for s in run.segs]
        if target_id not in ids:
            raise CommandRejected(f"take: no segment {target_id!r} on channel {cid}")
        target = ids.index(target_id)
        if target == run.pos:
            raise CommandRejected(f"take: {target_id!r} is already on air on {cid}")
    if run.pos is not None:
        run.leave(at)
    run.enter(target, at)


def _back(run: ChannelRun, at: dt.datetime) -> None:
    """The previous segment again, with the time it had left."""
    if not run.stack:
        raise CommandRejected(f"back: nothing before this on {run.ch.id}")
    if run.pos is not None:
        assert run.start is not None
        run.aired[run.pos] = (run.start, at)
    prev, remaining, first_start = run.stack.pop()
    run.enter(prev, at)
    # It resumes where it was: same start (so its items and progress are where
    # they were), with the time it had left; if it had none, it comes back held.
    run.start = first_start
    run.end = at + remaining
    run.held = remaining <= _ZERO


def _release(run: ChannelRun, at: dt.datetime) -> None:
    """Undo a hold: the segment ends at its end, or now if that is past."""
    if not run.held:
        raise CommandRejected(f"release: {run.ch.id} is not held")
    run.held = False
    if run.pos is not None:
        run.min_end = at
    else:
        run.floor = max(run.floor, at) if run.floor is not None else at


def _extend(run: ChannelRun, minutes: int, at: dt.datetime) -> None:
    """Lengthen (or shorten) the segment on air."""
    if run.pos is None or run.end is None or run.start is None:
        raise CommandRejected(f"extend: nothing on air on {run.ch.id}")
    if minutes == 0:
        raise CommandRejected("extend: give a number of minutes other than 0")
    if minutes > 0:
        # An explicit extension beats a later hard start: keep what the plan
        # would have cut, then add to it.
        effective = run.end_instant(ignore_hold=True)
        assert effective is not None
        run.end = effective
        run.cuttable = False
    run.end = max(run.end + dt.timedelta(minutes=minutes), at, run.start)


def _delay(run: ChannelRun, schedule: Schedule, minutes: int) -> None:
    """Delay the soft starts that follow, up to the next hard start."""
    cid = run.ch.id
    if minutes == 0:
        raise CommandRejected("delay: give a number of minutes other than 0")
    first = run.pos + 1 if run.pos is not None else run.gate
    stop = next((k for k in range(first, len(run.segs)) if run.segs[k].hard), len(run.segs))
    moved = range(first, stop)
    if not moved:
        if first < len(run.segs):
            seg = run.segs[first]
            local = schedule.local(seg.start).strftime("%H:%M")
            raise CommandRejected(
                f"delay: the next segment on {cid}, {seg.id!r}, has a hard start at "
                f"{local}; hold the channel or take it by hand"
            )
        raise CommandRejected(f"delay: nothing left to delay on {cid}")
    for k in moved:
        run.shift[k] += dt.timedelta(minutes=minutes)


def replay(
    schedule: Schedule, journal: Sequence[JournalEntry], t: dt.datetime
) -> dict[str, ChannelRun]:
    runs = {ch.id: ChannelRun(ch) for ch in schedule.channels}
    for entry in journal:
        if entry.at > t:
            break
        for run in runs.values():
            run.advance(entry.at)
        try:
            apply_command(runs, schedule, entry, entry.at)
        except CommandRejected:
            # Only checked commands reach the journal, so this does not happen in
            # practice; a replay must never fail because of one entry.
            continue
    for run in runs.values():
        run.advance(t)
    return runs
