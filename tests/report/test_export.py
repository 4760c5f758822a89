"""The day out: schedule.json validates against the C3VOC schema, csv, xlsx and ical parse,
and every one of them carries the actual times the engine gives."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import openpyxl
import pytest

from control_room.archive import Archive, open_archive
from control_room.cli import main
from control_room.exporters import EXTENSION_KEY, export_ical, export_schedule_json

from .conftest import REPO, at

SCHEMA = REPO / "tests" / "importers" / "samples" / "schema.json"


@pytest.fixture(scope="module")
def archive(day_data_dir: Path) -> Archive:
    return open_archive(day_data_dir, until=at("20:00"))


def test_schedule_json_validates_against_the_c3voc_schema(archive: Archive) -> None:
    doc = json.loads(export_schedule_json(archive))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft6Validator(schema).validate(doc)


def test_schedule_json_carries_the_actual_times_by_event_guid(archive: Archive) -> None:
    doc = json.loads(export_schedule_json(archive))
    [day] = doc["schedule"]["conference"]["days"]
    events = {e["guid"]: e for room in day["rooms"].values() for e in room}
    extension = doc["schedule"][EXTENSION_KEY]["events"]
    assert set(extension) == set(events)
    table = next(x for x in extension.values() if x["segment"] == "table-ronde")
    assert table["actual_start"] == "2026-07-07T10:30:30+02:00"
    assert table["actual_end"] == "2026-07-07T11:38:30+02:00"
    assert events[next(g for g, x in extension.items() if x is table)]["date"] == (
        "2026-07-07T10:30:00+02:00"
    )


def test_the_export_command_writes_each_format_and_each_parses(
    day_data_dir: Path, tmp_path: Path
) -> None:
    outputs = {}
    for fmt, name in [("schedule.json", "day.json"), ("csv", "day.csv"), ("xlsx", "day.xlsx"),
                      ("ical", "day.ics")]:  # fmt: skip
        path = tmp_path / name
        args = ["export", "--data-dir", str(day_data_dir), "--format", fmt, "-o", str(path)]
        assert main([*args, "--at", "20:00"]) == 0
        outputs[fmt] = path
    rows = list(csv.DictReader(io.StringIO(outputs["csv"].read_text(encoding="utf-8"))))
    table = next(r for r in rows if r["id"] == "table-ronde")
    assert (table["début réel"], table["fin réelle"]) == (
        "2026-07-07T10:30:30+02:00",
        "2026-07-07T11:38:30+02:00",
    )
    assert {r["niveau"] for r in rows} == {"segment", "item"}
    sheet = openpyxl.load_workbook(outputs["xlsx"]).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["canal", "niveau", "id"] and sheet.max_row == len(rows) + 1
    ics = outputs["ical"].read_bytes().decode("utf-8")
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")


def test_the_ical_text_is_escaped_and_folded_at_75_octets(archive: Archive) -> None:
    text = export_ical(archive)
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = re.sub(r"\r\n ", "", text).split("\r\n")
    vevents = [line for line in unfolded if line == "BEGIN:VEVENT"]
    assert len(vevents) == sum(len(ch.segments) for ch in archive.actuals.channels)
    summaries = [line for line in unfolded if line.startswith("SUMMARY:")]
    assert any("\\," in s or "\\;" in s for s in summaries) or all(
        "," not in s[8:].replace("\\,", "") for s in summaries
    )
    assert "DTSTART:20260707T083030Z" in unfolded  # the round table's actual start, in UTC
    for line in unfolded:
        if line.startswith(("SUMMARY:", "DESCRIPTION:", "LOCATION:")):
            value = line.split(":", 1)[1]
            assert not re.search(r"(?<!\\)[,;]", value), line
