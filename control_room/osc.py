"""OSC: lighting desks, QLab, Companion and Ontime give operator commands over UDP.

An OSC message ``/control-room/{channel}/{command} [args]`` is translated into the
command dict of :mod:`control_room.core.commands` and handed to the one command path,
:meth:`~control_room.dispatch.Dispatcher.submit`, with the sender's address as ``who``
(``osc:127.0.0.1:53211``). The adapter only translates: it checks the shape of a message
(address, arity, OSC types), never a rule of the show. Every message is answered, to its
sender, by ``/control-room/reply status seq text address`` (see docs/osc.md), so a desk
sees refusals; a datagram that is not OSC is logged and dropped.

Who may act: OSC has no authentication of its own. A server bound to loopback trusts its
senders as the operator (they are on this machine); bound to any other address, each
message must carry a token (the operator's, or a scoped one of ``control-room token``) as
its first argument, checked by :class:`~control_room.auth.Auth`; what it may do is the
dispatcher's to decide (an error reply otherwise).

Optionally, feedback: on every change of the show, ``/control-room/{channel}/now``,
``/next``, ``/held``, ``/slate``, ``/status`` and ``/remaining`` go to the given targets,
and ``/remaining`` again once a second while a channel is on air.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import math
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, cast

from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket, ParseError

from control_room.auth import OPERATOR, Auth
from control_room.core.timeline import ShowState
from control_room.dispatch import Caller, Dispatcher, Result
from control_room.room import Room

__all__ = [
    "PREFIX",
    "REPLY",
    "OscInvalid",
    "Target",
    "bind",
    "build_message",
    "feedback_messages",
    "is_loopback",
    "osc_integration",
    "parse_target",
    "translate",
]

logger = logging.getLogger(__name__)

PREFIX = "/control-room"
"""The root of every address this server reads and sends."""

REPLY = f"{PREFIX}/reply"
"""The address of every answer: ``status seq text address``."""

PING = f"{PREFIX}/ping"
"""Answered ``ok`` with no effect: a desk's connection test."""

QUEUE_LIMIT = 256
"""Messages waiting for the command path beyond this are dropped (a flood, logged)."""

_PATTERN_CHARS = frozenset("*?[]{}")

Target = tuple[str, int]
"""A feedback destination: host and UDP port."""

_Kind = Literal["minutes", "text", "int"]
# Each command's arguments, in order: (field, kind). ``take``'s segment is optional.
_ARGUMENTS: dict[str, tuple[tuple[str, _Kind], ...]] = {
    "take": (("segment", "text"),),
    "back": (),
    "hold": (),
    "release": (),
    "hold_toggle": (),
    "extend": (("minutes", "minutes"),),
    "shorten": (("minutes", "minutes"),),
    "delay": (("minutes", "minutes"),),
    "slate": (("text", "text"),),
    "slate_clear": (),
    "slate_toggle": (("text", "text"),),
    "site_override": (("site", "text"),),
    "site_clear": (),
    "message": (("audience", "text"), ("text", "text")),
    "message_clear": (("audience", "text"),),
    "lower_third": (("action", "text"),),
    "flash": (("seconds", "int"),),
    "blackout": (),
    "undo": (("seq", "int"),),
    "reset": (),
}
_OPTIONAL = {"take": 1, "flash": 1}  # commands whose last arguments may be left out: how many
_CHANNELLESS = {"undo"}  # commands of the whole show: any channel part reads as "all"
CONFIRM = "confirm"
"""``/control-room/{channel}/take/confirm``: the take, confirmed (an early take, or one
that cuts a segment short, is refused without it, with the reason in the reply)."""


class OscInvalid(ValueError):
    """An OSC message that is not a command; the message is the reply's text."""


# -- translation (pure) ----------------------------------------------------------


def translate(address: str, args: Sequence[Any]) -> dict[str, Any]:
    """The command dict an OSC message stands for, unchecked against the show.

    Args:
        address: the OSC address, ``/control-room/{channel}/{command}`` (or
            ``/control-room/reset``, and ``/control-room/all/reset``: every channel).
        args: the message's arguments, as python-osc decodes them (the token removed).

    Raises:
        OscInvalid: the address is outside the scheme, or the arguments do not fit the
            command (count or OSC type).
    """
    if not address.startswith(PREFIX + "/"):
        raise OscInvalid(f"not a control-room address (expected {PREFIX}/CHANNEL/COMMAND)")
    if _PATTERN_CHARS & set(address):
        raise OscInvalid("address patterns (* ? [ ] { }) are not supported: name one channel")
    parts = address[len(PREFIX) + 1 :].split("/")
    if parts in (["reset"], ["undo"]):
        parts = ["all", parts[0]]
    confirmed = len(parts) == 3 and parts[1] == "take" and parts[2] == CONFIRM
    if confirmed:
        parts = parts[:2]
    if len(parts) != 2 or not all(parts):
        raise OscInvalid(f"expected {PREFIX}/CHANNEL/COMMAND, got {address}")
    channel, name = parts
    spec = _ARGUMENTS.get(name)
    if spec is None:
        raise OscInvalid(f"unknown command {name!r} (expected one of: {', '.join(_ARGUMENTS)})")
    least = len(spec) - _OPTIONAL.get(name, 0)
    if not least <= len(args) <= len(spec):
        raise OscInvalid(f"{name}: {_arity(name, spec, least)}, got {len(args)}")
    command: dict[str, Any] = {"type": name}
    if name not in _CHANNELLESS:
        command["channel"] = None if name == "reset" and channel == "all" else channel
    for (field, kind), value in zip(spec, args, strict=False):
        command[field] = _argument(name, field, kind, value)
    if confirmed:
        command["confirm"] = True
    return command


def _arity(name: str, spec: tuple[tuple[str, _Kind], ...], least: int) -> str:
    if not spec:
        return "takes no argument"
    names = " ".join(field if i < least else f"[{field}]" for i, (field, _) in enumerate(spec))
    return f"takes {names}"


def _argument(name: str, field: str, kind: _Kind, value: Any) -> Any:
    """One argument, strictly typed: minutes are an OSC int (or a float of integral value),
    texts are OSC strings."""
    if kind == "text":
        if isinstance(value, str):
            return value
    elif isinstance(value, int) and not isinstance(value, bool):
        return value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    expected = {
        "text": "a string",
        "minutes": "a whole number of minutes (OSC int)",
        "int": "a whole number (OSC int)",
    }[kind]
    raise OscInvalid(f"{name}: {field} must be {expected}, got {_osc_type(value)} {value!r}")


def _osc_type(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "OSC true/false/nil"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes):
        return "blob"
    return type(value).__name__


def build_message(address: str, args: Sequence[int | float | str]) -> bytes:
    """One OSC message's datagram (ints as int32, floats as float32, strings)."""
    builder = OscMessageBuilder(address)
    for arg in args:
        builder.add_arg(arg)
    return builder.build().dgram


def _reply(address: str, result: Result | OscInvalid | None) -> bytes:
    """``/control-room/reply status seq text address``: ``ok seq applied`` or
    ``error 0 why``."""
    if isinstance(result, OscInvalid):
        args: list[int | float | str] = ["error", 0, str(result)]
    elif result is None:
        args = ["ok", 0, "pong"]
    elif result.ok:
        args = ["ok", result.seq or 0, "applied"]
    else:
        args = ["error", 0, result.error or result.outcome.value]
    return build_message(REPLY, [*args, address])


# -- the server -------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``): only this machine
    can send to it."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """The OSC server's UDP socket, bound now so that a port in use refuses to serve.

    Raises:
        OSError: the address cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def _label(addr: Any) -> str:
    host, port = addr[0], addr[1]
    return f"osc:[{host}]:{port}" if ":" in host else f"osc:{host}:{port}"


class _Server(asyncio.DatagramProtocol):
    """Datagrams in, replies out; one worker hands the commands to the dispatcher in the
    order they came, so replies keep that order too.

    Args:
        dispatcher: the one command path.
        auth: the operator token check (a first argument that is the token is removed).
        trusted: senders are authenticated without the token (a loopback bind).
    """

    def __init__(self, dispatcher: Dispatcher, auth: Auth, *, trusted: bool) -> None:
        self.dispatcher = dispatcher
        self.auth = auth
        self.trusted = trusted
        self.queue: asyncio.Queue[tuple[str, list[Any], Any]] = asyncio.Queue(QUEUE_LIMIT)
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A datagram transport (not always a subclass of asyncio.DatagramTransport).
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        try:
            messages = [timed.message for timed in OscPacket(data).messages]
        except (ParseError, ValueError, IndexError) as exc:  # garbage: no reply
            logger.warning("osc: ignored a datagram from %s that is not OSC: %s", addr, exc)
            return
        for message in messages:
            try:
                self.queue.put_nowait((message.address, list(message.params), addr))
            except asyncio.QueueFull:
                logger.warning("osc: %s dropped, %d messages waiting", message.address, QUEUE_LIMIT)

    def error_received(self, exc: Exception) -> None:  # an ICMP "port unreachable", say
        logger.debug("osc: %s", exc)

    async def serve(self) -> None:
        """Answer queued messages, one at a time, until cancelled."""
        while True:
            address, params, addr = await self.queue.get()
            reply = await self.answer(address, params, _label(addr))
            if self.transport is not None and not self.transport.is_closing():
                self.transport.sendto(reply, addr)

    async def answer(self, address: str, params: list[Any], who: str) -> bytes:
        """The reply to one message: translated, submitted, answered; never raises."""
        identity = OPERATOR if self.trusted else None
        found = self.auth.check(params[0]) if params and isinstance(params[0], str) else None
        if found is not None:
            params, identity = params[1:], found
        if address == PING:
            return _reply(address, None)
        try:
            command = translate(address, params)
        except OscInvalid as exc:
            logger.info("osc: %s from %s refused: %s", address, who, exc)
            return _reply(address, exc)
        result = await self.dispatcher.submit(command, Caller(who=who, identity=identity))
        if not result.ok:
            logger.info("osc: %s from %s refused: %s", address, who, result.error)
        return _reply(address, result)


# -- feedback ---------------------------------------------------------------------


def parse_target(text: str) -> Target:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6) as a feedback target.

    Raises:
        ValueError: not ``HOST:PORT`` with a port from 1 to 65535.
    """
    host, sep, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


def feedback_messages(state: ShowState, *, remaining_only: bool = False) -> list[bytes]:
    """The feedback datagrams of every channel, for the state at ``state.at``.

    Args:
        state: the show now (its ``at`` is the show instant ``remaining`` counts from).
        remaining_only: only ``/remaining`` of the channels on air (the periodic send).
    """
    out = []
    for ch in state.channels:
        base = f"{PREFIX}/{ch.channel.id}"
        if ch.now is not None:
            left = math.ceil((ch.now.ends_at - state.at).total_seconds())
            out.append(build_message(f"{base}/remaining", [left]))
        elif not remaining_only:
            out.append(build_message(f"{base}/remaining", [0]))
        if remaining_only:
            continue
        out.append(build_message(f"{base}/now", [ch.now.segment.title if ch.now else ""]))
        out.append(build_message(f"{base}/next", [ch.next.segment.title if ch.next else ""]))
        out.append(build_message(f"{base}/held", [int(ch.held)]))
        out.append(build_message(f"{base}/slate", [ch.slate.text if ch.slate else ""]))
        out.append(build_message(f"{base}/status", [ch.status]))
    return out


class _Quiet(asyncio.DatagramProtocol):
    def error_received(self, exc: Exception) -> None:  # nobody listens there (yet)
        logger.debug("osc feedback: %s", exc)


@contextlib.asynccontextmanager
async def _feedback(room: Room, targets: Sequence[Target]) -> AsyncIterator[None]:
    """Send the feedback to ``targets``: on every published change, and ``/remaining``
    once a second."""
    loop = asyncio.get_running_loop()
    transports: list[asyncio.DatagramTransport] = []
    for target in targets:
        try:
            transport, _ = await loop.create_datagram_endpoint(_Quiet, remote_addr=target)
        except OSError as exc:
            logger.error("osc feedback: cannot send to %s:%d: %s", *target, exc)
            continue
        transports.append(transport)

    def send(state: ShowState, *, remaining_only: bool = False) -> None:
        for datagram in feedback_messages(state, remaining_only=remaining_only):
            for transport in transports:
                transport.sendto(datagram)

    async def on_change(state: ShowState) -> None:
        send(_at_now(room, state))

    async def every_second() -> None:
        while True:
            await asyncio.sleep(1.0)
            send(_at_now(room, room.show.state), remaining_only=True)

    room.show.add_listener(on_change)
    send(_at_now(room, room.show.state))
    ticker = asyncio.create_task(every_second())
    try:
        yield
    finally:
        ticker.cancel()
        room.show.remove_listener(on_change)
        for transport in transports:
            transport.close()


def _at_now(room: Room, state: ShowState) -> ShowState:
    """The state with ``at`` the show time now (``remaining`` counts from it)."""
    return ShowState(at=room.show.now(), channels=state.channels)


# -- the integration --------------------------------------------------------------


def osc_integration(
    sock: socket.socket, *, feedback: Sequence[Target] = ()
) -> Callable[[Room], AbstractAsyncContextManager[None]]:
    """The OSC adapter as an integration of the app (started with the show).

    Args:
        sock: the bound UDP socket (:func:`bind`); its address decides the trust rule.
        feedback: where to send the show's variables (none: no feedback).
    """
    host, port = sock.getsockname()[:2]
    trusted = is_loopback(host)

    @contextlib.asynccontextmanager
    async def run(room: Room) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        server = _Server(room.dispatcher, room.auth, trusted=trusted)
        transport, _ = await loop.create_datagram_endpoint(lambda: server, sock=sock)
        worker = asyncio.create_task(server.serve())
        rule = "loopback: senders trusted" if trusted else "the token is the first argument"
        logger.info("osc: listening on udp %s:%d (%s)", host, port, rule)
        try:
            async with contextlib.AsyncExitStack() as stack:
                if feedback:
                    await stack.enter_async_context(_feedback(room, feedback))
                yield
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            transport.close()

    return run
