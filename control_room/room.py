"""The control room assembled: the show, the desk, the one command path, the token check
and the screens' hub, built once and shared by every adapter.

:func:`build_room` wires them (the hub tells the desk when presence changes; the desk
follows the show's publications); the app's handlers reach the room as
``request.app.state.room``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from control_room.auth import Auth
from control_room.clock import Clock
from control_room.core.schedule import Schedule
from control_room.desk import Desk
from control_room.dispatch import Dispatcher
from control_room.hub import Hub
from control_room.journal import Journal
from control_room.show import Show
from control_room.writer import JournalWriter

__all__ = ["Room", "build_room"]


@dataclass(eq=False)
class Room:
    """Everything a request handler may need, by noun."""

    schedule: Schedule
    show: Show
    desk: Desk
    dispatcher: Dispatcher
    auth: Auth
    hub: Hub
    writer: JournalWriter
    allow_origins: tuple[str, ...] = ()

    async def start(self) -> None:
        await self.show.start()

    async def stop(self) -> None:
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
) -> Room:
    """Build the room for one show.

    Args:
        schedule: the validated schedule.
        clock: the show clock.
        journal: the open journal (replayed now).
        token: the operator token.
        allow_origins: websocket origins allowed besides the server's own.
        queue_limit: per-client queue bound (see :class:`~control_room.hub.Hub`).
        send_timeout: per-send timeout in seconds.
        tick_seconds: the safety tick period.
        heartbeat_seconds: the websocket ping interval (reported to clients).

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
    )
    desk = Desk(show, hub)
    hub.on_presence = desk.presence_changed
    return Room(
        schedule=schedule,
        show=show,
        desk=desk,
        dispatcher=Dispatcher(show, desk),
        auth=Auth(token),
        hub=hub,
        writer=writer,
        allow_origins=tuple(allow_origins),
    )
