"""schedule.json (pretalx and frab flavours) → schedule YAML that validates."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema

from control_room.core.schedule import Kind, PersonRole

SAMPLES = Path(__file__).parent / "samples"
Run = Callable[..., Any]  # the run_import fixture (conftest.py)

PARIS = ZoneInfo("Europe/Paris")
BERLIN = ZoneInfo("Europe/Berlin")


def test_shipped_samples_are_valid_schedule_json() -> None:
    schema = json.loads((SAMPLES / "schema.json").read_text(encoding="utf-8"))
    for name in ("pretalx-democon.json", "frab-two-days.json"):
        doc = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
        jsonschema.Draft6Validator(schema).validate(doc)


def test_pretalx_sample_imports_whole_with_its_three_days(run_import: Run) -> None:
    r = run_import(SAMPLES / "pretalx-democon.json")
    assert r.code == 0, r.err
    s = r.schedule()
    assert s.event.title == "DemoCon"
    assert [ch.title for ch in s.channels] == ["Gray Room", "Tan Room"]
    assert s.channels[0].id == "main"
    assert sum(len(ch.segments) for ch in s.channels) == 36
    days = {seg.start.date() for ch in s.channels for seg in ch.segments}
    assert days == {dt.date(2020, 12, 14), dt.date(2020, 12, 15), dt.date(2020, 12, 16)}
    assert "pretalx flavour" in r.yaml.splitlines()[0]


def test_pretalx_sample_keeps_persons_and_names_each_source_session(run_import: Run) -> None:
    r = run_import(SAMPLES / "pretalx-democon.json")
    _, seg = r.schedule().segment("networked-modular-help-desk")
    assert [p.name for p in seg.people] == ["Maria Williams", "Mariah Estrada"]
    assert all(p.role is PersonRole.SPEAKER for p in seg.people)
    assert "# session 16 (" in r.yaml
    assert "pretalx-democon.json:" in r.yaml


def test_pretalx_sample_offsets_that_contradict_its_zone_are_converted_with_a_warning(
    run_import: Run,
) -> None:
    r = run_import(SAMPLES / "pretalx-democon.json")
    _, seg = r.schedule().segment("focused-5thgeneration-hardware")
    assert seg.start == dt.datetime(2020, 12, 14, 8, 0, tzinfo=dt.UTC)  # 09:00+01:00
    assert "not UTC's" in r.err
    r = run_import(SAMPLES / "pretalx-democon.json", "--timezone", "Europe/Paris")
    _, seg = r.schedule().segment("focused-5thgeneration-hardware")
    assert seg.start.astimezone(PARIS).strftime("%H:%M") == "09:00"
    assert "warning" not in r.err


def test_one_day_is_imported_with_day_or_date(run_import: Run) -> None:
    r = run_import(SAMPLES / "pretalx-democon.json", "--day", "2")
    s = r.schedule()
    assert s.event.date == dt.date(2020, 12, 15)
    assert sum(len(ch.segments) for ch in s.channels) == 12
    assert "1 = 2020-12-14, 2 = 2020-12-15, 3 = 2020-12-16" in r.out
    r = run_import(SAMPLES / "pretalx-democon.json", "--date", "2020-12-16")
    assert r.schedule().event.date == dt.date(2020, 12, 16)


def test_a_day_that_does_not_exist_lists_the_days(run_import: Run) -> None:
    r = run_import(SAMPLES / "pretalx-democon.json", "--day", "4")
    assert r.code == 1
    assert "no day 4; days: 1 = 2020-12-14, 2 = 2020-12-15, 3 = 2020-12-16" in r.err


def test_frab_sample_with_midnight_empty_room_and_unicode_imports(run_import: Run) -> None:
    r = run_import(SAMPLES / "frab-two-days.json")
    assert r.code == 0, r.err
    s = r.schedule()
    assert s.event.title == "Festival des communs — 2026"
    assert s.event.timezone.key == "Europe/Berlin"
    assert [ch.id for ch in s.channels] == ["main", "werkstatt"]
    assert '# Room "Leerer Raum" has no session' in r.yaml
    _, night = s.segment("nachtprogramm")
    assert night.title == "Nachtprogramm 🌙"
    assert night.end.astimezone(BERLIN) == dt.datetime(2026, 9, 19, 0, 45, tzinfo=BERLIN)
    assert 'end: "2026-09-19T00:45"' in r.yaml
    assert "frab flavour" in r.yaml.splitlines()[0]


def test_frab_persons_without_ids_keep_their_names_and_roles(run_import: Run) -> None:
    s = run_import(SAMPLES / "frab-two-days.json").schedule()
    _, panel = s.segment("podium-stadte-commons")
    assert panel.kind is Kind.ROUND_TABLE
    assert [(p.name, p.role) for p in panel.people] == [
        ("Anaïs Nørgaard", PersonRole.SPEAKER),
        ("Ōta Hiroshi", PersonRole.MODERATOR),
    ]
    _, repeat = s.segment("eroffnung-gru-gott-2")  # the same title on day 2
    assert repeat.start.astimezone(BERLIN).day == 19


def test_sessions_after_a_gap_are_hard_and_back_to_back_ones_soft(run_import: Run) -> None:
    s = run_import(SAMPLES / "frab-two-days.json").schedule()
    hard = {seg.id: seg.hard for seg in s.channel("main").segments}
    assert hard["eroffnung-gru-gott"] is True
    assert hard["podium-stadte-commons"] is False  # starts when the opening ends
    assert hard["nachtprogramm"] is True
    _, lunch = s.segment("mittagspause")
    assert lunch.kind is Kind.BREAK and lunch.site is None


def _broken(tmp_path: Path, edit: str, replacement: str) -> Path:
    text = (SAMPLES / "frab-two-days.json").read_text(encoding="utf-8")
    assert edit in text
    path = tmp_path / "broken.json"
    path.write_text(text.replace(edit, replacement, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_every_problem_of_a_schedule_json_is_reported_at_its_object_line(
    tmp_path: Path, run_import: Run
) -> None:
    path = _broken(tmp_path, '"title": "Löten für alle"', '"titel": "Löten für alle"')
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('"duration": "00:30"', '"duration": "half an hour"', 1).replace(
            '"name": "Zoë Ångström"', '"code": "X1"'
        ),
        encoding="utf-8",
    )
    r = run_import(path)
    assert r.code == 1
    lines = r.err.splitlines()
    event4 = _line_of(path, '"id": 4,') - 1  # the event object opens the line above
    event1 = _line_of(path, '"id": 1,') - 1
    assert f"{path}:{event1}: event 1: duration: not HH:MM: 'half an hour'" in lines
    assert f"{path}:{event4}: event 4: title: missing" in lines
    person = _line_of(path, '"code": "X1"') - 1
    assert f"{path}:{person}: event 4: person without a name" in lines
    assert lines[-1] == f"{path}: refused, 3 problems"
    assert r.yaml == ""


def test_malformed_json_says_where(tmp_path: Path, run_import: Run) -> None:
    path = _broken(tmp_path, '"start": "10:00",', '"start": "10:00",,')
    r = run_import(path)
    assert r.code == 1
    assert f"{path}:{_line_of(path, ',,')}: malformed JSON" in r.err


def test_sessions_overlapping_in_one_room_name_both_positions(
    tmp_path: Path, run_import: Run
) -> None:
    path = _broken(
        tmp_path, '"date": "2026-09-18T10:30:00+02:00"', '"date": "2026-09-18T10:15:00+02:00"'
    )
    r = run_import(path)
    assert r.code == 1
    second = _line_of(path, '"id": 2,') - 1
    first = _line_of(path, '"id": 1,') - 1
    assert (
        f"{path}:{second}: 'Podium: Städte & Commons' overlaps 'Eröffnung — Grüß Gott!' "
        f"({path}:{first}) in room 'Saal Ü'"
    ) in r.err


def test_a_json_that_is_not_a_schedule_says_so(tmp_path: Path, run_import: Run) -> None:
    path = tmp_path / "other.json"
    path.write_text('{\n  "talks": []\n}\n', encoding="utf-8")
    r = run_import(path)
    assert r.code == 1
    assert f"{path}:1: not a schedule.json: no schedule.conference object" in r.err
