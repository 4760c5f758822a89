"""Reading a schedule file: the one place the schedule touches the disk.

:func:`load_schedule` reads the bytes and hands the text to the pure parser
(:func:`control_room.core.schedule_yaml.parse_schedule`); a missing or unreadable file
is a :class:`~control_room.core.schedule.ScheduleError` like any other problem.
"""

from __future__ import annotations

from pathlib import Path

from control_room.core.schedule import Problem, Schedule, ScheduleError
from control_room.core.schedule_yaml import parse_schedule

__all__ = ["load_schedule"]


def load_schedule(path: str | Path) -> Schedule:
    """Read and validate a schedule file.

    Raises:
        ScheduleError: the file is missing, unreadable or invalid; every problem is listed.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScheduleError([Problem(str(p), 0, "", f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise ScheduleError([Problem(str(p), 0, "", "not UTF-8 text")]) from None
    return parse_schedule(text, source=str(p))
