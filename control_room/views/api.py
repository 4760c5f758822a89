"""The HTTP API (see docs/protocol.md).

- ``GET /api/state`` (``?at=ISO`` for any instant, ``?channels=a,b``), ``GET /api/schedule``
- ``POST /api/commands`` (``Authorization: Bearer TOKEN``, or the régie's session cookie),
  ``GET /api/journal`` (the operator's token)
- ``GET /api/variables`` (``?channels=a,b``): flat variables per channel (Companion)
- ``GET /-/health``, ``GET /-/ready``, ``GET /-/version``, ``GET /metrics``

Every body is a model of :mod:`control_room.wire`; every error is an
:class:`~control_room.wire.ErrorBody` with its status code.
"""

from __future__ import annotations

import sys
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from control_room import __version__
from control_room.auth import COOKIE, Identity, bearer, same_origin
from control_room.clock import ClockError, parse_instant
from control_room.core.document import (
    NOTES_ALL,
    NOTES_NONE,
    NoteScope,
    StateDocument,
    public_schedule,
    public_state,
    schedule_document,
)
from control_room.dispatch import Caller, Outcome
from control_room.editor import EditOutcome
from control_room.metrics import CONTENT_TYPE, Metrics
from control_room.room import Room
from control_room.show import view_channels
from control_room.tokens import TokenRole
from control_room.variables import variables_of
from control_room.wire import (
    PROTOCOL_VERSION,
    CommandAccepted,
    ErrorBody,
    HealthBody,
    JournalResponse,
    ReadyBody,
    ScheduleApplied,
    ScheduleRefused,
    ScheduleResponse,
    StateResponse,
    VariablesResponse,
    VersionBody,
    now_ms,
    parse_json,
)

__all__ = [
    "STATUS",
    "api_commands",
    "api_journal",
    "api_schedule",
    "api_schedule_post",
    "api_state",
    "api_variables",
    "caller_identity",
    "channels_param",
    "error",
    "health",
    "metrics",
    "note_scope",
    "ready",
    "version",
]

STATUS = {
    Outcome.APPLIED: 200,
    Outcome.INVALID: 400,
    Outcome.UNAUTHORIZED: 401,
    Outcome.FORBIDDEN: 403,
    Outcome.LIMITED: 429,
    Outcome.REJECTED: 409,
    Outcome.FAILED: 500,
    Outcome.UNAVAILABLE: 503,
}
"""The HTTP status of each outcome of a command."""


def room_of(request: Request) -> Room:
    room: Room = request.app.state.room
    return room


def error(message: str, status: int, *, detail: dict[str, Any] | None = None) -> JSONResponse:
    """An :class:`~control_room.wire.ErrorBody` response (401 says how to authenticate)."""
    headers = {"WWW-Authenticate": 'Bearer realm="control-room"'} if status == 401 else None
    body = ErrorBody(error=message, detail=detail).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status, headers=headers)


def note_scope(identity: Identity | None) -> NoteScope:
    """The channels whose private notes ``identity`` reads: the operator all, a moderator
    token its channels (all if unscoped), anyone else none."""
    if identity is None:
        return NOTES_NONE
    if identity.is_operator:
        return NOTES_ALL
    if identity.role is TokenRole.MODERATOR:
        return identity.channels or NOTES_ALL
    return NOTES_NONE


def reader_scope(request: Request, room: Room) -> NoteScope:
    """The note scope of a read request's token (none, wrong or revoked: the public one)."""
    return note_scope(room.auth.check(room.auth.request_token(request.headers, request.cookies)))


def caller_identity(request: Request, room: Room) -> Identity | JSONResponse:
    """Whose token a request carries (Bearer header, else the session cookie), or the
    401/403 response that refuses it.

    A cookie is sent by the browser on its own, so a state-changing request authenticated by
    it must also come from one of this server's own pages
    (:func:`~control_room.auth.same_origin`; 403 otherwise), beside SameSite=Strict.
    """
    given = bearer(request.headers)
    by_cookie = given is None
    if by_cookie:
        given = request.cookies.get(COOKIE) or None
    if given is None:
        return error("operator token required (Authorization: Bearer TOKEN)", 401)
    identity = room.auth.check(given)
    if identity is None:
        return error("invalid operator token", 401)
    if by_cookie and request.method not in ("GET", "HEAD"):
        if not same_origin(request.headers, room.allow_origins):
            return error("forbidden: a session cookie is only good from this server's pages", 403)
    return identity


def _operator_error(request: Request, room: Room) -> JSONResponse | None:
    found = caller_identity(request, room)
    if isinstance(found, JSONResponse):
        return found
    if not found.is_operator:
        return error(f"forbidden: the {found.describe()} may not read this", 403)
    return None


def channels_param(value: str | None) -> frozenset[str] | None:
    """``?channels=a,b`` (or a websocket's ``channels``) as a view; empty means all."""
    if not value:
        return None
    return frozenset(part.strip() for part in value.split(",") if part.strip())


async def api_state(request: Request) -> Response:
    room = room_of(request)
    show = room.show
    at = request.query_params.get("at")
    view = channels_param(request.query_params.get("channels"))
    tz = room.schedule.event.timezone
    seq: int | None
    if at:
        try:
            t = parse_instant(at, default_tz=tz)
        except ClockError as exc:
            return error(str(exc), 400)
        doc: StateDocument = show.state_at(t)
        seq = None
    else:
        # The state is constant between two changes: only its instant moves.
        doc = show.document
        doc = StateDocument(
            at=show.clock.now().astimezone(tz).isoformat(),
            event=doc["event"],
            channels=doc["channels"],
        )
        seq = show.seq
    doc = public_state(doc, reader_scope(request, room))
    body = StateResponse(
        at=doc["at"],
        event=doc["event"],
        channels=view_channels(doc, view),
        seq=seq,
        server_time=now_ms(),
        clock=show.clock.model(),
    )
    return JSONResponse(body)


async def api_schedule(request: Request) -> Response:
    room = room_of(request)
    doc = public_schedule(schedule_document(room.schedule), reader_scope(request, room))
    body = ScheduleResponse(**doc, version=room.show.schedule_version)
    return JSONResponse(body)


MAX_SCHEDULE_BYTES = 5 * 1024 * 1024
"""The largest schedule ``POST /api/schedule`` reads (the schedule file's own cap)."""

_EDIT_STATUS = {
    EditOutcome.INVALID: 422,
    EditOutcome.REFUSED: 409,
    EditOutcome.ORPHANS: 409,
    EditOutcome.FAILED: 500,
}


async def api_schedule_post(request: Request) -> Response:
    """A new version of the schedule (operator token): the YAML text as the body
    (``?force=1`` to apply one that orphans journal entries), or
    ``{"text": ..., "force": bool, "source": str}``."""
    room = room_of(request)
    refused = _operator_error(request, room)
    if refused is not None:
        return refused
    if room.editor is None:
        return error("live edits are not running on this server", 503)
    raw = await request.body()
    if len(raw) > MAX_SCHEDULE_BYTES:
        return error(f"schedule too large ({len(raw)} bytes, at most {MAX_SCHEDULE_BYTES})", 413)
    force = request.query_params.get("force") in ("1", "true", "yes")
    source = "POST /api/schedule"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return error(f"not UTF-8 text: byte {exc.start}", 400)
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = parse_json(text)
        except ValueError as exc:
            return error(f"not JSON: {exc}", 400)
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            return error('a JSON body is {"text": "...YAML...", "force": false}', 400)
        text, force = data["text"], data.get("force") is True or force
        source = str(data.get("source") or source)[:200]
    edit = await room.editor.offer(text, source=source, force=force)
    if edit.ok and edit.version is not None:
        applied = ScheduleApplied(
            version=edit.version,
            unchanged=edit.outcome is EditOutcome.UNCHANGED,
            orphans=list(edit.orphans),
        )
        return JSONResponse(applied.model_dump())
    body = ScheduleRefused(
        error=edit.error or edit.outcome.value,
        problems=list(edit.problems),
        orphans=list(edit.orphans),
    )
    return JSONResponse(body.model_dump(), status_code=_EDIT_STATUS.get(edit.outcome, 500))


async def api_commands(request: Request) -> Response:
    room = room_of(request)
    identity = caller_identity(request, room)
    if isinstance(identity, JSONResponse):
        return identity
    try:
        data: Any = parse_json(await request.body())
    except ValueError as exc:
        return error(f"not JSON: {exc}", 400)
    who = request.headers.get("x-operator") or ("operator" if identity.is_operator else "")
    if isinstance(data, dict) and "command" in data and "type" not in data:
        who = str(data.get("by") or who)
        data = data["command"]
    result = await room.dispatcher.submit(data, Caller(who=who, identity=identity))
    if not result.ok or result.seq is None:
        return error(result.error or "refused", STATUS[result.outcome], detail=result.detail)
    show = room.show
    # built unvalidated: the document is the engine's own output, already journaled and on air
    accepted = CommandAccepted.model_construct(
        seq=result.seq, state_seq=show.seq, state=public_state(show.document, note_scope(identity))
    )
    return JSONResponse(accepted.model_dump(mode="json"))


async def api_journal(request: Request) -> Response:
    room = room_of(request)
    refused = _operator_error(request, room)
    if refused is not None:
        return refused
    journal = room.show.journal
    body = JournalResponse(
        entries=room.show.journal_entries(),
        switches=[s.to_json() for s in journal.switches()],
        acks=[a.to_json() for a in journal.acks()],
    )
    return JSONResponse(body)


async def api_variables(request: Request) -> Response:
    room = room_of(request)
    view = channels_param(request.query_params.get("channels"))
    now = room.show.now().astimezone(room.schedule.event.timezone)
    channels = variables_of(room.show.document, now, view, room.desk.feed_losses())
    body = VariablesResponse(
        server_time=now_ms(),
        show_time=now.isoformat(),
        channels=channels,
    )
    return JSONResponse(body)


async def health(request: Request) -> Response:
    room = room_of(request)
    body: HealthBody = {"status": room.phase, **room.show.health()}  # type: ignore[typeddict-item]
    if room.cluster is not None:  # serve --redis (docs/cluster.md)
        body["cluster"] = room.cluster.health()  # type: ignore[typeddict-unknown-key]
    return JSONResponse(body)


async def ready(request: Request) -> Response:
    room = room_of(request)
    body = ReadyBody(ready=room.ready, status=room.phase)
    return JSONResponse(body, status_code=200 if body["ready"] else 503)


async def metrics(request: Request) -> Response:
    state = request.app.state
    found: Metrics | None = getattr(state, "metrics", None)
    if found is None:  # an app built without create_app
        found = state.metrics = Metrics(room_of(request))
    return Response(found.exposition(), media_type=CONTENT_TYPE)


async def version(request: Request) -> Response:
    body = VersionBody(
        version=__version__,
        protocol=PROTOCOL_VERSION,
        python=sys.version.split()[0],
        event=room_of(request).show.document["event"],
    )
    return JSONResponse(body)
