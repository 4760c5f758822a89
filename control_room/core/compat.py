"""Whether a schedule can carry a journal: the journal's commands name channels, segments
and sites; a schedule that lacks one of them would leave that command without meaning.

Used when ``serve`` starts on a data dir that holds a journal, and when a new version of
the schedule is offered during the day (a live edit): a version that would orphan journal
entries is refused unless the operator forces it.

Pure core: no I/O, no clock reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .commands import Command, SiteOverride, Take
from .schedule import Schedule
from .states import JournalEntry

__all__ = ["Orphan", "orphans", "same_event"]


@dataclass(frozen=True, slots=True)
class Orphan:
    """A journal entry naming something the schedule lacks.

    Attributes:
        seq: the entry's number in the journal.
        names: what it names, in words (``channel 'parcours-4'``, ``segment 'x' on main``).
    """

    seq: int
    names: str

    def __str__(self) -> str:
        return f"journal entry #{self.seq} names {self.names}"


def _missing(command: Command, schedule: Schedule) -> str | None:
    channels = {channel.id: {seg.id for seg in channel.segments} for channel in schedule.channels}
    channel = getattr(command, "channel", None)
    if channel is not None and channel not in channels:
        return f"channel {channel!r}"
    if isinstance(command, Take) and command.segment is not None:
        if command.segment not in channels.get(command.channel, set()):
            return f"segment {command.segment!r} on {command.channel}"
    if isinstance(command, SiteOverride) and command.site not in schedule.sites:
        return f"site {command.site!r}"
    return None


def orphans(schedule: Schedule, journal: Iterable[JournalEntry]) -> list[Orphan]:
    """Every journal entry that names a channel, segment or site ``schedule`` lacks."""
    found = []
    for entry in journal:
        names = _missing(entry.command, schedule)
        if names is not None:
            found.append(Orphan(entry.seq, names))
    return found


def same_event(old: Schedule, new: Schedule) -> str | None:
    """Why ``new`` cannot replace ``old`` under a running journal (None: it can).

    The journal's instants are the event's: another date or time zone is another show.
    """
    if new.event.date != old.event.date:
        return f"the event's date changed ({old.event.date} → {new.event.date}): another show"
    if new.event.timezone.key != old.event.timezone.key:
        return (
            f"the event's time zone changed ({old.event.timezone.key} → "
            f"{new.event.timezone.key}): another show"
        )
    return None
