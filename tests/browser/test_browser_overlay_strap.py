"""The overlay's name strap: in at an item's start, out after its time; names never broken.

Each test drives the shipped day (7 July 2026) with the rehearsal clock, or a small day of its
own for a panel too long for the strap, and reads the laid-out page in Debian's Chromium.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.server import REPO, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"
VIEWPORTS = [(1920, 1080), (1280, 720)]

# The page's show time (the link's clock), as an ISO instant in the event's zone.
SHOW_NOW = """() => new Date(window.controlRoom.link.clock.showNow()).toLocaleString('sv-SE',
    {timeZone: 'Europe/Paris'}).replace(' ', 'T')"""

# Every name of the strap: its text, how many line boxes its text makes (one: not broken),
# and whether it stays inside the strap's box.
NAMES = """() => {
    const strap = document.getElementById('l3-people').getBoundingClientRect();
    return [...document.querySelectorAll('#l3-people strong')].map((n) => {
        const range = document.createRange();
        range.selectNodeContents(n);
        const box = n.getBoundingClientRect();
        return {
            name: n.textContent,
            lines: range.getClientRects().length,
            inside: box.left >= strap.left - 0.5 && box.right <= strap.right + 0.5,
        };
    });
}"""

# How many lines the strap's boxes (people, "+ N") take.
STRAP_LINES = """() => new Set([...document.getElementById('l3-people').children]
    .map((n) => Math.round(n.getBoundingClientRect().top))).size"""


# Counts the animations played on the strap (wrapping Element.animate before the page runs).
COUNT_STRAP_ANIMATIONS = """(() => {
    window.strapAnimations = 0;
    const animate = Element.prototype.animate;
    Element.prototype.animate = function (...args) {
        if (this.id === 'l3-people') window.strapAnimations += 1;
        return animate.apply(this, args);
    };
})()"""


# Records each time the strap comes in or goes out, with the page's show time (ms).
RECORD_STRAP = """document.addEventListener('DOMContentLoaded', () => {
    window.strapChanges = [];
    const strap = document.getElementById('l3-people');
    let shown = !strap.hidden;
    new MutationObserver(() => {
        if (shown === !strap.hidden) return;
        shown = !strap.hidden;
        window.strapChanges.push({
            at: window.controlRoom.link.clock.showNow(),
            shown,
            names: [...strap.querySelectorAll('strong')].map((n) => n.textContent),
        });
    }).observe(strap, {attributes: true, attributeFilter: ['hidden']});
})"""


def watch_strap(page: Page) -> None:
    page.add_init_script(COUNT_STRAP_ANIMATIONS)
    page.add_init_script(RECORD_STRAP)


def show_time(page: Page) -> dt.datetime:
    return dt.datetime.fromisoformat(page.evaluate(SHOW_NOW))


def at(hhmmss: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"2026-07-07T{hhmmss}")


def test_the_strap_comes_in_at_the_item_start_and_leaves_after_its_time(
    tmp_path: Path, screens
) -> None:
    # 10:09:57 in real time: Marina FERRARI's intervention starts at 10:10:00; the welcome's
    # strap (the event's default, 20 s) names her until 10:10:20. Before, the welcome's own
    # strap went out at 10:00:20.
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:09:57", speed=1
    ) as server:
        url = f"{server.base_url}/overlay/main"
        still = screens.open(url, before=watch_strap).page
        moving = screens.open(url, motion=True, before=watch_strap).page
        for page in (still, moving):
            strap = page.locator("#l3-people")
            expect(strap.locator("strong")).to_have_text("Marina FERRARI", timeout=15_000)
            expect(strap).to_be_visible(timeout=15_000)
        doc = server.get_json("/api/state?channels=main")
        channel = doc["channels"][0]
        assert channel["now"]["lower_third_seconds"] == 20
        strap_doc = channel["lower_third"]
        assert [p["name"] for p in strap_doc["people"]] == ["Marina FERRARI"]
        since = dt.datetime.fromisoformat(strap_doc["since"])
        until = dt.datetime.fromisoformat(strap_doc["until"])
        assert (since.time(), until.time()) == (dt.time(10, 10), dt.time(10, 10, 20))
        for page in (still, moving):
            expect(page.locator("#l3-people")).to_be_hidden(timeout=30_000)
            # In once, at the item's start, with her name; out once, at the strap's end.
            changes = page.evaluate("() => window.strapChanges")
            assert [(c["shown"], c["names"]) for c in changes] == [
                (True, ["Marina FERRARI"]),
                (False, ["Marina FERRARI"]),
            ], changes
            came_in, went_out = (c["at"] / 1000 for c in changes)
            assert since.timestamp() <= came_in < until.timestamp(), changes
            assert went_out >= until.timestamp(), changes
            # The strap is out, the lower third stays: live from, the item, what is next.
            expect(page.locator("#l3-title")).to_have_text("Intervention de Marina FERRARI")
            expect(page.locator("#l3-live-text")).to_be_visible()
        # The strap slid out with motion; it simply went with reduced motion.
        assert moving.evaluate("() => window.strapAnimations") >= 1
        assert still.evaluate("() => window.strapAnimations") == 0


def test_a_single_speaker_has_function_and_organisation_on_a_second_line(
    tmp_path: Path, screens
) -> None:
    # 10:35: Diane de MARESCHAL introduces the round table; strap=on keeps the strap in.
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:35", speed=1
    ) as server:
        for width, height in VIEWPORTS:
            page = screens.open(
                f"{server.base_url}/overlay/main?strap=on", viewport=(width, height)
            ).page
            strap = page.locator("#l3-people")
            expect(strap).to_be_visible()
            expect(strap.locator("strong")).to_have_text("Diane de MARESCHAL")
            role = strap.locator(".strap-role")
            expect(role).to_have_text(
                "Responsable enjeux territoriaux"
                " · Institut pour la Recherche de la Caisse des Dépôts"
            )
            name_box = strap.locator("strong").bounding_box()
            role_box = role.bounding_box()
            assert name_box is not None and role_box is not None
            assert role_box["y"] >= name_box["y"] + name_box["height"] - 1, (name_box, role_box)
            names = page.evaluate(NAMES)
            assert [n["lines"] for n in names] == [1], names


@pytest.mark.parametrize("instant", ["10:45", "18:40"])
def test_a_panel_wraps_between_people_never_inside_a_name(
    tmp_path: Path, screens, instant: str
) -> None:
    # 10:45: the round table's five panellists (Sylvain WASERMAN among them); 18:40: the
    # closing conference's five.
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at=f"2026-07-07T{instant}", speed=1
    ) as server:
        doc = server.get_json("/api/state?channels=main")
        expected = [p["name"] for p in doc["channels"][0]["lower_third"]["people"]]
        assert len(expected) == 5
        for width, height in VIEWPORTS:
            page = screens.open(
                f"{server.base_url}/overlay/main?strap=on", viewport=(width, height)
            ).page
            expect(page.locator("#l3-people")).to_be_visible()
            names = page.evaluate(NAMES)
            where = f"{instant} at {width}×{height}: {names}"
            assert [n["name"] for n in names] == expected, where
            assert all(n["lines"] == 1 for n in names), where
            assert all(n["inside"] for n in names), where
            assert page.evaluate(STRAP_LINES) <= 2, where
            assert page.locator("#l3-people .strap-more").count() == 0, where


def crowded_day(path: Path, count: int) -> Path:
    """A day with one panel of `count` people with long names, 10:00–11:00."""
    people = "\n".join(
        f"""          - name: "Marie-Christine de LA ROCHEFOUCAULD-{i:02d}"
            role: panelist
            function: "Présidente"
            organisation: "Association des territoires coopératifs numéro {i}"
"""
        for i in range(1, count + 1)
    )
    path.write_text(
        f"""event:
  title: "Journée d'essai"
  date: 2026-07-07
  timezone: Europe/Paris
  start: "10:00"
  end: "11:00"
sites:
  - id: paris
    name: "Paris"
    city: "Paris"
channels:
  - id: main
    title: "Plénière"
    segments:
      - id: table
        start: "10:00"
        end: "11:00"
        title: "Une table ronde très fournie"
        kind: round_table
        site: paris
        people:
{people}""",
        encoding="utf-8",
    )
    return path


def test_a_long_panel_stays_within_its_lines_then_counts_the_others(
    tmp_path: Path, screens
) -> None:
    day = crowded_day(tmp_path / "crowded.yaml", 14)
    with run_server(day, data_dir=tmp_path / "data", at="2026-07-07T10:30", speed=1) as server:
        for query, most in (("strap=on", 2), ("strap=on&lines=1", 1), ("strap=on&lines=3", 3)):
            for width, height in VIEWPORTS:
                page = screens.open(
                    f"{server.base_url}/overlay/main?{query}", viewport=(width, height)
                ).page
                expect(page.locator("#l3-people")).to_be_visible()
                names = page.evaluate(NAMES)
                more = page.locator("#l3-people .strap-more")
                expect(more).to_have_count(1)
                hidden = int(more.inner_text().removeprefix("+ "))
                where = f"{query} at {width}×{height}: {names}, + {hidden}"
                assert len(names) + hidden == 14, where
                assert len(names) >= most, where  # at least a name a line
                assert all(n["lines"] == 1 for n in names), where
                assert all(n["inside"] for n in names), where
                assert page.evaluate(STRAP_LINES) <= most, where
                fit: dict[str, Any] = page.evaluate(
                    "() => ({scroll: document.documentElement.scrollWidth, w: innerWidth,"
                    " right: document.getElementById('l3').getBoundingClientRect().right})"
                )
                assert fit["scroll"] <= fit["w"] and fit["right"] <= fit["w"], where


def test_strap_off_never_shows_the_names(tmp_path: Path, screens) -> None:
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:45", speed=1
    ) as server:
        status, body = server.command({"type": "lower_third", "channel": "main", "action": "in"})
        assert status == 200, body
        called = screens.open(f"{server.base_url}/overlay/main").page
        off = screens.open(f"{server.base_url}/overlay/main?strap=off").page
        # Called in by the régie: the default overlay shows it, strap=off does not.
        expect(called.locator("#l3-people")).to_be_visible()
        expect(called.locator("#l3-people strong")).to_have_count(5)
        expect(off.locator("#l3-title")).to_have_text("Débat")
        expect(off.locator("#l3-people")).to_be_hidden()
        # Called out: the default overlay takes it out.
        status, body = server.command({"type": "lower_third", "channel": "main", "action": "out"})
        assert status == 200, body
        expect(called.locator("#l3-people")).to_be_hidden()
        expect(called.locator("#l3-title")).to_have_text("Débat")
