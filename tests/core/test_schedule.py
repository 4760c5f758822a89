"""Loading and validating schedule files: every problem, at its line, all at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from control_room.core.schedule import ScheduleError
from control_room.core.schedule_yaml import parse_schedule
from control_room.schedule_file import load_schedule

HEAD = """\
event:
  title: Test
  date: 2026-07-07
  timezone: Europe/Paris
  start: "10:00"
  end: "19:30"
sites:
  - {id: paris, name: Paris, city: Paris}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ScheduleError) as info:
        parse_schedule(text, source="day.yaml")
    return [str(p) for p in info.value.problems]


def test_a_valid_file_loads_with_times_in_utc() -> None:
    schedule = parse_schedule(
        HEAD
        + """\
channels:
  - id: main
    title: Main
    segments:
      - {id: a, start: "10:00", duration: 1h30, title: A, kind: plenary, site: paris}
      - {id: b, duration: 15m, title: B, kind: break}
""",
        source="day.yaml",
    )
    a, b = schedule.channel("main").segments
    assert a.start == dt.datetime(2026, 7, 7, 8, 0, tzinfo=dt.UTC)
    assert a.end == dt.datetime(2026, 7, 7, 9, 30, tzinfo=dt.UTC)
    assert b.start == a.end and b.duration == dt.timedelta(minutes=15)
    assert not a.hard and a.warning == 300 and a.danger == 60


def test_unknown_keys_are_reported_at_their_line() -> None:
    found = problems(
        HEAD
        + """\
channels:
  - id: main
    title: Main
    segments:
      - id: a
        start: "10:00"
        end: "11:00"
        titel: A
        kind: plenary
"""
    )
    assert "day.yaml:13: channels[main].segments[a]: missing" not in found
    assert "day.yaml:16: channels[main].segments[a].titel: unknown key (typo?)" in found
    assert any(
        p.startswith("day.yaml:13: channels[main].segments[a].title: missing") for p in found
    )


def test_every_problem_is_listed_at_once() -> None:
    found = problems(
        HEAD
        + """\
channels:
  - id: main
    title: Main
    segments:
      - {id: a, start: "10:00", end: "09:30", title: A, kind: plenary}
      - {id: b, start: "10:15", end: "11:00", title: B, kind: plenary, site: nowhere}
      - {id: c, start: "10:45", end: "11:15", title: C, kind: plenary}
      - {id: b, start: "11:15", end: "12:00", title: B2, kind: plenary}
      - {id: d, start: "19:00", end: "20:00", title: D, kind: plenary, parallel: [ghost]}
      - id: e
        start: "20:00"
        end: "20:30"
        title: E
        kind: plenary
        items:
          - {id: e1, title: E1, start: "19:00", end: "19:10"}
"""
    )
    text = "\n".join(found)
    assert "day.yaml:13: channels[main].segments[a].end: ends at or before its start" in text
    assert "day.yaml:14: channels[main].segments[b].site: unknown site 'nowhere'" in text
    assert (
        "day.yaml:15: channels[main].segments[c].start: overlaps 'b', which ends at 11:00" in text
    )
    assert "day.yaml:16: channels[main].segments[b].id: duplicate id 'b'" in text
    assert "day.yaml:17: channels[main].segments[d].end: after the event ends (19:30)" in text
    assert "day.yaml:17: channels[main].segments[d].parallel[0]: unknown channel 'ghost'" in text
    assert "channels[main].segments[e].items[e1]: outside its segment 'e'" in text
    assert len(found) >= 7


def test_a_bad_time_zone_is_reported_and_the_rest_still_checked() -> None:
    found = problems(
        HEAD.replace("Europe/Paris", "Europe/Pariss")
        + """\
channels:
  - id: main
    title: Main
    segments:
      - {id: a, start: "10:00", end: "10:30", title: A, kind: plenary, site: mars}
"""
    )
    assert found[0].startswith("day.yaml:4: event.timezone: unknown time zone 'Europe/Pariss'")
    assert "day.yaml:13: channels[main].segments[a].site: unknown site 'mars'" in found


def test_malformed_yaml_is_refused_with_its_line() -> None:
    found = problems("event:\n  title: [unclosed\n  date: 2026-07-07\n")
    assert len(found) == 1 and found[0].startswith("day.yaml:")
    assert "malformed YAML" in found[0]


def test_duplicate_keys_are_malformed_yaml() -> None:
    found = problems("event:\n  title: A\n  title: B\n")
    assert found == [
        'day.yaml:3: malformed YAML: found duplicate key "title" with value "B" '
        '(original value: "A")'
    ]


def test_bad_times_and_durations_name_the_field() -> None:
    found = problems(
        HEAD
        + """\
channels:
  - id: main
    title: Main
    segments:
      - {id: a, start: "25:00", end: "10:30", title: A, kind: plenary}
      - {id: b, start: "11:00", duration: soon, title: B, kind: plenary}
      - {id: c, start: "12:00", end: "12:30", duration: 30m, title: C, kind: plenary}
"""
    )
    text = "\n".join(found)
    assert "channels[main].segments[a].start: not a time of day: '25:00'" in text
    assert "channels[main].segments[b].duration: not a duration: 'soon'" in text
    assert "channels[main].segments[c]: give exactly one of end or duration" in text


def test_a_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError) as info:
        load_schedule(tmp_path / "nope.yaml")
    assert "cannot read" in str(info.value)


def test_the_shipped_day_loads() -> None:
    schedule = load_schedule(
        Path(__file__).parent.parent.parent / "schedules" / "rnct-2026-07-07.yaml"
    )
    assert [c.id for c in schedule.channels] == ["main", "parcours-1", "parcours-2", "parcours-3"]


def test_a_malformed_event_does_not_hide_the_problems_of_the_channels() -> None:
    found = problems("event: 3\nchannels:\n  - id: main\n    title: Main\n    segmnts: []\n")
    assert found == [
        "day.yaml:1: event: must be a mapping of keys to values",
        "day.yaml:3: channels[main].segments: missing",
        "day.yaml:5: channels[main].segmnts: unknown key (typo?)",
    ]
