"""The day out: the programme with its planned and actual times, in four formats.

- ``schedule.json``: the C3VOC schedule (https://c3voc.de/schedule/schema.json), one event
  per segment in a room per channel, the standard fields filled from the plan; the actual
  times under the extension key ``x-control-room`` of the ``schedule`` object, by event
  ``guid`` (the schema forbids unknown keys in an event, and allows them there).
- ``csv`` and ``xlsx``: one row per segment and per item, planned against actual.
- ``ical``: one VEVENT per segment (RFC 5545, escaped and folded here), at its actual times
  when it aired, its planned times otherwise.

Every exporter takes an :class:`~control_room.archive.Archive` and returns the file's
text (or bytes, for xlsx). docs/report.md gives the field mapping.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from control_room import __version__
from control_room.archive import Archive
from control_room.core.actuals import AiredStatus, ItemActual, SegmentActual
from control_room.core.schedule import Channel, Person, Schedule

__all__ = [
    "EXTENSION_KEY",
    "FORMATS",
    "Row",
    "export_csv",
    "export_ical",
    "export_schedule_json",
    "export_xlsx",
    "rows",
]

EXTENSION_KEY = "x-control-room"
_NAMESPACE = uuid.UUID("6f1c3d52-3b1e-4d8a-9a43-0c0e8f3d7a11")

_STATUS_FR: dict[AiredStatus, str] = {
    "aired": "diffusé",
    "on_air": "à l’antenne",
    "skipped": "sauté",
    "planned": "à venir",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the tables: a segment or one of its items, planned against actual."""

    channel: Channel
    level: str  # "segment" or "item"
    id: str
    title: str
    site: str | None
    planned_start: dt.datetime
    planned_end: dt.datetime
    actual_start: dt.datetime | None
    actual_end: dt.datetime | None
    status: AiredStatus

    @property
    def planned_minutes(self) -> float:
        return (self.planned_end - self.planned_start).total_seconds() / 60

    @property
    def actual_minutes(self) -> float | None:
        if self.actual_start is None or self.actual_end is None:
            return None
        return (self.actual_end - self.actual_start).total_seconds() / 60


def rows(archive: Archive) -> Iterator[Row]:
    """Every segment, then its items, channel by channel."""
    for ch in archive.actuals.channels:
        for seg in ch.segments:
            s = seg.segment
            yield Row(ch.channel, "segment", s.id, s.title, s.site, s.start, s.end,
                      seg.start, seg.end, seg.status)  # fmt: skip
            for it in seg.items:
                i = it.item
                yield Row(ch.channel, "item", i.id, i.title, i.site or s.site, i.start, i.end,
                          it.start, it.end, it.status)  # fmt: skip


def _iso(schedule: Schedule, instant: dt.datetime | None) -> str | None:
    return None if instant is None else schedule.local(instant).isoformat()


def _hhmm(delta: dt.timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")
    return slug or "x"


def _guid(schedule: Schedule, segment_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{schedule.event.date}/{segment_id}"))


def _person(person: Person) -> dict[str, Any]:
    out: dict[str, Any] = {"name": person.name, "role": person.role.value}
    if person.function or person.organisation:
        out["biography"] = ", ".join(p for p in (person.function, person.organisation) if p)
    return out


def _actual_json(schedule: Schedule, actual: SegmentActual | ItemActual) -> dict[str, Any]:
    return {
        "status": actual.status,
        "actual_start": _iso(schedule, actual.start),
        "actual_end": _iso(schedule, actual.end),
    }


def _c3voc_event(
    schedule: Schedule, channel: Channel, actual: SegmentActual, number: int
) -> dict[str, Any]:
    """One segment as a C3VOC event (its planned times; the actual ones go in the extension)."""
    ev = schedule.event
    seg = actual.segment
    guid = _guid(schedule, seg.id)
    site = schedule.sites.get(seg.site) if seg.site else None
    return {
        "guid": guid,
        "id": number,
        "date": schedule.local(seg.start).isoformat(),
        "start": schedule.local(seg.start).strftime("%H:%M"),
        "end": schedule.local(seg.end).isoformat(),
        "duration": _hhmm(seg.duration),
        "room": channel.title,
        "slug": _slug(f"{ev.date}-{seg.id}"),
        "url": ev.url or f"urn:uuid:{guid}",
        "title": seg.title,
        "subtitle": seg.subtitle,
        "track": site.name if site is not None else None,
        "type": seg.kind.value,
        "language": "fr",
        "abstract": seg.notes,
        "description": None,
        "persons": [_person(p) for p in seg.people],
        "links": [],
    }


def _actual_event(schedule: Schedule, channel: Channel, actual: SegmentActual) -> dict[str, Any]:
    """What really happened to one segment and its items (under ``x-control-room``)."""
    return {
        "channel": channel.id,
        "segment": actual.segment.id,
        **_actual_json(schedule, actual),
        "held_seconds": actual.held.total_seconds(),
        "items": [
            {
                "id": it.item.id,
                "title": it.item.title,
                "planned_start": _iso(schedule, it.item.start),
                "planned_end": _iso(schedule, it.item.end),
                **_actual_json(schedule, it),
            }
            for it in actual.items
        ],
    }


def _events(archive: Archive) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """The C3VOC events of each room (a channel), numbered in order, and their actuals by guid."""
    schedule = archive.schedule
    rooms: dict[str, list[dict[str, Any]]] = {}
    extension: dict[str, Any] = {}
    number = 0
    for ch in archive.actuals.channels:
        events = rooms.setdefault(ch.channel.title, [])
        for actual in ch.segments:
            number += 1
            events.append(_c3voc_event(schedule, ch.channel, actual, number))
            extension[_guid(schedule, actual.segment.id)] = _actual_event(
                schedule, ch.channel, actual
            )
    return rooms, extension


def _conference(schedule: Schedule, rooms: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The C3VOC conference: the event, its rooms, and its one day with its events."""
    ev = schedule.event
    day_start = min(seg.start for ch in schedule.channels for seg in ch.segments)
    day_end = max(seg.end for ch in schedule.channels for seg in ch.segments)
    return {
        "acronym": "cr_" + ev.date.strftime("%Y%m%d"),
        "title": ev.title,
        "start": ev.date.isoformat(),
        "end": ev.date.isoformat(),
        "daysCount": 1,
        "timeslot_duration": "00:05",
        "time_zone_name": ev.timezone.key,
        **({"url": ev.url} if ev.url else {}),
        "rooms": [
            {
                "name": ch.title,
                "slug": _slug(ch.id),
                "guid": _guid(schedule, f"channel:{ch.id}"),
            }
            for ch in schedule.channels
        ],
        "days": [
            {
                "index": 1,
                "date": ev.date.isoformat(),
                "day_start": schedule.local(day_start).isoformat(),
                "day_end": schedule.local(day_end).isoformat(),
                "rooms": rooms,
            }
        ],
    }


def export_schedule_json(archive: Archive) -> str:
    """The day as a C3VOC schedule.json, with the actual times under ``x-control-room``."""
    schedule = archive.schedule
    rooms, extension = _events(archive)
    doc = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": "control-room", "version": __version__},
        "schedule": {
            "version": archive.version.sha[:12] if archive.version else "1",
            "conference": _conference(schedule, rooms),
            EXTENSION_KEY: {
                "until": _iso(schedule, archive.until),
                "schedule_sha": archive.version.sha if archive.version else None,
                "events": extension,
            },
        },
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


_HEADER = [
    "canal", "niveau", "id", "titre", "site",
    "début prévu", "fin prévue", "durée prévue (min)",
    "début réel", "fin réelle", "durée réelle (min)", "écart fin (min)", "statut",
]  # fmt: skip


def _table(archive: Archive, cell: Callable[[dt.datetime | None], Any]) -> Iterator[list[Any]]:
    schedule = archive.schedule
    yield list(_HEADER)
    for r in rows(archive):
        site_of = schedule.sites.get(r.site) if r.site is not None else None
        site = site_of.name if site_of is not None else ""
        late_end = (
            None
            if r.actual_end is None
            else round((r.actual_end - r.planned_end).total_seconds() / 60, 1)
        )
        actual = r.actual_minutes
        yield [
            r.channel.id, r.level, r.id, r.title, site,
            cell(r.planned_start), cell(r.planned_end), round(r.planned_minutes, 1),
            cell(r.actual_start), cell(r.actual_end),
            None if actual is None else round(actual, 1), late_end, _STATUS_FR[r.status],
        ]  # fmt: skip


def export_csv(archive: Archive) -> str:
    """One row per segment and item: planned against actual (ISO times with offset)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in _table(archive, lambda t: _iso(archive.schedule, t) or ""):
        writer.writerow(["" if v is None else v for v in line])
    return out.getvalue()


def export_xlsx(archive: Archive) -> bytes:
    """The CSV table as a workbook (times as local date-times, the event's zone)."""
    from openpyxl import Workbook

    schedule = archive.schedule

    def cell(instant: dt.datetime | None) -> dt.datetime | None:
        return None if instant is None else schedule.local(instant).replace(tzinfo=None)

    book = Workbook()
    sheet = book.active
    sheet.title = "Prévu et réel"
    for line in _table(archive, cell):
        sheet.append(line)
    for column in ("F", "G", "I", "J"):
        for c in sheet[column][1:]:
            c.number_format = "hh:mm:ss"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ical_text(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # the leading space of a continuation counts
    return "\r\n ".join(parts)


def _utc(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def export_ical(archive: Archive) -> str:
    """A calendar with a VEVENT per segment, at its actual times when known."""
    schedule = archive.schedule
    stamp = _utc(archive.until)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//control-room//{__version__}//FR",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ical_text(schedule.event.title)}",
    ]
    for ch in archive.actuals.channels:
        for actual in ch.segments:
            seg = actual.segment
            start = actual.start or seg.start
            end = actual.end or (
                max(archive.until, start) if actual.status == "on_air" else seg.end
            )
            planned = (
                f"Prévu {schedule.local(seg.start):%H:%M}–{schedule.local(seg.end):%H:%M}"
                f" ({_STATUS_FR[actual.status]})"
            )
            site = schedule.sites.get(seg.site) if seg.site else None
            lines += [
                "BEGIN:VEVENT",
                f"UID:{_guid(schedule, seg.id)}@control-room",
                f"DTSTAMP:{stamp}",
                f"DTSTART:{_utc(start)}",
                f"DTEND:{_utc(max(end, start))}",
                f"SUMMARY:{_ical_text(seg.title)}",
                f"DESCRIPTION:{_ical_text(planned)}",
                f"CATEGORIES:{_ical_text(ch.channel.title)}",
            ]
            if site is not None:
                lines.append(f"LOCATION:{_ical_text(site.name)}")
            if actual.status == "skipped":
                lines.append("STATUS:CANCELLED")
            lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


FORMATS: dict[str, tuple[Callable[[Archive], str | bytes], str]] = {
    "schedule.json": (export_schedule_json, ".json"),
    "csv": (export_csv, ".csv"),
    "xlsx": (export_xlsx, ".xlsx"),
    "ical": (export_ical, ".ics"),
}
"""Each ``--format``: its exporter and its file extension."""
