"""``control-room import SOURCE -o schedule.yaml``: a programme (schedule.json, Frab XML,
CSV, XLSX) in, a schedule file out. The importers are :mod:`control_room.importers`;
this module only adds the subcommand (docs/import.md)."""

from __future__ import annotations

import argparse
from typing import TextIO

from control_room.importers.cli import add_import_arguments, import_main

__all__ = ["add_commands"]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import`` to the ``control-room`` subcommands."""
    p = sub.add_parser(
        "import",
        help="import a programme (schedule.json, Frab XML, CSV, XLSX) as a schedule file",
    )
    add_import_arguments(p)
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return import_main(args, out=out, err=err)
