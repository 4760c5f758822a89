"""Which sites' feeds a channel needs, and what to do when one is lost or back (pure).

    watched_sites(channel_state, at, lead) -> {site: "on_air" | "next"}
    loss_command(feed, channel_state) -> command dict | None
    return_command(feed, reaction, channel_state) -> command dict | None

No I/O, no clock: the instant is an argument. The feed watcher
(:mod:`~control_room.switcher.feeds`) submits the commands through the one command path
as ``switcher``, so they are journaled, replayed and cleared like an operator's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from control_room.core.schedule import Item
from control_room.core.states import item_windows
from control_room.core.timeline import ChannelState

from .feed_config import FeedConfig

__all__ = [
    "Reaction",
    "Role",
    "in_force",
    "loss_command",
    "planned_site",
    "return_command",
    "upcoming_site",
    "watched_sites",
]

Role = Literal["on_air", "next"]
"""Why a site's feed is watched on a channel: it is on air, or comes at the next cue."""

Reaction = Literal["slate", "fallback"]
"""What the switcher did on a loss (and undoes on the return)."""

Command = dict[str, Any]


def planned_site(channel: ChannelState) -> str | None:
    """The site the plan has on air now (the item's, else the segment's), fallback or not."""
    now = channel.now
    if channel.status != "on_air" or now is None:
        return None
    return (now.item.site if now.item is not None else None) or now.segment.site


def upcoming_site(channel: ChannelState, at: dt.datetime, *, lead: dt.timedelta) -> str | None:
    """The site of the next cue (next item of the segment, else the next segment), when
    that cue is at most ``lead`` after ``at``."""
    now = channel.now
    if now is not None:
        for window in item_windows(now.segment, now.starts_at, now.ends_at):
            if at < window.starts_at < now.ends_at:
                if window.starts_at - at > lead:
                    return None
                return (window.item.site if window.item else None) or now.segment.site
    nxt = channel.next
    if nxt is None or nxt.starts_at - at > lead:
        return None
    first: Item | None = None
    for window in item_windows(nxt.segment, nxt.starts_at, nxt.ends_at):
        if window.starts_at <= nxt.starts_at < window.ends_at:
            first = window.item
    return (first.site if first is not None else None) or nxt.segment.site


def watched_sites(channel: ChannelState, at: dt.datetime, *, lead: dt.timedelta) -> dict[str, Role]:
    """The sites whose feed ``channel`` needs at ``at``: on air, or next within ``lead``."""
    sites: dict[str, Role] = {}
    upcoming = upcoming_site(channel, at, lead=lead)
    if upcoming is not None:
        sites[upcoming] = "next"
    on_air = planned_site(channel)
    if on_air is not None:
        sites[on_air] = "on_air"
    return sites


def loss_command(feed: FeedConfig, channel: ChannelState) -> tuple[Reaction, Command] | None:
    """The reaction to the loss of ``feed`` while its site is on air on ``channel``.

    ``None`` when the site's reaction is ``nothing``, or when the channel already shows
    what the reaction would put up (a slate is up; a fallback site is set): the
    operator's choice stands.
    """
    channel_id = channel.channel.id
    if feed.on_loss == "slate" and channel.slate is None:
        return "slate", {"type": "slate", "channel": channel_id, "text": feed.slate_text}
    if feed.on_loss == "fallback" and feed.fallback is not None and channel.override is None:
        command = {"type": "site_override", "channel": channel_id, "site": feed.fallback}
        return "fallback", command
    return None


def in_force(feed: FeedConfig, reaction: Reaction, channel: ChannelState) -> bool:
    """Is the switcher's ``reaction`` to ``feed``'s loss still what ``channel`` shows?

    No once the operator cleared it or replaced it (another slate text, another site).
    """
    if reaction == "slate":
        return channel.slate is not None and channel.slate.text == feed.slate_text
    return channel.override is not None and channel.override == feed.fallback


def return_command(feed: FeedConfig, reaction: Reaction, channel: ChannelState) -> Command | None:
    """The command that undoes ``reaction`` once ``feed`` is back (``None``: nothing to
    undo, the operator already did or replaced it)."""
    if not in_force(feed, reaction, channel):
        return None
    kind = "slate_clear" if reaction == "slate" else "site_clear"
    return {"type": kind, "channel": channel.channel.id}
