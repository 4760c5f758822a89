"""The alarm clock of the server: APScheduler wakes it at the next cue.

APScheduler never holds truth here. :class:`CueAlarm` keeps exactly one
one-shot job, at the wall-clock instant of the next show instant where the
state changes (``timeline.next_change_after``), plus a safety tick every
second. When either fires, it calls ``on_wake`` and the server recomputes the
state from the engine; a late or lost wake-up can delay a push, never corrupt
the state.

Two APScheduler defaults would betray us and are overridden:

- ``misfire_grace_time`` defaults to 1 s: a cue whose wake-up is more than a
  second late (a busy machine, a suspended laptop) would be silently dropped.
  It is None here: a late cue always fires.
- jobs run as tasks and a job still "running" makes the next run of the same
  job be skipped (``max_instances``). The job functions here only hand the cue
  to ``on_wake`` synchronously and return, so that never happens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from control_room.clock import Clock, from_epoch

__all__ = ["CueAlarm"]

logger = logging.getLogger(__name__)

_CUE_JOB = "cue"
_TICK_JOB = "safety-tick"


class CueAlarm:
    """One one-shot job at the next cue, and a safety tick.

    Args:
        clock: the show clock (maps the cue's show instant to a wall instant).
        on_wake: called in the event loop with the cue's show instant, or None for a tick.
        tick_seconds: the safety tick period (wall seconds); 0 disables it.
    """

    def __init__(
        self,
        clock: Clock,
        on_wake: Callable[[datetime | None], None],
        *,
        tick_seconds: float = 1.0,
    ) -> None:
        self.clock = clock
        self.on_wake = on_wake
        self.tick_seconds = tick_seconds
        self.wakes = 0
        self.ticks = 0
        self._planned: datetime | None = None
        self._scheduler = AsyncIOScheduler(
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            timezone="UTC",
        )
        # APScheduler logs every job run at INFO; the server logs what matters itself.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)

    @property
    def next_cue(self) -> datetime | None:
        """The show instant the alarm is set for (None: none planned)."""
        return self._planned

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def start(self) -> None:
        """Start the scheduler in the running event loop (call from the app's lifespan)."""
        self._scheduler.start()
        if self.tick_seconds > 0:
            self._scheduler.add_job(
                self._tick,
                IntervalTrigger(seconds=self.tick_seconds, timezone="UTC"),
                id=_TICK_JOB,
                replace_existing=True,
            )

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def plan(self, cue: datetime | None) -> None:
        """Set the alarm for show instant ``cue`` (None: no cue ahead), replacing the last one."""
        if cue == self._planned:
            return
        self._planned = cue
        if not self._scheduler.running:
            return
        if cue is None:
            if self._scheduler.get_job(_CUE_JOB) is not None:
                self._scheduler.remove_job(_CUE_JOB)
            return
        run_date = from_epoch(self.clock.wall_time(cue))
        self._scheduler.add_job(
            self._fire,
            DateTrigger(run_date=run_date, timezone="UTC"),
            args=[cue],
            id=_CUE_JOB,
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _fire(self, cue: datetime) -> None:
        if cue == self._planned:
            self._planned = None
        self.wakes += 1
        self.on_wake(cue)

    async def _tick(self) -> None:
        self.ticks += 1
        self.on_wake(None)
