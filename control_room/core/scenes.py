"""Which OBS scene a channel needs: pure rules of the schedule and a channel's state.

    desired_scene(schedule, channel_state) -> scene | None
    preview_scene(schedule, channel_state, at, lead=...) -> scene | None

No I/O, no clock: the instant is an argument. The switcher
(:mod:`control_room.switcher`) acts on the answers. The items' windows come from the
timeline (:func:`~control_room.core.timeline.item_windows`), so a cue is where the
timeline puts it.

For a channel, the first rule that applies gives the program scene (docs/switcher.md):

1. a slate is up: the ``slate`` scene;
2. nothing on air (before, gap, finished): the ``idle`` scene;
3. the operator overrode the site (fallback): that site's scene;
4. the item on air is a break: the ``break`` scene;
5. the segment names a ``scene``: that scene;
6. the segment is a break: the ``break`` scene;
7. the site on air (the item's, else the segment's): its scene;
8. on air with no site: the ``idle`` scene.

When the scene for a situation is not configured the answer is ``None``: the switcher
leaves OBS alone.
"""

from __future__ import annotations

import datetime as dt

from .schedule import Item, Kind, Schedule, Segment
from .timeline import ChannelState, item_windows

__all__ = [
    "DEFAULT_PREVIEW_LEAD",
    "desired_scene",
    "preview_scene",
    "scenes_needed",
    "upcoming_scene",
]

DEFAULT_PREVIEW_LEAD = dt.timedelta(seconds=30)
"""How long before a cue its scene goes to preview (studio mode), by default."""


def _site_scene(schedule: Schedule, site_id: str | None) -> str | None:
    site = schedule.sites.get(site_id) if site_id is not None else None
    return site.scene if site is not None else None


def _on_air_scene(
    schedule: Schedule, segment: Segment, item: Item | None, site: str | None, *, overridden: bool
) -> str | None:
    """Rules 3 to 8: the scene of ``segment`` (and ``item``) on air from ``site``."""
    scenes = schedule.switcher_scenes
    if overridden and site is not None:
        return _site_scene(schedule, site)
    if item is not None and item.kind is Kind.BREAK:
        return scenes.get("break")  # a break inside a segment beats the segment's own scene
    if segment.scene:
        return segment.scene
    if segment.kind is Kind.BREAK:
        return scenes.get("break")
    if site is not None:
        return _site_scene(schedule, site)
    return scenes.get("idle")


def desired_scene(schedule: Schedule, channel: ChannelState) -> str | None:
    """The program scene for what ``channel`` has on air (``None``: leave OBS alone).

    Args:
        schedule: the schedule (its ``switcher.scenes`` and sites' ``scene``).
        channel: the channel's state, from the timeline.
    """
    scenes = schedule.switcher_scenes
    if channel.slate is not None:
        return scenes.get("slate")
    if channel.status != "on_air" or channel.now is None:
        return scenes.get("idle")
    now = channel.now
    return _on_air_scene(
        schedule, now.segment, now.item, channel.site, overridden=channel.site_overridden
    )


def _on_air_at_cue(
    schedule: Schedule, channel: ChannelState, segment: Segment, item: Item | None
) -> str | None:
    """The scene of ``segment`` (and ``item``) once its cue comes, as the timeline will
    have it: the item's site, else the segment's, unless the operator's fallback site
    is set (it carries over segments and breaks)."""
    site = (item.site if item is not None else None) or segment.site
    overridden = site is not None and channel.override is not None
    if overridden:
        site = channel.override
    return _on_air_scene(schedule, segment, item, site, overridden=overridden)


def upcoming_scene(
    schedule: Schedule, channel: ChannelState, at: dt.datetime
) -> tuple[dt.datetime, str | None] | None:
    """The next cue after ``at`` that may change the scene, and the scene it calls for.

    The cues considered are the start of the next item of the segment on air and the
    start of the next segment, at their expected times (the timeline's item windows). The
    operator's fallback site carries over, even from a break (as the timeline does); a
    slate is assumed cleared.

    Args:
        schedule: the schedule.
        channel: the channel's state, from the timeline.
        at: the instant (show time).

    Returns:
        ``(instant, scene)``, or ``None`` when nothing is coming.
    """
    now = channel.now
    if now is not None:
        for window in item_windows(now.segment, now.starts_at, now.ends_at):
            if at < window.starts_at < now.ends_at:
                return window.starts_at, _on_air_at_cue(schedule, channel, now.segment, window.item)
    nxt = channel.next
    if nxt is None:
        return None
    first: Item | None = None
    for window in item_windows(nxt.segment, nxt.starts_at, nxt.ends_at):
        if window.starts_at <= nxt.starts_at < window.ends_at:
            first = window.item  # the item on air when the segment starts
    return nxt.starts_at, _on_air_at_cue(schedule, channel, nxt.segment, first)


def preview_scene(
    schedule: Schedule,
    channel: ChannelState,
    at: dt.datetime,
    *,
    lead: dt.timedelta = DEFAULT_PREVIEW_LEAD,
) -> str | None:
    """The scene to put in preview (studio mode) at ``at``.

    Args:
        schedule: the schedule.
        channel: the channel's state, from the timeline.
        at: the instant (show time).
        lead: how long before its cue the next scene goes to preview.

    Returns:
        The scene of the next cue, once it is at most ``lead`` away; ``None`` (leave the
        preview alone) before that, or when nothing is coming.
    """
    upcoming = upcoming_scene(schedule, channel, at)
    if upcoming is None or upcoming[0] - at > lead:
        return None
    return upcoming[1]


def scenes_needed(schedule: Schedule, channel_id: str) -> dict[str, list[str]]:
    """Every scene the schedule may ask of ``channel_id``'s switcher, with why.

    The plan's scenes (its sites, explicit scenes, break/slate/idle) and, marked
    ``fallback``, the other sites' scenes, which only a site override asks for.

    Raises:
        KeyError: no such channel.
    """
    channel = schedule.channel(channel_id)
    needed: dict[str, list[str]] = {}

    def need(scene: str | None, why: str) -> None:
        if scene and why not in needed.setdefault(scene, []):
            needed[scene].append(why)

    for kind in ("idle", "slate"):
        need(schedule.switcher_scenes.get(kind), kind)
    plan_sites: set[str] = set()
    for seg in channel.segments:
        need(seg.scene, f"segment {seg.id}")
        if seg.kind is Kind.BREAK or any(it.kind is Kind.BREAK for it in seg.items):
            need(schedule.switcher_scenes.get("break"), "break")
        for site in [seg.site, *(it.site for it in seg.items)]:
            if site is not None:
                plan_sites.add(site)
                need(_site_scene(schedule, site), f"site {site}")
    for site_id in schedule.sites:
        if site_id not in plan_sites:
            need(_site_scene(schedule, site_id), f"fallback site {site_id}")
    return needed
