"""What the engine computes: the state of every channel at an instant, and its parts.

Plain frozen dataclasses, built by :mod:`control_room.core.timeline` and read by everyone
(the state document, the scene rules, the CLI). Also here: a journal entry (the engine's
input) and the item-window rule (when an item of a segment is on air), shared by the
engine and the scene rules.

Pure core: no I/O, no clock reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from .commands import Command
from .schedule import Channel, Item, Person, Segment

__all__ = [
    "ChannelState",
    "CommandRejected",
    "ItemWindow",
    "JournalEntry",
    "LowerThirdState",
    "MessageState",
    "OnAir",
    "RowStatus",
    "RundownRow",
    "ShowState",
    "SlateState",
    "Status",
    "TimerState",
    "Upcoming",
    "item_windows",
]

Status = Literal["before", "on_air", "gap", "finished"]
RowStatus = Literal["done", "on_air", "next", "planned", "skipped"]
_ZERO = dt.timedelta(0)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One operator command, stamped with the show time at which it was given."""

    seq: int
    at: dt.datetime
    command: Command
    by: str = "operator"


class CommandRejected(ValueError):
    """A command cannot apply now; the message says why, for the operator.

    Attributes:
        detail: what a screen needs to react (JSON-ready), e.g. the safe take's
            ``{"code": "confirm", "starts": ..., "ends": ...}``; None for most refusals.
    """

    def __init__(self, message: str, *, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class OnAir:
    segment: Segment
    starts_at: dt.datetime
    ends_at: dt.datetime
    item: Item | None = None
    item_starts_at: dt.datetime | None = None
    item_ends_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Upcoming:
    segment: Segment
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SlateState:
    text: str
    since: dt.datetime


@dataclass(frozen=True, slots=True)
class MessageState:
    id: int
    text: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class LowerThirdState:
    """The name strap of a channel: who it names now, and whether it is up.

    Attributes:
        visible: the strap is up now.
        people: who it names (the item's people on air, else the segment's; empty:
            nobody to name, so it never comes in).
        since: when it came in (None: not up).
        until: when it goes out by itself (None: not up, or called in by hand: it stays
            until called out or the next item or segment).
    """

    visible: bool
    people: tuple[Person, ...] = ()
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class TimerState:
    """The moderators' timer flags: a flash until an instant, a blackout."""

    flash_until: dt.datetime | None = None
    blackout: bool = False


@dataclass(frozen=True, slots=True)
class RundownRow:
    segment: Segment
    status: RowStatus
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ChannelState:
    channel: Channel
    status: Status
    now: OnAir | None
    next: Upcoming | None
    site: str | None
    site_overridden: bool
    override: str | None  # the fallback site set by the operator, shown even in a break
    held: bool
    slate: SlateState | None
    moderators_message: MessageState | None
    viewers_message: MessageState | None
    rundown: tuple[RundownRow, ...]
    lower_third: LowerThirdState = LowerThirdState(False)
    timer: TimerState = TimerState()

    @property
    def delay(self) -> dt.timedelta:
        """How late the channel runs against its plan (negative: early): the expected
        start of what comes next against its planned start; on the last segment, its
        expected end against its planned end.

        What comes next is what the lateness costs: after ``extend +1 min`` and then
        ``delay +5 min``, the next segment starts 5 minutes late, whatever the segment
        on air's own end says (it ends 1 minute late, and maybe 4 seconds more if it
        went on air 4 seconds late).
        """
        if self.next is not None:
            return self.next.starts_at - self.next.segment.start
        if self.now is not None:
            return self.now.ends_at - self.now.segment.end
        return _ZERO


@dataclass(frozen=True, slots=True)
class ShowState:
    at: dt.datetime = field(compare=False)
    channels: tuple[ChannelState, ...]

    def channel(self, channel_id: str) -> ChannelState:
        for ch in self.channels:
            if ch.channel.id == channel_id:
                return ch
        raise KeyError(channel_id)


@dataclass(frozen=True, slots=True)
class ItemWindow:
    """When an item of a segment is expected on air, given when the segment is.

    Attributes:
        item: the item.
        starts_at: when it goes on air.
        ends_at: when it ends (for a ``closing`` item: the segment's expected end).
        closing: it ends at its segment's planned end, so it stretches with the segment
            and runs on while the segment is held.
    """

    item: Item
    starts_at: dt.datetime
    ends_at: dt.datetime
    closing: bool


def item_windows(
    segment: Segment, starts_at: dt.datetime, ends_at: dt.datetime
) -> list[ItemWindow]:
    """The items of ``segment`` with their expected windows, the segment being on air
    from ``starts_at`` to ``ends_at``.

    Items move with their segment's actual start; a parallel block's items (the tracks'
    lunch break...) follow the clock like the tracks themselves. An item that closes its
    segment (it ends at the segment's planned end) stretches to the segment's expected
    end; other items keep their planned length.

    Args:
        segment: the segment on air (or about to be).
        starts_at: when it went (goes) on air.
        ends_at: when it is expected to end, ignoring a hold.
    """
    offset = _ZERO if segment.parallel else starts_at - segment.start
    out = []
    for it in segment.items:
        closing = it.end == segment.end
        window_end = max(it.end + offset, ends_at) if closing else it.end + offset
        out.append(ItemWindow(it, it.start + offset, window_end, closing))
    return out
