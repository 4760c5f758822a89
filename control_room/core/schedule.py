"""The schedule model: the day as the technical director wrote it, immutable.

A :class:`Schedule` is built by a parser (:mod:`control_room.core.schedule_yaml` for the
YAML file format) that checks everything and either returns one or raises
:class:`ScheduleError` listing *every* problem found, each as ``file:line: field: message``.

Pure core: no I/O, no clock reads, no state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_LOWER_THIRD",
    "DEFAULT_PRESETS",
    "DEFAULT_SAFE_TAKE_MINUTES",
    "Channel",
    "Event",
    "Item",
    "Kind",
    "Person",
    "PersonRole",
    "Problem",
    "Schedule",
    "ScheduleError",
    "Segment",
    "Site",
]


class Kind(StrEnum):
    """What a segment (or an item) is."""

    OPENING = "opening"
    PLENARY = "plenary"
    ROUND_TABLE = "round_table"
    KEYNOTE = "keynote"
    TALK = "talk"
    WORKSHOP = "workshop"
    PARALLEL = "parallel"
    BREAK = "break"
    CLOSING = "closing"
    OTHER = "other"


class PersonRole(StrEnum):
    """The part a person plays in a segment."""

    HOST = "host"
    MODERATOR = "moderator"
    SPEAKER = "speaker"
    PANELIST = "panelist"
    MINISTER = "minister"
    INTRODUCTION = "introduction"
    KEYNOTE = "keynote"
    GUEST = "guest"


DEFAULT_LOWER_THIRD = dt.timedelta(seconds=20)
"""How long the name strap stays up after a segment or item starts, unless the file says."""

DEFAULT_SAFE_TAKE_MINUTES = 5
"""A take starting a segment more than this before its planned start needs a confirm."""

DEFAULT_PRESETS = ("Concluez", "Encore 5 minutes", "Question suivante")
"""The moderator messages the régie offers in one click, unless the file lists its own."""

# --------------------------------------------------------------------------- the model


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: PersonRole
    function: str | None = None
    organisation: str | None = None


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    name: str
    city: str
    venue: str | None = None
    scene: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """A sub-part of a segment, with its own planned times, people and possibly site."""

    id: str
    title: str
    start: dt.datetime
    end: dt.datetime
    kind: Kind | None = None
    site: str | None = None
    estimated: bool = False
    people: tuple[Person, ...] = ()
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    """One block of a channel's run sheet. ``start``/``end`` are planned, aware, UTC."""

    id: str
    title: str
    kind: Kind
    start: dt.datetime
    end: dt.datetime
    hard: bool = False
    site: str | None = None
    subtitle: str | None = None
    estimated: bool = False
    people: tuple[Person, ...] = ()
    items: tuple[Item, ...] = ()
    parallel: tuple[str, ...] = ()
    notes: str | None = None
    warning: int = 300
    danger: int = 60
    scene: str | None = None
    lower_third: dt.timedelta | None = None  # the strap's time; None: the event's

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    title: str
    segments: tuple[Segment, ...]
    subtitle: str | None = None
    short: str | None = None  # a short title for cards and keys


@dataclass(frozen=True, slots=True)
class Event:
    title: str
    date: dt.date
    timezone: ZoneInfo
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    subtitle: str | None = None
    url: str | None = None
    lower_third: dt.timedelta = DEFAULT_LOWER_THIRD  # zero: no strap by itself
    safe_take_minutes: int = DEFAULT_SAFE_TAKE_MINUTES
    presets: tuple[str, ...] = DEFAULT_PRESETS


@dataclass(frozen=True, slots=True)
class Schedule:
    event: Event
    sites: Mapping[str, Site]
    channels: tuple[Channel, ...]
    switcher_scenes: Mapping[str, str] = field(default_factory=dict)
    source: str = "<schedule>"

    def channel(self, channel_id: str) -> Channel:
        """Return the channel with this id.

        Raises:
            KeyError: no such channel.
        """
        for ch in self.channels:
            if ch.id == channel_id:
                return ch
        raise KeyError(channel_id)

    def segment(self, segment_id: str) -> tuple[Channel, Segment]:
        """Return the channel and segment with this id.

        Raises:
            KeyError: no such segment.
        """
        for ch in self.channels:
            for seg in ch.segments:
                if seg.id == segment_id:
                    return ch, seg
        raise KeyError(segment_id)

    def local(self, instant: dt.datetime) -> dt.datetime:
        """An instant in the event's time zone."""
        return instant.astimezone(self.event.timezone)


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a schedule file."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class ScheduleError(Exception):
    """A schedule file was refused. ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
