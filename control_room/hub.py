"""The hub: fan messages out to many websocket clients without waiting for any.

websockets' "Broadcasting messages" topic explains why a broadcast must never wait for the
slowest client. Its ``broadcast()`` writes to every connection without awaiting; we go one
step further and write the *same bytes*: a broadcast is rendered once per distinct *view*
(the set of channels a client follows), framed once (:class:`Message` caches the frame),
and handed to every client's :class:`Link` synchronously.

- A client whose socket has room gets the frame written at once: no task wake-up, no
  timeout, no copy (:meth:`Link.offer`).
- Only a client that falls behind (its transport paused its writes) gets a queue and a
  sender task. The queue **coalesces**: a message may carry a *key* (``"state"``,
  ``"presence"``, ``("switcher", channel)``) and a newer message with the same key
  replaces the queued one, so a slow client skips intermediate states but always
  receives the latest. Messages without a key (results, pongs, errors) are never
  dropped. While a client has a queue, every message goes through it, so order holds.
- A client whose queue overflows, or whose socket stays full past the send timeout, is
  *failed*: its link is aborted at once (the socket is dropped, not closed politely on a
  transport that will never drain), it leaves the hub and is counted in
  :attr:`HubStats.slow_closed`. Nobody else waits for it.

The hub knows nothing about websockets: a :class:`Link` is whatever moves a
:class:`Message` to a client (``control_room.transport.FrameLink`` in the server; a
:class:`SendLink` around any ``send(text)`` coroutine elsewhere, as in Starlette's test
client).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Final, Protocol, runtime_checkable

from control_room.wire import Role

__all__ = [
    "Client",
    "Hub",
    "HubStats",
    "Link",
    "Message",
    "Outgoing",
    "SendLink",
    "View",
    "tune_collector",
]

logger = logging.getLogger(__name__)

View = frozenset[str] | None
"""The channels a client follows; None means every channel."""

Send = Callable[[str], Awaitable[None]]

_ids = itertools.count(1)


def tune_collector() -> None:
    """Set Python's cyclic garbage collector for a server of many long-lived connections.

    Every connection leaves a few hundred tracked objects alive (its protocol, parser,
    request, client); with the default thresholds the collector's passes come every 700
    allocations and its full passes walk every one of them, which made admitting 6,000
    screens take 14 s instead of 9 (bench/fanout.py). What was loaded at start-up (modules,
    the schedule, the app) is frozen out of the collector's sight, and young collections
    come every 20,000 allocations (still far below the memory a connection holds): a young
    pass over 50,000 objects blocked the event loop 18 ms during a command flood, over
    20,000 it takes 4–7 ms (bench/journal.py); the full passes come every 100,000,000.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


class Message:
    """One outgoing text message, shared by every client it goes to.

    The encoded form (a websocket frame, in the server) is built by the first link that
    needs it and cached: a broadcast is framed once, whatever the number of clients.
    """

    __slots__ = ("_encoded", "text")

    def __init__(self, text: str) -> None:
        self.text: Final = text
        self._encoded: bytes | None = None

    def encoded(self, encode: Callable[[str], bytes]) -> bytes:
        """The message as ``encode`` makes it, built once (all links share one encoder)."""
        if self._encoded is None:
            self._encoded = encode(self.text)
        return self._encoded

    def __repr__(self) -> str:
        return f"<Message {self.text[:40]!r}>"


Outgoing = str | Message | Callable[[], str]
"""A message to queue: text, a shared :class:`Message`, or a function encoding it at send
time (pongs, whose timestamp is taken when they leave)."""


def _message(item: Outgoing) -> Message:
    if isinstance(item, Message):
        return item
    return Message(item if isinstance(item, str) else item())


@runtime_checkable
class Link(Protocol):
    """What moves messages to one client."""

    def offer(self, message: Message) -> bool:
        """Write ``message`` now if the connection has room; False if it must wait.

        A closed connection takes (and drops) everything: its reader ends the session.
        """

    async def deliver(self, message: Message) -> None:
        """Write ``message`` once there is room.

        Raises:
            Exception: the connection is gone.
        """

    def abort(self) -> None:
        """Drop the connection at once, whatever is still buffered."""

    def cork(self) -> None:
        """Hold the writes that follow, to send them together at :meth:`uncork`."""

    def uncork(self) -> None:
        """Send the writes held since :meth:`cork` as one."""


class SendLink:
    """A :class:`Link` around a ``send(text)`` coroutine: every message goes through the
    client's queue and sender task (no synchronous write is possible)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.aborted = asyncio.Event()

    def offer(self, message: Message) -> bool:
        return False

    async def deliver(self, message: Message) -> None:
        await self._send(message.text)

    def abort(self) -> None:
        self.aborted.set()

    def cork(self) -> None:
        pass

    def uncork(self) -> None:
        pass


@dataclass
class HubStats:
    """Counters, exposed on ``/-/health``.

    Attributes:
        clients: connected clients now.
        connected_total: clients ever connected.
        slow_closed: clients dropped because they could not keep up (a queue overflow, a
            socket full past the send timeout, no pong within the heartbeat).
        sent: messages handed to the network.
        written_at_once: of those, written without a queue (the socket had room).
        queued: clients that ever had to queue (fell behind for a moment, at least).
        coalesced: queued messages replaced by a newer one before being sent.
        renders: view renderings done by broadcasts (to check "encode once per view").
    """

    clients: int = 0
    connected_total: int = 0
    slow_closed: int = 0
    sent: int = 0
    written_at_once: int = 0
    queued: int = 0
    coalesced: int = 0
    renders: int = 0


class Client:
    """One connected client: its subscription, its link and, when behind, its queue.

    Args:
        link: what writes to the connection (a ``send(text)`` coroutine is wrapped in a
            :class:`SendLink`).
        queue_limit: how many messages may wait before the client is deemed too slow.
        send_timeout: seconds the connection may stay full before the client is deemed
            too slow.
        role: what the client says it is.
        channels: the channels it follows (None: all).
    """

    def __init__(
        self,
        link: Link | Send,
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
        self.compact = False
        """It asked for the state by reference (``state=ref``): live snapshots and deltas."""
        # the channels whose private notes it gets (None: all; set by views/session.py)
        self.notes: frozenset[str] | None = frozenset()
        self.name: str | None = None
        self.lang: str | None = None
        self.failure: str | None = None
        self.slow = False
        """True once the client was dropped as too slow."""
        self.link: Link = link if isinstance(link, Link) else SendLink(link)
        self._done: asyncio.Event | None = None  # made when first awaited (1.5 KB each)
        self._finished = False
        self.on_done: Callable[[], None] | None = None
        """Called once when the client is done (the session stops reading: no task waits)."""
        self._queue_limit = queue_limit
        self._send_timeout = send_timeout
        self._pending: OrderedDict[Hashable, Outgoing] = OrderedDict()
        self._sender: asyncio.Task[None] | None = None
        self._seq = itertools.count()
        self._hub: Hub | None = None

    def __repr__(self) -> str:
        return f"<Client {self.id} {self.role.value} {sorted(self.channels or ['*'])}>"

    @property
    def done(self) -> asyncio.Event:
        """Set when the client has failed (too slow) or its connection is gone (made on
        first use: a connection's session is told by :attr:`on_done`, nothing waits)."""
        if self._done is None:
            self._done = asyncio.Event()
            if self._finished:
                self._done.set()
        return self._done

    @property
    def view(self) -> View:
        return self.channels

    @property
    def pending(self) -> int:
        """Messages waiting to be sent."""
        return len(self._pending)

    @property
    def behind(self) -> bool:
        """True while the client has a queue (its connection had no room)."""
        return self._sender is not None

    def enqueue(self, item: Outgoing, *, key: Hashable | None = None) -> bool:
        """Send a message: written at once if the connection has room and nothing waits,
        queued otherwise (with a ``key``, replacing a queued message with the same key).

        Returns:
            False if the client has failed (now or before); the message is dropped.
        """
        if self.failure is not None:
            return False
        if self._sender is None and not isinstance(self.link, SendLink):
            message = _message(item)
            if self.link.offer(message):
                self._count(at_once=True)
                return True
            if isinstance(item, str):
                item = message  # a late item stays late: encoded again when it leaves
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
        if self._sender is None:
            if self._hub is not None:
                self._hub.stats.queued += 1
            self._sender = asyncio.get_running_loop().create_task(self._drain())
        return True

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Messages enqueued inside leave together (one write: no small-packet stall)."""
        self.link.cork()
        try:
            yield
        finally:
            self.link.uncork()

    def fail(self, reason: str) -> None:
        """Drop the client as too slow: its link is aborted now, it leaves the hub and is
        counted in :attr:`HubStats.slow_closed`."""
        if self.failure is not None:
            return
        self.failure = reason
        self.slow = True
        logger.warning("client %s dropped: %s", self, reason)
        self._stop()
        self.link.abort()
        if self._hub is not None:
            self._hub.remove(self, slow=True)

    def gone(self, reason: str = "connection closed") -> None:
        """The connection is gone (not the client's fault): stop sending to it."""
        if self.failure is None:
            self.failure = reason
            self._stop()

    def _stop(self) -> None:
        self._pending.clear()
        sender, self._sender = self._sender, None
        if sender is not None and sender is not asyncio.current_task():
            sender.cancel()
        self._finished = True
        if self._done is not None:
            self._done.set()
        hook, self.on_done = self.on_done, None
        if hook is not None:
            hook()

    def _count(self, *, at_once: bool) -> None:
        if self._hub is not None:
            self._hub.stats.sent += 1
            if at_once:
                self._hub.stats.written_at_once += 1

    async def _drain(self) -> None:
        """Send the queue, waiting for room; drop the client if the wait passes the send
        timeout. Ends (and the client writes at once again) when the queue is empty."""
        try:
            while self._pending and self.failure is None:
                _, item = self._pending.popitem(last=False)
                message = _message(item)
                if not self.link.offer(message):
                    try:
                        async with asyncio.timeout(self._send_timeout):
                            await self.link.deliver(message)
                    except TimeoutError:
                        self.fail(f"no room to send for {self._send_timeout:g} s")
                        return
                    except Exception as exc:  # the connection is gone (OSError, ...)
                        self.gone(str(exc) or type(exc).__name__)
                        return
                self._count(at_once=False)
        finally:
            if self._sender is asyncio.current_task():
                self._sender = None

    async def run(self) -> None:
        """Until the client is done (dropped, or its connection gone). Sending needs no
        task of the caller's any more: the hub writes, and starts a sender only for a
        client that falls behind."""
        await self.done.wait()

    async def wait_sent(self) -> None:
        """Until nothing waits in the queue (for tests and the greeting's error paths)."""
        while self._sender is not None and self.failure is None:
            await asyncio.sleep(0)


class Hub:
    """The set of connected clients, their presence counts and broadcasts.

    Args:
        channels: every channel id of the show (for presence counts).
        queue_limit: per-client queue bound.
        send_timeout: how long a client's connection may stay full, in seconds.
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
        self._channels = tuple(channels)
        self.queue_limit = queue_limit
        self.send_timeout = send_timeout
        self.stats = HubStats()
        self.on_presence = on_presence
        self._clients: dict[int, Client] = {}
        self._counts: dict[str, dict[str, int]] = {}
        self._reset_counts()

    def __len__(self) -> int:
        return len(self._clients)

    def __iter__(self) -> Iterator[Client]:
        return iter(list(self._clients.values()))

    def client(
        self, link: Link | Send, *, role: Role = Role.VIEWER, channels: View = None
    ) -> Client:
        """Create a client with the hub's limits (not yet registered)."""
        return Client(
            link,
            queue_limit=self.queue_limit,
            send_timeout=self.send_timeout,
            role=role,
            channels=channels,
        )

    def add(self, client: Client) -> None:
        client._hub = self
        self._clients[client.id] = client
        self._count_presence(client, 1)
        self.stats.clients = len(self._clients)
        self.stats.connected_total += 1
        self._presence_changed()

    def remove(self, client: Client, *, slow: bool = False) -> None:
        if self._clients.pop(client.id, None) is None:
            return
        self._count_presence(client, -1)
        self.stats.clients = len(self._clients)
        if slow:
            self.stats.slow_closed += 1
        self._presence_changed()

    def subscribe(self, client: Client, *, role: Role, channels: View) -> None:
        """Change what a client is and follows (after a ``hello``)."""
        registered = client.id in self._clients
        if registered:
            self._count_presence(client, -1)
        client.role = role
        client.channels = channels
        if registered:
            self._count_presence(client, 1)
            self._presence_changed()

    @property
    def channels(self) -> tuple[str, ...]:
        """Every channel id of the show (presence is counted over them)."""
        return self._channels

    @channels.setter
    def channels(self, channels: Iterable[str]) -> None:
        """The show's channels changed (a live edit): presence is counted over the new ones."""
        self._channels = tuple(channels)
        self._reset_counts()
        for client in self._clients.values():
            self._count_presence(client, 1)

    def _reset_counts(self) -> None:
        self._counts = {channel: {role.value: 0 for role in Role} for channel in self.channels}

    def _count_presence(self, client: Client, sign: int) -> None:
        """Presence is counted as clients come, go and change (never recounted over all of
        them: a connect costs the same with 10 or 10,000 clients)."""
        targets = self.channels if client.channels is None else client.channels
        role = client.role.value
        for channel in targets:
            counts = self._counts.get(channel)
            if counts is not None:
                counts[role] += sign

    def _presence_changed(self) -> None:
        if self.on_presence is not None:
            self.on_presence()

    def presence(self) -> dict[str, dict[str, int]]:
        """For each channel, how many clients of each role follow it (a copy of the counts
        kept as clients come and go)."""
        return {channel: dict(roles) for channel, roles in self._counts.items()}

    def broadcast(
        self,
        item: str | Message,
        *,
        key: Hashable | None = None,
        where: Callable[[Client], bool] | None = None,
    ) -> int:
        """Send the same message to every client (``where`` it holds), framed once.

        Returns:
            How many clients it was written or queued for.
        """
        message = _message(item)
        count = 0
        for client in list(self._clients.values()):
            if where is None or where(client):
                count += client.enqueue(message, key=key)
        return count

    def broadcast_view(
        self,
        render: Callable[[View], str | None],
        *,
        key: Hashable | None = None,
        where: Callable[[Client], bool] | None = None,
        catch_up: Callable[[View], str] | None = None,
    ) -> int:
        """Send a per-view message: ``render`` runs once per distinct view, and each
        view's message is framed once.

        ``render`` returns None when a view has nothing new; its clients get nothing.

        Args:
            catch_up: for a client that is behind (it has a queue), the message that
                replaces whatever waits under ``key`` (a whole snapshot where ``render``
                makes a patch: a patch may not replace the patch it follows), rendered once
                per view too.

        Returns:
            How many clients it was written or queued for.
        """
        cache: dict[View, Message | None] = {}
        behind: dict[View, Message] = {}
        count = 0
        for client in list(self._clients.values()):
            if where is not None and not where(client):
                continue
            view = client.channels
            message = cache.get(view, _MISSING)
            if message is _MISSING:
                text = render(view)
                self.stats.renders += 1
                message = cache[view] = None if text is None else Message(text)
            if message is None:
                continue
            if catch_up is not None and client.behind:
                if view not in behind:
                    behind[view] = Message(catch_up(view))
                message = behind[view]
            count += client.enqueue(message, key=key)
        return count


_MISSING: Final = Message("")
