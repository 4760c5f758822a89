"""Hostile and mistyped schedule files are refused as ``file:line: field: message``.

Each case was a traceback (or a problem without a line) before: a validator must never
crash on what a person or a fuzzer can type.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from control_room.core.schedule import ScheduleError
from control_room.core.schedule_yaml import MAX_CHARS, MAX_DEPTH, parse_schedule
from control_room.schedule_file import MAX_BYTES, load_schedule

SHIPPED_PATH = Path(__file__).parent.parent.parent / "schedules" / "rnct-2026-07-07.yaml"
SHIPPED = SHIPPED_PATH.read_text(encoding="utf-8")

MINIMAL = """\
event:
  title: Day
  date: 2026-07-07
  timezone: Europe/Paris
channels:
  - id: main
    title: Main
    segments:
      - id: a
        title: A
        kind: talk
        start: "10:00"
        duration: 30m
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ScheduleError) as info:
        parse_schedule(text, source="day.yaml")
    found = [str(p) for p in info.value.problems]
    for problem in info.value.problems:
        assert problem.line >= 1, str(problem)
    return found


def shipped_with(old: str, new: str) -> str:
    assert old in SHIPPED
    return SHIPPED.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_the_minimal_day_is_accepted() -> None:
    assert parse_schedule(MINIMAL).channels[0].segments[0].id == "a"


def test_an_impossible_date_is_a_problem_on_its_line() -> None:
    text = shipped_with("date: 2026-07-07", "date: 2026-02-30")
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith(f"day.yaml:{line_of(text, '2026-02-30')}: event.date: not a date:")
    assert "'2026-02-30'" in found[0] and "YYYY-MM-DD" in found[0]


def test_a_date_with_a_time_or_a_number_is_a_problem() -> None:
    assert (
        "event.date: not a date" in problems(MINIMAL.replace("2026-07-07", "2026-07-07T10:00"))[0]
    )
    assert "event.date: not a date" in problems(MINIMAL.replace("2026-07-07", "5"))[0]


@pytest.mark.parametrize("time", ["25:00", "10:60", "23:59:60"])
def test_an_impossible_time_of_day_is_a_problem_on_its_line(time: str) -> None:
    text = MINIMAL.replace('"10:00"', f'"{time}"')
    assert problems(text) == [
        f"day.yaml:12: channels[main].segments[a].start: not a time of day: '{time}'"
    ]


def test_an_unquoted_iso_instant_is_read_as_text() -> None:
    text = MINIMAL.replace('"10:00"', "2026-07-07T10:00:00+02:00")
    assert parse_schedule(text).channels[0].segments[0].start.hour == 8


def test_an_instant_outside_the_calendar_is_a_problem() -> None:
    text = MINIMAL.replace('"10:00"', '"0001-01-01T00:00"')
    assert (
        "day.yaml:12: channels[main].segments[a].start: not a time of this era" in problems(text)[0]
    )


@pytest.mark.parametrize("duration", ["99999999999999999", "99999999999999999m", "9999h"])
def test_an_absurd_duration_is_a_problem_not_an_overflow(duration: str) -> None:
    found = problems(MINIMAL.replace("30m", duration))
    assert found == [
        f"day.yaml:13: channels[main].segments[a].duration: too long for a duration: "
        f"{duration if not duration.isdigit() else int(duration)!r} (at most 7 days)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ("title: Day", "title: true", "event.title", "must be text, not true (put it in quotes)"),
        ("title: Day", "title: 12", "event.title", "must be text, not the number 12"),
        ("title: Day", "title: [a, b]", "event.title", "must be text, not a list"),
        ("title: Day", "title:", "event.title", "must be text, not empty (null)"),
        ("title: A", "title: {a: 1}", "channels[main].segments[a].title", "must be text"),
        ("duration: 30m", "duration: [1]", "channels[main].segments[a].duration",
         "must be a duration like 30m, 1h30, 45s or 90 (minutes), not a list"),
        ("duration: 30m", "duration: true", "channels[main].segments[a].duration",
         "must be a duration like 30m, 1h30, 45s or 90 (minutes), not true"),
        ("kind: talk", "kind: 3", "channels[main].segments[a].kind", "must be 'opening', "),
        ("kind: talk", "kind: talk\n        hard: maybe", "channels[main].segments[a].hard",
         "must be true or false, not the text 'maybe'"),
        ("id: a", "id: A B", "channels[main].segments[A B].id", "'A B' is not an id"),
        ("    segments:", "    segments: 5\n    x:", "channels[main].segments", "must be a list"),
        ("timezone: Europe/Paris", "timezone: 5", "event.timezone", "must be text"),
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_type_is_one_problem_in_the_files_words(
    old: str, new: str, where: str, message: str
) -> None:
    text = MINIMAL.replace(old, new, 1)
    found = [p for p in problems(text) if where + ":" in p]
    assert len(found) == 1, problems(text)
    assert message in found[0]
    assert re.match(rf"day\.yaml:\d+: {re.escape(where)}: ", found[0])


def test_a_start_of_the_wrong_type_is_not_also_reported_missing() -> None:
    assert problems(MINIMAL.replace('"10:00"', "600")) == [
        "day.yaml:12: channels[main].segments[a].start: must be text, not the number 600 "
        "(put it in quotes)"
    ]


def test_a_wrong_time_zone_type_does_not_also_report_a_placeholder_zone() -> None:
    found = problems(MINIMAL.replace("timezone: Europe/Paris", "timezone: 5"))
    assert found == [
        "day.yaml:4: event.timezone: must be text, not the number 5 (put it in quotes)"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "event: " + "[" * 1200 + "]" * 1200 + "\n",
        "event: " + "{a: " * 1200 + "1" + "}" * 1200 + "\n",
        "event:\n" + "".join(" " * i + "a:\n" for i in range(1, 1300)),
        "".join(" " * i + "- \n" for i in range(1300)),
    ],
    ids=["flow lists", "flow mappings", "block mappings", "block lists"],
)
def test_deep_nesting_is_refused_with_a_line_not_a_recursion_error(text: str) -> None:
    found = problems(text)
    assert len(found) == 1
    assert re.match(rf"day\.yaml:\d+: nested more than {MAX_DEPTH} levels deep", found[0])


def test_nesting_a_schedule_needs_is_fine() -> None:
    parse_schedule(SHIPPED)


def test_a_billion_laughs_is_refused_before_it_is_expanded() -> None:
    text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    found = problems(text)
    assert len(found) == 1
    assert re.match(r"day\.yaml:[4-9]: too many values once aliases are expanded", found[0])


def test_an_alias_that_contains_itself_is_refused() -> None:
    found = problems(MINIMAL + "    x: &loop [1, *loop]\n")
    assert found == ["day.yaml:14: an alias refers to a value that contains it"]


def test_a_few_aliases_are_still_fine() -> None:
    text = MINIMAL.replace("        duration: 30m", "        duration: &half 30m")
    text += "      - id: b\n        title: B\n        kind: talk\n        duration: *half\n"
    assert parse_schedule(text).channels[0].segments[1].id == "b"


def test_the_shipped_day_uses_no_alias_or_anchor() -> None:
    assert not re.search(r"(^|[\s\[{,])[&*][\w-]", SHIPPED)


def test_a_tab_says_yaml_indents_with_spaces() -> None:
    found = problems(MINIMAL.replace("  title: Day", "\ttitle: Day"))
    assert found[0].startswith("day.yaml:2: malformed YAML: ")
    assert "a tab: YAML indents with spaces only" in found[0]


def test_a_duplicate_key_is_a_problem_on_its_line() -> None:
    found = problems(MINIMAL.replace("  title: Day\n", "  title: Day\n  title: Night\n"))
    assert found[0].startswith('day.yaml:3: malformed YAML: found duplicate key "title"')


def test_a_duplicate_anchor_is_not_a_warning() -> None:
    text = MINIMAL + "      - &x {id: b, title: B, kind: talk, duration: 1m}\n"
    text += "      - &x {id: c, title: C, kind: talk, duration: 1m}\n"
    assert len(parse_schedule(text).channels[0].segments) == 3


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("", "day.yaml:1: a schedule is a mapping with event, sites, channels"),
        ("# only a comment\n", "day.yaml:1: a schedule is a mapping with event, sites, channels"),
        ("hello\n", "day.yaml:1: a schedule is a mapping with event, sites, channels"),
        (
            "- event\n- channels\n",
            "day.yaml:1: a schedule is a mapping with event, sites, channels",
        ),
        ("42\n", "day.yaml:1: a schedule is a mapping with event, sites, channels"),
    ],
    ids=["empty", "comment", "scalar", "list", "number"],
)
def test_a_document_that_is_not_a_mapping_is_one_problem(text: str, first: str) -> None:
    assert problems(text) == [first]


def test_a_second_document_is_refused_on_its_line() -> None:
    text = MINIMAL + "---\nevent: {}\n"
    assert problems(text) == [
        "day.yaml:14: a second YAML document starts here; a schedule file holds one "
        "(remove this '---' and what follows, or put it in its own file)"
    ]


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\ufffe"])
def test_a_control_character_is_a_problem_on_its_line(char: str) -> None:
    text = MINIMAL.replace("title: Main", f"title: Ma{char}in")
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith("day.yaml:7: a character YAML does not allow (U+")
    assert "column 14" in found[0]


@pytest.mark.parametrize(
    "tag", ["!!int x", "!!float abc", "!!binary %%%", "!!bool 3", "!!map [1]", "!!seq {a: 1}"]
)
def test_an_explicit_tag_that_cannot_be_built_is_a_problem_on_its_line(tag: str) -> None:
    text = MINIMAL.replace("title: Main", f"title: {tag}")
    found = problems(text)
    assert found and all(re.match(r"day\.yaml:[1-9]\d*: ", p) for p in found)
    assert any(p.startswith("day.yaml:7: ") for p in found), found


def test_a_list_as_an_id_is_a_problem_not_a_crash() -> None:
    found = problems(MINIMAL.replace("  - id: main", "  - id: [main]"))
    assert any("channels[0].id: must be text, not a list" in p for p in found), found


def test_a_key_that_is_a_list_is_an_unknown_key() -> None:
    found = problems(MINIMAL + "? [a, b]\n: 1\n")
    assert found == ["day.yaml:14: ('a', 'b'): unknown key (typo?)"]


def test_text_longer_than_the_cap_is_refused_unparsed() -> None:
    found = problems("#" * (MAX_CHARS + 1))
    assert found == [
        f"day.yaml:1: too large for a schedule ({MAX_CHARS + 1:,} characters, at most "
        f"{MAX_CHARS:,}); is this the right file?"
    ]


# -- the file at the edge ---------------------------------------------------------------


def test_a_file_that_is_not_utf8_names_the_line_and_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "day.yaml"
    path.write_bytes(MINIMAL.replace("title: Main", "title: Caf\xe9").encode("latin-1"))
    with pytest.raises(ScheduleError) as info:
        load_schedule(path)
    offset = MINIMAL.index("title: Main") + len("title: Caf")
    assert str(info.value) == (
        f"{path}:7: not UTF-8 text: byte {offset} (column 15) is 0xe9; "
        "save the file as UTF-8 in your editor"
    )


def test_a_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "day.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_schedule(path).event.title == "Day"


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "day.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES * 4)  # sparse: costs no disk
    with pytest.raises(ScheduleError) as info:
        load_schedule(path)
    assert str(info.value) == (
        f"{path}: too large for a schedule (more than {MAX_BYTES:,} bytes); is this the right file?"
    )


def test_a_directory_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError) as info:
        load_schedule(tmp_path)
    assert str(info.value) == f"{tmp_path}: cannot read: Is a directory"
