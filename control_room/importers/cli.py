"""``control-room import SOURCE -o schedule.yaml``: a programme in, a schedule file out.

:func:`add_import_arguments` declares the options on a parser and :func:`import_main`
runs the import; ``python -m control_room.importers`` runs them on their own.
The written file is checked with the schedule parser before it is kept: the command
never leaves a file that ``control-room validate`` would refuse.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from control_room.core.schedule import ScheduleError
from control_room.core.schedule_yaml import parse_schedule

from .programme import SourceError, SourceProblem
from .sites import parse_sites
from .source import Format, read_source
from .writer import Options, render, select_day, timezone_warning

__all__ = ["add_import_arguments", "import_main"]


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the ``import`` command's arguments on ``parser``."""
    parser.add_argument(
        "source", metavar="SOURCE", help="schedule.json, Frab schedule.xml, .csv or .xlsx"
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="the schedule YAML to write (- for stdout)",
    )
    parser.add_argument(
        "--format",
        choices=[f.value for f in Format],
        help="read SOURCE as this format, whatever its name and content suggest",
    )
    parser.add_argument(
        "--main",
        metavar="ROOM",
        help="the room that becomes the main channel (default: the busiest)",
    )
    parser.add_argument(
        "--sites", metavar="FILE", help="a TOML file mapping rooms to sites (see docs/import.md)"
    )
    day = parser.add_mutually_exclusive_group()
    day.add_argument("--day", type=int, metavar="N", help="import only the N-th day (from 1)")
    day.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="import only this day")
    parser.add_argument(
        "--timezone",
        metavar="ZONE",
        help="IANA zone of the schedule (required for CSV/XLSX; overrides the source's)",
    )
    parser.add_argument(
        "--title", help="the event's title (default: the source's, or the file name)"
    )
    parser.add_argument(
        "--city", help="the city of rooms the sites file does not name (default: the room's name)"
    )
    parser.add_argument("--sheet", help="XLSX: the sheet to read (default: the first)")
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists")


def _refuse(problems: list[SourceProblem] | list[str], what: str, err: TextIO) -> int:
    for problem in problems:
        print(problem, file=err)
    n = len(problems)
    print(f"{what}: refused, {n} problem{'s' if n != 1 else ''}", file=err)
    return 1


def import_main(
    args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run ``control-room import`` with parsed ``args``; 0 on success, 1 on any problem.

    Args:
        args: from a parser that :func:`add_import_arguments` set up.
        out: where the summary goes (default: standard output).
        err: where problems and warnings go (default: standard error).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    output = str(args.output)
    if output != "-" and Path(output).exists() and not args.force:
        print(f"{output}: exists; give --force to overwrite it", file=err)
        return 1
    try:
        sites = None
        if args.sites:
            try:
                text = Path(args.sites).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise SourceError([SourceProblem(args.sites, f"cannot read: {exc}")]) from None
            sites = parse_sites(text, source=args.sites)
        programme = read_source(
            Path(args.source),
            format=Format(args.format) if args.format else None,
            timezone=args.timezone,
            title=args.title,
            sheet=args.sheet,
        )
        all_days = programme.days
        programme = select_day(programme, day=args.day, date=args.date)
        options = Options(
            main_room=args.main,
            sites=sites,
            timezone=args.timezone,
            city=args.city,
            title=args.title,
        )
        if sites:
            rooms = set(programme.rooms)
            for room in sorted(set(sites) - rooms):
                print(f"{args.sites}: room {room!r} is not in the programme", file=err)
        yaml = render(programme, options, now=dt.datetime.now(dt.UTC))
    except SourceError as exc:
        return _refuse(exc.problems, str(args.source), err)
    try:
        schedule = parse_schedule(yaml, source=output)
    except ScheduleError as exc:
        print(f"{args.source}: the imported schedule does not validate:", file=err)
        return _refuse([str(p) for p in exc.problems], str(args.source), err)
    offsets = timezone_warning(programme, schedule.event.timezone.key)
    for warning in [*programme.warnings, *([offsets] if offsets else [])]:
        print(f"warning: {warning}", file=err)
    if output == "-":
        out.write(yaml)
    else:
        Path(output).write_text(yaml, encoding="utf-8")
    nseg = sum(len(ch.segments) for ch in schedule.channels)
    days = ", ".join(d.isoformat() for d in programme.days)
    plural = "s" if len(schedule.sites) != 1 else ""
    print(
        f"{output}: imported {nseg} sessions from {args.source} ({programme.format}): "
        f"{len(schedule.channels)} channels, {len(schedule.sites)} site{plural}, "
        f"{len(programme.days)} day{'s' if len(programme.days) != 1 else ''} ({days})",
        file=err if output == "-" else out,
    )
    if len(all_days) > 1 and len(programme.days) == 1:
        listing = ", ".join(f"{i} = {d.isoformat()}" for i, d in enumerate(all_days, 1))
        print(f"(one day of {len(all_days)}: {listing})", file=err if output == "-" else out)
    return 0
