"""The live document: what the engine computed, by reference to the schedule; and its patches.

The full state document (:mod:`control_room.core.document`) repeats the schedule's titles,
people, sites and items in every message: about 11 KB for the shipped day, for a slate.
The live document keeps only what the engine computes — statuses, the ids of what is on
air and next, their instants, flags, site ids, the régie's texts, the rundown as ids,
statuses and instants — so that a client holding the schedule (``GET /api/schedule``,
fetched once per version) can join the two into exactly the full document
(web/static/live-state.js does; a browser test proves the join against ``GET /api/state``).

Between two publications a client gets :func:`live_patch` of the two live documents: a JSON
merge patch (RFC 7386: objects merged member by member, recursively; arrays and scalars
replaced; ``null`` removes a member). To keep that exact, a live document never holds
``null`` as an object member (an absent member is the document's null); arrays may. Keyed
objects (the rundown by segment id, the parallel channels by channel id) let a patch carry
only the rows that changed.

Instants are ISO-8601 in the event's time zone, as in the full document, shortened by the
:class:`Instants` frame: ``"12:10:00.5"`` stands for ``"2026-07-07T12:10:00.5+02:00"`` when
the instant has the event's date and the offset of its start (anything else is sent whole),
and ``"12:10"`` for ``"12:10:00"``. A rundown row of the segment on air (or next) is only its
status when its instants are those of ``now`` (or ``next``): an extend does not repeat them.

Pure core: no I/O, no clock reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .document import NOTES_NONE, NoteScope, _resumes
from .schedule import Item, Person, Schedule, Segment
from .states import (
    ChannelState,
    LowerThirdState,
    MessageState,
    OnAir,
    RundownRow,
    ShowState,
    item_windows,
)

__all__ = [
    "Instants",
    "LiveChannel",
    "LiveDocument",
    "apply_patch",
    "live_document",
    "live_patch",
    "public_live",
]

LiveChannel = dict[str, Any]
"""One channel of the live document (JSON-ready; no ``null`` members)."""

LiveDocument = dict[str, Any]
"""``{"at": instant, "channels": {channel_id: LiveChannel}}``."""


@dataclass(frozen=True, slots=True)
class Instants:
    """How instants are shortened: ``prefix + short + suffix`` is the full ISO string.

    Attributes:
        prefix: the event's date and ``T`` (``"2026-07-07T"``).
        suffix: the event's UTC offset at its start (``"+02:00"``).
    """

    prefix: str
    suffix: str

    @classmethod
    def of(cls, schedule: Schedule) -> Instants:
        ev = schedule.event
        anchor = ev.start or dt.datetime.combine(ev.date, dt.time(12), ev.timezone)
        start = anchor.astimezone(ev.timezone).isoformat()
        return cls(prefix=start[:11], suffix=start[-6:])

    def short(self, instant: dt.datetime | None, schedule: Schedule) -> str | None:
        """The instant as the full document writes it, without the frame's prefix and
        suffix when it has both."""
        if instant is None:
            return None
        text = instant.astimezone(schedule.event.timezone).isoformat()
        if text.startswith(self.prefix) and text.endswith(self.suffix):
            short = text[len(self.prefix) : len(text) - len(self.suffix)]
            return short[:5] if len(short) == 8 and short.endswith(":00") else short
        return text

    def doc(self) -> dict[str, str]:
        return {"prefix": self.prefix, "suffix": self.suffix}


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    """Set a member unless it is None (a live document has no null members)."""
    if value is not None:
        target[key] = value


def _message(fr: Instants, schedule: Schedule, msg: MessageState | None) -> Any:
    if msg is None:
        return None
    return {"id": msg.id, "text": msg.text, "at": fr.short(msg.at, schedule)}


def _strap_people(strap: LowerThirdState, now: OnAir | None) -> Any:
    """Who the strap names, by reference when the schedule says it: ``"item"`` (the item
    on air's people), ``"segment"`` (the segment's), else the names themselves."""
    if not strap.people:
        return None
    if now is not None and now.item is not None and strap.people == now.item.people:
        return "item"
    if now is not None and strap.people == now.segment.people:
        return "segment"
    return [_person(p) for p in strap.people]


def _person(p: Person) -> dict[str, Any]:
    return {"name": p.name, "function": p.function, "organisation": p.organisation}


def _now(fr: Instants, schedule: Schedule, now: OnAir) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": now.segment.id,
        "s": fr.short(now.starts_at, schedule),
        "e": fr.short(now.ends_at, schedule),
        "off": round((now.ends_at - now.segment.end).total_seconds()),
    }
    _set(doc, "notes", now.segment.notes)
    item = now.item
    if item is not None and now.item_starts_at is not None and now.item_ends_at is not None:
        live_item: dict[str, Any] = {
            "id": item.id,
            "s": fr.short(now.item_starts_at, schedule),
            "e": fr.short(now.item_ends_at, schedule),
        }
        _set(live_item, "notes", item.notes)
        doc["item"] = live_item
    # Each item's expected window by the engine's rule (the backstage's plan vs expected),
    # keyed by item: an extend patches only the closing item's end.
    windows = item_windows(now.segment, now.starts_at, now.ends_at)
    if windows:
        doc["iw"] = {
            w.item.id: [fr.short(w.starts_at, schedule), fr.short(w.ends_at, schedule)]
            for w in windows
        }
    return doc


def _next(fr: Instants, schedule: Schedule, seg: Segment, s: dt.datetime, e: dt.datetime) -> Any:
    doc: dict[str, Any] = {
        "id": seg.id,
        "s": fr.short(s, schedule),
        "e": fr.short(e, schedule),
        "off": round((s - seg.start).total_seconds()),
    }
    _set(doc, "notes", seg.notes)
    return doc


def _parallel(fr: Instants, schedule: Schedule, other: ChannelState) -> dict[str, Any]:
    doc: dict[str, Any] = {"status": other.status, "slate": other.slate is not None}
    _set(doc, "site", other.site)
    if other.now is not None:
        doc["now"] = {"id": other.now.segment.id, "e": fr.short(other.now.ends_at, schedule)}
    if other.next is not None:
        doc["next"] = {"id": other.next.segment.id, "s": fr.short(other.next.starts_at, schedule)}
    return doc


def _resumes_item(item: Item | None) -> str | None:
    return None if item is None else item.id


def _row(fr: Instants, schedule: Schedule, row: RundownRow, cs: ChannelState) -> list[Any]:
    """A rundown row: ``[status, starts_at, ends_at]``, or ``[status]`` when its instants are
    those of the segment on air (``on_air``) or next (``next``)."""
    same = cs.now if row.status == "on_air" else cs.next if row.status == "next" else None
    if (
        same is not None
        and same.segment is row.segment
        and (same.starts_at, same.ends_at) == (row.starts_at, row.ends_at)
    ):
        return [row.status]
    return [row.status, fr.short(row.starts_at, schedule), fr.short(row.ends_at, schedule)]


def _channel(fr: Instants, schedule: Schedule, cs: ChannelState, show: ShowState) -> LiveChannel:
    """One channel as the engine computed it, by reference to the schedule."""
    doc: LiveChannel = {"status": cs.status}
    _set(doc, "site", cs.site)
    doc["site_overridden"] = cs.site_overridden
    _set(doc, "site_override", cs.override)
    doc["held"] = cs.held
    if cs.slate is not None:
        doc["slate"] = {"text": cs.slate.text, "since": fr.short(cs.slate.since, schedule)}
    messages: dict[str, Any] = {}
    _set(messages, "moderators", _message(fr, schedule, cs.moderators_message))
    _set(messages, "viewers", _message(fr, schedule, cs.viewers_message))
    doc["messages"] = messages
    doc["delay"] = round(cs.delay.total_seconds())
    if cs.now is not None:
        doc["now"] = _now(fr, schedule, cs.now)
        if cs.now.segment.parallel:
            doc["parallel"] = {
                other: _parallel(fr, schedule, show.channel(other))
                for other in cs.now.segment.parallel
            }
    if cs.next is not None:
        doc["next"] = _next(fr, schedule, cs.next.segment, cs.next.starts_at, cs.next.ends_at)
    resumes_at, resumes_item = _resumes(cs)
    _set(doc, "resumes_at", fr.short(resumes_at, schedule))
    _set(doc, "resumes_item", _resumes_item(resumes_item))
    doc["rundown"] = {row.segment.id: _row(fr, schedule, row, cs) for row in cs.rundown}
    strap = cs.lower_third
    lower_third: dict[str, Any] = {"visible": strap.visible}
    _set(lower_third, "people", _strap_people(strap, cs.now))
    _set(lower_third, "since", fr.short(strap.since, schedule))
    _set(lower_third, "until", fr.short(strap.until, schedule))
    doc["lower_third"] = lower_third
    timer: dict[str, Any] = {"blackout": cs.timer.blackout}
    _set(timer, "flash_until", fr.short(cs.timer.flash_until, schedule))
    doc["timer"] = timer
    return doc


def live_document(schedule: Schedule, show: ShowState) -> LiveDocument:
    """The live document of a computed :class:`ShowState`, every note in (see
    :func:`public_live` for a reader's copy)."""
    fr = Instants.of(schedule)
    return {
        "at": fr.short(show.at, schedule),
        "channels": {cs.channel.id: _channel(fr, schedule, cs, show) for cs in show.channels},
    }


def _without_notes(channel: LiveChannel) -> LiveChannel:
    now, nxt = channel.get("now"), channel.get("next")
    item = now.get("item") if now is not None else None
    if not any(part is not None and "notes" in part for part in (now, item, nxt)):
        return channel
    public = dict(channel)
    if now is not None:
        public["now"] = {k: v for k, v in now.items() if k != "notes"}
        if item is not None:
            public["now"]["item"] = {k: v for k, v in item.items() if k != "notes"}
    if nxt is not None:
        public["next"] = {k: v for k, v in nxt.items() if k != "notes"}
    return public


def public_live(doc: LiveDocument, scope: NoteScope = NOTES_NONE) -> LiveDocument:
    """The live document with only the notes of the channels in ``scope`` (None: all)."""
    if scope is None:
        return doc
    return {
        **doc,
        "channels": {
            cid: ch if cid in scope else _without_notes(ch) for cid, ch in doc["channels"].items()
        },
    }


def live_patch(old: Any, new: Any) -> Any:
    """The JSON merge patch (RFC 7386) that turns ``old`` into ``new``.

    Two objects give an object of the members that differ (a removed member: ``None``,
    written ``null``; a member that is an object on both sides: its own patch); anything
    else gives ``new`` whole. Equal objects give ``{}``.
    """
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    patch: dict[str, Any] = {}
    for key, value in new.items():
        if key not in old:
            patch[key] = value
        elif old[key] != value:
            patch[key] = live_patch(old[key], value)
    for key in old:
        if key not in new:
            patch[key] = None
    return patch


def apply_patch(doc: Any, patch: Any) -> Any:
    """Apply a JSON merge patch (RFC 7386) to ``doc`` (not modified): what a client does."""
    if not isinstance(patch, dict):
        return patch
    out = dict(doc) if isinstance(doc, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = apply_patch(out.get(key), value)
    return out
