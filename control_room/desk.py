"""The régie's desk: the facts beside the show that only the operator sees.

- the moderators' acknowledgements of the régie's messages (journaled, off the loop), limited
  (:class:`AckLimits`): one per message per moderator name, a bounded number per message, and
  a token bucket per connection and per channel, so a flood never reaches the journal's
  writer thread (the operator's commands share it);
- the presence: how many screens of each role follow each channel;
- the video switchers' status per channel, and the régie's requests to them
  (resend / manual / auto), forwarded to the attached switcher;
- the sites' feed health per channel (the régie's ``feeds``), and its one public part:
  ``feed_health``, whether the feed of the site on air is lost, sent to the screens of
  that channel and of the channels running it in parallel;
- the journal's recent entries, sent to a régie on connect.

None of it changes what is on air: that is the :class:`~control_room.show.Show`'s alone.
Everything here but ``feed_health`` is pushed only to authenticated régie clients.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from control_room.clock import from_epoch
from control_room.core.document import StateDocument
from control_room.core.timeline import CommandRejected
from control_room.feed_health import FeedChange, FeedLoss, feed_changes, lost_feeds, public_loss
from control_room.feed_health import watchers as feed_watchers
from control_room.hub import Client, Hub
from control_room.show import Show

if TYPE_CHECKING:
    from control_room.editor import Edit
from control_room.wire import (
    AckDoc,
    AcksMessage,
    FeedHealthMessage,
    FeedsMessage,
    JournalMessage,
    PresenceMessage,
    Role,
    ScheduleMessage,
    SwitcherMessage,
    encode,
)

__all__ = [
    "JOURNAL_BACKLOG",
    "PRESENCE_SAMPLE_SECONDS",
    "AckLimits",
    "AckRefused",
    "Desk",
    "SwitcherHandler",
    "TokenBucket",
    "is_regie",
]

logger = logging.getLogger(__name__)

SwitcherHandler = Callable[[str, str], Awaitable[None]]
"""Called with (channel, action) when the régie asks the switcher to resend / go manual / auto.
Raise to report a failure to the régie."""

JOURNAL_BACKLOG = 500
"""How many recent journal entries a régie receives on connect."""

PRESENCE_COALESCE_SECONDS = 0.2
"""Presence changes within this time go to the régie as one message."""

PRESENCE_SAMPLE_SECONDS = 60.0
"""The presence log (``journal.presence()``): a sample at most this often, when it changed."""


MAX_ACKS_PER_MESSAGE = 50
"""Acknowledgements kept (and journaled) for one message, at most."""


class AckRefused(ValueError):
    """An acknowledgement refused by the limits; nothing was written."""


@dataclass
class TokenBucket:
    """A token bucket per key: ``capacity`` at once, then ``rate`` per second (pure: ``now``
    is an argument).

    Args:
        capacity: the burst allowed.
        rate: tokens added back per second.
    """

    capacity: float
    rate: float
    _buckets: dict[Hashable, tuple[float, float]] = field(default_factory=dict, repr=False)

    def take(self, key: Hashable, now: float) -> bool:
        """Spend one token of ``key``'s bucket; False (nothing spent) when it is empty."""
        tokens, last = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > 4096:  # forget the full buckets of connections gone
            self._prune(now)
        return True

    def _prune(self, now: float) -> None:
        for key, (tokens, last) in list(self._buckets.items()):
            if tokens + (now - last) * self.rate >= self.capacity:
                del self._buckets[key]


@dataclass
class AckLimits:
    """How many acknowledgements reach the journal: per connection and per channel."""

    per_connection: TokenBucket = field(default_factory=lambda: TokenBucket(5, 0.5))
    per_channel: TokenBucket = field(default_factory=lambda: TokenBucket(30, 2.0))

    def admit(self, connection: Hashable, channel: str, now: float) -> str | None:
        """Spend a token of the connection's and of the channel's bucket; why not, or None."""
        if not self.per_connection.take(("connection", connection), now):
            return "ack: too many acknowledgements from this link; wait a little"
        if not self.per_channel.take(("channel", channel), now):
            return f"ack: too many acknowledgements on {channel}; wait a little"
        return None


def is_regie(client: Client) -> bool:
    """An authenticated régie: the only client that sees the desk."""
    return client.role is Role.REGIE and client.authenticated


def _utc(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


class Desk:
    """The régie's side facts, kept beside the show.

    Args:
        show: the show (its state says which message is current; its writer journals acks).
        hub: the connected screens (the régie's share of them gets the desk's messages).
    """

    def __init__(self, show: Show, hub: Hub) -> None:
        self.show = show
        self.hub = hub
        self.acks: dict[tuple[str, int], list[AckDoc]] = {}
        for ack in show.journal.acks():
            self.acks.setdefault((ack.channel, ack.message_id), []).append(
                AckDoc(name=ack.name, at=_utc(ack.wall))
            )
        self.ack_limits = AckLimits()
        self._acking: set[tuple[str, int, str]] = set()
        self.switcher_status: dict[str, dict[str, Any]] = {}
        self.feed_status: dict[str, dict[str, Any]] = {}
        self.feed_public: dict[str, str | None] = {}  # channel -> the site on air, lost
        self.feed_losses_total: dict[tuple[str, str], int] = {}  # (channel, site) -> losses
        self.feeds_seen: set[tuple[str, str]] = set()  # (channel, site) ever watched
        self._feed_listeners: list[Callable[[str], None]] = []
        self.switcher_handlers: list[SwitcherHandler] = []
        self._presence_handle: asyncio.TimerHandle | None = None
        self.presence_sample_seconds = PRESENCE_SAMPLE_SECONDS
        self._sample_handle: asyncio.TimerHandle | None = None
        self._sampled: tuple[float, dict[str, dict[str, int]] | None] = (float("-inf"), None)
        self._sample_tasks: set[asyncio.Future[Any]] = set()
        self._schedule_text: str | None = None  # the last version offered, for a new régie
        show.on_publish(self._published)

    def close(self) -> None:
        if self._presence_handle is not None:
            self._presence_handle.cancel()
            self._presence_handle = None
        if self._sample_handle is not None:
            self._sample_handle.cancel()
            self._sample_handle = None

    # -- a régie connects -------------------------------------------------------

    def greet(self, client: Client) -> None:
        """Queue what a screen gets on connect: the public feed health of what it follows;
        a régie also the recent journal, presence, switchers, feeds, acks."""
        for channel_id, site in sorted(self.feed_public.items()):
            if self._follows(client, channel_id):
                client.enqueue(
                    self._feed_health_text(channel_id, site), key=("feed_health", channel_id)
                )
        if not is_regie(client):
            return
        if self._schedule_text is not None:
            client.enqueue(self._schedule_text, key="schedule")
        recent = self.show.journal_entries(last=JOURNAL_BACKLOG)
        client.enqueue(encode(JournalMessage(entries=recent, snapshot=True)))
        client.enqueue(self._presence_text(), key="presence")
        for channel_id, status in sorted(self.switcher_status.items()):
            client.enqueue(self._switcher_text(channel_id, status), key=("switcher", channel_id))
        for channel_id, status in sorted(self.feed_status.items()):
            client.enqueue(self._feeds_text(channel_id, status), key=("feeds", channel_id))
        for channel in self.show.document["channels"]:
            message = channel["messages"]["moderators"]
            if message is not None:
                text = self._acks_text(channel["id"], message["id"])
                client.enqueue(text, key=("acks", channel["id"]))

    def journal_appended(self, seq: int) -> None:
        """Push a new journal entry to the régie."""
        entries = [e for e in self.show.journal_entries(last=1) if e["seq"] == seq]
        if entries:
            text = encode(JournalMessage(entries=entries, snapshot=False))
            self.hub.broadcast(text, where=is_regie)

    # -- presence ---------------------------------------------------------------

    def _presence_text(self) -> str:
        return encode(
            PresenceMessage(
                channels=self.hub.presence(),
                clients=len(self.hub),
                slow_closed=self.hub.stats.slow_closed,
            )
        )

    def presence_changed(self) -> None:
        """A screen came, went or changed what it follows (coalesced for the régie)."""
        if self._presence_handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._presence_handle = loop.call_later(PRESENCE_COALESCE_SECONDS, self._push_presence)

    def _push_presence(self) -> None:
        self._presence_handle = None
        self.hub.broadcast(self._presence_text(), key="presence", where=is_regie)
        self._sample_presence()

    def _sample_presence(self) -> None:
        """Log the presence if it changed, at most once per ``presence_sample_seconds``
        (a change inside the interval is logged when it ends)."""
        if self._sample_handle is not None:
            return  # a sample is already due at the end of the interval
        last_wall, last_counts = self._sampled
        wall = self.show.clock.wall_now()
        wait = last_wall + self.presence_sample_seconds - wall
        if wait > 0:
            if self._sample_handle is None:
                loop = asyncio.get_running_loop()
                self._sample_handle = loop.call_later(wait, self._sample_due)
            return
        counts = self.hub.presence()
        if counts == last_counts:
            return
        self._sampled = (wall, counts)
        journal, show_at = self.show.journal, self.show.now()
        task = asyncio.ensure_future(
            self.show.writer.run(partial(journal.record_presence, counts, wall=wall, show=show_at))
        )
        self._sample_tasks.add(task)
        task.add_done_callback(self._sampled_done)

    def _sample_due(self) -> None:
        self._sample_handle = None
        self._sample_presence()

    def _sampled_done(self, task: asyncio.Future[Any]) -> None:
        self._sample_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("presence log: %s", task.exception())

    # -- acknowledgements -------------------------------------------------------

    async def ack(
        self,
        channel: str,
        message_id: int,
        name: str,
        *,
        connection: Hashable = None,
        now: float | None = None,
    ) -> None:
        """A moderator acknowledged a message; record it and tell the régie.

        The caller's right to acknowledge was checked by the dispatcher; here, the limits:
        one acknowledgement per message per name, :data:`MAX_ACKS_PER_MESSAGE` per message,
        and the token buckets of :class:`AckLimits` (per connection, per channel).

        Args:
            connection: the link it came by (its bucket); None: one bucket for all such.
            now: a monotonic instant in seconds (default: :func:`time.monotonic`).

        Raises:
            CommandRejected: no such channel, or not its current message for the moderators.
            AckRefused: a limit: already acknowledged under that name, or too many.
        """
        if channel not in self.show.channel_ids:
            raise CommandRejected(f"ack: unknown channel {channel!r}")
        current = self.show.state.channel(channel).moderators_message
        if current is None or current.id != message_id:
            raise CommandRejected(f"ack: message #{message_id} is no longer shown on {channel}")
        given = self.acks.get((channel, message_id), [])
        key = (channel, message_id, name)
        if key in self._acking or any(ack["name"] == name for ack in given):
            raise AckRefused(f"ack: message #{message_id} already acknowledged by {name}")
        if len(given) >= MAX_ACKS_PER_MESSAGE:
            raise AckRefused(f"ack: message #{message_id} has {len(given)} acknowledgements")
        why = self.ack_limits.admit(connection, channel, time.monotonic() if now is None else now)
        if why is not None:
            raise AckRefused(why)
        self._acking.add(key)
        try:
            await self._record_ack(channel, message_id, name)
        finally:
            self._acking.discard(key)

    async def _record_ack(self, channel: str, message_id: int, name: str) -> None:
        wall = self.show.clock.wall_now()
        show_at = self.show.now()
        journal = self.show.journal
        record = await self.show.writer.run(
            partial(journal.record_ack, channel, message_id, name, wall=wall, show=show_at)
        )
        self.acks.setdefault((channel, message_id), []).append(
            AckDoc(name=record.name, at=_utc(from_epoch(wall)))
        )
        self._push_acks(channel, message_id)

    def _acks_text(self, channel: str, message_id: int) -> str:
        acks = self.acks.get((channel, message_id), [])
        return encode(AcksMessage(channel=channel, message_id=message_id, acks=acks))

    def _push_acks(self, channel: str, message_id: int) -> None:
        text = self._acks_text(channel, message_id)
        self.hub.broadcast(text, key=("acks", channel), where=is_regie)

    def _published(self, previous: StateDocument, doc: StateDocument) -> None:
        # A new moderator message? The régie's acknowledgement list follows it.
        old = {channel["id"]: channel for channel in previous["channels"]}
        for channel in doc["channels"]:
            message = channel["messages"]["moderators"]
            before = old.get(channel["id"])
            if message is not None and (
                before is None or message != before["messages"]["moderators"]
            ):
                self._push_acks(channel["id"], message["id"])

    # -- live edits of the schedule ----------------------------------------------

    def schedule_edited(self, edit: Edit) -> None:
        """A version of the schedule was offered: the régie sees it applied or why not."""
        outcome = edit.outcome.value
        assert outcome != "unchanged"
        self._schedule_text = encode(
            ScheduleMessage(
                ok=edit.ok,
                outcome=outcome,  # type: ignore[arg-type]
                source=edit.source,
                version=edit.version,
                error=edit.error,
                problems=list(edit.problems),
                orphans=list(edit.orphans),
            )
        )
        self.hub.broadcast(self._schedule_text, key="schedule", where=is_regie)

    # -- the video switchers ------------------------------------------------------

    def add_switcher_handler(self, handler: SwitcherHandler) -> None:
        """Receive the régie's switcher requests: ``handler(channel, action)``."""
        self.switcher_handlers.append(handler)

    def remove_switcher_handler(self, handler: SwitcherHandler) -> None:
        if handler in self.switcher_handlers:
            self.switcher_handlers.remove(handler)

    @staticmethod
    def _switcher_text(channel: str, status: Mapping[str, Any]) -> str:
        return encode(SwitcherMessage(channel=channel, status=dict(status)))

    def set_switcher_status(self, channel: str, status: Mapping[str, Any]) -> None:
        """Publish a channel's switcher status to the régie (latest wins)."""
        self.switcher_status[channel] = dict(status)
        text = self._switcher_text(channel, status)
        self.hub.broadcast(text, key=("switcher", channel), where=is_regie)

    @staticmethod
    def _feeds_text(channel: str, status: Mapping[str, Any]) -> str:
        return encode(FeedsMessage(channel=channel, status=dict(status)))

    def set_feed_status(self, channel: str, status: Mapping[str, Any]) -> list[FeedChange]:
        """Publish a channel's feed health to the régie (latest wins), and its public part
        (``feed_health``) to the screens that show it when it changed.

        Returns:
            The feeds lost and back since the last status of ``channel``.
        """
        changes = feed_changes(self.feed_status.get(channel), status)
        shown = self.feed_loss(channel)
        self.feed_status[channel] = dict(status)
        for feed in status.get("feeds") or []:
            self.feeds_seen.add((channel, str(feed.get("site"))))
        for change in changes:
            if change.kind == "lost":
                key = (channel, change.loss.site)
                self.feed_losses_total[key] = self.feed_losses_total.get(key, 0) + 1
        text = self._feeds_text(channel, status)
        self.hub.broadcast(text, key=("feeds", channel), where=is_regie)
        site = public_loss(status)
        if channel not in self.feed_public or self.feed_public[channel] != site:
            self.feed_public[channel] = site
            self.hub.broadcast(
                self._feed_health_text(channel, site),
                key=("feed_health", channel),
                where=lambda client: self._follows(client, channel),
            )
        if self.feed_loss(channel) != shown:
            for listener in list(self._feed_listeners):
                listener(channel)
        return changes

    def feed_loss(self, channel: str) -> FeedLoss | None:
        """The lost feed of ``channel`` a button shows (the site on air first), or None."""
        lost = lost_feeds(self.feed_status.get(channel))
        return lost[0] if lost else None

    def feed_losses(self) -> dict[str, FeedLoss]:
        """Every channel's lost feed (:meth:`feed_loss`), by channel."""
        found = {channel: self.feed_loss(channel) for channel in self.feed_status}
        return {channel: loss for channel, loss in found.items() if loss is not None}

    def on_feed_change(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(channel)`` when a channel's feed health changed."""
        self._feed_listeners.append(listener)

    def _follows(self, client: Client, channel: str) -> bool:
        view = client.view
        return view is None or not view.isdisjoint(feed_watchers(self.show.schedule, channel))

    @staticmethod
    def _feed_health_text(channel: str, site: str | None) -> str:
        message = FeedHealthMessage(channel=channel, lost=site is not None, site=site)
        return encode(message)

    async def switcher_action(self, channel: str, action: str) -> None:
        """Forward a régie switcher request to the handlers.

        Raises:
            CommandRejected: unknown channel, or no switcher attached.
        """
        if channel not in self.show.channel_ids:
            raise CommandRejected(f"switcher: unknown channel {channel!r}")
        if not self.switcher_handlers:
            raise CommandRejected("switcher: no video switcher is attached to this server")
        for handler in list(self.switcher_handlers):
            await handler(channel, action)
