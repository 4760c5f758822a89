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
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

__all__ = ["FAMILIES", "Handler", "build_parser", "main"]

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]
"""A subcommand: its parsed arguments, standard output and error in; the exit status out."""

FAMILIES: dict[str, tuple[str, ...]] = {
    "offline": ("validate", "state", "rundown"),
    "serve": ("serve",),
    "journal": ("journal",),
    "restore": ("restore",),
    "switcher": ("switcher",),
    "importing": ("import",),
    "export": ("export",),
    "report": ("report",),
    "token": ("token",),
}
"""Each family's module (in help order) and the subcommands it adds."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of ``control-room``: every subcommand, or the family of the one named.

    Args:
        command: when it names a subcommand, only the family that adds it is imported and
            added: ``serve`` starts without importing the importers, exporters and report
            (a fifth of its start). Otherwise (none, an option, a typo) every family is, so
            the help and the error list them all.
    """
    parser = argparse.ArgumentParser(
        prog="control-room",
        description="Live-event broadcast control room: follows the day's timeline and "
        "tells the régie, the overlay and the moderators what is on air, to the second.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = [family for family, names in FAMILIES.items() if command in names]
    for family in chosen or FAMILIES:
        importlib.import_module(f"{__name__}.{family}").add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``control-room``; returns the exit status.

    Args:
        argv: the arguments after the program name (default: ``sys.argv[1:]``).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, sys.stdout, sys.stderr)
    except BrokenPipeError:  # pragma: no cover - `control-room rundown | head`
        return 0
    except KeyboardInterrupt:  # pragma: no cover
        return 130
