"""The leader's lease: one holder at a time, each new holder with a higher fencing epoch.

The lease is one Redis key holding ``NODE|EPOCH`` with a time to live. Acquiring it is one
Lua script: if the key is free, increment the epoch (never below the highest epoch this node
has seen, so a Redis that lost its data cannot hand out an old epoch again) and set the key
with it; the holder and its epoch therefore always agree. Renewing is a compare-and-PEXPIRE
(only if the value is still ours), releasing a compare-and-DEL.

The holder counts its lease valid only until the time its last successful renewal was
*sent* plus 80 % of the lease: the key cannot have expired in Redis before then, whatever
the network did to the answer. Past it, the holder steps down by itself even if Redis is
unreachable (:meth:`Lease.valid`), so two nodes never both believe they lead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from control_room.cluster.keys import Keys

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["VALID_FRACTION", "Lease", "holder_epoch"]

VALID_FRACTION = 0.8
"""The part of the lease the holder trusts after a renewal was sent."""

_ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local epoch = redis.call('INCR', KEYS[2])
local seen = tonumber(ARGV[3])
if epoch <= seen then
  epoch = seen + 1
  redis.call('SET', KEYS[2], epoch)
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. epoch, 'PX', ARGV[2])
return epoch
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def holder_epoch(value: str | None) -> tuple[str | None, int]:
    """The node and epoch a lease value names (``(None, 0)``: no lease)."""
    if not value or "|" not in value:
        return None, 0
    node, _, epoch = value.rpartition("|")
    try:
        return node, int(epoch)
    except ValueError:
        return None, 0


@dataclass
class Lease:
    """One node's view of the lease.

    Args:
        redis: the connection (``decode_responses=True``).
        keys: the show's keys.
        node: this node's id (``host:pid:random``).
        lease_ms: the lease's time to live.
        monotonic: the clock the validity is measured on (tests).
    """

    redis: Redis
    keys: Keys
    node: str
    lease_ms: int = 3000
    monotonic: Any = time.monotonic
    epoch: int = 0
    """The epoch of the lease held (0: not held)."""
    valid_until: float = 0.0
    """Until when (on ``monotonic``) the holder may act as the leader."""
    _scripts: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for name, text in (("acquire", _ACQUIRE), ("renew", _RENEW), ("release", _RELEASE)):
            self._scripts[name] = self.redis.register_script(text)

    @property
    def value(self) -> str:
        """The lease key's value while this node holds it."""
        return f"{self.node}|{self.epoch}"

    def valid(self) -> bool:
        """Held, and not past its local validity (sent + 80 % of the lease)."""
        return self.epoch > 0 and self.monotonic() < self.valid_until

    async def acquire(self, *, seen_epoch: int) -> bool:
        """Take the lease if it is free. True: held, with a new :attr:`epoch`.

        Raises:
            redis.RedisError: Redis cannot be reached.
        """
        sent = self.monotonic()
        epoch = int(
            await self._scripts["acquire"](
                keys=[self.keys.lease, self.keys.epoch],
                args=[self.node, self.lease_ms, seen_epoch],
            )
        )
        if epoch <= 0:
            return False
        self.epoch = epoch
        self.valid_until = sent + self.lease_ms * VALID_FRACTION / 1000
        return True

    async def renew(self) -> bool:
        """Extend the lease if it is still ours. False: lost (someone else, or expired).

        Raises:
            redis.RedisError: Redis cannot be reached (the lease stays valid until
                :attr:`valid_until`, then :meth:`valid` says no).
        """
        if self.epoch <= 0:
            return False
        sent = self.monotonic()
        kept = int(
            await self._scripts["renew"](keys=[self.keys.lease], args=[self.value, self.lease_ms])
        )
        if kept != 1:
            self.drop()
            return False
        self.valid_until = sent + self.lease_ms * VALID_FRACTION / 1000
        return True

    async def release(self, value: str | None = None) -> None:
        """Give the lease back (a clean shutdown): the next leader need not wait it out.

        Args:
            value: the lease's value when it was held (default: the one held now).
        """
        if value is None and self.epoch <= 0:
            return
        value = value or self.value
        self.drop()
        await self._scripts["release"](keys=[self.keys.lease], args=[value])

    def drop(self) -> None:
        """Forget the lease locally (lost, or stepping down)."""
        self.epoch = 0
        self.valid_until = 0.0

    async def holder(self) -> tuple[str | None, int]:
        """Who holds the lease now, and with which epoch.

        Raises:
            redis.RedisError: Redis cannot be reached.
        """
        value = await self.redis.get(self.keys.lease)
        return holder_epoch(str(value) if value is not None else None)
