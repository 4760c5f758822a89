"""The feed watcher: one :class:`FeedWatch` task per bound channel follows the health of
the sites' feeds that channel needs, and reacts to a loss through the one command path.

Every ``poll`` seconds it reads the show's state, picks the sites on air or next within
the channel's preview lead (:func:`~control_room.switcher.reactions.watched_sites`),
asks OBS for each site's feed input (``GetMediaInputStatus``) and feeds the pure
hysteresis (:class:`~control_room.switcher.health.FeedTracker`). OBS's
``MediaInputPlaybackEnded`` for a feed input wakes it at once. It has a connection of
its own to the channel's OBS, so a slow feed poll never delays a scene switch.

On a loss of an on-air site's feed, the site's reaction (``slate`` / ``fallback``) is
submitted as ``switcher`` through :meth:`FeedHost.submit` (journaled, replayed, cleared
like an operator's); on its return, the undoing command is proposed to the régie, or
submitted (``on_return = "auto"``). Every change of health goes to the régie through
:meth:`FeedHost.set_feed_status` (the ``feeds`` message).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from control_room.clock import Clock
from control_room.core.schedule import Schedule
from control_room.core.timeline import ChannelState, ShowState
from control_room.obs import (
    EVENT_GENERAL,
    EVENT_MEDIA_INPUTS,
    MEDIA_PLAYING,
    ObsClient,
    ObsError,
    ObsEvent,
    ObsRequestError,
)

from .config import ObsBinding, SwitcherConfigError
from .driver import BACKOFF_MAX, BACKOFF_MIN, default_client
from .feed_config import DEFAULT_FEED_POLL, FeedConfig
from .health import CursorWatch, FeedTracker
from .reactions import Reaction, Role, in_force, loss_command, return_command, watched_sites

__all__ = ["FeedClientFactory", "FeedHost", "FeedWatch", "SubmitResult"]

logger = logging.getLogger(__name__)

Command = dict[str, Any]


class SubmitResult(Protocol):
    """What :meth:`FeedHost.submit` answers (a :class:`~control_room.dispatch.Result`)."""

    @property
    def ok(self) -> bool: ...

    @property
    def error(self) -> str | None: ...


class FeedHost(Protocol):
    """What the feed watcher needs of the show that hosts it."""

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

    async def submit(self, command: Mapping[str, Any]) -> SubmitResult:
        """Submit ``command`` through the one command path, as ``switcher``."""
        ...

    def set_feed_status(self, channel: str, status: Mapping[str, Any]) -> None:
        """Publish a channel's feed health to the régie (latest wins)."""
        ...


FeedClientFactory = Callable[[ObsBinding, str | None, Callable[[ObsEvent], None]], ObsClient]
"""Makes the watcher's own OBS client (tests)."""


def default_feed_client(
    binding: ObsBinding, password: str | None, on_event: Callable[[ObsEvent], None]
) -> ObsClient:
    """The watcher's own OBS client: the switcher's, subscribed to media input events."""
    return default_client(
        binding, password, on_event, event_subscriptions=EVENT_GENERAL | EVENT_MEDIA_INPUTS
    )


@dataclass(slots=True)
class _Feed:
    """One site's feed as this channel follows it."""

    config: FeedConfig
    tracker: FeedTracker
    cursor: CursorWatch
    role: Role | None = None
    lost_at: float | None = None  # wall time (epoch s) the loss began
    handled: bool = False  # this loss was reacted to (or had nothing to do)
    reaction: Reaction | None = None  # what the switcher put up, while in force
    proposal: Command | None = None  # the return command offered to the régie
    error: str | None = None

    def to_json(self, name: str) -> dict[str, Any]:
        return {
            "site": self.config.site,
            "name": name,
            "feed": self.config.feed,
            "role": self.role,
            "health": self.tracker.health.value,
            "lost": self.tracker.lost,
            "lost_at": self.lost_at,
            "on_loss": self.config.on_loss,
            "on_return": self.config.on_return,
            "reaction": self.reaction,
            "proposal": self.proposal,
            "error": self.error,
        }


@dataclass(slots=True)
class _Status:
    connected: bool = False
    error: str | None = None
    feeds: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"connected": self.connected, "error": self.error, "feeds": self.feeds}


class FeedWatch:
    """Watches the sites' feeds one channel needs, in that channel's OBS.

    Args:
        binding: the channel and its OBS.
        feeds: the sites' feeds (by site id).
        host: the show (its state, the command path, the régie's feed status).
        poll: seconds between two polls of the watched feeds.
        stall: seconds without the media cursor moving before a reading is bad
            (default: the larger of 0.75 s and 1.5 polls).
        client_factory: makes the OBS client (tests).
        monotonic: the clock of grace and stable times (tests).
    """

    def __init__(
        self,
        binding: ObsBinding,
        feeds: Mapping[str, FeedConfig],
        *,
        host: FeedHost,
        poll: float = DEFAULT_FEED_POLL,
        stall: float | None = None,
        client_factory: FeedClientFactory = default_feed_client,
        monotonic: Callable[[], float] = time.monotonic,
        backoff: tuple[float, float] = (BACKOFF_MIN, BACKOFF_MAX),
    ) -> None:
        self.binding = binding
        self.channel = binding.channel
        self.host = host
        self.poll = poll
        stall = max(0.75, 1.5 * poll) if stall is None else stall
        self._feeds = {
            site: _Feed(feed, FeedTracker(feed.grace, feed.stable), CursorWatch(stall))
            for site, feed in feeds.items()
        }
        self._by_input = {feed.feed: site for site, feed in feeds.items()}
        self._client_factory = client_factory
        self._monotonic = monotonic
        self._backoff = backoff
        self._status = _Status()
        self._published: dict[str, Any] | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------

    def start(self) -> None:
        """Start the watcher's task (idempotent)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"feeds {self.channel}")

    async def aclose(self) -> None:
        """Stop the task and close the connection."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def status(self) -> dict[str, Any]:
        """What the régie sees: the connection and every watched (or lost) feed."""
        return self._status.to_json()

    # -- the task ---------------------------------------------------------------

    async def _run(self) -> None:
        delay = self._backoff[0]
        self._publish()
        while True:
            try:
                began = self._monotonic()
                await self._cycle()
                if self._monotonic() - began > 10:
                    delay = self._backoff[0]
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug must not stop the watcher for the day
                logger.exception("feeds %s: unexpected error", self.channel)
                self._status.error = f"internal error: {exc!r}"
            self._status.connected = False
            self._publish()
            await asyncio.sleep(delay * random.uniform(0.75, 1.25))
            delay = min(delay * 2, self._backoff[1])

    async def _cycle(self) -> None:
        try:
            password = self.binding.password()
        except SwitcherConfigError as exc:
            self._status.error = str(exc)
            return
        client = self._client_factory(self.binding, password, self._on_event)
        try:
            await client.connect()
            self._status.connected, self._status.error = True, None
            closed = asyncio.ensure_future(client.wait_closed())
            try:
                while not closed.done():
                    await self.poll_once(client)
                    self._wake.clear()
                    woken = asyncio.ensure_future(self._wake.wait())
                    try:
                        await asyncio.wait(
                            {woken, closed}, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED
                        )
                    finally:
                        woken.cancel()
                self._status.error = str(closed.result())
            finally:
                closed.cancel()
        except ObsError as exc:
            self._status.error = str(exc)
        finally:
            await client.close()

    def _on_event(self, event: ObsEvent) -> None:
        if event.type == "MediaInputPlaybackEnded":
            site = self._by_input.get(str(event.data.get("inputName")))
            if site is not None:
                self._feeds[site].cursor.reset()
                self._wake.set()

    # -- one poll ---------------------------------------------------------------

    async def poll_once(self, client: ObsClient) -> None:
        """Observe every feed the channel needs now, react, publish."""
        try:
            channel = self.host.state.channel(self.channel)
        except KeyError:
            return
        at = self.host.clock.now()
        roles = watched_sites(channel, at, lead=self.binding.preview_lead)
        for site, feed in self._feeds.items():
            feed.role = roles.get(site)
            if feed.role is None and not feed.tracker.lost and feed.reaction is None:
                feed.tracker = FeedTracker(feed.config.grace, feed.config.stable)
                feed.cursor.reset()
                feed.error = None
                continue
            await self._observe(client, site, feed)
        for site, feed in self._feeds.items():
            await self._react(site, feed, self.host.state.channel(self.channel))
        self._publish()

    async def _observe(self, client: ObsClient, site: str, feed: _Feed) -> None:
        try:
            media = await client.get_media_input_status(feed.config.feed)
        except ObsRequestError as exc:
            feed.error = f"OBS input {feed.config.feed!r}: {exc}"
            playing, cursor = False, None
        else:
            feed.error = None
            playing, cursor = media.state == MEDIA_PLAYING, media.cursor
        now = self._monotonic()
        ok = feed.cursor.observe(playing, cursor, now)
        change = feed.tracker.observe(ok, now)
        if change == "lost":
            feed.lost_at = time.time() - (now - (feed.tracker.lost_since or now))
            feed.handled = False
            feed.proposal = None
            logger.warning("feeds %s: feed of %s lost (%s)", self.channel, site, feed.config.feed)
        elif change == "returned":
            feed.lost_at = None
            logger.warning("feeds %s: feed of %s is back", self.channel, site)
            await self._returned(feed)

    async def _react(self, site: str, feed: _Feed, channel: ChannelState) -> None:
        if feed.reaction is not None and not in_force(feed.config, feed.reaction, channel):
            feed.reaction = feed.proposal = None  # the operator cleared or replaced it
        if not feed.tracker.lost or feed.handled or feed.role != "on_air":
            return
        feed.handled = True
        reaction = loss_command(feed.config, channel)
        if reaction is None:
            return
        kind, command = reaction
        if await self._submit(command, feed):
            feed.reaction = kind

    async def _returned(self, feed: _Feed) -> None:
        feed.handled = False
        if feed.reaction is None:
            return
        channel = self.host.state.channel(self.channel)
        command = return_command(feed.config, feed.reaction, channel)
        if command is None:
            feed.reaction = None
        elif feed.config.on_return == "auto":
            if await self._submit(command, feed):
                feed.reaction = None
        else:
            feed.proposal = command

    async def _submit(self, command: Command, feed: _Feed) -> bool:
        result = await self.host.submit(command)
        if not result.ok:
            feed.error = f"{command['type']}: {result.error}"
            logger.error("feeds %s: %s refused: %s", self.channel, command, result.error)
        return bool(result.ok)

    def _publish(self) -> None:
        names = {site_id: site.name for site_id, site in self.host.schedule.sites.items()}
        self._status.feeds = [
            feed.to_json(names.get(site, site))
            for site, feed in self._feeds.items()
            if feed.role is not None or feed.tracker.lost or feed.reaction is not None
        ]
        status = self._status.to_json()
        if status != self._published:
            self._published = status
            self.host.set_feed_status(self.channel, status)
