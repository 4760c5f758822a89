"""The shipped day (schedules/rnct-2026-07-07.yaml) loads and says what the programme says.

The reference is the organisers' programme, v8 of 8 June (shared/seed/000_2a8bf5272d46b51d.txt).
What it states is copied below by hand, not parsed from it: if the programme changes, this
test and the schedule file change together.

The docs (docs/schedule-format.md) are kept honest here too: their example is the example
file, their sample error report is what the loader says, every model field is documented.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from control_room.cli import main
from control_room.core.schedule import (
    Channel,
    Event,
    Item,
    Person,
    Schedule,
    ScheduleError,
    Segment,
    Site,
)
from control_room.core.schedule_yaml import parse_duration
from control_room.schedule_file import load_schedule

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "schedules" / "rnct-2026-07-07.yaml"
EXAMPLES = ROOT / "schedules" / "examples"
DOC = ROOT / "docs" / "schedule-format.md"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def day() -> Schedule:
    return load_schedule(SHIPPED)


def at(hhmm: str) -> dt.datetime:
    """An instant on the show day, Paris time."""
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(2026, 7, 7, h, m, tzinfo=PARIS)


def hhmm(instant: dt.datetime) -> str:
    return instant.astimezone(PARIS).strftime("%H:%M")


def segment(day: Schedule, segment_id: str) -> Segment:
    return day.segment(segment_id)[1]


def item(seg: Segment, item_id: str) -> Item:
    (found,) = [i for i in seg.items if i.id == item_id]
    return found


def everyone(day: Schedule) -> list[tuple[str, Person]]:
    """Every person entry of the file, with the id of the segment or item naming them."""
    out: list[tuple[str, Person]] = []
    for ch in day.channels:
        for seg in ch.segments:
            out += [(seg.id, p) for p in seg.people]
            for it in seg.items:
                out += [(it.id, p) for p in it.people]
    return out


# --------------------------------------------------------------------------- the event


def test_shipped_schedule_loads(day: Schedule) -> None:
    assert day.event.title == "2èmes Rencontres Nationales de la Coopération Territoriale"
    assert day.event.subtitle == "2026-2033 : quelles trajectoires en commun ?"


def test_event_is_7_july_2026_from_10_00_to_19_30_paris_time(day: Schedule) -> None:
    assert day.event.date == dt.date(2026, 7, 7)
    assert day.event.timezone.key == "Europe/Paris"
    assert day.event.start == at("10:00")
    assert day.event.end == at("19:30")


def test_sites_are_the_five_places_of_the_programme(day: Schedule) -> None:
    cities = {site.id: (site.name, site.city) for site in day.sites.values()}
    assert cities == {
        "paris-est": ("Paris-Est Marne & Bois", "Paris-Est Marne & Bois"),
        "paris-3zero": ("Maison 3Zéro Convergences", "Paris"),
        "morlaix": ("Morlaix", "Morlaix"),
        "lille": ("Lille", "Lille"),
        "lyon": ("Lyon", "Lyon"),
    }
    assert day.sites["paris-3zero"].venue == "Maison 3Zéro Convergences"


def test_every_site_and_non_site_state_has_a_switcher_scene(day: Schedule) -> None:
    assert all(site.scene for site in day.sites.values())
    assert len({site.scene for site in day.sites.values()}) == len(day.sites)
    assert set(day.switcher_scenes) == {"break", "slate", "idle"}


def test_channels_are_the_plenary_and_the_three_parcours(day: Schedule) -> None:
    assert [ch.id for ch in day.channels] == ["main", "parcours-1", "parcours-2", "parcours-3"]
    assert day.channel("main").title == "Plénière"
    assert day.channel("parcours-1").title.startswith(
        "Atelier 1 - Projet de territoire & coopérations"
    )
    assert day.channel("parcours-2").title.startswith(
        "Atelier 2 – Vers de nouveaux équilibres socio-économiques"
    )
    assert day.channel("parcours-3").title.startswith(
        "Atelier 3 – Développer & valoriser les compétences pour piloter des trajectoires"
    )


# --------------------------------------------------------------------------- the blocks

# (segment id, start, end, site, kind, hard) of the main channel, from the "Déroulé".
MAIN_BLOCKS = [
    ("accueil", "10:00", "10:30", "paris-est", "opening", True),
    ("table-ronde", "10:30", "11:30", "paris-3zero", "round_table", False),
    ("parcours", "11:45", "16:00", None, "parallel", True),
    ("agir-ensemble", "16:15", "17:45", "paris-3zero", "plenary", True),
    ("conference-conclusive", "18:00", "19:30", "lille", "closing", True),
]


def test_main_channel_blocks_have_the_programme_times_and_sites(day: Schedule) -> None:
    blocks = [
        (seg.id, hhmm(seg.start), hhmm(seg.end), seg.site, seg.kind.value, seg.hard)
        for seg in day.channel("main").segments
    ]
    assert blocks == MAIN_BLOCKS


def test_block_times_are_not_marked_estimated(day: Schedule) -> None:
    for ch in day.channels:
        for seg in ch.segments:
            assert not seg.estimated, seg.id


def test_gaps_between_blocks_have_no_segment(day: Schedule) -> None:
    segments = day.channel("main").segments
    gaps = [
        (hhmm(a.end), hhmm(b.start)) for a, b in zip(segments, segments[1:]) if a.end != b.start
    ]
    assert gaps == [("11:30", "11:45"), ("16:00", "16:15"), ("17:45", "18:00")]


def test_parallel_block_points_at_the_three_parcours(day: Schedule) -> None:
    block = segment(day, "parcours")
    assert block.parallel == ("parcours-1", "parcours-2", "parcours-3")
    assert block.title == "2026-2033 : quelles trajectoires en « Commun(s) » ?"
    (lunch,) = block.items
    assert (hhmm(lunch.start), hhmm(lunch.end), lunch.kind and lunch.kind.value) == (
        "13:00",
        "14:00",
        "break",
    )


@pytest.mark.parametrize(
    ("channel_id", "site"),
    [("parcours-1", "morlaix"), ("parcours-2", "lille"), ("parcours-3", "lyon")],
)
def test_each_parcours_runs_11_45_to_16_00_with_lunch_13_00_to_14_00(
    day: Schedule, channel_id: str, site: str
) -> None:
    run = [
        (hhmm(seg.start), hhmm(seg.end), seg.site, seg.kind.value, seg.hard)
        for seg in day.channel(channel_id).segments
    ]
    assert run == [
        ("11:45", "13:00", site, "workshop", True),
        ("13:00", "14:00", None, "break", False),
        ("14:00", "16:00", site, "workshop", True),
    ]


def test_sub_parts_the_programme_does_not_time_are_estimated(day: Schedule) -> None:
    for seg_id in ("accueil", "table-ronde", "agir-ensemble", "conference-conclusive"):
        seg = segment(day, seg_id)
        assert seg.items, seg_id
        assert all(it.estimated for it in seg.items), seg_id
        assert seg.items[0].start == seg.start and seg.items[-1].end == seg.end, seg_id
        assert all(a.end == b.start for a, b in zip(seg.items, seg.items[1:])), seg_id
    assert not segment(day, "parcours").items[0].estimated  # "coupure 13h-14h" is printed


def test_the_round_table_opens_with_diane_de_mareschal(day: Schedule) -> None:
    intro = segment(day, "table-ronde").items[0]
    assert [p.name for p in intro.people] == ["Diane de MARESCHAL"]


def test_closing_conference_is_introduced_from_lille_and_debated_from_paris(
    day: Schedule,
) -> None:
    closing = segment(day, "conference-conclusive")
    parts = [(it.id, it.site) for it in closing.items]
    assert parts == [
        ("conclusive-introduction", "lille"),
        ("conclusive-richesses-humaines", "paris-3zero"),
        ("conclusive-financement", "paris-3zero"),
        ("conclusive-nouvelles-alliances", "paris-3zero"),
        ("conclusive-mises-en-perspective", None),
        ("conclusive-conclusion", None),
    ]
    for it in closing.items[1:4]:
        assert it.title.startswith("Regards croisés sur les ")
        moderators = [p.name for p in it.people if p.role.value == "moderator"]
        assert moderators == ["Elodie JULLIEN"], it.id
    perspectives = item(closing, "conclusive-mises-en-perspective")
    assert [p.name for p in perspectives.people] == [
        "Charles-Benoît HEIDSIECK",
        "Philippe JAHSHAN",
    ]
    assert item(closing, "conclusive-conclusion").title == "Conclusion institutionnelle"


# --------------------------------------------------------------------------- the people

# Every person the programme names, where, and as what:
# (where, name, role, function, organisation). Ministers have no organisation in it.
PEOPLE = [
    (
        "accueil",
        "Frédérique MARQUET",
        "host",
        "Co-présidente",
        "Réseau des catalyseurs territoriaux",
    ),
    (
        "accueil-ferrari",
        "Marina FERRARI",
        "minister",
        "Ministre des Sports, de la Jeunesse et de la Vie associative",
        None,
    ),
    (
        "accueil-fournier",
        "Michel FOURNIER",
        "minister",
        "Ministre délégué, chargé de la Ruralité",
        None,
    ),
    (
        "table-ronde-introduction",
        "Diane de MARESCHAL",
        "introduction",
        "Responsable enjeux territoriaux",
        "Institut pour la Recherche de la Caisse des Dépôts",
    ),
    (
        "table-ronde",
        "Christophe BOUILLON",
        "panelist",
        "Maire de Barentin, Président",
        "APVF et ANCT",
    ),
    ("table-ronde", "Philippe DA COSTA", "panelist", "Président", "Fondation des Territoires"),
    (
        "table-ronde",
        "Philippe JOUANNY",
        "panelist",
        "Président d'honneur",
        "Fédération des Entreprises de Propreté",
    ),
    ("table-ronde", "Sylvain WASERMAN", "panelist", "Président", "ADEME"),
    (
        "table-ronde",
        "Elodie JULLIEN",
        "moderator",
        "co-fondatrice",
        "Réseau des catalyseurs territoriaux",
    ),
    (
        "agir-ensemble-fonds-odd17",
        "Anne-Valérie CRESPO",
        "panelist",
        "Qualifiée Maître de conférence de l'Université de Montpellier, Déléguée au "
        "Développement Régional social-sociétal du Groupe LA POSTE en région Occitanie, "
        "Présidente",
        "Observatoire des partenariats",
    ),
    ("agir-ensemble-fonds-odd17", "Brigitte GIRAUD", "panelist", "Présidente", "Fonds ODD 17"),
    (
        "agir-ensemble-fonds-odd17",
        "Charles-Benoît HEIDSIECK",
        "moderator",
        "Président-Fondateur",
        "RAMEAU",
    ),
    (
        "agir-ensemble-transition-ecologique",
        "Ilaria CASILLO",
        "panelist",
        "Directrice Exécutive Prospective et Recherche",
        "ADEME",
    ),
    (
        "agir-ensemble-transition-ecologique",
        "Antoine CHARLOT",
        "panelist",
        "Directeur général",
        "Comité 21",
    ),
    (
        "agir-ensemble-transition-ecologique",
        "Luc BELLIERE",
        "panelist",
        "Président",
        "Persee3c et PTCE CI&EL à Montargis",
    ),
    (
        "agir-ensemble-transition-ecologique",
        "Guennolé POIX",
        "moderator",
        "Chef de projet COMETE",
        "CGDD",
    ),
    (
        "conclusive-introduction",
        "Delphine VANDEVOORDE",
        "introduction",
        "Co-présidente",
        "Réseau des catalyseurs territoriaux",
    ),
    (
        "conclusive-richesses-humaines",
        "Daphné KHALIFA",
        "panelist",
        "Directrice",
        "PETR Briançonnais, Écrins, Guillestrois-Queyras",
    ),
    ("conclusive-richesses-humaines", "Vincent PACINI", "panelist", "Enseignant-chercheur", "CNAM"),
    (
        "conclusive-richesses-humaines",
        "Josepha PORET",
        "panelist",
        "Déléguée générale de Ronalpia, Co-présidente",
        "Kiff",
    ),
    (
        "conclusive-richesses-humaines",
        "Elodie JULLIEN",
        "moderator",
        "co-fondatrice",
        "Réseau des catalyseurs territoriaux",
    ),
    ("conclusive-financement", "Lucie COULON", "panelist", "Déléguée générale", "Cluster'Jura"),
    (
        "conclusive-financement",
        "Cécile FERRIEUX",
        "panelist",
        "Enseignantes & stagiaire",
        "AgroParisTech",
    ),
    (
        "conclusive-financement",
        "Daniel GOUEU",
        "panelist",
        "Enseignantes & stagiaire",
        "AgroParisTech",
    ),
    (
        "conclusive-financement",
        "Clara JEZEWSKI-BEC",
        "panelist",
        "Cheffe du pôle ingénierie ruralité",
        "Conseil Régional Grand Est",
    ),
    (
        "conclusive-financement",
        "Elodie JULLIEN",
        "moderator",
        "co-fondatrice",
        "Réseau des catalyseurs territoriaux",
    ),
    (
        "conclusive-nouvelles-alliances",
        "Nathalie DAVID",
        "panelist",
        "Déléguée générale",
        "Fondation GRDF",
    ),
    (
        "conclusive-nouvelles-alliances",
        "Adrien HUC",
        "panelist",
        "Délégué général",
        "Réseau Alliances",
    ),
    ("conclusive-nouvelles-alliances", "Sylvain RIGAUD", "panelist", "Délégué général", "RNMA"),
    (
        "conclusive-nouvelles-alliances",
        "Elodie JULLIEN",
        "moderator",
        "co-fondatrice",
        "Réseau des catalyseurs territoriaux",
    ),
    (
        "conclusive-mises-en-perspective",
        "Charles-Benoît HEIDSIECK",
        "speaker",
        "Président-Fondateur du laboratoire de recherche empirique",
        "Le RAMEAU",
    ),
    (
        "conclusive-mises-en-perspective",
        "Philippe JAHSHAN",
        "speaker",
        "Directeur Stratégie, Prospective et Relations Institutionnelles",
        "AFD",
    ),
]


def test_every_person_of_the_programme_is_there_as_printed(day: Schedule) -> None:
    found = [
        (where, p.name, p.role.value, p.function, p.organisation) for where, p in everyone(day)
    ]
    missing = [entry for entry in PEOPLE if entry not in found]
    assert missing == []


def test_nobody_is_invented(day: Schedule) -> None:
    found = [
        (where, p.name, p.role.value, p.function, p.organisation) for where, p in everyone(day)
    ]
    extra = [entry for entry in found if entry not in PEOPLE]
    assert extra == []
    assert len(found) == len(PEOPLE)


def test_the_programme_names_28_distinct_people(day: Schedule) -> None:
    names = {p.name for _, p in everyone(day)}
    assert len(names) == 28
    # The programme writes surnames in upper case; keep them so.
    for name in names:
        surname = name.split(" ", 1)[1].removeprefix("de ")
        assert surname == surname.upper(), name


# --------------------------------------------------------------------------- the CLI


def test_control_room_validate_accepts_the_shipped_day(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["validate", str(SHIPPED)]) == 0
    out, err = capsys.readouterr()
    assert ": ok" in out
    assert err == ""


# --------------------------------------------------------------------------- the docs


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_the_docs_example_is_the_example_file_and_it_loads() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", _doc(), flags=re.S)
    example = (EXAMPLES / "minimal.yaml").read_text(encoding="utf-8")
    assert example in blocks
    schedule = load_schedule(EXAMPLES / "minimal.yaml")
    # The soft segment follows its predecessor; the first item starts with its segment.
    table_ronde = schedule.segment("table-ronde")[1]
    assert (hhmm(table_ronde.start), hhmm(table_ronde.end)) == ("09:30", "10:30")
    ministre = item(schedule.segment("ouverture")[1], "ouverture-ministre")
    assert hhmm(ministre.start) == "09:10"


def test_the_docs_error_report_is_what_validation_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the report names the file as the docs' command line does
    doc = _doc()
    start = doc.index("## What validation checks")
    (report,) = re.findall(r"```text\n(.*?)```", doc[start:], flags=re.S)
    documented = report.strip().splitlines()
    with pytest.raises(ScheduleError) as caught:
        load_schedule("schedules/examples/broken.yaml")
    actual = [str(problem) for problem in caught.value.problems]
    assert documented[:-1] == actual
    assert documented[-1] == f"schedules/examples/broken.yaml: refused, {len(actual)} problems"


@pytest.mark.parametrize(
    "model", [Event, Site, Channel, Segment, Item, Person], ids=lambda m: m.__name__
)
def test_every_field_of_the_model_is_documented(model: type) -> None:
    doc = _doc()
    internal = {"source"}
    undocumented = [
        f.name
        for f in dataclasses.fields(model)
        if f.name not in internal and f"`{f.name}`" not in doc
    ]
    assert undocumented == []


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30m", 1800),
        ("1h30", 5400),
        ("1h30m", 5400),
        ("1h", 3600),
        ("45s", 45),
        ("1m30s", 90),
        ("90", 5400),
        (90, 5400),
    ],
)
def test_documented_durations_mean_what_the_docs_say(text: str | int, seconds: int) -> None:
    assert f"`{text}`" in _doc()
    assert parse_duration(text).total_seconds() == seconds
