"""The journal's one writer: a single thread, so the event loop never waits on fsync.

Every write to the journal (commands, acknowledgements, switcher attempts) goes through
:meth:`JournalWriter.run`, in the order it was asked: SQLite is written by one thread,
and a slow disk delays the write's answer, never the screens.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["JournalWriter", "WriteHook"]

T = TypeVar("T")

WriteHook = Callable[[str, float, object], None]
"""Called on the writer thread after each write: (its name, seconds it took, what it returned
or None if it raised). The name is the journal method's (``append``, ``record_switch``...)."""


def _name(fn: Callable[[], object]) -> str:
    inner = getattr(fn, "func", fn)  # a functools.partial of a journal method
    return str(getattr(inner, "__name__", "write"))


class JournalWriter:
    """Runs journal writes on one thread, in order."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")
        self._hooks: list[WriteHook] = []

    def on_write(self, hook: WriteHook) -> None:
        """Call ``hook(name, seconds, returned)`` on the writer thread after every write."""
        self._hooks.append(hook)

    async def run(self, fn: Callable[[], T]) -> T:
        """Run ``fn()`` on the writer thread and return its result (or raise its error)."""
        if not self._hooks:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn)
        hooks, name = list(self._hooks), _name(fn)

        def timed() -> T:
            started = time.perf_counter()
            returned: object = None
            try:
                returned = value = fn()
            finally:
                elapsed = time.perf_counter() - started
                for hook in hooks:
                    hook(name, elapsed, returned)
            return value

        return await asyncio.get_running_loop().run_in_executor(self._pool, timed)

    def shutdown(self) -> None:
        """Wait for the writes in flight, then stop the thread."""
        self._pool.shutdown(wait=True)
