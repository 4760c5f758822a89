"""The régie card's controls: 30-second steps (buttons, keys, the delay dialog), the toggles
(hold, slate, lower third) that show the channel's state and send the toggle form, and the
moderators' timer (flash, blackout, message presets) reaching the timer's state."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.links import moderator_link
from tests.support.server import REPO, RunningServer, eventually, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"


@pytest.fixture
def welcome(tmp_path: Path) -> Iterator[RunningServer]:
    """10:25 on main: the accueil (10:00-10:30) on air, Michel FOURNIER's intervention the
    item (his strap went out at 10:20:20), the round table (soft) next at 10:30."""
    with run_server(SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:25", speed=1) as s:
        yield s


def main_state(server: RunningServer) -> dict:
    return server.get_json("/api/state?channels=main")["channels"][0]


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def open_regie(server: RunningServer, screens) -> tuple[Page, list[dict]]:
    """The régie, logged in, and the commands it sends over its websocket (as sent)."""
    sent: list[dict] = []

    def watch(page: Page) -> None:
        def on_socket(ws) -> None:
            def on_frame(payload) -> None:
                try:
                    msg = json.loads(payload)
                except (TypeError, ValueError):
                    return
                if isinstance(msg, dict) and isinstance(msg.get("command"), dict):
                    sent.append(msg["command"])

            ws.on("framesent", on_frame)

        page.on("websocket", on_socket)

    page = screens.open(f"{server.base_url}/regie?token={server.token}", before=watch).page
    expect(page.locator("#r-auth")).to_have_text("Opérateur")
    return page, sent


def last_sent(page: Page, sent: list[dict], expected: dict, count: int | None = None) -> None:
    """Until the last command the page sent over its websocket is ``expected`` (and, given
    ``count``, it has sent that many).

    Playwright hands this process a page's frames only while one of its calls runs: the server
    can have applied a command (read over HTTP) before its frame is in ``sent``.
    """
    deadline = time.monotonic() + 10
    while not sent or sent[-1] != expected or count not in (None, len(sent)):
        assert time.monotonic() < deadline, f"sent {sent}, expected {expected} (count {count})"
        page.wait_for_timeout(20)


def test_a_30_second_step_moves_the_end_by_30_seconds(welcome: RunningServer, screens) -> None:
    page, sent = open_regie(welcome, screens)
    card = page.locator('article.card[data-channel="main"]')
    planned = instant(main_state(welcome)["now"]["ends_at"])
    for label in ("−30\u00a0s", "+30\u00a0s", "+1\u00a0min", "+5\u00a0min"):
        expect(card.locator(f'[data-action="extend"]:text-is("{label}")')).to_have_count(1)

    card.locator('[data-action="extend"][data-seconds="30"]').click()
    eventually(
        lambda: (
            instant(main_state(welcome)["now"]["ends_at"]) - planned == dt.timedelta(seconds=30)
        ),
        what="+30 s",
    )
    last_sent(page, sent, {"type": "extend", "channel": "main", "seconds": 30})

    # −30 s asks first (it shortens what is on air), then brings the end back.
    card.locator('[data-action="extend"][data-seconds="-30"]').click()
    dialog = page.locator("#r-dialog")
    expect(dialog).to_contain_text("Raccourcir «\u202fPlénière\u202f» de 30\u00a0s ?")
    dialog.locator("button[type=submit]").click()
    eventually(lambda: instant(main_state(welcome)["now"]["ends_at"]) == planned, what="−30 s")
    last_sent(page, sent, {"type": "shorten", "channel": "main", "seconds": 30})

    # The keys: → is +30 s, ← is −30 s (asks), ↑ still +1 min.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("1")
    page.keyboard.press("ArrowRight")
    eventually(
        lambda: (
            instant(main_state(welcome)["now"]["ends_at"]) - planned == dt.timedelta(seconds=30)
        ),
        what="the → key",
    )
    page.keyboard.press("ArrowUp")
    eventually(
        lambda: (
            instant(main_state(welcome)["now"]["ends_at"]) - planned == dt.timedelta(seconds=90)
        ),
        what="the ↑ key",
    )
    last_sent(page, sent, {"type": "extend", "channel": "main", "minutes": 1})
    journal = page.locator("#r-journal-list li .j-text")
    expect(journal.first).to_have_text("+1\u00a0min")
    expect(journal.nth(1)).to_have_text("+30\u00a0s")


def test_the_delay_dialog_takes_steps_of_30_seconds(welcome: RunningServer, screens) -> None:
    page, sent = open_regie(welcome, screens)
    card = page.locator('article.card[data-channel="main"]')
    card.locator('[data-action="delay"]').click()
    dialog = page.locator("#r-dialog")
    expect(dialog.locator("h2")).to_have_text("Retarder la suite — Plénière")
    dialog.locator("input[name=minutes]").fill("0.5")
    dialog.locator("button[type=submit]").click()
    eventually(lambda: main_state(welcome)["delay_seconds"] == 30, what="a 30 s delay")
    nxt = main_state(welcome)["next"]
    assert instant(nxt["starts_at"]) - instant(nxt["planned_starts_at"]) == dt.timedelta(seconds=30)
    last_sent(page, sent, {"type": "delay", "channel": "main", "seconds": 30})
    expect(card.locator(".offset")).to_have_text("+0:30")


def test_the_toggles_show_the_state_and_send_the_toggle_form(
    welcome: RunningServer, screens
) -> None:
    page, sent = open_regie(welcome, screens)
    card = page.locator('article.card[data-channel="main"]')
    hold = card.locator('[data-action="hold"]')
    slate = card.locator('[data-action="slate"]')
    strap = card.locator('[data-action="lower-third"]')
    for button in (hold, slate, strap):
        expect(button).to_have_attribute("data-state", "off")
        expect(button).to_have_attribute("aria-pressed", "false")

    hold.click()
    eventually(lambda: main_state(welcome)["held"] is True, what="held")
    expect(hold).to_have_attribute("data-state", "on")
    expect(hold).to_have_text("Libérer")
    last_sent(page, sent, {"type": "hold_toggle", "channel": "main"})
    hold.click()
    eventually(lambda: main_state(welcome)["held"] is False, what="released")
    expect(hold).to_have_attribute("data-state", "off")
    expect(hold).to_have_text("Maintenir")

    slate.click()  # up: asks for its text
    dialog = page.locator("#r-dialog")
    expect(dialog.locator("h2")).to_have_text("Carton — Plénière")
    dialog.locator("textarea").fill("Coupure technique")
    dialog.locator("button[type=submit]").click()
    eventually(lambda: (main_state(welcome)["slate"] or {}).get("text") == "Coupure technique")
    expect(slate).to_have_attribute("data-state", "on")
    last_sent(page, sent, {"type": "slate_toggle", "channel": "main", "text": "Coupure technique"})
    slate.click()  # down: at once
    eventually(lambda: main_state(welcome)["slate"] is None, what="slate cleared")
    expect(slate).to_have_attribute("data-state", "off")
    # The same toggle lowers it (the text is the key's; a slate up ignores it).
    slate_key = {"type": "slate_toggle", "channel": "main", "text": "Coupure technique"}
    last_sent(page, sent, slate_key, count=4)

    assert main_state(welcome)["lower_third"]["visible"] is False  # out since 10:20:20
    strap.click()
    eventually(lambda: main_state(welcome)["lower_third"]["visible"] is True, what="strap in")
    expect(strap).to_have_attribute("data-state", "on")
    expect(strap).to_have_text("Bandeau")  # lit; the title says what a click does
    expect(strap).to_have_attribute("title", "Retirer le bandeau de l'antenne")
    last_sent(page, sent, {"type": "lower_third", "channel": "main", "action": "toggle"})
    strap.click()
    eventually(lambda: main_state(welcome)["lower_third"]["visible"] is False, what="strap out")
    expect(strap).to_have_attribute("data-state", "off")
    # The journal keeps what each toggle did.
    status, journal = welcome.request("GET", "/api/journal", token=welcome.token)
    assert status == 200, journal
    kept = [(e["command"]["type"], e["command"].get("action")) for e in journal["entries"]]
    assert kept == [
        ("hold", None),
        ("release", None),
        ("slate", None),
        ("slate_clear", None),
        ("lower_third", "in"),
        ("lower_third", "out"),
    ]


def test_flash_blackout_and_presets_reach_the_timer(welcome: RunningServer, screens) -> None:
    page, sent = open_regie(welcome, screens)
    card = page.locator('article.card[data-channel="main"]')
    flash = card.locator('[data-action="flash"]')
    expect(flash).to_have_text("Faire clignoter")
    flash.click()
    eventually(lambda: main_state(welcome)["timer"]["flash_until"] is not None, what="flash")
    doc = welcome.get_json("/api/state?channels=main")
    until = instant(doc["channels"][0]["timer"]["flash_until"]) - instant(doc["at"])
    assert dt.timedelta(seconds=5) < until <= dt.timedelta(seconds=10), until
    last_sent(page, sent, {"type": "flash", "channel": "main", "seconds": 10})

    blackout = card.locator('[data-action="blackout"]')
    expect(blackout).to_have_text("Écran noir")
    blackout.click()
    eventually(lambda: main_state(welcome)["timer"]["blackout"] is True, what="blackout")
    expect(blackout).to_have_attribute("data-state", "on")
    expect(blackout).to_have_attribute("title", "Rallumer le chrono des modérateurs")
    blackout.click()
    eventually(lambda: main_state(welcome)["timer"]["blackout"] is False, what="back on")
    expect(blackout).to_have_attribute("data-state", "off")

    presets = card.locator(".presets [data-action=preset]")
    expect(presets).to_have_text(["Concluez", "Encore 5 minutes", "Question suivante"])
    timer = screens.open(moderator_link(welcome, "main")).page
    presets.nth(2).click()
    eventually(
        lambda: (
            (main_state(welcome)["messages"]["moderators"] or {}).get("text") == "Question suivante"
        ),
        what="the preset",
    )
    last_sent(
        page,
        sent,
        {
            "type": "message",
            "channel": "main",
            "audience": "moderators",
            "text": "Question suivante",
        },
    )
    expect(timer.locator("body")).to_contain_text("Question suivante")
    # A custom message stays possible.
    card.locator('[data-action="message"][data-audience="moderators"]').click()
    dialog = page.locator("#r-dialog")
    dialog.locator("textarea").fill("Deux questions encore")
    dialog.locator("button[type=submit]").click()
    expect(timer.locator("body")).to_contain_text("Deux questions encore")


def test_every_key_is_in_the_help_and_in_the_docs(welcome: RunningServer, screens) -> None:
    source = (REPO / "web" / "static" / "regie" / "keys.js").read_text(encoding="utf-8")
    table = source[source.index("const KEYS = {") : source.index("};")]
    keys = set(re.findall(r'^\s+"?([^":\s]+)"?:', table, re.M))
    assert {"ArrowRight", "ArrowLeft", "l", "f", "b", "u"} <= keys, keys
    shown = {
        "ArrowRight": "→",
        "ArrowLeft": "←",
        "ArrowUp": "↑",
        "ArrowDown": "↓",
        " ": "Espace",
        "-": "−",
    }
    page, _ = open_regie(welcome, screens)
    page.keyboard.press("?")
    help_keys = set(page.locator("#r-help-dialog kbd").all_inner_texts())
    docs = (REPO / "docs" / "screens.md").read_text(encoding="utf-8")
    regie_docs = docs[docs.index("## Régie") : docs.index("## Overlay")]
    for key in keys - {"Backspace", "="}:  # aliases of R and +
        label = shown.get(key, key.upper())
        assert label in help_keys, (key, help_keys)
        doc_label = {"Espace": "Space"}.get(label, label)
        assert f"`{doc_label}`" in regie_docs, key
