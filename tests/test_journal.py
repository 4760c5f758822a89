from __future__ import annotations

import sqlite3
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
