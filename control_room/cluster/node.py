"""One server's part in a cluster: follower or leader, and the moves between them.

Start: catch up (read the stream to its end into the local journal and the show), then
contend. A follower tails the stream (``XREAD BLOCK``) and, about every 100 ms, tries to
take the lease (free only when no leader renewed it for a whole lease). On taking it, it
catches up to the stream's end *first* (it never leads with a stale journal), republishes
the entries it holds that the stream lost (a Redis that lost data), then leads: its show
commits through the fenced append (:mod:`.stream`), its request server answers forwarded
commands (:mod:`.forward`), and the integrations that act on the world (the video
switcher) run. It renews the lease every third of it; a lost lease, a fenced append, or a
lease past its local validity (:mod:`.lease`) makes it step down: integrations stopped,
back to following. Redis unreachable: everyone keeps serving the state it has (and its own
clock); commands are refused until Redis returns, then the show resumes.

A local journal that holds an entry the stream contradicts (:data:`~.stream.Verdict.DIVERGED`)
is never served: the node stops and asks to be restarted; at start-up,
:func:`~.join.reconcile` moves such a journal aside and rebuilds it from the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from functools import partial
from typing import TYPE_CHECKING, Any

from control_room.cluster.forward import NO_LEADER, REDIS_DOWN, Forwarder, RequestServer
from control_room.cluster.keys import Keys
from control_room.cluster.lease import Lease
from control_room.cluster.stream import Fenced, ReplicatedJournal, StreamEntry, Verdict, judge
from control_room.dispatch import Outcome, Result, Unavailable
from control_room.journal import EntryRow, Record
from control_room.journal_records import parse_iso

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from control_room.room import Room

__all__ = ["ClusterRefused", "Node"]

logger = logging.getLogger(__name__)

RoomIntegration = Callable[["Room"], AbstractAsyncContextManager[None]]
POLL_S = 0.1
"""How often a follower tries the lease (and how long a stream read blocks)."""


class ClusterRefused(Unavailable):
    """A command this node cannot commit now (not the leader, fenced, Redis down)."""


class Node:
    """This server as a member of the show's cluster.

    Args:
        room: the show, its journal and its dispatcher.
        redis: the connection (``decode_responses=True``).
        keys: the show's keys.
        node_id: ``host:pid:random``.
        lease_ms: the lease's time to live.
        leader_only: integrations run only while this node leads (the video switcher).
        start: the stream id and the epoch of the last entry start-up found the journal
            to hold (:func:`~.join.reconcile`).
        waiting: a connection whose socket timeout outlasts a forwarded command's wait for
            the leader's answer (default: ``redis``).
    """

    def __init__(
        self,
        room: Room,
        redis: Redis,
        keys: Keys,
        *,
        node_id: str,
        lease_ms: int = 3000,
        leader_only: Sequence[RoomIntegration] = (),
        start: tuple[str, int] = ("0", 0),
        waiting: Redis | None = None,
    ) -> None:
        self.room = room
        self.redis = redis
        self.keys = keys
        self.node_id = node_id
        self.lease = Lease(redis, keys, node_id, lease_ms)
        self.stream = ReplicatedJournal(redis, keys)
        self.waiting = waiting or redis
        self.forwarder = Forwarder(self.waiting, keys, applied=self._wait_applied)
        self.requests = RequestServer(redis, keys, room.dispatcher, leading=self.leading)
        self.leader_only = tuple(leader_only)
        self.role = "follower"
        self.redis_ok = True
        self.leader: str | None = None
        self.last_id, self.newest_epoch = start  # where start-up's reconcile() left off
        self.lease_epoch = 0
        """The newest epoch seen on the lease (the stream's is :attr:`newest_epoch`)."""
        self.stream_seq = 0
        self.lag_ms: float | None = None
        self.refused = {"stale": 0, "gap": 0, "fenced": 0}
        self.diverged: str | None = None
        self.elections = 0
        self._applied = asyncio.Condition()
        self._leading: contextlib.AsyncExitStack | None = None
        self._serving: asyncio.Task[None] | None = None
        self._stopping = False
        self._next_renew = 0.0

    # -- the role ------------------------------------------------------------------

    def leading(self) -> bool:
        """Leader now: the role, and a lease still valid by this node's own clock."""
        return self.role == "leader" and self.lease.valid()

    async def run(self) -> None:
        """The role machine, until cancelled."""
        backoff = POLL_S
        while not self._stopping:
            try:
                if self.role == "leader":
                    await self._lead_tick()
                else:
                    await self._follow_tick()
                if not self.redis_ok:
                    logger.warning("cluster: Redis is reachable again")
                    await self._fresh_connections()
                self.redis_ok, backoff = True, POLL_S
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis down: keep serving, retry
                if not _redis_trouble(exc):
                    logger.exception("cluster: unexpected failure (retrying)")
                elif self.redis_ok:
                    logger.warning("cluster: Redis unreachable (%s); serving the last state", exc)
                self.redis_ok = False
                if self.role == "leader" and not self.lease.valid():
                    await self._step_down("lease not renewed in time (Redis unreachable)")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)

    async def _follow_tick(self) -> None:
        await self.catch_up(block_ms=int(POLL_S * 1000))
        if self.diverged is not None:
            return
        holder, epoch = await self.lease.holder()
        self.leader = holder
        # The lease's epoch is not the stream's: entries of the previous leader may still be
        # on their way in the stream (and are valid); only the stream's epochs fence it.
        self.lease_epoch = max(self.lease_epoch, epoch)
        seen = max(self.lease_epoch, self.newest_epoch)
        if holder is None and await self.lease.acquire(seen_epoch=seen):
            await self._take_lead()

    async def _lead_tick(self) -> None:
        if not self.lease.valid():
            await self._step_down("lease past its validity")
            return
        renew_every = self.lease.lease_ms / 3000
        if time.monotonic() >= self._next_renew:
            self._next_renew = time.monotonic() + renew_every
            # A slow Redis (an fsync) may answer up to the end of the lease's validity.
            left = max(self.lease.valid_until - time.monotonic(), 0.05)
            if not await asyncio.wait_for(self.lease.renew(), timeout=left):
                await self._step_down("lease lost")
                return
        if self._serving is not None and self._serving.done():
            await self._step_down("the request server stopped")
            return
        await asyncio.sleep(POLL_S)

    async def _fresh_connections(self) -> None:
        """Drop the idle connections made before Redis went away: the first command on one
        of them would fail ("connection closed") although Redis is back."""
        for client in {id(self.redis): self.redis, id(self.waiting): self.waiting}.values():
            await client.connection_pool.disconnect(inuse_connections=False)

    async def _take_lead(self) -> None:
        """The lease is ours: catch up to the stream's end, restore what it lost, lead."""
        epoch = self.lease.epoch
        logger.info("cluster: %s took the lease (epoch %d); catching up", self.node_id, epoch)
        while await self.catch_up(block_ms=None):
            pass
        journal = self.room.show.journal
        if self.diverged is not None:
            await self.lease.release()
            return
        stream_seq = await self.stream.last_seq()
        if stream_seq > journal.last_seq:  # refused entries: never lead short of the stream
            logger.error("cluster: the stream is at #%d, this journal at #%d: not leading",
                         stream_seq, journal.last_seq)  # fmt: skip
            await self.lease.release()
            return
        self.role = "leader"  # committing from here (the restored entries first)
        self._next_renew = time.monotonic() + self.lease.lease_ms / 3000
        for seq, row in journal.rows(after=stream_seq):
            self.last_id = await self.stream.append(
                node=self.node_id, epoch=epoch, seq=seq, row=row
            )
            logger.warning("cluster: #%d restored to the stream (Redis had lost it)", seq)
        self.stream_seq = journal.last_seq
        self.newest_epoch = max(self.newest_epoch, epoch)
        self.leader = self.node_id
        self.elections += 1
        self.room.show.committer = self._commit
        self._serving = asyncio.get_running_loop().create_task(self.requests.run())
        stack = contextlib.AsyncExitStack()
        self._leading = stack
        for integration in self.leader_only:
            try:
                await stack.enter_async_context(integration(self.room))
            except Exception:
                logger.exception("cluster: a leader's integration did not start")
        logger.info("cluster: %s leads (epoch %d, journal #%d)", self.node_id, epoch, seq_of(self))

    async def _step_down(self, why: str) -> None:
        """Back to following: integrations stopped, no commit, the lease forgotten."""
        if self.role != "leader":
            return
        logger.warning("cluster: %s steps down: %s", self.node_id, why)
        self.role = "follower"
        self.room.show.committer = self._refuse
        self.lease.drop()
        self.leader = None
        serving, self._serving = self._serving, None
        if serving is not None and serving is not asyncio.current_task():
            serving.cancel()  # (from within, it ends by itself: it serves only a leader)
            await asyncio.gather(serving, return_exceptions=True)
        stack, self._leading = self._leading, None
        if stack is not None:
            try:
                await stack.aclose()
            except Exception:
                logger.exception("cluster: a leader's integration did not stop cleanly")

    # -- the journal ---------------------------------------------------------------

    async def catch_up(self, *, block_ms: int | None) -> int:
        """Copy and apply the stream's next entries; returns how many were read.

        Raises:
            redis.RedisError: Redis cannot be reached.
        """
        entries = await self.stream.read(self.last_id, block_ms=block_ms)
        for entry in entries:
            await self._follow(entry)
            if self.diverged is not None:
                break
        self.stream_seq = max(self.stream_seq, await self.stream.last_seq())
        return len(entries)

    async def _follow(self, entry: StreamEntry) -> None:
        show = self.room.show
        journal = show.journal
        held = None
        if entry.seq <= journal.last_seq:
            rows = journal.rows(after=entry.seq - 1, through=entry.seq)
            held = rows[0][1] if rows and rows[0][0] == entry.seq else None
        verdict = judge(entry, last_seq=journal.last_seq, newest_epoch=self.newest_epoch, held=held)
        if verdict is Verdict.COPY:
            record = await self.room.writer.run(partial(journal.append_row, entry.seq, entry.row))
            await show.apply_replicated(record)
            self.room.desk.journal_appended(record.seq)
            self.lag_ms = max(0.0, (time.time() - parse_iso(entry.row[0]).timestamp()) * 1000)
            async with self._applied:
                self._applied.notify_all()
        elif verdict is Verdict.DIVERGED:
            self._diverge(entry)
            return
        elif verdict is not Verdict.HELD:
            self.refused["stale" if verdict is Verdict.STALE else "gap"] += 1
            logger.error(
                "cluster: stream entry #%d (epoch %d) refused: %s (journal at #%d, epoch %d)",
                entry.seq, entry.epoch, verdict.value, journal.last_seq, self.newest_epoch,
            )  # fmt: skip
            self.last_id = entry.id
            return
        self.last_id = entry.id
        self.newest_epoch = max(self.newest_epoch, entry.epoch)

    def _diverge(self, entry: StreamEntry) -> None:
        """The local journal holds another entry #seq than the stream: never serve it."""
        self.diverged = (
            f"the local journal's #{entry.seq} is not the stream's: this data dir diverged; "
            "restart the server (it moves the journal aside and rebuilds it from the stream)"
        )
        logger.critical("cluster: %s", self.diverged)
        self.room.show.committer = self._refuse
        os.kill(os.getpid(), signal.SIGTERM)  # a supervisor restarts it; reconcile() repairs

    async def _commit(self, seq: int, row: EntryRow) -> Record:
        """The leader's commit: the fenced append (the commit point), then SQLite.

        Raises:
            ClusterRefused: not the leader, fenced, or Redis unreachable (this node steps
                down: the stream says what was committed, the follower's catch-up applies it).
        """
        if not self.leading():
            raise ClusterRefused(NO_LEADER)
        remaining = max(self.lease.valid_until - time.monotonic(), 0.01)
        try:
            stream_id = await asyncio.wait_for(
                self.stream.append(node=self.node_id, epoch=self.lease.epoch, seq=seq, row=row),
                timeout=remaining,
            )
        except Fenced as exc:
            self.refused["fenced"] += 1
            await self._step_down(f"fenced append refused: {exc}")
            raise ClusterRefused(f"this server is no longer the leader ({exc}): not applied")
        except Exception as exc:
            if not _redis_trouble(exc):
                raise
            self.redis_ok = False
            await self._step_down(f"append failed: {exc}")
            raise ClusterRefused(REDIS_DOWN) from None
        journal = self.room.show.journal
        try:
            record = await self.room.writer.run(partial(journal.append_row, seq, row))
        except Exception:
            await self._step_down("the local journal could not be written")
            raise
        self.last_id, self.stream_seq = stream_id, seq
        return record

    async def _refuse(self, seq: int, row: EntryRow) -> Record:
        raise ClusterRefused(NO_LEADER)

    async def forward(self, data: Any, who: str) -> Result | None:
        """The dispatcher's hook: None (commit here) on the leader, else the leader's result."""
        if self.diverged is not None:
            return Result(Outcome.UNAVAILABLE, error=self.diverged)
        if self.leading():
            return None
        if not self.redis_ok:
            return Result(Outcome.UNAVAILABLE, error=REDIS_DOWN)
        if self.role == "leader":  # a lease past its validity: stepping down now
            return Result(Outcome.UNAVAILABLE, error=NO_LEADER)
        # Forwarded even while no leader is known: a leader being elected serves it as
        # soon as it leads (a command during a failover waits, within the timeout).
        return await self.forwarder.forward(data, who)

    async def _wait_applied(self, seq: int) -> None:
        """Until this server's state holds ``seq`` (at most 5 s: it is committed anyway).

        The engine's count, not the journal's: a copied entry is in the journal (written on
        the writer thread) a moment before the state holds it, and the follower answers with
        the state after the command."""

        def holds() -> bool:
            return self.room.show.replay.last_seq >= seq

        with contextlib.suppress(TimeoutError):
            async with self._applied:
                await asyncio.wait_for(self._applied.wait_for(holds), timeout=5.0)

    # -- lifecycle -----------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Member of the cluster while the context lasts (the app's integration)."""
        self.room.show.committer = self._refuse
        self.room.dispatcher.forward = self.forward
        self.room.cluster = self
        task = asyncio.get_running_loop().create_task(self.run())
        try:
            yield
        finally:
            self._stopping = True
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            held = self.lease.value if self.role == "leader" else None
            await self._step_down("shutting down")  # the switcher stopped before the lease goes
            if held is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.lease.release(held), timeout=1.0)
            with contextlib.suppress(Exception):
                await self.redis.aclose()
            if self.waiting is not self.redis:
                with contextlib.suppress(Exception):
                    await self.waiting.aclose()

    def health(self) -> dict[str, Any]:
        """What ``/-/health`` says of this node's part in the cluster."""
        leading = self.leading()
        journal_seq = self.room.show.journal.last_seq
        return {
            "role": "leader" if leading else "follower",
            "node": self.node_id,
            "epoch": self.lease.epoch if leading else max(self.lease_epoch, self.newest_epoch),
            "stream_epoch": self.newest_epoch,
            "leader": self.node_id if leading else self.leader,
            "seq": journal_seq,
            "stream_seq": self.stream_seq,
            "lag_entries": max(self.stream_seq - journal_seq, 0),
            "lag_ms": None if self.lag_ms is None else round(self.lag_ms, 3),
            "redis": "ok" if self.redis_ok else "down",
            "lease_ms": self.lease.lease_ms,
            "elections_won": self.elections,
            "refused": dict(self.refused),
            "forwarded": self.forwarder.forwarded,
            "diverged": self.diverged,
        }


def seq_of(node: Node) -> int:
    return node.room.show.journal.last_seq


def _redis_trouble(exc: BaseException) -> bool:
    import redis.exceptions

    return isinstance(exc, redis.exceptions.RedisError | OSError | TimeoutError)
