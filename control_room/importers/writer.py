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


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the YAML is written from: the checked zone, the rooms in order, their ids.

    ``ids`` is the one namespace of channel and segment ids (a segment never takes a
    channel's id); it is filled as the channels are written.
    """

    tz: ZoneInfo
    tz_name: str
    rooms: list[str]  # rooms with sessions, the main room first
    empty: list[str]  # rooms of the programme without a session
    by_room: dict[str, list[Session]]  # sorted by (start, end)
    event_date: dt.date
    ids: _Ids
    channel_ids: dict[str, str]
    site_of: dict[str, SiteSpec]
    mapped: Mapping[str, SiteSpec]  # the sites file's rooms


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
    plan = _plan(programme, options)
    out: list[str] = []
    out += _header_lines(programme, plan, now=now)
    out += _event_lines(programme, plan, title=options.title)
    out += _site_lines(plan, city=options.city)
    out += _channel_lines(programme, plan)
    return "\n".join(out) + "\n"


def _plan(programme: Programme, options: Options) -> _Plan:
    """Check the programme against the options and settle the rooms, channels and sites.

    Raises:
        SourceError: every problem found, in the order the checks run (time zone, no
            session, ``--main``, overlaps).
    """
    problems: list[SourceProblem] = []
    src = programme.source
    tz_name = options.timezone or programme.timezone
    tz = _zone(tz_name, src, problems)
    sessions = sorted(programme.sessions, key=lambda s: (s.start, s.end))
    if not sessions:
        problems.append(SourceProblem(src, "no session to import"))
    by_room: dict[str, list[Session]] = {}
    for s in sessions:
        by_room.setdefault(s.room, []).append(s)
    rooms = [r for r in programme.rooms if r in by_room]
    rooms += [r for r in by_room if r not in rooms]
    main = _main_room(options.main_room, rooms, by_room, src, problems)
    problems += _overlaps(by_room)
    if problems or tz is None or tz_name is None or main is None:
        raise SourceError(problems)
    rooms.remove(main)
    rooms.insert(0, main)
    ids = _Ids()
    channel_ids: dict[str, str] = {main: ids.new("main")}
    for room in rooms[1:]:
        channel_ids[room] = ids.new(slug(room, fallback="room"))
    return _Plan(
        tz=tz,
        tz_name=tz_name,
        rooms=rooms,
        empty=[r for r in programme.rooms if r not in by_room],
        by_room=by_room,
        event_date=min(s.start.astimezone(tz).date() for s in sessions),
        ids=ids,
        channel_ids=channel_ids,
        site_of=_sites_of(rooms, options),
        mapped=options.sites or {},
    )


def _zone(tz_name: str | None, src: str, problems: list[SourceProblem]) -> ZoneInfo | None:
    """The schedule's zone, or None with a problem (none given, or an unknown name)."""
    if tz_name is None:
        problems.append(
            SourceProblem(src, "the source gives no time zone: add --timezone (e.g. Europe/Paris)")
        )
        return None
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            SourceProblem(src, f"unknown time zone {tz_name!r} (use e.g. Europe/Paris)")
        )
        return None


def _main_room(
    asked: str | None,
    rooms: Sequence[str],
    by_room: Mapping[str, list[Session]],
    src: str,
    problems: list[SourceProblem],
) -> str | None:
    """The room ``--main`` names (a problem if it has no session), else the busiest."""
    main = asked
    if main is not None and main not in by_room:
        known = ", ".join(repr(r) for r in rooms) or "none"
        problems.append(
            SourceProblem(src, f"--main {main!r}: no such room with sessions ({known})")
        )
        main = None
    if main is None and rooms:
        main = _busiest(rooms, by_room)
    return main


def _overlaps(by_room: Mapping[str, list[Session]]) -> list[SourceProblem]:
    """A problem for each session that starts before the one before it in its room ends."""
    problems: list[SourceProblem] = []
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
    return problems


def _sites_of(rooms: Sequence[str], options: Options) -> dict[str, SiteSpec]:
    """Each room's site: the sites file's, or one of its own (ids unique, not the file's)."""
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
    return site_of


def _header_lines(programme: Programme, plan: _Plan, *, now: dt.datetime) -> list[str]:
    """The header comment: where the schedule came from, when, and what to check."""
    tz_name = plan.tz_name
    w: list[str] = []
    w.append(f"# Imported by `control-room import` from {programme.source} ({programme.format})")
    w.append(f"# on {now.astimezone(dt.UTC).strftime('%Y-%m-%d %H:%M')} UTC.")
    w.append("# Edit it freely, then check it with `control-room validate FILE`.")
    w.append(
        f"# Times are local to {tz_name}; one channel per room, the busiest (or --main) is main."
    )
    if len(programme.days) > 1:
        days = ", ".join(d.isoformat() for d in programme.days)
        w.append(
            f"# {len(programme.days)} days ({days}): times not on event.date carry their date."
        )
    for room in plan.empty:
        w.append(f"# Room {_q(room)} has no session: no channel for it.")
    warnings = list(programme.warnings)
    offsets = timezone_warning(programme, plan.tz.key)
    if offsets is not None:
        warnings.append(offsets)
    for warning in warnings:
        w.append(f"# Warning: {_one_line(warning)}")
    w.append("")
    return w


def _event_lines(programme: Programme, plan: _Plan, *, title: str | None) -> list[str]:
    """The ``event:`` section (``title`` overrides the programme's)."""
    w = ["event:", f"  title: {_q(title or programme.title)}"]
    if programme.subtitle:
        w.append(f"  subtitle: {_q(_one_line(programme.subtitle))}")
    w.append(f"  date: {plan.event_date.isoformat()}")
    w.append(f"  timezone: {plan.tz_name}")
    if programme.url:
        w.append(f"  url: {_q(programme.url)}")
    w.append("")
    return w


def _site_lines(plan: _Plan, *, city: str | None) -> list[str]:
    """The ``sites:`` section: each site once, in room order, commented with its rooms.

    A site made from a room, with no ``--city``, has the room's name as its city: the
    comment asks for the real one.
    """
    w = ["sites:"]
    written: set[str] = set()
    for room in plan.rooms:
        spec = plan.site_of[room]
        if spec.id in written:
            continue
        written.add(spec.id)
        used = [r for r in plan.rooms if plan.site_of[r].id == spec.id]
        w.append(
            f"  - id: {spec.id}  # room{'s' if len(used) > 1 else ''} {', '.join(map(_q, used))}"
        )
        w.append(f"    name: {_q(spec.name)}")
        if room not in plan.mapped and city is None:
            w.append(f"    city: {_q(spec.city)}  # the room's name: write the real city")
        else:
            w.append(f"    city: {_q(spec.city)}")
        if spec.venue:
            w.append(f"    venue: {_q(spec.venue)}")
        if spec.scene:
            w.append(f"    scene: {_q(spec.scene)}")
    w.append("")
    return w


def _channel_lines(programme: Programme, plan: _Plan) -> list[str]:
    """The ``channels:`` section: one channel per room, its sessions as segments.

    On a programme of several days, each day's first segment is preceded by a comment
    naming the day.
    """
    w = ["channels:"]
    several_days = len(programme.days) > 1
    for room in plan.rooms:
        w.append(f"  - id: {plan.channel_ids[room]}")
        w.append(f"    title: {_q(room)}")
        w.append("    segments:")
        prev: Session | None = None
        for s in plan.by_room[room]:
            if several_days and (prev is None or prev.day != s.day):
                w.append(f"      # {s.day.isoformat()}")
            w += _segment_lines(s, prev, plan, site=plan.site_of[room].id)
            prev = s
    return w


def _segment_lines(s: Session, prev: Session | None, plan: _Plan, *, site: str) -> list[str]:
    """One segment: its id (new in ``plan.ids``), times, flags, notes and people.

    Without a ``hard`` of its own, a segment is hard when it starts its room's day or
    follows a gap; a break is on air from no site.
    """
    ident = plan.ids.new(slug(s.title))
    what = f"session {s.source_id}" if s.source_id else "row"
    w = [f"      - id: {ident}  # {what} ({s.where})"]
    w.append(f"        title: {_q(_one_line(s.title))}")
    if s.subtitle:
        w.append(f"        subtitle: {_q(_one_line(s.subtitle))}")
    w.append(f"        kind: {s.kind.value}")
    w.append(f'        start: "{_when(s.start, plan)}"')
    w.append(f'        end: "{_when(s.end, plan)}"')
    hard = s.hard if s.hard is not None else (prev is None or s.start > prev.end)
    if hard:
        w.append("        hard: true")
    if s.kind is not Kind.BREAK:
        w.append(f"        site: {site}")
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
        w.append(f"        notes: {_q(_one_line(' · '.join(notes)))}")
    w += _people_lines(s)
    return w


def _people_lines(s: Session) -> list[str]:
    """A segment's ``people:``, nothing when it has no speaker."""
    if not s.speakers:
        return []
    w = ["        people:"]
    for p in s.speakers:
        w.append(f"          - name: {_q(_one_line(p.name))}")
        w.append(f"            role: {p.role.value}")
        if p.function:
            w.append(f"            function: {_q(_one_line(p.function))}")
        if p.organisation:
            w.append(f"            organisation: {_q(_one_line(p.organisation))}")
    return w


def _when(instant: dt.datetime, plan: _Plan) -> str:
    """A local time, ``HH:MM`` (seconds only if any); dated when not on ``event.date``."""
    local = instant.astimezone(plan.tz)
    fmt = "%H:%M:%S" if local.second else "%H:%M"
    if local.date() == plan.event_date:
        return local.strftime(fmt)
    return local.strftime(f"%Y-%m-%dT{fmt}")
