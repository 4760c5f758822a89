"""Fixtures of the browser tests: one headless Debian Chromium per session, the real server.

Chromium is the system's (``/usr/bin/chromium``, installed by ``.ci/run`` with apt-get), driven
by the Python ``playwright`` package; a browser download (``playwright install``) is never
needed. Each test opens its pages in fresh browser contexts; every page records its console
errors, uncaught exceptions and dialogs (an ``alert()`` would mean injected script ran), and
the ``screens`` fixture fails the test if a page logged an error it did not expect.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.shots import ANIMATIONS_DONE, screenshot_dir
from tests.support.server import REPO, RunningServer, run_server

CHROMIUM = Path(os.environ.get("CONTROL_ROOM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"
HOSTILE_DAY = Path(__file__).resolve().parent / "hostile-day.yaml"

# Chromium logs a failed websocket handshake as a console error: expected while a server is down.
WS_DOWN = re.compile(r"WebSocket connection to .* failed|ERR_CONNECTION_REFUSED")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """Where a test's screenshots go (see :mod:`tests.browser.shots`)."""
    return screenshot_dir(tmp_path)


@dataclass
class Screen:
    """A page and what it reported: console errors, uncaught exceptions, dialogs."""

    page: Page
    context: BrowserContext
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    allow: re.Pattern[str] | None = None

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not (self.allow and self.allow.search(e))]

    def wait_connected(self, timeout: float = 10_000) -> None:
        """Until the page's link is open and it has drawn a state."""
        self.page.wait_for_function(
            "() => document.documentElement.dataset.link === 'open'"
            " && Boolean(window.controlRoom && window.controlRoom.link.state)",
            timeout=timeout,
        )

    def settle(self) -> None:
        """After the next rendering update, until every finite animation (banner transitions,
        slide-ins) has finished.

        The rendering update is where Chromium runs a resize's listeners (the overlay scales its
        stage in one): a page measured right after ``set_viewport_size`` can still be laid out
        for the old size. Two animation frames put the measure after that update.
        """
        self.page.evaluate(
            "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        self.page.wait_for_function(ANIMATIONS_DONE)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)


class Screens:
    """Opens pages; checks at the end that none logged an unexpected error."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.opened: list[Screen] = []

    def open(
        self,
        url: str,
        *,
        viewport: tuple[int, int] = (1920, 1080),
        before: Callable[[Page], None] | None = None,
        allow_errors: re.Pattern[str] | None = None,
        wait: bool = True,
        motion: bool = False,
    ) -> Screen:
        # Reduced motion (no decorative pulsing, instant banner changes) keeps a dozen pages
        # cheap for a small CI machine; tests of the transitions ask for motion.
        context = self.browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            locale="fr-FR",
            timezone_id="Europe/Paris",
            reduced_motion="no-preference" if motion else "reduce",
        )
        page = context.new_page()
        screen = Screen(page, context, allow=allow_errors)

        def on_console(message: Any) -> None:
            if message.type == "error":
                screen.errors.append(message.text)

        def on_dialog(dialog: Any) -> None:
            screen.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("console", on_console)
        page.on("pageerror", lambda exc: screen.errors.append(f"uncaught: {exc}"))
        page.on("dialog", on_dialog)
        if before is not None:
            before(page)
        page.goto(url)
        self.opened.append(screen)
        if wait:
            screen.wait_connected()
        return screen

    def close_one(self, screen: Screen, where: str = "") -> None:
        """Close one page (before its server stops, else it would log its attempts to
        reconnect), once it is checked for errors it did not expect."""
        assert not screen.unexpected_errors(), where
        self.opened.remove(screen)
        screen.context.close()

    def close(self) -> list[str]:
        problems = []
        for screen in self.opened:
            problems += [f"{screen.page.url}: {e}" for e in screen.unexpected_errors()]
            problems += [f"{screen.page.url}: dialog {d!r}" for d in screen.dialogs]
            screen.context.close()
        self.opened.clear()
        return problems


@pytest.fixture
def screens(browser: Browser) -> Iterator[Screens]:
    s = Screens(browser)
    try:
        yield s
    finally:
        problems = s.close()
    assert not problems, "pages reported errors:\n" + "\n".join(problems)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def day_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The shipped 7 July, rehearsed in real time from 12:05: the three parcours are on air
    (Morlaix, Lille, Lyon) and the main channel points to them; nothing changes by itself
    for the next 55 minutes."""
    data = tmp_path_factory.mktemp("day-data")
    with run_server(SHIPPED_DAY, data_dir=data, at="2026-07-07T12:05", speed=1) as server:
        yield server


@pytest.fixture
def day(day_server: RunningServer) -> Iterator[RunningServer]:
    """The shared rehearsal, back to the plan after the test."""
    yield day_server
    status, body = day_server.command({"type": "reset", "channel": None})
    assert status in (200, 409), body  # 409: nothing to undo


@pytest.fixture
def port_factory() -> Callable[[], int]:
    return free_port
