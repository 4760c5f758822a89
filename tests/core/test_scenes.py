"""Which scene the switcher asks for: the pure rules of ``control_room.core.scenes``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from control_room.core.commands import Command, SiteOverride, Slate, SlateClear
from control_room.core.scenes import desired_scene, preview_scene, scenes_needed, upcoming_scene
from control_room.core.schedule import Schedule
from control_room.core.schedule_yaml import parse_schedule
from control_room.core.timeline import JournalEntry, state
from control_room.schedule_file import load_schedule

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def day() -> Schedule:
    return load_schedule(ROOT / "schedules" / "rnct-2026-07-07.yaml")


def at(hhmmss: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"2026-07-07T{hhmmss}").replace(tzinfo=PARIS)


def scene(
    schedule: Schedule, channel: str, when: str, *commands: tuple[str, Command]
) -> str | None:
    journal = [JournalEntry(i + 1, at(t), c) for i, (t, c) in enumerate(commands)]
    return desired_scene(schedule, state(schedule, journal, at(when)).channel(channel))


@pytest.mark.parametrize(
    ("channel", "when", "expected"),
    [
        ("main", "09:55", "Attente"),  # before the show
        ("main", "10:00", "Paris-Est Marne & Bois"),
        ("main", "11:35", "Attente"),  # 11:30-11:45 gap
        ("main", "12:00", "Parcours au choix"),  # the parallel block names its scene
        ("main", "14:30", "Parcours au choix"),  # back from its lunch item
        ("main", "13:30", "Pause"),  # its lunch item is a break
        ("main", "16:20", "Paris - Maison 3Zéro"),
        ("main", "19:45", "Attente"),  # finished
        ("parcours-1", "11:44:59", "Attente"),
        ("parcours-1", "11:45", "Morlaix"),
        ("parcours-2", "11:45", "Lille"),
        ("parcours-3", "11:45", "Lyon"),
        ("parcours-1", "13:00", "Pause"),
        ("parcours-1", "14:00", "Morlaix"),
        ("parcours-3", "16:00", "Attente"),
    ],
)
def test_scene_follows_the_plan(day: Schedule, channel: str, when: str, expected: str) -> None:
    assert scene(day, channel, when) == expected


def test_main_channel_goes_back_to_paris_and_lille_after_the_parcours(day: Schedule) -> None:
    seen: list[tuple[str, str | None]] = []
    t = at("15:59")
    while t < at("19:31"):
        s = scene(day, "main", t.strftime("%H:%M:%S"))
        if not seen or seen[-1][1] != s:
            seen.append((t.strftime("%H:%M"), s))
        t += dt.timedelta(minutes=1)
    assert seen == [
        ("15:59", "Parcours au choix"),
        ("16:00", "Attente"),  # 16:00-16:15 gap
        ("16:15", "Paris - Maison 3Zéro"),
        ("17:45", "Attente"),  # 17:45-18:00 gap
        ("18:00", "Lille"),  # the closing conference is introduced from Lille
        ("18:10", "Paris - Maison 3Zéro"),  # the regards croisés
        ("19:04", "Lille"),  # mises en perspective and conclusion (estimated times)
        ("19:30", "Attente"),
    ]


def test_slate_wins_and_clearing_it_restores_the_site(day: Schedule) -> None:
    up = ("12:00", Slate(channel="parcours-2", text="Coupure réseau Lille"))
    assert scene(day, "parcours-2", "12:01", up) == "Slate"
    assert scene(day, "parcours-2", "12:05", up, ("12:05", SlateClear(channel="parcours-2"))) == (
        "Lille"
    )
    # A slate during the break wins over the break too.
    assert scene(day, "parcours-2", "13:10", ("13:05", up[1])) == "Slate"


def test_site_override_switches_to_the_fallback_site(day: Schedule) -> None:
    fallback = ("12:00", SiteOverride(channel="parcours-2", site="paris-3zero"))
    assert scene(day, "parcours-2", "12:01", fallback) == "Paris - Maison 3Zéro"
    # The override carries over the break to the afternoon (as the timeline does)...
    assert scene(day, "parcours-2", "13:30", fallback) == "Pause"
    assert scene(day, "parcours-2", "14:30", fallback) == "Paris - Maison 3Zéro"


def test_the_upcoming_scene_is_the_scene_the_timeline_puts_on_air_at_the_cue(
    day: Schedule,
) -> None:
    # Over the whole day, with a site override carried across segments: every cue the
    # preview announces comes at the instant, and with the scene, the timeline then gives.
    journal = [JournalEntry(1, at("12:20"), SiteOverride(channel="parcours-3", site="lille"))]
    cues = 0
    t = at("09:50")
    while t < at("19:40"):
        for channel in state(day, journal, t).channels:
            upcoming = upcoming_scene(day, channel, t)
            if upcoming is None:
                continue
            cue, expected = upcoming
            on_air = state(day, journal, cue).channel(channel.channel.id)
            assert desired_scene(day, on_air) == expected, (channel.channel.id, t, cue)
            cues += 1
        t += dt.timedelta(minutes=5)
    assert cues > 100


def test_preview_shows_the_next_scene_a_lead_time_before_the_cue(day: Schedule) -> None:
    before = state(day, [], at("11:44:00")).channel("parcours-1")
    lead = dt.timedelta(seconds=30)
    assert preview_scene(day, before, at("11:44:31"), lead=lead) == "Morlaix"
    assert preview_scene(day, before, at("11:44:29"), lead=lead) is None
    assert upcoming_scene(day, before, at("11:44:00")) == (at("11:45"), "Morlaix")
    lunch = state(day, [], at("12:59:50")).channel("parcours-1")
    assert preview_scene(day, lunch, at("12:59:50"), lead=lead) == "Pause"


def test_preview_sees_an_item_changing_site_inside_a_segment(day: Schedule) -> None:
    # Main channel: the closing block starts with Lille, then hands over to Paris.
    show = state(day, [], at("18:00"))
    main = show.channel("main")
    upcoming = upcoming_scene(day, main, at("18:00"))
    assert upcoming is not None
    assert upcoming[1] != desired_scene(day, main)


EXPLICIT = """
event: {title: "T", date: 2026-07-07, timezone: Europe/Paris}
switcher: {scenes: {idle: "Idle", break: "Break"}}
sites:
  - {id: a, name: A, city: A, scene: "Cam A"}
  - {id: b, name: B, city: B}
channels:
  - id: c
    title: C
    segments:
      - {id: s1, title: S1, kind: talk, start: "10:00", end: "10:30", site: a, scene: "Special"}
      - {id: s2, title: S2, kind: break, start: "10:30", end: "10:40", scene: "Coffee"}
      - {id: s3, title: S3, kind: talk, start: "10:40", end: "11:00", site: b}
"""


def test_an_explicit_segment_scene_wins_and_missing_scenes_leave_obs_alone() -> None:
    schedule = parse_schedule(EXPLICIT)
    assert scene(schedule, "c", "10:10") == "Special"
    assert scene(schedule, "c", "10:35") == "Coffee"
    assert scene(schedule, "c", "10:45") is None  # site b has no scene
    assert scene(schedule, "c", "10:46", ("10:45", Slate(channel="c", text="x"))) is None
    assert scene(schedule, "c", "12:00") == "Idle"
    # ...but an operator's site override wins over the segment's scene.
    override = ("10:05", SiteOverride(channel="c", site="a"))
    assert scene(schedule, "c", "10:10", override) == "Cam A"


def test_scenes_needed_lists_the_plan_and_the_fallbacks(day: Schedule) -> None:
    needed = scenes_needed(day, "parcours-1")
    assert needed["Morlaix"] == ["site morlaix"]
    assert needed["Pause"] == ["break"]
    assert needed["Slate"] == ["slate"] and needed["Attente"] == ["idle"]
    assert needed["Lille"] == ["fallback site lille"]
