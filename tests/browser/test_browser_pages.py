"""Each screen renders in a real Chromium, escapes what it is given, and guards the régie."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.server import RunningServer, run_server

pytestmark = pytest.mark.browser

LIVE_FROM = re.compile(r"en direct de", re.IGNORECASE)


def test_every_page_renders_without_console_errors(day: RunningServer, screens) -> None:
    base = day.base_url
    regie = screens.open(f"{base}/regie?token={day.token}")
    expect(regie.page.locator("article.card")).to_have_count(4)
    expect(regie.page.locator('article.card[data-channel="parcours-1"] .site-live')).to_have_text(
        re.compile("en direct de morlaix", re.I)
    )
    expect(regie.page.locator("#r-auth")).to_have_text("Opérateur")
    expect(regie.page.locator(".tl-row")).to_have_count(4)

    overlay = screens.open(f"{base}/overlay/parcours-2")
    expect(overlay.page.locator("#l3-live-text")).to_have_text(
        re.compile("en direct de lille", re.I)
    )
    expect(overlay.page.locator("#l3-next-title")).to_have_text("Coupure")

    main = screens.open(f"{base}/overlay/main")
    expect(main.page.locator("#parallel-list li")).to_have_count(3)
    expect(main.page.locator("#parallel-list")).to_contain_text("Morlaix", ignore_case=True)

    timer = screens.open(f"{base}/timer/parcours-3")
    expect(timer.page.locator("#t-count")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(timer.page.locator("#t-site")).to_have_text(re.compile("en direct de lyon", re.I))
    expect(timer.page.locator("#timer")).to_have_attribute("data-phase", "normal")

    programme = screens.open(f"{base}/?tz=Pacific/Noumea")
    expect(programme.page.locator(".now-card")).to_have_count(4)
    expect(programme.page.locator(".ch")).to_have_count(4)
    on_air = programme.page.locator('.ch[data-channel="parcours-1"] .row.on-air')
    expect(on_air).to_have_count(1)
    expect(on_air.locator(".live-from")).to_have_text(re.compile("en direct de morlaix", re.I))


def test_an_overlay_is_a_transparent_1920x1080_source_without_scrollbars(
    day: RunningServer, screens
) -> None:
    overlay = screens.open(f"{day.base_url}/overlay/parcours-1")
    expect(overlay.page.locator("#l3")).to_be_visible()
    looks = overlay.js(
        """() => ({
            html: getComputedStyle(document.documentElement).backgroundColor,
            body: getComputedStyle(document.body).backgroundColor,
            scrollW: document.documentElement.scrollWidth,
            scrollH: document.documentElement.scrollHeight,
            stage: [document.getElementById('stage').offsetWidth,
                    document.getElementById('stage').offsetHeight],
        })"""
    )
    assert looks["html"] == "rgba(0, 0, 0, 0)"
    assert looks["body"] == "rgba(0, 0, 0, 0)"
    assert (looks["scrollW"], looks["scrollH"]) == (1920, 1080)
    assert looks["stage"] == [1920, 1080]


def test_overlay_options_place_and_theme_the_banner(day: RunningServer, screens) -> None:
    overlay = screens.open(
        f"{day.base_url}/overlay/parcours-1?position=top-right&safe=10&theme=light&accent=0a7cff"
    )
    expect(overlay.page.locator("#l3")).to_be_visible()
    overlay.settle()
    box = overlay.page.locator("#l3").bounding_box()
    assert box is not None
    assert box["y"] == pytest.approx(108, abs=2)  # 10 % of 1080 from the top
    assert box["x"] + box["width"] == pytest.approx(1920 - 192, abs=2)  # 10 % from the right
    tag = overlay.page.locator(".l3-live")
    assert tag.evaluate("n => getComputedStyle(n).backgroundColor") == "rgb(10, 124, 255)"
    assert "theme-light" in (overlay.page.locator("#stage").get_attribute("class") or "")


def test_pages_speak_english_with_lang_en(day: RunningServer, screens) -> None:
    overlay = screens.open(f"{day.base_url}/overlay/parcours-1?lang=en")
    expect(overlay.page.locator("#l3-live-text")).to_have_text(
        re.compile("live from morlaix", re.I)
    )
    expect(overlay.page.locator(".l3-next-label")).to_have_text("Up next")
    timer = screens.open(f"{day.base_url}/timer/parcours-1?lang=en")
    expect(timer.page.locator("#t-label")).to_have_text("Time left")


def test_the_programme_reads_right_in_every_overseas_time_zone(day: RunningServer, screens) -> None:
    # 11:45 in Paris (UTC+2 in July) for each zone, with the day when it is not the 7th.
    expected = {
        "America/Martinique": ("05:45", None),  # Fort-de-France, UTC-4
        "America/Cayenne": ("06:45", None),  # UTC-3
        "Indian/Reunion": ("13:45", None),  # Saint-Denis, UTC+4
        "Indian/Mayotte": ("12:45", None),  # Mamoudzou, UTC+3
        "Pacific/Noumea": ("20:45", None),  # UTC+11
        "Pacific/Tahiti": ("23:45", "6 juil."),  # Papeete, UTC-10: the day before
    }
    page = screens.open(f"{day.base_url}/").page
    row = page.locator('.ch[data-channel="parcours-1"] .row[data-segment="parcours-1-matin"]')
    for zone, (time, date) in expected.items():
        page.select_option("#p-tz-select", zone)
        zone_line = row.locator(".t-zone")
        expect(zone_line).to_contain_text(f"{time} –")
        if date:
            expect(zone_line).to_contain_text(date)
        expect(row.locator(".t-paris")).to_contain_text("11:45 – 13:00")
    # Across midnight there, both dates: 23:45 (the 6th) – 01:00 (the 7th) in Papeete, and
    # 23:00 – 01:00 from the 7th to the 8th in Nouméa for the afternoon.
    expect(row.locator(".t-zone")).to_contain_text("6 juil. → 7 juil.")
    page.select_option("#p-tz-select", "Pacific/Noumea")
    afternoon = page.locator(
        '.ch[data-channel="parcours-1"] .row[data-segment="parcours-1-apres-midi"] .t-zone'
    )
    expect(afternoon).to_contain_text("23:00 – 01:00")
    expect(afternoon).to_contain_text("7 juil. → 8 juil.")
    page.select_option("#p-tz-select", "Pacific/Tahiti")
    # The browser's own zone is offered too, and the choice survives a reload.
    options = page.locator("#p-tz-select option").all_text_contents()
    assert any("Fort-de-France" in o for o in options)
    assert any("Papeete" in o for o in options)
    page.reload()
    expect(page.locator("#p-tz-select")).to_have_value("Pacific/Tahiti")


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data = tmp_path_factory.mktemp("hostile-data")
    with run_server(
        Path(__file__).resolve().parent / "hostile-day.yaml",
        data_dir=data,
        at="2026-07-07T10:20",
        speed=1,
    ) as server:
        yield server


INJECTED = "<img src=x onerror=alert(1)>"


def test_texts_from_the_schedule_and_the_operator_stay_text(hostile_server, screens) -> None:
    server = hostile_server
    for command in (
        {"type": "message", "channel": "main", "audience": "moderators", "text": INJECTED},
        {"type": "message", "channel": "main", "audience": "viewers", "text": INJECTED},
    ):
        status, body = server.command(command)
        assert status == 200, body
    base = server.base_url
    pages = [
        screens.open(f"{base}/regie?token={server.token}"),
        screens.open(f"{base}/overlay/main"),
        screens.open(f"{base}/timer/main"),
        screens.open(f"{base}/"),
    ]
    regie, overlay, timer, programme = pages
    expect(overlay.page.locator("#l3-title")).to_have_text("<img src=x onerror=alert(4)>")
    expect(overlay.page.locator("#l3-live-text")).to_have_text(
        re.compile(re.escape("<img src=x onerror=alert(2)>"), re.I)
    )
    expect(overlay.page.locator("#l3-people strong")).to_have_text(
        "<b onmouseover=alert(6)>Élodie</b>"
    )
    expect(overlay.page.locator("#ticker-text")).to_have_text(INJECTED)
    expect(timer.page.locator("#t-message-text")).to_have_text(INJECTED)
    expect(timer.page.locator("#t-channel")).to_have_text("<script>alert(3)</script> Plénière")
    expect(regie.page.locator(".card .now-title")).to_have_text("<img src=x onerror=alert(4)>")
    expect(regie.page.locator(".msg-text").first).to_contain_text(INJECTED)
    expect(programme.page.locator("#p-title")).to_have_text(
        "<img src=x onerror=alert(1)> Rencontres"
    )
    expect(programme.page.locator(".row-title").last).to_have_text(
        "<iframe src=javascript:alert(8)></iframe>"
    )
    # The operator's slate too.
    status, body = server.command({"type": "slate", "channel": "main", "text": INJECTED})
    assert status == 200, body
    expect(overlay.page.locator("#slate-text")).to_have_text(INJECTED)
    for screen in pages:
        counts = screen.js(
            "() => ['img','script:not([src])','svg','iframe','b','i','u','a[href^=javascript]']"
            ".map(s => document.body.querySelectorAll(s).length)"
        )
        assert counts == [0] * 8, (screen.page.url, counts)
        assert screen.dialogs == []


def test_the_regie_refuses_to_act_without_the_token(day: RunningServer, screens) -> None:
    before = day.get_json("/-/health")["journal_entries"]
    regie = screens.open(f"{day.base_url}/regie")
    page = regie.page
    # It asks for the token at once; dismissed, it stays read-only and says so.
    dialog = page.locator("#r-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[type=password]")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    banner = page.locator("#r-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Jeton opérateur manquant")
    expect(page.locator("#r-auth")).to_have_text("Lecture seule")
    card = page.locator('article.card[data-channel="parcours-1"]')
    card.locator('[data-action="take"]').click()
    expect(page.locator(".toast.error")).to_contain_text("Jeton opérateur manquant")
    card.locator('[data-action="hold"]').click()
    page.keyboard.press("h")
    # Nothing reached the journal, nothing changed on air.
    assert day.get_json("/-/health")["journal_entries"] == before
    state = day.get_json("/api/state?channels=parcours-1")["channels"][0]
    assert state["now"]["id"] == "parcours-1-matin" and not state["held"]
    # Even a hand-made command over the page's own link is refused by the server.
    result = page.evaluate(
        "() => window.controlRoom.link.command({type: 'hold', channel: 'parcours-1'})"
    )
    assert result["ok"] is False and "token" in result["error"]
    assert day.get_json("/-/health")["journal_entries"] == before


def test_the_regie_says_when_the_token_is_wrong_and_accepts_the_right_one(
    day: RunningServer, screens
) -> None:
    regie = screens.open(f"{day.base_url}/regie?token=not-the-token")
    page = regie.page
    expect(page.locator("#r-banner")).to_contain_text("Jeton opérateur refusé")
    assert "token" not in page.url  # the token never stays in the address bar
    page.locator("#r-banner-button").click()
    page.locator("#r-dialog input[type=password]").fill(day.token)
    page.keyboard.press("Enter")
    expect(page.locator("#r-auth")).to_have_text("Opérateur")
    expect(page.locator("#r-banner")).to_be_hidden()


def test_the_regie_shows_each_switcher_and_forwards_its_buttons(
    day: RunningServer, screens
) -> None:
    regie = screens.open(f"{day.base_url}/regie?token={day.token}")
    page = regie.page
    card = page.locator('article.card[data-channel="parcours-1"]')
    expect(card.locator(".switcher")).to_contain_text("Aucun mélangeur")
    # The status the server pushes when OBS is attached (see docs/protocol.md, "switcher").
    status = {
        "channel": "parcours-1",
        "url": "ws://10.0.0.21:4455",
        "connected": True,
        "manual": False,
        "studio_mode": True,
        "desired_scene": "Morlaix",
        "program_scene": "Morlaix",
        "preview_scene": "Pause",
        "error": "scene 'Lyon' not found in OBS",
        "last_error": None,
        "last_error_at": None,
        "last_switch": None,
    }
    regie.js(
        "s => window.controlRoom.link.receive(JSON.stringify("
        "{type: 'switcher', channel: 'parcours-1', status: s, server_time: Date.now()}))",
        status,
    )
    switcher = card.locator(".switcher")
    expect(switcher).to_contain_text("Programme : Morlaix")
    expect(switcher).to_contain_text("Aperçu : Pause")
    expect(switcher.locator(".sw-error")).to_have_text("scene 'Lyon' not found in OBS")
    # No OBS is attached to this server: the request is forwarded and its refusal shown.
    switcher.locator('[data-sw="manual"]').click()
    expect(page.locator(".toast.error")).to_contain_text("no video switcher")


def test_an_unknown_channel_says_so_instead_of_showing_nothing(day: RunningServer, screens) -> None:
    overlay = screens.open(f"{day.base_url}/overlay/parcours-9?preview=1")
    expect(overlay.page.locator(".unknown")).to_have_text("Canal inconnu : parcours-9")
    timer = screens.open(f"{day.base_url}/timer/parcours-9")
    expect(timer.page.locator("#t-channel")).to_have_text("Canal inconnu : parcours-9")
    status, _ = day.request("GET", "/overlay/%3Cscript%3E")
    assert status == 404


def test_the_countdown_phase_rule_runs_as_one_pure_module(day: RunningServer, screens) -> None:
    """phase.js, imported as it is served, in the real Chromium: the colour of a countdown
    from the segment's own thresholds (300/60 s when it gives none), breaks and overtime."""
    page = screens.open(f"{day.base_url}/timer/parcours-1").page
    phases = page.evaluate(
        """async () => {
            const { phase, segmentPhase } = await import('/static/phase.js');
            const now = Date.parse('2026-07-07T12:00:00+02:00');
            const endsIn = (s, extra = {}) =>
                ({ ends_at: new Date(now + s * 1000).toISOString(), ...extra });
            const onAir = (seg) => ({ status: 'on_air', now: seg });
            return {
                idle: phase(null, now),
                finished: phase({ status: 'finished', now: null }, now),
                waiting: phase({ status: 'before', now: null }, now),
                gap: phase({ status: 'gap', now: null }, now),
                planned_break: phase(onAir(endsIn(30, { kind: 'break' })), now),
                item_break: phase(onAir(endsIn(30, { item: { kind: 'break' } })), now),
                normal: phase(onAir(endsIn(301)), now),
                warning: phase(onAir(endsIn(300)), now),
                danger: phase(onAir(endsIn(60)), now),
                overtime: phase(onAir(endsIn(0)), now),
                own_warning: segmentPhase(endsIn(500, { warning_seconds: 600 }), now),
                own_danger: segmentPhase(endsIn(100, { danger_seconds: 120 }), now),
            };
        }"""
    )
    assert phases == {
        "idle": "idle",
        "finished": "finished",
        "waiting": "waiting",
        "gap": "break",
        "planned_break": "break",
        "item_break": "break",
        "normal": "normal",
        "warning": "warning",
        "danger": "danger",
        "overtime": "overtime",
        "own_warning": "warning",
        "own_danger": "danger",
    }
