"""Frab schedule.xml → schedule YAML that validates; bad XML says where."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from control_room.core.schedule import Kind

SAMPLES = Path(__file__).parent / "samples"
Run = Callable[..., Any]  # the run_import fixture (conftest.py)
PARIS = ZoneInfo("Europe/Paris")


def test_frab_xml_with_two_days_midnight_and_an_empty_room_imports(run_import: Run) -> None:
    r = run_import(SAMPLES / "two-days.xml")
    assert r.code == 0, r.err
    s = r.schedule()
    assert s.event.title == "Rencontres d'été — Édition 2026"
    assert s.event.date == dt.date(2026, 7, 7)
    assert [(ch.id, ch.title) for ch in s.channels] == [
        ("main", "Grand Amphi"),
        ("salle-2", "Salle 2"),
    ]
    assert '# Room "Salle vide" has no session' in r.yaml
    _, night = s.segment("concert-de-minuit")
    assert night.title == "Concert de minuit 🎶"
    assert night.end.astimezone(PARIS) == dt.datetime(2026, 7, 8, 0, 45, tzinfo=PARIS)
    _, closing = s.segment("cloture")
    assert closing.kind is Kind.CLOSING
    assert closing.start.astimezone(PARIS).date() == dt.date(2026, 7, 8)
    assert "Frab XML, frab, version Zählwerk 2" in r.yaml.splitlines()[0]


def test_frab_persons_without_ids_and_missing_optional_fields_are_fine(run_import: Run) -> None:
    r = run_import(SAMPLES / "two-days.xml")
    s = r.schedule()
    _, opening = s.segment("ouverture-bienvenue-a-tous")
    assert [p.name for p in opening.people] == ["Frédérique MARQUET", "Ægir Þórsson"]
    assert opening.subtitle == "Mot d'accueil"
    _, panel = s.segment("table-ronde-les-communs")
    assert panel.people == () and panel.subtitle is None and panel.notes is None
    assert "# session 102 (" in r.yaml and "two-days.xml:34)" in r.yaml


def test_main_names_the_room_that_becomes_the_main_channel(run_import: Run) -> None:
    s = run_import(SAMPLES / "two-days.xml", "--main", "Salle 2").schedule()
    assert [(ch.id, ch.title) for ch in s.channels] == [
        ("main", "Salle 2"),
        ("grand-amphi", "Grand Amphi"),
    ]
    r = run_import(SAMPLES / "two-days.xml", "--main", "Salle 9")
    assert r.code == 1
    assert "--main 'Salle 9': no such room with sessions ('Grand Amphi', 'Salle 2')" in r.err


def test_a_sites_file_maps_rooms_to_sites(tmp_path: Path, run_import: Run) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text(
        '[sites.lyon]\nname = "Lyon"\ncity = "Lyon"\nvenue = "Halle Tony Garnier"\n'
        'scene = "Cam Lyon"\nrooms = ["Grand Amphi", "Salle 2"]\n',
        encoding="utf-8",
    )
    s = run_import(SAMPLES / "two-days.xml", "--sites", str(sites)).schedule()
    assert list(s.sites) == ["lyon"]
    assert s.sites["lyon"].venue == "Halle Tony Garnier"
    assert s.sites["lyon"].scene == "Cam Lyon"
    assert {seg.site for ch in s.channels for seg in ch.segments} == {"lyon"}


def test_a_sites_file_with_mistakes_lists_them_all(tmp_path: Path, run_import: Run) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text('[sites.Lyon]\nnom = "Lyon"\nrooms = "Grand Amphi"\n', encoding="utf-8")
    r = run_import(SAMPLES / "two-days.xml", "--sites", str(sites))
    assert r.code == 1
    for message in (
        "sites.Lyon: not an id",
        "sites.Lyon.nom: unknown key (typo?)",
        "sites.Lyon.city: missing",
        "sites.Lyon.rooms: must be a list of room names",
    ):
        assert f"{sites}: {message}" in r.err
    assert f"{SAMPLES / 'two-days.xml'}: refused, 4 problems" in r.err


def test_every_problem_of_a_frab_xml_is_reported_at_its_line(
    tmp_path: Path, run_import: Run
) -> None:
    text = (SAMPLES / "two-days.xml").read_text(encoding="utf-8")
    text = text.replace("<title>Table ronde : les communs</title>", "", 1)
    text = text.replace("<duration>01:30</duration>", "<duration>long</duration>", 1)
    path = tmp_path / "broken.xml"
    path.write_text(text, encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    line_102 = next(n for n, ln in enumerate(lines, 1) if 'id="102"' in ln)
    line_201 = next(n for n, ln in enumerate(lines, 1) if 'id="201"' in ln)
    r = run_import(path)
    assert r.code == 1
    assert f"{path}:{line_102}: event 102: title: missing" in r.err
    assert f"{path}:{line_201}: event 201: duration: not HH:MM: 'long'" in r.err
    assert f"{path}: refused, 2 problems" in r.err


def test_malformed_xml_says_where(tmp_path: Path, run_import: Run) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<schedule>\n  <conference>\n    <title>x</titel>\n", encoding="utf-8")
    r = run_import(path)
    assert r.code == 1
    assert f"{path}:3: malformed XML: mismatched tag" in r.err


def test_entity_expansion_is_refused(tmp_path: Path, run_import: Run) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>\n'
        "<schedule><conference><title>&lol2;</title></conference></schedule>\n",
        encoding="utf-8",
    )
    r = run_import(path)
    assert r.code == 1
    assert f"{path}: refused XML" in r.err
    assert "Traceback" not in r.err


def test_an_xml_that_is_not_a_schedule_says_so(tmp_path: Path, run_import: Run) -> None:
    path = tmp_path / "feed.xml"
    path.write_text("<rss>\n</rss>\n", encoding="utf-8")
    r = run_import(path)
    assert f"{path}:1: not a Frab schedule: the root is <rss>" in r.err
