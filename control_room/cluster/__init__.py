"""Several servers, one show: the journal replicated through Redis (docs/cluster.md).

``control-room serve FILE --redis URL``: every instance started with the same schedule and
Redis joins one show. The state is a pure function of (schedule, journal, clock), so the
journal is replicated, never the state: one leader (a fenced lease, :mod:`.lease`) appends
to a Redis Stream (:mod:`.stream`) and runs the video switcher; followers copy the stream
into their own SQLite journal, compute the same state with the same engine and the shared
clock (:mod:`.join`), serve every screen, and forward commands to the leader
(:mod:`.forward`). The role machine is :mod:`.node`.

Nothing here is imported on a single server's path: ``redis`` is imported only by an
instance started with ``--redis``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from control_room.cluster.keys import Keys, event_id
from control_room.room import SwitcherLink
from control_room.show import Listener

if TYPE_CHECKING:
    from control_room.core.timeline import ShowState
    from control_room.room import Room

__all__ = ["Keys", "LeaderLink", "cluster_integration", "event_id", "new_node_id"]

RoomIntegration = Callable[["Room"], AbstractAsyncContextManager[None]]


def new_node_id() -> str:
    """``host:pid:random``: unique per process, readable in logs and ``/-/health``."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class LeaderLink(SwitcherLink):
    """The room as the video switcher of a cluster sees it: the show's changes reach the
    switcher only while this server leads (a deposed leader that wakes up never switches;
    the switcher itself is also stopped when the node steps down)."""

    def __init__(self, room: Room) -> None:
        super().__init__(room)
        self._gated: dict[Listener, Listener] = {}

    def _leading(self) -> bool:
        cluster = self._room.cluster
        return cluster is not None and cluster.leading()

    def add_listener(self, listener: Listener) -> None:
        async def gated(state: ShowState) -> None:
            if self._leading():
                await listener(state)

        self._gated[listener] = gated
        super().add_listener(gated)

    def remove_listener(self, listener: Listener) -> None:
        gated = self._gated.pop(listener, None)
        if gated is not None:
            super().remove_listener(gated)


def cluster_integration(
    url: str,
    keys: Keys,
    *,
    node_id: str,
    lease_ms: int,
    start: tuple[str, int],
    leader_only: Sequence[RoomIntegration] = (),
) -> RoomIntegration:
    """The app's integration: this server a member of the show's cluster while it runs.

    Args:
        url: the Redis URL.
        keys: the show's keys.
        node_id: this node's id.
        lease_ms: the lease's time to live.
        start: where start-up's reconcile left the journal (stream id, epoch).
        leader_only: integrations run only while this server leads.
    """

    @contextlib.asynccontextmanager
    async def member(room: Room) -> AsyncIterator[None]:
        import redis.asyncio

        from control_room.cluster.node import Node

        client = redis.asyncio.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=2.0,
            socket_connect_timeout=1.0,
            health_check_interval=1,
        )
        # A forwarded command waits up to twice 5 s for the leader (BLPOP): its socket
        # must not time out first (a Redis that does not answer is still seen by `client`).
        waiting = redis.asyncio.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=12.0,
            socket_connect_timeout=1.0,
            health_check_interval=1,  # a connection idle since Redis restarted is re-made
        )
        node = Node(
            room,
            client,
            keys,
            node_id=node_id,
            lease_ms=lease_ms,
            leader_only=leader_only,
            start=start,
            waiting=waiting,
        )
        async with node.running():
            yield

    return member
