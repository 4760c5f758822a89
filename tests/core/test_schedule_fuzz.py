"""Mutations of the shipped day never crash the parser: a refusal lists problems with lines.

Each example damages the real schedule the way an editor, a merge or a bad copy-paste
does (lines deleted, duplicated or swapped, characters changed, YAML fragments pasted,
values of the wrong type, a truncated file) and asserts that :func:`parse_schedule`
either accepts it or raises :class:`ScheduleError` whose every problem names the file
and a line.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from control_room.core.schedule import ScheduleError
from control_room.core.schedule_yaml import parse_schedule

SHIPPED = (Path(__file__).parent.parent.parent / "schedules" / "rnct-2026-07-07.yaml").read_text(
    encoding="utf-8"
)
LINES = SHIPPED.splitlines(keepends=True)

# Random examples by hand (HYPOTHESIS_EXAMPLES=20000 to search harder); in CI the same
# examples every run, so a landing never depends on luck.
PROFILE = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "1000")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FRAGMENTS = [
    "[", "]", "{", "}", "- ", "? ", ": ", ":", ",", "#", "&a ", "*a", "&a [x, *a]",
    "<<: *a", "<<: [1, 2]", "<<: 3", "!!binary xyz", "!!int x", "!!float abc", "!!bool 3",
    "!!timestamp 2026-13-45", "!!set {a, b}", "!!omap [a]", "!!python/object:os.system ''",
    "!!map [1]", "!!seq {a: 1}", "!custom 1", "!<tag:x> 1", "%YAML 1.1\n", "%TAG ! x\n",
    "---\n", "...\n", "|\n", ">-\n", '"', "'", "\\", "\t", "\x00", "\ufeff", "\u2028",
    "~", "null", "true", "no", "0x1F", "0o17", "1e999", "-.inf", ".nan", "99999999999999999999",
    "2026-02-30", "2026-07-07T25:00", "25:00", "10:60", "23:59:60", "-5", "0", "1h99",
    "id: main\n", "kind: nope\n", "start: 10:00\n", "duration: [1]\n", "people: {a: 1}\n",
    "items: 3\n", "segments: ~\n", "channels: 5\n", "sites: [[]]\n", "event: []\n",
    "hard: maybe\n", "parallel: [main, main]\n", "scene: {}\n", "timezone: Mars/Olympus\n",
    "x" * 200, "é", "😀",
]  # fmt: skip

VALUES = [
    "~", "null", "true", "false", "0", "-1", "3.5", "[]", "[1, 2]", "{}", "{a: 1}", "''",
    '"10:00"', "2026-02-30", "25:00", "10:60", "1e999", "!!binary AA==", "*nope", "&x 1",
    "[[[[[[[[]]]]]]]]", "|\n  text", "9" * 30,
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """The shipped text with one to four damages."""
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        n = len(lines)
        if n == 0:
            lines = [draw(st.sampled_from(FRAGMENTS))]
            continue
        i = draw(st.integers(0, n - 1))
        how = draw(
            st.sampled_from(
                ["delete", "duplicate", "swap", "char", "insert", "value", "indent", "truncate"]
            )
        )
        if how == "delete":
            del lines[i : i + draw(st.integers(1, 20))]
        elif how == "duplicate":
            lines[i:i] = lines[i : i + draw(st.integers(1, 20))]
        elif how == "swap":
            j = draw(st.integers(0, n - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "char":
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            c = draw(st.one_of(st.sampled_from(list(":-[]{}&*!|>#'\"%@`\t ,?0")), st.characters()))
            lines[i] = line[:k] + c + line[k + 1 :]
        elif how == "insert":
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            lines[i] = line[:k] + draw(st.sampled_from(FRAGMENTS)) + line[k:]
        elif how == "value":
            key, sep, _ = lines[i].partition(": ")
            if sep:
                lines[i] = f"{key}: {draw(st.sampled_from(VALUES))}\n"
        elif how == "indent":
            lines[i] = " " * draw(st.integers(0, 12)) + lines[i].lstrip(" ")
        else:
            text = "".join(lines)
            lines = [text[: draw(st.integers(0, len(text)))]]
    return "".join(lines)


@PROFILE
@given(text=mutated())
def test_a_damaged_schedule_is_refused_with_lines_never_a_traceback(text: str) -> None:
    try:
        parse_schedule(text, source="day.yaml")
    except ScheduleError as exc:
        assert exc.problems, "a refusal names at least one problem"
        for problem in exc.problems:
            assert problem.file == "day.yaml"
            assert problem.line >= 1, str(problem)
            assert problem.message, str(problem)
            assert str(problem).startswith(f"day.yaml:{problem.line}: ")
