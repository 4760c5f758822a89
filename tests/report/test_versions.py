"""The schedule is kept beside its journal: stored once per text, never overwritten."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from control_room.journal import Journal, JournalError
from control_room.versions import current_schedule, store, versions

from .conftest import DAY


def test_a_stored_schedule_is_found_again_from_the_data_dir_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Journal.open(data).close()
    version = store(data, DAY.read_text(encoding="utf-8"), source=str(DAY))
    assert version.new and version.number == 1
    assert version.path.name == f"0001-{version.sha[:12]}.yaml"
    schedule, current = current_schedule(data)
    assert current.sha == version.sha and current.source == str(DAY)
    assert [ch.id for ch in schedule.channels][0] == "main"
    with Journal.open(data, readonly=True) as journal:
        assert journal.get_meta("schedule_version") == 1
        assert journal.get_meta("schedule_sha") == version.sha


def test_the_same_text_again_stores_nothing_and_an_edit_is_a_new_version(tmp_path: Path) -> None:
    data = tmp_path / "data"
    text = DAY.read_text(encoding="utf-8")
    with Journal.open(data) as journal:
        first = store(data, text, source="a.yaml", journal=journal)
        again = store(data, text, source="a.yaml", journal=journal)
        edited = store(data, text + "\n# edited\n", source="live edit", journal=journal)
    assert not again.new and again.number == first.number
    assert edited.new and edited.number == 2
    assert [v.number for v in versions(data)] == [1, 2]
    assert first.path.read_text(encoding="utf-8") == text  # never overwritten
    assert current_schedule(data)[1].number == 2


def test_a_data_dir_without_a_stored_schedule_says_to_pass_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Journal.open(data).close()
    with pytest.raises(JournalError, match="--schedule FILE"):
        current_schedule(data)


def test_an_old_data_dir_gains_the_presence_log_and_keeps_its_samples(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Journal.open(data) as journal:
        journal._db.executescript("DROP TABLE presence;")  # as made by an older control-room
    with Journal.open(data, readonly=True) as journal:
        assert journal.presence() == []
    with Journal.open(data) as journal:
        show = dt.datetime(2026, 7, 7, 10, tzinfo=dt.UTC)
        journal.record_presence({"main": {"timer": 2}}, wall=1.0, show=show)
    with Journal.open(data, readonly=True) as journal:
        [sample] = journal.presence()
    assert sample.counts == {"main": {"timer": 2}}
