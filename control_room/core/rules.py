"""The rules of each operator command, applied to the runs of the channels.

:func:`resolve` turns a toggle into what it does now; :func:`apply_command` applies one
journal entry to the runs (:class:`~control_room.core.run.ChannelRun`); :func:`guard` is the
submission's safe take; :func:`plain_replay` replays a journal without undos up to an
instant (:mod:`control_room.core.undo` adds them). Only the engine uses them: they never
leave it.

Pure core: no I/O, no clock reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from .commands import (
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
    MessageClear,
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
from .run import ChannelRun
from .schedule import Schedule
from .states import CommandRejected, JournalEntry, MessageState, SlateState

__all__ = ["apply_command", "guard", "plain_replay", "resolve"]

_ZERO = dt.timedelta(0)

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
    cmd = resolve(runs, schedule, entry.command, at)
    if isinstance(cmd, Reset):
        _reset(runs, cmd, at)
        return
    if isinstance(cmd, Undo):
        raise CommandRejected("undo: an undo needs the journal (core.undo)")
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
        case Extend():
            _extend(run, cmd.delta, at)
        case Shorten():
            _extend(run, -cmd.delta, at)
        case Delay():
            _delay(run, schedule, cmd.delta)
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
        case LowerThird(action=action):
            _lower_third(run, schedule, action == "in", at)
        case Flash(seconds=seconds):
            run.flash_until = at + dt.timedelta(seconds=seconds)
        case Blackout(on=on):
            if on == run.blackout:
                state = "blacked out" if on else "not blacked out"
                raise CommandRejected(f"blackout: the timer of {cid} is already {state}")
            run.blackout = bool(on)
        case HoldToggle() | SlateToggle():  # pragma: no cover - resolved above
            raise AssertionError(cmd)
        case _:  # pragma: no cover - Reset and Undo handled above; the union is exhaustive
            raise AssertionError(cmd)


def resolve(
    runs: dict[str, ChannelRun], schedule: Schedule, command: Command, at: dt.datetime
) -> Command:
    """What a toggle does now (every run advanced to ``at``): ``hold_toggle`` is ``hold``
    or ``release``, ``slate_toggle`` is ``slate`` or ``slate_clear``, ``lower_third
    toggle`` is ``in`` or ``out``, ``blackout`` without ``on`` is on or off. Any other
    command is itself. The journal keeps the resolved command, so it reads what was done
    and a replay never depends on the state a toggle found."""
    cid = command.channel
    run = runs.get(cid) if cid is not None else None
    if run is None or cid is None:
        return command
    match command:
        case HoldToggle():
            return Release(channel=cid) if run.held else Hold(channel=cid)
        case SlateToggle(text=text):
            return (
                SlateClear(channel=cid) if run.slate is not None else Slate(channel=cid, text=text)
            )
        case LowerThird(action="toggle"):
            shown = run.lower_third(at, schedule.event.lower_third)[0].visible
            return LowerThird(channel=cid, action="out" if shown else "in")
        case Blackout(on=None):
            return Blackout(channel=cid, on=not run.blackout)
    return command


def _lower_third(run: ChannelRun, schedule: Schedule, called_in: bool, at: dt.datetime) -> None:
    cid = run.ch.id
    strap = run.lower_third(at, schedule.event.lower_third)[0]
    if called_in:
        if not strap.people:
            raise CommandRejected(f"lower_third: nobody to name on {cid} now")
        if strap.visible:
            raise CommandRejected(f"lower_third: the strap is already in on {cid}")
    elif not strap.visible:
        raise CommandRejected(f"lower_third: no strap in on {cid}")
    run.strap = (called_in, at)


def guard(run: ChannelRun, schedule: Schedule, take: Take, at: dt.datetime) -> None:
    """The safe take, checked when a take is submitted (never on replay: a journaled take
    was let through): a finished channel takes nothing; a take that would start a segment
    more than ``event.safe_take_minutes`` before its planned start (early), or end the
    segment on air before half of its expected length (cuts), needs ``confirm: true``.

    Raises:
        CommandRejected: with ``detail = {"code": "confirm", "starts": ..., "ends": ...}``
            naming both segments and their times, for the régie to ask the operator.
    """
    cid = take.channel
    if run.pos is None and run.gate >= len(run.segs):
        raise CommandRejected(f"take: {cid} has finished its day")
    if take.confirm:
        return
    ids = [s.id for s in run.segs]
    target = (
        run.next_index()
        if take.segment is None
        else ids.index(take.segment)
        if take.segment in ids
        else None
    )
    if target is None or target == run.pos:
        return  # the rule's own refusal says why
    seg = run.segs[target]
    tz = schedule.event.timezone
    starts: dict[str, Any] | None = None
    ends: dict[str, Any] | None = None
    parts: list[str] = []
    early = seg.start - at
    if early > dt.timedelta(minutes=schedule.event.safe_take_minutes):
        starts = {
            "segment": seg.id,
            "title": seg.title,
            "planned_starts_at": seg.start.astimezone(tz).isoformat(),
            "early_seconds": round(early.total_seconds()),
        }
        parts.append(
            f"it would start {seg.id!r} {_span(early)} early "
            f"(planned {_hhmm(seg.start, tz)}, now {_hhmm(at, tz)})"
        )
    if run.pos is not None and run.start is not None:
        cur = run.segs[run.pos]
        end = run.end_instant(ignore_hold=True)
        assert end is not None
        length, elapsed = end - run.start, at - run.start
        if elapsed * 2 < length:
            ends = {
                "segment": cur.id,
                "title": cur.title,
                "starts_at": run.start.astimezone(tz).isoformat(),
                "ends_at": end.astimezone(tz).isoformat(),
                "elapsed_seconds": round(elapsed.total_seconds()),
                "duration_seconds": round(length.total_seconds()),
            }
            parts.append(
                f"it would cut {cur.id!r} after {_span(elapsed)} of {_span(length)} "
                f"({_hhmm(run.start, tz)}-{_hhmm(end, tz)})"
            )
    if parts:
        raise CommandRejected(
            f"take on {cid}: {'; '.join(parts)}; send it again with confirm to take it",
            detail={"code": "confirm", "starts": starts, "ends": ends},
        )


def _hhmm(instant: dt.datetime, tz: dt.tzinfo) -> str:
    return instant.astimezone(tz).strftime("%H:%M:%S")


def _span(delta: dt.timedelta) -> str:
    seconds = max(round(delta.total_seconds()), 0)
    minutes, secs = divmod(seconds, 60)
    return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"


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


def _extend(run: ChannelRun, delta: dt.timedelta, at: dt.datetime) -> None:
    """Lengthen (or shorten) the segment on air."""
    if run.pos is None or run.end is None or run.start is None:
        raise CommandRejected(f"extend: nothing on air on {run.ch.id}")
    if not delta:
        raise CommandRejected("extend: give a length of time other than 0")
    if delta > _ZERO:
        # An explicit extension beats a later hard start: keep what the plan
        # would have cut, then add to it.
        effective = run.end_instant(ignore_hold=True)
        assert effective is not None
        run.end = effective
        run.cuttable = False
    run.end = max(run.end + delta, at, run.start)


def _delay(run: ChannelRun, schedule: Schedule, delta: dt.timedelta) -> None:
    """Delay the soft starts that follow, up to the next hard start."""
    cid = run.ch.id
    if not delta:
        raise CommandRejected("delay: give a length of time other than 0")
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
        run.shift[k] += delta


def plain_replay(
    schedule: Schedule, journal: Sequence[JournalEntry], t: dt.datetime
) -> dict[str, ChannelRun]:
    """The runs after ``journal`` at ``t``, its undos left out (:mod:`.undo` replays them)."""
    runs = {ch.id: ChannelRun(ch) for ch in schedule.channels}
    for entry in journal:
        if entry.at > t:
            break
        if isinstance(entry.command, Undo):
            continue
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
