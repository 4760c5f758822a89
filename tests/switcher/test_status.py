"""What the régie sees of a switcher: its status, as pushed in the ``switcher`` message."""

from __future__ import annotations

from datetime import UTC, datetime

from control_room.journal import SwitchRecord
from control_room.switcher import SwitcherStatus


def test_a_status_shows_its_last_switch_as_the_journal_stores_it() -> None:
    record = SwitchRecord(
        "parcours-1",
        "Morlaix",
        "program",
        datetime(2026, 7, 7, 9, 45, 0, 120000, tzinfo=UTC),
        datetime(2026, 7, 7, 9, 45, tzinfo=UTC),
        "ok",
        100,
        "",
        12.5,
    )
    status = SwitcherStatus("parcours-1", "ws://10.0.0.11:4455", connected=True, last_switch=record)
    doc = status.to_json()
    assert doc["last_switch"] == record.to_json()
    assert doc["last_switch"]["asked_at"] == "2026-07-07T09:45:00.120000Z"
    assert doc["last_switch"]["id"] is None  # not a row of the journal yet


def test_a_new_status_has_nothing_to_show_yet() -> None:
    doc = SwitcherStatus("main", "ws://10.0.0.10:4455").to_json()
    assert doc["connected"] is False and doc["last_switch"] is None and doc["error"] is None
    assert set(doc) == {
        "channel", "url", "connected", "manual", "studio_mode", "desired_scene",
        "program_scene", "preview_scene", "error", "last_error", "last_error_at", "last_switch",
    }  # fmt: skip
