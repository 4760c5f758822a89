"""``control-room restore``: put a journal back from its mirror.

control-room restore --from MIRROR --data-dir DIR

When ``serve`` refuses a journal that lost acknowledged commands (its seal says more were
committed than it holds) and the journal was served with ``--journal-mirror MIRROR``, this
copies the mirror back, after checking it holds every command the seal names. The damaged
files are kept in ``DIR/damaged-…/``. :mod:`control_room.mirror` does the work.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from control_room.journal import JournalError
from control_room.mirror import restore

__all__ = ["add_commands", "restore_main"]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``restore`` to the ``control-room`` subcommands."""
    p = sub.add_parser("restore", help="restore a data directory's journal from its mirror")
    p.add_argument(
        "--from",
        dest="mirror",
        required=True,
        metavar="MIRROR",
        help="the mirror directory (serve --journal-mirror)",
    )
    p.add_argument("--data-dir", default="data", help="the data directory to restore (./data)")
    p.set_defaults(handler=restore_main)


def restore_main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``control-room restore``: 0 (restored) or 1 (refused, nothing changed)."""
    try:
        done = restore(args.data_dir, args.mirror)
    except (JournalError, OSError) as exc:
        print(f"control-room restore: {exc}", file=err)
        return 1
    print(done, file=out)
    return 0
