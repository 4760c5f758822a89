from __future__ import annotations

import asyncio

import pytest

from control_room.hub import Client, Hub, SlowClient
from control_room.wire import Role

UNIT = 0.05  # seconds: timing tests scale this unit instead of guessing sleeps


class Recorder:
    """A fake connection: records what is sent; can be made to stall."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.arrived = asyncio.Event()
        self.stalled = False

    async def send(self, text: str) -> None:
        if self.stalled:
            await asyncio.Event().wait()  # never completes
        self.sent.append(text)
        self.arrived.set()


async def wait_until(predicate: object, timeout: float = 20 * UNIT) -> None:
    assert callable(predicate)
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0)


async def run(client: Client) -> asyncio.Task[None]:
    return asyncio.create_task(client.run())


async def test_client_receives_messages_in_order() -> None:
    hub = Hub(["main"])
    rec = Recorder()
    client = hub.client(rec.send)
    hub.add(client)
    task = await run(client)
    for text in ("a", "b", "c"):
        hub.broadcast(text)
    await wait_until(lambda: len(rec.sent) == 3)
    assert rec.sent == ["a", "b", "c"]
    task.cancel()


async def test_client_skips_intermediate_states_but_gets_the_latest() -> None:
    hub = Hub(["main"])
    rec = Recorder()
    client = hub.client(rec.send)
    hub.add(client)
    for n in range(10):
        hub.broadcast(f"state {n}", key="state")
    hub.broadcast("result")
    task = await run(client)
    await wait_until(lambda: len(rec.sent) == 2)
    assert rec.sent == ["state 9", "result"]
    assert hub.stats.coalesced == 9
    task.cancel()


async def test_unkeyed_messages_are_never_coalesced() -> None:
    hub = Hub()
    rec = Recorder()
    client = hub.client(rec.send)
    hub.add(client)
    for n in range(5):
        hub.broadcast(f"journal {n}")
    task = await run(client)
    await wait_until(lambda: len(rec.sent) == 5)
    task.cancel()


async def test_a_client_whose_queue_overflows_is_failed_and_counted() -> None:
    hub = Hub(queue_limit=3)
    rec = Recorder()
    client = hub.client(rec.send)
    hub.add(client)
    for n in range(4):
        hub.broadcast(f"m{n}")
    assert client.failure is not None and "queue full" in client.failure
    with pytest.raises(SlowClient):
        await client.run()
    hub.remove(client, slow=True)
    assert hub.stats.slow_closed == 1 and hub.stats.clients == 0


async def test_a_client_whose_send_stalls_times_out() -> None:
    hub = Hub(send_timeout=UNIT)
    rec = Recorder()
    rec.stalled = True
    client = hub.client(rec.send)
    hub.add(client)
    hub.broadcast("x")
    with pytest.raises(SlowClient, match="send took more than"):
        async with asyncio.timeout(20 * UNIT):
            await client.run()


async def test_a_stalled_client_does_not_delay_the_others() -> None:
    hub = Hub(send_timeout=100 * UNIT)
    slow, fast = Recorder(), Recorder()
    slow.stalled = True
    clients = [hub.client(slow.send), hub.client(fast.send)]
    tasks = []
    for client in clients:
        hub.add(client)
        tasks.append(await run(client))
    for n in range(20):
        hub.broadcast(f"state {n}", key="state")
        await asyncio.sleep(0)
    await wait_until(lambda: fast.sent and fast.sent[-1] == "state 19", timeout=10 * UNIT)
    assert slow.sent == []
    for task in tasks:
        task.cancel()


async def test_broadcast_view_renders_once_per_distinct_view() -> None:
    hub = Hub(["main", "parcours-1"])
    recorders = [Recorder() for _ in range(6)]
    views = [None, None, frozenset({"main"}), frozenset({"main"}), frozenset({"parcours-1"}), None]
    for rec, view in zip(recorders, views, strict=True):
        hub.add(hub.client(rec.send, channels=view))
    rendered: list[object] = []

    def render(view: frozenset[str] | None) -> str | None:
        rendered.append(view)
        return None if view == frozenset({"parcours-1"}) else f"for {sorted(view or ['*'])}"

    queued = hub.broadcast_view(render, key="state")
    assert len(rendered) == 3
    assert queued == 5  # the parcours-1 view had nothing new
    assert hub.stats.renders == 3


async def test_late_items_are_encoded_at_send_time() -> None:
    hub = Hub()
    rec = Recorder()
    client = hub.client(rec.send)
    hub.add(client)
    stamp = {"n": 0}

    def late() -> str:
        return f"encoded with {stamp['n']}"

    client.enqueue(late)
    stamp["n"] = 7
    task = await run(client)
    await wait_until(lambda: rec.sent)
    assert rec.sent == ["encoded with 7"]
    task.cancel()


async def test_presence_counts_roles_per_channel() -> None:
    changes: list[int] = []
    hub = Hub(["main", "parcours-1"], on_presence=lambda: changes.append(1))
    regie = hub.client(Recorder().send, role=Role.REGIE)
    timer = hub.client(Recorder().send, role=Role.TIMER, channels=frozenset({"parcours-1"}))
    overlay = hub.client(Recorder().send)
    for client in (regie, timer, overlay):
        hub.add(client)
    hub.subscribe(overlay, role=Role.OVERLAY, channels=frozenset({"main", "nope"}))
    presence = hub.presence()
    assert presence["main"] == {"regie": 1, "overlay": 1, "timer": 0, "viewer": 0}
    assert presence["parcours-1"] == {"regie": 1, "overlay": 0, "timer": 1, "viewer": 0}
    assert len(changes) == 4
    hub.remove(timer)
    assert hub.presence()["parcours-1"]["timer"] == 0
