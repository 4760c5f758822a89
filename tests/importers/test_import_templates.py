"""The shipped templates import, say the same, and the XLSX is made from the CSV."""

from __future__ import annotations

import runpy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

ROOT = Path(__file__).parents[2]
TEMPLATES = ROOT / "schedules" / "templates"
Run = Callable[..., Any]  # the run_import fixture (conftest.py)


def _values(path: Path) -> list[tuple[object, ...]]:
    book = load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def test_the_shipped_xlsx_is_what_the_generator_makes_from_the_csv(tmp_path: Path) -> None:
    made = tmp_path / "programme.xlsx"
    make = runpy.run_path(str(TEMPLATES / "make_xlsx.py"))["make"]
    make(TEMPLATES / "programme.csv", made)
    assert _values(made) == _values(TEMPLATES / "programme.xlsx")


def test_both_templates_import_to_the_same_schedule(run_import: Run) -> None:
    csv = run_import(TEMPLATES / "programme.csv", "--timezone", "Europe/Paris")
    xlsx = run_import(TEMPLATES / "programme.xlsx", "--timezone", "Europe/Paris")
    assert csv.code == 0 and xlsx.code == 0, csv.err + xlsx.err
    a, b = csv.schedule(), xlsx.schedule()
    assert a.channels == b.channels
    assert a.sites == b.sites


def test_import_then_validate_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "democon.yaml"
    source = Path(__file__).parent / "samples" / "pretalx-democon.json"
    run = subprocess.run(
        [sys.executable, "-m", "control_room.importers", str(source), "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert f"{out}: imported 36 sessions" in run.stdout
    check = subprocess.run(
        [sys.executable, "-m", "control_room", "validate", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr
    assert "ok — «DemoCon»" in check.stdout


def test_bad_input_on_the_command_line_is_a_message_and_status_1_never_a_traceback(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schedule": {"conference": {"days": 3}}}\n', encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "control_room.importers", str(bad), "-o", str(tmp_path / "o.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert f"{bad}:1: conference.title: missing" in run.stderr
    assert not (tmp_path / "o.yaml").exists()
