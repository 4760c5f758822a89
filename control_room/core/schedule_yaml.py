"""The schedule file format (YAML): text in, a :class:`Schedule` or every problem out.

A schedule file is YAML (see docs/schedule-format.md). :func:`parse_schedule` checks
everything, and either returns an immutable :class:`~control_room.core.schedule.Schedule`
or raises :class:`~control_room.core.schedule.ScheduleError` listing *every* problem found,
each as ``file:line: field: message``. Reading the file is the edge's job
(:mod:`control_room.schedule_file`).

The format is built from three parts, each its own module: reading YAML safely with
lines (:mod:`.yaml_reader`), the raw input models and the collector of problems
(:mod:`.schedule_input`), and times and durations as text (:mod:`.time_text`). This
module gives the raw input its meaning: the event, its sites, the channels with their
segments and items, and the checks between them (unique ids, known sites, overlaps).

Pure core: no I/O, no clock reads, no state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .schedule import (
    DEFAULT_LOWER_THIRD,
    DEFAULT_PRESETS,
    DEFAULT_SAFE_TAKE_MINUTES,
    Channel,
    Event,
    Item,
    Person,
    Problem,
    Schedule,
    ScheduleError,
    Segment,
    Site,
)
from .schedule_input import (
    TOP_KEYS,
    Collector,
    RawChannel,
    RawEvent,
    RawItem,
    RawPerson,
    RawSegment,
    RawSite,
    RawSwitcher,
)
from .time_text import Duration, hhmm, parse_duration, parse_instant
from .yaml_reader import MAX_CHARS, MAX_DEPTH, MAX_NODES, read_yaml

__all__ = [
    "MAX_CHARS",
    "MAX_DEPTH",
    "MAX_NODES",
    "Duration",
    "parse_duration",
    "parse_schedule",
]


# --------------------------------------------------------------------------- parsing


def parse_schedule(text: str, *, source: str = "<schedule>") -> Schedule:
    """Parse and validate schedule YAML text.

    Args:
        text: the YAML document.
        source: the name used in problem messages (usually the file path).

    Raises:
        ScheduleError: every problem found.
    """
    root = read_yaml(text, source)
    c = Collector(source, root)
    if not isinstance(root, dict):
        raise ScheduleError(
            [Problem(source, 1, "", "a schedule is a mapping with event, sites, channels")]
        )
    for key in root:
        if key not in TOP_KEYS:
            c.add([key], "unknown key (typo?)")
    for key in ("event", "channels"):
        if key not in root:
            c.add([], f"{key}: missing")

    event = _build_event(c, root)
    sites = _build_sites(c, root)
    scenes: dict[str, str] = {}
    if "switcher" in root:
        sw = c.validate(RawSwitcher, root["switcher"], ["switcher"])
        if sw is not None:
            scenes = {str(k): v for k, v in sw.scenes.items()}
    # Without a valid event, still check the channels (against a placeholder day) so that
    # every problem is reported in one run; the schedule is refused anyway.
    placeholder: _EventParts = (Event("?", dt.date(2000, 1, 1), ZoneInfo("UTC")), 300, 60)
    channels = _build_channels(c, root, event or placeholder, sites)
    if c.problems or event is None:
        raise ScheduleError(sorted(c.problems, key=lambda p: p.line))
    return Schedule(
        event=event[0],
        sites=sites,
        channels=channels,
        switcher_scenes=scenes,
        source=source,
    )


_EventParts = tuple[Event, int, int]  # event, default warning, default danger (seconds)


# --------------------------------------------------------------------------- the event and sites


def _build_event(c: Collector, root: Any) -> _EventParts | None:
    """The event, with the default warning and danger thresholds of its segments."""
    if "event" not in root:
        return None
    raw = c.validate(RawEvent, root["event"], ["event"])
    if raw is None:
        return None
    try:
        tz = ZoneInfo(raw.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        c.add(
            ["event", "timezone"],
            f"unknown time zone {raw.timezone!r} (use an IANA name like Europe/Paris)",
        )
        tz = ZoneInfo("UTC")  # keep checking the rest of the file
    start = end = None
    for key in ("start", "end"):
        value = getattr(raw, key)
        if value is None:
            continue
        try:
            instant = parse_instant(value, raw.date, tz)
        except ValueError as exc:
            c.add(["event", key], str(exc))
            continue
        if key == "start":
            start = instant
        else:
            end = instant
    if start is not None and end is not None and end <= start:
        c.add(["event", "end"], "the event ends before it starts")
    warning, danger = _thresholds(c, ["event"], raw, 300, 60)
    strap = _strap(c, ["event"], raw.lower_third)
    ev = Event(
        title=raw.title,
        date=raw.date,
        timezone=tz,
        start=start,
        end=end,
        subtitle=raw.subtitle,
        url=raw.url,
        lower_third=DEFAULT_LOWER_THIRD if strap is None else strap,
        safe_take_minutes=(
            DEFAULT_SAFE_TAKE_MINUTES if raw.safe_take_minutes is None else raw.safe_take_minutes
        ),
        presets=DEFAULT_PRESETS if raw.presets is None else tuple(raw.presets),
    )
    return ev, warning, danger


def _strap(c: Collector, path: list[str | int], value: Duration | None) -> dt.timedelta | None:
    """The name strap's time ``lower_third`` sets (zero: none), or None if not set."""
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        c.add([*path, "lower_third"], str(exc))
        return None


def _thresholds(
    c: Collector,
    path: list[str | int],
    raw: RawEvent | RawSegment,
    warning: int,
    danger: int,
) -> tuple[int, int]:
    """The warning and danger thresholds (seconds) ``raw`` sets, else the defaults given."""
    for key in ("warning", "danger"):
        value = getattr(raw, key)
        if value is None:
            continue
        try:
            seconds = int(parse_duration(value).total_seconds())
        except ValueError as exc:
            c.add([*path, key], str(exc))
            continue
        if key == "warning":
            warning = seconds
        else:
            danger = seconds
    return warning, danger


def _build_sites(c: Collector, root: Any) -> dict[str, Site]:
    """The sites by id (a duplicate id is a problem, and the first one is kept)."""
    sites: dict[str, Site] = {}
    raw_sites = root.get("sites", [])
    if raw_sites is None:
        return sites
    if not isinstance(raw_sites, list):
        c.add(["sites"], "must be a list of sites")
        return sites
    for i, data in enumerate(raw_sites):
        raw = c.validate(RawSite, data, ["sites", i])
        if raw is None:
            continue
        if raw.id in sites:
            c.add(["sites", i, "id"], f"duplicate site id {raw.id!r}")
            continue
        sites[raw.id] = Site(raw.id, raw.name, raw.city, raw.venue, raw.scene)
    return sites


# ----------------------------------------------------------------- shared by segments and items


def _people(raw: Sequence[RawPerson]) -> tuple[Person, ...]:
    return tuple(Person(p.name, p.role, p.function, p.organisation) for p in raw)


def _times(
    c: Collector,
    path: list[str | int],
    raw: RawSegment | RawItem,
    default_start: dt.datetime | None,
    ev: Event,
) -> tuple[dt.datetime, dt.datetime] | None:
    """The start and end of a segment or item, or ``None`` with the problem recorded."""
    start: dt.datetime | None = default_start
    if raw.start is not None:
        try:
            start = parse_instant(raw.start, ev.date, ev.timezone)
        except ValueError as exc:
            c.add([*path, "start"], str(exc))
            return None
    if start is None:
        c.add([*path, "start"], "missing (only a segment that follows another may omit it)")
        return None
    if (raw.end is None) == (raw.duration is None):
        c.add(path, "give exactly one of end or duration")
        return None
    if raw.end is not None:
        try:
            end = parse_instant(raw.end, ev.date, ev.timezone)
        except ValueError as exc:
            c.add([*path, "end"], str(exc))
            return None
        if end <= start:
            c.add(
                [*path, "end"],
                f"ends at or before its start ({raw.end} <= {hhmm(start, ev.timezone)})",
            )
            return None
    else:
        assert raw.duration is not None
        try:
            length = parse_duration(raw.duration)
        except ValueError as exc:
            c.add([*path, "duration"], str(exc))
            return None
        if length <= dt.timedelta(0):
            c.add([*path, "duration"], "must be longer than zero")
            return None
        try:
            end = start + length
        except OverflowError:
            c.add([*path, "duration"], "ends after the end of the calendar")
            return None
    return start, end


def _entry(
    c: Collector,
    path: list[str | int],
    raw: RawSegment | RawItem,
    what: str,
    prev_end: dt.datetime | None,
    ev: Event,
    sites: Mapping[str, Site],
    ids: dict[str, str],
) -> tuple[dt.datetime, dt.datetime] | None:
    """Checks shared by segments and items: unique id, known site, valid times."""
    if raw.id in ids:
        c.add([*path, "id"], f"duplicate id {raw.id!r} (already a {ids[raw.id]})")
    ids[raw.id] = what
    if raw.site is not None and raw.site not in sites:
        c.add([*path, "site"], f"unknown site {raw.site!r}")
    return _times(c, path, raw, prev_end, ev)


# --------------------------------------------------------------------------- channels and segments


def _build_channels(
    c: Collector, root: Any, event: _EventParts, sites: Mapping[str, Site]
) -> tuple[Channel, ...]:
    """The channels, each with its segments (a duplicate channel id is left out)."""
    raw_channels = root.get("channels")
    if not isinstance(raw_channels, list):
        if raw_channels is not None:
            c.add(["channels"], "must be a list of channels")
        return ()
    ids: dict[str, str] = {}  # every id of a channel, segment or item -> what it names
    channel_ids = {
        data.get("id")
        for data in raw_channels
        if isinstance(data, dict) and isinstance(data.get("id"), str)
    }
    channels: list[Channel] = []
    for ci, cdata in enumerate(raw_channels):
        cpath: list[str | int] = ["channels", ci]
        raw_ch = c.validate(RawChannel, cdata, cpath)
        if raw_ch is None:
            continue
        if raw_ch.id in ids:
            c.add([*cpath, "id"], f"duplicate id {raw_ch.id!r} (already a {ids[raw_ch.id]})")
            continue
        ids[raw_ch.id] = "channel"
        segments = _build_segments(c, cpath, raw_ch, event, sites, ids, channel_ids)
        channels.append(
            Channel(raw_ch.id, raw_ch.title, segments, raw_ch.subtitle, short=raw_ch.short)
        )
    return tuple(channels)


def _build_segments(
    c: Collector,
    cpath: list[str | int],
    raw_ch: RawChannel,
    event: _EventParts,
    sites: Mapping[str, Site],
    ids: dict[str, str],
    channel_ids: set[Any],
) -> tuple[Segment, ...]:
    """The segments of one channel, in order: one may start when the previous one ends."""
    ev, default_warning, default_danger = event
    segments: list[Segment] = []
    prev_end: dt.datetime | None = None
    prev_id: str | None = None
    for si, sdata in enumerate(raw_ch.segments):
        spath: list[str | int] = [*cpath, "segments", si]
        raw = c.validate(RawSegment, sdata, spath)
        if raw is None:
            prev_end = None
            continue
        times = _entry(c, spath, raw, "segment", prev_end, ev, sites, ids)
        if times is None:
            prev_end = None
            continue
        start, end = times
        _check_placement(c, spath, raw, times, prev_end, prev_id, ev)
        _check_parallel(c, spath, raw, raw_ch.id, channel_ids)
        warning, danger = _thresholds(c, spath, raw, default_warning, default_danger)
        if danger > warning:
            c.add([*spath, "danger"], "the danger threshold comes after the warning one")
        items = _build_items(c, spath, raw, start, end, ev, sites, ids)
        segment = _segment(raw, times, items, warning, danger)
        strap = _strap(c, spath, raw.lower_third)
        segments.append(segment if strap is None else replace(segment, lower_third=strap))
        prev_end, prev_id = end, raw.id
    return tuple(segments)


def _check_placement(
    c: Collector,
    spath: list[str | int],
    raw: RawSegment,
    times: tuple[dt.datetime, dt.datetime],
    prev_end: dt.datetime | None,
    prev_id: str | None,
    ev: Event,
) -> None:
    """A segment starts after the previous one of its channel ends, and within the event."""
    start, end = times
    tz = ev.timezone
    if prev_end is not None and start < prev_end:
        c.add(
            [*spath, "start"],
            f"overlaps {prev_id!r}, which ends at {hhmm(prev_end, tz)}",
        )
    if ev.start is not None and start < ev.start:
        c.add([*spath, "start"], f"before the event starts ({hhmm(ev.start, tz)})")
    if ev.end is not None and end > ev.end:
        c.add(
            [*spath, "end" if raw.end is not None else "duration"],
            f"after the event ends ({hhmm(ev.end, tz)})",
        )


def _check_parallel(
    c: Collector,
    spath: list[str | int],
    raw: RawSegment,
    channel_id: str,
    channel_ids: set[Any],
) -> None:
    """The channels a segment runs in parallel to exist, and are not its own."""
    for pi, other in enumerate(raw.parallel):
        if other not in channel_ids:
            c.add([*spath, "parallel", pi], f"unknown channel {other!r}")
        elif other == channel_id:
            c.add([*spath, "parallel", pi], "a channel cannot run in parallel to itself")


def _segment(
    raw: RawSegment,
    times: tuple[dt.datetime, dt.datetime],
    items: tuple[Item, ...],
    warning: int,
    danger: int,
) -> Segment:
    """The checked segment, from its raw input and what was worked out of it."""
    start, end = times
    return Segment(
        id=raw.id,
        title=raw.title,
        kind=raw.kind,
        start=start,
        end=end,
        hard=raw.hard,
        site=raw.site,
        subtitle=raw.subtitle,
        estimated=raw.estimated,
        people=_people(raw.people),
        items=items,
        parallel=tuple(raw.parallel),
        notes=raw.notes,
        warning=warning,
        danger=danger,
        scene=raw.scene,
    )


# --------------------------------------------------------------------------- items


def _build_items(
    c: Collector,
    spath: list[str | int],
    parent: RawSegment,
    pstart: dt.datetime,
    pend: dt.datetime,
    ev: Event,
    sites: Mapping[str, Site],
    ids: dict[str, str],
) -> tuple[Item, ...]:
    """The items of a segment, in order and within it."""
    tz = ev.timezone
    items: list[Item] = []
    prev_end: dt.datetime | None = pstart
    prev_id: str | None = None
    for ii, idata in enumerate(parent.items):
        ipath: list[str | int] = [*spath, "items", ii]
        raw = c.validate(RawItem, idata, ipath)
        if raw is None:
            prev_end = None
            continue
        times = _entry(c, ipath, raw, "item", prev_end, ev, sites, ids)
        if times is None:
            prev_end = None
            continue
        start, end = times
        if start < pstart or end > pend:
            c.add(
                ipath,
                f"outside its segment {parent.id!r} ({hhmm(pstart, tz)}–{hhmm(pend, tz)})",
            )
        elif prev_end is not None and prev_id is not None and start < prev_end:
            c.add([*ipath, "start"], f"overlaps {prev_id!r}, which ends at {hhmm(prev_end, tz)}")
        items.append(
            Item(
                id=raw.id,
                title=raw.title,
                start=start,
                end=end,
                kind=raw.kind,
                site=raw.site,
                estimated=raw.estimated,
                people=_people(raw.people),
                notes=raw.notes,
            )
        )
        prev_end, prev_id = end, raw.id
    return tuple(items)
