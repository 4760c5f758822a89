"""The journal's one writer: a single thread, so the event loop never waits on fsync.

Every write to the journal (commands, acknowledgements, switcher attempts) goes through
:meth:`JournalWriter.run`, in the order it was asked: SQLite is written by one thread,
and a slow disk delays the write's answer, never the screens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["JournalWriter"]

T = TypeVar("T")


class JournalWriter:
    """Runs journal writes on one thread, in order."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")

    async def run(self, fn: Callable[[], T]) -> T:
        """Run ``fn()`` on the writer thread and return its result (or raise its error)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn)

    def shutdown(self) -> None:
        """Wait for the writes in flight, then stop the thread."""
        self._pool.shutdown(wait=True)
