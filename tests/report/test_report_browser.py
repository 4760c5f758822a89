"""The served report in real headless Chromium: its strict CSP lets its own stylesheet
through and nothing else, it prints on A4 landscape, and its picture goes in the docs.

    CONTROL_ROOM_SCREENSHOTS=docs/screenshots python -m pytest tests/report -k browser
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.support.server import REPO, run_server

from .conftest import DAY

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CONTROL_ROOM_CHROMIUM", "/usr/bin/chromium"))


def test_the_served_report_draws_with_its_own_css_and_prints_on_a4(
    day_data_dir: Path, tmp_path: Path
) -> None:
    target = os.environ.get("CONTROL_ROOM_SCREENSHOTS")
    out = (REPO / target) if target else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    data = tmp_path / "data"
    shutil.copytree(day_data_dir, data)
    with (
        run_server(DAY, data_dir=data, at="2026-07-07T20:00", speed=1) as server,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            response = page.goto(f"{server.base_url}/report?token={server.token}")
            assert response is not None and response.status == 200
            background = page.eval_on_selector("th", "e => getComputedStyle(e).backgroundColor")
            assert background == "rgb(238, 241, 246)"  # the inline stylesheet was allowed
            assert errors == []
            assert page.locator("section.channel").count() == 4
            assert page.locator('tr[data-id="table-ronde"]').inner_text().count("10:30:30") == 1
            page.screenshot(path=str(out / "report.png"), full_page=False)
            pdf = page.pdf(prefer_css_page_size=True, print_background=True)
            assert pdf.startswith(b"%PDF")
        finally:
            browser.close()
