"""The subcommands that need no server: ``validate``, ``state`` and ``rundown``.

control-room validate FILE
control-room state FILE --at INSTANT [--json]
control-room rundown FILE

Each reads the schedule file (refusing a broken one with every problem, see
:mod:`control_room.cli.common`) and prints to standard output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import textwrap
from typing import TextIO

from control_room.cli.common import AT_HELP, at_instant, load_or_report
from control_room.clock import ClockError
from control_room.core.document import state_document
from control_room.core.schedule import Person, Schedule
from control_room.core.timeline import ChannelState, state

__all__ = ["add_commands", "rundown_main", "state_main", "validate_main"]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``validate``, ``state`` and ``rundown`` to the ``control-room`` subcommands."""
    p = sub.add_parser("validate", help="check a schedule file; list every problem")
    p.add_argument("file", help="schedule YAML file")
    p.set_defaults(handler=validate_main)

    p = sub.add_parser("state", help="what is on air at an instant (no server)")
    p.add_argument("file", help="schedule YAML file")
    p.add_argument("--at", required=True, help=AT_HELP)
    p.add_argument("--json", action="store_true", help="print the state document as JSON")
    p.set_defaults(handler=state_main)

    p = sub.add_parser("rundown", help="the day's run sheet per channel")
    p.add_argument("file", help="schedule YAML file")
    p.set_defaults(handler=rundown_main)


def _hm(instant: dt.datetime | None, schedule: Schedule) -> str:
    if instant is None:
        return "--:--"
    local = schedule.local(instant)
    return local.strftime("%H:%M:%S") if local.second else local.strftime("%H:%M")


def validate_main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``control-room validate``: 0 and a summary, or 1 and every problem."""
    schedule = load_or_report(args.file, err)
    if schedule is None:
        return 1
    nseg = sum(len(ch.segments) for ch in schedule.channels)
    nitems = sum(len(seg.items) for ch in schedule.channels for seg in ch.segments)
    ev = schedule.event
    print(
        f"{args.file}: ok — «{ev.title}», {ev.date.isoformat()} ({ev.timezone.key}), "
        f"{len(schedule.channels)} channels, {nseg} segments, {nitems} items, "
        f"{len(schedule.sites)} sites",
        file=out,
    )
    return 0


def _channel_lines(schedule: Schedule, cs: ChannelState) -> list[str]:
    lines = [f"{cs.channel.id} — {cs.channel.title}"]
    flags = []
    if cs.held:
        flags.append("HOLD")
    if cs.slate is not None:
        flags.append(f"SLATE «{cs.slate.text}»")
    if cs.site_overridden:
        flags.append("SITE OVERRIDE")
    site = schedule.sites[cs.site].city.upper() if cs.site else None
    if cs.now is not None:
        seg = cs.now.segment
        span = f"{_hm(cs.now.starts_at, schedule)}–{_hm(cs.now.ends_at, schedule)}"
        lines.append(f"  now   {span}  {seg.title}")
        if cs.now.item is not None:
            lines.append(f"        {_hm(cs.now.item_starts_at, schedule)}  · {cs.now.item.title}")
        if site:
            lines.append(f"        EN DIRECT DE {site}")
    else:
        lines.append(f"  now   — ({cs.status})")
    if cs.next is not None:
        lines.append(
            f"  next  {_hm(cs.next.starts_at, schedule)}–{_hm(cs.next.ends_at, schedule)}  "
            f"{cs.next.segment.title}"
        )
    delay = round(cs.delay.total_seconds() / 60)
    if delay:
        flags.append(f"{delay:+d} min vs plan")
    if cs.moderators_message:
        flags.append(f"message to moderators «{cs.moderators_message.text}»")
    if cs.viewers_message:
        flags.append(f"message to viewers «{cs.viewers_message.text}»")
    if flags:
        lines.append("  " + " · ".join(flags))
    return lines


def state_main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``control-room state``: what is on air at ``--at``, as text or as JSON."""
    schedule = load_or_report(args.file, err)
    if schedule is None:
        return 1
    try:
        t = at_instant(args.at, schedule)
    except ClockError as exc:
        print(f"control-room state: {exc}", file=err)
        return 2
    show = state(schedule, (), t)
    if args.json:
        json.dump(state_document(schedule, show), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    print(f"{schedule.event.title} — {schedule.local(t).isoformat()}", file=out)
    for cs in show.channels:
        print(file=out)
        for line in _channel_lines(schedule, cs):
            print(line, file=out)
    return 0


def _wrap(text: str, width: int, indent: str) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent) or [indent]


def _who(person: Person) -> str:
    """``Name — function, organisation``: what a lower third will say."""
    title = ", ".join(x for x in (person.function, person.organisation) if x)
    return f"{person.name} — {title}" if title else person.name


def rundown_main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``control-room rundown``: the day's run sheet, channel by channel."""
    schedule = load_or_report(args.file, err)
    if schedule is None:
        return 1
    ev = schedule.event
    print(f"{ev.title}", file=out)
    print(f"{ev.date.isoformat()} · {ev.timezone.key}", file=out)
    for ch in schedule.channels:
        print(file=out)
        print(f"━━ {ch.id} — {ch.title}", file=out)
        for seg in ch.segments:
            site = schedule.sites[seg.site] if seg.site else None
            where = f"  [{site.city}]" if site else ""
            mark = "▮" if seg.hard else " "
            est = " ~" if seg.estimated else ""
            print(
                f"{mark}{_hm(seg.start, schedule)}–{_hm(seg.end, schedule)}{est}  "
                f"{seg.title}{where}  ({seg.kind.value})",
                file=out,
            )
            for p in seg.people:
                print(f"{'':15}{p.role.value:<12} {_who(p)}", file=out)
            for it in seg.items:
                isite = f"  [{schedule.sites[it.site].city}]" if it.site else ""
                iest = " ~" if it.estimated else ""
                print(
                    f"{'':7}{_hm(it.start, schedule)}{iest}  · {it.title}{isite}",
                    file=out,
                )
                for p in it.people:
                    print(f"{'':17}{p.role.value:<12} {_who(p)}", file=out)
            if seg.notes:
                for line in _wrap(f"note: {seg.notes}", 88, " " * 15):
                    print(line, file=out)
    print(file=out)
    print("▮ hard start (fixed to the clock)   ~ estimated time", file=out)
    return 0
