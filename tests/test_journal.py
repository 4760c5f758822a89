from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from control_room.journal import (
    JOURNAL_NAME,
    MARKER_NAME,
    Journal,
    JournalError,
    SwitchRecord,
)

SHOW = datetime(2026, 7, 7, 11, 45, tzinfo=UTC)
WALL = 1_783_000_000.0


def switch(
    channel: str,
    scene: str,
    wall: float,
    result: str,
    code: int | None,
    comment: str,
    duration_ms: float | None,
    show_at: datetime | None = None,
) -> SwitchRecord:
    """A program switch attempt, asked at ``wall`` (epoch seconds)."""
    asked_at = datetime.fromtimestamp(wall, UTC)
    return SwitchRecord(
        channel, scene, "program", asked_at, show_at, result, code, comment, duration_ms
    )


def test_a_new_data_dir_gets_an_empty_journal(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "data") as journal:
        assert len(journal) == 0
        assert journal.records() == []
    assert (tmp_path / "data" / MARKER_NAME).is_file()


def test_appended_commands_come_back_in_order_after_reopening(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        first = journal.append(
            wall=WALL, show=SHOW, who="alice", command={"type": "hold", "channel": "main"}
        )
        second = journal.append(
            wall=WALL + 1,
            show=SHOW,
            who="bob",
            command={"type": "message", "channel": "main", "audience": "moderators", "text": "é"},
        )
    assert (first.seq, second.seq) == (1, 2)
    with Journal.open(tmp_path) as journal:
        records = journal.records()
    assert [r.seq for r in records] == [1, 2]
    assert records[0].who == "alice" and records[0].show == SHOW
    assert records[1].command["text"] == "é"
    assert records[1].wall.timestamp() == pytest.approx(WALL + 1)


def test_journal_is_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        assert journal._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_journal_entries_cannot_be_changed_or_deleted(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        journal.append(wall=WALL, show=SHOW, who="x", command={"type": "hold", "channel": "main"})
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            journal._db.execute("UPDATE entries SET who = 'y'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            journal._db.execute("DELETE FROM entries")
        assert len(journal) == 1


def test_a_foreign_non_empty_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(JournalError, match="not a control-room data directory"):
        Journal.open(tmp_path)


def test_a_missing_journal_is_refused_rather_than_started_afresh(tmp_path: Path) -> None:
    Journal.open(tmp_path).close()
    (tmp_path / JOURNAL_NAME).unlink()
    with pytest.raises(JournalError, match="journal is missing"):
        Journal.open(tmp_path)


def test_a_corrupt_journal_is_refused(tmp_path: Path) -> None:
    Journal.open(tmp_path).close()
    (tmp_path / JOURNAL_NAME).write_bytes(b"this is not SQLite at all" * 100)
    with pytest.raises(JournalError, match="corrupt or belongs to another program"):
        Journal.open(tmp_path)


def test_another_programs_sqlite_file_is_refused(tmp_path: Path) -> None:
    Journal.open(tmp_path).close()
    (tmp_path / JOURNAL_NAME).unlink()
    for suffix in ("-wal", "-shm"):
        (tmp_path / (JOURNAL_NAME + suffix)).unlink(missing_ok=True)
    db = sqlite3.connect(tmp_path / JOURNAL_NAME)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="not a control-room journal"):
        Journal.open(tmp_path)


def test_a_journal_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    Journal.open(tmp_path).close()
    db = sqlite3.connect(tmp_path / JOURNAL_NAME)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(JournalError, match="newer control-room"):
        Journal.open(tmp_path)


def test_a_file_in_place_of_the_data_dir_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("x")
    with pytest.raises(JournalError, match="not a directory"):
        Journal.open(tmp_path / "data")


def test_readonly_open_does_not_create_anything(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no control-room journal"):
        Journal.open(tmp_path / "nothing", readonly=True)
    assert not (tmp_path / "nothing").exists()


def test_meta_settings_are_stored(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        journal.set_meta("clock", {"speed": 10})
        journal.set_meta("clock", {"speed": 20})
    with Journal.open(tmp_path) as journal:
        assert journal.get_meta("clock") == {"speed": 20}
        assert journal.get_meta("absent") is None


def test_switch_attempts_and_acks_are_recorded(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        journal.record_switch(switch("parcours-1", "Morlaix", WALL, "ok", 100, "", 43.5, SHOW))
        journal.record_switch(
            switch("parcours-1", "Lile", WALL + 1, "error", 600, "no such scene", 12)
        )
        journal.record_ack("main", 3, "Claire", wall=WALL + 2, show=SHOW)
    with Journal.open(tmp_path) as journal:
        switches = journal.switches(channel="parcours-1")
        acks = journal.acks(channel="main", message_id=3)
    assert [s.result for s in switches] == ["ok", "error"]
    assert switches[0].duration_ms == 43.5 and switches[0].show_at == SHOW
    assert switches[1].code == 600 and switches[1].comment == "no such scene"
    assert switches[0].to_json() == {
        "id": 1,
        "channel": "parcours-1",
        "scene": "Morlaix",
        "target": "program",
        "asked_at": "2026-07-02T13:46:40.000000Z",
        "show_at": "2026-07-07T11:45:00+00:00",
        "result": "ok",
        "code": 100,
        "comment": "",
        "duration_ms": 43.5,
    }
    assert [a.name for a in acks] == ["Claire"]


def _damage(data_dir: Path, sql: str) -> None:
    """Change a stored row behind the journal's back (as a hand edit or a bad disk would)."""
    db = sqlite3.connect(data_dir / JOURNAL_NAME)
    try:
        for table in ("entries", "acks"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_update")
        db.execute(sql)
        db.commit()
    finally:
        db.close()


def _day_with_commands(data_dir: Path, n: int = 3) -> None:
    with Journal.open(data_dir) as journal:
        for i in range(n):
            journal.append(
                wall=WALL + i, show=SHOW, who="alice", command={"type": "hold", "channel": "main"}
            )
        journal.record_ack("main", 1, "Claire", wall=WALL + 10, show=SHOW)


DAMAGED_ENTRIES = [
    ("UPDATE entries SET command = '{\"type\": \"hold\"' WHERE seq = 2",
     "command is not JSON: '{\"type\": \"hold\"'"),
    ("UPDATE entries SET command = '[1, 2]' WHERE seq = 2",
     "command is not a JSON object: '[1, 2]'"),
    ("UPDATE entries SET command = '" + "[" * 100_000 + "' WHERE seq = 2",
     "command is not JSON: '" + "[" * 40 + "'"),
    ("UPDATE entries SET wall = 'yesterday' WHERE seq = 2",
     "wall is not an ISO instant: 'yesterday'"),
    ("UPDATE entries SET show = '2026-07-07T25:00:00+00:00' WHERE seq = 2",
     "show is not an ISO instant: '2026-07-07T25:00:00+00:00'"),
    ("UPDATE entries SET show = '2026-07-07T10:00:00' WHERE seq = 2",
     "show has no UTC offset: '2026-07-07T10:00:00'"),
    ("UPDATE entries SET show = 42 WHERE seq = 2", "show is not an ISO instant: '42'"),
    ("UPDATE entries SET who = CAST(X'616cff' AS TEXT) WHERE seq = 2",
     "who is not UTF-8 text (byte 2)"),
    ("UPDATE entries SET command = CAST(X'7b22ff' AS TEXT) WHERE seq = 2",
     "command is not UTF-8 text (byte 2)"),
]  # fmt: skip


@pytest.mark.parametrize(("sql", "why"), DAMAGED_ENTRIES)
def test_a_damaged_journal_entry_is_named_not_a_traceback(
    tmp_path: Path, sql: str, why: str
) -> None:
    _day_with_commands(tmp_path)
    _damage(tmp_path, sql)
    with Journal.open(tmp_path) as journal, pytest.raises(JournalError) as info:
        journal.records()
    assert str(info.value) == (
        f"{tmp_path / JOURNAL_NAME}: journal entry #2 is damaged ({why}); the journal was "
        "changed outside control-room. Restore it from a backup, or pass a new --data-dir."
    )


def test_a_damaged_entry_is_named_by_every_read_that_reaches_it(tmp_path: Path) -> None:
    _day_with_commands(tmp_path)
    _damage(tmp_path, "UPDATE entries SET command = 'oops' WHERE seq = 3")
    with Journal.open(tmp_path) as journal:
        with pytest.raises(JournalError, match=r"journal entry #3 is damaged \(command is not"):
            journal.records(after=1)
        assert journal.records(after=3) == []
        assert journal.acks()[0].name == "Claire"


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("UPDATE acks SET wall = 'soon'", "wall is not an ISO instant: 'soon'"),
        ("UPDATE acks SET name = CAST(X'ff' AS TEXT)", "name is not UTF-8 text (byte 0)"),
        ("UPDATE acks SET message_id = 'one'", "message_id is not a whole number: 'one'"),
    ],
)
def test_a_damaged_acknowledgement_is_named_not_a_traceback(
    tmp_path: Path, sql: str, why: str
) -> None:
    _day_with_commands(tmp_path)
    _damage(tmp_path, sql)
    with Journal.open(tmp_path) as journal, pytest.raises(JournalError) as info:
        journal.acks()
    assert str(info.value).startswith(
        f"{tmp_path / JOURNAL_NAME}: journal acknowledgement a1 is damaged ({why}); "
    )
    assert str(info.value).endswith("Restore it from a backup, or pass a new --data-dir.")


# -- damaged rows at the command line -----------------------------------------------------

REPO = Path(__file__).parent.parent
SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"


def _control_room(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``control-room`` command, as the operator would."""
    return subprocess.run(
        [sys.executable, "-m", "control_room", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("UPDATE entries SET command = 'oops' WHERE seq = 2", "command is not JSON: 'oops'"),
        ("UPDATE entries SET show = 'noon' WHERE seq = 2", "show is not an ISO instant: 'noon'"),
        ("UPDATE entries SET who = CAST(X'ff' AS TEXT) WHERE seq = 2",
         "who is not UTF-8 text (byte 0)"),
    ],
)  # fmt: skip
@pytest.mark.parametrize(
    "command",
    [
        "journal",
        "serve",
    ],
)
def test_the_command_line_names_a_damaged_entry_and_exits_1(
    tmp_path: Path, command: str, sql: str, why: str
) -> None:
    _day_with_commands(tmp_path)
    _damage(tmp_path, sql)
    args = ["--data-dir", str(tmp_path)]
    if command == "serve":
        args = [str(SHIPPED_DAY), *args, "--port", "0"]
    done = _control_room(command, *args)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"control-room {command}: {tmp_path / JOURNAL_NAME}: journal entry #2 is damaged "
        f"({why}); the journal was changed outside control-room. Restore it from a backup, "
        "or pass a new --data-dir.\n"
    )
