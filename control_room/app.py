"""The Starlette app: HTTP API, the websocket, the screens.

Routes (see docs/protocol.md):

- ``GET /api/state`` (``?at=ISO`` for any instant, ``?channels=a,b``), ``GET /api/schedule``
- ``POST /api/commands`` (``Authorization: Bearer TOKEN``), ``GET /api/journal`` (token)
- ``GET /-/health``, ``GET /-/version``
- websocket ``/ws``
- the screens (``/``, ``/regie``, ``/overlay/{channel}``, ``/timer/{channel}``, ``/static``)
  from :mod:`control_room.pages` when it is present.

The app's lifespan starts the :class:`~control_room.live.Live` show (its
APScheduler alarm and the integrations) and stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, assert_never
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from control_room import __version__
from control_room.clock import ClockError, parse_instant
from control_room.core.commands import CommandInvalid
from control_room.core.document import schedule_document
from control_room.core.timeline import CommandRejected
from control_room.hub import Client, ClientGone, SlowClient, View
from control_room.live import Live
from control_room.protocol import (
    PROTOCOL_VERSION,
    Ack,
    CommandRequest,
    Hello,
    Ping,
    ProtocolError,
    Role,
    SwitcherRequest,
    encode,
    error_message,
    now_ms,
    parse_client_message,
    pong_message,
    result_message,
)

__all__ = ["Integration", "create_app", "origin_allowed"]

logger = logging.getLogger(__name__)

Integration = Callable[[Live], AbstractAsyncContextManager[None]]
"""Something started with the show and stopped after it (the OBS switcher): an async
context manager factory receiving the :class:`Live` show."""

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
CLOSE_POLICY = 1008  # websocket close code: policy violation (origin, too slow)


def origin_allowed(origin: str | None, host: str | None, allowed: Sequence[str]) -> bool:
    """The websocket Origin rule: no Origin (not a browser), the same origin, or an allowed one.

    Args:
        origin: the request's ``Origin`` header.
        host: the request's ``Host`` header.
        allowed: extra allowed origins (``scheme://host[:port]``), or ``"*"`` for any.
    """
    if origin is None:
        return True
    if "*" in allowed:
        return True
    normalized = origin.rstrip("/").lower()
    if normalized in {a.rstrip("/").lower() for a in allowed}:
        return True
    parts = urlsplit(normalized)
    return host is not None and parts.scheme in ("http", "https") and parts.netloc == host.lower()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _token_ok(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def _unauthorized(message: str) -> JSONResponse:
    return JSONResponse(
        {"ok": False, "error": message},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="control-room"'},
    )


def _channels_param(value: str | None) -> View:
    if not value:
        return None
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def create_app(
    live: Live,
    *,
    allow_origins: Sequence[str] = (),
    integrations: Sequence[Integration] = (),
    web_dir: Path | None = WEB_DIR,
) -> Starlette:
    """Build the app around a :class:`Live` show.

    Args:
        live: the show (not yet started; the lifespan starts it).
        allow_origins: websocket origins allowed besides the server's own.
        integrations: started after the show, stopped before it.
        web_dir: where ``templates/`` and ``static/`` live (None: no screens).
    """
    allowed = tuple(allow_origins)

    # -- HTTP ---------------------------------------------------------------------

    async def api_state(request: Request) -> Response:
        at = request.query_params.get("at")
        view = _channels_param(request.query_params.get("channels"))
        if at:
            try:
                t = parse_instant(at, default_tz=live.schedule.event.timezone)
            except ClockError as exc:
                return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
            doc = live.state_at(t)
            seq = None
        else:
            # The state is constant between two changes: only its instant moves.
            doc = dict(live.document)
            doc["at"] = live.clock.now().astimezone(live.schedule.event.timezone).isoformat()
            seq = live.seq
        body = dict(doc)
        if view is not None:
            body["channels"] = [c for c in doc["channels"] if c["id"] in view]
        body.update(seq=seq, server_time=now_ms(), clock=live.clock.model())
        return JSONResponse(body)

    async def api_schedule(request: Request) -> Response:
        return JSONResponse(schedule_document(live.schedule))

    async def api_commands(request: Request) -> Response:
        if _bearer(request) is None:
            return _unauthorized("operator token required (Authorization: Bearer TOKEN)")
        if not _token_ok(_bearer(request), live.token):
            return _unauthorized("invalid operator token")
        try:
            data = json.loads(await request.body())
        except ValueError as exc:
            return JSONResponse({"ok": False, "error": f"not JSON: {exc}"}, status_code=400)
        who = request.headers.get("x-operator") or "operator"
        if isinstance(data, dict) and "command" in data and "type" not in data:
            who = str(data.get("by") or who)
            data = data["command"]
        try:
            record = await live.submit(data, who=who[:80])
        except CommandInvalid as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
        except CommandRejected as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=409)
        except Exception as exc:  # the journal could not be written: nothing applied
            logger.exception("command failed")
            return JSONResponse({"ok": False, "error": f"not applied: {exc}"}, status_code=500)
        return JSONResponse(
            {"ok": True, "seq": record.seq, "state_seq": live.seq, "state": live.document}
        )

    async def api_journal(request: Request) -> Response:
        if not _token_ok(_bearer(request), live.token):
            return _unauthorized("operator token required (Authorization: Bearer TOKEN)")
        return JSONResponse(
            {
                "entries": [live._record_texts[r.seq] for r in live.records],
                "switches": [s.to_json() for s in live.journal.switches()],
                "acks": [a.to_json() for a in live.journal.acks()],
            }
        )

    async def health(request: Request) -> Response:
        return JSONResponse(live.health())

    async def version(request: Request) -> Response:
        return JSONResponse(
            {
                "version": __version__,
                "protocol": PROTOCOL_VERSION,
                "python": sys.version.split()[0],
                "event": live.document["event"],
            }
        )

    # -- websocket ----------------------------------------------------------------

    async def ws_endpoint(websocket: WebSocket) -> None:
        if not origin_allowed(
            websocket.headers.get("origin"), websocket.headers.get("host"), allowed
        ):
            logger.warning("websocket refused: origin %s", websocket.headers.get("origin"))
            await websocket.close(code=CLOSE_POLICY)
            return
        await websocket.accept()
        params = websocket.query_params
        try:
            role = Role(params.get("role", "viewer"))
        except ValueError:
            role = Role.VIEWER
        client = live.hub.client(
            websocket.send_text, role=role, channels=_channels_param(params.get("channels"))
        )
        client.authenticated = _token_ok(params.get("token"), live.token)
        live.hub.add(client)
        live.greet(client)
        sender = asyncio.create_task(client.run())
        receiver = asyncio.create_task(_receive(websocket, client))
        slow = False
        try:
            done, _ = await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if sender in done and not sender.cancelled():
                slow = isinstance(sender.exception(), SlowClient)
                if slow:
                    logger.warning("client %s closed: %s", client, sender.exception())
        finally:
            for task in (sender, receiver):
                task.cancel()
            results = await asyncio.gather(sender, receiver, return_exceptions=True)
            for result in results:
                if isinstance(result, Exception) and not isinstance(
                    result, SlowClient | ClientGone
                ):
                    logger.error("websocket client %s failed: %r", client, result)
            live.hub.remove(client, slow=slow)
        if slow:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1.0):
                    await websocket.close(code=CLOSE_POLICY, reason="too slow")

    async def _receive(websocket: WebSocket, client: Client) -> None:
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
                client.enqueue(encode(error_message(exc.error, ref=exc.ref)))
                continue
            try:
                await _handle(client, parsed, received)
            except Exception as exc:  # a bug or a failing disk must not cut the link
                logger.exception("handling %s from %s failed", parsed.type, client)
                client.enqueue(
                    encode(
                        error_message(
                            f"internal error: {type(exc).__name__}",
                            ref=getattr(parsed, "id", None),
                        )
                    )
                )

    async def _handle(
        client: Client,
        message: Hello | Ping | CommandRequest | Ack | SwitcherRequest,
        received: float,
    ) -> None:
        match message:
            case Ping(id=ref, t0=t0):
                client.enqueue(lambda: encode(pong_message(ref, t0, received)))
            case Hello():
                channels = None if message.channels is None else frozenset(message.channels)
                unknown = sorted((channels or set()) - set(live.channel_ids))
                if unknown:
                    client.enqueue(encode(error_message(f"unknown channels: {', '.join(unknown)}")))
                if message.token is not None:
                    client.authenticated = _token_ok(message.token, live.token)
                    if not client.authenticated:
                        client.enqueue(
                            encode(
                                error_message(
                                    "invalid operator token", detail={"code": "unauthorized"}
                                )
                            )
                        )
                elif message.role is Role.REGIE and not client.authenticated:
                    client.enqueue(
                        encode(
                            error_message(
                                "the régie needs the operator token; read-only until given",
                                detail={"code": "unauthorized"},
                            )
                        )
                    )
                client.name = message.name
                client.lang = message.lang
                live.hub.subscribe(client, role=message.role, channels=channels)
                live.greet(client)
            case CommandRequest(id=ref):
                if not client.authenticated:
                    client.enqueue(
                        encode(
                            result_message(
                                ref, ok=False, error="unauthorized: operator token required"
                            )
                        )
                    )
                    return
                try:
                    record = await live.submit(message.command, who=client.name or "regie")
                except (CommandInvalid, CommandRejected) as exc:
                    client.enqueue(encode(result_message(ref, ok=False, error=str(exc))))
                except Exception as exc:  # the journal could not be written: nothing applied
                    logger.exception("command failed")
                    client.enqueue(
                        encode(result_message(ref, ok=False, error=f"not applied: {exc}"))
                    )
                else:
                    client.enqueue(encode(result_message(ref, ok=True, seq=record.seq)))
            case Ack(channel=channel, message_id=message_id, name=name):
                try:
                    await live.ack(channel, message_id, name or client.name or "moderator")
                except CommandRejected as exc:
                    client.enqueue(encode(error_message(str(exc))))
            case SwitcherRequest(id=ref, channel=channel, action=action):
                if not client.authenticated:
                    client.enqueue(
                        encode(
                            result_message(
                                ref, ok=False, error="unauthorized: operator token required"
                            )
                        )
                    )
                    return
                try:
                    await live.switcher_action(channel, action.value)
                except Exception as exc:  # a switcher's failure is reported, never fatal
                    client.enqueue(encode(result_message(ref, ok=False, error=str(exc))))
                else:
                    client.enqueue(encode(result_message(ref, ok=True)))
            case _:
                assert_never(message)

    # -- assembly -----------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await live.start()
        try:
            async with contextlib.AsyncExitStack() as stack:
                for integration in integrations:
                    await stack.enter_async_context(integration(live))
                yield
        finally:
            await live.stop()

    routes: list[BaseRoute] = [
        Route("/api/state", api_state, methods=["GET", "HEAD"]),
        Route("/api/schedule", api_schedule, methods=["GET", "HEAD"]),
        Route("/api/commands", api_commands, methods=["POST"]),
        Route("/api/journal", api_journal, methods=["GET"]),
        Route("/-/health", health, methods=["GET", "HEAD"]),
        Route("/-/version", version, methods=["GET", "HEAD"]),
        WebSocketRoute("/ws", ws_endpoint),
    ]
    routes.extend(_page_routes(web_dir))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.live = live
    return app


def _page_routes(web_dir: Path | None) -> list[BaseRoute]:
    if web_dir is None:
        return []
    try:
        from control_room.pages import page_routes
    except ImportError:  # the screens are optional for the API
        return []
    result: list[Any] = page_routes(web_dir / "templates", web_dir / "static")
    return result
