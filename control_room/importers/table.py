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
    tz: ZoneInfo | None = None
    if timezone is None:
        found.append(
            SourceProblem(source, "a spreadsheet has no time zone: add --timezone Europe/Paris")
        )
    else:
        try:
            tz = ZoneInfo(timezone)
        except (ValueError, KeyError):
            found.append(SourceProblem(source, f"unknown time zone {timezone!r}"))
    sessions: list[Session] = []
    rooms: list[str] = []
    days: list[dt.date] = []
    current_date: dt.date | None = None
    for row in rows:
        before = len(found)

        def cell(name: str) -> Any:
            """The cell's value, or None when the row leaves it blank."""
            got = row.cells.get(name)
            return None if got is None else got[0]

        def bad(name: str, message: str) -> None:
            c = row.cells.get(name)
            found.append(SourceProblem(c[1] if c else row.where, f"{name}: {message}"))

        if cell("date") is not None:
            try:
                current_date = _date(cell("date"))
            except ValueError as exc:
                bad("date", str(exc))
        start_local: dt.datetime | None = None
        if cell("start") is None:
            bad("start", "missing")
        else:
            try:
                t = _time(cell("start"))
            except ValueError as exc:
                bad("start", str(exc))
            else:
                if isinstance(t, dt.datetime):
                    start_local = t
                    current_date = t.date() if cell("date") is None else current_date
                elif current_date is None:
                    bad("date", "missing (give a date column, or full date-times in start)")
                else:
                    start_local = dt.datetime.combine(current_date, t)
        end_local: dt.datetime | None = None
        has_end, has_duration = cell("end") is not None, cell("duration") is not None
        if has_end == has_duration:
            found.append(SourceProblem(row.where, "give exactly one of end or duration"))
        elif has_end and start_local is not None:
            try:
                e = _time(cell("end"))
            except ValueError as exc:
                bad("end", str(exc))
            else:
                if isinstance(e, dt.datetime):
                    end_local = e
                else:
                    end_local = dt.datetime.combine(start_local.date(), e)
                    if end_local <= start_local:  # past midnight
                        end_local += dt.timedelta(days=1)
        elif has_duration and start_local is not None:
            try:
                length = _duration(cell("duration"))
            except ValueError as exc:
                bad("duration", str(exc))
            else:
                if length <= dt.timedelta(0):
                    bad("duration", "must be longer than zero")
                else:
                    end_local = start_local + length
        if start_local is not None and end_local is not None and end_local <= start_local:
            bad("end", "ends at or before its start")
        title_cell = _str(cell("title"))
        if title_cell is None:
            bad("title", "missing")
        speakers: tuple[Speaker, ...] = ()
        if cell("people") is not None:
            try:
                speakers = _people(cell("people"))
            except ValueError as exc:
                bad("people", str(exc))
        hard: bool | None = None
        if cell("hard") is not None:
            try:
                hard = _hard(cell("hard"))
            except ValueError as exc:
                bad("hard", str(exc))
        if len(found) > before or start_local is None or end_local is None or tz is None:
            continue
        assert title_cell is not None
        room = _str(cell("room"))
        room = room or _DEFAULT_ROOM
        if room not in rooms:
            rooms.append(room)
        day = current_date or start_local.date()
        if day not in days:
            days.append(day)
        start = _aware(start_local, tz)
        end = _aware(end_local, tz)
        sessions.append(
            Session(
                source_id=_str(cell("id")),
                where=row.where,
                room=room,
                title=title_cell,
                subtitle=_str(cell("subtitle")),
                start=start,
                end=end,
                day=day,
                kind=kind_of(_str(cell("kind"))),
                speakers=speakers,
                track=_str(cell("track")),
                notes=_str(cell("notes")),
                hard=hard,
            )
        )
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


def _aware(local: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return local if local.tzinfo is not None else local.replace(tzinfo=tz)
