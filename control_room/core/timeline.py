"""The timeline engine: what is on air, on every channel, at any instant.

    state(schedule, journal, t) -> ShowState

It is a pure function: no I/O, no clock reads, no asyncio. The journal is replayed in
order; between two commands every channel follows its plan by itself (segments end at
their expected end, the next one starts when its start rule says so). See docs/timeline.md
for the exact semantics of each command, with worked examples.

The rules, in short (``P`` is a segment's planned start, ``D`` its planned duration):

* A segment that starts late keeps its duration: it ends ``D`` after it started.
* A *soft* segment starts at ``max(P + delay, end of the segment before)``: never before its
  planned time by itself, later when what comes before runs late.
* A *hard* segment starts at ``P``, whatever happens before it: the segment before is cut at
  ``P`` — unless the operator held or extended it, which are explicit orders and win; then
  the hard segment starts as soon as the operator lets go. Delays never move a hard start;
  they stop at it.
* When a segment ends after the planned start of a later hard segment, the segments in
  between are skipped: a hard start is a promise to the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .commands import Command, Take, Undo
from .rules import apply_command, guard, resolve
from .run import ChannelRun
from .schedule import Item, Schedule
from .states import (
    ChannelState,
    CommandRejected,
    ItemWindow,
    JournalEntry,
    LowerThirdState,
    MessageState,
    OnAir,
    RowStatus,
    RundownRow,
    ShowState,
    SlateState,
    Status,
    TimerState,
    Upcoming,
    item_windows,
)
from .undo import Undos, apply_undo, replay

__all__ = [
    "ChannelState",
    "CommandRejected",
    "ItemWindow",
    "JournalEntry",
    "LowerThirdState",
    "Replay",
    "Step",
    "MessageState",
    "OnAir",
    "RowStatus",
    "RundownRow",
    "ShowState",
    "SlateState",
    "Status",
    "TimerState",
    "Upcoming",
    "apply",
    "check",
    "item_windows",
    "next_change_after",
    "state",
    "state_and_next_change",
]

# --------------------------------------------------------------------------- public API


def check(
    schedule: Schedule, journal: Sequence[JournalEntry], command: Command, t: dt.datetime
) -> Command:
    """Check that ``command`` can apply at ``t`` after ``journal`` (the rule of the command,
    and the safe take of a submission: :func:`~control_room.core.rules.guard`).

    Returns:
        the command as the journal keeps it (a toggle resolved into what it does now).

    Raises:
        CommandRejected: why it cannot, in words for the operator.
    """
    runs, undos = replay(schedule, journal, t)
    seq = journal[-1].seq + 1 if journal else 1
    done = [e for e in journal if e.at <= t]
    return _submit(schedule, runs, undos, done, JournalEntry(seq, t, command))[0].command


def _submit(
    schedule: Schedule,
    runs: dict[str, ChannelRun],
    undos: Undos,
    journal: Sequence[JournalEntry],
    entry: JournalEntry,
) -> tuple[JournalEntry, Undos]:
    """Apply a submitted entry to ``runs`` (advanced to it): a toggle resolved, a take
    guarded, an undo applied; the entry as the journal keeps it, and the voided sets.

    Raises:
        CommandRejected: the command cannot apply now; ``runs`` are as they were.
    """
    t = entry.at
    if isinstance(entry.command, Undo):
        return entry, apply_undo(schedule, runs, journal, undos, entry)
    command = resolve(runs, schedule, entry.command, t)
    if command != entry.command:
        entry = JournalEntry(entry.seq, entry.at, command, entry.by)
    if isinstance(command, Take) and command.channel in runs:
        guard(runs[command.channel], schedule, command, t)
    apply_command(runs, schedule, entry, t)
    return entry, undos


def _items_of(run: ChannelRun) -> list[ItemWindow]:
    """The item windows of the segment on air (:func:`item_windows`)."""
    assert run.pos is not None and run.start is not None
    end = run.end_instant(ignore_hold=True)
    assert end is not None
    return item_windows(run.segs[run.pos], run.start, end)


def _channel_state(schedule: Schedule, run: ChannelRun, t: dt.datetime) -> ChannelState:
    segs = run.segs
    proj = run.projection()
    now: OnAir | None = None
    site: str | None = None
    strap = LowerThirdState(False)
    if run.pos is not None:
        assert run.start is not None and run.end is not None
        seg = segs[run.pos]
        end = run.end_instant(ignore_hold=True)
        assert end is not None
        item: tuple[Item, dt.datetime, dt.datetime] | None = None
        for w in _items_of(run):
            if w.starts_at <= t and (t < w.ends_at or (w.closing and run.held)):
                item = (w.item, w.starts_at, w.ends_at)
        site = seg.site
        if item is not None:
            now = OnAir(seg, run.start, end, item[0], item[1], item[2])
            site = item[0].site or seg.site
        else:
            now = OnAir(seg, run.start, end)
        if site is not None and run.override is not None:
            site = run.override
        status: Status = "on_air"
        strap = run.lower_third(t, schedule.event.lower_third)[0]
    elif run.gate >= len(segs):
        status = "finished"
    elif not run.aired and run.gate == 0:
        status = "before"
    else:
        status = "gap"
    nxt = Upcoming(segs[proj[0][0]], proj[0][1], proj[0][2]) if proj else None

    rows: list[RundownRow] = []
    projected = {i: (s, e) for i, s, e in proj}
    for i, seg in enumerate(segs):
        if i == run.pos and now is not None:
            rows.append(RundownRow(seg, "on_air", now.starts_at, now.ends_at))
        elif i in projected:
            s, e = projected[i]
            rows.append(RundownRow(seg, "next" if i == proj[0][0] else "planned", s, e))
        elif i in run.aired:
            s, e = run.aired[i]
            rows.append(RundownRow(seg, "done", s, e))
        else:
            rows.append(RundownRow(seg, "skipped", None, None))
    return ChannelState(
        channel=run.ch,
        status=status,
        now=now,
        next=nxt,
        site=site,
        site_overridden=site is not None and run.override is not None,
        override=run.override,
        held=run.held,
        slate=run.slate,
        moderators_message=run.messages.get("moderators"),
        viewers_message=run.messages.get("viewers"),
        rundown=tuple(rows),
        lower_third=strap,
        timer=TimerState(
            run.flash_until if run.flash_until is not None and run.flash_until > t else None,
            run.blackout,
        ),
    )


def state(schedule: Schedule, journal: Sequence[JournalEntry], t: dt.datetime) -> ShowState:
    """What is on air at ``t``, on every channel.

    Args:
        schedule: the validated schedule.
        journal: every command so far, in order (entries after ``t`` are ignored).
        t: an aware instant (show time).
    """
    runs = replay(schedule, journal, t)[0]
    return ShowState(t, tuple(_channel_state(schedule, runs[ch.id], t) for ch in schedule.channels))


def next_change_after(
    schedule: Schedule, journal: Sequence[JournalEntry], t: dt.datetime
) -> dt.datetime | None:
    """The first instant after ``t`` at which :func:`state` changes (None: never again).

    Between ``t`` and that instant the state is constant (apart from its ``at``), so a
    server needs to wake up only then.
    """
    return _next_change(schedule, journal, replay(schedule, journal, t)[0], t)


def state_and_next_change(
    schedule: Schedule, journal: Sequence[JournalEntry], t: dt.datetime
) -> tuple[ShowState, dt.datetime | None]:
    """:func:`state` and :func:`next_change_after` from one replay of the journal (what a
    server needs at every change)."""
    runs = replay(schedule, journal, t)[0]
    show = ShowState(t, tuple(_channel_state(schedule, runs[ch.id], t) for ch in schedule.channels))
    return show, _next_change(schedule, journal, runs, t)


def apply(
    schedule: Schedule, journal: Sequence[JournalEntry], entry: JournalEntry
) -> tuple[ShowState, dt.datetime | None]:
    """Check ``entry`` after ``journal`` and compute what follows, from one replay.

    What a server does on every command: the state at ``entry.at`` with the entry applied
    (equal to :func:`state` of ``[*journal, entry]`` at that instant, a toggle in the entry
    resolved as :func:`check` does) and the next change after it. ``journal`` holds no
    entry after ``entry.at``.

    Raises:
        CommandRejected: the command cannot apply now; nothing is changed.
    """
    t = entry.at
    runs, undos = replay(schedule, journal, t)
    _submit(schedule, runs, undos, journal, entry)
    for run in runs.values():
        run.advance(t)
    show = ShowState(t, tuple(_channel_state(schedule, runs[ch.id], t) for ch in schedule.channels))
    return show, _next_change(schedule, journal, runs, t)


# --------------------------------------------------------------------------- keeping its place


@dataclass(frozen=True, slots=True)
class Step:
    """A command checked against a :class:`Replay`, not yet part of it.

    Attributes:
        entry: the journal entry, as the journal keeps it (a toggle resolved into what it
            did: ``hold_toggle`` is ``hold`` or ``release``...).
        state: the state at ``entry.at`` with the command applied.
        next_change: the first instant after it at which the state changes.
        base: the replay's last entry when it was checked (a commit must follow it).
    """

    entry: JournalEntry
    state: ShowState
    next_change: dt.datetime | None
    base: int
    runs: dict[str, ChannelRun]
    undos: Undos


class Replay:
    """The engine keeping its place: the runs of every channel after the journal so far.

    A command is checked and applied against them (:meth:`check`, :meth:`commit`), and
    the state at a later instant computed from them (:meth:`state`), at a cost that does
    not grow with the journal: it depends on the channels' segments, never on how many
    commands came before. The full replay (:func:`state`, :func:`state_and_next_change`)
    stays the reference: ``Replay(schedule, journal).state(t)`` equals
    ``state_and_next_change(schedule, journal, t)`` for every ``t`` at or after the last
    entry (a property test checks it on random days and journals).

    Args:
        schedule: the validated schedule.
        journal: every command so far, in order (replayed once, here).
    """

    def __init__(self, schedule: Schedule, journal: Iterable[JournalEntry] = ()) -> None:
        self.schedule = schedule
        self._runs = {ch.id: ChannelRun(ch) for ch in schedule.channels}
        self._at: dt.datetime | None = None  # the instant the runs are advanced to
        self.last_seq = 0
        # An undo replays the day without the entries it voids (core.undo): the only step
        # whose cost grows with the journal, and a rare one.
        self._journal: list[JournalEntry] = []
        self.undos = Undos()
        for entry in journal:
            self._follow(entry)

    @property
    def at(self) -> dt.datetime | None:
        """The instant of the last entry (None: no entry yet)."""
        return self._at

    def _follow(self, entry: JournalEntry) -> None:
        # As the full replay: an entry it would refuse is skipped, never fatal.
        for run in self._runs.values():
            run.advance(entry.at)
        try:
            if isinstance(entry.command, Undo):
                self.undos = apply_undo(self.schedule, self._runs, self._journal, self.undos, entry)
            else:
                apply_command(self._runs, self.schedule, entry, entry.at)
        except CommandRejected:
            pass
        self._journal.append(entry)
        self._at, self.last_seq = entry.at, entry.seq

    def _runs_at(self, t: dt.datetime) -> dict[str, ChannelRun]:
        if self._at is not None and t < self._at:
            raise ValueError(f"the replay is at {self._at.isoformat()}, after {t.isoformat()}")
        runs = {cid: run.clone() for cid, run in self._runs.items()}
        for run in runs.values():
            run.advance(t)
        return runs

    def _show(self, runs: dict[str, ChannelRun], t: dt.datetime) -> ShowState:
        channels = self.schedule.channels
        return ShowState(t, tuple(_channel_state(self.schedule, runs[ch.id], t) for ch in channels))

    def state(self, t: dt.datetime) -> tuple[ShowState, dt.datetime | None]:
        """The state at ``t`` (at or after the last entry) and the next change after it.

        Raises:
            ValueError: ``t`` is before the last entry (use the full replay for the past).
        """
        runs = self._runs_at(t)
        return self._show(runs, t), _next_change(self.schedule, (), runs, t)

    def check(self, entry: JournalEntry) -> Step:
        """Check ``entry`` (at or after the last entry) and compute what follows it.

        Raises:
            CommandRejected: the command cannot apply now; nothing is changed.
            ValueError: ``entry`` is before the last entry.
        """
        t = entry.at
        runs = self._runs_at(t)
        entry, undos = _submit(self.schedule, runs, self.undos, self._journal, entry)
        for run in runs.values():
            run.advance(t)
        show, next_change = self._show(runs, t), _next_change(self.schedule, (), runs, t)
        return Step(entry, show, next_change, self.last_seq, runs, undos)

    def commit(self, step: Step) -> None:
        """Make a checked step part of the replay (once the journal holds it).

        Raises:
            ValueError: another entry was committed since the step was checked.
        """
        if step.base != self.last_seq:
            raise ValueError(f"step checked after #{step.base}, the replay is at #{self.last_seq}")
        self._runs, self._at, self.last_seq = step.runs, step.entry.at, step.entry.seq
        self._journal.append(step.entry)
        self.undos = step.undos


def _next_change(
    schedule: Schedule,
    journal: Sequence[JournalEntry],
    runs: dict[str, ChannelRun],
    t: dt.datetime,
) -> dt.datetime | None:
    candidates: list[dt.datetime] = []
    for entry in journal:
        if entry.at > t:
            candidates.append(entry.at)
            break
    for run in runs.values():
        when = run.next_transition()
        if when is not None:
            candidates.append(when)
        if run.pos is not None:
            for w in _items_of(run):
                candidates.append(w.starts_at)
                if not (w.closing and run.held):
                    candidates.append(w.ends_at)
            strap_out = run.lower_third(t, schedule.event.lower_third)[1]
            if strap_out is not None:
                candidates.append(strap_out)
        if run.flash_until is not None:
            candidates.append(run.flash_until)
    later = [c for c in candidates if c > t]
    return min(later) if later else None
