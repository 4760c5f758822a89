"""The sites' feed health as the rest of the room sees it, read from the feed watcher's
status (pure: the ``feeds`` status dicts in, plain data out).

The feed watcher (:mod:`control_room.switcher.feeds`) publishes, per channel, every
watched feed (``site``, ``name``, ``feed``, ``role``, ``health``, ``lost``, ``lost_at``,
``reaction``...). From it:

- :func:`lost_feeds`: the channel's lost feeds, the site on air first;
- :func:`public_loss`: the site on air whose feed is lost (the public ``feed_health``
  signal: the overlay says « Interruption momentanée » for that channel);
- :func:`feed_changes`: the losses and returns between two statuses (the journal's
  audit records, the metrics' loss counter);
- :func:`watchers`: the channels whose screens care about a channel's feed (itself, and
  a channel that runs it in parallel: the main channel's parcours box).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from control_room.core.schedule import Schedule

__all__ = [
    "FEED_TARGET",
    "FeedChange",
    "FeedLoss",
    "feed_changes",
    "lost_feeds",
    "public_loss",
    "watchers",
]

FEED_TARGET = "feed"
"""The ``target`` of a switcher audit record that is a feed's loss or return, not a
switch (``scene``: the site id; ``result``: ``lost`` / ``healthy``; docs/switcher.md)."""


@dataclass(frozen=True, slots=True)
class FeedLoss:
    """One lost feed of a channel, as the watcher last published it."""

    site: str
    name: str
    feed: str
    role: str | None
    since: float | None  # wall time (epoch s) the loss began
    reaction: str | None  # what the switcher put up (slate / fallback), while in force

    @classmethod
    def of(cls, feed: Mapping[str, Any]) -> FeedLoss:
        since = feed.get("lost_at")
        return cls(
            site=str(feed.get("site") or ""),
            name=str(feed.get("name") or feed.get("site") or ""),
            feed=str(feed.get("feed") or ""),
            role=feed.get("role"),
            since=None if since is None else float(since),
            reaction=feed.get("reaction"),
        )


def _feeds(status: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if not status:
        return []
    return [feed for feed in status.get("feeds") or [] if isinstance(feed, Mapping)]


def lost_feeds(status: Mapping[str, Any] | None) -> list[FeedLoss]:
    """The lost feeds (``lost``: ``lost`` or ``returning``) of a status, on air first."""
    lost = [FeedLoss.of(feed) for feed in _feeds(status) if feed.get("lost")]
    return sorted(lost, key=lambda loss: loss.role != "on_air")


def public_loss(status: Mapping[str, Any] | None) -> str | None:
    """The site on air whose feed is lost (None: the feed on air is not lost)."""
    for loss in lost_feeds(status):
        if loss.role == "on_air":
            return loss.site
    return None


@dataclass(frozen=True, slots=True)
class FeedChange:
    """A feed became lost, or healthy again (``kind``), between two statuses."""

    kind: Literal["lost", "healthy"]
    loss: FeedLoss  # the feed as published: when lost, its loss; when back, as last lost
    feed: Mapping[str, Any]  # the feed's entry now (or as last published, if gone)


def feed_changes(
    previous: Mapping[str, Any] | None, status: Mapping[str, Any] | None
) -> list[FeedChange]:
    """The losses and returns from ``previous`` to ``status`` (one channel's)."""
    before = {str(feed.get("site")): feed for feed in _feeds(previous) if feed.get("lost")}
    now = {str(feed.get("site")): feed for feed in _feeds(status)}
    changes: list[FeedChange] = []
    for site, feed in now.items():
        if feed.get("lost") and site not in before:
            changes.append(FeedChange("lost", FeedLoss.of(feed), feed))
    for site, feed in before.items():
        if not (now.get(site) or {}).get("lost"):
            changes.append(FeedChange("healthy", FeedLoss.of(feed), now.get(site) or feed))
    return changes


def watchers(schedule: Schedule, channel: str) -> frozenset[str]:
    """The channels whose screens show ``channel``'s feed health: itself, and every channel
    with a segment running it in parallel (the main channel's parcours box)."""
    found = {channel}
    for other in schedule.channels:
        if any(channel in segment.parallel for segment in other.segments):
            found.add(other.id)
    return frozenset(found)
