"""A real websocket client for end-to-end tests (the ``websockets`` library).

    async with WsClient.connect(server.ws_url, hello={"role": "timer", "channels": ["main"]}) as c:
        state = await c.wait_for(lambda m: m["type"] == "state")

Every received message is decoded, stamped with the local receive time
(``_received_ms``, epoch milliseconds) and kept in order in ``messages``.
``wait_for`` waits, with a deadline, for a message matching a predicate.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

__all__ = ["Message", "WsClient"]

Message = dict[str, Any]


class WsClient:
    """A connected client that reads every message in a background task."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.messages: list[Message] = []
        self.closed: BaseException | None = None
        self._arrived = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())
        self._ids = 0

    @classmethod
    @asynccontextmanager
    async def connect(
        cls,
        url: str,
        *,
        hello: dict[str, Any] | None = None,
        origin: str | None = None,
        open_timeout: float = 10,
    ) -> AsyncIterator[WsClient]:
        """Connect (and say hello, if given); close on exit."""
        async with connect(
            url,
            origin=origin,  # type: ignore[arg-type]
            compression=None,
            open_timeout=open_timeout,
            max_size=None,
            ping_interval=None,
        ) as connection:
            client = cls(connection)
            try:
                if hello is not None:
                    await client.send({"type": "hello", **hello})
                yield client
            finally:
                client._reader.cancel()
                await asyncio.gather(client._reader, return_exceptions=True)

    async def _read(self) -> None:
        try:
            async for raw in self.connection:
                received = time.time() * 1000
                message = json.loads(raw)
                message["_received_ms"] = received
                async with self._arrived:
                    self.messages.append(message)
                    self._arrived.notify_all()
        except ConnectionClosed as exc:
            self.closed = exc
        finally:
            async with self._arrived:
                if self.closed is None:
                    self.closed = ConnectionError("reader stopped")
                self._arrived.notify_all()

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    async def send(self, message: Message | str) -> None:
        await self.connection.send(message if isinstance(message, str) else json.dumps(message))

    def of_type(self, kind: str) -> list[Message]:
        return [m for m in self.messages if m["type"] == kind]

    async def wait_for(
        self,
        predicate: Callable[[Message], bool],
        *,
        timeout: float = 10.0,
        after: int = 0,
        what: str = "",
    ) -> Message:
        """The first message (from index ``after``) matching ``predicate``; waits for it."""
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._arrived:
            while True:
                for message in self.messages[after:]:
                    if predicate(message):
                        return message
                if self.closed is not None:
                    raise AssertionError(f"connection closed ({self.closed!r}) waiting for {what}")
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    types = [m["type"] for m in self.messages[-10:]]
                    raise AssertionError(
                        f"no {what or 'matching message'} in {timeout:g} s (last: {types})"
                    )
                try:
                    async with asyncio.timeout(remaining):
                        await self._arrived.wait()
                except TimeoutError:
                    pass

    async def request(self, message: Message, *, timeout: float = 10.0) -> Message:
        """Send a message with a fresh id and wait for the reply carrying that id."""
        ref = self.next_id()
        mark = len(self.messages)
        await self.send({**message, "id": ref})
        return await self.wait_for(
            lambda m: m.get("id") == ref and m["type"] in ("result", "error", "pong"),
            timeout=timeout,
            after=mark,
            what=f"reply to {message['type']} #{ref}",
        )

    async def command(self, command: Message, *, timeout: float = 10.0) -> Message:
        return await self.request({"type": "command", "command": command}, timeout=timeout)

    def states(self) -> list[Message]:
        return self.of_type("state")
