"""The régie's flash and blackout on the moderators' timer, and overtime as an alarm, in a real
Chromium: with motion (animations running) and with ``prefers-reduced-motion`` (none running,
a steady alarm colour instead)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.server import REPO, RunningServer, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"

# What is running on the page: every animation that plays, with its name and target.
RUNNING = """() => document.getAnimations()
    .filter(a => a.playState === 'running')
    .map(a => ({name: a.animationName ?? a.transitionProperty ?? '', infinite:
        a.effect.getComputedTiming().iterations === Infinity,
        target: a.effect.target ? a.effect.target.id || a.effect.target.className : '',
        pseudo: a.effect.pseudoElement ?? ''}))"""

# Every element of the timer that shows text (or a bar), and whether any of it can be seen.
READABLE = """() => [...document.querySelectorAll('#timer *')].filter(n => {
    const style = getComputedStyle(n);
    const box = n.getBoundingClientRect();
    return style.visibility === 'visible' && box.width > 0 && box.height > 0
        && (n.textContent.trim() !== '' || n.id === 't-bar');
}).map(n => n.id || n.className)"""


def rgb(text: str) -> tuple[int, int, int]:
    r, g, b = (int(x) for x in re.findall(r"\d+", text)[:3])
    return r, g, b


def is_alarm_red(colour: str) -> bool:
    """A bright red: a strong red channel, little green or blue."""
    r, g, b = rgb(colour)
    return r >= 200 and g <= 64 and b <= 80


@pytest.fixture(scope="module")
def welcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """10:16 on 7 July, in real time: Marina FERRARI's item on air until 10:20."""
    data = tmp_path_factory.mktemp("timer-flash")
    with run_server(SHIPPED_DAY, data_dir=data, at="2026-07-07T10:16", speed=1) as server:
        yield server


@pytest.fixture
def server(welcome: RunningServer) -> Iterator[RunningServer]:
    yield welcome
    status, body = welcome.command({"type": "reset", "channel": None})
    assert status in (200, 409), body


def command(server: RunningServer, **cmd: Any) -> None:
    status, body = server.command(dict(cmd))
    assert status == 200, body


def after_flash(page: Page) -> str:
    """The colour of the flash layer (the timer's ::after) as drawn now."""
    return str(
        page.evaluate(
            "() => getComputedStyle(document.getElementById('timer'), '::after').borderTopColor"
        )
    )


def test_the_timer_flashes_after_a_flash_command_until_its_end(
    server: RunningServer, screens
) -> None:
    page = screens.open(f"{server.base_url}/timer/main", motion=True).page
    timer = page.locator("#timer")
    expect(timer).to_have_attribute("data-flash", "")
    command(server, type="flash", channel="main", seconds=600)
    expect(timer).to_have_attribute("data-flash", "on")
    running = page.evaluate(RUNNING)
    flash = [a for a in running if a["name"] == "flash"]
    assert flash and flash[0]["infinite"] and flash[0]["pseudo"] == "::after", running
    # The countdown stays on the screen under the flash.
    expect(page.locator("#t-count")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    # A new flash replaces the old one: one second, then it stops by itself.
    command(server, type="flash", channel="main", seconds=1)
    expect(timer).to_have_attribute("data-flash", "", timeout=10_000)
    assert [a for a in page.evaluate(RUNNING) if a["name"] == "flash"] == []


def test_a_blackout_leaves_nothing_readable_until_released(server: RunningServer, screens) -> None:
    page = screens.open(f"{server.base_url}/timer/main", motion=True).page
    timer = page.locator("#timer")
    expect(page.locator("#t-count")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    assert page.evaluate(READABLE), "the timer should show something before the blackout"
    command(server, type="message", channel="main", audience="moderators", text="Concluez")
    expect(page.locator("#t-message")).to_be_visible()
    command(server, type="blackout", channel="main", on=True)
    expect(timer).to_have_attribute("data-blackout", "on")
    assert page.evaluate(READABLE) == []
    assert rgb(
        page.evaluate("() => getComputedStyle(document.getElementById('timer')).backgroundColor")
    ) == (0, 0, 0)
    # Even a flash or an overtime stays black: nothing is drawn over it.
    command(server, type="flash", channel="main", seconds=600)
    expect(timer).to_have_attribute("data-flash", "on")
    assert page.evaluate(READABLE) == []
    assert [a for a in page.evaluate(RUNNING) if a["name"] in ("flash", "overtime")] == []
    # Released (the toggle form: no `on`), the timer and its message come back.
    command(server, type="blackout", channel="main")
    expect(timer).to_have_attribute("data-blackout", "")
    expect(page.locator("#t-count")).to_be_visible()
    expect(page.locator("#t-message-text")).to_have_text("Concluez")
    readable = page.evaluate(READABLE)
    assert "t-count" in readable and "t-message-text" in readable, readable


@pytest.fixture
def overtime(tmp_path: Path) -> Iterator[RunningServer]:
    """12:58 on a parcours: Morlaix's morning, held, its end brought back to 12:55."""
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T12:58", speed=1
    ) as server:
        command(server, type="hold", channel="parcours-1")
        command(server, type="extend", channel="parcours-1", minutes=-5)
        yield server


def test_overtime_flashes_a_bright_alarm_red(overtime: RunningServer, screens) -> None:
    screen = screens.open(f"{overtime.base_url}/timer/parcours-1", motion=True)
    page = screen.page
    expect(page.locator("#timer")).to_have_attribute("data-phase", "overtime")
    expect(page.locator("#t-count")).to_have_text(re.compile(r"^\+\d\d:\d\d$"))
    running = page.evaluate(RUNNING)
    assert [a for a in running if a["name"] == "overtime" and a["infinite"]], running
    # The two frames of the alarm, read from the stylesheet: bright red with white, black
    # with a bright red count.
    frames = page.evaluate(
        """() => {
            for (const sheet of document.styleSheets) {
                for (const rule of sheet.cssRules) {
                    if (rule instanceof CSSKeyframesRule && rule.name === 'overtime') {
                        return [...rule.cssRules].map(k => ({
                            bg: k.style.backgroundColor, fg: k.style.color}));
                    }
                }
            }
            return [];
        }"""
    )
    probe = page.evaluate(
        """(colours) => colours.map(c => {
            const n = document.createElement('div');
            n.style.color = c;
            document.body.append(n);
            const out = getComputedStyle(n).color;
            n.remove();
            return out;
        })""",
        [f["bg"] for f in frames] + [f["fg"] for f in frames],
    )
    bg_on, bg_off, fg_on, fg_off = probe
    assert is_alarm_red(bg_on) and rgb(fg_on) == (255, 255, 255), frames
    assert rgb(bg_off) == (0, 0, 0) and is_alarm_red(fg_off), frames
    screens.close_one(screen)


def test_with_reduced_motion_nothing_runs_and_the_alarm_is_steady(
    overtime: RunningServer, screens
) -> None:
    screen = screens.open(f"{overtime.base_url}/timer/parcours-1")  # reduced motion
    page = screen.page
    timer = page.locator("#timer")
    expect(timer).to_have_attribute("data-phase", "overtime")
    assert page.evaluate("() => matchMedia('(prefers-reduced-motion: reduce)').matches")
    assert page.evaluate(RUNNING) == []
    background = page.evaluate(
        "() => getComputedStyle(document.getElementById('timer')).backgroundColor"
    )
    assert is_alarm_red(background), background
    count = page.evaluate("() => getComputedStyle(document.getElementById('t-count')).color")
    assert rgb(count) == (255, 255, 255), count
    # A flash is a steady bright frame, not a blinking screen.
    command(overtime, type="flash", channel="parcours-1", seconds=600)
    expect(timer).to_have_attribute("data-flash", "on")
    assert page.evaluate(RUNNING) == []
    assert rgb(after_flash(page)) == (255, 210, 63)
    # A message slides in with motion only.
    command(overtime, type="message", channel="parcours-1", audience="moderators", text="Fin")
    expect(page.locator("#t-message")).to_be_visible()
    assert page.evaluate(RUNNING) == []
    screens.close_one(screen)
