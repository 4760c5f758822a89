"""The day as a data directory keeps it: the schedule, the journal and its audit records,
and what actually aired (for ``report`` and ``export``, after the show or during it).

:func:`open_archive` reads everything once, read-only: the schedule stored beside the
journal (:mod:`control_room.versions`, or a ``--schedule`` file instead), the commands,
the switcher attempts, the acknowledgements, the presence log, and computes the actual
times (:func:`control_room.core.actuals.actuals`) up to ``until``: the show time now on
the data directory's stored clock (a rehearsal's, or the real one), or the instant given.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from control_room.clock import Clock
from control_room.core.actuals import Actuals, actuals
from control_room.core.schedule import Schedule
from control_room.core.timeline import JournalEntry
from control_room.journal import AckRecord, Journal, PresenceSample, Record, SwitchRecord
from control_room.schedule_file import load_schedule
from control_room.show import entries_from_records
from control_room.versions import Version, current_schedule

__all__ = ["Archive", "open_archive", "show_now"]


@dataclass(frozen=True)
class Archive:
    """Everything the report and the exports need, read once."""

    schedule: Schedule
    version: Version | None
    records: list[Record]
    entries: list[JournalEntry]
    switches: list[SwitchRecord]
    acks: list[AckRecord]
    presence: list[PresenceSample]
    clock: dict[str, Any] | None
    until: dt.datetime
    actuals: Actuals


def show_now(
    settings: dict[str, Any] | None, *, wall: Callable[[], float] = time.time
) -> dt.datetime | None:
    """The show time now on a clock stored in a data dir (None: no clock stored)."""
    if not settings:
        return None
    clock = Clock(
        dt.datetime.fromisoformat(settings["origin_show"]),
        float(settings["origin_wall"]),
        float(settings["speed"]),
        rehearsal=bool(settings.get("rehearsal")),
    )
    return clock.show_time(wall())


def build_archive(
    schedule: Schedule,
    journal: Journal,
    *,
    until: dt.datetime,
    version: Version | None = None,
    entries: list[JournalEntry] | None = None,
) -> Archive:
    """The archive of an open journal (the server's own, for ``GET /report``).

    Raises:
        JournalError: the journal holds a command this version cannot read.
    """
    records = journal.records()
    if entries is None:
        entries = entries_from_records(records)
    return Archive(
        schedule=schedule,
        version=version,
        records=records,
        entries=entries,
        switches=journal.switches(),
        acks=journal.acks(),
        presence=journal.presence(),
        clock=journal.get_meta("clock"),
        until=until,
        actuals=actuals(schedule, entries, until),
    )


def open_archive(
    data_dir: str | Path,
    *,
    schedule_file: str | Path | None = None,
    until: dt.datetime | None = None,
    wall: Callable[[], float] = time.time,
) -> Archive:
    """Read a data directory's day.

    Args:
        data_dir: the data directory (opened read-only).
        schedule_file: the schedule to use instead of the one stored there.
        until: the instant the actuals run to (default: the show time now on the stored
            clock, or the end of the day's last segment when no clock is stored).
        wall: the source of wall time, for the stored clock.

    Raises:
        JournalError: not a data directory, no schedule stored and none given, or a
            command this version cannot read.
        ScheduleError: the schedule does not parse.
    """
    with Journal.open(data_dir, readonly=True) as journal:
        version: Version | None = None
        if schedule_file is not None:
            schedule = load_schedule(schedule_file)
        else:
            schedule, version = current_schedule(data_dir, journal=journal)
        if until is None:
            until = show_now(journal.get_meta("clock"), wall=wall)
        if until is None:
            until = max(seg.end for ch in schedule.channels for seg in ch.segments)
        return build_archive(schedule, journal, until=until, version=version)
