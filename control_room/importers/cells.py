"""A spreadsheet's cell values: dates, times, durations, yes/no, people, text.

Each takes what a cell holds (a string from CSV; a string, number, date, time or
date-time from XLSX) and raises :class:`ValueError` with a message for the sheet's
author when it cannot read it; :mod:`.table` turns the message into a problem at the cell.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from control_room.core.schedule import PersonRole
from control_room.core.schedule_yaml import parse_duration

from .programme import Speaker, parse_hhmm_duration, role_of

__all__ = [
    "date_cell",
    "duration_cell",
    "people_cell",
    "text_cell",
    "time_cell",
    "yes_no_cell",
]


_TIME = re.compile(r"^(?P<h>\d{1,2})\s*[:hH]\s*(?P<m>\d{2})?(?::(?P<s>\d{2}))?$")
_DMY = re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$")
_TRUE = {"yes", "y", "true", "1", "x", "oui", "o", "vrai"}
_FALSE = {"no", "n", "false", "0", "non", "faux", ""}


def date_cell(value: Any) -> dt.date:
    """A date: an XLSX date (or date-time), ``YYYY-MM-DD`` or ``DD/MM/YYYY``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = _DMY.match(text)
    if m is not None:
        return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"not a date: {text!r} (write YYYY-MM-DD or DD/MM/YYYY)") from None


def time_cell(value: Any) -> dt.time | dt.datetime:
    """A time of day, or a full date-time."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.time):
        return value
    text = str(value).strip()
    m = _TIME.match(text)
    if m is not None:
        h, mi, s = int(m["h"]), int(m["m"] or 0), int(m["s"] or 0)
        if h > 23 or mi > 59 or s > 59:
            raise ValueError(f"not a time of day: {text!r}")
        return dt.time(h, mi, s)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a time: {text!r} (write HH:MM or an ISO date-time)") from None


def duration_cell(value: Any) -> dt.timedelta:
    """A duration: ``30m``, ``1h30``, ``01:30``, an XLSX time, or a number of minutes."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, dt.time):
        return dt.timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        return dt.timedelta(minutes=float(value))
    text = str(value).strip()
    if ":" in text:
        return parse_hhmm_duration(text)
    return parse_duration(text)


def yes_no_cell(value: Any) -> bool:
    """Yes or no, in English or French (``x`` and ``1`` are yes; blank is no)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not yes or no: {value!r}")


def people_cell(value: Any) -> tuple[Speaker, ...]:
    """People, ``;`` or newline apart: ``Name | role | function | organisation``."""
    out: list[Speaker] = []
    for entry in re.split(r"[;\n]", str(value)):
        if not entry.strip():
            continue
        parts = [p.strip() for p in entry.split("|")]
        name = parts[0]
        if not name:
            raise ValueError(f"a person without a name: {entry.strip()!r}")
        role = PersonRole.SPEAKER
        if len(parts) > 1 and parts[1]:
            found = role_of(parts[1])
            if found is None:
                roles = ", ".join(r.value for r in PersonRole)
                raise ValueError(f"{name}: unknown role {parts[1]!r} (one of {roles})")
            role = found
        if len(parts) > 4:
            raise ValueError(f"{name}: too many '|' (name | role | function | organisation)")
        function = parts[2] or None if len(parts) > 2 else None
        organisation = parts[3] or None if len(parts) > 3 else None
        out.append(Speaker(name, role, function, organisation))
    return tuple(out)


def text_cell(value: Any) -> str | None:
    """A cell as text, stripped (a whole XLSX float without ``.0``); None when blank."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None
