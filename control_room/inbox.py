"""Lean stand-ins for the asyncio queue and event every websocket connection holds.

An idle screen's connection keeps uvicorn's ``asyncio.Queue`` of incoming ASGI events
(three deques, and an ``Event`` with a fourth) and a ``writable`` ``asyncio.Event`` (a
fifth): an empty deque is a 64-slot block, so about 3.5 KB per connection in deques that
are empty nearly all the time (tracemalloc of 1,000 idle screens). :class:`Inbox` and
:class:`Flag` do what uvicorn's websocket protocol and the hub ask of them, with nothing
allocated until something waits (control_room/transport.py installs them).
"""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

__all__ = ["Flag", "Inbox"]

T = TypeVar("T")


class Inbox(Generic[T]):
    """A queue with one consumer: ``put_nowait``, ``get``, ``empty`` (what uvicorn's
    websocket protocol uses of its ``asyncio.Queue``), unbounded, in order."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[T] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: T) -> None:
        if self._items is None:
            self._items = [item]
        else:
            self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items or ())

    async def get(self) -> T:
        """The oldest item, waiting for one if there is none.

        Raises:
            RuntimeError: another coroutine is already waiting (one consumer only).
        """
        while not self._items:
            if self._waiter is not None:
                raise RuntimeError("Inbox.get: one consumer only")
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        items = self._items
        assert items is not None
        item = items.pop(0)  # a handful at most: the app reads as they come
        if not items:
            self._items = None
        return item


class Flag:
    """An event: ``set``, ``clear``, ``is_set``, ``wait`` (what the websocket protocol and
    the hub use of ``writable``), with no waiter list until somebody waits."""

    __slots__ = ("_set", "_waiters")

    def __init__(self, value: bool = False) -> None:
        self._set = value
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        if self._set:
            return
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = [waiter]
        else:
            self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
        return True
