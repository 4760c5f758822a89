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

from .cells import date_cell, duration_cell, people_cell, text_cell, time_cell, yes_no_cell
from .programme import Programme, Session, SourceError, SourceProblem, Speaker, kind_of

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
            current_date = date_cell(cells.get("date"))
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
        t = time_cell(cells.get("start"))
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
            e = time_cell(cells.get("end"))
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
        length = duration_cell(cells.get("duration"))
    except ValueError as exc:
        cells.bad("duration", str(exc))
        return None
    if length <= dt.timedelta(0):
        cells.bad("duration", "must be longer than zero")
        return None
    return start_local + length


def _fields(cells: _Cells) -> _Fields:
    """The row's title (required), people and hard flag, each checked."""
    title = text_cell(cells.get("title"))
    if title is None:
        cells.bad("title", "missing")
    speakers: tuple[Speaker, ...] = ()
    if cells.get("people") is not None:
        try:
            speakers = people_cell(cells.get("people"))
        except ValueError as exc:
            cells.bad("people", str(exc))
    hard: bool | None = None
    if cells.get("hard") is not None:
        try:
            hard = yes_no_cell(cells.get("hard"))
        except ValueError as exc:
            cells.bad("hard", str(exc))
    return _Fields(title, speakers, hard)


def _session(
    cells: _Cells, fields: _Fields, *, start: dt.datetime, end: dt.datetime, day: dt.date
) -> Session:
    """The session of a row without problems (a blank room is :data:`_DEFAULT_ROOM`)."""
    assert fields.title is not None
    return Session(
        source_id=text_cell(cells.get("id")),
        where=cells.row.where,
        room=text_cell(cells.get("room")) or _DEFAULT_ROOM,
        title=fields.title,
        subtitle=text_cell(cells.get("subtitle")),
        start=start,
        end=end,
        day=day,
        kind=kind_of(text_cell(cells.get("kind"))),
        speakers=fields.speakers,
        track=text_cell(cells.get("track")),
        notes=text_cell(cells.get("notes")),
        hard=fields.hard,
    )


def _aware(local: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return local if local.tzinfo is not None else local.replace(tzinfo=tz)
