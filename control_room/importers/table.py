"""Spreadsheets (CSV and XLSX), one row per segment, into a :class:`Programme`.

The first row names the columns (any order, any case; English or French names):

========== ================================ ==========================================
column     also                             value
========== ================================ ==========================================
date       day, jour                        ``YYYY-MM-DD`` or ``DD/MM/YYYY``; blank: the row above's
start      début, debut, heure              ``HH:MM`` (``9h30`` too) or an ISO date-time
end        fin                              ``HH:MM``; before the start: the next day
duration   durée, duree                     ``30m``, ``1h30``, ``01:30``, ``90`` (minutes)
room       salle, channel, canal            the room; blank: ``Programme``
title      titre                            **required**
subtitle   sous-titre
kind       type, format                     ``talk``, ``Pause``, ``Workshop``… (mapped)
people     speakers, intervenants           ``Name | role | function | organisation; …``
notes      remarques
hard       fixe                             ``yes``/``no`` (default: hard after a gap)
track      parcours
id         code, session                    the source's id, kept in a comment
========== ================================ ==========================================

Give ``end`` or ``duration`` (not both). Other columns are ignored, with a warning.
Problems name ``file:line`` (CSV) or ``Sheet!C12`` (XLSX).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from control_room.core.schedule import PersonRole
from control_room.core.schedule_yaml import parse_duration

from .programme import (
    Programme,
    Session,
    SourceError,
    SourceProblem,
    Speaker,
    kind_of,
    parse_hhmm_duration,
    role_of,
)

__all__ = ["COLUMNS", "Row", "parse_rows", "read_csv", "read_xlsx"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "jour"),
    "start": ("start", "début", "debut", "heure", "heure de début"),
    "end": ("end", "fin", "heure de fin"),
    "duration": ("duration", "durée", "duree"),
    "room": ("room", "salle", "channel", "canal"),
    "title": ("title", "titre"),
    "subtitle": ("subtitle", "sous-titre", "sous titre"),
    "kind": ("kind", "type", "format"),
    "people": ("people", "speakers", "persons", "intervenants"),
    "notes": ("notes", "remarques"),
    "hard": ("hard", "fixe"),
    "track": ("track", "parcours"),
    "id": ("id", "code", "session"),
}
_ALIAS = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
_DEFAULT_ROOM = "Programme"


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a sheet: its position and its cells by column name, each with its own."""

    where: str
    cells: dict[str, tuple[Any, str]]


def _header(
    names: Sequence[Any], where: Sequence[str], source: str
) -> tuple[list[str | None], list[str], list[SourceProblem]]:
    columns: list[str | None] = []
    warnings: list[str] = []
    problems: list[SourceProblem] = []
    seen: dict[str, str] = {}
    for name, pos in zip(names, where, strict=True):
        key = str(name).strip().lower() if name is not None else ""
        col = _ALIAS.get(key)
        if col is None:
            if key:
                warnings.append(f"{pos}: column {str(name).strip()!r} is not one we read: ignored")
            columns.append(None)
            continue
        if col in seen:
            problems.append(SourceProblem(pos, f"column {col!r} given twice (also {seen[col]})"))
        seen[col] = pos
        columns.append(col)
    if "title" not in seen:
        problems.append(SourceProblem(source, "no 'title' column in the first row"))
    if "start" not in seen:
        problems.append(SourceProblem(source, "no 'start' column in the first row"))
    return columns, warnings, problems


def read_csv(text: str, *, source: str) -> tuple[list[Row], list[str], list[SourceProblem]]:
    """Read CSV text (``,``, ``;`` or tab separated) into rows.

    Returns:
        the rows, warnings (ignored columns) and problems (header).
    """
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample.splitlines()[0] if sample else ",", ",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows: list[Row] = []
    header: list[str | None] | None = None
    warnings: list[str] = []
    problems: list[SourceProblem] = []
    line = 1
    for record in reader:
        where = f"{source}:{line}"
        line = reader.line_num + 1
        if header is None:
            header, warnings, problems = _header(record, [where] * len(record), source)
            continue
        cells = {
            col: (value, where)
            for col, value in zip(header, record, strict=False)
            if col is not None and value.strip()
        }
        if cells:
            rows.append(Row(where, cells))
    if header is None:
        problems.append(SourceProblem(source, "empty: no header row"))
    return rows, warnings, problems


def read_xlsx(
    data: bytes, *, source: str, sheet: str | None = None
) -> tuple[list[Row], list[str], list[SourceProblem]]:
    """Read the first sheet (or ``sheet``) of an XLSX workbook into rows.

    Returns:
        the rows, warnings (ignored columns) and problems (header, unknown sheet).
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        raise SourceError([SourceProblem(source, f"not a readable XLSX workbook: {exc}")]) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            names = ", ".join(repr(n) for n in book.sheetnames)
            raise SourceError([SourceProblem(source, f"no sheet {sheet!r} (sheets: {names})")])
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        title = ws.title
        quoted = f"'{title}'" if re.search(r"[^A-Za-z0-9_]", title) else title
        rows: list[Row] = []
        header: list[str | None] | None = None
        warnings: list[str] = []
        problems: list[SourceProblem] = []
        for r, values in enumerate(ws.iter_rows(values_only=True), 1):
            where = [f"{quoted}!{get_column_letter(c)}{r}" for c in range(1, len(values) + 1)]
            if header is None:
                if all(v is None for v in values):
                    continue
                header, warnings, problems = _header(values, where, f"{source} ({quoted})")
                continue
            cells = {
                col: (value, pos)
                for col, value, pos in zip(header, values, where, strict=False)
                if col is not None and value is not None and str(value).strip()
            }
            if cells:
                rows.append(Row(f"{quoted}!A{r}", cells))
        if header is None:
            problems.append(SourceProblem(source, f"sheet {quoted} is empty: no header row"))
        return rows, warnings, problems
    finally:
        book.close()


# --------------------------------------------------------------------------- values

_TIME = re.compile(r"^(?P<h>\d{1,2})\s*[:hH]\s*(?P<m>\d{2})?(?::(?P<s>\d{2}))?$")
_DMY = re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$")
_TRUE = {"yes", "y", "true", "1", "x", "oui", "o", "vrai"}
_FALSE = {"no", "n", "false", "0", "non", "faux", ""}


def _date(value: Any) -> dt.date:
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


def _time(value: Any) -> dt.time | dt.datetime:
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


def _duration(value: Any) -> dt.timedelta:
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


def _hard(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not yes or no: {value!r}")


def _people(value: Any) -> tuple[Speaker, ...]:
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


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def parse_rows(
    rows: Iterable[Row],
    *,
    source: str,
    format: str,
    timezone: str | None,
    title: str,
    warnings: Sequence[str] = (),
    problems: Sequence[SourceProblem] = (),
) -> Programme:
    """Turn sheet rows into a programme.

    Args:
        rows: from :func:`read_csv` or :func:`read_xlsx`.
        source: the file name.
        format: how the header comment names the format (``CSV``, ``XLSX``).
        timezone: the IANA zone the times are written in (a sheet has none of its own).
        title: the event's title.
        warnings: carried into the programme.
        problems: found while reading (reported with the rows' own).

    Raises:
        SourceError: every problem, each with its ``file:line`` or ``Sheet!C12``.
    """
    found = list(problems)
    tz = _zone(timezone, source, found)
    sessions: list[Session] = []
    rooms: list[str] = []
    days: list[dt.date] = []
    current_date: dt.date | None = None  # a blank date is the row above's
    for row in rows:
        before = len(found)
        cells = _Cells(row, found)
        start_local, end_local, current_date = _times(cells, current_date)
        fields = _fields(cells)
        if len(found) > before or start_local is None or end_local is None or tz is None:
            continue
        day = current_date or start_local.date()
        session = _session(
            cells, fields, start=_aware(start_local, tz), end=_aware(end_local, tz), day=day
        )
        if session.room not in rooms:
            rooms.append(session.room)
        if day not in days:
            days.append(day)
        sessions.append(session)
    if found:
        raise SourceError(found)
    return Programme(
        title=title,
        timezone=timezone,
        source=source,
        format=format,
        sessions=tuple(sessions),
        days=tuple(sorted(days)),
        rooms=tuple(rooms),
        warnings=tuple(warnings),
    )


def _zone(timezone: str | None, source: str, found: list[SourceProblem]) -> ZoneInfo | None:
    """The sheet's zone (given on the command line), or None with a problem."""
    if timezone is None:
        found.append(
            SourceProblem(source, "a spreadsheet has no time zone: add --timezone Europe/Paris")
        )
        return None
    try:
        return ZoneInfo(timezone)
    except (ValueError, KeyError):
        found.append(SourceProblem(source, f"unknown time zone {timezone!r}"))
        return None


class _Cells:
    """One row's cells, and where its problems go (each at its own cell, if it has one)."""

    def __init__(self, row: Row, found: list[SourceProblem]) -> None:
        self.row = row
        self.found = found

    def get(self, name: str) -> Any:
        """The cell's value, or None when the row leaves it blank."""
        got = self.row.cells.get(name)
        return None if got is None else got[0]

    def bad(self, name: str, message: str) -> None:
        """A problem with column ``name``, at its cell (or the row, if it is blank)."""
        c = self.row.cells.get(name)
        self.found.append(SourceProblem(c[1] if c else self.row.where, f"{name}: {message}"))


@dataclass(frozen=True, slots=True)
class _Fields:
    """A row's cells that are checked, besides its times (None: blank or bad)."""

    title: str | None
    speakers: tuple[Speaker, ...]
    hard: bool | None


def _times(
    cells: _Cells, current_date: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None, dt.date | None]:
    """A row's local start and end (None when missing or bad), and the date it sets.

    The date is the row's own, else the one a full date-time start gives, else the row
    above's.
    """
    if cells.get("date") is not None:
        try:
            current_date = _date(cells.get("date"))
        except ValueError as exc:
            cells.bad("date", str(exc))
    start_local, current_date = _start(cells, current_date)
    end_local = _end(cells, start_local)
    if start_local is not None and end_local is not None and end_local <= start_local:
        cells.bad("end", "ends at or before its start")
    return start_local, end_local, current_date


def _start(
    cells: _Cells, current_date: dt.date | None
) -> tuple[dt.datetime | None, dt.date | None]:
    """The row's local start (a time on the current date, or a full date-time)."""
    if cells.get("start") is None:
        cells.bad("start", "missing")
        return None, current_date
    try:
        t = _time(cells.get("start"))
    except ValueError as exc:
        cells.bad("start", str(exc))
        return None, current_date
    if isinstance(t, dt.datetime):
        return t, t.date() if cells.get("date") is None else current_date
    if current_date is None:
        cells.bad("date", "missing (give a date column, or full date-times in start)")
        return None, current_date
    return dt.datetime.combine(current_date, t), current_date


def _end(cells: _Cells, start_local: dt.datetime | None) -> dt.datetime | None:
    """The row's local end, from exactly one of ``end`` and ``duration``.

    An ``end`` time of day at or before the start is on the next day (past midnight).
    """
    has_end, has_duration = cells.get("end") is not None, cells.get("duration") is not None
    if has_end == has_duration:
        cells.found.append(SourceProblem(cells.row.where, "give exactly one of end or duration"))
        return None
    if start_local is None:
        return None
    if has_end:
        try:
            e = _time(cells.get("end"))
        except ValueError as exc:
            cells.bad("end", str(exc))
            return None
        if isinstance(e, dt.datetime):
            return e
        end_local = dt.datetime.combine(start_local.date(), e)
        if end_local <= start_local:  # past midnight
            end_local += dt.timedelta(days=1)
        return end_local
    try:
        length = _duration(cells.get("duration"))
    except ValueError as exc:
        cells.bad("duration", str(exc))
        return None
    if length <= dt.timedelta(0):
        cells.bad("duration", "must be longer than zero")
        return None
    return start_local + length


def _fields(cells: _Cells) -> _Fields:
    """The row's title (required), people and hard flag, each checked."""
    title = _str(cells.get("title"))
    if title is None:
        cells.bad("title", "missing")
    speakers: tuple[Speaker, ...] = ()
    if cells.get("people") is not None:
        try:
            speakers = _people(cells.get("people"))
        except ValueError as exc:
            cells.bad("people", str(exc))
    hard: bool | None = None
    if cells.get("hard") is not None:
        try:
            hard = _hard(cells.get("hard"))
        except ValueError as exc:
            cells.bad("hard", str(exc))
    return _Fields(title, speakers, hard)


def _session(
    cells: _Cells, fields: _Fields, *, start: dt.datetime, end: dt.datetime, day: dt.date
) -> Session:
    """The session of a row without problems (a blank room is :data:`_DEFAULT_ROOM`)."""
    assert fields.title is not None
    return Session(
        source_id=_str(cells.get("id")),
        where=cells.row.where,
        room=_str(cells.get("room")) or _DEFAULT_ROOM,
        title=fields.title,
        subtitle=_str(cells.get("subtitle")),
        start=start,
        end=end,
        day=day,
        kind=kind_of(_str(cells.get("kind"))),
        speakers=fields.speakers,
        track=_str(cells.get("track")),
        notes=_str(cells.get("notes")),
        hard=fields.hard,
    )


def _aware(local: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return local if local.tzinfo is not None else local.replace(tzinfo=tz)
