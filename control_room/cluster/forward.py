"""Commands sent to a follower, committed by the leader: a request list and a reply list.

A follower's :class:`~control_room.dispatch.Dispatcher` checks the token and the command
itself (the same :class:`~control_room.auth.Auth` and ``refusal`` as everywhere), then
hands it here (:meth:`Forwarder.forward`): ``RPUSH requests {id, reply, data, who}`` and
``BLPOP reply`` with a timeout. The leader's :class:`RequestServer` pops each request,
submits it through its own dispatcher (as the operator: the follower checked the caller),
and pushes the :class:`~control_room.dispatch.Result` back with a short expiry. The
follower answers only once the leader committed the command (and its own copy holds it,
so the state it returns is the one after the command).

No leader, a leader that does not answer, or Redis down: a clear refusal
(:data:`~control_room.dispatch.Outcome.UNAVAILABLE`), never a hang or a 500. A request
that timed out is taken back from the list when the leader has not popped it yet, so a
command refused as "not applied" is never applied later.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from control_room.auth import OPERATOR
from control_room.cluster.keys import Keys
from control_room.dispatch import Caller, Dispatcher, Outcome, Result

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["NO_LEADER", "REDIS_DOWN", "Forwarder", "RequestServer", "result_json"]

logger = logging.getLogger(__name__)

NO_LEADER = "no leader: command not applied (the cluster is electing one; retry in a moment)"
REDIS_DOWN = "Redis unreachable: commands are refused until it returns (command not applied)"
REPLY_TTL_S = 30
"""How long an unread reply stays in Redis."""


def result_json(result: Result) -> str:
    return json.dumps(
        {
            "outcome": result.outcome.value,
            "seq": result.seq,
            "error": result.error,
            "detail": result.detail,
        }
    )


def result_of(text: str) -> Result:
    """A result as the leader sent it. Raises ValueError for anything else."""
    data = json.loads(text)
    return Result(
        Outcome(data["outcome"]),
        seq=data.get("seq"),
        error=data.get("error"),
        detail=data.get("detail"),
    )


class Forwarder:
    """A follower's road to the leader.

    Args:
        redis: the connection.
        keys: the show's keys.
        applied: waits (bounded) until this server's copy holds entry ``seq``.
        timeout: how long to wait for the leader's answer, in seconds.
    """

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        *,
        applied: Callable[[int], Awaitable[None]],
        timeout: float = 5.0,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.applied = applied
        self.timeout = timeout
        self.forwarded = 0
        self.failed = 0

    async def forward(self, data: Any, who: str) -> Result:
        """Have the leader commit a checked command; its result, or a clear refusal."""
        import redis.exceptions

        request_id = secrets.token_hex(8)
        reply = self.keys.reply(request_id)
        payload = json.dumps({"id": request_id, "reply": reply, "data": data, "who": who})
        taken = False
        try:
            await self.redis.rpush(self.keys.requests, payload)
            found = await self.redis.blpop([reply], timeout=self.timeout)
            if found is None and await self.redis.lrem(self.keys.requests, 1, payload) == 0:
                # The leader popped it meanwhile: it is committing it; wait for its answer.
                taken = True
                found = await self.redis.blpop([reply], timeout=self.timeout)
        except (redis.exceptions.RedisError, OSError):
            self.failed += 1
            return Result(Outcome.UNAVAILABLE, error=REDIS_DOWN)
        if found is None:
            self.failed += 1
            error = (
                "the leader took the command but did not answer: it may have been applied "
                "(see the journal)"
                if taken
                else f"no leader answered within {self.timeout:g} s: command not applied"
            )
            return Result(Outcome.UNAVAILABLE, error=error)
        try:
            result = result_of(str(found[1]))
        except (ValueError, KeyError, TypeError):
            return Result(Outcome.FAILED, error="the leader's answer could not be read")
        self.forwarded += 1
        if result.ok and result.seq is not None:
            await self.applied(result.seq)
        return result


class RequestServer:
    """The leader's side: each forwarded command through this server's dispatcher.

    Args:
        redis: the connection.
        keys: the show's keys.
        dispatcher: the leader's one command path.
        leading: whether this server is still the leader (a request popped by a leader
            that stepped down is refused, never committed by a non-leader).
    """

    def __init__(
        self, redis: Redis, keys: Keys, dispatcher: Dispatcher, *, leading: Callable[[], bool]
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.dispatcher = dispatcher
        self.leading = leading
        self.served = 0

    async def run(self) -> None:
        """Serve requests while this server leads; Redis errors end it (the node decides).

        Raises:
            redis.RedisError: Redis cannot be reached.
        """
        while self.leading():
            found = await self.redis.blpop([self.keys.requests], timeout=0.5)
            if found is None:
                continue
            await self.serve_one(str(found[1]))

    async def serve_one(self, payload: str) -> None:
        try:
            request = json.loads(payload)
            reply, data, who = str(request["reply"]), request["data"], str(request["who"])
        except (ValueError, KeyError, TypeError):
            logger.warning("cluster: an unreadable forwarded request was dropped")
            return
        if not self.leading():
            result = Result(Outcome.UNAVAILABLE, error=NO_LEADER)
        else:
            result = await self.dispatcher.submit(data, Caller(who=who, identity=OPERATOR))
        self.served += 1
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(reply, result_json(result))
            pipe.expire(reply, REPLY_TTL_S)
            await pipe.execute()
