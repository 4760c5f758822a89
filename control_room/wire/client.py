"""What clients send over the websocket: the messages, and the one reader of them.

Client-to-server messages are a pydantic discriminated union on ``type``
(:data:`ClientMessage`), read by :func:`parse_client_message`, which turns any
malformed or unknown input into a :class:`ProtocolError` with a message a person can
act on. Unknown fields are ignored, so a newer page can talk to an older server.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    TypeAdapter,
    ValidationError,
)

from control_room.wire.json import MAX_MESSAGE_BYTES, parse_json

__all__ = [
    "Ack",
    "ClientMessage",
    "CommandRequest",
    "Hello",
    "Ping",
    "ProtocolError",
    "Role",
    "SwitcherAction",
    "SwitcherRequest",
    "VariablesRequest",
    "parse_client_message",
]


class Role(StrEnum):
    """What a websocket client is. Only ``regie`` may act, and only with the token."""

    REGIE = "regie"
    OVERLAY = "overlay"
    TIMER = "timer"
    VIEWER = "viewer"


_Id = StrictInt | Annotated[str, Field(max_length=64)]
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
    state: Literal["full", "ref"] | None = None
    """``ref``: the state by reference (``live`` and ``delta``); None: as the URL said."""


class Ping(_Message):
    """A clock-offset probe: ``t0`` is the client's clock (epoch ms) when sent."""

    type: Literal["ping"]
    id: _Id
    t0: Annotated[StrictFloat, Field(allow_inf_nan=False)]


class CommandRequest(_Message):
    """An operator command (see the engine's command model). Needs the token."""

    type: Literal["command"]
    id: _Id | None = None
    command: dict[str, Any]


class Ack(_Message):
    """A moderator acknowledges the régie's message ``message_id`` on ``channel``."""

    type: Literal["ack"]
    channel: _ChannelId
    message_id: StrictInt
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


class VariablesRequest(_Message):
    """Ask for the flat variables of the channels followed (Companion, Stream Deck): answered
    by a ``variables`` message now, then again after every change of the state."""

    type: Literal["variables"]


ClientMessage = Annotated[
    Hello | Ping | CommandRequest | Ack | SwitcherRequest | VariablesRequest,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
_TYPES = ("hello", "ping", "command", "ack", "switcher", "variables")


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
        data = parse_json(text)
    except ValueError as exc:
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
