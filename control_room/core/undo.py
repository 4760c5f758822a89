"""Undo: a journal entry voided, the show running on as if it had not been given.

The journal keeps everything: the voided entry and the ``undo`` that voids it. What an undo
does at its instant ``u`` (docs/timeline.md, "Undo"):

1. The entries voided after it are worked out (:class:`Undos`): an undo voids its target;
   an undo of an undo gives the target back (a redo), and so on down a chain.
2. The *counterfactual*: the journal replayed from the start without the voided entries
   (and without undos), up to ``u`` (:func:`~control_room.core.rules.plain_replay`).
3. On the channels the voided (or given back) command acts on, the run becomes the
   counterfactual's from ``u`` on, the past kept as it aired (:func:`splice`): the
   segments that aired stay aired, with their real times; the segment on air keeps its real
   start if it stays on air; a segment the undo brings back resumes from its first start
   if it really went on air then (as ``back``), else it starts at ``u``. Its end, the
   starts that follow, the hold, slate, messages, strap and timer flags are the
   counterfactual's.

:func:`replay` is the full replay with undos (the reference); the incremental engine
(:class:`~control_room.core.timeline.Replay`) applies an undo with the same
:func:`apply_undo`, so both agree by construction (a property test checks it).

Pure core: no I/O, no clock reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from .commands import Undo, describe
from .rules import apply_command, plain_replay
from .run import ChannelRun
from .schedule import Schedule
from .states import CommandRejected, JournalEntry

__all__ = ["Undos", "apply_undo", "replay", "splice"]


@dataclass
class Undos:
    """Which entries are voided now, and by which undo.

    Attributes:
        voided: seq of a voided entry -> seq of the undo that voids it.
        targets: seq of each undo that applied -> seq of the entry it named.
    """

    voided: dict[int, int] = field(default_factory=dict)
    targets: dict[int, int] = field(default_factory=dict)

    def copy(self) -> Undos:
        return Undos(dict(self.voided), dict(self.targets))

    def toggle(self, journal: Sequence[JournalEntry], entry: JournalEntry) -> JournalEntry:
        """Apply the undo ``entry`` (after ``journal``) to these sets; the plain command
        whose fate it changes.

        Raises:
            CommandRejected: unknown seq, already voided, an undo that undid nothing.
        """
        assert isinstance(entry.command, Undo)
        seq = entry.command.seq
        by_seq = {e.seq: e for e in journal}
        target = by_seq.get(seq)
        if target is None or seq >= entry.seq:
            raise CommandRejected(f"undo: no journal entry #{seq}")
        if seq in self.voided:
            by = self.voided[seq]
            raise CommandRejected(
                f"undo: #{seq} is already undone (by #{by}); undo #{by} to give it back"
            )
        if isinstance(target.command, Undo) and seq not in self.targets:
            raise CommandRejected(f"undo: #{seq} undid nothing; there is nothing to give back")
        self.voided[seq] = entry.seq
        self.targets[entry.seq] = seq
        current, voided = seq, True  # ``current`` just changed: voided (True) or back
        while current in self.targets:  # an undo: what it named changes the other way
            named = self.targets[current]
            if voided:
                del self.voided[named]
            else:
                self.voided[named] = current
            current, voided = named, not voided
        return by_seq[current]


def splice(actual: ChannelRun, cf: ChannelRun, at: dt.datetime) -> ChannelRun:
    """The counterfactual run ``cf`` from ``at`` on, with the past of ``actual`` as it aired.

    Both are advanced to ``at``.
    """
    new = cf.clone()
    new.aired = dict(actual.aired)
    if actual.pos is not None and actual.start is not None and actual.pos != cf.pos:
        new.aired[actual.pos] = (actual.start, at)  # it leaves the air now
    if cf.pos is not None and cf.start is not None and cf.min_end is not None:
        if cf.pos == actual.pos:
            assert actual.start is not None
            new.start = actual.start  # it stays on air: its real start
        elif not _went_on_air(actual, cf.pos, cf.start):
            new.start = at  # it was not on air then: it starts now
        assert new.start is not None
        new.min_end = max(cf.min_end, new.start)
    return new


def _went_on_air(run: ChannelRun, k: int, start: dt.datetime) -> bool:
    """Whether segment ``k`` really went on air at ``start`` on ``run``."""
    if k in run.aired and run.aired[k][0] == start:
        return True
    return any(seg == k and first == start for seg, _, first in run.stack)


def apply_undo(
    schedule: Schedule,
    runs: dict[str, ChannelRun],
    journal: Sequence[JournalEntry],
    undos: Undos,
    entry: JournalEntry,
) -> Undos:
    """Apply the undo ``entry`` at its instant to ``runs`` (advanced to it), after
    ``journal`` (every entry before it); the voided sets after it.

    Checks before it changes anything: refused, ``runs`` and ``undos`` are as they were.

    Raises:
        CommandRejected: unknown seq, already voided, an undo that undid nothing, or an
            undo that would change nothing now.
    """
    at = entry.at
    after = undos.copy()
    base = after.toggle(journal, entry)
    command = base.command
    targets = [command.channel] if command.channel is not None else list(runs)
    if any(cid not in runs for cid in targets):
        raise CommandRejected(f"undo: #{base.seq} names a channel this schedule lacks")
    kept = [e for e in journal if not isinstance(e.command, Undo) and e.seq not in after.voided]
    cf = plain_replay(schedule, kept, at)
    spliced = {cid: splice(runs[cid], cf[cid], at) for cid in targets}
    if all(spliced[cid] == runs[cid] for cid in targets):
        raise CommandRejected(
            f"undo: undoing #{base.seq} ({describe(command)}) would change nothing now"
        )
    runs.update(spliced)
    return after


def replay(
    schedule: Schedule, journal: Sequence[JournalEntry], t: dt.datetime
) -> tuple[dict[str, ChannelRun], Undos]:
    """The full replay, undos included: the runs after ``journal`` at ``t``, and which
    entries are voided. An entry the engine refuses on replay is skipped, never fatal (only
    checked commands reach the journal; a schedule edit may change what applies)."""
    runs = {ch.id: ChannelRun(ch) for ch in schedule.channels}
    undos = Undos()
    for i, entry in enumerate(journal):
        if entry.at > t:
            break
        for run in runs.values():
            run.advance(entry.at)
        try:
            if isinstance(entry.command, Undo):
                undos = apply_undo(schedule, runs, journal[:i], undos, entry)
            else:
                apply_command(runs, schedule, entry, entry.at)
        except CommandRejected:
            continue
    for run in runs.values():
        run.advance(t)
    return runs, undos
