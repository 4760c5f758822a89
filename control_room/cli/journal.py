"""``control-room journal``: the audit log of the day, as a table or as CSV.

control-room journal [--data-dir DIR] [--csv] [--tz ZONE]

It opens the data directory's journal read-only (a running server keeps writing it)
and merges its three records, by wall time: operator commands, switcher attempts (and
the sites' feeds lost and back, kind ``feed``) and the moderators' acknowledgements.
:mod:`control_room.journal` only stores them.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from control_room.cli.common import describe_clock
from control_room.feed_health import FEED_TARGET
from control_room.journal import Journal, JournalError

__all__ = ["HEADER", "AuditRow", "add_commands", "audit_rows", "journal_main", "print_table"]

HEADER = ("wall", "show", "kind", "ref", "who", "channel", "what", "detail")
"""The columns of the CSV printout."""


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``journal`` to the ``control-room`` subcommands."""
    p = sub.add_parser("journal", help="print the audit log of the day")
    p.add_argument("--data-dir", default="data", help="the server's data directory")
    p.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    p.add_argument(
        "--tz",
        help="time zone for wall times (default: the event's, as stored by the server)",
    )
    p.set_defaults(handler=journal_main)


@dataclass(frozen=True)
class AuditRow:
    """One line of the audit printout: a command, a switcher attempt or an acknowledgement."""

    wall: datetime
    show: datetime | None
    kind: str
    ref: str
    who: str
    channel: str
    what: str
    detail: str

    def fields(self, tz: tzinfo | None = None) -> tuple[str, ...]:
        """The row as CSV fields (see :data:`HEADER`), instants in ``tz`` (None: as stored)."""
        wall = self.wall.astimezone(tz) if tz is not None else self.wall
        show = ""
        if self.show is not None:
            show = (self.show.astimezone(tz) if tz is not None else self.show).isoformat()
        return (
            wall.isoformat(timespec="milliseconds"),
            show,
            self.kind,
            self.ref,
            self.who,
            self.channel,
            self.what,
            self.detail,
        )


def audit_rows(journal: Journal) -> list[AuditRow]:
    """The audit log of the day: commands, switcher attempts and acks, by wall time."""
    rows: list[AuditRow] = []
    for record in journal.records():
        command = dict(record.command)
        kind = str(command.pop("type", "?"))
        channel = command.pop("channel", None)
        rows.append(
            AuditRow(
                record.wall,
                record.show,
                "command",
                f"#{record.seq}",
                record.who,
                "" if channel is None else str(channel),
                kind,
                json.dumps(command, ensure_ascii=False, sort_keys=True) if command else "",
            )
        )
    for switch in journal.switches():
        if switch.target == FEED_TARGET:  # a site's feed lost or back: not a switcher attempt
            rows.append(
                AuditRow(
                    switch.asked_at,
                    switch.show_at,
                    "feed",
                    f"s{switch.id}",
                    "switcher",
                    switch.channel,
                    f"feed {switch.scene}",
                    f"{switch.result} — {switch.comment}" if switch.comment else switch.result,
                )
            )
            continue
        detail = f"{switch.result}"
        if switch.code is not None:
            detail += f" code={switch.code}"
        if switch.duration_ms is not None:
            detail += f" {switch.duration_ms:.0f} ms"
        if switch.comment:
            detail += f" — {switch.comment}"
        rows.append(
            AuditRow(
                switch.asked_at,
                switch.show_at,
                "switch",
                f"s{switch.id}",
                "switcher",
                switch.channel,
                f"{switch.target} {switch.scene}",
                detail,
            )
        )
    for ack in journal.acks():
        rows.append(
            AuditRow(
                ack.wall,
                ack.show,
                "ack",
                f"a{ack.id}",
                ack.name,
                ack.channel,
                f"message #{ack.message_id}",
                "",
            )  # fmt: skip
        )
    rows.sort(key=lambda row: (row.wall, row.kind, row.ref))
    return rows


def journal_main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``control-room journal``: 0, 1 (no readable journal) or 2 (unknown ``--tz``)."""
    try:
        journal = Journal.open(args.data_dir, readonly=True)
    except JournalError as exc:
        print(f"control-room journal: {exc}", file=err)
        return 1
    with journal:
        tz = _zone(args.tz, journal)
        if tz is None:
            print(f"control-room journal: unknown time zone {args.tz!r}", file=err)
            return 2
        try:
            rows = audit_rows(journal)
        except JournalError as exc:  # a damaged row: named, never a traceback
            print(f"control-room journal: {exc}", file=err)
            return 1
        event = journal.get_meta("event") or {}
        clock = journal.get_meta("clock")
    if args.csv:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(row.fields(tz))
        return 0
    title = event.get("title", "?")
    print(f"Journal of «{title}» {event.get('date', '')} — {args.data_dir}", file=out)
    if clock is not None:
        print(f"clock: {describe_clock(clock)}; wall times in {tz}", file=out)
    print(file=out)
    print_table(rows, tz, out)
    kinds = ("command", "switch", "feed", "ack")
    counts = {kind: sum(1 for r in rows if r.kind == kind) for kind in kinds}
    print(
        f"\n{counts['command']} commands, {counts['switch']} switcher attempts, "
        + (f"{counts['feed']} feed losses and returns, " if counts["feed"] else "")
        + f"{counts['ack']} acknowledgements",
        file=out,
    )
    return 0


def _zone(name: str | None, journal: Journal) -> tzinfo | None:
    """``--tz``, or the event's zone as the server stored it; None for an unknown name."""
    if name is None:
        name = (journal.get_meta("event") or {}).get("timezone") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def print_table(rows: Sequence[AuditRow], tz: tzinfo, out: TextIO) -> None:
    """Print ``rows`` as aligned columns, wall and show times of day in ``tz``."""
    header = ("wall", "show", "kind", "ref", "who", "channel", "what / detail")
    lines = []
    for row in rows:
        wall = row.wall.astimezone(tz).strftime("%H:%M:%S.%f")[:-3]
        show = "" if row.show is None else row.show.astimezone(tz).strftime("%H:%M:%S")
        what = row.what + (f"  {row.detail}" if row.detail else "")
        lines.append((wall, show, row.kind, row.ref, row.who, row.channel, what))
    widths = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(header[:-1])]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
    print(fmt.format(*header), file=out)
    for line in lines:
        print(fmt.format(*line), file=out)
