"""The HTTP API's bodies: what each endpoint takes and answers, as typed models.

Errors are :class:`ErrorBody` everywhere; the state and the schedule are the core's
documents with the server's additions (the publication ``seq``, the clock model, the
version on air), so one schema describes both the websocket and the HTTP API
(``/openapi.json`` is generated from these models: control_room/views/openapi.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from control_room.core.commands import Command
from control_room.core.document import EventDoc, ScheduleDocument, StateDocument
from control_room.wire.server import ChannelVariables, ClockModel, JournalEntryDoc

__all__ = [
    "CommandAccepted",
    "CommandEnvelope",
    "ErrorBody",
    "HealthBody",
    "JournalResponse",
    "LatenessSummary",
    "ReadyBody",
    "ScheduleApplied",
    "ScheduleRefused",
    "ScheduleResponse",
    "StateResponse",
    "VariablesResponse",
    "VersionBody",
]


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
