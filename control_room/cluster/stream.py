"""The replicated journal: a Redis Stream with one entry per journal entry.

Each stream entry carries ``seq``, ``epoch`` (of the leader that wrote it) and the journal
entry's stored texts (``wall``, ``at`` the show instant, ``who``, ``command``), exactly as
the leader's SQLite stores them, so every copy hashes to the same seal head.

The leader appends with one Lua script (:meth:`ReplicatedJournal.append`) that adds the
entry only if the lease is still held by this node at this epoch and the stream's last seq
is ``seq - 1`` (fencing, and no gaps), then records the new last seq; otherwise it refuses
and says why. A deposed leader that wakes up therefore cannot write: its epoch is not the
current one, or the lease is not its own.

Followers read the stream (:meth:`ReplicatedJournal.read`) and judge each entry
(:func:`judge`): the next seq, at an epoch no older than the newest seen, is copied;
one already held must be the very entry held (else the local journal diverged from the
stream); anything else is refused and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from control_room.cluster.keys import Keys
from control_room.journal import EntryRow

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["Fenced", "ReplicatedJournal", "StreamEntry", "Verdict", "judge"]

_APPEND = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] .. '|' .. ARGV[2] then
  return {0, 'this node no longer holds the lease'}
end
if redis.call('GET', KEYS[2]) ~= ARGV[2] then
  return {0, 'epoch ' .. ARGV[2] .. ' is not the current one'}
end
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
if last ~= tonumber(ARGV[3]) - 1 then
  return {0, 'the replicated journal is at #' .. last .. ', not #' .. (tonumber(ARGV[3]) - 1)}
end
local id = redis.call('XADD', KEYS[4], '*', 'seq', ARGV[3], 'epoch', ARGV[2],
  'wall', ARGV[4], 'at', ARGV[5], 'who', ARGV[6], 'command', ARGV[7])
redis.call('SET', KEYS[3], ARGV[3])
return {1, id}
"""


class Fenced(Exception):
    """The fenced append refused the entry (lease lost, stale epoch, or a gap)."""


@dataclass(frozen=True, slots=True)
class StreamEntry:
    """One entry of the replicated journal.

    Attributes:
        id: the stream id Redis gave it.
        seq: the journal's sequence number.
        epoch: the epoch of the leader that appended it.
        row: the stored texts: wall, show, who, command.
    """

    id: str
    seq: int
    epoch: int
    row: EntryRow

    @classmethod
    def decode(cls, stream_id: str, fields: dict[str, str]) -> StreamEntry:
        """An entry as read from Redis.

        Raises:
            ValueError: a field is missing or not a number.
        """
        try:
            row = (fields["wall"], fields["at"], fields["who"], fields["command"])
            return cls(stream_id, int(fields["seq"]), int(fields["epoch"]), row)
        except KeyError as exc:
            raise ValueError(f"stream entry {stream_id}: no {exc.args[0]!r} field") from None


class Verdict(StrEnum):
    """What a follower does with a stream entry."""

    COPY = "copy"  # the next entry: copy it into the journal and apply it
    HELD = "held"  # already held, the same: nothing to do
    DIVERGED = "diverged"  # already held, but another entry: the local journal diverged
    STALE = "stale"  # an epoch older than the newest seen: a deposed leader's; refused
    GAP = "gap"  # beyond the next seq: refused (never expected from the fenced append)


def judge(
    entry: StreamEntry, *, last_seq: int, newest_epoch: int, held: EntryRow | None
) -> Verdict:
    """Judge a stream entry against the local journal (pure).

    Args:
        last_seq: the local journal's last seq.
        newest_epoch: the newest epoch seen in the stream so far.
        held: the local journal's entry of the same seq, if it holds one.
    """
    if entry.seq <= last_seq:
        return Verdict.HELD if held == entry.row else Verdict.DIVERGED
    if entry.seq != last_seq + 1:
        return Verdict.GAP
    if entry.epoch < newest_epoch:
        return Verdict.STALE
    return Verdict.COPY


class ReplicatedJournal:
    """The show's stream, as the leader appends to it and followers read it.

    Args:
        redis: the connection (``decode_responses=True``).
        keys: the show's keys.
    """

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys
        self._append = redis.register_script(_APPEND)

    async def append(self, *, node: str, epoch: int, seq: int, row: EntryRow) -> str:
        """Append entry ``seq``, fenced; returns its stream id.

        Raises:
            Fenced: this node is not the leader at ``epoch``, or ``seq`` does not follow.
            redis.RedisError: Redis cannot be reached (nothing is known to be written).
        """
        keys = self.keys
        ok, detail = await self._append(
            keys=[keys.lease, keys.epoch, keys.last_seq, keys.stream],
            args=[node, epoch, seq, *row],
        )
        if int(ok) != 1:
            raise Fenced(str(detail))
        return str(detail)

    async def read(
        self, after: str, *, count: int = 500, block_ms: int | None = None
    ) -> list[StreamEntry]:
        """The entries after stream id ``after`` (``0``: from the start), waiting up to
        ``block_ms`` for one when there is none (None: not waiting).

        Raises:
            ValueError: an entry is not one of ours.
            redis.RedisError: Redis cannot be reached.
        """
        found: Any = await self.redis.xread({self.keys.stream: after}, count=count, block=block_ms)
        entries: list[StreamEntry] = []
        for _name, items in found or []:
            for stream_id, fields in items:
                entries.append(StreamEntry.decode(stream_id, fields))
        return entries

    async def last_seq(self) -> int:
        """The seq of the stream's last entry (0: empty).

        Raises:
            redis.RedisError: Redis cannot be reached.
        """
        value = await self.redis.get(self.keys.last_seq)
        return int(value) if value else 0

    async def last_entry(self) -> StreamEntry | None:
        """The stream's last entry (its seq and when the leader wrote it: the lag)."""
        found: Any = await self.redis.xrevrange(self.keys.stream, count=1)
        if not found:
            return None
        stream_id, fields = found[0]
        return StreamEntry.decode(stream_id, fields)
