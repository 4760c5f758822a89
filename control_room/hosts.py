"""The ``Host`` check: a request for a name this server does not serve is refused.

DNS rebinding: a page of ``evil.example`` makes its name resolve to this server's address,
then talks to it as its own origin (the Origin check passes: same origin, evil.example).
Every such request carries ``Host: evil.example``; refusing any Host that is not one of the
served names closes the door (HTTP: 421 Misdirected Request; websocket: refused before the
handshake completes).

The served names (:func:`served_hosts`): ``localhost``, 127.0.0.1 and ::1, the bind
address, the ``--public-url``'s host, and each ``--allow-host``. On a wildcard bind
(0.0.0.0, ::) any IP address literal is served as well: a browser that sends
``Host: 192.168.1.20`` has loaded the page from that address, which no DNS name can fake.
``--allow-host '*'`` turns the check off.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["IP_LITERALS", "HostCheck", "host_name", "served_hosts"]

logger = logging.getLogger(__name__)

_WILDCARDS = frozenset({"", "0.0.0.0", "::"})

IP_LITERALS = "[ip]"
"""In the served names: any IP address literal (no Host header can be this string)."""


def host_name(header: str) -> str:
    """The name of a ``Host`` header, lower case, without its port or IPv6 brackets."""
    value = header.strip().lower().rstrip(".")
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.partition(":")[0]
    return value


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def served_hosts(bind: str, *, public: str | None = None, extra: Iterable[str] = ()) -> list[str]:
    """The names ``serve`` answers for, by default and as asked (see the module doc).

    Args:
        bind: the ``--host`` it listens on (``*`` is added for IP literals on a wildcard).
        public: the ``--public-url`` (or its host), if any.
        extra: the ``--allow-host`` names (``*``: any).
    """
    names = ["localhost", "127.0.0.1", "::1"]
    if bind in _WILDCARDS:
        names.append(IP_LITERALS)
    else:
        names.append(host_name(bind))
    if public:
        hostname = urlsplit(public).hostname if "://" in public else host_name(public)
        if hostname:
            names.append(hostname.lower())
    names.extend(host_name(name) if name != "*" else "*" for name in extra)
    return list(dict.fromkeys(names))


class HostCheck:
    """ASGI middleware refusing requests whose ``Host`` is not a served name.

    Args:
        app: the app behind it.
        allowed: the served names (:func:`served_hosts`); ``*`` lets every Host through,
            :data:`IP_LITERALS` every IP address.
    """

    def __init__(self, app: ASGIApp, *, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(allowed)
        self.any = "*" in self.allowed

    def allows(self, header: str | None) -> bool:
        """Whether a request with this ``Host`` header is for this server."""
        if self.any:
            return True
        if not header:
            return False  # HTTP/1.1 requires it; a browser always sends it
        name = host_name(header)
        return name in self.allowed or (IP_LITERALS in self.allowed and _is_ip(name))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.any:
            await self.app(scope, receive, send)
            return
        header = None
        for key, value in scope.get("headers", ()):
            if key == b"host":
                header = value.decode("latin-1")
                break
        if self.allows(header):
            await self.app(scope, receive, send)
            return
        logger.warning("refused a request for host %r (see --allow-host)", header)
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        body = b"misdirected request: this server does not serve that host name (--allow-host)\n"
        await send(
            {
                "type": "http.response.start",
                "status": 421,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
