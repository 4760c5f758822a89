"""The bank: the switchers of every bound channel, and how a show hosts them.

:class:`SwitcherBank` holds one :class:`~control_room.switcher.driver.Switcher` per
channel of a :class:`~control_room.switcher.config.SwitcherConfig`.
:func:`switcher_integration` starts the bank with the show and stops it after: the host
(:class:`SwitcherHost`, what the switcher needs of the show, no more) feeds it every new
state, takes every attempt for the journal and every status for the régie, and hands it
the régie's resend / manual / auto requests.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from control_room.clock import Clock
from control_room.core.schedule import Schedule
from control_room.core.timeline import CommandRejected, ShowState
from control_room.journal import SwitchRecord

from .config import SwitcherConfig
from .driver import (
    ClientFactory,
    RecordCallback,
    StatusCallback,
    Switcher,
    default_client,
)
from .feeds import FeedClientFactory, FeedWatch, SubmitResult, default_feed_client
from .status import SwitcherStatus

__all__ = ["SwitcherBank", "SwitcherHost", "switcher_integration"]


class SwitcherHost(Protocol):
    """What the switcher needs of the show that hosts it."""

    @property
    def schedule(self) -> Schedule:
        """The schedule on air."""
        ...

    @property
    def clock(self) -> Clock:
        """The show clock."""
        ...

    @property
    def state(self) -> ShowState:
        """The show's current state."""
        ...

    def add_listener(self, listener: Callable[[ShowState], Awaitable[None]]) -> None:
        """Call ``listener(state)`` (as a task) after every published change."""
        ...

    def remove_listener(self, listener: Callable[[ShowState], Awaitable[None]]) -> None:
        """Stop calling ``listener``."""
        ...

    def add_switcher_handler(self, handler: Callable[[str, str], Awaitable[None]]) -> None:
        """Hand the régie's requests to ``handler(channel, action)``; action is
        ``"resend"``, ``"manual"`` or ``"auto"``; it raises to report a failure."""
        ...

    def remove_switcher_handler(self, handler: Callable[[str, str], Awaitable[None]]) -> None:
        """Stop handing the régie's requests to ``handler``."""
        ...

    def set_switcher_status(self, channel: str, status: Mapping[str, Any]) -> None:
        """Publish a channel's switcher status to the régie (latest wins)."""
        ...

    async def record_switch(self, record: SwitchRecord) -> None:
        """Record an attempt in the journal's audit log."""
        ...

    async def submit(self, command: Mapping[str, Any]) -> SubmitResult:
        """Submit a command (a feed loss's reaction) through the one command path, as
        ``switcher``: journaled, replayed and undoable like an operator's."""
        ...

    def set_feed_status(self, channel: str, status: Mapping[str, Any]) -> None:
        """Publish a channel's feed health to the régie (latest wins)."""
        ...


class SwitcherBank:
    """The switchers of every bound channel, as the app uses them.

    Example::

        bank = SwitcherBank(schedule, config, clock=clock,
                            on_record=record_switch, on_status=push_status)
        bank.start()
        app_listeners.append(bank.on_state)    # async listener: never blocks
        ...
        await bank.aclose()

    Args:
        schedule: the schedule.
        config: the channels bound to an OBS.
        clock: the show clock.
        on_record: called with every attempt (the journal).
        on_status: called with every new status (the régie).
        client_factory: makes the OBS clients (tests).
    """

    def __init__(
        self,
        schedule: Schedule,
        config: SwitcherConfig,
        *,
        clock: Clock,
        on_record: RecordCallback | None = None,
        on_status: StatusCallback | None = None,
        client_factory: ClientFactory = default_client,
    ) -> None:
        self.switchers: dict[str, Switcher] = {
            channel: Switcher(
                schedule,
                binding,
                clock=clock,
                on_record=on_record,
                on_status=on_status,
                client_factory=client_factory,
            )
            for channel, binding in config.channels.items()
        }

    def start(self) -> None:
        """Start every switcher's task."""
        for switcher in self.switchers.values():
            switcher.start()

    async def aclose(self) -> None:
        """Stop every switcher."""
        await asyncio.gather(*(s.aclose() for s in self.switchers.values()))

    def update(self, show: ShowState) -> None:
        """Hand a new state to every switcher (non-blocking)."""
        for switcher in self.switchers.values():
            switcher.update(show)

    async def on_state(self, show: ShowState) -> None:
        """The app's listener hook: same as :meth:`update`, as a coroutine."""
        self.update(show)

    def statuses(self) -> list[SwitcherStatus]:
        """Every switcher's status."""
        return [s.status for s in self.switchers.values()]

    def _get(self, channel: str) -> Switcher:
        try:
            return self.switchers[channel]
        except KeyError:
            raise KeyError(f"no switcher bound to channel {channel!r}") from None

    def set_manual(self, channel: str, manual: bool) -> None:
        """Manual mode for one channel.

        Raises:
            KeyError: the channel has no switcher.
        """
        self._get(channel).set_manual(manual)

    def resend(self, channel: str) -> None:
        """Re-send one channel's current scene.

        Raises:
            KeyError: the channel has no switcher.
        """
        self._get(channel).resend()


def switcher_integration(
    config: SwitcherConfig,
    *,
    client_factory: ClientFactory = default_client,
    feed_client_factory: FeedClientFactory = default_feed_client,
) -> Callable[[SwitcherHost], AbstractAsyncContextManager[None]]:
    """The server integration (``create_app(..., integrations=[...])``) for ``config``.

    Started after the show: one :class:`~control_room.switcher.driver.Switcher` per bound
    channel, fed by the host's listener hook; every attempt goes to
    :meth:`SwitcherHost.record_switch`, every status to
    :meth:`SwitcherHost.set_switcher_status`; the régie's requests come back through
    :meth:`SwitcherHost.add_switcher_handler` (removed when it stops). When the config
    names sites' feeds, one :class:`~control_room.switcher.feeds.FeedWatch` per bound
    channel follows them and reacts to a loss through :meth:`SwitcherHost.submit`.

    Args:
        config: the channels bound to an OBS, and the sites' feeds.
        client_factory: makes the OBS clients (tests).
        feed_client_factory: makes the feed watchers' OBS clients (tests).
    """

    @contextlib.asynccontextmanager
    async def integration(host: SwitcherHost) -> AsyncIterator[None]:
        def on_status(status: SwitcherStatus) -> None:
            host.set_switcher_status(status.channel, status.to_json())

        bank = SwitcherBank(
            host.schedule,
            config,
            clock=host.clock,
            on_record=host.record_switch,
            on_status=on_status,
            client_factory=client_factory,
        )
        watches = [
            FeedWatch(
                binding,
                config.feeds,
                host=host,
                poll=config.feed_poll,
                client_factory=feed_client_factory,
            )
            for binding in config.channels.values()
            if config.feeds
        ]
        running = True

        async def on_action(channel: str, action: str) -> None:
            if not running:
                return  # stopped (the show is closing): nothing left to drive
            if channel not in bank.switchers:
                raise CommandRejected(f"switcher: channel {channel!r} is not bound to an OBS")
            if action == "resend":
                bank.resend(channel)
            elif action in ("manual", "auto"):
                bank.set_manual(channel, action == "manual")
            else:
                raise CommandRejected(f"switcher: unknown action {action!r}")

        for status in bank.statuses():
            on_status(status)
        bank.update(host.state)
        host.add_listener(bank.on_state)
        host.add_switcher_handler(on_action)
        bank.start()
        for watch in watches:
            watch.start()
        try:
            yield
        finally:
            running = False
            host.remove_listener(bank.on_state)
            host.remove_switcher_handler(on_action)
            await asyncio.gather(bank.aclose(), *(watch.aclose() for watch in watches))

    return integration
