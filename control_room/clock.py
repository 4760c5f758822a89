"""The show clock: maps wall-clock instants to show instants and back.

Everything in control-room that needs "now" asks a :class:`Clock`. The model
is a straight line::

    show_time(wall) = origin_show + (wall - origin_wall) * speed

and its inverse ``wall_time(show)``, which the scheduler uses to sleep until a
show instant. A real show uses :func:`real_clock` (speed 1, show time is wall
time); a rehearsal uses :func:`rehearsal_clock` (the show starts at a chosen
instant and runs ``speed`` times faster). The model itself is sent to every
client (:meth:`Clock.model`), so a browser can run the same line and draw
countdowns that advance at 10x during a 10x rehearsal.

Wall time is the Unix epoch in seconds (``time.time()``), the same scale a
browser's ``Date.now()`` uses, which is what clients estimate over ping/pong.
The source of wall time is injectable for tests.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as time_of_day
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from control_room.wire import ClockModel

__all__ = [
    "Clock",
    "ClockError",
    "WallSource",
    "epoch",
    "from_epoch",
    "parse_instant",
    "real_clock",
    "rehearsal_clock",
]

WallSource = Callable[[], float]
"""A function returning the current wall time, in seconds since the Unix epoch."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ClockError(ValueError):
    """An invalid clock setting (speed, instant)."""


def epoch(instant: datetime) -> float:
    """Seconds since the Unix epoch of an aware datetime.

    Raises:
        ClockError: if ``instant`` is naive.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ClockError(f"naive datetime {instant.isoformat()}: a time zone is required")
    return (instant - _EPOCH) / timedelta(seconds=1)


def from_epoch(seconds: float) -> datetime:
    """The aware UTC datetime of an epoch instant (microsecond precision)."""
    return _EPOCH + timedelta(microseconds=round(seconds * 1_000_000))


def parse_instant(
    text: str, *, default_tz: tzinfo, day: date | None = None, name: str = "at"
) -> datetime:
    """Parse an instant as typed by an operator: the one reading of ``--at`` and ``?at=``.

    An ISO-8601 date-time (``2026-07-07T09:55``, ``2026-07-07T09:55+02:00``) or, when
    ``day`` is given, a bare time of day (``09:55``) on that day. Without an offset the
    instant is read in ``default_tz``: ``09:55`` means 9:55 in the event's time zone.

    Args:
        text: what was typed.
        default_tz: the zone of an instant written without an offset (the event's).
        day: the date of a bare time of day (the event's); None refuses one.
        name: the option being read, named by the error (``--at``, ``at``).

    Raises:
        ClockError: ``text`` is neither; the message names ``name`` and gives examples.
    """
    value = text.strip()
    instant: datetime | None = None
    with contextlib.suppress(ValueError):
        instant = datetime.fromisoformat(value)
    if instant is None and day is not None:
        with contextlib.suppress(ValueError):
            instant = datetime.combine(day, time_of_day.fromisoformat(value))
    if instant is None:
        what, examples = "an ISO-8601 instant", "2026-07-07T09:55 or 2026-07-07T09:55+02:00"
        if day is not None:
            what, examples = f"{what} or time of day", examples.replace(" or ", ", ") + " or 09:55"
        raise ClockError(f"{name}: not {what}: {text!r} (e.g. {examples})")
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=default_tz)
    return instant


@dataclass(frozen=True)
class Clock:
    """A linear map from wall time to show time.

    Attributes:
        origin_show: the show instant at ``origin_wall`` (aware).
        origin_wall: the wall instant, in epoch seconds, where the line starts.
        speed: show seconds per wall second (> 0).
        rehearsal: True for a rehearsal clock, False for the real show.
        wall: the source of wall time.
    """

    origin_show: datetime
    origin_wall: float
    speed: float = 1.0
    rehearsal: bool = False
    wall: WallSource = field(default=time.time, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.speed) and self.speed > 0):
            raise ClockError(f"speed must be a positive number, got {self.speed!r}")
        epoch(self.origin_show)  # refuses a naive origin

    def show_time(self, wall: float) -> datetime:
        """The show instant (aware, UTC) at wall instant ``wall`` (epoch seconds)."""
        elapsed = (wall - self.origin_wall) * self.speed
        return (self.origin_show + timedelta(microseconds=round(elapsed * 1_000_000))).astimezone(
            UTC
        )

    def wall_time(self, show: datetime) -> float:
        """The wall instant (epoch seconds) at which the show reaches ``show``."""
        return self.origin_wall + (epoch(show) - epoch(self.origin_show)) / self.speed

    def wall_now(self) -> float:
        """The current wall time, in epoch seconds."""
        return self.wall()

    def now(self) -> datetime:
        """The current show instant (aware, UTC)."""
        return self.show_time(self.wall())

    def model(self) -> ClockModel:
        """The clock model as sent to clients (see docs/protocol.md)."""
        return {
            "origin_show": self.origin_show.isoformat(),
            "origin_wall": from_epoch(self.origin_wall).isoformat().replace("+00:00", "Z"),
            "origin_wall_ms": round(self.origin_wall * 1000, 3),
            "speed": self.speed,
            "rehearsal": self.rehearsal,
        }

    def settings(self) -> dict[str, Any]:
        """What identifies this clock in a data dir (see journal.Journal.clock)."""
        return {
            "rehearsal": self.rehearsal,
            "origin_show": self.origin_show.isoformat(),
            "origin_wall": self.origin_wall,
            "speed": self.speed,
        }


def real_clock(*, wall: WallSource = time.time, tz: tzinfo = UTC) -> Clock:
    """The clock of the real show: show time is wall time.

    Args:
        wall: the source of wall time.
        tz: the zone ``origin_show`` is expressed in (cosmetic).
    """
    now = wall()
    return Clock(from_epoch(now).astimezone(tz), now, 1.0, rehearsal=False, wall=wall)


def rehearsal_clock(
    at: datetime,
    speed: float = 1.0,
    *,
    wall: WallSource = time.time,
    origin_wall: float | None = None,
) -> Clock:
    """A rehearsal clock: the show is at ``at`` now (or at ``origin_wall``), running ``speed``x.

    Args:
        at: the show instant the rehearsal starts from (aware).
        speed: show seconds per wall second.
        wall: the source of wall time.
        origin_wall: the wall instant at which the show was at ``at``; defaults to now.
            Passing a stored value resumes a rehearsal after a restart.

    Raises:
        ClockError: for a naive ``at`` or a non-positive speed.
    """
    start = wall() if origin_wall is None else origin_wall
    return Clock(at, start, float(speed), rehearsal=True, wall=wall)
