"""The state document's shape, typed: every dict :mod:`control_room.core.document` builds.

Split from the builders so that a reader of the wire (:mod:`control_room.wire`, the OpenAPI
schema) finds the whole shape in one place, and a reader of the builders finds only how
each field is computed.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

__all__ = [
    "ChannelDoc",
    "EventDoc",
    "ItemDoc",
    "ItemRefDoc",
    "ItemWindowDoc",
    "LowerThirdDoc",
    "MessageDoc",
    "MessagesDoc",
    "NextDoc",
    "NowDoc",
    "ParallelDoc",
    "ParallelNextDoc",
    "ParallelNowDoc",
    "PersonDoc",
    "RundownRowDoc",
    "ScheduleChannelDoc",
    "ScheduleDocument",
    "SegmentDoc",
    "SiteDoc",
    "SlateDoc",
    "StateDocument",
    "StrapPersonDoc",
    "SwitcherScenesDoc",
    "TimerDoc",
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


class ItemWindowDoc(TypedDict):
    """An item of the segment on air and its expected window (its plan moved with the
    segment's actual start; the closing item stretched to the segment's expected end)."""

    id: str
    starts_at: str | None
    ends_at: str | None


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
    item_windows: list[ItemWindowDoc]
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
