"""``validate``, ``state`` and ``rundown`` (control_room.cli.offline), run as a user would."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from control_room.core.document import state_document
from control_room.core.timeline import state
from control_room.schedule_file import load_schedule

DAY = str(Path(__file__).parents[2] / "schedules" / "rnct-2026-07-07.yaml")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "control_room", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_validate_accepts_the_shipped_day_with_a_summary() -> None:
    out = run("validate", DAY)
    assert out.returncode == 0, out.stderr
    assert "ok" in out.stdout and "4 channels" in out.stdout


def test_validate_refuses_a_broken_file_with_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "event: {title: T, date: 2026-07-07, timezone: Europe/Paris}\n"
        "channels:\n"
        "  - id: main\n"
        "    title: Main\n"
        "    segments:\n"
        "      - {id: a, start: '10:00', end: '09:00', title: A, kind: plenary}\n"
        "      - {id: b, start: '11:00', end: '12:00', title: B, kind: plenary, sit: x}\n",
        encoding="utf-8",
    )
    out = run("validate", str(bad))
    assert out.returncode == 1
    lines = out.stderr.splitlines()
    assert f"{bad}:6: channels[main].segments[a].end: ends at or before its start" in out.stderr
    assert f"{bad}:7: channels[main].segments[b].sit: unknown key (typo?)" in out.stderr
    assert lines[-1] == f"{bad}: refused, 2 problems"
    assert "Traceback" not in out.stderr


def test_state_at_11_50_has_the_three_parcours_live_from_their_cities() -> None:
    out = run("state", DAY, "--at", "2026-07-07T11:50:00+02:00", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["at"] == "2026-07-07T11:50:00+02:00"
    chans = {c["id"]: c for c in doc["channels"]}
    assert chans["main"]["now"]["kind"] == "parallel"
    cities = {p["channel"]: p["site"]["city"] for p in chans["main"]["parallel"]}
    assert cities == {"parcours-1": "Morlaix", "parcours-2": "Lille", "parcours-3": "Lyon"}
    p1 = chans["parcours-1"]
    assert p1["now"]["starts_at"] == "2026-07-07T11:45:00+02:00"
    assert p1["now"]["ends_at"] == "2026-07-07T13:00:00+02:00"
    assert p1["next"]["kind"] == "break"


def test_state_in_the_morning_is_live_from_paris_est() -> None:
    out = run("state", DAY, "--at", "2026-07-07T10:05:00+02:00")
    assert out.returncode == 0, out.stderr
    main = out.stdout.split("\n\n")[1]
    assert "10:00–10:30  Accueil" in main
    assert "EN DIRECT DE PARIS-EST MARNE & BOIS" in main


def test_state_refuses_a_bad_instant_clearly() -> None:
    out = run("state", DAY, "--at", "midi")
    assert out.returncode == 2
    assert "--at" in out.stderr and "Traceback" not in out.stderr


def test_rundown_lists_every_channel_and_person() -> None:
    out = run("rundown", DAY)
    assert out.returncode == 0, out.stderr
    for text in (
        "main",
        "parcours-1",
        "Morlaix",
        "Frédérique MARQUET — Co-présidente, Réseau des catalyseurs territoriaux",
        "Marina FERRARI — Ministre des Sports, de la Jeunesse et de la Vie associative",
        "Philippe JAHSHAN",
    ):
        assert text in out.stdout


# What is on air on main, and from where, across the real day (no command given).
MAIN_DAY = [
    ("09:59:59", "before", None, None, None),
    ("10:00", "on_air", "accueil", "Paris-Est Marne & Bois", None),
    ("10:15", "on_air", "accueil", "Paris-Est Marne & Bois", "Intervention de Marina FERRARI"),
    ("10:35", "on_air", "table-ronde", "Paris", None),
    ("11:35", "gap", None, None, None),
    ("11:45", "on_air", "parcours", None, None),
    ("13:30", "on_air", "parcours", None, "Coupure"),
    ("14:30", "on_air", "parcours", None, None),
    ("16:10", "gap", None, None, None),
    ("16:20", "on_air", "agir-ensemble", "Paris", None),
    ("17:50", "gap", None, None, None),
    ("18:05", "on_air", "conference-conclusive", "Lille", "Introduction"),
    ("18:15", "on_air", "conference-conclusive", "Paris", None),
    ("19:25", "on_air", "conference-conclusive", "Lille", "Conclusion institutionnelle"),
    ("19:30", "finished", None, None, None),
]


@pytest.mark.parametrize(("at", "status", "segment", "city", "item"), MAIN_DAY)
def test_state_follows_the_real_day_on_main(
    at: str, status: str, segment: str | None, city: str | None, item: str | None
) -> None:
    schedule = load_schedule(DAY)
    t = dt.datetime.fromisoformat(f"2026-07-07T{at}+02:00")
    doc = state_document(schedule, state(schedule, (), t))
    main = doc["channels"][0]
    assert main["id"] == "main" and main["status"] == status
    assert (main["now"] or {}).get("id") == segment
    assert (main["site"] or {}).get("city") == city
    if item is not None:
        assert main["now"]["item"]["title"] == item


@pytest.mark.parametrize(
    ("channel", "city"),
    [("parcours-1", "Morlaix"), ("parcours-2", "Lille"), ("parcours-3", "Lyon")],
)
def test_each_parcours_is_live_from_its_city_with_lunch_at_13(channel: str, city: str) -> None:
    schedule = load_schedule(DAY)

    def at(hhmm: str) -> dict[str, Any]:
        t = dt.datetime.fromisoformat(f"2026-07-07T{hhmm}+02:00")
        doc = state_document(schedule, state(schedule, (), t))
        return next(c for c in doc["channels"] if c["id"] == channel)

    assert at("11:44")["status"] == "before"
    assert at("11:45")["site"]["city"] == city
    lunch = at("13:30")
    assert lunch["now"]["kind"] == "break" and lunch["site"] is None
    assert lunch["next"]["starts_at"] == "2026-07-07T14:00:00+02:00"
    assert at("15:59")["site"]["city"] == city
    assert at("16:00")["status"] == "finished"
