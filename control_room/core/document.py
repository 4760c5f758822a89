"""The state document: one JSON shape for ``GET /api/state``, the websocket and the CLI.

Instants are ISO-8601 strings carrying the event's UTC offset
(``2026-07-07T11:45:00+02:00``). Clients compute countdowns themselves from the absolute
``starts_at``/``ends_at``; a new document is needed only when something changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from typing_extensions import TypedDict

from .schedule import Item, Person, Schedule, Segment, Site
from .timeline import ChannelState, MessageState, OnAir, ShowState, Upcoming

__all__ = [
    "ChannelDoc",
    "EventDoc",
    "ItemDoc",
    "MessageDoc",
    "NextDoc",
    "NowDoc",
    "ParallelDoc",
    "PersonDoc",
    "RundownRowDoc",
    "ScheduleDocument",
    "SegmentDoc",
    "SiteDoc",
    "SlateDoc",
    "StateDocument",
    "iso",
    "schedule_document",
    "segment_document",
    "site_document",
    "state_document",
]

# The document's shape, typed. TypedDicts cost nothing at run time (the document stays plain
# dicts, built and compared as such) and give the wire models (control_room.wire) and the
# OpenAPI schema their exact fields. typing_extensions' TypedDict: pydantic needs it on 3.11.


class SiteDoc(TypedDict):
    id: str
    name: str
    city: str
    venue: str | None
    scene: str | None


class PersonDoc(TypedDict):
    name: str
    role: str
    function: str | None
    organisation: str | None


class ItemDoc(TypedDict):
    """An item with its expected window (``starts_at``/``ends_at``) and its plan."""

    id: str
    title: str
    kind: str | None
    site: SiteDoc | None
    people: list[PersonDoc]
    estimated: bool
    notes: str | None
    starts_at: str | None
    ends_at: str | None
    planned_starts_at: str | None
    planned_ends_at: str | None


class ItemRefDoc(TypedDict):
    id: str
    title: str
    site: str | None
    estimated: bool


class SegmentDoc(TypedDict):
    """A segment with its expected times (the planned ones when nothing moved it)."""

    id: str
    title: str
    subtitle: str | None
    kind: str
    hard: bool
    estimated: bool
    site: SiteDoc | None
    scene: str | None
    people: list[PersonDoc]
    starts_at: str | None
    ends_at: str | None
    planned_starts_at: str | None
    planned_ends_at: str | None
    warning_seconds: int
    danger_seconds: int
    notes: str | None
    parallel: list[str]
    items: list[ItemRefDoc]


class NowDoc(SegmentDoc):
    """The segment on air: its item on air, and how late it ends against the plan."""

    item: ItemDoc | None
    offset_seconds: int


class NextDoc(SegmentDoc):
    """The segment that comes next, and how late it starts against the plan."""

    offset_seconds: int


class MessageDoc(TypedDict):
    id: int
    text: str
    at: str | None


class MessagesDoc(TypedDict):
    moderators: MessageDoc | None
    viewers: MessageDoc | None


class SlateDoc(TypedDict):
    text: str
    since: str | None


class ParallelNowDoc(TypedDict):
    id: str
    title: str
    kind: str
    ends_at: str | None


class ParallelNextDoc(TypedDict):
    id: str
    title: str
    starts_at: str | None


class ParallelDoc(TypedDict):
    """A channel running beside this one's parallel block (the main channel's parcours)."""

    channel: str
    title: str
    status: str
    site: SiteDoc | None
    slate: bool
    now: ParallelNowDoc | None
    next: ParallelNextDoc | None


class RundownRowDoc(TypedDict):
    id: str
    status: Literal["done", "on_air", "next", "planned", "skipped"]
    starts_at: str | None
    ends_at: str | None


class ChannelDoc(TypedDict):
    id: str
    title: str
    subtitle: str | None
    status: Literal["before", "on_air", "gap", "finished"]
    site: SiteDoc | None
    site_overridden: bool
    site_override: SiteDoc | None
    held: bool
    slate: SlateDoc | None
    messages: MessagesDoc
    delay_seconds: int
    now: NowDoc | None
    next: NextDoc | None
    parallel: list[ParallelDoc]
    rundown: list[RundownRowDoc]


class EventDoc(TypedDict):
    title: str
    subtitle: str | None
    date: str
    timezone: str
    starts_at: str | None
    ends_at: str | None
    url: str | None


class StateDocument(TypedDict):
    """What is on air at ``at`` on every channel (or the channels a client follows)."""

    at: str | None
    event: EventDoc
    channels: list[ChannelDoc]


class ScheduleChannelDoc(TypedDict):
    id: str
    title: str
    subtitle: str | None
    segments: list[dict[str, object]]


class SwitcherScenesDoc(TypedDict):
    scenes: dict[str, str]


class ScheduleDocument(TypedDict):
    """The whole parsed schedule (``GET /api/schedule``)."""

    event: EventDoc
    sites: list[SiteDoc | None]
    switcher: SwitcherScenesDoc
    channels: list[ScheduleChannelDoc]


def iso(instant: dt.datetime | None, schedule: Schedule) -> str | None:
    """An instant as ISO-8601 in the event's time zone (None stays None)."""
    if instant is None:
        return None
    return instant.astimezone(schedule.event.timezone).isoformat()


def site_document(schedule: Schedule, site_id: str | None) -> SiteDoc | None:
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


def _people(people: tuple[Person, ...]) -> list[PersonDoc]:
    return [
        {
            "name": p.name,
            "role": p.role.value,
            "function": p.function,
            "organisation": p.organisation,
        }
        for p in people
    ]


def _item(schedule: Schedule, item: Item, start: dt.datetime, end: dt.datetime) -> ItemDoc:
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
) -> SegmentDoc:
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


def _now(schedule: Schedule, now: OnAir) -> NowDoc:
    item = (
        _item(schedule, now.item, now.item_starts_at, now.item_ends_at)
        if now.item is not None and now.item_starts_at is not None and now.item_ends_at is not None
        else None
    )
    offset = round((now.ends_at - now.segment.end).total_seconds())
    return NowDoc(
        **segment_document(schedule, now.segment, now.starts_at, now.ends_at),
        item=item,
        offset_seconds=offset,
    )


def _next(schedule: Schedule, nxt: Upcoming) -> NextDoc:
    offset = round((nxt.starts_at - nxt.segment.start).total_seconds())
    return NextDoc(
        **segment_document(schedule, nxt.segment, nxt.starts_at, nxt.ends_at),
        offset_seconds=offset,
    )


def _message(schedule: Schedule, msg: MessageState | None) -> MessageDoc | None:
    if msg is None:
        return None
    return {"id": msg.id, "text": msg.text, "at": iso(msg.at, schedule)}


def _channel(schedule: Schedule, cs: ChannelState, show: ShowState) -> ChannelDoc:
    parallel: list[ParallelDoc] = []
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


def _event(schedule: Schedule) -> EventDoc:
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


def state_document(schedule: Schedule, show: ShowState) -> StateDocument:
    """The state document for a computed :class:`ShowState` (JSON-ready)."""
    return {
        "at": iso(show.at, schedule),
        "event": _event(schedule),
        "channels": [_channel(schedule, cs, show) for cs in show.channels],
    }


def schedule_document(schedule: Schedule) -> ScheduleDocument:
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
