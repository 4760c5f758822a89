"""The hub: every client gets every message in order, a slow one the latest state, and
nobody waits for the slowest. Links are fakes: a socket buffer with or without room
(:class:`Socket`, as the server's transport) and a send coroutine (:class:`Recorder`, as
Starlette's test client)."""

from __future__ import annotations

import asyncio

from control_room.hub import Client, Hub, Message
from control_room.wire import Role

UNIT = 0.05  # seconds: timing tests scale this unit instead of guessing sleeps


class Socket:
    """A fake transport link: writes land in ``sent`` while ``room``; else the hub queues."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.room = True
        self.aborted = False
        self.encodings = 0
        self.writes = 0
        self._roomy = asyncio.Event()
        self._roomy.set()
        self._corked: list[str] | None = None

    def encode(self, text: str) -> bytes:
        self.encodings += 1
        return text.encode()

    def offer(self, message: Message) -> bool:
        if not self.room:
            return False
        message.encoded(self.encode)
        if self._corked is not None:
            self._corked.append(message.text)
        else:
            self.sent.append(message.text)
            self.writes += 1
        return True

    async def deliver(self, message: Message) -> None:
        while not self.offer(message):
            await self._roomy.wait()

    def abort(self) -> None:
        self.aborted = True

    def cork(self) -> None:
        self._corked = []

    def uncork(self) -> None:
        corked, self._corked = self._corked or [], None
        self.sent += corked
        self.writes += 1

    def fill(self) -> None:
        self.room = False
        self._roomy.clear()

    def drain(self) -> None:
        self.room = True
        self._roomy.set()


class Recorder:
    """A send coroutine: records what is sent; can be made to stall."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.stalled = False

    async def send(self, text: str) -> None:
        if self.stalled:
            await asyncio.Event().wait()  # never completes
        self.sent.append(text)


async def wait_until(predicate: object, timeout: float = 20 * UNIT) -> None:
    assert callable(predicate)
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0)


def connect(hub: Hub, link: Socket | Recorder, **options: object) -> Client:
    client = hub.client(link.send if isinstance(link, Recorder) else link, **options)  # type: ignore[arg-type]
    hub.add(client)
    return client


async def test_client_receives_messages_in_order() -> None:
    hub = Hub(["main"])
    sock = Socket()
    connect(hub, sock)
    for text in ("a", "b", "c"):
        hub.broadcast(text)
    assert sock.sent == ["a", "b", "c"]


async def test_a_client_with_room_gets_the_frame_at_once_without_a_task() -> None:
    hub = Hub()
    sock = Socket()
    client = connect(hub, sock)
    hub.broadcast("x", key="state")
    assert sock.sent == ["x"]  # synchronously: no sender task was woken
    assert not client.behind and hub.stats.queued == 0
    assert hub.stats.written_at_once == hub.stats.sent == 1


async def test_a_broadcast_is_framed_once_for_every_client() -> None:
    hub = Hub(["main"])
    socks = [Socket() for _ in range(50)]
    for sock in socks:
        connect(hub, sock)
    hub.broadcast_view(lambda view: "state", key="state")
    assert all(sock.sent == ["state"] for sock in socks)
    assert sum(sock.encodings for sock in socks) == 1


async def test_client_skips_intermediate_states_but_gets_the_latest() -> None:
    hub = Hub(["main"])
    sock = Socket()
    sock.fill()
    client = connect(hub, sock)
    for n in range(10):
        hub.broadcast(f"state {n}", key="state")
    hub.broadcast("result")
    assert client.behind
    sock.drain()
    await wait_until(lambda: len(sock.sent) == 2)
    assert sock.sent == ["state 9", "result"]
    assert hub.stats.coalesced == 9
    await wait_until(lambda: not client.behind)  # caught up: written at once again
    hub.broadcast("next")
    assert sock.sent[-1] == "next"


async def test_a_client_behind_keeps_the_order_of_what_follows() -> None:
    hub = Hub()
    sock = Socket()
    client = connect(hub, sock)
    hub.broadcast("a")
    sock.fill()
    hub.broadcast("b")
    sock.room = True  # room again, but "b" still waits: "c" must not overtake it
    hub.broadcast("c")
    sock.drain()
    await wait_until(lambda: not client.behind)
    assert sock.sent == ["a", "b", "c"]


async def test_unkeyed_messages_are_never_coalesced() -> None:
    hub = Hub()
    sock = Socket()
    sock.fill()
    connect(hub, sock)
    for n in range(5):
        hub.broadcast(f"journal {n}")
    sock.drain()
    await wait_until(lambda: len(sock.sent) == 5)


async def test_a_client_whose_queue_overflows_is_aborted_and_counted() -> None:
    hub = Hub(queue_limit=3)
    sock = Socket()
    sock.fill()
    client = connect(hub, sock)
    for n in range(4):
        hub.broadcast(f"m{n}")
    assert client.failure is not None and "queue full" in client.failure
    assert sock.aborted and client.done.is_set() and client.slow
    assert hub.stats.slow_closed == 1 and hub.stats.clients == 0
    assert hub.broadcast("after") == 0


async def test_a_client_whose_socket_stays_full_is_aborted_after_the_send_timeout() -> None:
    hub = Hub(send_timeout=UNIT)
    sock = Socket()
    sock.fill()
    client = connect(hub, sock)
    hub.broadcast("x")
    async with asyncio.timeout(20 * UNIT):
        await client.done.wait()
    assert client.failure is not None and "no room to send" in client.failure
    assert sock.aborted and hub.stats.slow_closed == 1 and len(hub) == 0


async def test_a_client_whose_send_stalls_times_out() -> None:
    hub = Hub(send_timeout=UNIT)
    rec = Recorder()
    rec.stalled = True
    client = connect(hub, rec)
    hub.broadcast("x")
    async with asyncio.timeout(20 * UNIT):
        await client.done.wait()
    assert client.slow and hub.stats.slow_closed == 1


async def test_a_stalled_client_does_not_delay_the_others() -> None:
    hub = Hub(send_timeout=100 * UNIT)
    slow, fast, stuck = Recorder(), Socket(), Socket()
    slow.stalled = True
    stuck.fill()
    for link in (slow, fast, stuck):
        connect(hub, link)
    for n in range(20):
        hub.broadcast(f"state {n}", key="state")
        await asyncio.sleep(0)
    assert fast.sent == [f"state {n}" for n in range(20)]  # each written as it came
    assert slow.sent == [] and stuck.sent == []


async def test_a_batch_leaves_in_one_write() -> None:
    hub = Hub()
    sock = Socket()
    client = connect(hub, sock)
    with client.batch():
        client.enqueue("welcome")
        client.enqueue("snapshot", key="state")
    assert sock.sent == ["welcome", "snapshot"] and sock.writes == 1


async def test_broadcast_view_renders_once_per_distinct_view() -> None:
    hub = Hub(["main", "parcours-1"])
    recorders = [Recorder() for _ in range(6)]
    views = [None, None, frozenset({"main"}), frozenset({"main"}), frozenset({"parcours-1"}), None]
    for rec, view in zip(recorders, views, strict=True):
        connect(hub, rec, channels=view)
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
    client = connect(hub, rec)
    stamp = {"n": 0}

    def late() -> str:
        return f"encoded with {stamp['n']}"

    client.enqueue(late)
    stamp["n"] = 7
    await wait_until(lambda: rec.sent)
    assert rec.sent == ["encoded with 7"]


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


def _recount(hub: Hub, clients: list[Client]) -> dict[str, dict[str, int]]:
    counts = {channel: {role.value: 0 for role in Role} for channel in hub.channels}
    for client in clients:
        for channel in hub.channels if client.channels is None else client.channels:
            if channel in counts:
                counts[channel][client.role.value] += 1
    return counts


async def test_presence_is_kept_as_clients_come_go_and_change_never_recounted() -> None:
    hub = Hub(["main", "parcours-1", "parcours-2"])
    roles = list(Role)
    views = [None, frozenset({"main"}), frozenset({"parcours-1", "parcours-2"}), frozenset()]
    here: list[Client] = []
    for n in range(60):
        client = hub.client(Recorder().send, role=roles[n % 4], channels=views[n % 4])
        hub.add(client)
        here.append(client)
        if n % 3 == 0:
            hub.subscribe(client, role=roles[(n + 1) % 4], channels=views[(n + 2) % 4])
        if n % 5 == 0:
            gone = here.pop(n % len(here))
            hub.remove(gone)
            hub.remove(gone)  # twice: counted once
        assert hub.presence() == _recount(hub, here)
    hub.channels = ("main", "parcours-3")  # a live edit changed the channels
    assert hub.presence() == _recount(hub, here)
    presence = hub.presence()
    presence["main"]["viewer"] += 100  # a copy: the hub's counts are its own
    assert hub.presence() == _recount(hub, here)


async def test_a_client_behind_gets_the_catch_up_message_in_place_of_a_patch() -> None:
    hub = Hub(["main"])
    fast, slow = Socket(), Socket()
    connect(hub, fast)
    slow_client = connect(hub, slow)
    hub.broadcast_view(lambda view: "patch 1", key="state", catch_up=lambda view: "snap 1")
    assert fast.sent == slow.sent == ["patch 1"]
    slow.fill()
    hub.broadcast_view(lambda view: "patch 2", key="state", catch_up=lambda view: "snap 2")
    assert slow_client.behind  # "patch 2" waits in its queue
    hub.broadcast_view(lambda view: "patch 3", key="state", catch_up=lambda view: "snap 3")
    hub.broadcast_view(lambda view: None, key="state", catch_up=lambda view: "never")
    slow.drain()
    await wait_until(lambda: not slow_client.behind)
    assert fast.sent == ["patch 1", "patch 2", "patch 3"]
    assert slow.sent == ["patch 1", "snap 3"]  # the snapshot replaced the waiting patch
