"""``control-room export --data-dir D --format schedule.json|csv|xlsx|ical [-o FILE]``: the
day out, with planned and actual times (:mod:`control_room.exporters`, docs/report.md).

The schedule is the one stored in the data directory by ``serve``
(:mod:`control_room.versions`), or ``--schedule FILE``; the actual times run to the show
time now on the data directory's clock, or to ``--at``. :func:`add_archive_arguments` and
:func:`archive_or_report` are shared with ``control-room report``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from control_room.archive import Archive, open_archive
from control_room.cli.common import AT_HELP, at_instant, print_problems
from control_room.clock import ClockError
from control_room.core.schedule import ScheduleError
from control_room.exporters import FORMATS
from control_room.journal import JournalError
from control_room.schedule_file import load_schedule
from control_room.versions import current_schedule

__all__ = ["add_archive_arguments", "add_commands", "archive_or_report", "export_main"]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export`` to the ``control-room`` subcommands."""
    p = sub.add_parser(
        "export", help="export the day with planned and actual times (schedule.json, csv, ...)"
    )
    add_archive_arguments(p)
    p.add_argument("--format", required=True, choices=sorted(FORMATS), help="the output format")
    p.add_argument("-o", "--output", metavar="FILE", help="write there (default: stdout)")
    p.set_defaults(handler=export_main)


def add_archive_arguments(parser: argparse.ArgumentParser) -> None:
    """``--data-dir``, ``--schedule``, ``--at``: which day, which schedule, up to when."""
    parser.add_argument("--data-dir", required=True, help="the data directory of the show")
    parser.add_argument(
        "--schedule",
        metavar="FILE",
        help="the schedule file to use instead of the one stored in the data directory",
    )
    parser.add_argument(
        "--at",
        help=f"the actual times up to this instant (default: the show time now), an {AT_HELP}",
    )


def archive_or_report(args: argparse.Namespace, err: TextIO, *, name: str) -> Archive | None:
    """The data directory's day, or None once the reason has been printed to ``err``."""
    try:
        until = None
        if args.at is not None:
            if args.schedule is not None:
                schedule = load_schedule(args.schedule)
            else:
                schedule, _ = current_schedule(args.data_dir)
            until = at_instant(args.at, schedule)
        return open_archive(args.data_dir, schedule_file=args.schedule, until=until)
    except ScheduleError as error:
        print_problems(error, args.schedule or args.data_dir, err)
    except (JournalError, ClockError, OSError) as exc:
        print(f"control-room {name}: {exc}", file=err)
    return None


def export_main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``control-room export``. Returns the exit status."""
    archive = archive_or_report(args, err, name="export")
    if archive is None:
        return 1
    exporter, _ = FORMATS[args.format]
    body = exporter(archive)
    if args.output is None or args.output == "-":
        if isinstance(body, bytes):
            if out is sys.stdout:
                sys.stdout.buffer.write(body)
                return 0
            print("control-room export: xlsx is binary; pass -o FILE", file=err)
            return 1
        out.write(body)
        return 0
    path = Path(args.output)
    try:
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8", newline="")
    except OSError as exc:
        print(f"control-room export: cannot write {path}: {exc}", file=err)
        return 1
    print(f"{path}: {args.format}, {len(archive.actuals.channels)} channels", file=err)
    return 0
