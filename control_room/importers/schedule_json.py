"""The C3VOC schedule.json (frab and pretalx flavours) into a :class:`Programme`.

``schedule > conference > days[] > rooms{name: [event]}``, as described by
https://c3voc.de/schedule/schema.json. Each event's ``date`` (an ISO date-time with its
offset) is its start; its ``end``, or else its ``duration`` (``HH:MM``), its end. Persons
keep their ``name`` (pretalx) or ``public_name`` (frab), and a ``role`` if they have one.

JSON has no line numbers once decoded, so the decoder here records the line each object
starts on: a problem names ``file:line`` of the offending event or person.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import json.decoder
import json.scanner
from collections.abc import Callable
from typing import Any

from control_room.core.schedule import PersonRole

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

__all__ = ["parse_schedule_json"]

_At = Callable[[Any], str]  # where a decoded value is: ``file:line``, or the file


class _Obj(dict[str, Any]):
    """A decoded JSON object that remembers the line it starts on."""

    line: int = 0


class _Decoder(json.JSONDecoder):
    """A JSON decoder whose objects are :class:`_Obj` with their line number."""

    def __init__(self, text: str) -> None:
        super().__init__()
        newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        plain: Any = getattr(json.decoder, "JSONObject")  # not in typeshed

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[_Obj, int]:
            s, end = s_and_end
            pairs, new_end = plain(s_and_end, *args)
            obj = _Obj(pairs)
            obj.line = bisect.bisect_left(newlines, end - 1) + 1
            return obj, new_end

        self.parse_object = parse_object
        self.scan_once = getattr(json.scanner, "py_make_scanner")(self)


def _has_code(persons: Any) -> bool:
    """pretalx persons have a ``code``; frab persons an integer ``id``."""
    return isinstance(persons, list) and any(isinstance(p, dict) and "code" in p for p in persons)


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def parse_schedule_json(text: str, *, source: str) -> Programme:
    """Read a schedule.json document.

    Args:
        text: the JSON text.
        source: the file name, for positions (``source:line``).

    Raises:
        SourceError: every problem found, each with its line.
    """
    try:
        root = json.loads(text, cls=_Decoder, text=text)
    except json.JSONDecodeError as exc:
        raise SourceError([SourceProblem(f"{source}:{exc.lineno}", f"malformed JSON: {exc.msg}")])
    problems: list[SourceProblem] = []

    def at(obj: Any) -> str:
        return f"{source}:{obj.line}" if isinstance(obj, _Obj) else source

    sched, conf = _conference(root, at)
    title = _text(conf.get("title")) or _text(conf.get("acronym"))
    if title is None:
        problems.append(SourceProblem(at(conf), "conference.title: missing"))
    rooms = _room_names(conf)
    days_raw = conf.get("days")
    if not isinstance(days_raw, list):
        problems.append(SourceProblem(at(conf), "conference.days: missing (a list of days)"))
        days_raw = []
    sessions: list[Session] = []
    days: list[dt.date] = []
    pretalx = "pretalx" in str(sched.get("base_url", "")) if isinstance(sched, dict) else False
    for day in days_raw:
        got = _day(day, days_raw, rooms, at, problems)
        if got is not None:
            days.append(got[0])
            sessions += got[1]
            pretalx = pretalx or got[2]
    if problems:
        raise SourceError(problems)
    assert title is not None
    return Programme(
        title=title,
        timezone=_text(conf.get("time_zone_name")),
        source=source,
        format=_format(sched, pretalx=pretalx),
        sessions=tuple(sessions),
        days=tuple(days),
        rooms=tuple(rooms),
        url=_text(conf.get("url")) or (_text(sched.get("base_url")) if sched else None),
    )


def _conference(root: Any, at: _At) -> tuple[Any, dict[str, Any]]:
    """The ``schedule`` and its ``conference`` object.

    Raises:
        SourceError: the document has no ``schedule.conference`` object.
    """
    sched = root.get("schedule") if isinstance(root, dict) else None
    conf = sched.get("conference") if isinstance(sched, dict) else None
    if not isinstance(conf, dict):
        raise SourceError(
            [SourceProblem(at(root), "not a schedule.json: no schedule.conference object")]
        )
    return sched, conf


def _room_names(conf: dict[str, Any]) -> list[str]:
    """The conference's own list of rooms, in its order (rooms of no session included)."""
    rooms: list[str] = []
    for r in conf.get("rooms") or []:
        name = _text(r.get("name")) if isinstance(r, dict) else None
        if name and name not in rooms:
            rooms.append(name)
    return rooms


def _day(
    day: Any, days_raw: list[Any], rooms: list[str], at: _At, problems: list[SourceProblem]
) -> tuple[dt.date, list[Session], bool] | None:
    """One day's date, sessions and whether it looks like pretalx; None if it has no date.

    Rooms the day names that the conference does not are added to ``rooms``.
    """
    if not isinstance(day, dict):
        problems.append(SourceProblem(at(days_raw), "conference.days: a day is not an object"))
        return None
    try:
        date = dt.date.fromisoformat(str(day.get("date")))
    except ValueError:
        problems.append(SourceProblem(at(day), f"day.date: not a date: {day.get('date')!r}"))
        return None
    sessions: list[Session] = []
    pretalx = False
    day_rooms = day.get("rooms")
    if not isinstance(day_rooms, dict):
        problems.append(SourceProblem(at(day), "day.rooms: missing (room name → events)"))
        return date, sessions, pretalx
    for room_name, events in day_rooms.items():
        if room_name not in rooms:
            rooms.append(room_name)
        if not isinstance(events, list):
            problems.append(SourceProblem(at(day), f"rooms[{room_name!r}]: not a list"))
            continue
        for ev in events:
            if not isinstance(ev, dict):
                problems.append(SourceProblem(at(day), f"rooms[{room_name!r}]: not an event"))
                continue
            pretalx = pretalx or "code" in ev or _has_code(ev.get("persons"))
            session = _session(ev, room_name, date, at, problems)
            if session is not None:
                sessions.append(session)
    return date, sessions, pretalx


def _format(sched: Any, *, pretalx: bool) -> str:
    """How the header comment names the source: its flavour and version."""
    version = _text(sched.get("version")) if isinstance(sched, dict) else None
    flavour = "pretalx" if pretalx else "frab"
    return f"schedule.json, {flavour} flavour" + (f", version {version}" if version else "")


def _session(
    ev: dict[str, Any],
    room_name: str,
    date: dt.date,
    at: _At,
    problems: list[SourceProblem],
) -> Session | None:
    """One event's session, or None (with its problems) when it cannot be one."""
    where = at(ev)
    before = len(problems)
    ident = ev.get("id") if ev.get("id") is not None else ev.get("code") or ev.get("guid")
    label = f"event {ident}" if ident is not None else "event"
    title = _text(ev.get("title"))
    if title is None:
        problems.append(SourceProblem(where, f"{label}: title: missing"))
    start = _start(ev, where, label, problems)
    end = _end(ev, start, where, label, problems)
    if start is not None and end is not None and end <= start:
        problems.append(SourceProblem(where, f"{label}: ends at or before its start"))
    speakers = _speakers(ev, where, label, at, problems)
    if len(problems) > before or title is None or start is None or end is None:
        return None
    return Session(
        source_id=str(ident) if ident is not None else None,
        where=where,
        room=_text(ev.get("room")) or room_name,
        title=title,
        subtitle=_text(ev.get("subtitle")),
        start=start,
        end=end,
        day=date,
        kind=kind_of(_text(ev.get("type"))),
        speakers=tuple(speakers),
        track=_text(ev.get("track")),
        language=_text(ev.get("language")),
        url=_text(ev.get("url")),
    )


def _start(
    ev: dict[str, Any], where: str, label: str, problems: list[SourceProblem]
) -> dt.datetime | None:
    """The event's ``date``: an ISO date-time that must carry its UTC offset."""
    raw_date = ev.get("date")
    if raw_date is None:
        problems.append(SourceProblem(where, f"{label}: date: missing (the start date-time)"))
        return None
    try:
        start = dt.datetime.fromisoformat(str(raw_date))
    except ValueError:
        problems.append(SourceProblem(where, f"{label}: date: not a date-time: {raw_date!r}"))
        return None
    if start.tzinfo is None:
        problems.append(SourceProblem(where, f"{label}: date: {raw_date!r} has no UTC offset"))
        return None
    return start


def _end(
    ev: dict[str, Any],
    start: dt.datetime | None,
    where: str,
    label: str,
    problems: list[SourceProblem],
) -> dt.datetime | None:
    """The event's ``end``, or else its start plus its ``duration`` (``HH:MM``)."""
    if _text(ev.get("end")):
        try:
            return dt.datetime.fromisoformat(str(ev["end"]))
        except ValueError:
            problems.append(SourceProblem(where, f"{label}: end: not a date-time: {ev['end']!r}"))
            return None
    if start is None:
        return None
    try:
        return start + parse_hhmm_duration(str(ev.get("duration")))
    except ValueError:
        problems.append(
            SourceProblem(where, f"{label}: duration: not HH:MM: {ev.get('duration')!r}")
        )
        return None


def _speakers(
    ev: dict[str, Any], where: str, label: str, at: _At, problems: list[SourceProblem]
) -> list[Speaker]:
    """The event's ``persons``: bare names, or objects with a name and maybe a role."""
    speakers: list[Speaker] = []
    persons = ev.get("persons") or []
    if not isinstance(persons, list):
        problems.append(SourceProblem(where, f"{label}: persons: not a list"))
        persons = []
    for p in persons:
        if isinstance(p, str) and p.strip():  # some generators write bare names
            speakers.append(Speaker(p.strip()))
            continue
        if not isinstance(p, dict):
            problems.append(SourceProblem(where, f"{label}: persons: not a person"))
            continue
        name = _text(p.get("name")) or _text(p.get("public_name")) or _text(p.get("full_name"))
        if name is None:
            problems.append(SourceProblem(at(p), f"{label}: person without a name"))
            continue
        role = PersonRole.SPEAKER
        if _text(p.get("role")):
            role = role_of(str(p["role"])) or PersonRole.SPEAKER
        speakers.append(Speaker(name, role))
    return speakers
