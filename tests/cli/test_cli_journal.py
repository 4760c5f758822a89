"""``control-room journal``: the audit rows of a journal and how they print."""

from __future__ import annotations

import argparse
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from control_room.cli.journal import HEADER, audit_rows, journal_main
from control_room.journal import Journal, SwitchRecord

SHOW = datetime(2026, 7, 7, 11, 45, tzinfo=UTC)
WALL = 1_783_000_000.0


def _journal_with_one_of_each(data_dir: Path) -> None:
    with Journal.open(data_dir) as journal:
        asked = datetime.fromtimestamp(WALL + 1, UTC)
        record = SwitchRecord("main", "Paris", "program", asked, None, "ok", 100, "", 40.0)
        journal.record_switch(record)
        journal.append(
            wall=WALL,
            show=SHOW,
            who="op",
            command={"type": "extend", "channel": "main", "minutes": 5},
        )
        journal.record_ack("main", 1, "Léa", wall=WALL + 2, show=SHOW)


def _run(data_dir: Path, *, csv_: bool = False, tz: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = argparse.Namespace(data_dir=str(data_dir), csv=csv_, tz=tz)
    return journal_main(args, out, err), out.getvalue(), err.getvalue()


def test_audit_rows_merge_commands_switches_and_acks_by_wall_time(tmp_path: Path) -> None:
    _journal_with_one_of_each(tmp_path)
    with Journal.open(tmp_path, readonly=True) as journal:
        rows = audit_rows(journal)
    assert [r.kind for r in rows] == ["command", "switch", "ack"]
    assert rows[0].what == "extend" and rows[0].detail == '{"minutes": 5}'
    assert rows[1].what == "program Paris" and "40 ms" in rows[1].detail
    assert rows[2].who == "Léa"
    assert rows[0].wall == datetime.fromtimestamp(WALL, UTC)


def test_journal_prints_a_table_that_counts_each_kind(tmp_path: Path) -> None:
    _journal_with_one_of_each(tmp_path)
    status, out, _ = _run(tmp_path, tz="Europe/Paris")
    assert status == 0
    assert 'extend  {"minutes": 5}' in out
    assert out.rstrip().endswith("1 commands, 1 switcher attempts, 1 acknowledgements")


def test_journal_prints_csv_with_the_header_even_when_empty(tmp_path: Path) -> None:
    Journal.open(tmp_path).close()
    status, out, _ = _run(tmp_path, csv_=True)
    assert status == 0
    assert list(csv.reader(io.StringIO(out))) == [list(HEADER)]


def test_journal_refuses_an_unknown_time_zone(tmp_path: Path) -> None:
    _journal_with_one_of_each(tmp_path)
    status, _, err = _run(tmp_path, tz="Mars/Olympus")
    assert status == 2 and "unknown time zone 'Mars/Olympus'" in err
