"""The schedule versions kept in a data directory: every schedule text the show ran on.

A journal means nothing without the schedule it was written for, so the data directory
keeps a copy of each schedule text applied to it::

    DATA/schedules/0001-3f2a9c1b7d4e.yaml     the first version (number, then sha-256/12)
    DATA/schedules/0002-....yaml              a later one (a live edit, a corrected file)

A version file is written once and never overwritten; storing a text equal to the current
version stores nothing. The journal's meta ``schedule_version`` and ``schedule_sha`` name the
current one, and ``schedule_versions`` lists them all with where they came from and when.
``report`` and ``export`` find the day's schedule from ``--data-dir`` alone with
:func:`current_schedule`.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from control_room.clock import from_epoch
from control_room.core.schedule import Schedule
from control_room.core.schedule_yaml import parse_schedule
from control_room.journal import Journal, JournalError

__all__ = ["SCHEDULES_DIR", "Version", "current_schedule", "current_version", "store", "versions"]

SCHEDULES_DIR = "schedules"
_NAME = re.compile(r"^(\d{4,})-([0-9a-f]{12})\.yaml$")


@dataclass(frozen=True, slots=True)
class Version:
    """One stored schedule text.

    Attributes:
        number: 1, 2, ... in the order stored.
        sha: the sha-256 of the text (hex).
        path: the stored copy.
        source: where the text came from (a file name, ``live edit by …``).
        stored_at: when it was stored (ISO UTC), or None if unknown.
        new: True when :func:`store` has just written it.
    """

    number: int
    sha: str
    path: Path
    source: str = ""
    stored_at: str | None = None
    new: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "sha": self.sha,
            "file": self.path.name,
            "source": self.source,
            "stored_at": self.stored_at,
        }


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def versions(data_dir: str | Path) -> list[Version]:
    """Every stored version of the data directory, oldest first (from the files)."""
    directory = Path(data_dir) / SCHEDULES_DIR
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _NAME.match(path.name)
        if match and path.is_file():
            found.append(Version(int(match.group(1)), "", path))
    found.sort(key=lambda v: v.number)
    return found


def store(
    data_dir: str | Path, text: str, *, source: str, journal: Journal | None = None
) -> Version:
    """Keep ``text`` as the current schedule version of ``data_dir``.

    A text equal to the current version is not stored again (its version is returned);
    any other text becomes a new version file, written atomically and never overwritten.

    Args:
        data_dir: the data directory (already initialised by :meth:`Journal.open`).
        text: the schedule text, as applied.
        source: where it came from, for the record (a file name, ``live edit by …``).
        journal: the open journal of ``data_dir`` (opened and closed here if None).

    Raises:
        JournalError: the data directory cannot be written.
    """
    directory = Path(data_dir)
    if journal is None:
        with Journal.open(directory, create=False) as own:
            return store(directory, text, source=source, journal=own)
    sha = _sha(text)
    current = current_version(directory, journal=journal)
    if current is not None and current.sha == sha and current.path.is_file():
        return current
    stored = versions(directory)
    number = (stored[-1].number if stored else 0) + 1
    folder = directory / SCHEDULES_DIR
    path = folder / f"{number:04d}-{sha[:12]}.yaml"
    stored_at = from_epoch(time.time()).isoformat().replace("+00:00", "Z")
    try:
        folder.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial")
        with partial.open("x", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(partial, path)  # fails rather than overwrite a version
        partial.unlink()
    except OSError as exc:
        raise JournalError(f"{path}: cannot store the schedule version: {exc}") from exc
    version = Version(number, sha, path, source, stored_at, new=True)
    history = list(journal.get_meta("schedule_versions") or [])
    history.append(version.to_json())
    journal.set_meta("schedule_versions", history)
    journal.set_meta("schedule_version", number)
    journal.set_meta("schedule_sha", sha)
    return version


def current_version(data_dir: str | Path, *, journal: Journal | None = None) -> Version | None:
    """The current schedule version of ``data_dir`` (None: none stored).

    The journal's ``schedule_version`` names it; without a journal, the newest file.
    """
    directory = Path(data_dir)
    stored = {v.number: v for v in versions(directory)}
    if not stored:
        return None
    meta: dict[str, Any] = {}
    if journal is not None:
        number = journal.get_meta("schedule_version")
        history = journal.get_meta("schedule_versions") or []
        meta = next((h for h in history if h.get("number") == number), {})
    else:
        number = None
    chosen = stored.get(number) if isinstance(number, int) else None
    if chosen is None:
        chosen = stored[max(stored)]
    sha = _sha(chosen.path.read_text(encoding="utf-8"))
    return Version(
        chosen.number, sha, chosen.path, str(meta.get("source", "")), meta.get("stored_at")
    )


def current_schedule(
    data_dir: str | Path, *, journal: Journal | None = None
) -> tuple[Schedule, Version]:
    """The schedule the data directory's journal was written for, parsed.

    Raises:
        JournalError: no schedule is stored in the data directory.
        ScheduleError: the stored text no longer parses (a newer format, a bug).
    """
    if journal is None:
        with Journal.open(data_dir, readonly=True) as own:
            return current_schedule(data_dir, journal=own)
    version = current_version(data_dir, journal=journal)
    if version is None:
        raise JournalError(
            f"{data_dir}: no schedule stored in this data directory (it was served by an older "
            "control-room); pass the schedule file with --schedule FILE"
        )
    text = version.path.read_text(encoding="utf-8")
    return parse_schedule(text, source=str(version.path)), version
