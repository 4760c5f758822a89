"""The server's connections: admission, time limits, TCP_NODELAY, frames written once.

uvicorn accepts protocol classes (``uvicorn.Config(http=..., ws=...)``); these subclass its
h11 and websockets-sansio protocols:

- **Admission** (:class:`Gate`): a cap on open connections, computed from
  ``RLIMIT_NOFILE`` minus a reserve of file descriptors (so that ``accept()`` never
  fails for want of one, and the journal, the OBS links and the operator's request
  always find one), and a cap per client address. When the cap is reached, the oldest
  *silent* connection (one waiting for a request head: fresh, or idle between two
  requests) is closed to make room; if none is silent, a loopback connection may still
  use half the reserve (the operator's machine, or a reverse proxy on it); anything else
  is refused. Websocket connections are never evicted: they are screens.
- **Time limits**: a request head must arrive complete within ``header_timeout`` of the
  connection (or of the previous response); an idle keep-alive connection is closed
  after uvicorn's ``timeout_keep_alive``.
- **TCP_NODELAY** on every accepted socket. asyncio sets it only on sockets whose
  ``proto`` is ``IPPROTO_TCP``, which an accepted socket of a listener made with
  ``socket(AF_INET, SOCK_STREAM)`` is not (its proto is 0): without it a kept-alive
  request paid Nagle + delayed ACK, 40 ms.
- **Frames written once** (:class:`WebSocketProtocol` is a
  :class:`~control_room.hub.Link`): a server frame is unmasked, so the bytes of a
  broadcast frame are the same for every connection; they are built once
  (:func:`text_frame`, cached by :class:`~control_room.hub.Message`) and written
  straight to every transport that is not paused. A paused one makes the hub queue.
  A stuck connection is *aborted*, never closed politely on a buffer that will not drain;
  one that misses the heartbeat's pong is reported to the hub (``slow_closed``).

The ASGI app finds the link in the websocket scope: ``scope["extensions"][LINK_KEY]``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import socket
import struct
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from control_room.hub import Message
from control_room.inbox import Flag, Inbox

__all__ = [
    "LINK_KEY",
    "Gate",
    "GateStats",
    "HttpProtocol",
    "Limits",
    "Server",
    "WebSocketProtocol",
    "connection_cap",
    "protocols",
    "text_frame",
]

logger = logging.getLogger(__name__)

LINK_KEY = "control_room.link"
"""Where a websocket scope's ``extensions`` holds its :class:`WebSocketProtocol`."""

ACCEPT_BATCH = 32
"""How many connections asyncio accepts per wake-up (its ``backlog`` argument): between
two admission checks at most this many file descriptors are taken, well inside the
reserve."""
LISTEN_BACKLOG = 2048
"""The kernel's queue of connections waiting for accept (a flood does not drop a SYN)."""

_LOOPBACK = ("127.", "::1", "::ffff:127.")


def text_frame(text: str) -> bytes:
    """An unmasked, unfragmented websocket text frame (RFC 6455 §5.2), as a server sends."""
    data = text.encode()
    size = len(data)
    if size < 126:
        head = struct.pack("!BB", 0x81, size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x81, 126, size)
    else:
        head = struct.pack("!BBQ", 0x81, 127, size)
    return head + data


def is_loopback(host: str | None) -> bool:
    return host is not None and host.startswith(_LOOPBACK)


def connection_cap(reserve: int, *, limit: int | None = None) -> int:
    """How many connections fit: ``RLIMIT_NOFILE`` minus the descriptors open now minus
    the reserve (at least 16)."""
    if limit is None:
        limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    try:
        in_use = len(os.listdir("/proc/self/fd"))
    except OSError:
        in_use = 32
    return max(16, limit - in_use - reserve)


@dataclass(frozen=True)
class Limits:
    """The connection limits (``serve`` options).

    Attributes:
        max_connections: open connections at most (None: from ``RLIMIT_NOFILE``).
        max_per_client: open connections per client address (loopback exempt); 0: no cap.
        fd_reserve: file descriptors kept free beyond the cap.
        header_timeout: seconds for a complete request head.
        keep_alive_timeout: seconds an idle kept-alive connection stays open.
    """

    max_connections: int | None = None
    max_per_client: int = 256
    fd_reserve: int = 128
    header_timeout: float = 10.0
    keep_alive_timeout: int = 5


class _Guarded(Protocol):
    transport: asyncio.Transport
    client: tuple[str, int] | None


@dataclass
class GateStats:
    open: int = 0
    refused: int = 0
    evicted: int = 0
    header_timeouts: int = 0
    cap: int = 0


@dataclass
class Gate:
    """Who may hold a connection (see the module docstring).

    Args:
        cap: open connections at most (loopback may pass it by half the reserve).
        per_client: connections per non-loopback address at most (0: no cap).
        loopback_extra: how far past the cap a loopback connection may go.
    """

    cap: int
    per_client: int = 256
    loopback_extra: int = 64
    stats: GateStats = field(default_factory=GateStats)
    _open: dict[int, str] = field(default_factory=dict)
    _silent: OrderedDict[int, _Guarded] = field(default_factory=OrderedDict)
    _per_host: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.stats.cap = self.cap

    def admit(self, conn: _Guarded) -> bool:
        """A new connection: True if it may stay (it starts silent), False to drop it."""
        host = conn.client[0] if conn.client else ""
        loopback = is_loopback(host)
        if not loopback and self.per_client and self._per_host.get(host, 0) >= self.per_client:
            self.stats.refused += 1
            return False
        if len(self._open) >= self.cap:
            if self._silent:
                _, oldest = self._silent.popitem(last=False)
                self.stats.evicted += 1
                self.leave(oldest)
                _drop(oldest.transport)
            elif not (loopback and len(self._open) < self.cap + self.loopback_extra):
                self.stats.refused += 1
                return False
        self._open[id(conn)] = host
        self._per_host[host] = self._per_host.get(host, 0) + 1
        self._silent[id(conn)] = conn
        self.stats.open = len(self._open)
        return True

    def enter(self, conn: _Guarded) -> None:
        """An already admitted connection under a new protocol (a websocket upgrade)."""
        host = conn.client[0] if conn.client else ""
        self._open[id(conn)] = host
        self._per_host[host] = self._per_host.get(host, 0) + 1
        self.stats.open = len(self._open)

    def silent(self, conn: _Guarded) -> None:
        """The connection waits for a request head: the first to go when room is needed."""
        if id(conn) in self._open:
            self._silent[id(conn)] = conn
            self._silent.move_to_end(id(conn))

    def busy(self, conn: _Guarded) -> None:
        self._silent.pop(id(conn), None)

    def leave(self, conn: _Guarded) -> None:
        self._silent.pop(id(conn), None)
        host = self._open.pop(id(conn), None)
        if host is not None:
            left = self._per_host[host] - 1
            if left:
                self._per_host[host] = left
            else:
                del self._per_host[host]
        self.stats.open = len(self._open)


def _drop(transport: asyncio.BaseTransport) -> None:
    """Close now: politely if nothing is buffered, else abort (a close would wait on it)."""
    if isinstance(transport, asyncio.WriteTransport) and transport.get_write_buffer_size():
        transport.abort()
    else:
        transport.close()


def _nodelay(transport: asyncio.BaseTransport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # pragma: no cover - a socket already gone
            pass


class HttpProtocol(H11Protocol):
    """uvicorn's h11 protocol, admitted by a :class:`Gate`, with a request-head deadline
    and TCP_NODELAY."""

    gate: ClassVar[Gate]
    header_timeout: ClassVar[float]
    _header_timer: asyncio.TimerHandle | None = None
    _admitted = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        _nodelay(transport)
        super().connection_made(transport)
        if not self.gate.admit(self):
            transport.abort()
            return
        self._admitted = True
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self.gate.leave(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._admitted:
            return
        super().data_received(data)
        self._check_head()

    def on_response_complete(self) -> None:
        if not self.transport.is_closing():
            self.gate.silent(self)
            self._arm()
        super().on_response_complete()
        self._check_head()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._disarm()
        self.gate.leave(self)
        super().handle_websocket_upgrade(event)

    def _check_head(self) -> None:
        if self.conn.their_state is not h11.IDLE and self._header_timer is not None:
            self._disarm()
            self.gate.busy(self)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _head_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.gate.stats.header_timeouts += 1
            self.gate.leave(self)
            _drop(self.transport)


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol, and the hub's :class:`~control_room.hub.Link`
    for its connection: pre-framed bytes written without awaiting."""

    gate: ClassVar[Gate]
    on_drop: Callable[[str], None] | None = None
    """Called when the connection is dropped for missing the heartbeat (the hub counts it)."""
    _corked: list[bytes] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The same behaviour as uvicorn's asyncio.Queue and Event, without their five
        # empty deques: 3.5 KB less per idle screen (control_room/inbox.py).
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Flag(True)  # type: ignore[assignment]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.gate.enter(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.gate.leave(self)
        super().connection_lost(exc)

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope: Any = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"][LINK_KEY] = self

    def keepalive_timeout(self) -> None:
        super().keepalive_timeout()
        if self.transport.get_write_buffer_size():
            self.transport.abort()
        if self.on_drop is not None:
            self.on_drop("no pong within the heartbeat")

    # -- the hub's Link ---------------------------------------------------------

    def _open(self) -> bool:
        return self.handshake_complete and not (
            self.close_sent or self.disconnected or self.transport.is_closing()
        )

    def offer(self, message: Message) -> bool:
        if not self._open():
            return True  # gone: dropped; the reader ends the session
        if not self.writable.is_set():
            return False
        frame = message.encoded(text_frame)
        if self._corked is not None:
            self._corked.append(frame)
        else:
            self.transport.write(frame)
        return True

    async def deliver(self, message: Message) -> None:
        while not self.offer(message):
            await self.writable.wait()

    def abort(self) -> None:
        self.close_sent = True
        self.transport.abort()

    def cork(self) -> None:
        if self._corked is None:
            self._corked = []

    def uncork(self) -> None:
        frames, self._corked = self._corked, None
        if frames and self._open():
            self.transport.write(b"".join(frames))


def protocols(
    gate: Gate, *, header_timeout: float
) -> tuple[type[HttpProtocol], type[WebSocketProtocol]]:
    """The protocol classes bound to ``gate`` (uvicorn instantiates them per connection)."""
    http = type("HttpProtocol", (HttpProtocol,), {"gate": gate, "header_timeout": header_timeout})
    ws = type("WebSocketProtocol", (WebSocketProtocol,), {"gate": gate})
    return http, ws


class Server(uvicorn.Server):
    """uvicorn's server with a deep kernel listen queue and a small accept batch."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        for sock in sockets or ():
            sock.listen(LISTEN_BACKLOG)  # asyncio set it to its accept batch


def config(
    app: Any,
    *,
    limits: Limits,
    heartbeat: float | None,
    **options: Any,
) -> tuple[uvicorn.Config, Gate]:
    """The uvicorn configuration of ``serve``, and its gate (for ``/-/health``, tests)."""
    cap = limits.max_connections or connection_cap(limits.fd_reserve)
    gate = Gate(cap=cap, per_client=limits.max_per_client, loopback_extra=limits.fd_reserve // 2)
    http, ws = protocols(gate, header_timeout=limits.header_timeout)
    logger.info(
        "at most %d connections (%d file descriptors kept in reserve)", cap, limits.fd_reserve
    )
    conf = uvicorn.Config(
        app,
        http=http,
        ws=ws,
        ws_per_message_deflate=False,  # frames are shared by every connection: no deflate
        ws_ping_interval=heartbeat,
        ws_ping_timeout=heartbeat,
        timeout_keep_alive=max(1, limits.keep_alive_timeout),
        backlog=ACCEPT_BATCH,
        **options,
    )
    return conf, gate
