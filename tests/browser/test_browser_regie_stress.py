"""The régie under stress, on the shipped 7 July: no misleading « Ensuite » in a block's
break, private notes on the card (and nowhere public), a finished channel's take disabled,
the lateness badge as the engine counts it, item lines that name a speaker once, short
channel titles in cards and dialogs, and French typography in titles and toasts."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.server import REPO, RunningServer, eventually, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"


@pytest.fixture
def server_at(tmp_path: Path) -> Iterator[Callable[[str], RunningServer]]:
    """Start a server rehearsing 7 July from an instant, in real time (stopped after the
    test)."""
    with ExitStack() as stack:

        def start(at: str) -> RunningServer:
            data = tmp_path / at.replace(":", "")
            return stack.enter_context(run_server(SHIPPED_DAY, data_dir=data, at=at, speed=1))

        yield start


@pytest.fixture
def lunch(server_at) -> RunningServer:
    """13:30: main in its parcours block (the lunch item), each parcours in its lunch."""
    return server_at("2026-07-07T13:30")


def open_regie(server: RunningServer, screens, *, token: bool = True) -> Page:
    query = f"?token={server.token}" if token else ""
    page = screens.open(f"{server.base_url}/regie{query}").page
    if token:
        expect(page.locator("#r-auth")).to_have_text("Opérateur")
    else:
        page.locator("#r-dialog button[type=button]").click()  # no token: read-only
    return page


def card(page: Page, channel: str):
    return page.locator(f'article.card[data-channel="{channel}"]')


def test_in_the_lunch_break_the_cards_say_when_the_programme_resumes(
    lunch: RunningServer, screens
) -> None:
    page = open_regie(lunch, screens)
    main = card(page, "main")
    expect(main.locator(".site-venue")).to_have_text("Reprise des parcours à 14:00")
    expect(main).not_to_contain_text("Ensuite : Paris")
    expect(card(page, "parcours-1").locator(".site-venue")).to_have_text(
        "Reprise à 14:00 depuis Morlaix"
    )
    expect(card(page, "parcours-3").locator(".site-venue")).to_have_text(
        "Reprise à 14:00 depuis Lyon"
    )
    # The countdown counts to the resumption (14:00), not to the block's end (16:00).
    expect(main.locator(".sec-label").first).to_contain_text("Reprise dans")
    count = main.locator(".countdown")
    expect(count).to_have_text(re.compile(r"^\d\d:\d\d$"))
    minutes, seconds = (int(x) for x in count.inner_text().split(":"))
    doc = lunch.get_json("/api/state?channels=main")
    left = (
        dt.datetime.fromisoformat(doc["channels"][0]["resumes_at"])
        - dt.datetime.fromisoformat(doc["at"])
    ).total_seconds()
    assert abs(minutes * 60 + seconds - left) <= 2, (count.inner_text(), left)


def test_the_notes_are_on_the_regies_card_and_in_no_public_state(
    lunch: RunningServer, screens
) -> None:
    page = open_regie(lunch, screens)
    notes = card(page, "main").locator(".notes")
    expect(notes).to_be_visible()
    expect(notes).to_contain_text("Main channel points viewers to the three parcours")
    expect(notes).to_contain_text("À suivre — Agir ensemble en Territoire")
    # Collapsible, and a long note stays inside the card.
    body = notes.locator(".notes-body")
    fit = body.evaluate(
        """(n) => {
            const card = n.closest('article.card').getBoundingClientRect();
            const box = n.getBoundingClientRect();
            return {left: box.left >= card.left - 0.5, right: box.right <= card.right + 0.5,
                    overflowY: getComputedStyle(n).overflowY,
                    wide: n.scrollWidth <= n.clientWidth + 1};
        }"""
    )
    assert fit == {"left": True, "right": True, "overflowY": "auto", "wide": True}, fit
    notes.locator("summary").click()
    expect(body).to_be_hidden()
    notes.locator("summary").click()
    expect(body).to_be_visible()
    # Without a token, no note text anywhere: the API, and a read-only régie.
    raw = json.dumps(lunch.get_json("/api/state"), ensure_ascii=False)
    assert "Main channel points viewers" not in raw
    assert "Speakers not named" not in raw
    anonymous = open_regie(lunch, screens, token=False)
    expect(anonymous.locator("#r-auth")).to_have_text("Lecture seule")
    expect(card(anonymous, "main").locator(".now-title")).not_to_be_empty()
    expect(card(anonymous, "main").locator(".notes")).to_be_hidden()
    assert "Main channel points" not in anonymous.locator("body").inner_text()


def test_a_finished_channels_take_is_disabled_and_says_why(server_at, screens) -> None:
    server = server_at("2026-07-07T16:20")  # the parcours ended at 16:00; main goes on
    page = open_regie(server, screens)
    for channel in ("parcours-1", "parcours-2", "parcours-3"):
        take = card(page, channel).locator('[data-action="take"]')
        expect(take).to_be_disabled()
        expect(take).to_have_attribute("title", "La chaîne a terminé sa journée : rien à prendre")
    expect(card(page, "main").locator('[data-action="take"]')).to_be_enabled()
    # The keyboard cannot take it either: it says why, and nothing is sent.
    page.keyboard.press("2")
    page.keyboard.press(" ")
    expect(page.locator(".toast.error")).to_contain_text("a terminé sa journée")
    expect(page.locator("#r-dialog")).not_to_be_visible()
    status, journal = server.request("GET", "/api/journal", token=server.token)
    assert status == 200 and journal["entries"] == [], journal


def test_the_lateness_badge_is_what_is_next_against_its_plan(server_at, screens) -> None:
    server = server_at("2026-07-07T10:25")
    page = open_regie(server, screens)
    main = card(page, "main")
    badge = main.locator(".offset")
    expect(badge).to_have_text("À l'heure")
    main.locator('[data-action="extend"][data-seconds="60"]').click()
    expect(badge).to_have_text("+1:00")
    main.locator('[data-action="delay"]').click()
    page.locator("#r-dialog input[name=minutes]").fill("5")
    page.locator("#r-dialog button[type=submit]").click()

    def delayed() -> dict | None:
        ch = server.get_json("/api/state?channels=main")["channels"][0]
        return ch if ch["delay_seconds"] == 300 else None

    ch = delayed() or eventually(delayed, what="the delay")
    nxt = ch["next"]
    late = dt.datetime.fromisoformat(nxt["starts_at"]) - dt.datetime.fromisoformat(
        nxt["planned_starts_at"]
    )
    # The round table starts at 10:35 (max(10:30 + 5 min, the accueil's end 10:31)): the
    # badge reads what that costs, not the accueil's own +1:00.
    assert late == dt.timedelta(minutes=5), late
    expect(badge).to_have_text("+5:00")
    expect(page.locator(".tl-offset").first).to_have_text("+5:00")
    assert "10:35" in (badge.get_attribute("title") or "")


def test_item_lines_name_the_speaker_once_and_cards_use_short_titles(server_at, screens) -> None:
    server = server_at("2026-07-07T10:16")  # Marina FERRARI speaks (10:10-10:20)
    page = open_regie(server, screens)
    item = card(page, "main").locator(".now-item")
    expect(item).to_have_text("10:10 Intervention de Marina FERRARI")
    names = page.locator("article.card .card-name")
    expect(names).to_have_text(
        ["Plénière", "Atelier 1 · Morlaix", "Atelier 2 · Lille", "Atelier 3 · Lyon"]
    )
    # The full title stays one hover away.
    title = names.nth(1).get_attribute("title") or ""
    assert title.startswith("Atelier 1 - Projet de territoire"), title
    expect(page.locator(".tl-label")).to_have_text(
        ["Plénière", "Atelier 1 · Morlaix", "Atelier 2 · Lille", "Atelier 3 · Lyon"]
    )


def test_dialog_titles_and_toasts_keep_french_typography(server_at, screens) -> None:
    server = server_at("2026-07-07T10:25")
    page = open_regie(server, screens)
    lille = card(page, "parcours-2")
    dialog = page.locator("#r-dialog")
    titles = {}
    for action in ("delay", "slate", "site"):
        lille.locator(f'[data-action="{action}"]').click()
        titles[action] = dialog.locator("h2").inner_text()
        dialog.locator("button[type=button]").click()
    assert titles == {
        "delay": "Retarder la suite — Atelier 2 · Lille",
        "slate": "Carton — Atelier 2 · Lille",
        "site": "Site de repli — Atelier 2 · Lille",
    }, titles
    main = card(page, "main")
    main.locator('[data-action="back"]').click()  # a shared text, spaced on display
    expect(dialog.locator("p")).to_have_text(
        "Revenir au segment précédent sur «\u202fPlénière\u202f» ?"
    )
    dialog.locator("button[type=button]").click()
    main.locator('[data-action="site"]').click()
    dialog.locator("select").select_option("lille")
    dialog.locator("button[type=submit]").click()
    toast = page.locator(".toast:not(.error)").last
    expect(toast).to_have_text("Fait : Repli sur Lille — Plénière")
    assert toast.inner_text().count(":") == 1
    expect(page.locator("#r-journal-list li .j-text").first).to_have_text("Repli sur Lille")
    # Quotes take narrow no-break spaces: « Concluez ».
    main.locator(".presets [data-action=preset]").first.click()
    expect(page.locator("#r-journal-list li .j-text").first).to_have_text(
        re.compile("^Message aux modérateurs «\u202fConcluez\u202f»$")
    )
