"""What every subcommand shares: reading the schedule, reading ``--at``, saying no.

A refused schedule is printed the same way by ``validate``, ``state``, ``rundown``,
``serve`` and ``switcher check``: one ``file:line: field: message`` line per problem,
then ``FILE: refused, N problems``. ``--at`` is read by :func:`at_instant`, which is
:func:`control_room.clock.parse_instant` (the one instant parser, shared with the
HTTP ``?at=``) bound to the event's date and time zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from control_room.clock import parse_instant
from control_room.core.schedule import Schedule, ScheduleError
from control_room.schedule_file import load_schedule

__all__ = [
    "AT_HELP",
    "at_instant",
    "describe_clock",
    "load_or_report",
    "print_problems",
]

AT_HELP = (
    "ISO-8601 instant (e.g. 2026-07-07T11:50:00+02:00; without an offset, the event's "
    "time zone; a bare HH:MM is on the event's date)"
)
"""The help of every ``--at`` option."""


def print_problems(error: ScheduleError, path: str, err: TextIO) -> None:
    """Print why a schedule file was refused: every problem, then a count.

    Args:
        error: the refusal, with every problem found.
        path: the file, as the user named it.
        err: where to print (standard error).
    """
    for problem in error.problems:
        print(problem, file=err)
    n = len(error.problems)
    print(f"{path}: refused, {n} problem{'s' if n != 1 else ''}", file=err)


def load_or_report(path: str, err: TextIO) -> Schedule | None:
    """The schedule in ``path``, or None once :func:`print_problems` has said why not."""
    try:
        return load_schedule(path)
    except ScheduleError as error:
        print_problems(error, path, err)
        return None


def at_instant(text: str, schedule: Schedule) -> dt.datetime:
    """``--at``: an ISO-8601 instant, or a bare time of day on the event's date.

    Without an offset the instant is in the event's time zone.

    Raises:
        ClockError: not an instant; the message starts with ``--at:`` and gives examples.
    """
    event = schedule.event
    return parse_instant(text, default_tz=event.timezone, day=event.date, name="--at")


def describe_clock(settings: dict[str, Any]) -> str:
    """A clock as stored in a data directory, in words: ``the real show (real time)``."""
    if not settings.get("rehearsal"):
        return "the real show (real time)"
    return f"a rehearsal from {settings.get('origin_show')} at speed {settings.get('speed'):g}"
