"""A site feed's health, with hysteresis: the pure state machine of one feed.

    tracker = FeedTracker(grace=3.0, stable=5.0)
    change = tracker.observe(ok, now)        # "lost" | "returned" | None

No I/O, no clock: every observation comes with its instant (seconds, any monotonic
origin). A feed is *lost* after ``grace`` seconds of continuous bad observations, and
*healthy* again after ``stable`` seconds of continuous good ones; anything shorter is
ignored, so a feed flapping faster than that never flips the state back and forth
(docs/switcher.md, "Feeds").

::

    HEALTHY --bad--> LOSING --bad for grace--> LOST --good--> RETURNING --good for stable--> HEALTHY
       ^               |good                    ^                |bad
       +---------------+                        +----------------+

The first observation sets the starting point: good starts ``HEALTHY``; bad starts
``LOSING`` (so a feed that is down from the start is lost after ``grace``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

__all__ = ["Change", "CursorWatch", "FeedTracker", "Health"]

Change = Literal["lost", "returned"]
"""What an observation changed: the feed is now lost, or healthy again."""


class Health(StrEnum):
    """Where a feed is in its hysteresis."""

    UNKNOWN = "unknown"  # nothing observed yet
    HEALTHY = "healthy"
    LOSING = "losing"  # bad, for less than grace: still counted as healthy
    LOST = "lost"
    RETURNING = "returning"  # good, for less than stable: still counted as lost


@dataclass(slots=True)
class FeedTracker:
    """The hysteresis of one feed.

    Args:
        grace: seconds of continuous loss before the feed is lost.
        stable: seconds of continuous health before a lost feed is healthy again.

    Attributes:
        health: the state now.
        since: the instant the current state (``LOSING``, ``LOST``, ...) began.
        lost_since: the instant the loss began (the first bad observation), while the
            feed is ``LOST`` or ``RETURNING``; ``None`` otherwise.
    """

    grace: float
    stable: float
    health: Health = Health.UNKNOWN
    since: float = -math.inf
    lost_since: float | None = None

    @property
    def lost(self) -> bool:
        """The feed counts as lost (``LOST`` or ``RETURNING``)."""
        return self.health in (Health.LOST, Health.RETURNING)

    def observe(self, ok: bool, now: float) -> Change | None:
        """Take one observation of the feed at ``now``.

        Args:
            ok: the feed is delivering (frames arrive) at ``now``.
            now: the instant of the observation (seconds; never before the last one).

        Returns:
            ``"lost"`` when the feed just became lost, ``"returned"`` when it just became
            healthy again, else ``None``.
        """
        match self.health:
            case Health.UNKNOWN:
                self._enter(Health.HEALTHY if ok else Health.LOSING, now)
                return self._settle(now)
            case Health.HEALTHY:
                if not ok:
                    self._enter(Health.LOSING, now)
                    return self._settle(now)
            case Health.LOSING:
                if ok:
                    self._enter(Health.HEALTHY, now)
                else:
                    return self._settle(now)
            case Health.LOST:
                if ok:
                    self._enter(Health.RETURNING, now)
                    return self._settle(now)
            case Health.RETURNING:
                if ok:
                    return self._settle(now)
                self._enter(Health.LOST, now)
        return None

    def elapsed(self, now: float) -> float:
        """Seconds since the loss began (0 when the feed is not lost)."""
        return 0.0 if self.lost_since is None else max(now - self.lost_since, 0.0)

    def _enter(self, health: Health, now: float) -> None:
        self.health = health
        self.since = now

    def _settle(self, now: float) -> Change | None:
        """Apply the time rules (a zero grace or stable acts at once)."""
        if self.health is Health.LOSING and now - self.since >= self.grace:
            self.lost_since = self.since
            self._enter(Health.LOST, now)
            return "lost"
        if self.health is Health.RETURNING and now - self.since >= self.stable:
            self.lost_since = None
            self._enter(Health.HEALTHY, now)
            return "returned"
        return None


@dataclass(slots=True)
class CursorWatch:
    """Is a media input delivering? Its play cursor moved within ``stall`` seconds.

    OBS's ``GetMediaInputStatus`` says ``OBS_MEDIA_STATE_PLAYING`` for a network stream
    that stopped sending (UDP, the demuxer just waits) and while it is still trying to
    open one; only the cursor tells: it stops moving when no frame arrives, and starts
    again (reset to the new stream's time) when they come back (docs/switcher.md).

    Args:
        stall: seconds without the cursor moving before the input counts as stalled
            (OBS moves it in steps of about half a second).
    """

    stall: float
    cursor: int | None = None
    moved_at: float | None = None

    def observe(self, playing: bool, cursor: int | None, now: float) -> bool:
        """One ``GetMediaInputStatus`` reading at ``now``; ``True`` if the feed delivers."""
        if not playing or cursor is None:
            self.reset()
            return False
        if cursor != self.cursor and (self.cursor is not None or cursor > 0):
            self.moved_at = now
        self.cursor = cursor
        return self.moved_at is not None and now - self.moved_at <= self.stall

    def reset(self) -> None:
        """Forget the cursor (the input ended or stopped: nothing is moving)."""
        self.cursor = None
        self.moved_at = None
