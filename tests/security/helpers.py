"""What the security tests share: tokens made in a server's data directory as
``control-room token create`` makes them (the running server re-reads the store), websocket
clients with handshake headers, a raw handshake, the journal's acknowledgements."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from tests.support.server import RunningServer
from tests.support.ws import WsClient

LONG_DAY = Path(__file__).resolve().parents[1] / "e2e" / "long-day.yaml"


def make_token(server: RunningServer, role: str, channels: list[str], name: str) -> str:
    """A token of the server's store, as ``control-room token create`` makes it."""
    from control_room.tokens import TokenRole, TokenStore

    _, token = TokenStore(server.data_dir).create(name, TokenRole(role), channels=channels)
    return token


@asynccontextmanager
async def ws_client(
    server: RunningServer,
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    hello: dict[str, Any] | None = None,
) -> AsyncIterator[WsClient]:
    """A websocket client with extra handshake headers (a session cookie, say)."""
    url = server.ws_url + (f"?{query}" if query else "")
    async with connect(
        url, additional_headers=headers or {}, compression=None, ping_interval=None
    ) as connection:
        client = WsClient(connection)
        try:
            if hello is not None:
                await client.send({"type": "hello", **hello})
            yield client
        finally:
            client._reader.cancel()
            await asyncio.gather(client._reader, return_exceptions=True)


def raw_handshake(port: int, host: str, *, path: str = "/ws") -> str:
    """The status line the server answers a websocket handshake for ``Host: host`` with."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n", 1)[0].decode()


def journal_acks(server: RunningServer) -> list[dict[str, Any]]:
    """The acknowledgements in the journal (read as the operator)."""
    status, body = server.request("GET", "/api/journal", token=server.token)
    assert status == 200, body
    acks: list[dict[str, Any]] = body["acks"]
    return acks


def raw_http(
    server: RunningServer,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], str, list[str]]:
    """One request, redirects not followed: status, headers (lower-cased), body, and every
    ``Set-Cookie`` header."""
    import http.client
    from urllib.parse import urlencode

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    body = None
    sent = dict(headers or {})
    if form is not None:
        body = urlencode(form)
        sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        cookies = response.headers.get_all("set-cookie") or []
        found = {k.lower(): v for k, v in response.getheaders()}
        return response.status, found, text, cookies
    finally:
        connection.close()
