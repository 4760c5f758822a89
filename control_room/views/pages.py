"""The screens: HTML pages and their static assets.

The pages are thin shells: every screen is drawn in the browser by plain JS modules
(``web/static``) from the one websocket state stream. This module only renders the
templates (``web/templates``) with what the browser needs to connect: the role, the
channel it follows, the language and the page's query options.

Every text here is rendered with Jinja2 autoescaping on; texts from the schedule or
an operator never reach the templates at all (the browser inserts them as text).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from control_room.auth import Identity
from control_room.room import Room
from control_room.views.api import note_scope
from control_room.views.login import exchange

__all__ = ["page_routes", "LANGUAGES"]

#: Languages of the screens; the first is the default.
LANGUAGES = ("fr", "en")

_CHANNEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

#: Pages load only their own scripts and styles and talk only to their own origin.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'"
)

_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class _RevalidatedStaticFiles(StaticFiles):
    """Static files the browser must revalidate on every load (a cheap 304).

    The JS modules import each other by plain relative URLs, so a stale cached
    module after an upgrade would mix versions; ``no-cache`` rules that out.
    """

    def file_response(
        self,
        full_path: Any,
        stat_result: Any,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def _assets_version(static_dir: Path) -> str:
    """A short fingerprint of the static assets, appended to their URLs."""
    digest = hashlib.sha256()
    if static_dir.is_dir():
        for path in sorted(static_dir.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(static_dir)}:{stat.st_size}:{stat.st_mtime_ns}".encode()
                )
    return digest.hexdigest()[:10]


def _language(request: Request) -> str:
    lang = request.query_params.get("lang", "")
    return lang if lang in LANGUAGES else LANGUAGES[0]


def _reads_notes(identity: Identity | None, channel: str) -> bool:
    """Whether ``identity`` reads ``channel``'s private notes (the operator, or a moderator
    token of that channel): who may open its backstage view."""
    if identity is None:
        return False
    scope = note_scope(identity)
    return scope is None or channel in scope


def page_routes(templates_dir: Path, static_dir: Path) -> list[BaseRoute]:
    """The routes of the screens and of their static assets.

    Args:
        templates_dir: the Jinja2 templates (``web/templates``).
        static_dir: the JS and CSS served under ``/static`` (``web/static``).

    Returns:
        ``GET /`` (viewer programme), ``GET /regie``, ``GET /overlay/{channel}``,
        ``GET /timer/{channel}``, ``GET /backstage/{channel}`` (behind a régie or moderator
        session), ``GET /clock`` (the studio clock) and a ``/static`` mount named ``static``.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    version = _assets_version(static_dir)

    def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
        lang = _language(request)
        body = env.get_template(template).render(
            lang=lang,
            asset_version=version,
            query=dict(request.query_params),
            **context,
        )
        return HTMLResponse(body, status_code=status, headers=_PAGE_HEADERS)

    def channel_of(request: Request) -> str | None:
        channel = str(request.path_params["channel"])
        return channel if _CHANNEL_ID.match(channel) else None

    async def programme(request: Request) -> Response:
        return render(request, "programme.html", page="programme", channel="")

    async def regie(request: Request) -> Response:
        if "token" in request.query_params:  # an old printout: log in, then the clean URL
            return await exchange(request)
        return render(request, "regie.html", page="regie", channel="")

    async def overlay(request: Request) -> Response:
        channel = channel_of(request)
        if channel is None:
            return render(request, "not_found.html", 404, page="not-found", channel="")
        return render(request, "overlay.html", page="overlay", channel=channel)

    async def timer(request: Request) -> Response:
        channel = channel_of(request)
        if channel is None:
            return render(request, "not_found.html", 404, page="not-found", channel="")
        if "token" in request.query_params:  # a moderator's link: log in, then the clean URL
            return await exchange(request)
        return render(request, "timer.html", page="timer", channel=channel)

    async def backstage(request: Request) -> Response:
        channel = channel_of(request)
        room: Room = request.app.state.room
        if channel is None or channel not in room.show.channel_ids:
            return render(request, "not_found.html", 404, page="not-found", channel="")
        if "token" in request.query_params:  # a moderator's or the régie's link: log in
            return await exchange(request)
        identity = room.auth.check(room.auth.request_token(request.headers, request.cookies))
        if not _reads_notes(identity, channel):
            # The shell never holds a note (they come by the websocket, by the same scope),
            # but a refused visitor gets no screen at all: a login link instead.
            status = 401 if identity is None else 403
            refused = "forbidden" if identity is not None else "unauthorized"
            return render(
                request,
                "backstage.html",
                status,
                page="not-found",
                channel=channel,
                refused=refused,
            )
        return render(request, "backstage.html", page="backstage", channel=channel, refused="")

    async def studio_clock(request: Request) -> Response:
        return render(request, "clock.html", page="studio-clock", channel="")

    return [
        Route("/", programme, methods=["GET", "HEAD"], name="programme"),
        Route("/regie", regie, methods=["GET", "HEAD"], name="regie"),
        Route("/overlay/{channel}", overlay, methods=["GET", "HEAD"], name="overlay"),
        Route("/timer/{channel}", timer, methods=["GET", "HEAD"], name="timer"),
        Route("/backstage/{channel}", backstage, methods=["GET", "HEAD"], name="backstage"),
        Route("/clock", studio_clock, methods=["GET", "HEAD"], name="studio_clock"),
        Mount("/static", app=_RevalidatedStaticFiles(directory=str(static_dir)), name="static"),
    ]
