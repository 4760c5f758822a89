"""The overlay of the main channel during the parcours: the box collapses, the lunch says
what resumes.

Driven by the rehearsal clock on the shipped day (7 July 2026): the parcours block runs
11:45–16:00 on main, with its 13:00–14:00 lunch item; each parcours has its own lunch segment.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.server import REPO, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"

SHOW_NOW = """() => new Date(window.controlRoom.link.clock.showNow()).toLocaleString('sv-SE',
    {timeZone: 'Europe/Paris'}).replace(' ', 'T')"""


def show_time(page: Page) -> dt.datetime:
    return dt.datetime.fromisoformat(page.evaluate(SHOW_NOW))


PARIS = dt.timezone(dt.timedelta(hours=2))  # 7 July: summer time


def box_height(page: Page) -> float:
    box = page.locator("#parallel").bounding_box()
    assert box is not None
    return box["height"]


def test_the_parcours_box_collapses_to_a_slim_bar_after_its_first_minute(
    tmp_path: Path, screens
) -> None:
    # 11:45:05 at twice real time: the parcours started at 11:45:00; their first minute ends
    # 27.5 s (of real time) later.
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T11:45:05", speed=2
    ) as server:
        base = server.base_url
        auto = screens.open(f"{base}/overlay/main").page
        full = screens.open(f"{base}/overlay/main?box=full").page
        slim = screens.open(f"{base}/overlay/main?box=slim").page
        doc = server.get_json("/api/state?channels=main")
        now = doc["channels"][0]["now"]
        assert now["kind"] == "parallel"
        started = dt.datetime.fromisoformat(now["starts_at"])
        assert started == dt.datetime(2026, 7, 7, 11, 45, tzinfo=PARIS)
        for page in (auto, full, slim):
            expect(page.locator("#parallel-list li")).to_have_count(3)
            expect(page.locator("#parallel")).to_be_visible()
        # The first minute: the whole box, each parcours with its title (read at once with
        # the page's show time).
        first = auto.evaluate(
            """() => ({slim: document.getElementById('parallel').classList.contains('slim'),
                height: document.getElementById('parallel').getBoundingClientRect().height,
                at: window.controlRoom.link.clock.showNow()})"""
        )
        assert first["at"] < (started + dt.timedelta(minutes=1)).timestamp() * 1000, first
        assert not first["slim"] and first["height"] > 200, first
        expect(auto.locator("#parallel .parallel-what").first).to_be_visible()
        # Then a slim bar: one line, each parcours' number and city.
        expect(auto.locator("#parallel")).to_have_class("parallel slim", timeout=60_000)
        assert show_time(auto) >= (started + dt.timedelta(minutes=1)).replace(tzinfo=None)
        auto.wait_for_function("() => document.getAnimations().length === 0")
        low = box_height(auto)
        assert low < 90, low
        expect(auto.locator("#parallel .parallel-what").first).to_be_hidden()
        expect(auto.locator("#parallel .where-city")).to_have_text(["Morlaix", "Lille", "Lyon"])
        for city in auto.locator("#parallel .where-city").all():
            expect(city).to_be_visible()
        # box=full stays whole, box=slim was slim from the start.
        expect(full.locator("#parallel")).to_have_class("parallel")
        assert box_height(full) > 200
        expect(slim.locator("#parallel")).to_have_class("parallel slim")
        assert box_height(slim) < 90


def test_in_the_lunch_of_the_block_what_is_next_is_what_resumes(tmp_path: Path, screens) -> None:
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T13:30", speed=1
    ) as server:
        doc = server.get_json("/api/state")
        channels = {c["id"]: c for c in doc["channels"]}
        main = channels["main"]
        assert main["now"]["item"]["kind"] == "break"
        assert main["next"]["id"] == "agir-ensemble"  # the 16:15 plenary: not what resumes
        assert dt.datetime.fromisoformat(main["resumes_at"]).strftime("%H:%M") == "14:00"

        page = screens.open(f"{server.base_url}/overlay/main").page
        expect(page.locator("#l3-title")).to_have_text("Pause — reprise à 14:00")
        expect(page.locator("#l3-next")).to_be_visible()
        expect(page.locator("#l3-next-time")).to_have_text("14:00")
        expect(page.locator("#l3-next-title")).to_have_text("Reprise des 3 parcours")
        expect(page.locator("#parallel")).to_be_hidden()

        # A parcours' own lunch: what resumes is its afternoon.
        afternoon = channels["parcours-1"]["next"]["title"]
        parcours = screens.open(f"{server.base_url}/overlay/parcours-1").page
        expect(parcours.locator("#l3-title")).to_have_text("Pause — reprise à 14:00")
        expect(parcours.locator("#l3-next-time")).to_have_text("14:00")
        expect(parcours.locator("#l3-next-title")).to_have_text(afternoon)

        english = screens.open(f"{server.base_url}/overlay/main?lang=en").page
        expect(english.locator("#l3-title")).to_have_text("Break — back at 14:00")
        expect(english.locator("#l3-next-title")).to_have_text("The 3 parcours resume")
