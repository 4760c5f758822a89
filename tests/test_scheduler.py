from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from control_room.clock import rehearsal_clock
from control_room.scheduler import CueAlarm

SHOW = datetime(2026, 7, 7, 9, 55, tzinfo=UTC)
SPEED = 1000.0  # one show minute is 60 ms of wall time


class Wakes:
    def __init__(self) -> None:
        self.calls: list[tuple[datetime | None, float]] = []
        self.event = asyncio.Event()

    def __call__(self, cue: datetime | None) -> None:
        self.calls.append((cue, time.time()))
        self.event.set()

    async def next(self, timeout: float = 5.0) -> tuple[datetime | None, float]:
        async with asyncio.timeout(timeout):
            while not self.calls:
                self.event.clear()
                await self.event.wait()
        return self.calls.pop(0)


async def test_the_alarm_wakes_at_the_wall_instant_of_the_cue() -> None:
    clock = rehearsal_clock(SHOW, SPEED)
    wakes = Wakes()
    alarm = CueAlarm(clock, wakes, tick_seconds=0)
    alarm.start()
    try:
        cue = SHOW + timedelta(minutes=1)
        alarm.plan(cue)
        assert alarm.next_cue == cue
        woken, at = await wakes.next()
        assert woken == cue
        assert at >= clock.wall_time(cue) - 0.002
        assert alarm.next_cue is None and alarm.wakes == 1
    finally:
        alarm.shutdown()


async def test_a_cue_already_past_still_fires() -> None:
    clock = rehearsal_clock(SHOW, SPEED)
    wakes = Wakes()
    alarm = CueAlarm(clock, wakes, tick_seconds=0)
    alarm.start()
    try:
        late = SHOW - timedelta(hours=2)  # far beyond APScheduler's default 1 s grace
        alarm.plan(late)
        assert (await wakes.next())[0] == late
    finally:
        alarm.shutdown()


async def test_replanning_replaces_the_previous_cue() -> None:
    clock = rehearsal_clock(SHOW, SPEED)
    wakes = Wakes()
    alarm = CueAlarm(clock, wakes, tick_seconds=0)
    alarm.start()
    try:
        alarm.plan(SHOW + timedelta(hours=1))
        sooner = SHOW + timedelta(seconds=30)
        alarm.plan(sooner)
        assert (await wakes.next())[0] == sooner
        alarm.plan(None)
        assert alarm.next_cue is None
    finally:
        alarm.shutdown()


async def test_the_safety_tick_wakes_without_a_cue() -> None:
    wakes = Wakes()
    alarm = CueAlarm(rehearsal_clock(SHOW, SPEED), wakes, tick_seconds=0.05)
    alarm.start()
    try:
        assert (await wakes.next())[0] is None
        assert alarm.ticks >= 1
    finally:
        alarm.shutdown()
