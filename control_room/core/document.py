"""The state document: one JSON shape for ``GET /api/state``, the websocket and the CLI.

Instants are ISO-8601 strings carrying the event's UTC offset
(``2026-07-07T11:45:00+02:00``). Clients compute countdowns themselves from the absolute
``starts_at``/``ends_at``; a new document is needed only when something changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .schedule import Item, Person, Schedule, Segment, Site
from .timeline import ChannelState, MessageState, OnAir, ShowState, Upcoming

__all__ = ["iso", "schedule_document", "segment_document", "site_document", "state_document"]

JSON = dict[str, Any]


def iso(instant: dt.datetime | None, schedule: Schedule) -> str | None:
    """An instant as ISO-8601 in the event's time zone (None stays None)."""
    if instant is None:
        return None
    return instant.astimezone(schedule.event.timezone).isoformat()


def site_document(schedule: Schedule, site_id: str | None) -> JSON | None:
    if site_id is None:
        return None
    site: Site = schedule.sites[site_id]
    return {
        "id": site.id,
        "name": site.name,
        "city": site.city,
        "venue": site.venue,
        "scene": site.scene,
    }


def _people(people: tuple[Person, ...]) -> list[JSON]:
    return [
        {
            "name": p.name,
            "role": p.role.value,
            "function": p.function,
            "organisation": p.organisation,
        }
        for p in people
    ]


def _item(schedule: Schedule, item: Item, start: dt.datetime, end: dt.datetime) -> JSON:
    return {
        "id": item.id,
        "title": item.title,
        "kind": item.kind.value if item.kind else None,
        "site": site_document(schedule, item.site),
        "people": _people(item.people),
        "estimated": item.estimated,
        "notes": item.notes,
        "starts_at": iso(start, schedule),
        "ends_at": iso(end, schedule),
        "planned_starts_at": iso(item.start, schedule),
        "planned_ends_at": iso(item.end, schedule),
    }


def segment_document(
    schedule: Schedule,
    seg: Segment,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
) -> JSON:
    """A segment, with its expected times (planned ones when not given)."""
    return {
        "id": seg.id,
        "title": seg.title,
        "subtitle": seg.subtitle,
        "kind": seg.kind.value,
        "hard": seg.hard,
        "estimated": seg.estimated,
        "site": site_document(schedule, seg.site),
        "scene": seg.scene,
        "people": _people(seg.people),
        "starts_at": iso(starts_at or seg.start, schedule),
        "ends_at": iso(ends_at or seg.end, schedule),
        "planned_starts_at": iso(seg.start, schedule),
        "planned_ends_at": iso(seg.end, schedule),
        "warning_seconds": seg.warning,
        "danger_seconds": seg.danger,
        "notes": seg.notes,
        "parallel": list(seg.parallel),
        "items": [
            {"id": it.id, "title": it.title, "site": it.site, "estimated": it.estimated}
            for it in seg.items
        ],
    }


def _now(schedule: Schedule, now: OnAir) -> JSON:
    doc = segment_document(schedule, now.segment, now.starts_at, now.ends_at)
    doc["item"] = (
        _item(schedule, now.item, now.item_starts_at, now.item_ends_at)
        if now.item is not None and now.item_starts_at is not None and now.item_ends_at is not None
        else None
    )
    doc["offset_seconds"] = round((now.ends_at - now.segment.end).total_seconds())
    return doc


def _next(schedule: Schedule, nxt: Upcoming) -> JSON:
    doc = segment_document(schedule, nxt.segment, nxt.starts_at, nxt.ends_at)
    doc["offset_seconds"] = round((nxt.starts_at - nxt.segment.start).total_seconds())
    return doc


def _message(schedule: Schedule, msg: MessageState | None) -> JSON | None:
    if msg is None:
        return None
    return {"id": msg.id, "text": msg.text, "at": iso(msg.at, schedule)}


def _channel(schedule: Schedule, cs: ChannelState, show: ShowState) -> JSON:
    parallel: list[JSON] = []
    if cs.now is not None:
        for other_id in cs.now.segment.parallel:
            other = show.channel(other_id)
            parallel.append(
                {
                    "channel": other_id,
                    "title": other.channel.title,
                    "status": other.status,
                    "site": site_document(schedule, other.site),
                    "slate": other.slate is not None,
                    "now": (
                        {
                            "id": other.now.segment.id,
                            "title": other.now.segment.title,
                            "kind": other.now.segment.kind.value,
                            "ends_at": iso(other.now.ends_at, schedule),
                        }
                        if other.now is not None
                        else None
                    ),
                    "next": (
                        {
                            "id": other.next.segment.id,
                            "title": other.next.segment.title,
                            "starts_at": iso(other.next.starts_at, schedule),
                        }
                        if other.next is not None
                        else None
                    ),
                }
            )
    return {
        "id": cs.channel.id,
        "title": cs.channel.title,
        "subtitle": cs.channel.subtitle,
        "status": cs.status,
        "site": site_document(schedule, cs.site),
        "site_overridden": cs.site_overridden,
        "site_override": site_document(schedule, cs.override),
        "held": cs.held,
        "slate": (
            {"text": cs.slate.text, "since": iso(cs.slate.since, schedule)} if cs.slate else None
        ),
        "messages": {
            "moderators": _message(schedule, cs.moderators_message),
            "viewers": _message(schedule, cs.viewers_message),
        },
        "delay_seconds": round(cs.delay.total_seconds()),
        "now": _now(schedule, cs.now) if cs.now is not None else None,
        "next": _next(schedule, cs.next) if cs.next is not None else None,
        "parallel": parallel,
        "rundown": [
            {
                "id": row.segment.id,
                "status": row.status,
                "starts_at": iso(row.starts_at, schedule),
                "ends_at": iso(row.ends_at, schedule),
            }
            for row in cs.rundown
        ],
    }


def _event(schedule: Schedule) -> JSON:
    ev = schedule.event
    return {
        "title": ev.title,
        "subtitle": ev.subtitle,
        "date": ev.date.isoformat(),
        "timezone": ev.timezone.key,
        "starts_at": iso(ev.start, schedule),
        "ends_at": iso(ev.end, schedule),
        "url": ev.url,
    }


def state_document(schedule: Schedule, show: ShowState) -> JSON:
    """The state document for a computed :class:`ShowState` (JSON-ready)."""
    return {
        "at": iso(show.at, schedule),
        "event": _event(schedule),
        "channels": [_channel(schedule, cs, show) for cs in show.channels],
    }


def schedule_document(schedule: Schedule) -> JSON:
    """The whole parsed schedule (``GET /api/schedule``)."""
    return {
        "event": _event(schedule),
        "sites": [site_document(schedule, sid) for sid in schedule.sites],
        "switcher": {"scenes": dict(schedule.switcher_scenes)},
        "channels": [
            {
                "id": ch.id,
                "title": ch.title,
                "subtitle": ch.subtitle,
                "segments": [
                    {
                        **segment_document(schedule, seg),
                        "items": [_item(schedule, it, it.start, it.end) for it in seg.items],
                    }
                    for seg in ch.segments
                ],
            }
            for ch in schedule.channels
        ],
    }
