"""The Redis key names of one show, all under ``control-room:{EVENT}:``.

The event id (:func:`event_id`) is the day and a short hash of the event's title, so every
instance started with the same schedule joins the same show and two shows never share a
key. The braces are a Redis Cluster hash tag: every key of a show lands in one slot, which
the Lua scripts (:mod:`.lease`, :mod:`.stream`) need to touch several of them atomically.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from control_room.core.schedule import Schedule

__all__ = ["Keys", "event_id"]


def event_id(schedule: Schedule) -> str:
    """The show's id: ``2026-07-07-1a2b3c4d`` (its date and its title's hash)."""
    title = hashlib.sha256(schedule.event.title.encode("utf-8")).hexdigest()[:8]
    return f"{schedule.event.date.isoformat()}-{title}"


@dataclass(frozen=True, slots=True)
class Keys:
    """Every key of one show.

    Attributes:
        prefix: ``control-room:{EVENT}:``.
    """

    prefix: str

    @classmethod
    def of(cls, event: str) -> Keys:
        return cls(f"control-room:{{{event}}}:")

    @property
    def lease(self) -> str:
        """The leader's lease: ``NODE|EPOCH``, with a time to live (SET NX PX)."""
        return self.prefix + "lease"

    @property
    def epoch(self) -> str:
        """The fencing epoch: incremented by each new leader, never decreasing."""
        return self.prefix + "epoch"

    @property
    def stream(self) -> str:
        """The replicated journal: one stream entry per journal entry."""
        return self.prefix + "journal"

    @property
    def last_seq(self) -> str:
        """The seq of the stream's last entry (the fenced append's gap check)."""
        return self.prefix + "last-seq"

    @property
    def clock(self) -> str:
        """The shared clock model (JSON: rehearsal, origin_show, origin_wall, speed)."""
        return self.prefix + "clock"

    @property
    def schedule(self) -> str:
        """The SHA-256 of the schedule file every instance must serve."""
        return self.prefix + "schedule"

    @property
    def requests(self) -> str:
        """Commands forwarded by followers to the leader (a list: RPUSH / BLPOP)."""
        return self.prefix + "requests"

    def reply(self, request_id: str) -> str:
        """The list one forwarded command's result comes back on."""
        return self.prefix + "reply:" + request_id
