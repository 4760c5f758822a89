"""The régie's layout: at 1366×768 the commands, the screens count and the journal fit
without scrolling; no horizontal overflow at 1920×1080, 1366×768 and 1280×720 through the
day; and the screenshots of the régie for the docs.

To refresh the screenshots in the docs:

    CONTROL_ROOM_SCREENSHOTS=docs/screenshots python -m pytest tests/browser -k regie_layout
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.shots import shoot
from tests.support.server import REPO, RunningServer, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"
VIEWPORTS = [(1920, 1080), (1366, 768), (1280, 720)]

# Every box of the page that must lie within the viewport (and within its card).
FIT = """() => {
    const vw = innerWidth, vh = innerHeight;
    const box = (n) => n.getBoundingClientRect();
    const out = [];
    const inside = (what, n, limit) => {
        const b = box(n);
        if (b.bottom > limit.bottom + 0.5 || b.right > limit.right + 0.5
            || b.left < limit.left - 0.5 || b.top < limit.top - 0.5) {
            out.push(`${what}: ${Math.round(b.left)},${Math.round(b.top)}`
                + `-${Math.round(b.right)},${Math.round(b.bottom)}`);
        }
    };
    const view = {left: 0, top: 0, right: vw, bottom: vh};
    for (const card of document.querySelectorAll('article.card')) {
        const id = card.dataset.channel;
        inside(`card ${id}`, card, view);
        if (card.scrollHeight > card.clientHeight + 1) out.push(`card ${id} scrolls`);
        const cb = box(card);
        for (const b of card.querySelectorAll('.controls .btn, .presence, .meta .btn')) {
            inside(`${id} ${b.dataset.action || b.className}`, b, cb);
        }
    }
    inside('journal', document.getElementById('r-journal-list'), view);
    const journalTop = box(document.querySelector('.r-journal')).top;
    for (const card of document.querySelectorAll('article.card')) {
        if (box(card).bottom > journalTop + 0.5) {
            out.push(`card ${card.dataset.channel} over the journal`);
        }
    }
    return {problems: out, scrollH: document.documentElement.scrollHeight, vh,
            scrollW: document.documentElement.scrollWidth, vw};
}"""

# What overflows sideways: the page, and any card or journal line wider than its box.
OVERFLOW = """() => {
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > innerWidth) out.push(`page ${doc.scrollWidth} > ${innerWidth}`);
    const boxes = document.querySelectorAll(
        'article.card, article.card .card-section, .controls, .r-journal-list, .tl');
    for (const n of boxes) {
        if (n.scrollWidth > n.clientWidth + 1) {
            out.push(`${n.className} ${n.closest('article')?.dataset.channel ?? ''}`
                + ` ${n.scrollWidth} > ${n.clientWidth}`);
        }
        const b = n.getBoundingClientRect();
        if (b.right > innerWidth + 0.5) out.push(`${n.className} ends at ${b.right}`);
    }
    return out;
}"""


def open_regie(server: RunningServer, screens, viewport: tuple[int, int]) -> Page:
    page = screens.open(f"{server.base_url}/regie?token={server.token}", viewport=viewport).page
    expect(page.locator("#r-auth")).to_have_text("Opérateur")
    expect(page.locator("article.card")).to_have_count(4)
    return page


def with_journal(server: RunningServer) -> None:
    """A few commands, so that the journal has lines (and the card a message)."""
    for cmd in (
        {"type": "message", "channel": "main", "audience": "moderators", "text": "Concluez"},
        {"type": "message_clear", "channel": "main", "audience": "moderators"},
        {"type": "flash", "channel": "parcours-1", "seconds": 5},
        {"type": "blackout", "channel": "parcours-2", "on": True},
        {"type": "blackout", "channel": "parcours-2", "on": False},
    ):
        status, body = server.command(cmd, who="Marie (régie)")
        assert status == 200, body


@pytest.mark.parametrize("at", ["10:10", "13:30"])
def test_at_1366x768_the_commands_and_the_journal_fit_without_scrolling(
    tmp_path: Path, screens, at: str
) -> None:
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at=f"2026-07-07T{at}", speed=1
    ) as server:
        with_journal(server)
        page = open_regie(server, screens, (1366, 768))
        expect(page.locator("#r-journal-list li[data-seq]")).to_have_count(5)
        fit = page.evaluate(FIT)
        assert fit["problems"] == [], fit
        assert fit["scrollH"] <= fit["vh"], fit
        assert fit["scrollW"] <= fit["vw"], fit
        # The journal shows at least its newest lines, not only its title.
        newest = page.locator("#r-journal-list li").first.bounding_box()
        assert newest is not None and newest["y"] + newest["height"] <= 768, newest


# The day sweep (test_browser_day_sweep.py) checks the régie at every change of the day; here,
# two of its busiest instants with journal lines and messages on the cards.
@pytest.mark.parametrize("at", ["10:10", "13:30"])
def test_the_regie_never_overflows_sideways(tmp_path: Path, screens, at: str) -> None:
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at=f"2026-07-07T{at}", speed=1
    ) as server:
        with_journal(server)
        for viewport in VIEWPORTS:
            page = open_regie(server, screens, viewport)
            expect(page.locator("#r-journal-list li[data-seq]")).to_have_count(5)
            problems = page.evaluate(OVERFLOW)
            assert problems == [], f"{at} {viewport}: {problems}"
            page.context.close()


def test_screenshot_of_the_regie_on_a_laptop(tmp_path: Path, screens, out_dir: Path) -> None:
    """12:55:40 at 1366×768: the three parcours live, lunch in four minutes; Morlaix 30 s
    over, a message to Lille's moderators, Lyon's +1 min undone, the journal below."""
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T12:55:40", speed=1
    ) as server:
        for cmd in (
            {"type": "extend", "channel": "parcours-1", "seconds": 30},
            {
                "type": "message",
                "channel": "parcours-2",
                "audience": "moderators",
                "text": "Concluez",
            },
            {"type": "extend", "channel": "parcours-3", "minutes": 1},
            {"type": "undo", "seq": 3},
        ):
            status, body = server.command(cmd, who="Marie (régie)")
            assert status == 200, body
        page = open_regie(server, screens, (1366, 768))
        expect(page.locator("#r-journal-list li.voided")).to_have_count(1)
        page.locator('article.card[data-channel="parcours-1"] .card-head').click()
        shoot(page, out_dir, "regie-1366x768")
        assert page.evaluate(FIT)["problems"] == []
