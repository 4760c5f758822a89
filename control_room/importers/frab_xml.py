"""The Frab schedule XML (frab, pretalx, osem) into a :class:`Programme`.

``schedule > conference, day[@index @date] > room[@name] > event[@id @guid]`` with
``date`` (ISO date-time with offset; else the day's ``date`` and ``start``),
``duration`` (``HH:MM``), ``room``, ``title``, ``subtitle``, ``track``, ``type``,
``language``, ``url`` and ``persons > person[@id]``, as in
https://c3voc.de/schedule/schema.xsd. Parsed with :mod:`defusedxml` (no entity
expansion, no external fetches); every element remembers its line for problems.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

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

__all__ = ["parse_frab_xml"]


class _LineBuilder(TreeBuilder):
    """A tree builder that notes the source line of every element it starts."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: Any = None
        self.lines: dict[int, int] = {}

    def start(self, tag: Any, attrs: dict[Any, Any], /) -> Element:
        elem = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[id(elem)] = self.parser.parser.CurrentLineNumber
        return elem


def _text(elem: Element | None, name: str) -> str | None:
    if elem is None:
        return None
    child = elem.find(name)
    if child is None or child.text is None or not child.text.strip():
        return None
    return child.text.strip()


def parse_frab_xml(text: str, *, source: str) -> Programme:
    """Read a Frab schedule.xml document.

    Args:
        text: the XML text.
        source: the file name, for positions (``source:line``).

    Raises:
        SourceError: every problem found, each with its line.
    """
    builder = _LineBuilder()
    parser = SafeET.XMLParser(target=builder)
    builder.parser = parser
    try:
        parser.feed(text)
        root = parser.close()
    except ParseError as exc:
        line = exc.position[0] if exc.position else 0
        raise SourceError([SourceProblem(f"{source}:{line}", f"malformed XML: {exc}")]) from None
    except DefusedXmlException as exc:
        raise SourceError([SourceProblem(source, f"refused XML: {exc}")]) from None

    def at(elem: Element) -> str:
        return f"{source}:{builder.lines.get(id(elem), 0)}"

    if root.tag != "schedule":
        raise SourceError(
            [SourceProblem(at(root), f"not a Frab schedule: the root is <{root.tag}>")]
        )
    problems: list[SourceProblem] = []
    conf = root.find("conference")
    title = _text(conf, "title") or _text(conf, "acronym")
    if title is None:
        problems.append(
            SourceProblem(at(conf if conf is not None else root), "conference/title: missing")
        )
    rooms: list[str] = []
    days: list[dt.date] = []
    sessions: list[Session] = []
    for day in root.iter("day"):
        try:
            date = dt.date.fromisoformat(day.get("date") or "")
        except ValueError:
            problems.append(SourceProblem(at(day), f"day: date: not a date: {day.get('date')!r}"))
            continue
        days.append(date)
        for room in day.findall("room"):
            room_name = (room.get("name") or "").strip()
            if not room_name:
                problems.append(SourceProblem(at(room), "room: name: missing"))
                continue
            if room_name not in rooms:
                rooms.append(room_name)
            for ev in room.findall("event"):
                session = _session(ev, room_name, date, at, problems)
                if session is not None:
                    sessions.append(session)
    if not days and not problems:
        problems.append(SourceProblem(at(root), "no <day> in the schedule"))
    if problems:
        raise SourceError(problems)
    assert title is not None
    generator = root.find("generator")
    flavour = (generator.get("name") if generator is not None else None) or "frab"
    version = _text(root, "version")
    return Programme(
        title=title,
        timezone=_text(conf, "time_zone_name"),
        source=source,
        format=f"Frab XML, {flavour}" + (f", version {version}" if version else ""),
        sessions=tuple(sessions),
        days=tuple(days),
        rooms=tuple(rooms),
        url=_text(conf, "url") or _text(root, "url"),
    )


def _session(
    ev: Element, room_name: str, date: dt.date, at: Any, problems: list[SourceProblem]
) -> Session | None:
    where = at(ev)
    before = len(problems)
    ident = ev.get("id") or ev.get("code") or ev.get("guid")
    label = f"event {ident}" if ident else "event"
    title = _text(ev, "title")
    if title is None:
        problems.append(SourceProblem(where, f"{label}: title: missing"))
    start: dt.datetime | None = None
    raw_date = _text(ev, "date")
    raw_start = _text(ev, "start")
    if raw_date is not None:
        try:
            start = dt.datetime.fromisoformat(raw_date)
        except ValueError:
            problems.append(SourceProblem(where, f"{label}: date: not a date-time: {raw_date!r}"))
        else:
            if start.tzinfo is None:
                problems.append(SourceProblem(where, f"{label}: date: {raw_date!r} has no offset"))
                start = None
    elif raw_start is not None:
        problems.append(
            SourceProblem(where, f"{label}: date: missing (start {raw_start} has no offset)")
        )
    else:
        problems.append(SourceProblem(where, f"{label}: date: missing"))
    end: dt.datetime | None = None
    raw_duration = _text(ev, "duration")
    if start is not None:
        try:
            end = start + parse_hhmm_duration(raw_duration or "")
        except ValueError:
            problems.append(SourceProblem(where, f"{label}: duration: not HH:MM: {raw_duration!r}"))
        else:
            if end <= start:
                problems.append(SourceProblem(where, f"{label}: duration: must be longer than 0"))
    speakers: list[Speaker] = []
    persons = ev.find("persons")
    for person in persons.findall("person") if persons is not None else []:
        name = (person.text or "").strip()
        if not name:
            problems.append(SourceProblem(at(person), f"{label}: person without a name"))
            continue
        role = role_of(person.get("role") or "") if person.get("role") else None
        speakers.append(Speaker(name, role) if role else Speaker(name))
    if len(problems) > before or title is None or start is None or end is None:
        return None
    return Session(
        source_id=ident,
        where=where,
        room=_text(ev, "room") or room_name,
        title=title,
        subtitle=_text(ev, "subtitle"),
        start=start,
        end=end,
        day=date,
        kind=kind_of(_text(ev, "type")),
        speakers=tuple(speakers),
        track=_text(ev, "track"),
        language=_text(ev, "language"),
        url=_text(ev, "url"),
    )
