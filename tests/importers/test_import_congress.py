"""A 4-day congress whose days run 11:00–04:00 (sessions past midnight) imports, validates
and serves: the server says what is on air at 01:30 in the night of the third day."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from control_room.cli import main
from tests.support.server import run_server

ROOMS = ("Saal 1", "Saal 2")


def congress(path: Path) -> None:
    """A schedule.json (frab flavour) of 4 days, 11:00 to 04:00, two rooms, 1 h talks."""
    days = []
    for index in range(4):
        date = dt.date(2026, 12, 27) + dt.timedelta(days=index)
        rooms: dict[str, list[dict[str, object]]] = {room: [] for room in ROOMS}
        for slot in range(17):  # 11:00, 12:00 … 03:00 (the last ends at 04:00)
            start = dt.datetime.combine(date, dt.time(11)) + dt.timedelta(hours=slot)
            for r, room in enumerate(ROOMS):
                if r == 1 and slot % 2:
                    continue  # the small room has gaps
                guid = f"d{index}-{room[-1]}-{slot}"
                rooms[room].append(
                    {
                        "guid": guid,
                        "id": len(rooms[room]) + 1000 * index + 100 * r,
                        "date": start.isoformat() + "+01:00",
                        "start": start.strftime("%H:%M"),
                        "duration": "01:00",
                        "room": room,
                        "slug": guid,
                        "url": "",
                        "title": f"Jour {index + 1} — {room} — {start:%H:%M}",
                        "subtitle": "",
                        "track": "",
                        "type": "lecture",
                        "language": "fr",
                        "abstract": "",
                        "description": "",
                        "logo": "",
                        "persons": [{"public_name": f"Orateur {slot}"}],
                        "links": [],
                        "attachments": [],
                        "recording_license": "",
                        "do_not_record": False,
                    }
                )
        days.append(
            {
                "index": index + 1,
                "date": date.isoformat(),
                "day_start": f"{date.isoformat()}T11:00:00+01:00",
                "day_end": f"{(date + dt.timedelta(days=1)).isoformat()}T04:00:00+01:00",
                "rooms": rooms,
            }
        )
    doc = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": "test"},
        "schedule": {
            "version": "1",
            "base_url": "https://example.org/",
            "conference": {
                "acronym": "congress",
                "title": "Congrès de quatre jours",
                "start": "2026-12-27",
                "end": "2026-12-30",
                "daysCount": 4,
                "timeslot_duration": "00:15",
                "time_zone_name": "Europe/Paris",
                "rooms": [{"name": room, "guid": room} for room in ROOMS],
                "days": days,
            },
        },
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_a_four_day_congress_past_midnight_imports_validates_and_serves(tmp_path: Path) -> None:
    source = tmp_path / "congress.json"
    congress(source)
    out = tmp_path / "congress.yaml"
    assert main(["import", str(source), "-o", str(out)]) == 0
    assert main(["validate", str(out)]) == 0
    night = "2026-12-30T01:30+01:00"  # the night of the third day
    with run_server(out, data_dir=tmp_path / "data", at=night, speed=1) as s:
        state = s.get_json("/api/state")
    on_air = {c["id"]: c["now"]["title"] if c["now"] else None for c in state["channels"]}
    assert "Jour 3 — Saal 1 — 01:00" in on_air.values()
    assert all(c["status"] in ("on_air", "gap") for c in state["channels"])
