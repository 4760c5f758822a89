"""``control-room report --data-dir D [--html FILE]``: the after-show report
(:mod:`control_room.report`): a text summary on stdout, and with ``--html`` a
self-contained page (inline CSS and SVG) to print or send."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from control_room.cli.export import add_archive_arguments, archive_or_report
from control_room.report import build_report
from control_room.report_render import report_html, report_text

__all__ = ["add_commands", "report_main"]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report`` to the ``control-room`` subcommands."""
    p = sub.add_parser("report", help="the after-show report: planned against actual, the régie")
    add_archive_arguments(p)
    p.add_argument("--html", metavar="FILE", help="also write the report as one HTML page")
    p.set_defaults(handler=report_main)


def report_main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``control-room report``. Returns the exit status."""
    archive = archive_or_report(args, err, name="report")
    if archive is None:
        return 1
    report = build_report(archive)
    out.write(report_text(report))
    if args.html:
        path = Path(args.html)
        try:
            path.write_text(report_html(report), encoding="utf-8")
        except OSError as exc:
            print(f"control-room report: cannot write {path}: {exc}", file=err)
            return 1
        print(f"{path}: HTML report written", file=err)
    return 0
