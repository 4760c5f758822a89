"""Screenshots of every screen during a rehearsal of the real day (7 July 2026).

Run as a test, it checks that each screen draws the moment it is meant to show and writes the
pictures to a temporary directory. To refresh the ones in the docs:

    CONTROL_ROOM_SCREENSHOTS=docs/screenshots python -m pytest tests/browser -k screenshots
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.links import moderator_link
from tests.browser.shots import shoot
from tests.support.server import REPO, RunningServer, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"


def command(server: RunningServer, **cmd: object) -> None:
    status, body = server.command(dict(cmd), who="Marie (régie)")
    assert status == 200, body


@pytest.fixture
def morning(tmp_path: Path) -> Iterator[RunningServer]:
    """10:14: the welcome from Paris-Est Marne & Bois, a minister speaking."""
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "morning", at="2026-07-07T10:14", speed=1
    ) as s:
        yield s


@pytest.fixture
def midday(tmp_path: Path) -> Iterator[RunningServer]:
    """12:55:40: the three parcours live from Morlaix, Lille and Lyon, lunch in four minutes."""
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "midday", at="2026-07-07T12:55:40", speed=1
    ) as s:
        yield s


def test_screenshots_of_the_morning(morning: RunningServer, screens, out_dir: Path) -> None:
    base = morning.base_url
    overlay = screens.open(f"{base}/overlay/main?preview=1").page
    expect(overlay.locator("#l3-title")).to_have_text("Intervention de Marina FERRARI")
    expect(overlay.locator("#l3-live-text")).to_have_text(
        re.compile("en direct de paris-est marne & bois", re.I)
    )
    shoot(overlay, out_dir, "overlay-main-paris")

    timer = screens.open(f"{base}/timer/main").page
    expect(timer.locator("#t-sub")).to_contain_text("Intervention de Marina FERRARI")
    shoot(timer, out_dir, "timer-main")


def test_screenshots_of_midday(midday: RunningServer, screens, out_dir: Path) -> None:
    server = midday
    base = server.base_url
    # What a régie would have done by then.
    command(server, type="extend", channel="parcours-3", minutes=2)
    command(
        server,
        type="message",
        channel="main",
        audience="viewers",
        text="Choisissez votre parcours : Morlaix, Lille ou Lyon — reprise en plénière à 16:15",
    )
    command(
        server,
        type="message",
        channel="parcours-2",
        audience="moderators",
        text="Dernière question, puis pause déjeuner",
    )

    overlay = screens.open(f"{base}/overlay/parcours-1?preview=1").page
    expect(overlay.locator("#l3-live-text")).to_have_text(re.compile("en direct de morlaix", re.I))
    shoot(overlay, out_dir, "overlay-parcours-morlaix")

    main = screens.open(f"{base}/overlay/main?preview=1").page
    expect(main.locator("#parallel-list li")).to_have_count(3)
    expect(main.locator("#ticker")).to_be_visible()
    shoot(main, out_dir, "overlay-main-parcours")

    timer = screens.open(f"{base}/timer/parcours-1").page
    expect(timer.locator("#timer")).to_have_attribute("data-phase", "warning")
    shoot(timer, out_dir, "timer-warning")

    moderator = screens.open(moderator_link(server, "parcours-2", "name=Élodie")).page
    expect(moderator.locator("#t-message")).to_be_visible()
    moderator.locator("#t-ack").click()
    expect(moderator.locator("#t-ack")).to_have_text("Lu ✓")
    shoot(moderator, out_dir, "timer-message")

    # Lille takes its lunch break a few minutes early; Lyon's feed drops: slate.
    command(server, type="take", channel="parcours-2")
    breaking = screens.open(f"{base}/overlay/parcours-2?preview=1").page
    expect(breaking.locator("#l3-title")).to_have_text("Pause — reprise à 14:00")
    shoot(breaking, out_dir, "overlay-break")

    command(
        server,
        type="slate",
        channel="parcours-3",
        text="Liaison avec Lyon interrompue — nous revenons dans un instant",
    )
    slate = screens.open(f"{base}/overlay/parcours-3").page
    expect(slate.locator("#slate")).to_be_visible()
    shoot(slate, out_dir, "overlay-slate")

    # Morlaix runs over: held past its end.
    command(server, type="hold", channel="parcours-1")
    command(server, type="extend", channel="parcours-1", minutes=-5)
    over = screens.open(f"{base}/timer/parcours-1").page
    expect(over.locator("#timer")).to_have_attribute("data-phase", "overtime")
    over.wait_for_function("() => document.getElementById('t-count').textContent >= '+00:02'")
    shoot(over, out_dir, "timer-overtime")

    regie = screens.open(f"{base}/regie?token={server.token}").page
    expect(regie.locator("#r-auth")).to_have_text("Opérateur")
    expect(regie.locator('article.card[data-channel="parcours-2"] .msg-acks')).to_have_text(
        "Lu par Élodie"
    )
    regie.locator('article.card[data-channel="parcours-1"] .card-head').click()
    expect(regie.locator("#r-journal-list li")).to_have_count(7)
    shoot(regie, out_dir, "regie")

    programme = screens.open(f"{base}/?tz=Pacific/Noumea", viewport=(1280, 900)).page
    expect(programme.locator(".now-card")).to_have_count(4)
    shoot(programme, out_dir, "programme-noumea")
    phone = screens.open(f"{base}/?tz=America/Martinique", viewport=(390, 844)).page
    phone.locator('.ch[data-channel="parcours-1"]').scroll_into_view_if_needed()
    phone.evaluate("() => location.hash = '#ch-parcours-1'")
    shoot(phone, out_dir, "programme-phone")
