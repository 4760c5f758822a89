"""The state document: one JSON shape for ``GET /api/state``, the websocket and the CLI.

Instants are ISO-8601 strings carrying the event's UTC offset
(``2026-07-07T11:45:00+02:00``). Clients compute countdowns themselves from the absolute
``starts_at``/``ends_at``; a new document is needed only when something changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from typing_extensions import TypedDict

from .schedule import Item, Kind, Person, Schedule, Segment, Site
from .timeline import ChannelState, LowerThirdState, MessageState, OnAir, ShowState, Upcoming

__all__ = [
    "NOTES_ALL",
    "NOTES_NONE",
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
    "LowerThirdDoc",
    "NoteScope",
    "StrapPersonDoc",
    "TimerDoc",
    "iso",
    "public_channel",
    "public_schedule",
    "public_state",
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
    lower_third_seconds: int
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


class StrapPersonDoc(TypedDict):
    name: str
    function: str | None
    organisation: str | None


class LowerThirdDoc(TypedDict):
    """The channel's name strap: who it names now and whether it is up (``since`` to
    ``until``; ``until`` None while up: called in by hand, it stays until called out)."""

    visible: bool
    people: list[StrapPersonDoc]
    since: str | None
    until: str | None


class TimerDoc(TypedDict):
    """The moderators' timer flags: flashing until ``flash_until`` (None: not flashing),
    blacked out."""

    flash_until: str | None
    blackout: bool


class RundownRowDoc(TypedDict):
    id: str
    status: Literal["done", "on_air", "next", "planned", "skipped"]
    starts_at: str | None
    ends_at: str | None


class ChannelDoc(TypedDict):
    id: str
    title: str
    subtitle: str | None
    short: str | None
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
    resumes_at: str | None
    resumes_item: ItemRefDoc | None
    parallel: list[ParallelDoc]
    rundown: list[RundownRowDoc]
    lower_third: LowerThirdDoc
    timer: TimerDoc


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
    short: str | None
    segments: list[dict[str, object]]


class SwitcherScenesDoc(TypedDict):
    scenes: dict[str, str]


class ScheduleDocument(TypedDict):
    """The whole parsed schedule (``GET /api/schedule``)."""

    event: EventDoc
    sites: list[SiteDoc | None]
    switcher: SwitcherScenesDoc
    presets: list[str]
    safe_take_minutes: int
    lower_third_seconds: int
    channels: list[ScheduleChannelDoc]


NoteScope = frozenset[str] | None
"""The channels whose private notes a reader gets: None for all (the régie), a set for a
moderator's channels, the empty set for everyone else (the public documents)."""

NOTES_ALL: NoteScope = None
NOTES_NONE: NoteScope = frozenset()


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
        "lower_third_seconds": round(
            (
                seg.lower_third if seg.lower_third is not None else schedule.event.lower_third
            ).total_seconds()
        ),
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


def _lower_third(schedule: Schedule, strap: LowerThirdState) -> LowerThirdDoc:
    return {
        "visible": strap.visible,
        "people": [
            {"name": p.name, "function": p.function, "organisation": p.organisation}
            for p in strap.people
        ],
        "since": iso(strap.since, schedule),
        "until": iso(strap.until, schedule),
    }


def _resumes(cs: ChannelState) -> tuple[dt.datetime | None, Item | None]:
    """During a break (an item of kind break on air, or a break segment): when the
    programme resumes, and the item of the segment that resumes it (None: the segment
    that follows, or the parallel channels, resume it)."""
    now = cs.now
    if now is None:
        return None, None
    if now.item is not None and now.item.kind is Kind.BREAK and now.item_ends_at is not None:
        items = now.segment.items
        index = items.index(now.item)
        following = items[index + 1] if index + 1 < len(items) else None
        return now.item_ends_at, following
    if now.segment.kind is Kind.BREAK:
        return (cs.next.starts_at if cs.next is not None else now.ends_at), None
    return None, None


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
    resumes_at, resumes_item = _resumes(cs)
    return {
        "id": cs.channel.id,
        "title": cs.channel.title,
        "subtitle": cs.channel.subtitle,
        "short": cs.channel.short,
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
        "resumes_at": iso(resumes_at, schedule),
        "resumes_item": (
            {
                "id": resumes_item.id,
                "title": resumes_item.title,
                "site": resumes_item.site,
                "estimated": resumes_item.estimated,
            }
            if resumes_item is not None
            else None
        ),
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
        "lower_third": _lower_third(schedule, cs.lower_third),
        "timer": {
            "flash_until": iso(cs.timer.flash_until, schedule),
            "blackout": cs.timer.blackout,
        },
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
        "presets": list(schedule.event.presets),
        "safe_take_minutes": schedule.event.safe_take_minutes,
        "lower_third_seconds": round(schedule.event.lower_third.total_seconds()),
        "channels": [
            {
                "id": ch.id,
                "title": ch.title,
                "subtitle": ch.subtitle,
                "short": ch.short,
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


# --------------------------------------------------------------------------- private notes
#
# The schedule's notes are for the régie and the moderators: the documents are built with
# them, and these make the public copies (a note becomes None). Each is made once per
# publication and reader scope, never per client.


def _without_notes(doc: SegmentDoc) -> SegmentDoc:
    return {**doc, "notes": None}


def public_channel(channel: ChannelDoc) -> ChannelDoc:
    """A channel's state without its notes (segment on air, its item, the next one)."""
    now, nxt = channel["now"], channel["next"]
    item = now["item"] if now is not None else None
    if (
        (now is None or now["notes"] is None)
        and (item is None or item["notes"] is None)
        and (nxt is None or nxt["notes"] is None)
    ):
        return channel
    public: ChannelDoc = {**channel}
    if now is not None:
        public["now"] = {
            **now,
            "notes": None,
            "item": {**item, "notes": None} if item is not None else None,
        }
    if nxt is not None:
        public["next"] = {**nxt, "notes": None}
    return public


def public_state(doc: StateDocument, scope: NoteScope = NOTES_NONE) -> StateDocument:
    """The state document with only the notes of the channels in ``scope``."""
    if scope is None:
        return doc
    return {
        **doc,
        "channels": [ch if ch["id"] in scope else public_channel(ch) for ch in doc["channels"]],
    }


def public_schedule(doc: ScheduleDocument, scope: NoteScope = NOTES_NONE) -> ScheduleDocument:
    """The schedule document with only the notes of the channels in ``scope``."""
    if scope is None:
        return doc
    channels: list[ScheduleChannelDoc] = []
    for ch in doc["channels"]:
        if ch["id"] in scope:
            channels.append(ch)
            continue
        segments: list[dict[str, object]] = []
        for seg in ch["segments"]:
            items = seg.get("items")
            segments.append(
                {
                    **seg,
                    "notes": None,
                    "items": [
                        {**it, "notes": None} if isinstance(it, dict) else it
                        for it in (items if isinstance(items, list) else [])
                    ],
                }
            )
        channels.append({**ch, "segments": segments})
    return {**doc, "channels": channels}
