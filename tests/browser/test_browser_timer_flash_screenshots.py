"""Screenshots of the moderators' timer on an item, at lunch, and flashed by the régie.

Run as a test, it checks that the timer draws the moment it is meant to show and writes the
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


def test_screenshots_of_the_timer_on_an_item_and_flashed(
    tmp_path: Path, screens, out_dir: Path
) -> None:
    # 10:16 on main, the clock at a hundredth of real time: Marina FERRARI's intervention.
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:16", speed=0.01
    ) as server:
        screen = screens.open(f"{server.base_url}/timer/main")
        page = screen.page
        expect(page.locator("#t-sub")).to_contain_text("Intervention de Marina FERRARI")
        expect(page.locator("#t-count")).to_have_text("04:00")
        shoot(page, out_dir, "timer-item")
        # The régie flashes it (reduced motion: the steady frame).
        status, body = server.command({"type": "flash", "channel": "main", "seconds": 60})
        assert status == 200, body
        expect(page.locator("#timer")).to_have_attribute("data-flash", "on")
        shoot(page, out_dir, "timer-flash")
        screens.close_one(screen)


def test_screenshot_of_the_timer_at_lunch(tmp_path: Path, screens, out_dir: Path) -> None:
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T13:30", speed=0.01
    ) as server:
        screen = screens.open(f"{server.base_url}/timer/main")
        page = screen.page
        expect(page.locator("#t-label")).to_have_text("Reprise dans")
        expect(page.locator("#t-count")).to_have_text("30:00")
        shoot(page, out_dir, "timer-lunch")
        screens.close_one(screen)
