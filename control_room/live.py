"""The live show: the engine, the journal, the clock and the hub, wired together.

:class:`Live` is the one place where the server's mutable facts live: the
journal (replayed at start), the last published state and its sequence
number, the connected clients (through the :class:`~control_room.hub.Hub`),
the switcher statuses and the moderators' acknowledgements. Everything it
publishes is recomputed from ``timeline.state(schedule, journal, now)``.

Three things make it recompute:

- a cue: the :class:`~control_room.scheduler.CueAlarm` wakes it at the next
  ``next_change_after``; the state is then computed at ``max(now, cue)``;
- the safety tick (every second): normally a no-op, it catches a lost cue;
- a command: checked by the engine, appended to the journal (committed), then
  applied.

A recomputation publishes only if the state document changed (ignoring its
``at``); each client receives it only if its own view (the channels it
follows) changed.

Integrations (the OBS switcher) use :meth:`Live.add_listener`,
:meth:`Live.set_switcher_status`, :meth:`Live.record_switch`,
:meth:`Live.add_switcher_handler` and :attr:`Live.state` (the switcher's
:class:`~control_room.switcher.SwitcherHost`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, tzinfo
from functools import partial
from typing import Any, TypeVar

from control_room import __version__
from control_room.clock import Clock, from_epoch
from control_room.core.commands import (
    Command,
    CommandInvalid,
    command_json,
    describe,
    parse_command,
)
from control_room.core.document import state_document
from control_room.core.schedule import Schedule
from control_room.core.timeline import (
    CommandRejected,
    JournalEntry,
    ShowState,
    check,
    state,
    state_and_next_change,
)
from control_room.hub import Client, Hub, View
from control_room.journal import Journal, JournalError, Record, SwitchRecord
from control_room.protocol import (
    Role,
    acks_message,
    encode,
    journal_message,
    now_ms,
    presence_message,
    state_message,
    switcher_message,
    welcome_message,
)
from control_room.scheduler import CueAlarm

__all__ = ["Listener", "Live", "SwitcherHandler", "entries_from_records"]

logger = logging.getLogger(__name__)

Listener = Callable[[ShowState], Awaitable[None]]
"""An integration called (as a task) with every newly published ShowState."""

SwitcherHandler = Callable[[str, str], Awaitable[None]]
"""Called with (channel, action) when the régie asks the switcher to resend / go manual / auto.
Raise to report a failure to the régie."""

T = TypeVar("T")

JOURNAL_BACKLOG = 500
"""How many recent journal entries a régie receives on connect."""


def entries_from_records(records: Iterable[Record]) -> list[JournalEntry]:
    """Journal records as engine entries.

    Raises:
        JournalError: a stored command cannot be read by this version.
    """
    entries = []
    for record in records:
        try:
            command = parse_command(record.command)
        except CommandInvalid as exc:
            raise JournalError(f"journal entry #{record.seq} cannot be read: {exc}") from exc
        entries.append(JournalEntry(record.seq, record.show, command, record.who))
    return entries


def _record_json(record: Record, command: Command, tz: tzinfo) -> dict[str, Any]:
    data = record.to_json()
    data["show"] = record.show.astimezone(tz).isoformat()
    data["text"] = describe(command)
    return data


class Live:
    """The running show.

    Args:
        schedule: the validated schedule.
        clock: the show clock.
        journal: the open journal (replayed now).
        token: the operator token.
        queue_limit: per-client queue bound (see :class:`~control_room.hub.Hub`).
        send_timeout: per-send timeout in seconds.
        tick_seconds: the safety tick period.
        heartbeat_seconds: the websocket ping interval (reported to clients).

    Raises:
        JournalError: the journal holds a command this version cannot read.
    """

    def __init__(
        self,
        schedule: Schedule,
        clock: Clock,
        journal: Journal,
        *,
        token: str,
        queue_limit: int = 64,
        send_timeout: float = 5.0,
        tick_seconds: float = 1.0,
        heartbeat_seconds: float | None = 10.0,
    ) -> None:
        self.schedule = schedule
        self.clock = clock
        self.journal = journal
        self.token = token
        self.heartbeat_seconds = heartbeat_seconds
        self.channel_ids = tuple(channel.id for channel in schedule.channels)
        self.records: list[Record] = journal.records()
        self.entries: list[JournalEntry] = entries_from_records(self.records)
        self._record_texts = {
            r.seq: _record_json(r, e.command, schedule.event.timezone)
            for r, e in zip(self.records, self.entries, strict=True)
        }
        self.acks: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for ack in journal.acks():
            self.acks.setdefault((ack.channel, ack.message_id), []).append(
                {"name": ack.name, "at": ack.wall.isoformat().replace("+00:00", "Z")}
            )
        self.hub = Hub(
            self.channel_ids,
            queue_limit=queue_limit,
            send_timeout=send_timeout,
            on_presence=self._presence_changed,
        )
        self.alarm = CueAlarm(clock, self._wake, tick_seconds=tick_seconds)
        self.seq = 0
        self.publications = 0
        self.cues_late_ms: list[float] = []
        self.show_state: ShowState = state(schedule, self.entries, self._now())
        self.document: dict[str, Any] = state_document(schedule, self.show_state)
        self.listeners: list[Listener] = []
        self.switcher_handlers: list[SwitcherHandler] = []
        self.switcher_status: dict[str, dict[str, Any]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._lock = asyncio.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")
        self._presence_handle: asyncio.TimerHandle | None = None
        self._last_cause: dict[str, Any] = {"kind": "start"}

    # -- lifecycle --------------------------------------------------------------

    async def start(self) -> None:
        """Start the alarm and publish the current state (call inside the event loop)."""
        self.alarm.start()
        self.recompute({"kind": "start"})

    async def stop(self) -> None:
        self.alarm.shutdown()
        if self._presence_handle is not None:
            self._presence_handle.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._writer.shutdown(wait=True)

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

    async def _in_writer(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._writer, fn)

    # -- time -------------------------------------------------------------------

    def _now(self) -> datetime:
        """Show time now, never before the last journal entry."""
        t = self.clock.now()
        if self.entries and self.entries[-1].at > t:
            return self.entries[-1].at
        return t

    def state_at(self, t: datetime) -> dict[str, Any]:
        """The state document at any show instant (pure; nothing published)."""
        return state_document(self.schedule, state(self.schedule, self.entries, t))

    # -- publishing -------------------------------------------------------------

    def _wake(self, cue: datetime | None) -> None:
        if cue is None:
            self.recompute({"kind": "tick"})
            return
        late_ms = (self.clock.wall_now() - self.clock.wall_time(cue)) * 1000
        self.cues_late_ms.append(late_ms)
        if len(self.cues_late_ms) > 1000:
            del self.cues_late_ms[:500]
        self.recompute(
            {"kind": "cue", "cue": cue.astimezone(self.schedule.event.timezone).isoformat()}, at=cue
        )

    def recompute(self, cause: Mapping[str, Any], *, at: datetime | None = None) -> bool:
        """Recompute the state now (at least ``at``), publish it if it changed, re-plan.

        Returns:
            True if a new state was published.
        """
        t = self._now()
        if at is not None and at > t:
            t = at
        show, next_change = state_and_next_change(self.schedule, self.entries, t)
        doc = state_document(self.schedule, show)
        changed = doc["channels"] != self.document["channels"] or self.seq == 0
        previous = self.document
        self.show_state, self.document = show, doc
        if changed:
            self.seq += 1
            self.publications += 1
            self._last_cause = dict(cause)
            self._publish(previous, doc, dict(cause))
            for listener in list(self.listeners):
                self._spawn(listener(show), f"listener {listener!r}")
        self.alarm.plan(next_change)
        return changed

    def _publish(
        self, previous: dict[str, Any], doc: dict[str, Any], cause: dict[str, Any]
    ) -> None:
        clock = self.clock.model()
        stamp = now_ms()
        old = {channel["id"]: channel for channel in previous["channels"]}

        def render(view: View) -> str | None:
            channels = _view_channels(doc, view)
            if self.seq > 1 and channels == [old.get(c["id"]) for c in channels]:
                return None  # nothing new for this view
            body = dict(doc, channels=channels)
            return encode(
                state_message(seq=self.seq, clock=clock, state=body, cause=cause, server_time=stamp)
            )

        self.hub.broadcast_view(render, key="state")
        # Moderator messages changed? The régie's acknowledgement lists follow them.
        for channel in doc["channels"]:
            message = channel["messages"]["moderators"]
            before = old.get(channel["id"], {}).get("messages", {}).get("moderators")
            if message is not None and message != before:
                self._push_acks(channel["id"], int(message["id"]))

    def snapshot_text(self, view: View, cause: str = "snapshot") -> str:
        """A full state message for one view, for a client that just (re)connected."""
        body = dict(self.document, channels=_view_channels(self.document, view))
        return encode(
            state_message(seq=self.seq, clock=self.clock.model(), state=body, cause={"kind": cause})
        )

    def welcome_text(self, client: Client) -> str:
        ev = self.document["event"]
        return encode(
            welcome_message(
                version=__version__,
                clock=self.clock.model(),
                role=client.role,
                channels=None if client.channels is None else sorted(client.channels),
                authenticated=client.authenticated,
                event=ev,
                all_channels=self.channel_ids,
                heartbeat_seconds=self.heartbeat_seconds,
            )
        )

    def greet(self, client: Client) -> None:
        """Queue the welcome and the snapshots a client gets on connect and on each hello."""
        client.enqueue(self.welcome_text(client))
        client.enqueue(self.snapshot_text(client.view), key="state")
        if not _is_regie(client):
            return
        recent = [self._record_texts[r.seq] for r in self.records[-JOURNAL_BACKLOG:]]
        client.enqueue(encode(journal_message(recent, snapshot=True)))
        client.enqueue(self._presence_text(), key="presence")
        for channel, status in sorted(self.switcher_status.items()):
            client.enqueue(encode(switcher_message(channel, status)), key=("switcher", channel))
        for channel in self.document["channels"]:
            message = channel["messages"]["moderators"]
            if message is not None:
                acks = self.acks.get((channel["id"], int(message["id"])), [])
                client.enqueue(
                    encode(acks_message(channel["id"], int(message["id"]), acks)),
                    key=("acks", channel["id"]),
                )

    # -- presence ---------------------------------------------------------------

    def _presence_text(self) -> str:
        return encode(
            presence_message(
                self.hub.presence(),
                clients=len(self.hub),
                slow_closed=self.hub.stats.slow_closed,
            )
        )

    def _presence_changed(self) -> None:
        if self._presence_handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._presence_handle = loop.call_later(0.2, self._push_presence)

    def _push_presence(self) -> None:
        self._presence_handle = None
        self.hub.broadcast(self._presence_text(), key="presence", where=_is_regie)

    # -- commands ---------------------------------------------------------------

    async def submit(self, data: Any, *, who: str) -> Record:
        """Check, journal (durably) and apply an operator command.

        Raises:
            CommandInvalid: the command cannot be read.
            CommandRejected: the engine refuses it now.
        """
        command = parse_command(data)
        async with self._lock:
            t = self._now()
            check(self.schedule, self.entries, command, t)
            payload = command_json(command)
            wall = self.clock.wall_now()
            record = await self._in_writer(
                partial(self.journal.append, wall=wall, show=t, who=who, command=payload)
            )
            self.records.append(record)
            self.entries.append(JournalEntry(record.seq, t, command, who))
            text = _record_json(record, command, self.schedule.event.timezone)
            self._record_texts[record.seq] = text
            self.recompute({"kind": "command", "seq": record.seq}, at=t)
            self.hub.broadcast(encode(journal_message([text], snapshot=False)), where=_is_regie)
        logger.info("command #%d by %s: %s", record.seq, who, describe(command))
        return record

    async def ack(self, channel: str, message_id: int, name: str) -> None:
        """A moderator acknowledged a message; record it and tell the régie.

        Raises:
            CommandRejected: no such channel, or not its current message for the moderators.
        """
        if channel not in self.channel_ids:
            raise CommandRejected(f"ack: unknown channel {channel!r}")
        current = self.show_state.channel(channel).moderators_message
        if current is None or current.id != message_id:
            raise CommandRejected(f"ack: message #{message_id} is no longer shown on {channel}")
        wall = self.clock.wall_now()
        show = self._now()
        record = await self._in_writer(
            partial(self.journal.record_ack, channel, message_id, name, wall=wall, show=show)
        )
        self.acks.setdefault((channel, message_id), []).append(
            {"name": record.name, "at": from_epoch(wall).isoformat().replace("+00:00", "Z")}
        )
        self._push_acks(channel, message_id)

    def _push_acks(self, channel: str, message_id: int) -> None:
        acks = self.acks.get((channel, message_id), [])
        self.hub.broadcast(
            encode(acks_message(channel, message_id, acks)),
            key=("acks", channel),
            where=_is_regie,
        )

    # -- integrations -----------------------------------------------------------

    @property
    def state(self) -> ShowState:
        """The last published state (what :class:`~control_room.switcher.SwitcherHost` reads)."""
        return self.show_state

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(show_state)`` as a task after every published change.

        It never delays the pushes to screens; its exceptions are logged.
        """
        self.listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def add_switcher_handler(self, handler: SwitcherHandler) -> None:
        """Receive the régie's switcher requests: ``handler(channel, action)``."""
        self.switcher_handlers.append(handler)

    def set_switcher_status(self, channel: str, status: Mapping[str, Any]) -> None:
        """Publish a channel's switcher status to the régie (latest wins)."""
        self.switcher_status[channel] = dict(status)
        self.hub.broadcast(
            encode(switcher_message(channel, status)),
            key=("switcher", channel),
            where=_is_regie,
        )

    async def record_switch(self, record: SwitchRecord) -> None:
        """Record a switcher attempt in the journal's audit log (off the event loop)."""
        await self._in_writer(partial(self.journal.record_switch, record))

    async def switcher_action(self, channel: str, action: str) -> None:
        """Forward a régie switcher request to the handlers.

        Raises:
            CommandRejected: unknown channel, or no switcher attached.
        """
        if channel not in self.channel_ids:
            raise CommandRejected(f"switcher: unknown channel {channel!r}")
        if not self.switcher_handlers:
            raise CommandRejected("switcher: no video switcher is attached to this server")
        for handler in list(self.switcher_handlers):
            await handler(channel, action)

    # -- introspection ----------------------------------------------------------

    def health(self) -> dict[str, Any]:
        stats = self.hub.stats
        lateness = sorted(self.cues_late_ms)
        next_cue = self.alarm.next_cue
        return {
            "ok": True,
            "version": __version__,
            "server_time": now_ms(),
            "show_time": self._now().astimezone(self.schedule.event.timezone).isoformat(),
            "clock": self.clock.model(),
            "seq": self.seq,
            "journal_entries": len(self.entries),
            "next_cue": None
            if next_cue is None
            else next_cue.astimezone(self.schedule.event.timezone).isoformat(),
            "clients": stats.clients,
            "connected_total": stats.connected_total,
            "slow_closed": stats.slow_closed,
            "messages_sent": stats.sent,
            "coalesced": stats.coalesced,
            "renders": stats.renders,
            "publications": self.publications,
            "cue_wakes": self.alarm.wakes,
            "cue_wake_late_ms": {
                "count": len(lateness),
                "median": lateness[len(lateness) // 2] if lateness else None,
                "max": lateness[-1] if lateness else None,
            },
        }


def _is_regie(client: Client) -> bool:
    return client.role is Role.REGIE and client.authenticated


def _view_channels(doc: Mapping[str, Any], view: View) -> list[dict[str, Any]]:
    channels: list[dict[str, Any]] = doc["channels"]
    if view is None:
        return channels
    return [channel for channel in channels if channel["id"] in view]
