"""The ``control-room`` command line: one module per family of subcommands.

control-room validate FILE                 (:mod:`.offline`)
control-room state FILE --at INSTANT       (:mod:`.offline`)
control-room rundown FILE                  (:mod:`.offline`)
control-room serve FILE [...]              (:mod:`.serve`)
control-room journal --data-dir DIR        (:mod:`.journal`)
control-room restore --from M --data-dir DIR   (:mod:`.restore`)
control-room switcher check FILE [...]     (:mod:`.switcher`)
control-room import SOURCE -o FILE         (:mod:`.importing`)
control-room export --data-dir DIR --format F   (:mod:`.export`)
control-room report --data-dir DIR [--html F]   (:mod:`.report`)
control-room token create|list|revoke --data-dir DIR   (:mod:`.token`)

Each module adds its subcommands with ``add_commands`` and gives each a handler
``(args, out, err) -> exit status``; what they share (reading the schedule, ``--at``,
printing a refused schedule) is :mod:`.common`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from control_room.cli import (
    export,
    importing,
    journal,
    offline,
    report,
    restore,
    serve,
    switcher,
    token,
)

__all__ = ["Handler", "build_parser", "main"]

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]
"""A subcommand: its parsed arguments, standard output and error in; the exit status out."""


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``control-room`` and every subcommand."""
    parser = argparse.ArgumentParser(
        prog="control-room",
        description="Live-event broadcast control room: follows the day's timeline and "
        "tells the régie, the overlay and the moderators what is on air, to the second.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    families = (offline, serve, journal, restore, switcher, importing, export, report, token)
    for family in families:
        family.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``control-room``; returns the exit status.

    Args:
        argv: the arguments after the program name (default: ``sys.argv[1:]``).
    """
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, sys.stdout, sys.stderr)
    except BrokenPipeError:  # pragma: no cover - `control-room rundown | head`
        return 0
    except KeyboardInterrupt:  # pragma: no cover
        return 130
