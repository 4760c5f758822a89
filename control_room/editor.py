"""Live edits: a new version of the schedule swapped in without a restart.

Two doors, one path (:meth:`ScheduleEditor.offer`): the schedule file ``serve`` was given,
watched while the show runs (:meth:`ScheduleEditor.watch`), and ``POST /api/schedule``
with the operator's token. A version is applied only when it

1. parses: every problem is listed, the régie shows them, the old version stays on air;
2. is the same show: the same date and time zone (the journal's instants are the event's);
3. orphans no journal entry (a command naming a channel, segment or site the new version
   lacks), unless the operator forces it; the orphaned commands are then skipped by the
   replay, as a restart would skip them.

An applied version is kept in the data dir (:mod:`control_room.versions`, named in the
journal's meta), the journal is replayed against it once, and every screen gets the new
state with the new ``schedule_version`` (the pages that show the programme refetch it).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path

from control_room.core.compat import orphans, same_event
from control_room.core.schedule import ScheduleError
from control_room.core.schedule_yaml import parse_schedule
from control_room.room import Room
from control_room.versions import store

__all__ = ["Edit", "EditOutcome", "ScheduleEditor", "editor_integration"]

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.25
"""How often the watched file is looked at (its size and modification time)."""


class EditOutcome(StrEnum):
    APPLIED = "applied"  # on air, kept in the data dir
    UNCHANGED = "unchanged"  # the same text as the version on air
    INVALID = "invalid"  # it does not parse: ``problems``
    REFUSED = "refused"  # another show (date, time zone): ``error``
    ORPHANS = "orphans"  # it would orphan journal entries: ``orphans`` (force to apply)
    FAILED = "failed"  # it could not be kept in the data dir: nothing applied


@dataclass(frozen=True, slots=True)
class Edit:
    """The outcome of one offered version."""

    outcome: EditOutcome
    source: str
    version: int | None = None
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome in (EditOutcome.APPLIED, EditOutcome.UNCHANGED)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ScheduleEditor:
    """The one path of a new schedule version into the running show.

    Args:
        room: the running room.
        data_dir: where versions are kept.
        path: the schedule file to watch (None: only ``POST /api/schedule``).
        text: the text of the version on air.
        refuse: why every new version is refused (a cluster: docs/cluster.md), or None.
    """

    def __init__(
        self, room: Room, *, data_dir: Path, path: Path | None, text: str, refuse: str | None = None
    ) -> None:
        self.room = room
        self.refuse = refuse
        self.data_dir = data_dir
        self.path = path
        self._sha = _sha(text)
        self._lock = asyncio.Lock()
        self.last: Edit | None = None

    async def offer(self, text: str, *, source: str, force: bool = False) -> Edit:
        """Check a new version and apply it if it may be; tell the régie either way."""
        async with self._lock:
            edit = await self._offer(text, source=source, force=force)
        if edit.outcome is not EditOutcome.UNCHANGED:
            self.last = edit
            self.room.desk.schedule_edited(edit)
            logger.info("schedule %s from %s: %s", edit.outcome, source, edit.error or "")
        return edit

    async def _offer(self, text: str, *, source: str, force: bool) -> Edit:
        show = self.room.show
        if _sha(text) == self._sha:
            return Edit(EditOutcome.UNCHANGED, source, version=show.schedule_version)
        if self.refuse is not None:
            return Edit(EditOutcome.REFUSED, source, error=self.refuse)
        try:
            schedule = parse_schedule(text, source=source)
        except ScheduleError as exc:
            error = f"{len(exc.problems)} problem(s): the schedule on air is kept"
            problems = [str(problem) for problem in exc.problems]
            return Edit(EditOutcome.INVALID, source, error=error, problems=problems)
        why = same_event(show.schedule, schedule)
        if why is not None:
            return Edit(EditOutcome.REFUSED, source, error=why)
        lost = [str(orphan) for orphan in orphans(schedule, show.entries)]
        if lost and not force:
            error = (
                f"{len(lost)} journal entr{'y' if len(lost) == 1 else 'ies'} would name "
                "what this version lacks; force it to apply (their commands are then skipped)"
            )
            return Edit(EditOutcome.ORPHANS, source, error=error, orphans=lost)
        journal = show.journal
        try:
            version = await show.writer.run(
                partial(store, self.data_dir, text, source=source, journal=journal)
            )
        except Exception as exc:  # the data dir could not be written: nothing applied
            logger.exception("storing a schedule version failed")
            return Edit(EditOutcome.FAILED, source, error=f"not applied: {exc}")
        await show.replace_schedule(schedule, version=version.number)
        self._sha = _sha(text)
        return Edit(EditOutcome.APPLIED, source, version=version.number, orphans=lost)

    async def watch(self, *, poll_seconds: float = POLL_SECONDS) -> None:
        """Offer the watched file's text each time it changes on disk (until cancelled)."""
        if self.path is None:
            return
        seen = self._stat()
        while True:
            await asyncio.sleep(poll_seconds)
            now = self._stat()
            if now == seen:
                continue
            seen = now
            try:
                text = await asyncio.to_thread(self.path.read_text, encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                error = f"cannot read {self.path}: {exc}"
                self.room.desk.schedule_edited(
                    Edit(EditOutcome.INVALID, str(self.path), error=error)
                )
                continue
            try:
                await self.offer(text, source=str(self.path))
            except Exception:  # a bug must not stop the watch: the show goes on
                logger.exception("offering %s failed", self.path)

    def _stat(self) -> tuple[int, int] | None:
        assert self.path is not None
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size


def editor_integration(
    *, data_dir: Path, path: Path | None, text: str, refuse: str | None = None
) -> Callable[[Room], AbstractAsyncContextManager[None]]:
    """The app integration: the editor on the room (``room.editor``), the file watched.

    Args:
        refuse: why every new version is refused (a cluster), or None.
    """

    @contextlib.asynccontextmanager
    async def integration(room: Room) -> AsyncIterator[None]:
        editor = ScheduleEditor(room, data_dir=data_dir, path=path, text=text, refuse=refuse)
        room.editor = editor
        task = asyncio.create_task(editor.watch())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            room.editor = None

    return integration
