"""Logging in once: ``GET /login``, ``POST /login``, ``POST /logout``, and ``?token=``.

A browser gives its token once, to ``POST /login`` (the form, or the régie's token dialog
with ``Accept: application/json``); the answer sets the ``control_room_session`` cookie,
HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), ``Secure``
when served over HTTPS, and sends the browser to the page it came for (``next``, a path of
this server: ``/regie`` by default) without the token in the URL. The websocket and the
HTTP API take that cookie (:mod:`control_room.views.session`, :mod:`control_room.views.api`).

CSRF: besides SameSite=Strict, a ``POST`` from a browser must come from this server's own
pages (:func:`from_own_page`: its ``Origin``, else ``Sec-Fetch-Site: same-origin``).

``/regie?token=…`` (and ``/timer/{channel}?token=…``), the URLs of older printouts, still
work once: :func:`exchange` sets the cookie and redirects at once to the clean URL, so the
token leaves the address bar and the history (a redirect is not a history entry).

Failed logins are limited per client address (:class:`FailedLogins`): after
``LOGIN_FAILURES`` in ``LOGIN_WINDOW_SECONDS``, 429 with ``Retry-After``.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from control_room.auth import COOKIE, Identity, same_origin
from control_room.room import Room

__all__ = [
    "LOGIN_FAILURES",
    "LOGIN_WINDOW_SECONDS",
    "SESSION_SECONDS",
    "FailedLogins",
    "exchange",
    "from_own_page",
    "login_routes",
    "safe_next",
]

LOGIN_FAILURES = 5
"""Failed logins allowed per client address per window."""

LOGIN_WINDOW_SECONDS = 60.0
"""The window of :data:`LOGIN_FAILURES`."""

SESSION_SECONDS = 24 * 3600
"""How long the session cookie lasts (a show day; a restart of the server keeps it)."""

_FORM_LIMIT = 4096

_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: a form POST then carries its real Origin
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@dataclass
class FailedLogins:
    """Failed logins per client address, in a sliding window (pure: ``now`` is given)."""

    limit: int = LOGIN_FAILURES
    window: float = LOGIN_WINDOW_SECONDS
    _failures: dict[str, deque[float]] = field(default_factory=dict, repr=False)

    def retry_after(self, address: str, now: float) -> float | None:
        """Seconds until ``address`` may try again, or None if it may now."""
        times = self._failures.get(address)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[address]
            return None
        if len(times) < self.limit:
            return None
        return max(1.0, times[0] + self.window - now)

    def failed(self, address: str, now: float) -> None:
        """Count one failed login of ``address``."""
        if len(self._failures) > 10_000:  # a spray from many addresses: forget the stale
            for key in [k for k, v in self._failures.items() if v[-1] <= now - self.window]:
                del self._failures[key]
        self._failures.setdefault(address, deque()).append(now)


def _limits(request: Request) -> FailedLogins:
    state = request.app.state
    found: FailedLogins | None = getattr(state, "failed_logins", None)
    if found is None:
        found = state.failed_logins = FailedLogins()
    return found


def _address(request: Request) -> str:
    # Behind a trusted proxy, uvicorn has already put X-Forwarded-For here.
    return request.client.host if request.client is not None else "unknown"


def safe_next(value: str | None, default: str = "/regie") -> str:
    """``next``, if it is a path of this server (``/…``, never ``//host`` or a URL)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(c) < 0x20 for c in value):
        return default
    return value


def from_own_page(request: Request, room: Room) -> bool:
    """Whether a state-changing request comes from this server's own pages (CSRF);
    see :func:`~control_room.auth.same_origin`."""
    return same_origin(request.headers, room.allow_origins)


def _set_session(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _clear_session(response: Response, request: Request) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )


def _too_many(retry: float, *, json: bool) -> Response:
    seconds = str(int(retry + 0.999))
    text = f"too many failed logins from this address; try again in {seconds} s"
    headers = {"Retry-After": seconds, "Cache-Control": "no-store"}
    if json:
        return JSONResponse({"ok": False, "error": text}, status_code=429, headers=headers)
    return Response(text + "\n", status_code=429, media_type="text/plain", headers=headers)


def _check(request: Request, token: str) -> tuple[Identity | None, Response | None]:
    """The token checked under the failed-login limit: its identity, or the 429 to send."""
    limits, address, now = _limits(request), _address(request), time.monotonic()
    wants_json = "application/json" in request.headers.get("accept", "")
    retry = limits.retry_after(address, now)
    if retry is not None:
        return None, _too_many(retry, json=wants_json)
    room: Room = request.app.state.room
    identity = room.auth.check(token.strip() or None)
    if identity is None:
        limits.failed(address, now)
    return identity, None


async def exchange(request: Request) -> Response:
    """``GET /regie?token=…``: set the cookie and redirect to the URL without the token.

    A refused token redirects as well (``?login=refused``: the page says so); past the
    failed-login limit, 429.
    """
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
    identity, refused = _check(request, request.query_params.get("token", ""))
    if refused is not None:
        return refused
    if identity is None:
        params.append(("login", "refused"))
    query = urlencode(params)
    response = RedirectResponse(
        request.url.path + (f"?{query}" if query else ""),
        status_code=303,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
    if identity is not None:
        _set_session(response, request, request.query_params["token"].strip())
    return response


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form body (the login form, the régie's token dialog), first values only;
    a body past 4 KiB or of another type reads as empty."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return {}
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > _FORM_LIMIT:
            return {}
    fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=8)
    return {key: values[0] for key, values in fields.items() if values}


def login_routes(templates_dir: Path) -> list[BaseRoute]:
    """``GET``/``POST /login`` and ``POST /logout``.

    Args:
        templates_dir: where ``login.html`` is.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )

    def form(request: Request, *, next_path: str, status: int = 200, **context: Any) -> Response:
        lang = request.query_params.get("lang", "fr")
        body = env.get_template("login.html").render(
            lang="en" if lang == "en" else "fr",
            next=next_path,
            error=context.get("error"),
            who=context.get("who"),
        )
        return HTMLResponse(body, status_code=status, headers=_HEADERS)

    async def login_page(request: Request) -> Response:
        next_path = safe_next(request.query_params.get("next"))
        room: Room = request.app.state.room
        current = room.auth.check(request.cookies.get(COOKIE))
        return form(request, next_path=next_path, who=current.describe() if current else None)

    async def login(request: Request) -> Response:
        room: Room = request.app.state.room
        wants_json = "application/json" in request.headers.get("accept", "")
        data = await _form(request)
        next_path = safe_next(data.get("next"))
        if not from_own_page(request, room):
            text = "forbidden: log in from this server's own login page"
            if wants_json:
                return JSONResponse({"ok": False, "error": text}, status_code=403)
            return form(request, next_path=next_path, status=403, error=text)
        token = (data.get("token") or "").strip()
        identity, refused = _check(request, token)
        if refused is not None:
            return refused
        if identity is None:
            text = "token refused"
            if wants_json:
                return JSONResponse({"ok": False, "error": text}, status_code=401)
            return form(request, next_path=next_path, status=401, error=text)
        response: Response
        if wants_json:
            body = {"ok": True, "name": identity.name, "role": identity.role.value}
            response = JSONResponse(body, headers={"Cache-Control": "no-store"})
        else:
            response = RedirectResponse(next_path, status_code=303)
        _set_session(response, request, token)
        return response

    async def logout(request: Request) -> Response:
        room: Room = request.app.state.room
        if not from_own_page(request, room):
            return Response("forbidden\n", status_code=403, media_type="text/plain")
        response = RedirectResponse("/login", status_code=303)
        _clear_session(response, request)
        return response

    return [
        Route("/login", login_page, methods=["GET", "HEAD"], name="login_page"),
        Route("/login", login, methods=["POST"], name="login"),
        Route("/logout", logout, methods=["POST"], name="logout"),
    ]
