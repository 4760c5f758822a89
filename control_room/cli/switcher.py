"""``control-room switcher check``: does every configured OBS have the scenes the day needs?

control-room switcher check FILE --config SWITCHER.toml [--json]

The arguments and the check itself live in :mod:`control_room.switcher`
(``add_switcher_arguments``, ``switcher_main``). This module reads the schedule first,
so that a broken one is refused like everywhere else (:func:`~control_room.cli.common.
print_problems`), with the switcher's exit status for bad input (2).
"""

from __future__ import annotations

import argparse
from typing import TextIO

from control_room.cli.common import load_or_report
from control_room.switcher import add_switcher_arguments, switcher_main

__all__ = ["add_commands", "check_main"]

BAD_INPUT = 2
"""The exit status of ``switcher check`` for a schedule or configuration it refuses."""


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``switcher`` (and its ``check``) to the ``control-room`` subcommands."""
    p = sub.add_parser("switcher", help="video switcher (OBS) tools")
    add_switcher_arguments(p)
    p.set_defaults(handler=check_main)


def check_main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``control-room switcher check``: 0 all scenes present, 1 problems, 2 bad input."""
    if load_or_report(args.schedule, err) is None:
        return BAD_INPUT
    return switcher_main(args, out)
