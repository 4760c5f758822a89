"""The Starlette app, assembled: routes to the views, the lifespan that runs the room.

The handlers live at module level in :mod:`control_room.views` and reach the
:class:`~control_room.room.Room` as ``request.app.state.room``. The lifespan starts the show
(its APScheduler alarm), then the integrations (the OBS switcher), and stops them in the
reverse order.
"""

from __future__ import annotations

import contextlib
import importlib.resources
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route, WebSocketRoute

from control_room.hosts import HostCheck
from control_room.metrics import Metrics
from control_room.room import Room
from control_room.views import api, api_docs, openapi
from control_room.views.login import login_routes
from control_room.views.pages import page_routes
from control_room.views.report import report_page
from control_room.views.session import ws_endpoint

__all__ = ["WEB_DIR", "Integration", "create_app", "packaged_web_dir"]

Integration = Callable[[Room], AbstractAsyncContextManager[None]]
"""Something started with the show and stopped before it (the OBS switcher): an async
context manager factory receiving the :class:`~control_room.room.Room`."""


def packaged_web_dir() -> Path:
    """Where the screens' ``templates/`` and ``static/`` are: ``control_room/web``.

    In a checkout (and an editable install) that is the symlink to the repository's
    ``web/``; in an installed wheel, the package data copied there. Found with
    :mod:`importlib.resources`, so ``control-room serve`` serves every page from any
    directory.

    Raises:
        RuntimeError: the package is not on the file system (a zipped install).
    """
    resource = importlib.resources.files("control_room").joinpath("web")
    if not isinstance(resource, Path):
        raise RuntimeError(f"control_room must be installed as files, not zipped ({resource})")
    return resource


WEB_DIR = packaged_web_dir()


def api_routes() -> list[BaseRoute]:
    """The JSON API and the websocket (see docs/protocol.md)."""
    return [
        Route("/api/state", api.api_state, methods=["GET", "HEAD"]),
        Route("/api/schedule", api.api_schedule, methods=["GET", "HEAD"]),
        Route("/api/schedule", api.api_schedule_post, methods=["POST"]),
        Route("/api/commands", api.api_commands, methods=["POST"]),
        Route("/api/journal", api.api_journal, methods=["GET"]),
        Route("/api/variables", api.api_variables, methods=["GET", "HEAD"]),
        Route("/report", report_page, methods=["GET"]),
        Route("/-/health", api.health, methods=["GET", "HEAD"]),
        Route("/-/ready", api.ready, methods=["GET", "HEAD"]),
        Route("/-/version", api.version, methods=["GET", "HEAD"]),
        Route("/metrics", api.metrics, methods=["GET"]),
        Route("/openapi.json", openapi.openapi_json, methods=["GET", "HEAD"]),
        Route("/api/docs", api_docs.api_docs, methods=["GET", "HEAD"]),
        Route("/api/docs.css", api_docs.api_docs_css, methods=["GET", "HEAD"]),
        WebSocketRoute("/ws", ws_endpoint),
    ]


def create_app(
    room: Room,
    *,
    integrations: Sequence[Integration] = (),
    web_dir: Path | None = WEB_DIR,
    allowed_hosts: Sequence[str] | None = None,
) -> Starlette:
    """Build the app around a :class:`~control_room.room.Room`.

    Args:
        room: the show and its parts (not yet started; the lifespan starts it).
        integrations: started after the show, stopped before it.
        web_dir: where ``templates/`` and ``static/`` live (None: no screens).
        allowed_hosts: the ``Host`` names served (:func:`~control_room.hosts.served_hosts`);
            any other is refused (:class:`~control_room.hosts.HostCheck`). None: no check
            (an app in a test's process).
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await room.start()
        try:
            async with contextlib.AsyncExitStack() as stack:
                for integration in integrations:
                    await stack.enter_async_context(integration(room))
                yield
                room.phase = "stopping"  # not ready any more: integrations stop first
        finally:
            await room.stop()

    routes = api_routes()
    if web_dir is not None:
        routes.extend(login_routes(web_dir / "templates"))
        routes.extend(page_routes(web_dir / "templates", web_dir / "static"))
    middleware = []
    if allowed_hosts is not None:
        middleware.append(Middleware(HostCheck, allowed=list(allowed_hosts)))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.room = room
    app.state.metrics = Metrics(room)  # its own registry: two apps never share counters
    return app
