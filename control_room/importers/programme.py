"""The programme: what every importer reads out of its source, before it is a schedule.

Each source format (schedule.json, Frab XML, CSV, XLSX) becomes one :class:`Programme`:
a title, a time zone and a flat list of :class:`Session` in rooms, each remembering
where in the source it came from (``file:line`` or ``sheet!A12``) so that a problem
can point at it. :mod:`control_room.importers.writer` turns a programme into schedule
YAML. A source that cannot be read raises :class:`SourceError` with *every* problem.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from control_room.core.schedule import Kind, PersonRole

__all__ = [
    "Programme",
    "Session",
    "SourceError",
    "SourceProblem",
    "Speaker",
    "kind_of",
    "parse_hhmm_duration",
    "role_of",
    "slug",
]


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """One thing wrong in a source file, at ``where`` (``file:line``, ``Sheet!B7``)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class SourceError(Exception):
    """A source was refused. ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[SourceProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class Speaker:
    """A person of a session: the name as printed, and a role when the source has one."""

    name: str
    role: PersonRole = PersonRole.SPEAKER
    function: str | None = None
    organisation: str | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """One slot of the programme in one room. ``start``/``end`` are aware datetimes."""

    source_id: str | None
    where: str
    room: str
    title: str
    start: dt.datetime
    end: dt.datetime
    day: dt.date
    subtitle: str | None = None
    kind: Kind = Kind.TALK
    speakers: tuple[Speaker, ...] = ()
    track: str | None = None
    language: str | None = None
    url: str | None = None
    notes: str | None = None
    hard: bool | None = None  # None: decided by the writer (hard after a gap)


@dataclass(frozen=True, slots=True)
class Programme:
    """Everything an importer read: the conference and its sessions.

    ``days`` lists the source's days in order (a session past midnight belongs to the
    day it was programmed on, not to its calendar date); ``rooms`` lists the rooms in
    the source's order, including rooms with no session.
    """

    title: str
    timezone: str | None
    source: str
    format: str
    sessions: tuple[Session, ...]
    days: tuple[dt.date, ...]
    rooms: tuple[str, ...] = ()
    subtitle: str | None = None
    url: str | None = None
    warnings: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- shared helpers

_KINDS: tuple[tuple[str, Kind], ...] = (
    ("break", Kind.BREAK),
    ("pause", Kind.BREAK),
    ("lunch", Kind.BREAK),
    ("coffee", Kind.BREAK),
    ("déjeuner", Kind.BREAK),
    ("dejeuner", Kind.BREAK),
    ("coupure", Kind.BREAK),
    ("keynote", Kind.KEYNOTE),
    ("plenary", Kind.PLENARY),
    ("plénière", Kind.PLENARY),
    ("pleniere", Kind.PLENARY),
    ("round table", Kind.ROUND_TABLE),
    ("round_table", Kind.ROUND_TABLE),
    ("roundtable", Kind.ROUND_TABLE),
    ("table ronde", Kind.ROUND_TABLE),
    ("panel", Kind.ROUND_TABLE),
    ("discussion", Kind.ROUND_TABLE),
    ("debate", Kind.ROUND_TABLE),
    ("débat", Kind.ROUND_TABLE),
    ("workshop", Kind.WORKSHOP),
    ("hands-on", Kind.WORKSHOP),
    ("atelier", Kind.WORKSHOP),
    ("tutorial", Kind.WORKSHOP),
    ("opening", Kind.OPENING),
    ("welcome", Kind.OPENING),
    ("ouverture", Kind.OPENING),
    ("closing", Kind.CLOSING),
    ("clôture", Kind.CLOSING),
    ("cloture", Kind.CLOSING),
    ("talk", Kind.TALK),
    ("lecture", Kind.TALK),
    ("lightning", Kind.TALK),
    ("conférence", Kind.TALK),
    ("presentation", Kind.TALK),
)


def kind_of(text: str | None) -> Kind:
    """Map a source's session type (``Talk``, ``Workshop``, ``Pause``…) to a segment kind.

    One of our own kinds is taken as is; otherwise the first known word wins, and an
    unknown or missing type is ``other``.
    """
    if not text:
        return Kind.OTHER
    low = text.strip().lower()
    try:
        return Kind(low.replace(" ", "_"))
    except ValueError:
        pass
    for word, kind in _KINDS:
        if word in low:
            return kind
    return Kind.OTHER


_ROLES = {
    "moderation": PersonRole.MODERATOR,
    "moderateur": PersonRole.MODERATOR,
    "modérateur": PersonRole.MODERATOR,
    "moderatrice": PersonRole.MODERATOR,
    "modératrice": PersonRole.MODERATOR,
    "modération": PersonRole.MODERATOR,
    "animateur": PersonRole.MODERATOR,
    "animatrice": PersonRole.MODERATOR,
    "animation": PersonRole.MODERATOR,
    "presenter": PersonRole.SPEAKER,
    "intervenant": PersonRole.SPEAKER,
    "intervenante": PersonRole.SPEAKER,
    "panellist": PersonRole.PANELIST,
    "panéliste": PersonRole.PANELIST,
    "ministre": PersonRole.MINISTER,
    "invité": PersonRole.GUEST,
    "invitée": PersonRole.GUEST,
    "hôte": PersonRole.HOST,
}


def role_of(text: str) -> PersonRole | None:
    """A person's role from a source's word for it, or None if it is not one we know."""
    low = text.strip().lower()
    try:
        return PersonRole(low)
    except ValueError:
        return _ROLES.get(low)


_HHMM = re.compile(r"^(?P<h>\d{1,3}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$")


def parse_hhmm_duration(text: str) -> dt.timedelta:
    """Parse a frab/pretalx duration, ``HH:MM`` or ``HH:MM:SS`` (``00:30``, ``1:30:00``).

    Raises:
        ValueError: not such a duration.
    """
    m = _HHMM.match(text.strip())
    if m is None:
        raise ValueError(f"not a duration: {text!r} (expected HH:MM)")
    return dt.timedelta(hours=int(m["h"]), minutes=int(m["m"]), seconds=int(m["s"] or 0))


def slug(text: str, *, limit: int = 48, fallback: str = "session") -> str:
    """A schedule id from any text: ``Café & Croissants`` → ``cafe-croissants``."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    if len(out) > limit:
        out = out[:limit].rsplit("-", 1)[0] or out[:limit]
    return out.strip("-") or fallback
