"""The writer: a :class:`Programme` in, commented schedule YAML out.

Rooms become channels (the busiest room, or the one named by ``main_room``, is the
channel ``main``), each room a site unless a sites file says otherwise, each session a
segment with its own ``start`` and ``end``. The YAML is written by hand, every string
double-quoted, with a header comment saying where it came from and when, and a comment
naming each source session, so that a person can read and edit it; the caller checks it
with :func:`~control_room.core.schedule_yaml.parse_schedule`.

Pure: no I/O and no clock (``now`` is an argument).
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from control_room.core.schedule import Kind

from .programme import Programme, Session, SourceError, SourceProblem, slug
from .sites import SiteSpec

__all__ = ["Options", "render", "select_day", "timezone_warning"]


@dataclass(frozen=True, slots=True)
class Options:
    """How to turn a programme into a schedule (the command line's options)."""

    main_room: str | None = None
    sites: Mapping[str, SiteSpec] | None = None  # room name -> site
    timezone: str | None = None  # overrides the source's
    city: str | None = None  # for rooms the sites file does not name
    title: str | None = None  # overrides the source's


def select_day(programme: Programme, *, day: int | None, date: dt.date | None) -> Programme:
    """Keep one day of the programme: the ``day``-th (from 1) or the one on ``date``.

    Raises:
        SourceError: no such day; the message lists the days there are.
    """
    if day is None and date is None:
        return programme
    days = programme.days
    listing = ", ".join(f"{i} = {d.isoformat()}" for i, d in enumerate(days, 1))
    if date is not None:
        if date not in days:
            raise SourceError(
                [SourceProblem(programme.source, f"no day {date.isoformat()}; days: {listing}")]
            )
        chosen = date
    else:
        assert day is not None
        if not 1 <= day <= len(days):
            raise SourceError(
                [SourceProblem(programme.source, f"no day {day}; days: {listing or 'none'}")]
            )
        chosen = days[day - 1]
    return Programme(
        title=programme.title,
        timezone=programme.timezone,
        source=programme.source,
        format=programme.format,
        sessions=tuple(s for s in programme.sessions if s.day == chosen),
        days=(chosen,),
        rooms=programme.rooms,
        subtitle=programme.subtitle,
        url=programme.url,
        warnings=programme.warnings,
    )


def timezone_warning(programme: Programme, tz_name: str) -> str | None:
    """A warning when the source's UTC offsets are not those of its time zone.

    pretalx's demo export, for one, says ``UTC`` but dates its sessions ``+01:00``: the
    times are converted (09:00+01:00 is 08:00 UTC), which is right but may not be what
    the programme prints. ``--timezone`` picks the zone the schedule is written in.
    """
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    for s in programme.sessions:
        if s.start.utcoffset() != s.start.astimezone(tz).utcoffset():
            return (
                f"the source's times carry UTC offsets ({s.start.isoformat()} at {s.where}) "
                f"that are not {tz_name}'s: they are converted to {tz_name}; if the programme "
                "means another zone, give --timezone"
            )
    return None


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's), line separators escaped."""
    out = json.dumps(text, ensure_ascii=False)
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Zl", "Zp", "Cc", "Cf") else ch
        for ch in out
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Ids:
    """Unique ids in one namespace: ``talk``, ``talk-2``, ``talk-3``."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def new(self, base: str) -> str:
        ident, n = base, 1
        while ident in self.taken:
            n += 1
            ident = f"{base}-{n}"
        self.taken.add(ident)
        return ident


def _busiest(rooms: Sequence[str], by_room: Mapping[str, list[Session]]) -> str:
    def weight(room: str) -> tuple[int, dt.timedelta, int]:
        sessions = by_room[room]
        total = sum((s.end - s.start for s in sessions), dt.timedelta())
        return (len(sessions), total, -rooms.index(room))

    return max(rooms, key=weight)


def render(programme: Programme, options: Options, *, now: dt.datetime) -> str:
    """The schedule YAML for a programme.

    Args:
        programme: what an importer read.
        options: main room, sites, time zone and title overrides.
        now: when the import runs (for the header comment).

    Raises:
        SourceError: every problem that prevents a schedule (no time zone, no session,
            an unknown ``--main`` room, sessions overlapping in one room).
    """
    problems: list[SourceProblem] = []
    src = programme.source
    tz_name = options.timezone or programme.timezone
    tz: ZoneInfo | None = None
    if tz_name is None:
        problems.append(
            SourceProblem(src, "the source gives no time zone: add --timezone (e.g. Europe/Paris)")
        )
    else:
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(
                SourceProblem(src, f"unknown time zone {tz_name!r} (use e.g. Europe/Paris)")
            )
    sessions = sorted(programme.sessions, key=lambda s: (s.start, s.end))
    if not sessions:
        problems.append(SourceProblem(src, "no session to import"))
    by_room: dict[str, list[Session]] = {}
    for s in sessions:
        by_room.setdefault(s.room, []).append(s)
    rooms = [r for r in programme.rooms if r in by_room]
    rooms += [r for r in by_room if r not in rooms]
    empty = [r for r in programme.rooms if r not in by_room]
    main = options.main_room
    if main is not None and main not in by_room:
        known = ", ".join(repr(r) for r in rooms) or "none"
        problems.append(
            SourceProblem(src, f"--main {main!r}: no such room with sessions ({known})")
        )
        main = None
    if main is None and rooms:
        main = _busiest(rooms, by_room)
    for room_sessions in by_room.values():
        for before, cur in zip(room_sessions, room_sessions[1:], strict=False):
            if cur.start < before.end:
                problems.append(
                    SourceProblem(
                        cur.where,
                        f"{cur.title!r} overlaps {before.title!r} ({before.where}) in room "
                        f"{cur.room!r}",
                    )
                )
    if problems or tz is None or main is None:
        raise SourceError(problems)
    rooms.remove(main)
    rooms.insert(0, main)

    event_date = min(s.start.astimezone(tz).date() for s in sessions)
    ids = _Ids()
    channel_ids: dict[str, str] = {main: ids.new("main")}
    for room in rooms[1:]:
        channel_ids[room] = ids.new(slug(room, fallback="room"))

    site_of: dict[str, SiteSpec] = {}
    site_ids = _Ids()
    mapped = options.sites or {}
    for spec in mapped.values():
        site_ids.taken.add(spec.id)
    for room in rooms:
        if room in mapped:
            site_of[room] = mapped[room]
        else:
            site_of[room] = SiteSpec(
                id=site_ids.new(slug(room, fallback="site")),
                name=room,
                city=options.city or room,
            )

    def when(instant: dt.datetime) -> str:
        local = instant.astimezone(tz)
        fmt = "%H:%M:%S" if local.second else "%H:%M"
        if local.date() == event_date:
            return local.strftime(fmt)
        return local.strftime(f"%Y-%m-%dT{fmt}")

    out: list[str] = []
    w = out.append
    fmt_name = programme.format
    w(f"# Imported by `control-room import` from {src} ({fmt_name})")
    w(f"# on {now.astimezone(dt.UTC).strftime('%Y-%m-%d %H:%M')} UTC.")
    w("# Edit it freely, then check it with `control-room validate FILE`.")
    w(f"# Times are local to {tz_name}; one channel per room, the busiest (or --main) is main.")
    if len(programme.days) > 1:
        days = ", ".join(d.isoformat() for d in programme.days)
        w(f"# {len(programme.days)} days ({days}): times not on event.date carry their date.")
    for room in empty:
        w(f"# Room {_q(room)} has no session: no channel for it.")
    warnings = list(programme.warnings)
    offsets = timezone_warning(programme, tz.key)
    if offsets is not None:
        warnings.append(offsets)
    for warning in warnings:
        w(f"# Warning: {_one_line(warning)}")
    w("")
    w("event:")
    w(f"  title: {_q(options.title or programme.title)}")
    if programme.subtitle:
        w(f"  subtitle: {_q(_one_line(programme.subtitle))}")
    w(f"  date: {event_date.isoformat()}")
    w(f"  timezone: {tz_name}")
    if programme.url:
        w(f"  url: {_q(programme.url)}")
    w("")
    w("sites:")
    written: set[str] = set()
    for room in rooms:
        spec = site_of[room]
        if spec.id in written:
            continue
        written.add(spec.id)
        used = [r for r in rooms if site_of[r].id == spec.id]
        w(f"  - id: {spec.id}  # room{'s' if len(used) > 1 else ''} {', '.join(map(_q, used))}")
        w(f"    name: {_q(spec.name)}")
        if room not in mapped and options.city is None:
            w(f"    city: {_q(spec.city)}  # the room's name: write the real city")
        else:
            w(f"    city: {_q(spec.city)}")
        if spec.venue:
            w(f"    venue: {_q(spec.venue)}")
        if spec.scene:
            w(f"    scene: {_q(spec.scene)}")
    w("")
    w("channels:")
    for room in rooms:
        w(f"  - id: {channel_ids[room]}")
        w(f"    title: {_q(room)}")
        w("    segments:")
        prev: Session | None = None
        for s in by_room[room]:
            if len(programme.days) > 1 and (prev is None or prev.day != s.day):
                w(f"      # {s.day.isoformat()}")
            ident = ids.new(slug(s.title))
            what = f"session {s.source_id}" if s.source_id else "row"
            w(f"      - id: {ident}  # {what} ({s.where})")
            w(f"        title: {_q(_one_line(s.title))}")
            if s.subtitle:
                w(f"        subtitle: {_q(_one_line(s.subtitle))}")
            w(f"        kind: {s.kind.value}")
            w(f'        start: "{when(s.start)}"')
            w(f'        end: "{when(s.end)}"')
            hard = s.hard if s.hard is not None else (prev is None or s.start > prev.end)
            if hard:
                w("        hard: true")
            if s.kind is not Kind.BREAK:  # a break is on air from no site
                w(f"        site: {site_of[room].id}")
            notes = [
                part
                for part in (
                    s.notes,
                    f"track: {s.track}" if s.track else None,
                    f"language: {s.language}" if s.language else None,
                    s.url,
                )
                if part
            ]
            if notes:
                w(f"        notes: {_q(_one_line(' · '.join(notes)))}")
            if s.speakers:
                w("        people:")
                for p in s.speakers:
                    w(f"          - name: {_q(_one_line(p.name))}")
                    w(f"            role: {p.role.value}")
                    if p.function:
                        w(f"            function: {_q(_one_line(p.function))}")
                    if p.organisation:
                        w(f"            organisation: {_q(_one_line(p.organisation))}")
            prev = s
    return "\n".join(out) + "\n"
