"""Screenshots of the overlay's name strap, in and out, during a rehearsal of 7 July 2026.

Run as a test, it checks that the overlay draws each moment and writes the pictures to a
temporary directory. To refresh the ones in the docs:

    CONTROL_ROOM_SCREENSHOTS=docs/screenshots python -m pytest tests/browser -k screenshots

The strap is called in and out by the régie's command (``lower_third in|out``), so each
picture shows one known moment whatever the speed of the machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.shots import shoot
from tests.support.server import REPO, RunningServer, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"


def strap(server: RunningServer, action: str) -> None:
    status, body = server.command(
        {"type": "lower_third", "channel": "main", "action": action}, who="Marie (régie)"
    )
    assert status == 200, body


def test_screenshots_of_the_strap_in_and_out(tmp_path: Path, screens, out_dir: Path) -> None:
    # 10:36: Diane de MARESCHAL introduces the round table (her strap went out at 10:30:20).
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:36", speed=1
    ) as server:
        page = screens.open(f"{server.base_url}/overlay/main?preview=1").page
        expect(page.locator("#l3-title")).to_have_text(
            "Introduction sur les enseignements du séminaire de recherche 2026"
        )
        expect(page.locator("#l3-people")).to_be_hidden()
        strap(server, "in")
        expect(page.locator("#l3-people")).to_be_visible()
        expect(page.locator("#l3-people .strap-role")).to_contain_text("Caisse des Dépôts")
        shoot(page, out_dir, "overlay-strap-in")
        strap(server, "out")
        expect(page.locator("#l3-people")).to_be_hidden()
        shoot(page, out_dir, "overlay-strap-out")


def test_screenshot_of_a_panel_strap(tmp_path: Path, screens, out_dir: Path) -> None:
    # 10:45: the round table's debate, five panellists.
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:45", speed=1
    ) as server:
        page = screens.open(f"{server.base_url}/overlay/main?preview=1").page
        expect(page.locator("#l3-title")).to_have_text("Débat")
        strap(server, "in")
        expect(page.locator("#l3-people strong")).to_have_count(5)
        shoot(page, out_dir, "overlay-strap-panel")
