"""The lean queue and event of a websocket connection (control_room/inbox.py) behave as
the asyncio ones they replace, for what uvicorn's protocol and the hub use of them."""

from __future__ import annotations

import asyncio
import sys

import pytest

from control_room.inbox import Flag, Inbox


async def test_the_inbox_gives_items_in_order_and_waits_for_the_next() -> None:
    inbox: Inbox[int] = Inbox()
    assert inbox.empty() and inbox.qsize() == 0
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    assert not inbox.empty() and inbox.qsize() == 2
    assert await inbox.get() == 1
    assert await inbox.get() == 2
    assert inbox.empty()
    waiting = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    assert not waiting.done()
    inbox.put_nowait(3)
    assert await asyncio.wait_for(waiting, 1) == 3
    assert inbox.empty()


async def test_a_cancelled_get_loses_nothing_and_the_next_get_works() -> None:
    inbox: Inbox[str] = Inbox()
    waiting = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    inbox.put_nowait("after")
    assert await inbox.get() == "after"
    # put while a get is being cancelled: the item stays for the next get
    waiting = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("kept")
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await inbox.get() == "kept"


async def test_the_inbox_has_one_consumer() -> None:
    inbox: Inbox[int] = Inbox()
    first = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="one consumer"):
        await inbox.get()
    inbox.put_nowait(7)
    assert await first == 7


async def test_the_flag_wakes_every_waiter_and_a_cleared_flag_waits_again() -> None:
    flag = Flag(True)
    assert flag.is_set()
    assert await flag.wait() is True  # set: no wait
    flag.clear()
    waiters = [asyncio.create_task(flag.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    flag.set()
    assert await asyncio.wait_for(asyncio.gather(*waiters), 1) == [True, True, True]
    flag.clear()
    late = asyncio.create_task(flag.wait())
    await asyncio.sleep(0)
    late.cancel()
    with pytest.raises(asyncio.CancelledError):
        await late
    flag.set()  # a cancelled waiter is forgotten, nothing raises
    assert flag.is_set()


def test_an_idle_inbox_and_flag_hold_no_deque() -> None:
    inbox: Inbox[int] = Inbox()
    flag = Flag(True)
    reference = sys.getsizeof(asyncio.Queue()._queue)  # type: ignore[attr-defined]
    assert sys.getsizeof(inbox) + sys.getsizeof(flag) < reference
