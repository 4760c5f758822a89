"""``python -m control_room.importers SOURCE -o OUT [options]``."""

from __future__ import annotations

import argparse
import sys

from .cli import add_import_arguments, import_main


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="control-room import",
        description="Import a programme (schedule.json, Frab XML, CSV, XLSX) as schedule YAML.",
    )
    add_import_arguments(parser)
    return import_main(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
