"""A source file: what it really is (sniffed from its content) and its programme.

The extension says what a file claims to be; the first bytes say what it is. A file
whose content contradicts its extension (an XLSX saved as ``.csv``, HTML saved as
``.json``) is refused with a message saying so, unless ``--format`` insists.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from .frab_xml import parse_frab_xml
from .programme import Programme, SourceError, SourceProblem
from .schedule_json import parse_schedule_json
from .table import parse_rows, read_csv, read_xlsx

__all__ = ["Format", "read_source", "sniff"]


class Format(StrEnum):
    """The formats ``control-room import`` reads."""

    JSON = "json"
    XML = "xml"
    CSV = "csv"
    XLSX = "xlsx"


_NAMES = {
    Format.JSON: "schedule.json (JSON)",
    Format.XML: "Frab XML",
    Format.CSV: "CSV",
    Format.XLSX: "an XLSX workbook",
}
_EXTENSIONS = {
    ".json": Format.JSON,
    ".xml": Format.XML,
    ".csv": Format.CSV,
    ".tsv": Format.CSV,
    ".txt": Format.CSV,
    ".xlsx": Format.XLSX,
    ".xlsm": Format.XLSX,
}
_UNSUPPORTED = {
    ".xls": "an old Excel .xls workbook: save it as .xlsx or CSV",
    ".ods": "an OpenDocument spreadsheet: save it as .xlsx or CSV",
    ".ics": "an iCalendar file: export the programme as schedule.json, Frab XML or CSV",
}


def sniff(data: bytes) -> Format | str:
    """What the content is: a :class:`Format`, or a description of what it is not."""
    if data.startswith(b"PK\x03\x04"):
        return Format.XLSX
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel .xls (OLE) workbook: save it as .xlsx or CSV"
    if data.startswith(b"%PDF"):
        return "a PDF document"
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()[:512].lower()
    if head.startswith((b"{", b"[")):
        return Format.JSON
    if head.startswith((b"<!doctype html", b"<html")):
        return "an HTML page (a login page or an error instead of the export?)"
    if head.startswith(b"<"):
        return Format.XML
    if b"\x00" in data[:4096]:
        return "a binary file"
    return Format.CSV


def _decode(data: bytes, source: str) -> tuple[str, list[str]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), [
            f"{source}: not UTF-8; read as Windows-1252 (check the accents)"
        ]


def read_source(
    path: Path,
    *,
    format: Format | None = None,
    timezone: str | None = None,
    title: str | None = None,
    sheet: str | None = None,
) -> Programme:
    """Read a source file into a programme.

    Args:
        path: the file.
        format: force a format instead of trusting the extension and content.
        timezone: for spreadsheets, the zone their times are in (other formats carry
            their own; the writer's ``--timezone`` overrides those).
        title: for spreadsheets, the event's title (default: the file name).
        sheet: for XLSX, the sheet to read (default: the first).

    Raises:
        SourceError: unreadable, not what it claims, or every problem in its content.
    """
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError([SourceProblem(source, f"cannot read: {exc.strerror}")]) from None
    ext = path.suffix.lower()
    if format is None:
        if ext in _UNSUPPORTED:
            raise SourceError([SourceProblem(source, f"this is {_UNSUPPORTED[ext]}")])
        found = sniff(data)
        if not isinstance(found, Format):
            raise SourceError([SourceProblem(source, f"not a programme: this is {found}")])
        claimed = _EXTENSIONS.get(ext)
        if claimed is not None and claimed is not found:
            raise SourceError(
                [
                    SourceProblem(
                        source,
                        f"the name says {_NAMES[claimed]} but the content is {_NAMES[found]}"
                        f" (rename it, or give --format {found.value})",
                    )
                ]
            )
        format = found
    if format is Format.XLSX:
        rows, warnings, problems = read_xlsx(data, source=source, sheet=sheet)
        return parse_rows(
            rows,
            source=source,
            format="XLSX",
            timezone=timezone,
            title=title or path.stem,
            warnings=warnings,
            problems=problems,
        )
    text, notes = _decode(data, source)
    if format is Format.JSON:
        return parse_schedule_json(text, source=source)
    if format is Format.XML:
        return parse_frab_xml(text, source=source)
    rows, warnings, problems = read_csv(text, source=source)
    return parse_rows(
        rows,
        source=source,
        format="CSV",
        timezone=timezone,
        title=title or path.stem,
        warnings=[*notes, *warnings],
        problems=problems,
    )
