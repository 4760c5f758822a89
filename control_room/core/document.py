"""The state document: one JSON shape for ``GET /api/state``, the websocket and the CLI.

Instants are ISO-8601 strings carrying the event's UTC offset
(``2026-07-07T11:45:00+02:00``). Clients compute countdowns themselves from the absolute
``starts_at``/``ends_at``; a new document is needed only when something changes.
"""

from __future__ import annotations

import datetime as dt

from .document_types import (
    ChannelDoc,
    EventDoc,
    ItemDoc,
    ItemRefDoc,
    ItemWindowDoc,
    LowerThirdDoc,
    MessageDoc,
    NextDoc,
    NowDoc,
    ParallelDoc,
    PersonDoc,
    RundownRowDoc,
    ScheduleChannelDoc,
    ScheduleDocument,
    SegmentDoc,
    SiteDoc,
    SlateDoc,
    StateDocument,
    StrapPersonDoc,
    TimerDoc,
)
from .schedule import Item, Kind, Person, Schedule, Segment, Site
from .timeline import (
    ChannelState,
    LowerThirdState,
    MessageState,
    OnAir,
    ShowState,
    Upcoming,
    item_windows,
)

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
    # Every item's expected window, so a backstage screen reads plan against expected times
    # by the engine's own rule rather than by a copy of it.
    windows: list[ItemWindowDoc] = [
        {
            "id": w.item.id,
            "starts_at": iso(w.starts_at, schedule),
            "ends_at": iso(w.ends_at, schedule),
        }
        for w in item_windows(now.segment, now.starts_at, now.ends_at)
    ]
    return NowDoc(
        **segment_document(schedule, now.segment, now.starts_at, now.ends_at),
        item=item,
        item_windows=windows,
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


def _parallel(schedule: Schedule, other_id: str, other: ChannelState) -> ParallelDoc:
    """A channel running beside the segment on air: what it shows now and next."""
    return {
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


def _resumes_item(item: Item | None) -> ItemRefDoc | None:
    """The item that resumes the programme after a break, named."""
    if item is None:
        return None
    return {"id": item.id, "title": item.title, "site": item.site, "estimated": item.estimated}


def _rundown(schedule: Schedule, cs: ChannelState) -> list[RundownRowDoc]:
    """Every segment of the channel, with its status and its (expected) times."""
    return [
        {
            "id": row.segment.id,
            "status": row.status,
            "starts_at": iso(row.starts_at, schedule),
            "ends_at": iso(row.ends_at, schedule),
        }
        for row in cs.rundown
    ]


def _channel(schedule: Schedule, cs: ChannelState, show: ShowState) -> ChannelDoc:
    """One channel's part of the state document."""
    parallel = (
        [_parallel(schedule, other, show.channel(other)) for other in cs.now.segment.parallel]
        if cs.now is not None
        else []
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
        "resumes_item": _resumes_item(resumes_item),
        "parallel": parallel,
        "rundown": _rundown(schedule, cs),
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
