"""One websocket connection: the door check, the greeting, the reader, the sender.

A connection is a :class:`~control_room.hub.Client` of the hub, whose link is the
connection's own protocol (control_room/transport.py): the hub writes pre-framed bytes to
it, and only a client that falls behind gets a bounded, coalescing queue and a sender (a
slow client gets the latest state, never a backlog; a stuck one is aborted). The reader
task reads client messages (:func:`~control_room.wire.parse_client_message`) and
answers each: a malformed one gets an ``error`` reply and the connection stays open.
Commands and acknowledgements go to the one command path
(:class:`~control_room.dispatch.Dispatcher`).

Who the connection is: the token of the browser's session cookie (the régie after
``/login``), of ``?token=`` (scripts), or of a ``hello`` (which replaces it). It is checked
again (:meth:`~control_room.auth.Auth.check`) for every command, switcher request and
acknowledgement, so a token revoked while connected is refused within about a second. The
desk (journal, presence, acknowledgements) goes to an operator's régie only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import assert_never

from starlette.websockets import WebSocket

from control_room.auth import COOKIE, Identity, origin_allowed
from control_room.dispatch import Caller
from control_room.hub import Client, Link, SendLink
from control_room.room import Room
from control_room.transport import LINK_KEY, WebSocketProtocol
from control_room.views.api import channels_param, note_scope
from control_room.wire import (
    Ack,
    ClientMessage,
    CommandRequest,
    ErrorMessage,
    Hello,
    Ping,
    PongMessage,
    ProtocolError,
    ResultMessage,
    Role,
    SwitcherRequest,
    VariablesRequest,
    encode,
    now_ms,
    parse_client_message,
)

__all__ = ["CLOSE_POLICY", "Credential", "greet", "origin_allowed", "ws_endpoint"]

logger = logging.getLogger(__name__)

CLOSE_POLICY = 1008  # websocket close code: policy violation (origin, too slow)
UNAUTHORIZED = {"code": "unauthorized"}


@dataclass(eq=False)
class Credential:
    """The token a connection carries (None: anonymous); checked again on every action."""

    token: str | None = None

    def identity(self, room: Room, client: Client) -> Identity | None:
        """Whose token it is now (None: none, unknown or revoked); the régie's desk follows."""
        found = room.auth.check(self.token)
        client.authenticated = found is not None and found.is_operator
        client.notes = note_scope(found)
        return found


def greet(room: Room, client: Client) -> None:
    """Send what a client gets on connect and on each hello: welcome, snapshot, desk
    (written together: one packet, no small-write stall between them)."""
    with client.batch():
        client.enqueue(room.show.welcome_text(client))
        snapshot = room.show.snapshot_text(client.view, notes=client.notes, compact=client.compact)
        client.enqueue(snapshot, key="state")
        room.desk.greet(client)
        room.variables.greet(client)


def _role(value: str | None) -> Role:
    try:
        return Role(value or "viewer")
    except ValueError:
        return Role.VIEWER


async def ws_endpoint(websocket: WebSocket) -> None:
    """Serve one websocket connection until either side closes it."""
    room: Room = websocket.app.state.room
    headers = websocket.headers
    if not origin_allowed(headers.get("origin"), headers.get("host"), room.allow_origins):
        logger.warning("websocket refused: origin %s", headers.get("origin"))
        await websocket.close(code=CLOSE_POLICY)
        return
    await websocket.accept()
    params = websocket.query_params
    # The server's own protocol writes pre-framed bytes (control_room/transport.py); any
    # other ASGI server (or the test client) gets the send coroutine behind a queue.
    link: Link | None = websocket.scope.get("extensions", {}).get(LINK_KEY)
    client = room.hub.client(
        link if link is not None else websocket.send_text,
        role=_role(params.get("role")),
        channels=channels_param(params.get("channels")),
    )
    client.compact = params.get("state") == "ref"
    if isinstance(link, WebSocketProtocol):
        link.on_drop = client.fail  # a missed heartbeat counts as too slow
    credential = Credential(params.get("token") or websocket.cookies.get(COOKIE) or None)
    credential.identity(room, client)
    room.hub.add(client)
    greet(room, client)
    mode = params.get("state")
    if mode not in (None, "", "full", "ref"):
        error = f"?state={mode!r}: expected 'full' or 'ref'; whole state messages are sent"
        client.enqueue(encode(ErrorMessage(error=error)))
    slow = await _run(room, websocket, client, credential)
    if slow and isinstance(client.link, SendLink):  # a real link was aborted already
        with contextlib.suppress(Exception):
            async with asyncio.timeout(1.0):
                await websocket.close(code=CLOSE_POLICY, reason="too slow")


async def _run(room: Room, websocket: WebSocket, client: Client, credential: Credential) -> bool:
    """Read until the connection ends or the client is dropped; True if it was too slow.

    Nothing here sends: the hub writes to the client's link (and queues only when the
    connection has no room); a client dropped as too slow has its link aborted by the hub
    and its reading stopped by :attr:`~control_room.hub.Client.on_done` (the connection's
    one task reads: no task per connection waits for the drop).
    """
    reader = asyncio.current_task()
    stopped = False

    def stop() -> None:
        nonlocal stopped
        stopped = True
        if reader is not None:
            reader.cancel()

    client.on_done = stop
    try:
        await _receive(room, websocket, client, credential)
    except asyncio.CancelledError:
        if not stopped:
            raise
        if reader is not None:
            reader.uncancel()
    except Exception as exc:
        logger.error("websocket client %s failed: %r", client, exc)
    finally:
        client.on_done = None
        client.gone()
        room.hub.remove(client)
    return client.slow


async def _receive(
    room: Room, websocket: WebSocket, client: Client, credential: Credential
) -> None:
    while True:
        message = await websocket.receive()
        received = now_ms()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            text = message.get("bytes") or b""
        try:
            parsed = parse_client_message(text)
        except ProtocolError as exc:
            client.enqueue(encode(ErrorMessage(error=exc.error, id=exc.ref)))
            continue
        try:
            await handle(room, client, parsed, received, credential)
        except Exception as exc:  # a bug or a failing disk must not cut the link
            logger.exception("handling %s from %s failed", parsed.type, client)
            ref = getattr(parsed, "id", None)
            client.enqueue(
                encode(ErrorMessage(error=f"internal error: {type(exc).__name__}", id=ref))
            )


async def handle(
    room: Room,
    client: Client,
    message: ClientMessage,
    received: float,
    credential: Credential | None = None,
) -> None:
    """Answer one client message (every type handled; the match is exhaustive).

    Args:
        credential: the connection's token (None: an anonymous one).
    """
    credential = credential if credential is not None else Credential()
    match message:
        case Ping(id=ping_id, t0=t0):
            client.enqueue(lambda: encode(PongMessage.at(ping_id, t0, received)))
        case Hello():
            _hello(room, client, message, credential)
        case CommandRequest(id=ref):
            identity = credential.identity(room, client)
            who = client.name or ("regie" if identity is not None and identity.is_operator else "")
            result = await room.dispatcher.submit(
                message.command, Caller(who=who, identity=identity)
            )
            reply = ResultMessage(
                id=ref, ok=result.ok, error=result.error, seq=result.seq, detail=result.detail
            )
            client.enqueue(encode(reply))
        case Ack(channel=channel, message_id=message_id, name=name):
            caller = Caller(who=client.name or "", identity=credential.identity(room, client))
            result = await room.dispatcher.acknowledge(
                channel, message_id, name or client.name or "moderator", caller, link=credential
            )
            if not result.ok:  # refused: nothing written
                detail = UNAUTHORIZED if caller.identity is None else None
                client.enqueue(encode(ErrorMessage(error=result.error or "refused", detail=detail)))
        case SwitcherRequest(id=ref, channel=channel, action=action):
            identity = credential.identity(room, client)
            if identity is None or not identity.is_operator:
                error = "unauthorized: operator token required"
                client.enqueue(encode(ResultMessage(id=ref, ok=False, error=error)))
                return
            try:
                await room.desk.switcher_action(channel, action.value)
            except Exception as exc:  # a switcher's failure is reported, never fatal
                client.enqueue(encode(ResultMessage(id=ref, ok=False, error=str(exc))))
            else:
                client.enqueue(encode(ResultMessage(id=ref, ok=True)))
        case VariablesRequest():
            room.variables.subscribe(client)
        case _:
            assert_never(message)


def _subscription(client: Client) -> tuple[object, ...]:
    """What a greeting depends on: a hello that leaves it as it was is not greeted again."""
    return (client.role, client.channels, client.authenticated, client.notes, client.compact)


def _hello(room: Room, client: Client, message: Hello, credential: Credential) -> None:
    """Take a hello; greet again (welcome, snapshot, desk) only if it changed who the client
    is or what it follows: the hello that confirms the URL's subscription costs nothing, so
    a (re)connect brings one welcome and one snapshot."""
    before = _subscription(client)
    channels = None if message.channels is None else frozenset(message.channels)
    unknown = sorted((channels or set()) - set(room.show.channel_ids))
    if unknown:
        client.enqueue(encode(ErrorMessage(error=f"unknown channels: {', '.join(unknown)}")))
    if message.token is not None:
        credential.token = message.token
        if credential.identity(room, client) is None:
            error = "invalid operator token"
            client.enqueue(encode(ErrorMessage(error=error, detail=UNAUTHORIZED)))
    elif message.role is Role.REGIE and not _operator(credential.identity(room, client)):
        error = "the régie needs the operator token; read-only until given"
        client.enqueue(encode(ErrorMessage(error=error, detail=UNAUTHORIZED)))
    client.name = message.name
    client.lang = message.lang
    if message.state is not None:
        client.compact = message.state == "ref"
    room.hub.subscribe(client, role=message.role, channels=channels)
    if _subscription(client) != before:
        greet(room, client)


def _operator(identity: Identity | None) -> bool:
    return identity is not None and identity.is_operator
