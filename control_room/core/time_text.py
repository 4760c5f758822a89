"""Times and durations as a schedule file writes them: ``30m``, ``1h30``, ``10:00``.

The words of the file turned into ``timedelta`` and aware UTC instants, and back into the
``HH:MM`` the problem messages quote. The YAML format (:mod:`.schedule_yaml`) and the
importers and switcher config (through :func:`parse_duration`) share these rules, so a
duration means the same everywhere.

Pure core: no I/O, no clock reads, no state.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

__all__ = ["Duration", "hhmm", "parse_duration", "parse_instant"]

Duration = str | int
"""A duration as written: text (``30m``, ``1h30``, ``45s``) or a whole number of minutes."""

_DURATION = re.compile(
    r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)(?:min|m))?(?:(?P<s>\d+)s)?$"  # 1h, 30m, 1h30m, 45s
)
_H_M = re.compile(r"^(?P<h>\d+)h(?P<m>\d+)$")  # 1h30
_TIME = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$")


def parse_duration(value: Duration) -> dt.timedelta:
    """Parse ``30m``, ``1h30``, ``1h``, ``45s``, ``90`` (minutes) into a timedelta.

    Raises:
        ValueError: not a duration.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"negative duration: {value}")
        return _bounded(value * 60, value)
    if not isinstance(value, str):
        raise ValueError(f"not a duration: {value!r} (write e.g. 30m, 1h30, 45s or 90)")
    text = value.replace(" ", "")
    if text.isascii() and text.isdigit():
        return _bounded(int(text) * 60, value)
    m = _DURATION.match(text) or _H_M.match(text)
    if not text or m is None or not any(m.groupdict().values()):
        raise ValueError(f"not a duration: {value!r} (write e.g. 30m, 1h30, 45s or 90)")
    parts = m.groupdict()
    seconds = (
        int(parts.get("h") or 0) * 3600 + int(parts.get("m") or 0) * 60 + int(parts.get("s") or 0)
    )
    return _bounded(seconds, value)


_LONGEST = dt.timedelta(days=7)


def _bounded(seconds: int, value: Duration) -> dt.timedelta:
    if seconds > _LONGEST.total_seconds():
        raise ValueError(f"too long for a duration: {value!r} (at most {_LONGEST.days} days)")
    return dt.timedelta(seconds=seconds)


def parse_instant(value: str, day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """``HH:MM[:SS]`` on the event's day, or a full ISO date-time, as an aware UTC instant.

    Raises:
        ValueError: not a time, or not one of this era.
    """
    m = _TIME.match(value.strip())
    if m is not None:
        h, mi, s = int(m["h"]), int(m["m"]), int(m["s"] or 0)
        if h > 23 or mi > 59 or s > 59:
            raise ValueError(f"not a time of day: {value!r}")
        local = dt.datetime.combine(day, dt.time(h, mi, s), tzinfo=tz)
    elif not value.strip().isascii():
        raise ValueError(f"not a time: {value!r} (write HH:MM, HH:MM:SS or an ISO date-time)")
    else:
        try:
            local = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"not a time: {value!r} (write HH:MM, HH:MM:SS or an ISO date-time)"
            ) from None
        if local.tzinfo is None:
            local = local.replace(tzinfo=tz)
    try:
        return local.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(f"not a time of this era: {value!r}") from None


def hhmm(instant: dt.datetime, tz: ZoneInfo) -> str:
    """``instant`` as the wall clock of ``tz`` reads it: ``10:00``, or ``11:00:30``."""
    return instant.astimezone(tz).strftime("%H:%M:%S").removesuffix(":00")
