"""The OpenAPI document of the HTTP API, generated from the wire models.

Nothing here writes a schema by hand: every request and response body is a model or
TypedDict of :mod:`control_room.wire` (or the core's state document, or the command
union), and pydantic writes their JSON schemas into ``components.schemas``. This module
only says which endpoint takes and answers which model (:data:`ENDPOINTS`), with which
status codes, parameters and auth. The websocket, which OpenAPI cannot describe, is
listed under ``x-websockets`` with the schemas of its client and server messages.

- ``GET /openapi.json``: the document (OpenAPI 3.1), with examples drawn from the show's
  own channels;
- ``GET /api/docs``: the same document as a plain HTML page
  (:mod:`control_room.views.api_docs`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from control_room import __version__
from control_room.core.commands import Command
from control_room.core.document import ScheduleDocument
from control_room.core.schedule import Schedule
from control_room.room import Room
from control_room.wire import (
    PROTOCOL_VERSION,
    ClientMessage,
    CommandAccepted,
    CommandEnvelope,
    ErrorBody,
    HealthBody,
    JournalResponse,
    ReadyBody,
    ScheduleApplied,
    ScheduleRefused,
    ScheduleResponse,
    ServerMessage,
    StateResponse,
    VariablesResponse,
    VersionBody,
)

__all__ = [
    "ENDPOINTS",
    "Endpoint",
    "Param",
    "cached_document",
    "openapi_document",
    "openapi_json",
]

Location = Literal["query", "header"]


@dataclass(frozen=True)
class Param:
    """A query or header parameter (always a string on the wire)."""

    name: str
    where: Location
    description: str
    max_length: int | None = None


@dataclass(frozen=True)
class Endpoint:
    """One operation: what it takes, what it answers with each status, whether it needs the
    token. A body is a schema name of :data:`_SCHEMAS`, or a media type for a non-JSON body."""

    path: str
    method: Literal["get", "post"]
    summary: str
    description: str
    responses: Mapping[int, tuple[str, str]]
    """status → (schema name or ``text/...`` media type, description)."""
    params: Sequence[Param] = ()
    body: str | None = None
    token: bool = False
    tag: str = "api"
    examples: Literal["commands"] | None = None


_CHANNELS = Param(
    "channels", "query", "Keep only these channels: comma-separated ids (empty: all).", 1000
)
_ERROR = "ErrorBody"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "/api/state",
        "get",
        "The state document now (or at any show instant)",
        "The state of every channel now, with the publication `seq`, the server's time and "
        "the clock model. With `?at=` the state at that show instant, computed and not "
        "published (`seq` is null).",
        {200: ("StateResponse", "The state."), 400: (_ERROR, "`at` is not an instant.")},
        params=(
            Param(
                "at",
                "query",
                "An ISO-8601 show instant (`2026-07-07T11:45`, offset optional: the "
                "event's time zone).",
                64,
            ),
            _CHANNELS,
        ),
    ),
    Endpoint(
        "/api/schedule",
        "get",
        "The parsed schedule",
        "The event, the sites, the switcher scenes, and every channel's segments and items "
        "with their planned times.",
        {200: ("ScheduleResponse", "The schedule, and the version on air.")},
    ),
    Endpoint(
        "/api/schedule",
        "post",
        "Put a new version of the schedule on air (a live edit)",
        'The body is the schedule\'s YAML text (or `{"text": ..., "force": bool}` as JSON). '
        "It is applied without a restart, journal and clock kept, every screen updated, "
        "only if it parses, is the same show (date, time zone) and orphans no journal "
        "entry (unless `?force=1`). The version on air stays otherwise. See docs/import.md.",
        {
            200: ("ScheduleApplied", "On air (or already: `unchanged`)."),
            400: (_ERROR, "Not UTF-8, or a JSON body without `text`."),
            401: (_ERROR, "No or wrong operator token."),
            409: ("ScheduleRefused", "Another show, or it would orphan journal entries."),
            413: (_ERROR, "Larger than a schedule may be."),
            422: ("ScheduleRefused", "It does not parse: every problem, `file:line`."),
            500: ("ScheduleRefused", "It could not be kept in the data dir: not applied."),
            503: (_ERROR, "Live edits are not running on this server."),
        },
        params=(Param("force", "query", "`1`: apply even if it orphans journal entries.", 8),),
        body="text/yaml",
        token=True,
    ),
    Endpoint(
        "/api/variables",
        "get",
        "Flat variables per channel (Companion, Stream Deck)",
        "Each channel as a flat mapping a button can show: the site on air, the titles now "
        "and next (and short ones), the time remaining as text and seconds, over/under, "
        "hold, slate and messages. See docs/companion.md.",
        {200: ("VariablesResponse", "The variables, true at `server_time`.")},
        params=(_CHANNELS,),
        tag="companion",
    ),
    Endpoint(
        "/api/commands",
        "post",
        "Give an operator command",
        "The command is checked by the engine, committed to the journal, applied and pushed "
        "to every screen before the answer. The body is a command, or `{command, by}` to "
        "name who gives it (or the `X-Operator` header).",
        {
            200: ("CommandAccepted", "Journaled and on air."),
            400: (_ERROR, "Not JSON, or not a command: the error names the field."),
            401: (_ERROR, "No or wrong operator token."),
            409: (_ERROR, "A command the engine refuses now: the error says why."),
            500: (_ERROR, "The journal could not be written: nothing applied."),
        },
        params=(Param("X-Operator", "header", "Who gives the command (journaled).", 80),),
        body="CommandBody",
        token=True,
        examples="commands",
    ),
    Endpoint(
        "/api/journal",
        "get",
        "The audit log",
        "Every command, switcher attempt and acknowledgement of the day.",
        {200: ("JournalResponse", "The journal."), 401: (_ERROR, "No or wrong token.")},
        token=True,
    ),
    Endpoint(
        "/report",
        "get",
        "The after-show report (HTML)",
        "Per channel, planned against actual times of every segment and item, the "
        "operator's interventions, the switcher's attempts and the screens over time, as a "
        "page that prints on A4 (docs/report.md). The operator token, as a Bearer header or "
        "`?token=` for a browser.",
        {200: ("text/html", "The report."), 401: (_ERROR, "No or wrong token.")},
        params=(Param("token", "query", "The operator token (for a browser).", 256),),
        token=True,
    ),
    Endpoint(
        "/-/health",
        "get",
        "Health and counters",
        "Always 200 while the process serves: `status` says `starting`, `ok` or `stopping`.",
        {200: ("HealthBody", "The show's and the hub's counters.")},
        tag="operations",
    ),
    Endpoint(
        "/-/ready",
        "get",
        "Readiness (load balancers, systemd)",
        "200 once the show has started and published its first state; 503 before, and "
        "while the server stops.",
        {200: ("ReadyBody", "Ready."), 503: ("ReadyBody", "Not ready (yet, or any more).")},
        tag="operations",
    ),
    Endpoint(
        "/-/version",
        "get",
        "Versions",
        "The server's and the protocol's versions, Python's, and the event.",
        {200: ("VersionBody", "The versions.")},
        tag="operations",
    ),
    Endpoint(
        "/metrics",
        "get",
        "Prometheus metrics",
        "Screens by role and channel, pushes, cue lateness, command latency, journal size "
        "and write time, switcher latency and failures, slow clients closed.",
        {200: ("text/plain", "The Prometheus text exposition format.")},
        tag="operations",
    ),
    Endpoint(
        "/openapi.json",
        "get",
        "This document",
        "The OpenAPI document, generated from the wire models.",
        {200: ("application/json", "OpenAPI 3.1.")},
        tag="operations",
    ),
    Endpoint(
        "/api/docs",
        "get",
        "This document as a page",
        "The OpenAPI document rendered as HTML.",
        {200: ("text/html", "The page.")},
        tag="operations",
    ),
    Endpoint(
        "/api/docs.css",
        "get",
        "The docs page's style sheet",
        "",
        {200: ("text/css", "The style sheet.")},
        tag="operations",
    ),
)
"""Every HTTP endpoint of :func:`control_room.app.api_routes`, described (a test checks)."""

_SCHEMAS: dict[str, tuple[Literal["validation", "serialization"], TypeAdapter[Any]]] = {
    "StateResponse": ("serialization", TypeAdapter(StateResponse)),
    "ScheduleDocument": ("serialization", TypeAdapter(ScheduleDocument)),
    "ScheduleResponse": ("serialization", TypeAdapter(ScheduleResponse)),
    "ScheduleApplied": ("serialization", TypeAdapter(ScheduleApplied)),
    "ScheduleRefused": ("serialization", TypeAdapter(ScheduleRefused)),
    "VariablesResponse": ("serialization", TypeAdapter(VariablesResponse)),
    "Command": ("validation", TypeAdapter(Command)),
    "CommandBody": ("validation", TypeAdapter(Command | CommandEnvelope)),
    "CommandAccepted": ("serialization", TypeAdapter(CommandAccepted)),
    "ErrorBody": ("serialization", TypeAdapter(ErrorBody)),
    "JournalResponse": ("serialization", TypeAdapter(JournalResponse)),
    "HealthBody": ("serialization", TypeAdapter(HealthBody)),
    "ReadyBody": ("serialization", TypeAdapter(ReadyBody)),
    "VersionBody": ("serialization", TypeAdapter(VersionBody)),
    "ClientMessage": ("validation", TypeAdapter(ClientMessage)),
    "ServerMessage": ("serialization", TypeAdapter(ServerMessage)),
}
_REF = "#/components/schemas/{model}"


def _schemas() -> dict[str, Any]:
    """Every schema named in :data:`_SCHEMAS`, and the models they refer to."""
    inputs = [(name, mode, adapter) for name, (mode, adapter) in _SCHEMAS.items()]
    by_key, definitions = TypeAdapter.json_schemas(inputs, ref_template=_REF)
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))
    for (name, _), schema in by_key.items():
        if schema.get("$ref") != _REF.format(model=name):  # not already a named definition
            schemas[name] = schema
    return dict(sorted(schemas.items()))


def _command_examples(schedule: Schedule | None) -> dict[str, Any]:
    channel = schedule.channels[0].id if schedule is not None and schedule.channels else "main"
    commands: list[dict[str, Any]] = [
        {"type": "take", "channel": channel},
        {"type": "back", "channel": channel},
        {"type": "hold", "channel": channel},
        {"type": "release", "channel": channel},
        {"type": "extend", "channel": channel, "minutes": 5},
        {"type": "delay", "channel": channel, "minutes": 10},
        {"type": "slate", "channel": channel, "text": "Technical problem, back in a moment"},
        {"type": "slate_clear", "channel": channel},
        {"type": "message", "channel": channel, "audience": "moderators", "text": "2 minutes"},
        {"type": "message_clear", "channel": channel, "audience": "moderators"},
        {"type": "site_clear", "channel": channel},
        {"type": "reset", "channel": channel},
    ]
    examples = {c["type"]: {"summary": c["type"], "value": c} for c in commands}
    examples["by"] = {
        "summary": "named operator",
        "value": {"command": {"type": "extend", "channel": channel, "minutes": 2}, "by": "Ana"},
    }
    return examples


def _content(name: str) -> dict[str, Any]:
    if "/" in name:
        schema: dict[str, Any] = {"type": "string"} if name.startswith("text/") else {}
        if name == "application/json":
            schema = {"type": "object"}
        return {name: {"schema": schema}}
    return {"application/json": {"schema": {"$ref": _REF.format(model=name)}}}


def _operation(endpoint: Endpoint, schedule: Schedule | None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "tags": [endpoint.tag],
        "summary": endpoint.summary,
        "operationId": endpoint.method + endpoint.path.replace("/", "_").replace("-", "_"),
        "responses": {},
    }
    if endpoint.description:
        operation["description"] = endpoint.description
    if endpoint.params:
        operation["parameters"] = [
            {
                "name": p.name,
                "in": p.where,
                "required": False,
                "description": p.description,
                "schema": {"type": "string"}
                | ({} if p.max_length is None else {"maxLength": p.max_length}),
            }
            for p in endpoint.params
        ]
    if endpoint.body is not None:
        content = _content(endpoint.body)
        if endpoint.examples == "commands":
            content["application/json"]["examples"] = _command_examples(schedule)
        operation["requestBody"] = {"required": True, "content": content}
    if endpoint.token:
        operation["security"] = [{"bearer": []}]
    for status, (name, description) in endpoint.responses.items():
        response: dict[str, Any] = {"description": description, "content": _content(name)}
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": 'How to authenticate: `Bearer realm="control-room"`.',
                    "schema": {"type": "string"},
                }
            }
        operation["responses"][str(status)] = response
    return operation


def openapi_document(schedule: Schedule | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the HTTP API (examples use ``schedule``'s channels)."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        paths.setdefault(endpoint.path, {})[endpoint.method] = _operation(endpoint, schedule)
    title = "control-room"
    if schedule is not None:
        title = f"control-room: {schedule.event.title}"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": __version__,
            "description": "The live server's HTTP API (docs/protocol.md). Reading needs "
            "nothing; every change needs the operator token as `Authorization: Bearer TOKEN`.",
        },
        "tags": [
            {"name": "api", "description": "The show: state, schedule, commands, journal."},
            {"name": "companion", "description": "For Companion and Stream Deck buttons."},
            {"name": "operations", "description": "Health, readiness, metrics, versions."},
        ],
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The operator token ($CONTROL_ROOM_TOKEN or DATA_DIR/token).",
                }
            },
        },
        "x-websockets": {
            "/ws": {
                "description": "JSON text messages, one object per frame, each with a `type` "
                f"(protocol {PROTOCOL_VERSION}; docs/protocol.md).",
                "client": {"$ref": _REF.format(model="ClientMessage")},
                "server": {"$ref": _REF.format(model="ServerMessage")},
            }
        },
    }


def cached_document(request: Request) -> dict[str, Any]:
    state = request.app.state
    document: dict[str, Any] | None = getattr(state, "openapi", None)
    if document is None:
        room: Room = state.room
        document = openapi_document(room.schedule)
        state.openapi = document
    return document


async def openapi_json(request: Request) -> Response:
    return JSONResponse(cached_document(request))
