"""The ``control-room`` command line.

control-room validate FILE
control-room state FILE --at ISO-8601 [--json]
control-room rundown FILE
control-room serve FILE [...]          (control_room.serve)
control-room journal --data-dir DIR    (control_room.serve)
control-room switcher check FILE [...] (control_room.switcher)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from control_room.core.document import state_document
from control_room.core.schedule import Person, Schedule, ScheduleError
from control_room.core.timeline import ChannelState, state
from control_room.schedule_file import load_schedule

__all__ = ["main"]


def _load(path: str, err: TextIO) -> Schedule | None:
    try:
        return load_schedule(path)
    except ScheduleError as exc:
        for problem in exc.problems:
            print(problem, file=err)
        n = len(exc.problems)
        print(f"{path}: refused, {n} problem{'s' if n != 1 else ''}", file=err)
        return None


def _instant(value: str, schedule: Schedule) -> dt.datetime:
    """An ISO-8601 instant; without an offset, in the event's time zone; a bare time of
    day is on the event's date."""
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            tod = dt.time.fromisoformat(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"--at: not an ISO-8601 instant or time of day: {value!r}"
            ) from None
        t = dt.datetime.combine(schedule.event.date, tod)
    if t.tzinfo is None:
        t = t.replace(tzinfo=schedule.event.timezone)
    return t.astimezone(dt.UTC)


def _hm(instant: dt.datetime | None, schedule: Schedule) -> str:
    if instant is None:
        return "--:--"
    local = schedule.local(instant)
    return local.strftime("%H:%M:%S") if local.second else local.strftime("%H:%M")


def _cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    schedule = _load(args.file, err)
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


def _cmd_state(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    schedule = _load(args.file, err)
    if schedule is None:
        return 1
    try:
        t = _instant(args.at, schedule)
    except argparse.ArgumentTypeError as exc:
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
    import textwrap

    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent) or [indent]


def _who(person: Person) -> str:
    """``Name — function, organisation``: what a lower third will say."""
    title = ", ".join(x for x in (person.function, person.organisation) if x)
    return f"{person.name} — {title}" if title else person.name


def _cmd_rundown(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    schedule = _load(args.file, err)
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


Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="control-room",
        description="Live-event broadcast control room: follows the day's timeline and "
        "tells the régie, the overlay and the moderators what is on air, to the second.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a schedule file; list every problem")
    p.add_argument("file", help="schedule YAML file")
    p.set_defaults(handler=_cmd_validate)

    p = sub.add_parser("state", help="what is on air at an instant (no server)")
    p.add_argument("file", help="schedule YAML file")
    p.add_argument(
        "--at",
        required=True,
        help="ISO-8601 instant (e.g. 2026-07-07T11:50:00+02:00; without an offset, the "
        "event's time zone; a bare HH:MM is on the event's date)",
    )
    p.add_argument("--json", action="store_true", help="print the state document as JSON")
    p.set_defaults(handler=_cmd_state)

    p = sub.add_parser("rundown", help="the day's run sheet per channel")
    p.add_argument("file", help="schedule YAML file")
    p.set_defaults(handler=_cmd_rundown)

    _optional_subcommands(sub)
    return parser


def _optional_subcommands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Subcommands living in the edge modules (server, switcher)."""
    try:
        from . import serve
    except ImportError:  # pragma: no cover - while the server module is being written
        serve = None  # type: ignore[assignment]
    if serve is not None:
        p = sub.add_parser("serve", help="serve the show: screens, websocket, operator API")
        serve.add_serve_arguments(p)
        p.set_defaults(handler=lambda a, o, e: serve.serve_main(a))
        p = sub.add_parser("journal", help="print the audit log of the day")
        serve.add_journal_arguments(p)
        p.set_defaults(handler=lambda a, o, e: serve.journal_main(a))
    try:
        from . import switcher
    except ImportError:  # pragma: no cover
        switcher = None  # type: ignore[assignment]
    if switcher is not None and hasattr(switcher, "add_switcher_arguments"):
        p = sub.add_parser("switcher", help="video switcher (OBS) tools")
        switcher.add_switcher_arguments(p)
        p.set_defaults(handler=lambda a, o, e: switcher.switcher_main(a))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, sys.stdout, sys.stderr)
    except BrokenPipeError:  # pragma: no cover - `control-room rundown | head`
        return 0
    except KeyboardInterrupt:  # pragma: no cover
        return 130
