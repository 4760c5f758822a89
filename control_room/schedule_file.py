"""Reading a schedule file: the one place the schedule touches the disk.

:func:`load_schedule` reads the bytes and hands the text to the pure parser
(:func:`control_room.core.schedule_yaml.parse_schedule`); a missing, unreadable, too
large or non-UTF-8 file is a :class:`~control_room.core.schedule.ScheduleError` like any
other problem, with the line where one can be known.
"""

from __future__ import annotations

from pathlib import Path

from control_room.core.schedule import Problem, Schedule, ScheduleError
from control_room.core.schedule_yaml import parse_schedule

__all__ = ["MAX_BYTES", "load_schedule"]

MAX_BYTES = 5_000_000
"""The largest schedule file read (a show day is about 25 kB)."""


def load_schedule(path: str | Path) -> Schedule:
    """Read and validate a schedule file.

    Args:
        path: the YAML file.

    Raises:
        ScheduleError: the file is missing, unreadable, too large, not UTF-8 text or
            invalid; every problem is listed.
    """
    p = Path(path)
    source = str(p)
    try:
        with p.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScheduleError([Problem(source, 0, "", f"cannot read: {reason}")]) from None
    if len(data) > MAX_BYTES:
        raise ScheduleError(
            [
                Problem(
                    source,
                    0,
                    "",
                    f"too large for a schedule (more than {MAX_BYTES:,} bytes); "
                    "is this the right file?",
                )
            ]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start : exc.end].hex(" ")
        raise ScheduleError(
            [
                Problem(
                    source,
                    line,
                    "",
                    f"not UTF-8 text: byte {exc.start} (column {column}) is 0x{bad}; save the "
                    "file as UTF-8 in your editor",
                )
            ]
        ) from None
    return parse_schedule(text.removeprefix("\ufeff"), source=source)
