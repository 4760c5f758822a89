"""What the server sends over the websocket: the typed messages, encoded once.

Server-to-client messages are the models of :data:`ServerMessage` (listed in
:data:`SERVER_MESSAGES`), encoded once with :func:`encode` and written to every client
that follows them. Every server message carries ``server_time``: the server's wall
clock, in milliseconds since the Unix epoch, when the message was produced
(:func:`now_ms`). The state document's shape is the core's
(:class:`~control_room.core.document.StateDocument`).
"""

from __future__ import annotations

import time
from typing import Any, ClassVar, Literal, NotRequired, Self

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from control_room.core.document import EventDoc, StateDocument
from control_room.wire.client import Role

__all__ = [
    "AckDoc",
    "AcksMessage",
    "Cause",
    "ChannelVariables",
    "ClockModel",
    "DeltaMessage",
    "InstantsDoc",
    "LiveMessage",
    "ErrorMessage",
    "FeedsMessage",
    "JournalEntryDoc",
    "JournalMessage",
    "PROTOCOL_VERSION",
    "PongMessage",
    "PresenceMessage",
    "ResultMessage",
    "SERVER_MESSAGES",
    "ScheduleMessage",
    "FeedHealthMessage",
    "ServerMessage",
    "StateMessage",
    "SwitcherMessage",
    "VariablesMessage",
    "WelcomeMessage",
    "encode",
    "now_ms",
]

PROTOCOL_VERSION = 1


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


class _Trusted(_Server):
    """A message built per publication from the server's own fields: not validated again."""

    @classmethod
    def of(cls, **fields: Any) -> Self:
        fields.setdefault("server_time", now_ms())
        return cls.model_construct(**fields)


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
    boot: str = ""
    """Names this run of the server: a client caches the schedule by (``boot``,
    ``schedule_version``), so a restart on another file is never mistaken for the same
    version."""
    state: Literal["full", "ref"] = "full"
    """How this connection gets the state: whole ``state`` messages, or ``live`` and
    ``delta`` messages by reference to the schedule (asked with ``state=ref``)."""


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


class InstantsDoc(TypedDict):
    """How a live document shortens instants: ``prefix + short + suffix`` is the ISO string
    (an instant with a ``T`` is whole)."""

    prefix: str
    suffix: str


class LiveMessage(_Trusted):
    """The live document of the channels a client follows, for a client that asked for the
    state by reference (``state=ref``): on connect, after a hello that changed what it
    follows, after a live edit of the schedule, and in place of deltas it fell behind on.

    Joined with the schedule of ``schedule_version`` it is the state document (see
    docs/protocol.md and :mod:`control_room.core.live_document`).
    """

    type: Literal["live"] = "live"
    seq: int
    clock: ClockModel
    cause: Cause
    schedule_version: int
    instants: InstantsDoc
    at: str | None
    channels: dict[str, dict[str, Any]]


class DeltaMessage(_Trusted):
    """What changed in the live document of the channels a client follows: for each channel
    that changed, a JSON merge patch (RFC 7386) of its live document.

    ``base``: the publication the patch applies to; a client whose live document is older
    than ``base`` missed a delta and must take a snapshot (it reconnects).
    """

    type: Literal["delta"] = "delta"
    seq: int
    base: int
    cause: Cause
    at: str | None
    channels: dict[str, dict[str, Any]]


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
    feed_lost: bool
    """A watched site's feed is lost (the site on air first, else the next one)."""
    feed_lost_site: str
    feed_lost_since: str
    """Since when (wall time, ISO UTC), ``""`` when no feed is lost."""


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


class FeedHealthMessage(_Server):
    """Whether the feed of the site on air on a channel is lost (every screen following
    that channel or a channel running it in parallel; see docs/protocol.md)."""

    type: Literal["feed_health"] = "feed_health"
    channel: str
    lost: bool
    site: str | None


ServerMessage = (
    WelcomeMessage
    | StateMessage
    | LiveMessage
    | DeltaMessage
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
    | FeedHealthMessage
)
"""Every message the server sends over the websocket."""

SERVER_MESSAGES: tuple[type[_Server], ...] = (
    WelcomeMessage,
    StateMessage,
    LiveMessage,
    DeltaMessage,
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
    FeedHealthMessage,
)


def encode(message: ServerMessage) -> str:
    """Encode a server message once (compact JSON, UTF-8 text, non-ASCII kept readable)."""
    return message.model_dump_json(exclude_none=message.omit_none)
