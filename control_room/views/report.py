"""``GET /report``: the after-show report for the operator, live from the running show.

The operator's token is required (``Authorization: Bearer TOKEN``, the régie's session
cookie, or ``?token=`` for a browser), checked with the room's
:class:`~control_room.auth.Auth`; 401 otherwise, 403 for a token of another role. The page
is :func:`control_room.report_render.report_html`, computed up to the show time now, with its own
Content-Security-Policy: nothing but its one inline stylesheet (by hash).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from control_room.archive import build_archive
from control_room.auth import COOKIE, bearer
from control_room.report import build_report
from control_room.report_render import report_csp, report_html
from control_room.versions import current_version
from control_room.views.api import error, room_of

__all__ = ["report_page"]


async def report_page(request: Request) -> Response:
    room = room_of(request)
    given = (
        bearer(request.headers)
        or request.query_params.get("token")
        or request.cookies.get(COOKIE)
        or None
    )
    identity = room.auth.check(given)
    if identity is None:
        if given is None:
            return error("operator token required (Authorization: Bearer TOKEN or ?token=)", 401)
        return error("invalid operator token", 401)
    if not identity.is_operator:
        return error(f"forbidden: the {identity.describe()} may not read the report", 403)
    show = room.show
    until, entries = show.now(), list(show.entries)

    def render() -> str:
        journal = show.journal
        version = current_version(journal.path.parent, journal=journal)
        archive = build_archive(
            room.schedule, journal, until=until, entries=entries, version=version
        )
        return report_html(build_report(archive))

    body = await asyncio.to_thread(render)
    headers = {
        "Cache-Control": "no-store",
        "Content-Security-Policy": report_csp(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return HTMLResponse(body, headers=headers)
