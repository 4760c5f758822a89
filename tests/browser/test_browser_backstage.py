"""The backstage view (/backstage/{channel}) in a real Chromium: the private notes, the people
with their functions, plan against expected times after an extend, the régie's messages; and
nobody without the régie's or that channel's moderator session sees any of it."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from control_room.tokens import TokenRole, TokenStore
from tests.support.server import REPO, RunningServer, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"
# Notes of the shipped day (main channel): the welcome, and the round table that follows it.
WELCOME_NOTE = "The programme gives only the 10:00-10:30 block"
ROUND_TABLE_NOTE = "Site change: Paris-Est Marne & Bois -> Maison 3Zéro Convergences"
# Chromium logs a page answered 401/403 as a console error: expected for a refused visitor.
_REFUSED = re.compile(r"status of 40[13]")


@pytest.fixture(scope="module")
def welcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """10:16 on 7 July: Marina FERRARI's intervention inside the 10:00-10:30 welcome. The
    rehearsal clock runs at a hundredth of real time: nothing moves by itself during the tests
    (no test depends on how fast the machine is)."""
    data = tmp_path_factory.mktemp("backstage")
    with run_server(SHIPPED_DAY, data_dir=data, at="2026-07-07T10:16", speed=0.01) as server:
        yield server


@pytest.fixture
def server(welcome: RunningServer) -> Iterator[RunningServer]:
    yield welcome
    status, body = welcome.command({"type": "reset", "channel": None})
    assert status in (200, 409), body  # 409: nothing to undo


def moderator_token(server: RunningServer, channel: str) -> str:
    name = f"Modération {channel} {secrets.token_hex(3)}"
    _, token = TokenStore(server.data_dir).create(name, TokenRole.MODERATOR, channels=[channel])
    return token


def person(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator("#bs-people .bs-person").filter(has=page.locator(".bs-name", has_text=name))


def test_backstage_shows_the_notes_and_the_people_with_their_functions(
    server: RunningServer, screens
) -> None:
    page = screens.open(f"{server.base_url}/backstage/main?token={server.token}").page
    assert server.token not in page.url  # exchanged for the session cookie at once
    expect(page.locator("#bs-channel")).to_have_text("Plénière")
    expect(page.locator("#bs-site")).to_have_text(
        re.compile("en direct de paris-est marne & bois", re.I)
    )
    expect(page.locator("#bs-now-title")).to_have_text("Accueil")
    expect(page.locator("#bs-item-title")).to_have_text("Intervention de Marina FERRARI")
    # The private notes: the segment on air's, and the next one's.
    expect(page.locator("#bs-now-notes")).to_contain_text(WELCOME_NOTE)
    expect(page.locator("#bs-next-notes")).to_contain_text(ROUND_TABLE_NOTE)
    # The speaker with her function (a minister: no organisation), the host with both.
    ferrari = person(page, "Marina FERRARI")
    expect(ferrari.locator(".bs-role")).to_have_text("Ministre")
    expect(ferrari.locator(".bs-about")).to_have_text(
        "Ministre des Sports, de la Jeunesse et de la Vie associative"
    )
    marquet = person(page, "Frédérique MARQUET")
    expect(marquet.locator(".bs-role")).to_have_text("Animation")
    expect(marquet.locator(".bs-about")).to_have_text(
        "Co-présidente — Réseau des catalyseurs territoriaux"
    )
    # The next segment's panel, with functions and organisations too.
    expect(page.locator("#bs-next-people")).to_contain_text("Sylvain WASERMAN")
    expect(page.locator("#bs-next-people")).to_contain_text("Président — ADEME")
    # The segment's items, the one on air marked; nothing has moved yet.
    rows = page.locator("#bs-items tr")
    expect(rows).to_have_count(3)
    expect(page.locator('#bs-items tr[data-status="on-air"]')).to_have_attribute(
        "data-item", "accueil-ferrari"
    )
    expect(page.locator('#bs-items tr[data-item="accueil-ouverture"]')).to_have_attribute(
        "data-status", "done"
    )
    expect(page.locator("#bs-late")).to_have_text("À l'heure")
    # A name never breaks inside: one line each.
    heights = page.evaluate(
        """() => [...document.querySelectorAll('.bs-name')].map(n => {
            const line = parseFloat(getComputedStyle(n).lineHeight) || n.offsetHeight;
            return n.getBoundingClientRect().height <= line * 1.5;
        })"""
    )
    assert heights and all(heights), heights


def test_after_an_extend_backstage_shows_the_plan_beside_the_expected_times(
    server: RunningServer, screens
) -> None:
    page = screens.open(f"{server.base_url}/backstage/main?token={server.token}").page
    expect(page.locator("#bs-late")).to_have_text("À l'heure")
    status, body = server.command({"type": "extend", "channel": "main", "minutes": 3})
    assert status == 200, body
    # The closing item stretches with its segment: planned 10:20-10:30, expected 10:20-10:33.
    last = page.locator('#bs-items tr[data-item="accueil-fournier"] td')
    expect(last.nth(1)).to_have_text("10:20 – 10:30")
    expect(last.nth(2)).to_have_text("10:20 – 10:33")
    expect(last.nth(3)).to_have_text("+3:00")
    # The item on air keeps its plan; the segment ends 3 minutes late.
    on_air = page.locator('#bs-items tr[data-item="accueil-ferrari"] td')
    expect(on_air.nth(2)).to_have_text("10:10 – 10:20")
    expect(on_air.nth(3)).to_have_text("0:00")
    expect(page.locator("#bs-now-times")).to_contain_text("10:00 – 10:30")
    expect(page.locator("#bs-now-times")).to_contain_text("10:00 – 10:33")
    expect(page.locator("#bs-now-times .bs-diff")).to_have_text("+3:00")
    # What follows starts 3 minutes late: its times and the lateness say so.
    expect(page.locator("#bs-next-times")).to_contain_text("10:30 – 11:30")
    expect(page.locator("#bs-next-times")).to_contain_text("10:33 – 11:33")
    expect(page.locator("#bs-next-times .bs-diff")).to_have_text("+3:00")
    expect(page.locator("#bs-late")).to_have_text("Retard +3:00")
    # 30-second steps read to the second.
    status, body = server.command({"type": "extend", "channel": "main", "seconds": 30})
    assert status == 200, body
    expect(last.nth(2)).to_have_text("10:20:00 – 10:33:30")
    expect(last.nth(3)).to_have_text("+3:30")
    expect(page.locator("#bs-late")).to_have_text("Retard +3:30")


def test_backstage_shows_the_regies_messages(server: RunningServer, screens) -> None:
    page = screens.open(f"{server.base_url}/backstage/main?token={server.token}").page
    expect(page.locator("#bs-msg-moderators .bs-msg-text")).to_have_text("Aucun message")
    status, body = server.command(
        {"type": "message", "channel": "main", "audience": "moderators", "text": "Concluez"}
    )
    assert status == 200, body
    status, body = server.command(
        {"type": "message", "channel": "main", "audience": "viewers", "text": "Reprise à 10:30"}
    )
    assert status == 200, body
    expect(page.locator("#bs-msg-moderators .bs-msg-text")).to_have_text("Concluez")
    expect(page.locator("#bs-msg-moderators .bs-msg-at")).to_have_text("à 10:16")
    expect(page.locator("#bs-msg-viewers .bs-msg-text")).to_have_text("Reprise à 10:30")


def test_a_moderator_of_the_channel_opens_its_backstage(server: RunningServer, screens) -> None:
    token = moderator_token(server, "main")
    page = screens.open(f"{server.base_url}/backstage/main?token={token}").page
    expect(page.locator("#bs-now-notes")).to_contain_text(WELCOME_NOTE)


def refused_page(server: RunningServer, screens, url: str) -> Page:  # type: ignore[no-untyped-def]
    screen = screens.open(url, wait=False, allow_errors=_REFUSED)
    page = screen.page
    expect(page.locator("#bs-refused")).to_be_visible()
    expect(page.locator("#bs-refused a").first).to_have_attribute(
        "href", "/login?next=/backstage/main"
    )
    # No screen, no link, no note: the page never connected and holds no text of the day.
    text = page.locator("body").inner_text()
    assert WELCOME_NOTE not in text and ROUND_TABLE_NOTE not in text
    assert "Accueil" not in text
    assert page.evaluate("() => window.controlRoom === undefined")
    assert WELCOME_NOTE not in page.content()
    return page


def test_without_a_session_backstage_is_refused_and_leaks_no_note(
    server: RunningServer, screens
) -> None:
    status, body = server.request("GET", "/backstage/main")
    assert status == 401
    assert WELCOME_NOTE not in body and "/login?next=/backstage/main" in body
    page = refused_page(server, screens, f"{server.base_url}/backstage/main")
    expect(page.locator("h1")).to_have_text("Coulisses réservées")
    # A wrong token is refused the same way (the exchange says ?login=refused).
    refused_page(server, screens, f"{server.base_url}/backstage/main?token=not-a-token")


def test_a_moderator_of_another_channel_is_refused(server: RunningServer, screens) -> None:
    token = moderator_token(server, "parcours-1")
    page = refused_page(server, screens, f"{server.base_url}/backstage/main?token={token}")
    expect(page.locator("#bs-refused")).to_have_attribute("data-refused", "forbidden")


def test_an_unknown_channel_is_a_404_page(server: RunningServer, screens) -> None:
    status, body = server.request("GET", "/backstage/nowhere")
    assert status == 404 and "Page introuvable" in body
    status, _ = server.request("GET", "/backstage/..%2Fetc")
    assert status == 404
    page = screens.open(
        f"{server.base_url}/backstage/nowhere?token={server.token}",
        wait=False,
        allow_errors=re.compile(r"status of 404"),
    ).page
    expect(page.locator("h1")).to_have_text("Page introuvable")


def test_backstage_in_english(server: RunningServer, screens) -> None:
    page = screens.open(f"{server.base_url}/backstage/main?token={server.token}&lang=en").page
    expect(page.locator("#bs-items-h")).to_have_text("The segment's items")
    expect(person(page, "Marina FERRARI").locator(".bs-role")).to_have_text("Minister")


def test_serve_prints_the_backstage_and_studio_clock_addresses(server: RunningServer) -> None:
    printed = server.output()
    for channel in ("main", "parcours-1", "parcours-2", "parcours-3"):
        assert f"{server.base_url}/backstage/{channel}" in printed, printed
    assert f"{server.base_url}/clock" in printed, printed
