"""The after-show report: what was planned, what aired, what the régie did, in French.

:func:`build_report` turns an :class:`~control_room.archive.Archive` into a
:class:`Report` (plain data: per channel, each segment's and item's planned and actual
times, its overrun; the régie's interventions with when and by whom; the switcher's
attempts and failures; the sites' feeds lost and back; the screens connected over time).
Printing and rendering it are :mod:`control_room.report_render`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from control_room.archive import Archive
from control_room.core.actuals import AiredStatus, SegmentActual
from control_room.core.commands import CommandInvalid, describe, parse_command
from control_room.core.schedule import Schedule
from control_room.feed_health import FEED_TARGET
from control_room.journal import SwitchRecord

__all__ = [
    "FeedLine",
    "Intervention",
    "Report",
    "build_report",
    "duration_fr",
]

NNBSP = "\u202f"  # the thin no-break space of French typography (« », before : ; ! ?)

STATUS_FR: dict[AiredStatus, str] = {
    "aired": "diffusé",
    "on_air": "à l’antenne",
    "skipped": "sauté",
    "planned": "à venir",
}

#: What each command is called in the report.
COMMAND_FR = {
    "take": "Prise d’antenne",
    "back": "Retour arrière",
    "hold": "Maintien",
    "release": "Fin du maintien",
    "extend": "Prolongation",
    "delay": "Retard",
    "slate": "Carton",
    "slate_clear": "Fin du carton",
    "site_override": "Site de secours",
    "site_clear": "Fin du secours",
    "message": "Message",
    "message_clear": "Message effacé",
    "reset": "Retour au plan",
}


def guillemets(text: str) -> str:
    return f"«{NNBSP}{text}{NNBSP}»"


def duration_fr(delta: dt.timedelta | None, *, signed: bool = False) -> str:
    """``1 h 08 min``, ``12 min 30 s``, ``+8 min``, ``−2 min`` (— for none)."""
    if delta is None:
        return "—"
    seconds = round(delta.total_seconds())
    sign = ("+" if seconds > 0 else "−" if seconds < 0 else "±") if signed else ""
    seconds = abs(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        text = f"{h}{NNBSP}h{NNBSP}{m:02d}{NNBSP}min" if m else f"{h}{NNBSP}h"
    elif m:
        text = f"{m}{NNBSP}min" + (f"{NNBSP}{s:02d}{NNBSP}s" if s else "")
    else:
        text = f"{s}{NNBSP}s"
    return sign + ("0" if signed and seconds == 0 else text)


@dataclass(frozen=True)
class Line:
    """One row of a channel's table: a segment or an item."""

    level: str
    id: str
    title: str
    site: str
    planned: str
    planned_duration: str
    actual: str
    actual_duration: str
    late: str
    overrun: str
    overrun_seconds: float
    status: AiredStatus
    status_fr: str
    note: str


@dataclass(frozen=True)
class Bar:
    """One row of the SVG chart (coordinates in the chart's units)."""

    y: float
    label: str
    planned_x: float
    planned_w: float
    actual_x: float | None
    actual_w: float
    over: bool
    on_air: bool


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    label_width: float
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class ChannelReport:
    id: str
    title: str
    lines: tuple[Line, ...]
    chart: Chart
    overruns: tuple[str, ...]
    switches_ok: int
    switches_failed: int


@dataclass(frozen=True)
class Intervention:
    """A command of the journal, as the report tells it."""

    seq: int
    at: str  # show time, local
    who: str
    channel: str
    kind: str  # the French name of the command
    text: str


@dataclass(frozen=True)
class SwitchLine:
    at: str
    channel: str
    scene: str
    result: str
    comment: str
    duration: str


@dataclass(frozen=True)
class FeedLine:
    """A site's feed lost on a channel, and when it came back (``back`` — if never)."""

    lost_wall: str  # wall time of day, the event's zone
    lost_show: str  # show time of day
    back_wall: str
    back_show: str
    channel: str
    site: str  # the site's name
    duration: str
    reaction: str  # in French


REACTION_FR = {"slate": "carton", "fallback": "site de secours", "nothing": "aucune"}
"""What the switcher did on a feed's loss, as the report says it."""


@dataclass(frozen=True)
class PresenceLine:
    at: str
    total: int
    per_channel: tuple[tuple[str, int], ...]
    roles: str


@dataclass(frozen=True)
class Report:
    title: str
    date: str
    until: str
    timezone: str
    version: str
    channels: tuple[ChannelReport, ...]
    interventions: tuple[Intervention, ...]
    switch_failures: tuple[SwitchLine, ...]
    switches_total: int
    presence: tuple[PresenceLine, ...]
    feeds: tuple[FeedLine, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)


def _hms(schedule: Schedule, instant: dt.datetime | None) -> str:
    return "—" if instant is None else schedule.local(instant).strftime("%H:%M:%S")


def _span(schedule: Schedule, start: dt.datetime | None, end: dt.datetime | None) -> str:
    if start is None:
        return "—"
    return f"{_hms(schedule, start)}–{_hms(schedule, end) if end is not None else '…'}"


def _lines(schedule: Schedule, actual: SegmentActual, until: dt.datetime) -> Iterable[Line]:
    seg = actual.segment
    site = schedule.sites.get(seg.site) if seg.site else None
    overrun = actual.overrun
    if actual.status == "on_air" and actual.start is not None:
        overrun = max(until - actual.start - seg.duration, dt.timedelta(0)) or None
    notes = []
    if actual.held:
        notes.append(f"maintenu {duration_fr(actual.held)} au-delà de sa fin")
    if actual.pieces > 1:
        notes.append(f"repris {actual.pieces - 1}{NNBSP}fois")
    yield Line(
        level="segment",
        id=seg.id,
        title=seg.title,
        site=site.name if site is not None else "",
        planned=_span(schedule, seg.start, seg.end),
        planned_duration=duration_fr(seg.duration),
        actual=_span(schedule, actual.start, actual.end),
        actual_duration=duration_fr(actual.duration),
        late=duration_fr(actual.late, signed=True) if actual.late is not None else "—",
        overrun=duration_fr(overrun, signed=True) if overrun is not None else "—",
        overrun_seconds=overrun.total_seconds() if overrun is not None else 0.0,
        status=actual.status,
        status_fr=STATUS_FR[actual.status],
        note="; ".join(notes),
    )
    for it in actual.items:
        item = it.item
        isite = schedule.sites.get(item.site) if item.site else None
        over = None if it.duration is None else it.duration - (item.end - item.start)
        yield Line(
            level="item",
            id=item.id,
            title=item.title,
            site=isite.name if isite is not None else "",
            planned=_span(schedule, item.start, item.end),
            planned_duration=duration_fr(item.end - item.start),
            actual=_span(schedule, it.start, it.end),
            actual_duration=duration_fr(it.duration),
            late="—" if it.start is None else duration_fr(it.start - item.start, signed=True),
            overrun="—" if over is None else duration_fr(over, signed=True),
            overrun_seconds=0.0 if over is None else over.total_seconds(),
            status=it.status,
            status_fr=STATUS_FR[it.status],
            note="",
        )


_CHART_WIDTH = 1000.0
_LABEL_WIDTH = 300.0
_ROW = 26.0


def _chart(schedule: Schedule, segments: tuple[SegmentActual, ...], until: dt.datetime) -> Chart:
    instants = [s.segment.start for s in segments] + [s.segment.end for s in segments]
    instants += [s.start for s in segments if s.start is not None]
    instants += [s.end if s.end is not None else until for s in segments if s.start is not None]
    first = schedule.local(min(instants)).replace(minute=0, second=0, microsecond=0)
    last = max(instants)
    span = max((last - first).total_seconds(), 60.0)
    scale = (_CHART_WIDTH - _LABEL_WIDTH - 10) / span

    def x(instant: dt.datetime) -> float:
        return round(_LABEL_WIDTH + (instant - first).total_seconds() * scale, 1)

    bars = []
    for k, s in enumerate(segments):
        seg = s.segment
        end = s.end if s.end is not None else (until if s.start is not None else None)
        actual_x = x(s.start) if s.start is not None else None
        actual_w = max(x(end) - x(s.start), 1.5) if s.start is not None and end is not None else 0.0
        label = seg.title if len(seg.title) <= 40 else seg.title[:39] + "…"
        bars.append(
            Bar(
                y=30 + k * _ROW,
                label=label,
                planned_x=x(seg.start),
                planned_w=max(x(seg.end) - x(seg.start), 1.5),
                actual_x=actual_x,
                actual_w=actual_w,
                over=(s.overrun or dt.timedelta(0)) >= dt.timedelta(minutes=1),
                on_air=s.status == "on_air",
            )
        )
    ticks = []
    tick = first
    while tick <= last:
        ticks.append((x(tick), schedule.local(tick).strftime("%H:%M")))
        tick += (
            dt.timedelta(hours=1)
            if span > 3 * 3600
            else dt.timedelta(minutes=15 if span > 3600 else 5)
        )
    return Chart(_CHART_WIDTH, 40 + len(segments) * _ROW, _LABEL_WIDTH, tuple(bars), tuple(ticks))


def _intervention(schedule: Schedule, record: Any) -> Intervention:
    command = record.command
    try:
        text = describe(parse_command(command))
    except CommandInvalid:
        text = str(command)
    kind = COMMAND_FR.get(str(command.get("type")), str(command.get("type")))
    return Intervention(
        seq=record.seq,
        at=_hms(schedule, record.show),
        who=record.who,
        channel=str(command.get("channel") or "tous"),
        kind=kind,
        text=text,
    )


def _reaction_fr(comment: str) -> str:
    reaction, _, rest = comment.partition(" ")
    text = REACTION_FR.get(reaction, reaction or "—")
    return text + (" (site suivant)" if rest == "(next)" else f" {rest}" if rest else "")


def _feed_lines(schedule: Schedule, records: list[SwitchRecord]) -> tuple[FeedLine, ...]:
    """Each loss of the journal's feed records with its return (``target = "feed"``)."""
    lines: list[FeedLine] = []
    open_losses: dict[tuple[str, str], tuple[int, SwitchRecord]] = {}

    def wall(instant: dt.datetime) -> str:
        return instant.astimezone(schedule.event.timezone).strftime("%H:%M:%S")

    def line(lost: SwitchRecord, back: SwitchRecord | None) -> FeedLine:
        site = schedule.sites.get(lost.scene)
        return FeedLine(
            lost_wall=wall(lost.asked_at),
            lost_show=_hms(schedule, lost.show_at),
            back_wall=wall(back.asked_at) if back is not None else "—",
            back_show=_hms(schedule, back.show_at) if back is not None else "—",
            channel=lost.channel,
            site=site.name if site is not None else lost.scene,
            duration=duration_fr(back.asked_at - lost.asked_at) if back is not None else "—",
            reaction=_reaction_fr(lost.comment),
        )

    for record in records:
        key = (record.channel, record.scene)
        if record.result == "lost":
            open_losses[key] = (len(lines), record)
            lines.append(line(record, None))
        elif record.result == "healthy" and key in open_losses:
            index, lost = open_losses.pop(key)
            lines[index] = line(lost, record)
    return tuple(lines)


def _switch_summary(
    schedule: Schedule, switches: list[SwitchRecord]
) -> tuple[dict[str, list[bool]], list[SwitchLine]]:
    """Each channel's switch attempts (ok or not), and the failed ones as report lines."""
    by_channel: dict[str, list[bool]] = {}
    failures = []
    for sw in switches:
        ok = sw.result == "ok"
        by_channel.setdefault(sw.channel, []).append(ok)
        if not ok:
            failures.append(
                SwitchLine(
                    at=_hms(schedule, sw.show_at) if sw.show_at else _hms(schedule, sw.asked_at),
                    channel=sw.channel,
                    scene=sw.scene,
                    result=sw.result,
                    comment=sw.comment,
                    duration=f"{sw.duration_ms:.0f}{NNBSP}ms" if sw.duration_ms else "—",
                )
            )
    return by_channel, failures


def _channel_reports(
    archive: Archive, switches_by_channel: dict[str, list[bool]]
) -> tuple[ChannelReport, ...]:
    schedule = archive.schedule
    channels = []
    for ch in archive.actuals.channels:
        lines = tuple(line for seg in ch.segments for line in _lines(schedule, seg, archive.until))
        overruns = tuple(
            f"{guillemets(line.title)} {line.overrun}"
            for line in lines
            if line.level == "segment" and line.overrun_seconds >= 60
        )
        attempts = switches_by_channel.get(ch.channel.id, [])
        channels.append(
            ChannelReport(
                id=ch.channel.id,
                title=ch.channel.title,
                lines=lines,
                chart=_chart(schedule, ch.segments, archive.until),
                overruns=overruns,
                switches_ok=sum(attempts),
                switches_failed=len(attempts) - sum(attempts),
            )
        )
    return tuple(channels)


def _presence_lines(archive: Archive) -> tuple[PresenceLine, ...]:
    presence = []
    for sample in archive.presence:
        per_channel = tuple(
            (cid, sum(roles.values())) for cid, roles in sorted(sample.counts.items())
        )
        roles: dict[str, int] = {}
        for per_role in sample.counts.values():
            for role, n in per_role.items():
                roles[role] = max(roles.get(role, 0), n)
        presence.append(
            PresenceLine(
                at=_hms(archive.schedule, sample.show),
                total=max((n for _, n in per_channel), default=0),
                per_channel=per_channel,
                roles=", ".join(f"{role} {n}" for role, n in sorted(roles.items()) if n),
            )
        )
    return tuple(presence)


def build_report(archive: Archive) -> Report:
    """The report of an archive (plain data, ready to print or render)."""
    schedule = archive.schedule
    ev = schedule.event
    switches = [sw for sw in archive.switches if sw.target != FEED_TARGET]
    feeds = _feed_lines(schedule, [sw for sw in archive.switches if sw.target == FEED_TARGET])
    switches_by_channel, failures = _switch_summary(schedule, switches)
    counts: dict[str, int] = {}
    for r in archive.records:
        kind = str(r.command.get("type"))
        counts[kind] = counts.get(kind, 0) + 1
    return Report(
        title=ev.title,
        date=ev.date.strftime("%d/%m/%Y"),
        until=_hms(schedule, archive.until),
        timezone=ev.timezone.key,
        version=(
            f"version {archive.version.number} ({archive.version.sha[:12]})"
            if archive.version
            else schedule.source
        ),
        channels=_channel_reports(archive, switches_by_channel),
        interventions=tuple(_intervention(schedule, r) for r in archive.records),
        switch_failures=tuple(failures),
        switches_total=len(switches),
        presence=_presence_lines(archive),
        feeds=feeds,
        counts=counts,
    )
