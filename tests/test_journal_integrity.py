"""The journal knows what it committed: its seal, a loss refused or accepted, its mirror."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from control_room.cli.serve import check_journal, resolve_clock
from control_room.journal import JOURNAL_NAME, Journal, JournalError, JournalLoss
from control_room.mirror import attach, restore
from control_room.schedule_file import load_schedule
from control_room.seal import GENESIS, SEAL_NAME, SLOT_SIZE, Seal, SealFile, chain

SHOW = datetime(2026, 7, 7, 11, 45, tzinfo=UTC)
WAL = JOURNAL_NAME + "-wal"
DAY = Path(__file__).parent.parent / "schedules" / "rnct-2026-07-07.yaml"


def hold(journal: Journal, n: int, *, start: int = 0) -> None:
    for i in range(start, start + n):
        journal.append(wall=1.0 + i, show=SHOW, who=f"op{i}", command={"type": "hold", "n": i})


def crashed(journal: Journal, into: Path) -> Path:
    """The files a SIGKILL would leave now: the data dir copied while the journal is open."""
    shutil.copytree(journal.path.parent, into)
    return into


def served(data: Path, n: int) -> Path:
    """A data dir served until a crash after ``n`` commands (all still in its WAL)."""
    with Journal.open(data.parent / "live") as journal:
        journal.verify()
        hold(journal, n)
        return crashed(journal, data)


def test_the_seal_holds_the_last_seq_and_the_running_hash(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        hold(journal, 3)
        seal = SealFile(tmp_path / SEAL_NAME).read()
        assert seal is not None and seal.seq == 3 and seal.journal_id == journal.journal_id
        rows = journal._db.execute("SELECT seq, wall, show, who, command FROM entries").fetchall()
    head = GENESIS
    for row in rows:
        head = chain(head, *row)
    assert seal.head == head


def test_a_sealed_journal_reopens_whole(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        hold(journal, 5)
    with Journal.open(tmp_path) as journal:
        integrity = journal.verify()
    assert integrity.ok and (integrity.seq, integrity.whole, integrity.sealed.seq) == (5, 5, 5)  # type: ignore[union-attr]


def test_a_deleted_wal_is_refused_naming_the_missing_commands(tmp_path: Path) -> None:
    data = served(tmp_path / "data", 6)
    (data / WAL).unlink()
    with Journal.open(data) as journal, pytest.raises(JournalLoss) as info:
        journal.verify()
    assert info.value.integrity.missing == (1, 6)
    assert "6 acknowledged commands (#1..#6) are missing" in str(info.value)
    assert "--accept-journal-loss" in str(info.value) and "control-room restore" in str(info.value)


def test_a_truncated_wal_is_refused_naming_the_missing_range(tmp_path: Path) -> None:
    data = served(tmp_path / "data", 8)
    wal = data / WAL
    wal.write_bytes(wal.read_bytes()[: wal.stat().st_size // 2])
    with Journal.open(data) as journal, pytest.raises(JournalLoss) as info:
        journal.verify()
    first, last = info.value.integrity.missing or (0, 0)
    assert last == 8 and 1 <= first <= 8
    assert f"(#{first}..#8) are missing" in str(info.value)


def test_a_changed_command_is_refused_as_altered(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        hold(journal, 3)
    db = sqlite3.connect(tmp_path / JOURNAL_NAME)
    db.execute("DROP TRIGGER entries_append_only_update")
    db.execute("""UPDATE entries SET command = '{"type": "release"}' WHERE seq = 2""")
    db.commit()
    db.close()
    with Journal.open(tmp_path) as journal:
        with pytest.raises(JournalLoss, match="changed outside control-room") as info:
            journal.verify()
        assert info.value.integrity.altered
        with pytest.raises(JournalError, match="refusing to add"):
            hold(journal, 1)


def test_an_accepted_loss_is_journaled_and_the_journal_goes_on(tmp_path: Path) -> None:
    data = served(tmp_path / "data", 4)
    (data / WAL).unlink()
    with Journal.open(data) as journal:
        integrity = journal.verify(accept_loss_by="alice@regie")
        assert not integrity.ok and integrity.missing == (1, 4)
        hold(journal, 1)
    with Journal.open(data) as journal:
        assert journal.verify().ok
        [accepted] = journal.get_meta("accepted_losses")
    assert accepted["by"] == "alice@regie" and accepted["missing"] == [1, 4]
    assert accepted["sealed_seq"] == 4 and accepted["at"].endswith("Z")


def test_a_torn_seal_slot_falls_back_to_the_previous_commit(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        hold(journal, 3)
    seal = tmp_path / SEAL_NAME
    raw = bytearray(seal.read_bytes())
    newest = SealFile(seal).read()
    assert newest is not None
    slot = (newest.generation % 2) * SLOT_SIZE
    raw[slot + 10 : slot + 60] = b"\0" * 50  # the last write, torn by a power cut
    seal.write_bytes(bytes(raw))
    assert SealFile(seal).read().seq == 2  # type: ignore[union-attr]
    with Journal.open(tmp_path) as journal:
        assert journal.verify().ok  # the journal is one ahead of its seal: nothing lost


def test_a_seal_damaged_in_both_slots_is_refused(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        hold(journal, 2)
    (tmp_path / SEAL_NAME).write_bytes(b"x" * 2 * SLOT_SIZE)
    with Journal.open(tmp_path) as journal, pytest.raises(JournalLoss, match="seal is unreadable"):
        journal.verify()


def test_a_missing_seal_is_refused_but_a_journal_older_than_seals_is_sealed(
    tmp_path: Path,
) -> None:
    with Journal.open(tmp_path / "new") as journal:
        hold(journal, 2)
    (tmp_path / "new" / SEAL_NAME).unlink()
    with Journal.open(tmp_path / "new") as journal, pytest.raises(JournalLoss, match="missing"):
        journal.verify()
    with Journal.open(tmp_path / "old") as journal:
        hold(journal, 2)
        journal._db.execute("DELETE FROM meta WHERE key = 'journal_id'")
    (tmp_path / "old" / SEAL_NAME).unlink()
    with Journal.open(tmp_path / "old") as journal:
        assert journal.verify().ok and journal.journal_id is not None
    assert SealFile(tmp_path / "old" / SEAL_NAME).read().seq == 2  # type: ignore[union-attr]


def test_a_seal_slot_reads_back_and_refuses_a_wrong_check_sum() -> None:
    seal = Seal("abc", 7, GENESIS, 3, "2026-07-07T10:00:00.000Z")
    slot = seal.encode()
    assert len(slot) == SLOT_SIZE and Seal.decode(slot) == seal
    assert Seal.decode(slot.replace(b'"seq":7', b'"seq":8')) is None


# -- the mirror -----------------------------------------------------------------------------


def test_the_mirror_gets_every_record_with_the_same_numbers(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "data") as journal:
        journal.verify()
        hold(journal, 2)
        _, note = attach(journal, tmp_path / "mirror")
        assert note == f"mirror {tmp_path / 'mirror'} initialised (2 commands copied)"
        hold(journal, 3, start=2)
        journal.record_ack("main", 1, "Claire", wall=9.0, show=SHOW)
        journal.set_meta("clock", {"speed": 10})
        expected = [r.to_json() for r in journal.records()]
    with Journal.open(tmp_path / "mirror") as mirror:
        assert mirror.verify().ok
        assert [r.to_json() for r in mirror.records()] == expected
        assert mirror.acks()[0].name == "Claire" and mirror.get_meta("clock") == {"speed": 10}


def test_a_journal_behind_its_mirror_is_refused_and_restored_from_it(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "live") as journal:
        journal.verify()
        mirror, _ = attach(journal, tmp_path / "live-mirror")
        hold(journal, 7)
        data = crashed(journal, tmp_path / "data")
        shutil.copytree(tmp_path / "live-mirror", tmp_path / "mirror")
    (data / WAL).unlink()
    with Journal.open(data) as journal, pytest.raises(JournalError) as info:
        check_journal(journal, mirror=str(tmp_path / "mirror"))
    assert "7 acknowledged commands (#1..#7) are missing" in str(info.value)
    assert (
        f"The mirror {tmp_path / 'mirror'} holds all of them (7 commands): restore it with "
        f"`control-room restore --from {tmp_path / 'mirror'} --data-dir {data}`"
    ) in str(info.value)
    done = restore(data, tmp_path / "mirror")
    assert done.startswith(f"restored 7 commands from {tmp_path / 'mirror'} into {data}")
    with Journal.open(data) as journal:
        assert journal.verify().ok and [r.who for r in journal.records()][-1] == "op6"
    assert list(data.glob("damaged-*/" + JOURNAL_NAME))


def test_a_restore_that_would_not_give_back_every_command_is_refused(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "live") as journal:
        journal.verify()
        attach(journal, tmp_path / "mirror")
        hold(journal, 2)
        journal.attach_mirror(None)  # the mirror disk went away
        hold(journal, 3, start=2)
        data = crashed(journal, tmp_path / "data")
    (data / WAL).unlink()
    with pytest.raises(JournalError, match="the mirror holds only #1..#2"):
        restore(data, tmp_path / "mirror")
    assert (data / JOURNAL_NAME).is_file() and not list(data.glob("damaged-*"))


def test_a_mirror_behind_the_journal_is_brought_up_to_date(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "data") as journal:
        journal.verify()
        attach(journal, tmp_path / "mirror")
        hold(journal, 2)
        journal.attach_mirror(None)
        hold(journal, 3, start=2)
        journal.mirror_error = None
    with Journal.open(tmp_path / "data") as journal:
        notes = check_journal(journal, mirror=str(tmp_path / "mirror"))
        assert notes == [f"mirror {tmp_path / 'mirror'} brought up to date (5 commands)"]
        hold(journal, 1, start=5)
    with Journal.open(tmp_path / "mirror") as mirror:
        assert mirror.verify().ok and len(mirror) == 6


def test_the_mirror_of_another_journal_is_refused(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "other") as other:
        other.verify()
        attach(other, tmp_path / "mirror")
        hold(other, 1)
    with Journal.open(tmp_path / "data") as journal:
        journal.verify()
        with pytest.raises(JournalError, match="the mirror of another journal"):
            attach(journal, tmp_path / "mirror")


def test_a_failing_mirror_is_dropped_and_the_show_goes_on(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "data") as journal:
        journal.verify()
        mirror, _ = attach(journal, tmp_path / "mirror")
        mirror._db.close()  # the mirror's disk is gone
        hold(journal, 2)
        assert journal.mirror is None and journal.mirror_error is not None
        assert len(journal) == 2


# -- the clock ------------------------------------------------------------------------------


def test_a_rehearsal_restarted_before_any_command_resumes_its_clock(tmp_path: Path) -> None:
    schedule = load_schedule(DAY)
    with Journal.open(tmp_path) as journal:
        first, _ = resolve_clock(journal, schedule, at="2026-07-07T10:17:40", speed=1)
    with Journal.open(tmp_path) as journal:
        assert len(journal) == 0
        again, note = resolve_clock(journal, schedule, at="2026-07-07T10:17:40", speed=1)
    assert again.origin_wall == first.origin_wall and "resuming the rehearsal" in note
