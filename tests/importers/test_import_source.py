"""A source is what its content says: a file that is not what its name claims says so."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).parent / "samples"
TEMPLATES = Path(__file__).parents[2] / "schedules" / "templates"
Run = Callable[..., Any]  # the run_import fixture (conftest.py)


def test_an_xlsx_named_csv_says_what_it_is(tmp_path: Path, run_import: Run) -> None:
    path = tmp_path / "programme.csv"
    shutil.copy(TEMPLATES / "programme.xlsx", path)
    r = run_import(path, "--timezone", "Europe/Paris")
    assert r.code == 1
    assert f"{path}: the name says CSV but the content is an XLSX workbook" in r.err
    assert run_import(path, "--timezone", "Europe/Paris", "--format", "xlsx").code == 0


def test_xml_named_json_says_what_it_is(tmp_path: Path, run_import: Run) -> None:
    path = tmp_path / "schedule.json"
    shutil.copy(SAMPLES / "two-days.xml", path)
    r = run_import(path)
    assert f"{path}: the name says schedule.json (JSON) but the content is Frab XML" in r.err


def test_an_html_login_page_is_not_a_programme(tmp_path: Path, run_import: Run) -> None:
    path = tmp_path / "schedule.xml"
    path.write_text("<!DOCTYPE html>\n<html><body>Log in</body></html>\n", encoding="utf-8")
    r = run_import(path)
    assert f"{path}: not a programme: this is an HTML page" in r.err


def test_an_old_excel_file_asks_for_xlsx_or_csv(tmp_path: Path, run_import: Run) -> None:
    path = tmp_path / "programme.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    assert "save it as .xlsx or CSV" in run_import(path).err


def test_a_file_with_no_known_extension_is_read_by_its_content(
    tmp_path: Path, run_import: Run
) -> None:
    path = tmp_path / "export"
    shutil.copy(SAMPLES / "frab-two-days.json", path)
    assert run_import(path).code == 0


def test_a_missing_source_is_refused(tmp_path: Path, run_import: Run) -> None:
    r = run_import(tmp_path / "nope.json")
    assert f"{tmp_path / 'nope.json'}: cannot read: No such file or directory" in r.err


def test_an_existing_output_is_kept_unless_force(tmp_path: Path) -> None:
    import argparse
    import io

    from control_room.importers.cli import add_import_arguments, import_main

    out = tmp_path / "edited.yaml"
    out.write_text("# my edits\n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    add_import_arguments(parser)
    err = io.StringIO()
    args = parser.parse_args([str(SAMPLES / "frab-two-days.json"), "-o", str(out)])
    assert import_main(args, out=io.StringIO(), err=err) == 1
    assert "exists; give --force" in err.getvalue()
    assert out.read_text(encoding="utf-8") == "# my edits\n"
    args = parser.parse_args([str(SAMPLES / "frab-two-days.json"), "-o", str(out), "--force"])
    assert import_main(args, out=io.StringIO(), err=io.StringIO()) == 0
    assert out.read_text(encoding="utf-8").startswith("# Imported by")
