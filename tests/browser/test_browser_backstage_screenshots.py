"""Screenshots of the backstage view and of the studio clock during a rehearsal of 7 July.

Run as a test, it checks that each screen draws the moment it is meant to show and writes the
pictures to a temporary directory. To refresh the ones in the docs:

    CONTROL_ROOM_SCREENSHOTS=docs/screenshots python -m pytest tests/browser -k screenshots
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.shots import shoot
from tests.support.server import REPO, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"


def test_screenshot_of_backstage(tmp_path: Path, screens, out_dir: Path) -> None:
    # 10:16, the clock at a hundredth of real time: the minister speaks, the welcome runs
    # 3 minutes over, the régie has asked the moderator to conclude.
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:16", speed=0.01
    ) as server:
        for command in (
            {"type": "extend", "channel": "main", "minutes": 3},
            {"type": "message", "channel": "main", "audience": "moderators", "text": "Concluez"},
        ):
            status, body = server.command(command, who="Marie (régie)")
            assert status == 200, body
        screen = screens.open(f"{server.base_url}/backstage/main?token={server.token}")
        page = screen.page
        expect(page.locator("#bs-late")).to_have_text("Retard +3:00")
        expect(page.locator("#bs-msg-moderators .bs-msg-text")).to_have_text("Concluez")
        expect(page.locator("#bs-now-notes")).to_contain_text("The programme gives only")
        shoot(page, out_dir, "backstage")
        screens.close_one(screen)


def test_screenshot_of_the_studio_clock(tmp_path: Path, screens, out_dir: Path) -> None:
    # 12:57:20: the three parcours live from Morlaix, Lille and Lyon, lunch in 2 min 40.
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T12:57:20", speed=0.01
    ) as server:
        screen = screens.open(f"{server.base_url}/clock")
        page = screen.page
        expect(page.locator("#sc-time")).to_have_text("12:57:20")
        expect(page.locator("#sc-cue-in")).to_have_text("02:40")
        expect(page.locator("#sc-cue-list li")).to_have_count(3)
        shoot(page, out_dir, "studio-clock")
        screens.close_one(screen)
