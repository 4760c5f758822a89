"""The wire: every message both ways, websocket and HTTP, as typed models in one package.

One noun, four modules by direction and kind, every public name re-exported here
(``from control_room.wire import X``):

- :mod:`.json`: untrusted JSON read strictly (:func:`parse_json`) and the limits of a
  client message (:data:`MAX_MESSAGE_BYTES`, :data:`MAX_DEPTH`);
- :mod:`.client`: client-to-server messages, a pydantic discriminated union on
  ``type`` (:data:`ClientMessage`), read by :func:`parse_client_message`, which turns
  any malformed or unknown input into a :class:`ProtocolError` with a message a person
  can act on;
- :mod:`.server`: server-to-client messages, the models of :data:`ServerMessage`
  (:data:`SERVER_MESSAGES`), encoded once with :func:`encode`;
- :mod:`.http`: the HTTP API's bodies (:class:`ErrorBody`, :class:`CommandAccepted`,
  :class:`StateResponse`, ...).

The state document's shape is the core's
(:class:`~control_room.core.document.StateDocument`), so one schema describes both the
websocket and the HTTP API. docs/protocol.md describes every message; keep the two in
step (a test checks it).

Every server message carries ``server_time``: the server's wall clock, in
milliseconds since the Unix epoch, when the message was produced.
"""

from __future__ import annotations

from control_room.wire.client import (
    Ack,
    ClientMessage,
    CommandRequest,
    Hello,
    Ping,
    ProtocolError,
    Role,
    SwitcherAction,
    SwitcherRequest,
    VariablesRequest,
    parse_client_message,
)
from control_room.wire.http import (
    CommandAccepted,
    CommandEnvelope,
    ErrorBody,
    HealthBody,
    JournalResponse,
    LatenessSummary,
    ReadyBody,
    ScheduleApplied,
    ScheduleRefused,
    ScheduleResponse,
    StateResponse,
    VariablesResponse,
    VersionBody,
)
from control_room.wire.json import (
    MAX_DEPTH,
    MAX_MESSAGE_BYTES,
    parse_json,
)
from control_room.wire.server import (
    PROTOCOL_VERSION,
    SERVER_MESSAGES,
    AckDoc,
    AcksMessage,
    Cause,
    ChannelVariables,
    ClockModel,
    DeltaMessage,
    ErrorMessage,
    FeedHealthMessage,
    FeedsMessage,
    JournalEntryDoc,
    JournalMessage,
    LiveMessage,
    PongMessage,
    PresenceMessage,
    ResultMessage,
    ScheduleMessage,
    ServerMessage,
    StateMessage,
    SwitcherMessage,
    VariablesMessage,
    WelcomeMessage,
    encode,
    now_ms,
)

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
    "FeedHealthMessage",
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
    "LiveMessage",
    "DeltaMessage",
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
    "MAX_DEPTH",
    "SERVER_MESSAGES",
]
