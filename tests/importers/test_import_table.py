"""CSV and XLSX, one row per segment → schedule YAML; bad cells say file:line or Sheet!C12."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from control_room.core.schedule import Kind, PersonRole

Run = Callable[..., Any]  # the run_import fixture (conftest.py)
PARIS = ZoneInfo("Europe/Paris")
TZ = ("--timezone", "Europe/Paris")

CSV = """\
date,start,end,duration,room,title,kind,people,notes,hard
2026-07-07,09:00,09:30,,Plénière,Ouverture,opening,Camille DUPONT | host | Présidente | Asso,,
,09:30,,1h,Plénière,Table ronde,Table ronde,Alix MARTIN | moderateur; Lou B | panelist,,
,10:30,,15m,Plénière,Pause,pause,,,
,10:00,12:00,,Atelier Lyon,Atelier « cartes »,workshop,,Micro HF,no
2026-07-08,23:30,00:30,,Plénière,Nuit blanche,other,,,
"""


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_a_csv_imports_with_its_rooms_people_and_a_session_past_midnight(
    tmp_path: Path, run_import: Run
) -> None:
    r = run_import(_write(tmp_path, "programme.csv", CSV), *TZ, "--title", "Journée test")
    assert r.code == 0, r.err
    s = r.schedule()
    assert s.event.title == "Journée test"
    assert [(ch.id, ch.title) for ch in s.channels] == [
        ("main", "Plénière"),
        ("atelier-lyon", "Atelier Lyon"),
    ]
    _, table = s.segment("table-ronde")
    assert table.kind is Kind.ROUND_TABLE and table.hard is False
    assert table.end.astimezone(PARIS).strftime("%H:%M") == "10:30"
    assert table.people[1].role is PersonRole.PANELIST
    _, opening = s.segment("ouverture")
    assert (opening.people[0].function, opening.people[0].organisation) == ("Présidente", "Asso")
    _, night = s.segment("nuit-blanche")
    assert night.end.astimezone(PARIS) == dt.datetime(2026, 7, 9, 0, 30, tzinfo=PARIS)
    _, workshop = s.segment("atelier-cartes")
    assert workshop.hard is False and workshop.notes == "Micro HF"
    assert "# row (" in r.yaml and "programme.csv:5)" in r.yaml


def test_a_semicolon_csv_from_a_french_excel_in_windows_1252_imports(
    tmp_path: Path, run_import: Run
) -> None:
    text = "Jour;Début;Fin;Salle;Titre\n07/07/2026;9h30;10h;Salle 1;Clôture\n"
    r = run_import(_write(tmp_path, "prog.csv", text, "cp1252"), *TZ)
    assert r.code == 0, r.err
    _, seg = r.schedule().segment("cloture")
    assert seg.title == "Clôture"
    assert seg.start.astimezone(PARIS) == dt.datetime(2026, 7, 7, 9, 30, tzinfo=PARIS)
    assert "not UTF-8; read as Windows-1252" in r.err


def test_every_problem_of_a_csv_is_reported_at_its_line(tmp_path: Path, run_import: Run) -> None:
    text = (
        "date,start,end,duration,title,people,colour\n"
        "2026-07-07,25:00,10:00,,Un,,red\n"
        ",09:00,,,Deux,,\n"
        ",09:00,10:00,,,Ana | chef,\n"
        ',11:00,"10:00",1h,Quatre,,\n'
    )
    path = _write(tmp_path, "bad.csv", text)
    r = run_import(path, *TZ)
    assert r.code == 1
    lines = r.err.splitlines()
    assert f"{path}:2: start: not a time of day: '25:00'" in lines
    assert f"{path}:3: give exactly one of end or duration" in lines
    assert f"{path}:4: title: missing" in lines
    assert any(ln.startswith(f"{path}:4: people: Ana: unknown role 'chef'") for ln in lines)
    assert f"{path}:5: give exactly one of end or duration" in lines
    assert lines[-1] == f"{path}: refused, 5 problems"


def test_a_spreadsheet_needs_a_time_zone_and_a_title_column(
    tmp_path: Path, run_import: Run
) -> None:
    path = _write(tmp_path, "bad.csv", "start,end\n09:00,10:00\n")
    r = run_import(path)
    assert f"{path}: no 'title' column in the first row" in r.err
    assert f"{path}: a spreadsheet has no time zone: add --timezone Europe/Paris" in r.err


def _xlsx(path: Path, rows: list[list[object]], sheet: str = "Programme") -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def test_an_xlsx_with_real_dates_and_times_imports(tmp_path: Path, run_import: Run) -> None:
    path = _xlsx(
        tmp_path / "programme.xlsx",
        [
            ["Date", "Start", "End", "Duration", "Room", "Title", "Kind", "People"],
            [
                dt.date(2026, 7, 7),
                dt.time(9, 0),
                dt.time(10, 0),
                None,
                "Amphi",
                "Ouverture",
                "opening",
                "Zoë Ø | host",
            ],
            [None, dt.time(10, 0), None, dt.time(0, 45), "Amphi", "Keynote 🎤", "Keynote", None],
            [None, dt.datetime(2026, 7, 7, 23, 0), None, 120, "Amphi", "Nocturne", None, None],
            [None, None, None, None, None, None, None, None],
        ],
    )
    r = run_import(path, *TZ)
    assert r.code == 0, r.err
    s = r.schedule()
    _, keynote = s.segment("keynote")
    assert keynote.title == "Keynote 🎤" and keynote.kind is Kind.KEYNOTE
    assert keynote.end.astimezone(PARIS).strftime("%H:%M") == "10:45"
    _, night = s.segment("nocturne")
    assert night.end.astimezone(PARIS) == dt.datetime(2026, 7, 8, 1, 0, tzinfo=PARIS)
    assert night.kind is Kind.OTHER
    assert "# row (Programme!A4)" in r.yaml


def test_every_problem_of_an_xlsx_names_its_cell(tmp_path: Path, run_import: Run) -> None:
    path = _xlsx(
        tmp_path / "bad.xlsx",
        [
            ["date", "start", "end", "title", "hard"],
            ["le 7 juillet", dt.time(9, 0), dt.time(10, 0), "Un", "peut-être"],
            [dt.date(2026, 7, 7), "midi", dt.time(13, 0), "Deux", None],
        ],
        sheet="Jour 1",
    )
    r = run_import(path, *TZ)
    assert r.code == 1
    lines = r.err.splitlines()
    assert "'Jour 1'!A2: date: not a date: 'le 7 juillet' (write YYYY-MM-DD or DD/MM/YYYY)" in lines
    assert "'Jour 1'!E2: hard: not yes or no: 'peut-être'" in lines
    assert "'Jour 1'!B3: start: not a time: 'midi' (write HH:MM or an ISO date-time)" in lines


def test_sheet_picks_a_sheet_and_an_unknown_one_lists_them(tmp_path: Path, run_import: Run) -> None:
    path = _xlsx(
        tmp_path / "p.xlsx", [["title", "start", "duration"], ["Un", "2026-07-07T09:00", "30m"]]
    )
    assert run_import(path, *TZ, "--sheet", "Programme").code == 0
    r = run_import(path, *TZ, "--sheet", "Jour 2")
    assert f"{path}: no sheet 'Jour 2' (sheets: 'Programme')" in r.err
