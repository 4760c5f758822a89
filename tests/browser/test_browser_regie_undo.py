"""Undo from the régie's journal: each line's « Annuler » asks, naming the command and its
channel, sends ``undo``; the state goes back, the voided line is struck through with who
voided it, the undo's line says what it voids; a reset is undone the same way; an undo the
engine refuses shows the engine's reason."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.server import REPO, RunningServer, eventually, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"
NBSP = "\u00a0"
VOIDED = re.compile(r"\bvoided\b")


@pytest.fixture
def welcome(tmp_path: Path) -> Iterator[RunningServer]:
    """10:25 on main: the accueil (10:00-10:30, hard) on air, the round table next; nothing
    changes by itself for five minutes of real time."""
    with run_server(SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:25", speed=1) as s:
        yield s


def main_state(server: RunningServer) -> dict:
    doc = server.get_json("/api/state?channels=main")
    return doc["channels"][0]


def ends_at(server: RunningServer) -> str:
    return str(main_state(server)["now"]["ends_at"])


def open_regie(server: RunningServer, screens) -> Page:
    page = screens.open(f"{server.base_url}/regie?token={server.token}&name=Marie").page
    expect(page.locator("#r-auth")).to_have_text("Opérateur")
    return page


def line(page: Page, seq: int):
    return page.locator(f'#r-journal-list li[data-seq="{seq}"]')


def test_undo_from_the_journal_puts_the_state_back_and_strikes_the_line(
    welcome: RunningServer, screens
) -> None:
    page = open_regie(welcome, screens)
    card = page.locator('article.card[data-channel="main"]')
    card.locator('[data-action="extend"][data-seconds="300"]').click()
    eventually(lambda: ends_at(welcome).startswith("2026-07-07T10:35:00"), what="+5 min")
    first = line(page, 1)
    expect(first.locator(".j-text")).to_have_text(f"+5{NBSP}min")

    first.locator("button[data-undo]").click()
    dialog = page.locator("#r-dialog")
    title = dialog.locator("h2")
    expect(title).to_be_visible()
    assert title.inner_text() == f"Annuler : +5{NBSP}min sur Plénière"
    assert "…" not in title.inner_text()
    # The dialog's two buttons do not both say « Annuler ».
    expect(dialog.locator("button[type=button]")).to_have_text("Garder")
    dialog.locator("button[type=submit]").click()

    eventually(lambda: ends_at(welcome).startswith("2026-07-07T10:30:00"), what="undone")
    expect(first).to_have_class(VOIDED)
    expect(first).to_contain_text("annulée par #2 (Marie)")
    expect(first.locator("button[data-undo]")).to_have_count(0)
    undo = line(page, 2)
    expect(undo.locator(".j-text")).to_have_text(f"Annulation de #1 (+5{NBSP}min)")
    expect(undo).to_contain_text("annule #1")
    # The text decoration is what makes it read as struck.
    deco = first.locator(".j-text").evaluate("n => getComputedStyle(n).textDecorationLine")
    assert deco == "line-through", deco

    # The undo's line gives the command back (a redo), asking first.
    undo.locator("button[data-undo]").click()
    expect(title).to_have_text(f"Rétablir : +5{NBSP}min sur Plénière")
    dialog.locator("button[type=submit]").click()
    eventually(lambda: ends_at(welcome).startswith("2026-07-07T10:35:00"), what="redone")
    expect(line(page, 3)).to_contain_text("rétablit #1")
    expect(first).not_to_have_class(VOIDED)
    expect(undo).to_have_class(VOIDED)


def test_a_reset_is_undone_from_the_journal(welcome: RunningServer, screens) -> None:
    status, body = welcome.command({"type": "extend", "channel": "main", "minutes": 1})
    assert status == 200, body
    status, body = welcome.command({"type": "reset", "channel": "main"})
    assert status == 200, body
    assert ends_at(welcome).startswith("2026-07-07T10:30:00")
    page = open_regie(welcome, screens)
    reset = line(page, 2)
    expect(reset.locator(".j-text")).to_have_text("Réinitialisation (retour au plan)")
    reset.locator("button[data-undo]").click()
    title = page.locator("#r-dialog h2")
    expect(title).to_have_text("Annuler : Réinitialisation (retour au plan) sur Plénière")
    page.locator("#r-dialog button[type=submit]").click()
    eventually(lambda: ends_at(welcome).startswith("2026-07-07T10:31:00"), what="reset undone")
    expect(reset).to_have_class(VOIDED)


def test_an_undo_the_engine_refuses_shows_its_reason(welcome: RunningServer, screens) -> None:
    # A message long cleared: undoing it would change nothing now.
    for cmd in (
        {"type": "message", "channel": "main", "audience": "moderators", "text": "Concluez"},
        {"type": "message_clear", "channel": "main", "audience": "moderators"},
    ):
        status, body = welcome.command(cmd)
        assert status == 200, body
    page = open_regie(welcome, screens)
    message = line(page, 1)
    expect(message.locator(".j-text")).to_have_text(
        "Message aux modérateurs «\u202fConcluez\u202f»"
    )
    message.locator("button[data-undo]").click()
    page.locator("#r-dialog button[type=submit]").click()
    refused = message.locator(".j-refused")
    expect(refused).to_contain_text("Annulation refusée : undo: undoing #1")
    expect(refused).to_contain_text("would change nothing now")
    expect(page.locator(".toast.error")).to_contain_text("would change nothing now")
    expect(message).not_to_have_class(VOIDED)
    status, journal = welcome.request("GET", "/api/journal", token=welcome.token)
    assert status == 200 and len(journal["entries"]) == 2, journal  # nothing journaled
