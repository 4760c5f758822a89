"""``control-room`` itself: every subcommand is there, and ``--at`` reads one way."""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import importlib
import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from control_room.cli import FAMILIES, build_parser, main
from control_room.cli.common import at_instant, load_or_report, print_problems
from control_room.clock import ClockError
from control_room.core.schedule import Problem, ScheduleError
from control_room.schedule_file import load_schedule

REPO = Path(__file__).parents[2]
DAY = str(REPO / "schedules" / "rnct-2026-07-07.yaml")
PARIS = ZoneInfo("Europe/Paris")
SUBCOMMANDS = ("validate", "state", "rundown", "serve", "journal", "switcher", "import")


def test_every_subcommand_appears_in_the_help() -> None:
    help_text = build_parser().format_help()
    for name in SUBCOMMANDS:
        assert f"\n    {name} " in help_text, name


def test_every_subcommand_has_a_handler_and_its_own_help() -> None:
    parser = build_parser()
    for name in SUBCOMMANDS:
        out = io.StringIO()
        with redirect_stdout(out), pytest.raises(SystemExit) as done:
            parser.parse_args([name, "--help"])
        assert done.value.code == 0 and f"control-room {name}" in out.getvalue()
    assert callable(parser.parse_args(["validate", DAY]).handler)


def test_each_family_adds_the_subcommands_the_table_says_and_a_named_one_adds_only_its_own() -> (
    None
):
    everything = set()
    for family, names in FAMILIES.items():
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(f"control_room.cli.{family}").add_commands(sub)
        assert tuple(sub.choices) == names, family
        everything |= set(names)
    assert set(SUBCOMMANDS) <= everything
    chosen = build_parser("rundown")
    (actions,) = [a for a in chosen._actions if isinstance(a, argparse._SubParsersAction)]
    assert tuple(actions.choices) == ("validate", "state", "rundown")
    for unknown in (None, "--help", "servir"):
        (actions,) = [
            a for a in build_parser(unknown)._actions if isinstance(a, argparse._SubParsersAction)
        ]
        assert set(actions.choices) == everything, unknown


def test_a_server_starts_without_importing_the_other_families() -> None:
    # A fresh interpreter: this one has imported every family already.
    probe = (
        "import sys; from control_room.cli import build_parser; "
        "build_parser('serve').parse_args(['serve', 'day.yaml']); "
        "print(sorted(m for m in sys.modules if m.startswith('control_room.cli.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO
    )
    loaded = ast.literal_eval(done.stdout.strip())
    assert "control_room.cli.serve" in loaded
    others = [f"control_room.cli.{f}" for f in FAMILIES if f != "serve"]
    assert [m for m in others if m in loaded] == []


def test_an_unknown_subcommand_is_refused_listing_every_one() -> None:
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as done:
        main(["servir", DAY])
    assert done.value.code == 2
    assert "invalid choice: 'servir'" in err.getvalue()
    for name in SUBCOMMANDS:
        assert f"'{name}'" in err.getvalue(), name


def test_at_reads_a_bare_time_of_day_on_the_event_date_in_its_zone() -> None:
    schedule = load_schedule(DAY)
    assert at_instant("11:50", schedule) == dt.datetime(2026, 7, 7, 11, 50, tzinfo=PARIS)
    assert at_instant(" 11:50:30 ", schedule) == dt.datetime(2026, 7, 7, 11, 50, 30, tzinfo=PARIS)


def test_at_reads_a_naive_instant_in_the_event_zone() -> None:
    schedule = load_schedule(DAY)
    assert at_instant("2026-07-07T11:50", schedule) == dt.datetime(2026, 7, 7, 11, 50, tzinfo=PARIS)


def test_at_keeps_the_offset_of_an_aware_instant_or_time_of_day() -> None:
    schedule = load_schedule(DAY)
    noon_utc = dt.datetime(2026, 7, 7, 12, 0, tzinfo=dt.UTC)
    assert at_instant("2026-07-07T12:00Z", schedule) == noon_utc
    assert at_instant("12:00+00:00", schedule) == noon_utc


def test_at_refuses_bad_text_naming_the_flag_with_examples() -> None:
    schedule = load_schedule(DAY)
    with pytest.raises(ClockError) as refused:
        at_instant("midi", schedule)
    message = str(refused.value)
    assert message.startswith("--at: not an ISO-8601 instant or time of day: 'midi'")
    assert "2026-07-07T09:55" in message and "09:55)" in message


def test_state_and_serve_refuse_a_bad_at_the_same_way(tmp_path: Path) -> None:
    for argv in (
        ["state", DAY, "--at", "midi"],
        ["serve", DAY, "--at", "midi", "--port", "0", "--data-dir", str(tmp_path / "d")],
    ):
        err = io.StringIO()
        args = build_parser().parse_args(argv)
        status = args.handler(args, io.StringIO(), err)
        assert status in (1, 2)
        assert "--at: not an ISO-8601 instant or time of day: 'midi'" in err.getvalue()


def test_a_refused_schedule_prints_every_problem_then_a_count() -> None:
    err = io.StringIO()
    problems = [
        Problem("day.yaml", 3, "event.date", "not a date"),
        Problem("day.yaml", 9, "x", "y"),
    ]
    print_problems(ScheduleError(problems), "day.yaml", err)
    lines = err.getvalue().splitlines()
    assert lines == [str(problems[0]), str(problems[1]), "day.yaml: refused, 2 problems"]


def test_a_missing_schedule_is_one_problem_and_no_schedule(tmp_path: Path) -> None:
    err = io.StringIO()
    assert load_or_report(str(tmp_path / "nope.yaml"), err) is None
    assert err.getvalue().splitlines()[-1] == f"{tmp_path / 'nope.yaml'}: refused, 1 problem"


def test_main_returns_the_status_of_the_subcommand() -> None:
    assert main(["validate", DAY]) == 0
