"""The wire envelope: every websocket message, in one module.

Client-to-server messages are a pydantic discriminated union on ``type``
(:data:`ClientMessage`), read by :func:`parse_client_message`, which turns any
malformed or unknown input into a :class:`ProtocolError` with a message a
person can act on. Server-to-client messages are built by the ``*_message``
functions below and encoded once with :func:`encode`. docs/protocol.md
describes every message; keep the two in step.

Every server message carries ``server_time``: the server's wall clock, in
milliseconds since the Unix epoch, when the message was produced.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

__all__ = [
    "Ack",
    "ClientMessage",
    "CommandRequest",
    "Hello",
    "MAX_MESSAGE_BYTES",
    "Ping",
    "ProtocolError",
    "Role",
    "SwitcherAction",
    "SwitcherRequest",
    "acks_message",
    "encode",
    "error_message",
    "journal_message",
    "now_ms",
    "parse_client_message",
    "pong_message",
    "presence_message",
    "result_message",
    "state_message",
    "switcher_message",
    "welcome_message",
]

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024
"""Client messages larger than this are refused (a command is a few hundred bytes)."""


class Role(StrEnum):
    """What a websocket client is. Only ``regie`` may act, and only with the token."""

    REGIE = "regie"
    OVERLAY = "overlay"
    TIMER = "timer"
    VIEWER = "viewer"


_Id = int | Annotated[str, Field(max_length=64)]
_ChannelId = Annotated[str, Field(min_length=1, max_length=64)]


class _Message(BaseModel):
    # Unknown fields are ignored, so a newer page can talk to an older server.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Hello(_Message):
    """Who the client is and what it follows. Answered by a snapshot."""

    type: Literal["hello"]
    role: Role = Role.VIEWER
    channels: list[_ChannelId] | None = Field(default=None, max_length=64)
    token: Annotated[str, Field(max_length=256)] | None = None
    lang: Annotated[str, Field(max_length=16)] | None = None
    name: Annotated[str, Field(max_length=80)] | None = None


class Ping(_Message):
    """A clock-offset probe: ``t0`` is the client's clock (epoch ms) when sent."""

    type: Literal["ping"]
    id: _Id
    t0: float


class CommandRequest(_Message):
    """An operator command (see the engine's command model). Needs the token."""

    type: Literal["command"]
    id: _Id | None = None
    command: dict[str, Any]


class Ack(_Message):
    """A moderator acknowledges the régie's message ``message_id`` on ``channel``."""

    type: Literal["ack"]
    channel: _ChannelId
    message_id: int
    name: Annotated[str, Field(max_length=80)] | None = None


class SwitcherAction(StrEnum):
    RESEND = "resend"  # set the scene of the current state again
    MANUAL = "manual"  # leave the switcher alone (incident)
    AUTO = "auto"  # follow the show again


class SwitcherRequest(_Message):
    """A régie request to a channel's video switcher. Needs the token."""

    type: Literal["switcher"]
    id: _Id | None = None
    channel: _ChannelId
    action: SwitcherAction


ClientMessage = Annotated[
    Hello | Ping | CommandRequest | Ack | SwitcherRequest, Field(discriminator="type")
]

_ADAPTER: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
_TYPES = ("hello", "ping", "command", "ack", "switcher")


class ProtocolError(ValueError):
    """A client message that cannot be read.

    Attributes:
        error: a short, human message.
        ref: the message's ``id`` when one could be read, so the client can match it.
    """

    def __init__(self, error: str, *, ref: Any = None) -> None:
        super().__init__(error)
        self.error = error
        self.ref = ref


def parse_client_message(text: str | bytes) -> ClientMessage:
    """Read one client message.

    Raises:
        ProtocolError: for anything but a well-formed message of a known type.
    """
    if len(text) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message too large ({len(text)} bytes, at most {MAX_MESSAGE_BYTES})")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ProtocolError("a message must be a JSON object with a 'type'")
    ref = data.get("id") if isinstance(data.get("id"), int | str) else None
    kind = data.get("type")
    if kind not in _TYPES:
        if kind is None:
            raise ProtocolError("missing 'type'", ref=ref)
        raise ProtocolError(
            f"unknown message type {kind!r} (expected one of: {', '.join(_TYPES)})", ref=ref
        )
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        parts = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"][1:]) or kind
            parts.append(f"{loc}: {err['msg']}")
        raise ProtocolError(f"invalid {kind!r} message: " + "; ".join(parts), ref=ref) from None


# -- server messages -----------------------------------------------------------


def now_ms() -> float:
    """The server's wall clock, in epoch milliseconds (microsecond precision)."""
    return round(time.time() * 1000, 3)


def encode(message: Mapping[str, Any]) -> str:
    """Encode a server message (compact JSON, UTF-8 text)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def welcome_message(
    *,
    version: str,
    clock: Mapping[str, Any],
    role: Role,
    channels: Sequence[str] | None,
    authenticated: bool,
    event: Mapping[str, Any],
    all_channels: Sequence[str],
    heartbeat_seconds: float | None,
    server_time: float | None = None,
) -> dict[str, Any]:
    """The first message on a connection, and the answer to every ``hello``."""
    return {
        "type": "welcome",
        "protocol": PROTOCOL_VERSION,
        "version": version,
        "server_time": now_ms() if server_time is None else server_time,
        "clock": dict(clock),
        "role": role.value,
        "channels": None if channels is None else list(channels),
        "authenticated": authenticated,
        "event": dict(event),
        "all_channels": list(all_channels),
        "heartbeat_seconds": heartbeat_seconds,
    }


def state_message(
    *,
    seq: int,
    clock: Mapping[str, Any],
    state: Mapping[str, Any],
    cause: Mapping[str, Any],
    server_time: float | None = None,
) -> dict[str, Any]:
    """A state document (possibly restricted to the channels a client follows).

    Args:
        seq: the number of the publication (grows by one per change, for all clients).
        clock: the clock model.
        state: the state document.
        cause: why it was produced: ``{"kind": "snapshot"|"cue"|"command"|"tick"|"restart",
            "cue": iso?, "seq": n?}``.
    """
    return {
        "type": "state",
        "seq": seq,
        "server_time": now_ms() if server_time is None else server_time,
        "clock": dict(clock),
        "cause": dict(cause),
        "state": state,
    }


def pong_message(ref: Any, t0: float, t1: float, t2: float | None = None) -> dict[str, Any]:
    """The answer to a ping: client send time ``t0``, server receive ``t1`` and send ``t2``."""
    t2 = now_ms() if t2 is None else t2
    return {"type": "pong", "id": ref, "t0": t0, "t1": t1, "t2": t2, "server_time": t2}


def result_message(
    ref: Any, *, ok: bool, error: str | None = None, seq: int | None = None
) -> dict[str, Any]:
    """The outcome of a ``command`` or ``switcher`` request with id ``ref``."""
    message: dict[str, Any] = {"type": "result", "id": ref, "ok": ok, "server_time": now_ms()}
    if error is not None:
        message["error"] = error
    if seq is not None:
        message["seq"] = seq
    return message


def error_message(error: str, *, ref: Any = None, detail: Any = None) -> dict[str, Any]:
    """A message could not be read or is not allowed; the connection stays open."""
    message: dict[str, Any] = {"type": "error", "error": error, "server_time": now_ms()}
    if ref is not None:
        message["id"] = ref
    if detail is not None:
        message["detail"] = detail
    return message


def journal_message(entries: Sequence[Mapping[str, Any]], *, snapshot: bool) -> dict[str, Any]:
    """Journal entries for the régie: the recent ones on connect, then each new one."""
    return {
        "type": "journal",
        "snapshot": snapshot,
        "entries": list(entries),
        "server_time": now_ms(),
    }


def presence_message(
    channels: Mapping[str, Mapping[str, int]], *, clients: int, slow_closed: int
) -> dict[str, Any]:
    """How many screens of each role follow each channel (régie only)."""
    return {
        "type": "presence",
        "channels": {ch: dict(roles) for ch, roles in channels.items()},
        "clients": clients,
        "slow_closed": slow_closed,
        "server_time": now_ms(),
    }


def acks_message(
    channel: str, message_id: int, acks: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Who acknowledged the current moderator message of a channel (régie only)."""
    return {
        "type": "acks",
        "channel": channel,
        "message_id": message_id,
        "acks": list(acks),
        "server_time": now_ms(),
    }


def switcher_message(channel: str, status: Mapping[str, Any]) -> dict[str, Any]:
    """The status of a channel's video switcher (régie only)."""
    return {"type": "switcher", "channel": channel, "status": dict(status), "server_time": now_ms()}
