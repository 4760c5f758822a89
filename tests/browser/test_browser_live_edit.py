"""Live edits as the régie and the viewers see them, in real Chromium: a broken edit of the
schedule file opens the régie's panel with every problem; a fixed one closes it, and the
programme page redraws the plan with the new titles."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.support.server import REPO, run_server

LONG_DAY = REPO / "tests" / "e2e" / "long-day.yaml"
DEADLINE = 5_000  # ms: a generous event wait (the edit itself takes ~0.3 s)


def test_a_broken_edit_shows_its_problems_in_the_regie_and_a_fixed_one_reaches_the_programme(
    tmp_path: Path, screens
) -> None:
    day = tmp_path / "day.yaml"
    original = LONG_DAY.read_text(encoding="utf-8")
    day.write_text(original, encoding="utf-8")
    with run_server(day, data_dir=tmp_path / "data", at="2026-07-07T10:30", speed=1) as s:
        regie = screens.open(f"{s.base_url}/regie?token={s.token}").page
        programme = screens.open(f"{s.base_url}/").page
        expect(regie.locator("#r-auth")).to_have_text("Opérateur")
        expect(programme.locator("body")).to_contain_text("Matinée", timeout=DEADLINE)
        panel = regie.locator("#r-schedule")
        expect(panel).to_be_hidden()

        day.write_text(original.replace('start: "10:00"', 'start: "25:00"', 1), encoding="utf-8")
        expect(panel).to_be_visible(timeout=DEADLINE)
        expect(panel).to_contain_text("Nouveau programme refusé")
        expect(regie.locator("#r-schedule-list li").first).to_contain_text("day.yaml:")
        expect(regie.locator("#r-schedule-list")).to_contain_text("25:00")

        day.write_text(original.replace("Matinée", "Matinée des territoires"), encoding="utf-8")
        expect(panel).to_be_hidden(timeout=DEADLINE)
        expect(regie.locator("#r-toasts")).to_contain_text("Programme mis à jour", timeout=DEADLINE)
        expect(programme.locator("body")).to_contain_text(
            "Matinée des territoires", timeout=DEADLINE
        )
