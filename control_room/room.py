"""The control room assembled: the show, the desk, the one command path, the token check
and the screens' hub, built once and shared by every adapter.

:func:`build_room` wires them (the hub tells the desk when presence changes; the desk
follows the show's publications); the app's handlers reach the room as
``request.app.state.room``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, Protocol

from control_room.auth import OPERATOR, Auth
from control_room.clock import Clock, from_epoch
from control_room.core.schedule import Schedule
from control_room.core.timeline import ShowState
from control_room.desk import Desk, SwitcherHandler
from control_room.dispatch import Caller, Dispatcher, Result
from control_room.feed_health import FEED_TARGET, FeedChange
from control_room.hub import Hub
from control_room.journal import Journal, SwitchRecord
from control_room.show import Listener, Show
from control_room.variables import VariablesFeed
from control_room.writer import JournalWriter

if TYPE_CHECKING:
    from control_room.editor import ScheduleEditor

__all__ = [
    "FEED_TARGET",
    "ClusterMember",
    "Phase",
    "Room",
    "SwitcherLink",
    "build_room",
    "feed_record",
]

Phase = Literal["starting", "ok", "stopping"]


class ClusterMember(Protocol):
    """What the room knows of its cluster node (:class:`control_room.cluster.node.Node`)."""

    def leading(self) -> bool: ...

    def health(self) -> dict[str, Any]: ...


logger = logging.getLogger(__name__)


@dataclass(eq=False)
class Room:
    """Everything a request handler may need, by noun."""

    show: Show
    desk: Desk
    dispatcher: Dispatcher
    auth: Auth
    hub: Hub
    writer: JournalWriter
    variables: VariablesFeed
    allow_origins: tuple[str, ...] = ()
    phase: Phase = "starting"
    """``starting`` until the show has started and published, ``ok``, then ``stopping``."""
    editor: ScheduleEditor | None = None
    """Live edits of the schedule (set by the editor integration while it runs)."""
    cluster: ClusterMember | None = None
    """This server's part in a cluster (``serve --redis``; None: a single server)."""

    @property
    def schedule(self) -> Schedule:
        """The schedule on air (a live edit replaces it)."""
        return self.show.schedule

    @property
    def ready(self) -> bool:
        """Ready for traffic (``GET /-/ready``): started, published, not stopping."""
        return self.phase == "ok" and self.show.seq > 0

    async def start(self) -> None:
        await self.show.start()
        self.phase = "ok"

    async def stop(self) -> None:
        self.phase = "stopping"
        await self.show.stop()
        self.desk.close()
        self.writer.shutdown()


def build_room(
    schedule: Schedule,
    clock: Clock,
    journal: Journal,
    *,
    token: str,
    allow_origins: Sequence[str] = (),
    queue_limit: int = 64,
    send_timeout: float = 5.0,
    tick_seconds: float = 1.0,
    heartbeat_seconds: float | None = 10.0,
    schedule_version: int = 1,
) -> Room:
    """Build the room for one show.

    Args:
        schedule: the validated schedule.
        clock: the show clock.
        journal: the open journal (replayed now).
        token: the operator token (the journal's directory holds the other tokens).
        allow_origins: websocket origins allowed besides the server's own.
        queue_limit: per-client queue bound (see :class:`~control_room.hub.Hub`).
        send_timeout: per-send timeout in seconds.
        tick_seconds: the safety tick period.
        heartbeat_seconds: the websocket ping interval (reported to clients).
        schedule_version: the version of the schedule (its number in the data dir).

    Raises:
        JournalError: the journal holds a command this version cannot read.
    """
    channel_ids = tuple(channel.id for channel in schedule.channels)
    hub = Hub(channel_ids, queue_limit=queue_limit, send_timeout=send_timeout)
    writer = JournalWriter()
    show = Show(
        schedule,
        clock,
        journal,
        hub=hub,
        writer=writer,
        tick_seconds=tick_seconds,
        heartbeat_seconds=heartbeat_seconds,
        schedule_version=schedule_version,
    )
    desk = Desk(show, hub)
    hub.on_presence = desk.presence_changed
    tz = schedule.event.timezone
    variables = VariablesFeed(
        hub,
        document=lambda: show.document,
        now=lambda: show.now().astimezone(tz),
        feeds=desk.feed_losses,
    )
    show.on_publish(variables.published)
    desk.on_feed_change(lambda channel: variables.refresh())
    return Room(
        show=show,
        desk=desk,
        dispatcher=Dispatcher(show, desk),
        auth=Auth.for_data_dir(token, journal.path.parent),
        hub=hub,
        writer=writer,
        variables=variables,
        allow_origins=tuple(allow_origins),
    )


class SwitcherLink:
    """The room as the video switcher sees it (:class:`~control_room.switcher.SwitcherHost`):
    the show's state and listeners, the desk's switcher status and requests, the journal's
    audit log of switches (written on the journal's one writer thread); the one command
    path for the switcher's own reactions (as ``switcher``), and the desk's feed health."""

    CALLER = Caller(who="switcher", identity=OPERATOR)

    def __init__(self, room: Room) -> None:
        self._room = room
        self.clock = room.show.clock
        self._records: set[asyncio.Future[None]] = set()

    @property
    def schedule(self) -> Schedule:
        return self._room.show.schedule

    @property
    def state(self) -> ShowState:
        return self._room.show.state

    def add_listener(self, listener: Listener) -> None:
        self._room.show.add_listener(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._room.show.remove_listener(listener)

    def add_switcher_handler(self, handler: SwitcherHandler) -> None:
        self._room.desk.add_switcher_handler(handler)

    def remove_switcher_handler(self, handler: SwitcherHandler) -> None:
        self._room.desk.remove_switcher_handler(handler)

    def set_switcher_status(self, channel: str, status: Mapping[str, Any]) -> None:
        self._room.desk.set_switcher_status(channel, status)

    async def record_switch(self, record: SwitchRecord) -> None:
        journal = self._room.show.journal
        await self._room.writer.run(partial(journal.record_switch, record))

    async def submit(self, command: Mapping[str, Any]) -> Result:
        return await self._room.dispatcher.submit(dict(command), self.CALLER)

    def set_feed_status(self, channel: str, status: Mapping[str, Any]) -> None:
        """The desk's feed health; each loss and return journaled as a switcher audit
        record (:func:`feed_record`, on the writer thread)."""
        changes = self._room.desk.set_feed_status(channel, status)
        wall = self.clock.wall_now()
        for change in changes:
            record = feed_record(channel, change, wall=wall, clock=self.clock)
            logger.info("feeds %s: %s %s recorded", channel, change.loss.site, change.kind)
            try:
                task = asyncio.ensure_future(self.record_switch(record))
            except RuntimeError:  # no running loop (a test driving the link by hand)
                continue
            self._records.add(task)
            task.add_done_callback(self._recorded)

    def _recorded(self, task: asyncio.Future[None]) -> None:
        self._records.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("feeds: the journal refused a feed record: %s", task.exception())

    async def wait_recorded(self) -> None:
        """Until every feed record handed over so far is written (tests, shutdown)."""
        while self._records:
            await asyncio.gather(*list(self._records), return_exceptions=True)


def feed_record(channel: str, change: FeedChange, *, wall: float, clock: Clock) -> SwitchRecord:
    """The audit record of a feed's loss or return (``target = "feed"``).

    A loss is dated when it began (the watcher's ``lost_at``), its ``comment`` the
    reaction in force (``slate`` / ``fallback``) or ``nothing``, `` (next)`` when the site
    was not on air yet; a return is dated now, its ``comment`` the feed's OBS input.
    """
    loss = change.loss
    if change.kind == "lost":
        at = loss.since if loss.since is not None else wall
        comment = loss.reaction or "nothing"
        if loss.role == "next":
            comment += " (next)"
    else:
        at = wall
        comment = loss.feed
    return SwitchRecord(
        channel=channel,
        scene=loss.site,
        target=FEED_TARGET,
        asked_at=from_epoch(at),
        show_at=clock.show_time(at),
        result=change.kind,
        comment=comment,
    )
