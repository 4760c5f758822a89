"""The show: the journal replayed by the engine, published to the screens, woken on cue.

:class:`Show` holds what is on air: the journal (replayed at start), the last
published :class:`~control_room.core.timeline.ShowState`, its state document and
publication number. Everything it publishes is computed by the pure engine from
``(schedule, journal, now)``.

Three things make it recompute:

- a cue: the :class:`~control_room.scheduler.CueAlarm` wakes it at the next
  ``next_change_after``; the state is then computed at ``max(now, cue)``;
- the safety tick (every second): normally a no-op, it catches a lost cue;
- a command (:meth:`Show.submit`): checked and applied by the engine in one replay
  (:func:`~control_room.core.timeline.apply`), journaled (committed) in between.

A recomputation publishes only if the state document changed (ignoring its ``at``);
each client receives it only if its own view (the channels it follows) changed.
The régie's side facts (acknowledgements, presence, switcher status) are the
:class:`~control_room.desk.Desk`'s; integrations follow the show through
:meth:`Show.add_listener`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from control_room import __version__
from control_room.clock import Clock
from control_room.core.commands import (
    Command,
    Undo,
    command_json,
    describe,
)
from control_room.core.document import (
    ChannelDoc,
    NoteScope,
    StateDocument,
    public_state,
    state_document,
)
from control_room.core.schedule import Schedule
from control_room.core.timeline import (
    CommandRejected,
    JournalEntry,
    Replay,
    ShowState,
    Step,
    state,
)
from control_room.hub import Client, Hub, View
from control_room.journal import EntryRow, Journal, Record, entry_row
from control_room.journal_entries import (
    entries_from_records,
    journal_entry_doc,
    undo_diff,
    undo_effects,
)
from control_room.live_feed import BOOT, LiveFeed
from control_room.scheduler import CueAlarm
from control_room.wire import Cause, JournalEntryDoc, StateMessage, WelcomeMessage, encode, now_ms
from control_room.writer import JournalWriter

__all__ = [
    "Committer",
    "Listener",
    "PublishHook",
    "Show",
    "entries_from_records",
    "journal_entry_doc",
]

logger = logging.getLogger(__name__)

Listener = Callable[[ShowState], Awaitable[None]]
"""An integration called (as a task) with every newly published ShowState."""

Committer = Callable[[int, EntryRow], Awaitable[Record]]
"""Commits entry ``seq`` (its stored texts) durably and returns its record, or raises."""

PublishHook = Callable[[StateDocument, StateDocument], None]
"""Called synchronously with (previous, new) state documents after each publication."""

T = TypeVar("T")


def view_channels(doc: StateDocument, view: View) -> list[ChannelDoc]:
    """The channels of a document that a view follows (all for ``None``)."""
    if view is None:
        return doc["channels"]
    return [channel for channel in doc["channels"] if channel["id"] in view]


class Show:
    """The running show.

    Args:
        schedule: the validated schedule.
        clock: the show clock.
        journal: the open journal (replayed now).
        hub: the connected screens.
        writer: the one thread that writes the journal.
        tick_seconds: the safety tick period.
        heartbeat_seconds: the websocket ping interval (reported to clients).
        schedule_version: the version of the schedule (its number in the data dir).

    Raises:
        JournalError: the journal holds a command this version cannot read.
    """

    def __init__(
        self,
        schedule: Schedule,
        clock: Clock,
        journal: Journal,
        *,
        hub: Hub,
        writer: JournalWriter,
        tick_seconds: float = 1.0,
        heartbeat_seconds: float | None = 10.0,
        schedule_version: int = 1,
    ) -> None:
        self.schedule = schedule
        self.clock = clock
        self.journal = journal
        self.hub = hub
        self.writer = writer
        self.heartbeat_seconds = heartbeat_seconds
        self.channel_ids = tuple(channel.id for channel in schedule.channels)
        records = journal.records()
        self.entries: list[JournalEntry] = entries_from_records(records)
        effects, undos = undo_effects(self.entries)
        by_seq = {e.seq: e.command for e in self.entries}
        self._entry_docs: list[JournalEntryDoc] = [
            journal_entry_doc(
                r,
                e.command,
                schedule,
                target=by_seq.get(e.command.seq) if isinstance(e.command, Undo) else None,
                voided_by=undos.voided.get(e.seq),
                voids=effects.get(e.seq, ((), ()))[0],
                restores=effects.get(e.seq, ((), ()))[1],
            )
            for r, e in zip(records, self.entries, strict=True)
        ]
        self.alarm = CueAlarm(clock, self._wake, tick_seconds=tick_seconds)
        self.seq = 0
        self.publications = 0
        self.cues_late_ms: list[float] = []
        # The engine keeps its place: the journal is replayed once, here; every command and
        # every tick then costs only itself (core.timeline.Replay).
        self.replay = Replay(schedule, self.entries)
        self.state: ShowState = self.replay.state(self.now())[0]
        self.document: StateDocument = state_document(schedule, self.state)
        self.schedule_version = schedule_version
        self.live = LiveFeed()  # the state by reference (``state=ref`` clients)
        self._listeners: list[Listener] = []
        self._publish_hooks: list[PublishHook] = []
        self._cue_hooks: list[Callable[[float], None]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._lock = asyncio.Lock()
        self.committer: Committer | None = None
        """Where :meth:`submit` commits an entry (None: this server's journal; a cluster
        leader commits to the replicated journal first)."""

    # -- lifecycle --------------------------------------------------------------

    async def start(self) -> None:
        """Start the alarm and publish the current state (call inside the event loop)."""
        self.alarm.start()
        self.recompute({"kind": "start"})

    async def stop(self) -> None:
        self.alarm.shutdown()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, coro: Awaitable[T], what: str) -> None:
        async def run() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("%s failed", what)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- time -------------------------------------------------------------------

    def now(self) -> datetime:
        """Show time now, never before the last journal entry."""
        t = self.clock.now()
        if self.entries and self.entries[-1].at > t:
            return self.entries[-1].at
        return t

    def state_at(self, t: datetime) -> StateDocument:
        """The state document at any show instant (pure; nothing published; notes in)."""
        return state_document(self.schedule, state(self.schedule, self.entries, t))

    # -- publishing -------------------------------------------------------------

    def _wake(self, cue: datetime | None) -> None:
        if cue is None:
            self.recompute({"kind": "tick"})
            return
        late_ms = (self.clock.wall_now() - self.clock.wall_time(cue)) * 1000
        self.cues_late_ms.append(late_ms)
        for hook in list(self._cue_hooks):
            hook(late_ms)
        if len(self.cues_late_ms) > 1000:
            del self.cues_late_ms[:500]
        local = cue.astimezone(self.schedule.event.timezone).isoformat()
        self.recompute({"kind": "cue", "cue": local}, at=cue)

    def recompute(self, cause: Cause, *, at: datetime | None = None, force: bool = False) -> bool:
        """Recompute the state now (at least ``at``), publish it if it changed, re-plan.

        Returns:
            True if a new state was published.
        """
        t = self.now()
        if at is not None and at > t:
            t = at
        show, next_change = self.replay.state(t)
        return self._adopt(show, next_change, cause, force=force)

    def _adopt(
        self, show: ShowState, next_change: datetime | None, cause: Cause, *, force: bool = False
    ) -> bool:
        """Make ``show`` the current state; publish it if it changed (or ``force``); plan
        the next cue."""
        if show == self.state and self.seq > 0 and not force:  # the tick's usual case
            self.state = show
            self.alarm.plan(next_change)
            return False
        doc = state_document(self.schedule, show)
        changed = force or doc["channels"] != self.document["channels"] or self.seq == 0
        previous = self.document
        self.state, self.document = show, doc
        if changed:
            self.seq += 1
            self.publications += 1
            self._publish(previous, doc, cause)
            for hook in list(self._publish_hooks):
                hook(previous, doc)
            for listener in list(self._listeners):
                self._spawn(listener(show), f"listener {listener!r}")
        self.alarm.plan(next_change)
        return changed

    def _publish(self, previous: StateDocument, doc: StateDocument, cause: Cause) -> None:
        """Send the new state to every screen: encoded once per (view, note scope).

        A screen gets the private notes of the channels its token covers
        (:attr:`~control_room.hub.Client.notes`: the régie all, a moderator its channels,
        everyone else none); the public copy is made once per scope, not per client. A
        screen that asked for the state by reference gets only what changed
        (:class:`~control_room.live_feed.LiveFeed`); the others the whole ``state``.
        """
        clock = self.clock.model()
        old = {channel["id"]: channel for channel in previous["channels"]}
        message = StateMessage.of(
            seq=self.seq,
            clock=clock,
            state=doc,
            cause=cause,
            schedule_version=self.schedule_version,
        )
        for scope in {client.notes for client in self.hub if not client.compact}:
            scoped = public_state(doc, scope)

            def render(view: View, scoped: StateDocument = scoped) -> str | None:
                channels = view_channels(scoped, view)
                if self.seq > 1 and [old.get(c["id"]) for c in view_channels(doc, view)] == (
                    view_channels(doc, view)
                ):
                    return None  # nothing new for this view
                body = StateDocument(at=doc["at"], event=doc["event"], channels=channels)
                return encode(message.model_copy(update={"state": body}))

            def within(client: Client, scope: NoteScope = scope) -> bool:
                return not client.compact and client.notes == scope

            self.hub.broadcast_view(render, key="state", where=within)
        self.live.publish(
            self.hub,
            self.schedule,
            self.state,
            seq=self.seq,
            cause=cause,
            clock=clock,
            schedule_version=self.schedule_version,
            fresh=cause["kind"] == "schedule",
        )

    def snapshot_text(
        self,
        view: View,
        cause: Cause | None = None,
        *,
        notes: NoteScope = frozenset(),
        compact: bool = False,
    ) -> str:
        """A snapshot for one view, for a client that just (re)connected, with the notes
        of the channels in ``notes`` (None: all): the whole ``state`` message, or the
        ``live`` document for a ``compact`` client. Encoded once per (view, scope) until
        the next publication, however many clients connect."""
        cause = cause or {"kind": "snapshot"}
        if compact:
            return self.live.snapshot_text(
                self.schedule,
                self.state,
                seq=self.seq,
                view=view,
                notes=notes,
                clock=self.clock.model(),
                cause=cause,
                schedule_version=self.schedule_version,
            )

        def make(server_time: float = 0.0) -> str:
            doc = public_state(self.document, notes)
            channels = view_channels(doc, view)
            body = StateDocument(at=doc["at"], event=doc["event"], channels=channels)
            return encode(
                StateMessage.of(
                    seq=self.seq,
                    clock=self.clock.model(),
                    state=body,
                    cause=cause,
                    schedule_version=self.schedule_version,
                    server_time=server_time,
                )
            )

        if cause["kind"] != "snapshot":
            return make(now_ms())
        key = ("state", view, notes, self.schedule_version, id(self.document))
        return self.live.snapshots.get(self.seq, key, make)

    def welcome_text(self, client: Client) -> str:
        """The first message of a connection (and the answer to a ``hello`` that changed
        what it is or follows)."""
        return encode(
            WelcomeMessage(
                version=__version__,
                clock=self.clock.model(),
                role=client.role,
                channels=None if client.channels is None else sorted(client.channels),
                authenticated=client.authenticated,
                event=self.document["event"],
                all_channels=list(self.channel_ids),
                heartbeat_seconds=self.heartbeat_seconds,
                schedule_version=self.schedule_version,
                state="ref" if client.compact else "full",
                boot=BOOT,
            )
        )

    # -- commands ---------------------------------------------------------------

    async def submit(self, command: Command, *, who: str) -> Record:
        """Check, journal (durably) and apply an operator command, at the cost of the command.

        The engine checks the command against the state it keeps and computes the state
        after it (:meth:`~control_room.core.timeline.Replay.check`: no replay of the day);
        the journal is written (committed, off the event loop) only once the engine
        accepted it, and the state is adopted only once the journal holds it.

        Raises:
            CommandRejected: the engine refuses it now (nothing journaled).
            Exception: the journal could not be written (nothing applied).
        """
        async with self._lock:
            t = self.now()
            seq = self.replay.last_seq + 1
            step = self.replay.check(JournalEntry(seq, t, command, who))
            kept = step.entry.command  # a toggle journaled as what it did
            wall, text = self.clock.wall_now(), command_json(kept)
            if self.committer is not None:  # a cluster leader: the replicated journal first
                row = entry_row(wall=wall, show=t, who=who, command=text)
                record = await self.committer(seq, row)
            else:
                record = await self.writer.run(
                    partial(self.journal.append, wall=wall, show=t, who=who, command=text)
                )
            self._take(record, kept, step)
        logger.info("command #%d by %s: %s", record.seq, who, describe(kept))
        return record

    async def apply_replicated(self, record: Record) -> None:
        """Apply an entry another server journaled (already in this server's journal too).

        A cluster follower (:mod:`control_room.cluster`) copies the leader's entries into its
        own journal, then applies each here: the same engine, the same step as
        :meth:`submit`, without writing the journal. An entry the engine refuses now (it
        never should: the leader checked it against the same state) is kept as the full
        replay keeps it, skipped.

        Raises:
            JournalError: the entry's command cannot be read by this version.
        """
        (entry,) = entries_from_records([record])
        async with self._lock:
            try:
                step: Step | None = self.replay.check(entry)
            except (CommandRejected, ValueError):
                step = None
            self._take(record, entry.command, step)

    def _take(self, record: Record, kept: Command, step: Step | None) -> None:
        """Adopt a journaled entry: the engine's step if it is the next one, else the whole
        journal replayed; the régie's journal doc; the state published. Holds the lock."""
        before = self.replay.undos.voided
        t = record.show
        self.entries.append(JournalEntry(record.seq, t, kept, record.who))
        if step is not None and record.seq == step.base + 1 == self.replay.last_seq + 1:
            self.replay.commit(step)
            show, next_change = step.state, step.next_change
        else:  # numbered otherwise (never expected), or refused: replay it whole
            self.replay = Replay(self.schedule, self.entries)
            show, next_change = self.replay.state(max(t, self.now()))
        target = self._entry_command(kept.seq) if isinstance(kept, Undo) else None
        voids, restores = undo_diff(before, self.replay.undos.voided)
        self._entry_docs.append(
            journal_entry_doc(
                record, kept, self.schedule, target=target, voids=voids, restores=restores
            )
        )
        self._mark_voided(voids | restores)
        self._adopt(show, next_change, {"kind": "command", "seq": record.seq})

    def _entry_command(self, seq: int) -> Command | None:
        for entry in reversed(self.entries):
            if entry.seq == seq:
                return entry.command
        return None

    def _mark_voided(self, seqs: set[int]) -> None:
        """The journal docs of ``seqs`` with who voids them now (after an undo)."""
        if not seqs:
            return
        voided = self.replay.undos.voided
        for i, doc in enumerate(self._entry_docs):
            if doc["seq"] in seqs:
                self._entry_docs[i] = {**doc, "voided_by": voided.get(doc["seq"])}

    async def replace_schedule(self, schedule: Schedule, *, version: int) -> None:
        """A new version of the schedule on air (a live edit): the journal replayed against
        it once, and the state published to every screen with the new version, whether or
        not what is on air changed (the pages that draw the plan refetch it)."""
        async with self._lock:
            self.schedule = schedule
            self.schedule_version = version
            self.channel_ids = tuple(channel.id for channel in schedule.channels)
            self.hub.channels = self.channel_ids
            self.replay = Replay(schedule, self.entries)
            self.recompute({"kind": "schedule", "version": version}, force=True)

    def journal_entries(self, *, last: int | None = None) -> list[JournalEntryDoc]:
        """The journal's commands as the régie shows them (the ``last`` ones, or all)."""
        return list(self._entry_docs if last is None else self._entry_docs[-last:])

    def on_publish(self, hook: PublishHook) -> None:
        """Call ``hook(previous, new)`` synchronously after every publication."""
        self._publish_hooks.append(hook)

    def on_cue(self, hook: Callable[[float], None]) -> None:
        """Call ``hook(late_ms)`` on every cue wake-up: how late it woke, in milliseconds."""
        self._cue_hooks.append(hook)

    # -- integrations -----------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(show_state)`` as a task after every published change.

        It never delays the pushes to screens; its exceptions are logged.
        """
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    # -- introspection ----------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """What ``GET /-/health`` says of the show (the hub's counters included)."""
        stats = self.hub.stats
        lateness = sorted(self.cues_late_ms)
        next_cue = self.alarm.next_cue
        tz = self.schedule.event.timezone
        return {
            "ok": True,
            "version": __version__,
            "server_time": now_ms(),
            "show_time": self.now().astimezone(tz).isoformat(),
            "clock": self.clock.model(),
            "seq": self.seq,
            "journal_entries": len(self.entries),
            "next_cue": None if next_cue is None else next_cue.astimezone(tz).isoformat(),
            "clients": stats.clients,
            "connected_total": stats.connected_total,
            "slow_closed": stats.slow_closed,
            "messages_sent": stats.sent,
            "coalesced": stats.coalesced,
            "renders": stats.renders,
            "publications": self.publications,
            "cue_wakes": self.alarm.wakes,
            "cue_wake_late_ms": _summary(lateness),
        }


def _summary(sorted_values: list[float]) -> Mapping[str, Any]:
    return {
        "count": len(sorted_values),
        "median": sorted_values[len(sorted_values) // 2] if sorted_values else None,
        "max": sorted_values[-1] if sorted_values else None,
    }
