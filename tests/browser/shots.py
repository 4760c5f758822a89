"""Screenshots the browser tests write: to a temporary directory, or, to refresh the ones in
the docs, where ``CONTROL_ROOM_SCREENSHOTS`` says:

    CONTROL_ROOM_SCREENSHOTS=docs/screenshots python -m pytest tests/browser -k screenshots
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page

from tests.support.server import REPO

__all__ = ["ANIMATIONS_DONE", "screenshot_dir", "shoot"]

ANIMATIONS_DONE = """() => document.getAnimations().every((a) => a.playState !== 'running'
    || a.effect.getComputedTiming().iterations === Infinity)"""
"""True once every finite animation (banner transitions, slide-ins) has finished."""


def screenshot_dir(tmp_path: Path) -> Path:
    """Where this run writes its screenshots (made if missing)."""
    target = os.environ.get("CONTROL_ROOM_SCREENSHOTS")
    path = (REPO / target) if target else tmp_path / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def shoot(page: Page, out: Path, name: str, *, full_page: bool = False) -> Path:
    """The page as it is once every finite animation (banner transitions, slide-ins) has
    finished, as ``out/name.png``."""
    page.wait_for_function(ANIMATIONS_DONE)
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    assert path.stat().st_size > 10_000, f"{name}.png looks empty"
    return path
