"""The wire: every message both ways, websocket and HTTP, as typed models in one module.

Client-to-server messages are a pydantic discriminated union on ``type``
(:data:`ClientMessage`), read by :func:`parse_client_message`, which turns any
malformed or unknown input into a :class:`ProtocolError` with a message a
person can act on. Server-to-client messages are the models of
:data:`ServerMessage`, encoded once with :func:`encode`; the HTTP API's bodies
(:class:`ErrorBody`, :class:`CommandAccepted`, :class:`StateResponse`, ...) are
here too, and the state document's shape is the core's
(:class:`~control_room.core.document.StateDocument`), so one schema describes
both the websocket and the HTTP API. docs/protocol.md describes every message;
keep the two in step (a test checks it).

Every server message carries ``server_time``: the server's wall clock, in
milliseconds since the Unix epoch, when the message was produced.
"""

from __future__ import annotations

import json
import math
import time
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, NotRequired

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    TypeAdapter,
    ValidationError,
)
from typing_extensions import TypedDict

from control_room.core.commands import Command
from control_room.core.document import EventDoc, ScheduleDocument, StateDocument

__all__ = [
    "Ack",
    "AckDoc",
    "AcksMessage",
    "Cause",
    "ChannelVariables",
    "ClientMessage",
    "CommandEnvelope",
    "ClockModel",
    "CommandAccepted",
    "CommandRequest",
    "ErrorBody",
    "ErrorMessage",
    "HealthBody",
    "FeedsMessage",
    "ScheduleApplied",
    "ScheduleMessage",
    "ScheduleRefused",
    "ScheduleResponse",
    "Hello",
    "JournalEntryDoc",
    "JournalMessage",
    "JournalResponse",
    "LatenessSummary",
    "MAX_MESSAGE_BYTES",
    "PROTOCOL_VERSION",
    "Ping",
    "PongMessage",
    "PresenceMessage",
    "ProtocolError",
    "ReadyBody",
    "ResultMessage",
    "Role",
    "ServerMessage",
    "StateMessage",
    "StateResponse",
    "SwitcherAction",
    "SwitcherMessage",
    "SwitcherRequest",
    "VariablesMessage",
    "VariablesRequest",
    "VariablesResponse",
    "VersionBody",
    "WelcomeMessage",
    "encode",
    "now_ms",
    "parse_client_message",
    "parse_json",
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


MAX_DEPTH = 32
"""Client JSON nested deeper than this is refused (a message is two or three levels deep)."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def parse_json(text: str | bytes) -> Any:
    """Untrusted JSON (websocket message, HTTP body), strictly: no ``NaN``/``Infinity``
    (a browser's ``JSON.parse`` refuses them, and they must never be echoed), no number
    that overflows to infinity, no nesting deeper than :data:`MAX_DEPTH` (which would
    exhaust the recursion limit), valid UTF-8.

    Raises:
        ValueError: anything else, with a message a person can act on.
    """
    depth = 0
    in_string = escaped = False
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    for byte in raw:  # the nesting depth, outside strings, before the recursive parser
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_DEPTH:
                raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        elif byte in (0x5D, 0x7D):
            depth -= 1
    try:
        return json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:  # pragma: no cover - refused by the depth scan above
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8: {exc.reason}") from None


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


# -- server messages -----------------------------------------------------------


def now_ms() -> float:
    """The server's wall clock, in epoch milliseconds (microsecond precision)."""
    return round(time.time() * 1000, 3)


class ClockModel(TypedDict):
    """How clients turn their estimate of the server's wall clock into show time."""

    origin_show: str
    origin_wall: str
    origin_wall_ms: float
    speed: float
    rehearsal: bool


class Cause(TypedDict):
    """Why a state message was produced."""

    kind: Literal["start", "snapshot", "cue", "command", "tick", "restart", "schedule"]
    cue: NotRequired[str]
    seq: NotRequired[int]
    version: NotRequired[int]


class JournalEntryDoc(TypedDict):
    """One journal entry as the régie and ``GET /api/journal`` show it."""

    seq: int
    wall: str
    show: str
    who: str
    command: dict[str, Any]
    text: str
    voided_by: int | None
    voids: list[int]
    restores: list[int]


class AckDoc(TypedDict):
    name: str
    at: str


class _Server(BaseModel):
    model_config = ConfigDict(frozen=True)
    omit_none: ClassVar[bool] = False
    """Leave out the fields that are None (the optional parts of results and errors)."""

    server_time: float = Field(default_factory=now_ms)


class WelcomeMessage(_Server):
    """The first message on a connection, and the answer to every ``hello``."""

    type: Literal["welcome"] = "welcome"
    protocol: int = PROTOCOL_VERSION
    version: str
    clock: ClockModel
    role: Role
    channels: list[str] | None
    authenticated: bool
    event: EventDoc
    all_channels: list[str]
    heartbeat_seconds: float | None
    schedule_version: int = 1
    """The version of the schedule on air (``GET /api/schedule`` gives it whole)."""


class StateMessage(_Server):
    """A state document (possibly restricted to the channels a client follows).

    ``seq`` numbers the publications (one more per change, for all clients).
    Built without validation by :meth:`of`: the document is the core's own output.
    """

    type: Literal["state"] = "state"
    seq: int
    clock: ClockModel
    cause: Cause
    state: StateDocument
    schedule_version: int = 1
    """The version of the schedule on air: a page that draws the plan refetches it when
    this changes (a live edit)."""

    @classmethod
    def of(
        cls,
        *,
        seq: int,
        clock: ClockModel,
        state: StateDocument,
        cause: Cause,
        schedule_version: int = 1,
        server_time: float | None = None,
    ) -> StateMessage:
        return cls.model_construct(
            seq=seq,
            clock=clock,
            state=state,
            cause=cause,
            schedule_version=schedule_version,
            server_time=now_ms() if server_time is None else server_time,
        )


class PongMessage(_Server):
    """The answer to a ping: client send time ``t0``, server receive ``t1`` and send ``t2``."""

    type: Literal["pong"] = "pong"
    id: int | str
    t0: float
    t1: float
    t2: float

    @classmethod
    def at(cls, ref: int | str, t0: float, t1: float, t2: float | None = None) -> PongMessage:
        t2 = now_ms() if t2 is None else t2
        return cls(id=ref, t0=t0, t1=t1, t2=t2, server_time=t2)


class ResultMessage(_Server):
    """The outcome of a ``command`` or ``switcher`` request with id ``id``."""

    omit_none: ClassVar[bool] = True
    type: Literal["result"] = "result"
    id: int | str | None
    ok: bool
    error: str | None = None
    seq: int | None = None
    detail: dict[str, Any] | None = None


class ErrorMessage(_Server):
    """A message could not be read or is not allowed; the connection stays open."""

    omit_none: ClassVar[bool] = True
    type: Literal["error"] = "error"
    error: str
    id: int | str | None = None
    detail: dict[str, Any] | None = None


class JournalMessage(_Server):
    """Journal entries for the régie: the recent ones on connect, then each new one."""

    type: Literal["journal"] = "journal"
    snapshot: bool
    entries: list[JournalEntryDoc]


class PresenceMessage(_Server):
    """How many screens of each role follow each channel (régie only)."""

    type: Literal["presence"] = "presence"
    channels: dict[str, dict[str, int]]
    clients: int
    slow_closed: int


class AcksMessage(_Server):
    """Who acknowledged the current moderator message of a channel (régie only)."""

    type: Literal["acks"] = "acks"
    channel: str
    message_id: int
    acks: list[AckDoc]


class SwitcherMessage(_Server):
    """The status of a channel's video switcher (régie only; see docs/switcher.md)."""

    type: Literal["switcher"] = "switcher"
    channel: str
    status: dict[str, Any]


class ChannelVariables(TypedDict):
    """One channel as a flat mapping of texts, numbers and flags a button can show.

    Texts are ``""`` when there is nothing to say (no site, nothing next), never null,
    so a button shows blank rather than ``null``. ``remaining`` and ``remaining_seconds``
    are as of the message's ``server_time``; ``now_ends_at`` lets a client count on.
    """

    channel: str
    title: str
    status: Literal["before", "on_air", "gap", "finished"]
    on_air: bool
    site: str
    site_name: str
    site_city: str
    now_title: str
    now_short: str
    now_ends_at: str
    next_title: str
    next_short: str
    next_starts_at: str
    remaining: str
    remaining_seconds: int | None
    overtime: bool
    over_under: str
    over_under_seconds: int
    delay_seconds: int
    held: bool
    hold: str
    slate: bool
    slate_text: str
    message_moderators: str
    message_viewers: str
    message_shown: bool


class VariablesMessage(_Server):
    """The flat variables of the channels a client follows (after a ``variables`` request)."""

    type: Literal["variables"] = "variables"
    show_time: str
    channels: dict[str, ChannelVariables]


class FeedsMessage(_Server):
    """The health of the sites' feeds a channel needs (régie only; see docs/switcher.md)."""

    type: Literal["feeds"] = "feeds"
    channel: str
    status: dict[str, Any]


class ScheduleMessage(_Server):
    """A new version of the schedule was offered (régie only): applied, or refused with
    every problem, or with the journal entries it would orphan (see docs/import.md)."""

    type: Literal["schedule"] = "schedule"
    ok: bool
    outcome: Literal["applied", "invalid", "refused", "orphans", "failed"]
    source: str
    version: int | None
    error: str | None
    problems: list[str]
    orphans: list[str]


ServerMessage = (
    WelcomeMessage
    | StateMessage
    | PongMessage
    | ResultMessage
    | ErrorMessage
    | JournalMessage
    | PresenceMessage
    | AcksMessage
    | SwitcherMessage
    | VariablesMessage
    | FeedsMessage
    | ScheduleMessage
)
"""Every message the server sends over the websocket."""

SERVER_MESSAGES: tuple[type[_Server], ...] = (
    WelcomeMessage,
    StateMessage,
    PongMessage,
    ResultMessage,
    ErrorMessage,
    JournalMessage,
    PresenceMessage,
    AcksMessage,
    SwitcherMessage,
    VariablesMessage,
    FeedsMessage,
    ScheduleMessage,
)


def encode(message: ServerMessage) -> str:
    """Encode a server message once (compact JSON, UTF-8 text, non-ASCII kept readable)."""
    return message.model_dump_json(exclude_none=message.omit_none)


# -- HTTP bodies -------------------------------------------------------------------


class ErrorBody(BaseModel):
    """Every HTTP error: ``{"ok": false, "error": "..."}`` with a status code that says
    which kind (400 unreadable, 401 no or wrong token, 409 refused by the engine now,
    500 not applied: the journal could not be written)."""

    ok: Literal[False] = False
    error: str
    detail: dict[str, Any] | None = None


class CommandEnvelope(BaseModel):
    """``POST /api/commands`` may wrap the command to name who gives it (``by``)."""

    model_config = ConfigDict(extra="forbid")

    command: Command
    by: Annotated[str, Field(max_length=80)] | None = None


class CommandAccepted(BaseModel):
    """A command journaled and applied: its journal ``seq``, and the state after it."""

    ok: Literal[True] = True
    seq: int
    state_seq: int
    state: StateDocument


class StateResponse(StateDocument):
    """``GET /api/state``: the state document with the publication ``seq`` (None for a
    computed instant, ``?at=``), the server's time and the clock model."""

    seq: int | None
    server_time: float
    clock: ClockModel


class ScheduleResponse(ScheduleDocument):
    """``GET /api/schedule``: the whole schedule and the version on air."""

    version: int


class ScheduleApplied(BaseModel):
    """``POST /api/schedule``: the new version is on air (or was already: ``unchanged``)."""

    ok: Literal[True] = True
    version: int
    unchanged: bool
    orphans: list[str]


class ScheduleRefused(BaseModel):
    """``POST /api/schedule``: refused (422 does not parse, 409 another show or orphans,
    500 not kept); the version on air stays."""

    ok: Literal[False] = False
    error: str
    problems: list[str]
    orphans: list[str]


class JournalResponse(TypedDict):
    """``GET /api/journal``: the commands, the switcher attempts and the acknowledgements."""

    entries: list[JournalEntryDoc]
    switches: list[dict[str, Any]]
    acks: list[dict[str, Any]]


class VariablesResponse(TypedDict):
    """``GET /api/variables``: each channel's flat variables, and when they were true."""

    server_time: float
    show_time: str
    channels: dict[str, ChannelVariables]


class LatenessSummary(TypedDict):
    count: int
    median: float | None
    max: float | None


class HealthBody(TypedDict):
    """``GET /-/health``: ``status`` is ``starting``, ``ok`` or ``stopping``; the rest are the
    show's and the hub's counters."""

    ok: bool
    status: Literal["starting", "ok", "stopping"]
    version: str
    server_time: float
    show_time: str
    clock: ClockModel
    seq: int
    journal_entries: int
    next_cue: str | None
    clients: int
    connected_total: int
    slow_closed: int
    messages_sent: int
    coalesced: int
    renders: int
    publications: int
    cue_wakes: int
    cue_wake_late_ms: LatenessSummary


class ReadyBody(TypedDict):
    """``GET /-/ready``: 200 with ``ready: true`` once the show has started and published;
    503 with ``ready: false`` before and while stopping."""

    ready: bool
    status: Literal["starting", "ok", "stopping"]


class VersionBody(TypedDict):
    version: str
    protocol: int
    python: str
    event: EventDoc


# -- the feeds' public health (issue 14) ---------------------------------------------
# One self-contained block while wire.py becomes a package; the merger folds it in:
# FeedHealthMessage into ServerMessage / SERVER_MESSAGES, FeedChannelVariables' three
# fields into ChannelVariables (then FeedVariablesMessage is VariablesMessage again).


class FeedHealthMessage(_Server):
    """Whether the feed of the site on air on a channel is lost (every screen following
    that channel or a channel running it in parallel; see docs/protocol.md)."""

    type: Literal["feed_health"] = "feed_health"
    channel: str
    lost: bool
    site: str | None


ServerMessage = ServerMessage | FeedHealthMessage  # type: ignore[misc]
SERVER_MESSAGES = (*SERVER_MESSAGES, FeedHealthMessage)


class FeedChannelVariables(ChannelVariables):
    """A channel's variables with its feed health: ``feed_lost`` while a watched site's
    feed is lost (the site on air first), its site's name and since when (wall, ISO UTC)."""

    feed_lost: bool
    feed_lost_site: str
    feed_lost_since: str


class FeedVariablesMessage(VariablesMessage):
    """The ``variables`` message, its channels with their feed health."""

    channels: dict[str, FeedChannelVariables]  # type: ignore[assignment]


def encode_feed_health(message: FeedHealthMessage) -> str:
    """:func:`encode` for :class:`FeedHealthMessage` (until it joins ServerMessage)."""
    return message.model_dump_json()
