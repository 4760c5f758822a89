"""The hub: fan messages out to many websocket clients without waiting for any.

Following websockets' "Broadcasting messages" topic (per-client queues), every
client has its own sender task fed by a small **coalescing queue**:

- a message may carry a coalescing *key* (``"state"``, ``"presence"``,
  ``("switcher", channel)``): a newer message with the same key replaces the
  queued one, so a client that falls behind skips intermediate states but
  always receives the latest;
- messages without a key (results, pongs, errors, journal entries) are never
  dropped;
- the queue is bounded: a client whose queue overflows, or whose send does not
  complete within the send timeout, is closed and counted in
  :attr:`HubStats.slow_closed`. Nobody else waits for it.

Broadcasts render once per distinct *view* (the set of channels a client
follows), not once per client: :meth:`Hub.broadcast_view` calls its renderer at
most once for each view among the connected clients and enqueues the same
string everywhere.

The hub knows nothing about websockets: a client's ``send`` is any coroutine
function taking a string (Starlette's ``WebSocket.send_text`` in the app).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from control_room.wire import Role

__all__ = [
    "Client",
    "ClientGone",
    "Hub",
    "HubStats",
    "Outgoing",
    "SlowClient",
    "View",
]

logger = logging.getLogger(__name__)

View = frozenset[str] | None
"""The channels a client follows; None means every channel."""

Outgoing = str | Callable[[], str]
"""A queued message: encoded text, or a function encoding it at send time (pongs)."""

Send = Callable[[str], Awaitable[None]]

_ids = itertools.count(1)


class SlowClient(Exception):
    """A client could not keep up (queue overflow or send timeout)."""


class ClientGone(Exception):
    """A client's connection closed while sending."""


@dataclass
class HubStats:
    """Counters, exposed on ``/-/health``.

    Attributes:
        clients: connected clients now.
        connected_total: clients ever connected.
        slow_closed: clients closed because they could not keep up.
        sent: messages handed to the network.
        coalesced: queued messages replaced by a newer one before being sent.
        renders: view renderings done by broadcasts (to check "encode once per view").
    """

    clients: int = 0
    connected_total: int = 0
    slow_closed: int = 0
    sent: int = 0
    coalesced: int = 0
    renders: int = 0


class Client:
    """One connected client: its subscription and its outgoing queue.

    Args:
        send: coroutine function sending one text message.
        queue_limit: how many messages may wait before the client is deemed too slow.
        send_timeout: seconds one send may take before the client is deemed too slow.
        role: what the client says it is.
        channels: the channels it follows (None: all).
    """

    def __init__(
        self,
        send: Send,
        *,
        queue_limit: int = 64,
        send_timeout: float = 5.0,
        role: Role = Role.VIEWER,
        channels: View = None,
    ) -> None:
        self.id: Final = next(_ids)
        self.role = role
        self.channels = channels
        self.authenticated = False
        # the channels whose private notes it gets (None: all; set by views/session.py)
        self.notes: frozenset[str] | None = frozenset()
        self.name: str | None = None
        self.lang: str | None = None
        self.failure: str | None = None
        self._send = send
        self._queue_limit = queue_limit
        self._send_timeout = send_timeout
        self._pending: OrderedDict[Hashable, Outgoing] = OrderedDict()
        self._wake = asyncio.Event()
        self._seq = itertools.count()
        self._hub: Hub | None = None

    def __repr__(self) -> str:
        return f"<Client {self.id} {self.role.value} {sorted(self.channels or ['*'])}>"

    @property
    def view(self) -> View:
        return self.channels

    @property
    def pending(self) -> int:
        """Messages waiting to be sent."""
        return len(self._pending)

    def enqueue(self, item: Outgoing, *, key: Hashable | None = None) -> bool:
        """Queue a message; with a ``key``, replace a queued message with the same key.

        Returns:
            False if the client has failed (now or before); the message is dropped.
        """
        if self.failure is not None:
            return False
        if key is not None:
            slot: Hashable = ("k", key)
            if slot in self._pending:
                del self._pending[slot]
                if self._hub is not None:
                    self._hub.stats.coalesced += 1
        else:
            slot = ("n", next(self._seq))
        if len(self._pending) >= self._queue_limit:
            self.fail(f"queue full ({self._queue_limit} messages waiting)")
            return False
        self._pending[slot] = item
        self._wake.set()
        return True

    def fail(self, reason: str) -> None:
        """Mark the client as too slow; its sender raises :class:`SlowClient` promptly."""
        if self.failure is None:
            self.failure = reason
            self._pending.clear()
            self._wake.set()

    async def run(self) -> None:
        """Send queued messages until cancelled.

        Raises:
            SlowClient: the client overflowed its queue or a send timed out.
            ClientGone: the connection failed while sending.
        """
        while True:
            if self.failure is not None:
                raise SlowClient(self.failure)
            if not self._pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            _, item = self._pending.popitem(last=False)
            text = item if isinstance(item, str) else item()
            try:
                async with asyncio.timeout(self._send_timeout):
                    await self._send(text)
            except TimeoutError:
                self.fail(f"send took more than {self._send_timeout:g} s")
                continue
            except Exception as exc:  # the connection is gone (ClientDisconnected, OSError, ...)
                raise ClientGone(str(exc) or type(exc).__name__) from exc
            if self._hub is not None:
                self._hub.stats.sent += 1


class Hub:
    """The set of connected clients, their presence counts and broadcasts.

    Args:
        channels: every channel id of the show (for presence counts).
        queue_limit: per-client queue bound.
        send_timeout: per-send timeout, in seconds.
        on_presence: called (synchronously) whenever presence counts change.
    """

    def __init__(
        self,
        channels: Iterable[str] = (),
        *,
        queue_limit: int = 64,
        send_timeout: float = 5.0,
        on_presence: Callable[[], None] | None = None,
    ) -> None:
        self.channels = tuple(channels)
        self.queue_limit = queue_limit
        self.send_timeout = send_timeout
        self.stats = HubStats()
        self.on_presence = on_presence
        self._clients: dict[int, Client] = {}

    def __len__(self) -> int:
        return len(self._clients)

    def __iter__(self) -> Iterator[Client]:
        return iter(list(self._clients.values()))

    def client(self, send: Send, *, role: Role = Role.VIEWER, channels: View = None) -> Client:
        """Create a client with the hub's limits (not yet registered)."""
        return Client(
            send,
            queue_limit=self.queue_limit,
            send_timeout=self.send_timeout,
            role=role,
            channels=channels,
        )

    def add(self, client: Client) -> None:
        client._hub = self
        self._clients[client.id] = client
        self.stats.clients = len(self._clients)
        self.stats.connected_total += 1
        self._presence_changed()

    def remove(self, client: Client, *, slow: bool = False) -> None:
        if self._clients.pop(client.id, None) is None:
            return
        self.stats.clients = len(self._clients)
        if slow:
            self.stats.slow_closed += 1
        self._presence_changed()

    def subscribe(self, client: Client, *, role: Role, channels: View) -> None:
        """Change what a client is and follows (after a ``hello``)."""
        client.role = role
        client.channels = channels
        if client.id in self._clients:
            self._presence_changed()

    def _presence_changed(self) -> None:
        if self.on_presence is not None:
            self.on_presence()

    def presence(self) -> dict[str, dict[str, int]]:
        """For each channel, how many clients of each role follow it."""
        counts = {channel: {role.value: 0 for role in Role} for channel in self.channels}
        for client in self._clients.values():
            targets = self.channels if client.channels is None else client.channels
            for channel in targets:
                if channel in counts:
                    counts[channel][client.role.value] += 1
        return counts

    def broadcast(
        self,
        item: Outgoing,
        *,
        key: Hashable | None = None,
        where: Callable[[Client], bool] | None = None,
    ) -> int:
        """Queue the same message for every client (``where`` it holds).

        Returns:
            How many clients it was queued for.
        """
        count = 0
        for client in list(self._clients.values()):
            if where is None or where(client):
                count += client.enqueue(item, key=key)
        return count

    def broadcast_view(
        self,
        render: Callable[[View], str | None],
        *,
        key: Hashable | None = None,
        where: Callable[[Client], bool] | None = None,
    ) -> int:
        """Queue a per-view message: ``render`` runs once per distinct view.

        ``render`` returns None when a view has nothing new; its clients get nothing.

        Returns:
            How many clients it was queued for.
        """
        cache: dict[View, str | None] = {}
        count = 0
        for client in list(self._clients.values()):
            if where is not None and not where(client):
                continue
            view = client.view
            if view not in cache:
                cache[view] = render(view)
                self.stats.renders += 1
            text = cache[view]
            if text is not None:
                count += client.enqueue(text, key=key)
        return count
