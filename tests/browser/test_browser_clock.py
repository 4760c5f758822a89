"""The studio clock (/clock) in a real Chromium: the show time of the rehearsal clock, each
channel's on-air site, and the next cue counted down; public, it shows no note."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.server import REPO, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"
PARIS = dt.timezone(dt.timedelta(hours=2))  # 7 July: Europe/Paris is UTC+2


def seconds_of(text: str) -> int:
    """ "12:34" / "1:02:03" as seconds."""
    total = 0
    for part in text.split(":"):
        total = total * 60 + int(part)
    return total


@contextmanager
def clock_page(
    tmp_path: Path, screens, at: str, speed: float, *, name: str = "data"
) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """The studio clock of a server rehearsing ``at``."""
    with run_server(SHIPPED_DAY, data_dir=tmp_path / name, at=at, speed=speed) as server:
        screen = screens.open(f"{server.base_url}/clock")
        yield screen.page
        screens.close_one(screen)


def tile(page, channel: str):  # type: ignore[no-untyped-def]
    return page.locator(f'.sc-channel[data-channel="{channel}"]')


def test_the_clock_shows_the_rehearsed_time_and_every_channels_site(
    tmp_path: Path, screens
) -> None:
    # A hundredth of real time: the clock stays on 11:50:00 for the whole test.
    with clock_page(tmp_path, screens, "2026-07-07T11:50", 0.01) as page:
        expect(page.locator("#sc-time")).to_have_text(re.compile(r"^11:50:0\d$"))
        expect(page.locator("#sc-date")).to_have_text("mardi 7 juillet 2026")
        expect(page.locator("#sc-rehearsal")).to_be_visible()
        expect(page.locator(".sc-channel")).to_have_count(4)
        expect(tile(page, "parcours-1").locator(".sc-where")).to_have_text("En direct de Morlaix")
        expect(tile(page, "parcours-2").locator(".sc-where")).to_have_text("En direct de Lille")
        expect(tile(page, "parcours-3").locator(".sc-where")).to_have_text("En direct de Lyon")
        # The main channel hands over to the three parcours.
        expect(tile(page, "main").locator(".sc-where")).to_have_text(
            "En direct de Morlaix, Lille, Lyon"
        )
        expect(tile(page, "parcours-1").locator(".sc-name")).to_have_text("Atelier 1 · Morlaix")
        expect(tile(page, "parcours-1").locator(".sc-what")).to_have_text(
            "Les dynamiques d'innovation des écosystèmes territoriaux"
        )
        expect(tile(page, "parcours-1").locator(".sc-sub")).to_have_text("jusqu'à 13:00")
        # The next cue: the three parcours break for lunch at 13:00.
        expect(page.locator("#sc-cue-at")).to_have_text("à 13:00")
        expect(page.locator("#sc-cue-in")).to_have_text(re.compile(r"^1:(10:00|09:59)$"))
        cues = page.locator("#sc-cue-list li")
        expect(cues).to_have_count(3)
        expect(cues.first).to_contain_text("puis « Coupure »")


# Read right after a frame has drawn the page (the page's own frame callback runs first):
# what the cue shows, and the page's estimate of show time at that moment.
CUE_NOW = """() => new Promise(done => requestAnimationFrame(() => done({
    at: document.getElementById('sc-cue-at').textContent,
    left: document.getElementById('sc-cue-in').textContent,
    now: window.controlRoom.link.clock.showNow(),
})))"""


def paris_ms(hour: int, minute: int) -> float:
    return dt.datetime(2026, 7, 7, hour, minute, tzinfo=PARIS).timestamp() * 1000


def assert_counts_down_to(reading: dict, hour: int, minute: int) -> None:  # type: ignore[type-arg]
    """The cue reads ``hour:minute`` and the time left to it by the page's show time."""
    assert reading["at"] == f"à {hour:02d}:{minute:02d}", reading
    left = (paris_ms(hour, minute) - reading["now"]) / 1000
    # ceil on the page; the frame drawn and the reading are within a frame (10×: < 1 s).
    assert abs(seconds_of(reading["left"]) - left) <= 1.0, (reading, left)


def test_the_clock_counts_down_to_the_next_cue_and_moves_on_past_it(
    tmp_path: Path, screens
) -> None:
    # 12:59:30 at ten times real time: the 13:00 cue passes about three seconds after the
    # server starts (however long the page takes to load, the checks below hold); the next
    # change after it (14:00) is six minutes of real time away.
    with clock_page(tmp_path, screens, "2026-07-07T12:59:30", 10) as page:
        reading = page.evaluate(CUE_NOW)
        if reading["now"] < paris_ms(13, 0):  # the page came up before the cue
            assert_counts_down_to(reading, 13, 0)
            expect(page.locator("#sc-cue-list li")).to_have_count(3)
        # Past the cue (the page's clock says so): the parcours are on their lunch break, and
        # the next cue is its end, counted down.
        page.wait_for_function(
            "(cue) => window.controlRoom.link.clock.showNow() >= cue + 1000", arg=paris_ms(13, 0)
        )
        expect(page.locator("#sc-cue-at")).to_have_text("à 14:00")
        assert_counts_down_to(page.evaluate(CUE_NOW), 14, 0)
        expect(tile(page, "parcours-2").locator(".sc-where")).to_have_text(
            "Pause — reprise à 14:00"
        )
        expect(page.locator("#sc-cue-list li").first).to_contain_text("fin de « Coupure »")


def test_the_clock_before_and_after_the_day(tmp_path: Path, screens) -> None:
    with clock_page(tmp_path, screens, "2026-07-07T09:50", 0.01, name="before") as page:
        expect(page.locator("#sc-cue-at")).to_have_text("à 10:00")
        expect(page.locator("#sc-cue-list li")).to_have_count(1)
        expect(page.locator("#sc-cue-list .sc-cue-channel")).to_have_text("Plénière")
        expect(page.locator("#sc-cue-list .sc-cue-text")).to_have_text("début de « Accueil »")
        expect(tile(page, "main").locator(".sc-where")).to_have_text("Début à 10:00")
    with clock_page(tmp_path, screens, "2026-07-07T19:45", 0.01, name="after") as page:
        expect(page.locator("#sc-cue-at")).to_have_text("Plus rien à suivre aujourd'hui")
        expect(page.locator("#sc-cue-list li")).to_have_count(0)
        for channel in ("main", "parcours-1", "parcours-2", "parcours-3"):
            expect(tile(page, channel).locator(".sc-where")).to_have_text("Terminé")


def test_the_clock_shows_no_note_even_to_the_regie(tmp_path: Path, screens) -> None:
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T11:50", speed=0.01
    ) as server:
        # The browser holds the operator's session: the state it gets carries the notes.
        screen = screens.open(f"{server.base_url}/regie?token={server.token}")
        page = screen.page
        page.goto(f"{server.base_url}/clock")
        screen.wait_connected()
        state = page.evaluate("() => window.controlRoom.link.state")
        notes = [c["now"]["notes"] for c in state["channels"] if c["now"] and c["now"]["notes"]]
        assert notes, "the operator's session should get the notes"
        text = page.locator("body").inner_text()
        for note in notes:
            assert note not in text
        expect(page.locator(".sc-channel")).to_have_count(4)
        screens.close_one(screen)
