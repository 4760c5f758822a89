"""Redis down mid-show, a deposed leader waking up, and the fence itself on a real Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from typing import Any

from cluster_harness import Cluster, RedisServer

from control_room.cluster.keys import Keys
from control_room.cluster.lease import Lease
from control_room.cluster.stream import Fenced, ReplicatedJournal, StreamEntry, Verdict, judge
from tests.support.server import eventually
from tests.support.ws import WsClient


def _slate(text: str) -> dict[str, Any]:
    return {"type": "slate", "channel": "main", "text": text}


def test_redis_restarted_mid_show_refuses_commands_then_resumes(cluster: Cluster) -> None:
    cluster.start(3)
    leader = cluster.wait_leader()
    for i in cluster.alive():
        assert cluster.command(i, _slate(f"before-{i}"), who=f"before-{i}")[0] == 200
    assert cluster.wait_converged() == 3
    before = [cluster.state_at(i) for i in cluster.alive()]
    cluster.redis.kill()
    for i in cluster.alive():
        eventually(
            lambda i=i: (h := cluster.health(i)) is not None and h["redis"] == "down"
            and h["role"] == "follower",
            timeout=10, what=f"node {i} sees Redis down and does not lead",
        )  # fmt: skip
        status, body = cluster.command(i, _slate("during"), who="during")
        assert status == 503, body
        assert body["error"].startswith("Redis unreachable: commands are refused"), body
        # Screens keep the last state: HTTP and a websocket snapshot still served.
        assert cluster.state_at(i) == before[0]
        assert _snapshot_main_slate(cluster.node(i).ws_url) == "before-2"
    cluster.redis.start()  # same port, same directory: the AOF has every acknowledged entry
    new = cluster.wait_leader(timeout=20)
    for i in cluster.alive():
        eventually(
            lambda i=i: (h := cluster.health(i)) is not None and h["redis"] == "ok",
            timeout=10, what=f"node {i} sees Redis back",
        )  # fmt: skip
        status, body = cluster.command(i, _slate(f"after-{i}"), who=f"after-{i}")
        assert status == 200, (i, new, body)
    assert cluster.wait_converged() == 6
    journals = [cluster.journal(i) for i in cluster.alive()]
    assert all(j == journals[0] for j in journals)
    assert [e["who"] for e in journals[0]] == [
        *(f"before-{i}" for i in range(3)),
        *(f"after-{i}" for i in range(3)),
    ]
    print(f"leader before: node {leader}, after Redis came back: node {new}")


def _snapshot_main_slate(url: str) -> str:
    async def first() -> str:
        async with WsClient.connect(url, hello={"role": "overlay", "channels": ["main"]}) as ws:
            state = await ws.wait_for(lambda m: m["type"] == "state", what="snapshot")
            return str(state["state"]["channels"][0]["slate"]["text"])

    return asyncio.run(first())


def test_a_deposed_leader_that_wakes_up_cannot_write(cluster: Cluster) -> None:
    cluster.lease_ms = 1000
    cluster.start(3)
    old = cluster.wait_leader()
    assert cluster.command(old, _slate("one"), who="one")[0] == 200
    pid = cluster.node(old).process.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        others = [i for i in cluster.alive() if i != old]
        new = cluster.wait_leader(among=others, timeout=10)
        assert cluster.command(new, _slate("two"), who="two")[0] == 200
        answers: list[tuple[int, Any]] = []
        sent = threading.Thread(
            target=lambda: answers.append(cluster.command(old, _slate("stale"), who="stale"))
        )
        sent.start()  # queued in the stopped process's socket until it wakes up
    finally:
        os.kill(pid, signal.SIGCONT)
    sent.join(timeout=30)
    ((status, body),) = answers
    # Refused (its lease ran out while it slept), or forwarded to the new leader: either
    # way never committed under the old epoch.
    assert status in (200, 503), body
    health = eventually(
        lambda: (h := cluster.health(old)) is not None and h["role"] == "follower" and h,
        what="the old leader follows",
    )
    assert health["leader"] == cluster.health(new)["node"]  # type: ignore[index]
    seq = cluster.wait_converged()
    journals = [cluster.journal(i) for i in cluster.alive()]
    assert all(j == journals[0] for j in journals)
    whos = [e["who"] for e in journals[0]]
    assert whos[:2] == ["one", "two"] and len(whos) == seq
    assert whos[2:] == (["stale"] if status == 200 else [])
    with cluster.redis.client() as redis:
        keys = Keys.of(_event(cluster))
        epochs = [int(fields["epoch"]) for _, fields in redis.xrange(keys.stream)]
    assert epochs == sorted(epochs) and epochs[0] < epochs[1]


def _event(cluster: Cluster) -> str:
    from control_room.cluster.keys import event_id
    from control_room.schedule_file import load_schedule

    return event_id(load_schedule(cluster.schedule))


def test_the_fenced_append_refuses_a_deposed_leader(redis_server: RedisServer) -> None:
    async def scenario() -> None:
        import redis.asyncio

        client = redis.asyncio.Redis.from_url(redis_server.url, decode_responses=True)
        keys = Keys.of("2026-07-07-test")
        stream = ReplicatedJournal(client, keys)
        a, b = Lease(client, keys, "a"), Lease(client, keys, "b")
        row = ("2026-07-07T08:30:00.000000Z", "2026-07-07T10:30:00+02:00", "x", "{}")
        try:
            assert await a.acquire(seen_epoch=0) and a.epoch == 1
            assert not await b.acquire(seen_epoch=0)  # one holder at a time
            await stream.append(node="a", epoch=1, seq=1, row=row)
            await client.delete(keys.lease)  # a's lease expires (it slept past it)
            assert await b.acquire(seen_epoch=0) and b.epoch == 2
            for node, epoch, why in (
                ("a", 1, "no longer holds the lease"),
                ("b", 1, "no longer holds the lease"),  # b's lease value names epoch 2
            ):
                try:
                    await stream.append(node=node, epoch=epoch, seq=2, row=row)
                except Fenced as exc:
                    assert why in str(exc)
                else:
                    raise AssertionError(f"{node}@{epoch} appended")
            assert not await a.renew()  # the deposed leader learns it lost the lease
            try:
                await stream.append(node="b", epoch=2, seq=3, row=row)
            except Fenced as exc:
                assert "at #1, not #2" in str(exc)  # no gaps
            else:
                raise AssertionError("a gap was appended")
            await stream.append(node="b", epoch=2, seq=2, row=row)
            entries = await stream.read("0")
            assert [(e.seq, e.epoch) for e in entries] == [(1, 1), (2, 2)]
            # A Redis that lost its epoch never hands out an old one again.
            await client.delete(keys.lease, keys.epoch)
            assert await a.acquire(seen_epoch=2) and a.epoch == 3
        finally:
            await client.aclose()

    asyncio.run(scenario())


def test_a_follower_judges_each_stream_entry() -> None:
    row = ("w", "s", "who", "{}")
    entry = StreamEntry("1-0", 5, 3, row)
    assert judge(entry, last_seq=4, newest_epoch=3, held=None) is Verdict.COPY
    assert judge(entry, last_seq=4, newest_epoch=4, held=None) is Verdict.STALE
    assert judge(entry, last_seq=3, newest_epoch=3, held=None) is Verdict.GAP
    assert judge(entry, last_seq=5, newest_epoch=3, held=row) is Verdict.HELD
    assert judge(entry, last_seq=5, newest_epoch=3, held=("w", "s", "x", "{}")) is (
        Verdict.DIVERGED
    )
