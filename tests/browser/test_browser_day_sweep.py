"""The whole shipped day, swept in Chromium: no screen ever overflows its viewport.

Issue 10 asks that "nothing ever overflows 1920×1080 or 1280×720 … on every channel at every
minute of the day". What a screen draws changes only when the state changes (a segment or an
item starts or ends, a strap comes in or goes out) or when a page's own rule of time does (the
parcours box slims after a minute); between two such instants only the digits of the
countdowns move, and they are tabular. So the sweep visits every change of the day, a few
seconds after it (but a strap going out, which only takes away the names drawn since the
start swept just before it), plus the instants the rehearsal of the issue was photographed
at, the parcours box a minute into its block, and the hours before and after the show:
every layout the day produces, on every channel, at every size.

A channel's screens (its timer, overlay and backstage) follow that channel alone: they are
checked at the instants their channel's state document differs from the one they were last
checked with, at the photographed instants, and at the day's first and last instant; between,
they draw the same document with other digits. The régie and the studio clock show every
channel: they are checked at every instant.

Each instant has its own rehearsal server (the shipped day at that instant, real-time speed);
the pages are reused from instant to instant (a browser context per screen), the screens of
one instant load side by side, and each page is checked at every size it is shown at by
resizing it, not reloading it.

What "overflow" means, checked on every visible element (``checkVisibility`` with opacity and
CSS visibility): its box, clipped by every ancestor inside the body that clips, stays within
the viewport's width (a box cut by the screen's edge is lost, even where the body hides the
scrollbar); and no block of text runs out of its own box unclipped (a long title is ellipsised or
wrapped, never spilled).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from control_room.core.document import state_document
from control_room.core.schedule import Schedule
from control_room.core.timeline import next_change_after, state
from control_room.schedule_file import load_schedule
from tests.support.server import REPO, RunningServer, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"
SIZES = {
    "timer": [(1920, 1080), (1280, 720)],
    "overlay": [(1920, 1080), (1280, 720)],
    "regie": [(1920, 1080), (1366, 768), (1280, 720)],
    "backstage": [(1920, 1080), (1280, 720)],
    "clock": [(1920, 1080), (1280, 720)],
}
PHOTOGRAPHED = ["10:10", "10:45", "11:50", "13:30", "16:20", "18:40"]
SETTLE_SECONDS = 5  # after a change: the new state drawn, the strap's slide-in over


def strap_leaves(schedule: Schedule, change: dt.datetime) -> bool:
    """Whether all that changes at ``change`` is a name strap going out: the screens then
    draw what they drew with it, less the names (that layout, with them, was swept a few
    seconds after the start; test_browser_overlay_fit.py measures the strap itself)."""

    def drawn(t: dt.datetime) -> list[dict[str, Any]]:
        doc = state_document(schedule, state(schedule, [], t))
        return [{k: v for k, v in c.items() if k != "lower_third"} for c in doc["channels"]]

    before, after = change - dt.timedelta(seconds=1), change + dt.timedelta(seconds=1)
    went_out = any(
        c["lower_third"]["visible"] and not d["lower_third"]["visible"]
        for c, d in zip(
            state_document(schedule, state(schedule, [], before))["channels"],
            state_document(schedule, state(schedule, [], after))["channels"],
            strict=True,
        )
    )
    return went_out and drawn(before) == drawn(after)


def channel_documents(schedule: Schedule, instant: dt.datetime) -> dict[str, Any]:
    """Each channel's state document at ``instant`` (no journal), by id."""
    return {c["id"]: c for c in state_document(schedule, state(schedule, [], instant))["channels"]}


def day_instants() -> dict[str, frozenset[str]]:
    """Every instant of the sweep (HH:MM:SS show times on 7 July 2026), in order, with the
    channels whose screens are checked then."""
    schedule = load_schedule(SHIPPED_DAY)
    tz = schedule.event.timezone
    t = dt.datetime(2026, 7, 7, 9, 30, tzinfo=tz)
    every = {t, dt.datetime(2026, 7, 7, 20, 0, tzinfo=tz)}
    for hhmm in PHOTOGRAPHED:
        hour, minute = map(int, hhmm.split(":"))
        every.add(dt.datetime(2026, 7, 7, hour, minute, tzinfo=tz))
    # The main channel's parcours box, slimmed a minute into the block (a rule of the page).
    every.add(dt.datetime(2026, 7, 7, 11, 47, tzinfo=tz))
    instants = set(every)
    while (change := next_change_after(schedule, [], t)) is not None and change.day == 7:
        if not strap_leaves(schedule, change):
            instants.add(change + dt.timedelta(seconds=SETTLE_SECONDS))
        t = change
    checked: dict[str, Any] = {}  # each channel's document when its screens were last checked
    sweep: dict[str, frozenset[str]] = {}
    for instant in sorted(instants):
        docs = channel_documents(schedule, instant)
        due = frozenset(
            cid for cid, doc in docs.items() if instant in every or checked.get(cid) != doc
        )
        checked.update({cid: docs[cid] for cid in due})
        sweep[instant.astimezone(tz).strftime("%H:%M:%S")] = due
    return sweep


SWEEP = day_instants()


OVERFLOWS = """() => {
    const W = innerWidth;
    const problems = [];
    if (document.documentElement.scrollWidth > W) {
        problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${W}`);
    }
    const name = (el) => el.id ? `#${el.id}`
        : el.tagName.toLowerCase() + (el.classList.length ? '.' + [...el.classList].join('.') : '');
    const path = (el) => {
        const parts = [];
        for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
            parts.unshift(name(e));
        }
        return parts.join(' > ');
    };
    const clips = (style) => style.overflowX !== 'visible';
    for (const el of document.body.querySelectorAll('*')) {
        if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        let left = r.left, right = r.right;
        // Clipped by a box of the page (an ellipsised title, a strap's mask): what is cut was
        // meant to be; clipped by the body or the root, it is cut by the screen's edge: lost.
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            if (!clips(getComputedStyle(a))) continue;
            const c = a.getBoundingClientRect();
            left = Math.max(left, c.left);
            right = Math.min(right, c.right);
        }
        if (right <= left) continue;  // clipped away entirely
        if (left < -1 || right > W + 1) {
            problems.push(`${path(el)} spans ${Math.round(left)}–${Math.round(right)} of ${W}`);
            continue;
        }
        const style = getComputedStyle(el);
        const texts = [...el.childNodes].some(
            (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '');
        if (texts && !style.display.startsWith('inline') && !clips(style)
            && el.scrollWidth > el.clientWidth + 1) {
            const text = el.textContent.trim().slice(0, 60);
            problems.push(`${path(el)}: its text runs out of its box`
                + ` (${el.scrollWidth} > ${el.clientWidth}): "${text}"`);
        }
    }
    return problems;
}"""

SETTLED = """() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(
    () => done(document.getAnimations().every((a) => a.playState !== 'running'
        || a.effect.getComputedTiming().iterations === Infinity)))))"""

CONNECTED = (
    "() => document.documentElement.dataset.link === 'open'"
    " && Boolean(window.controlRoom && window.controlRoom.link.state)"
)


class Pages:
    """One page per screen, reused from instant to instant; the console errors they report."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: dict[str, BrowserContext] = {}
        self.pages: dict[str, Page] = {}
        self.errors: list[str] = []

    def page(self, kind: str, label: str) -> Page:
        # A context (a window) per screen: a page in the background of another's window gets
        # no animation frames, and the screens draw on them.
        if label not in self.pages:
            width, height = SIZES[kind][0]
            context = self.browser.new_context(
                viewport={"width": width, "height": height},
                locale="fr-FR",
                timezone_id="Europe/Paris",
                reduced_motion="reduce",
            )
            page = context.new_page()
            page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
            page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
            self.contexts[label], self.pages[label] = context, page
        return self.pages[label]

    def blank(self) -> None:
        """Every page away from the server (before it stops: no failed reconnects)."""
        for page in self.pages.values():
            page.goto("about:blank")

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def pages(browser: Browser) -> Iterator[Pages]:
    p = Pages(browser)
    try:
        yield p
    finally:
        p.close()


def open_page(page: Page, kind: str, url: str) -> None:
    """Start loading ``url`` at the first size of its kind (not waiting: the screens of one
    instant load side by side)."""
    width, height = SIZES[kind][0]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url, wait_until="commit")


def check_page(page: Page, kind: str, where: str) -> list[str]:
    """Once the page has drawn a state, check it at each size of its kind; the problems."""
    page.wait_for_function(CONNECTED, timeout=15_000)
    problems: list[str] = []
    for width, height in SIZES[kind]:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate(SETTLED)
        found: list[Any] = page.evaluate(OVERFLOWS)
        problems += [f"{where} {width}×{height}: {p}" for p in found]
    return problems


def screens_of(
    server: RunningServer, channels: frozenset[str] | None = None
) -> Iterator[tuple[str, str, str]]:
    """(kind, url, label) of the screens of the day: each channel's timer, overlay and
    backstage (with the régie's token: its private notes drawn), for every channel or those
    given; the régie, the studio clock."""
    base, token = server.base_url, server.token
    served = [c["id"] for c in server.get_json("/api/state")["channels"]]
    for channel in served if channels is None else [c for c in served if c in channels]:
        yield "timer", f"{base}/timer/{channel}", f"timer/{channel}"
        yield "overlay", f"{base}/overlay/{channel}", f"overlay/{channel}"
        yield "backstage", f"{base}/backstage/{channel}?token={token}", f"backstage/{channel}"
    yield "regie", f"{base}/regie?token={token}", "regie"
    yield "clock", f"{base}/clock", "clock"


def test_the_sweep_checks_each_channel_at_each_of_its_changes() -> None:
    """What the sweep leaves out is only what a channel's screens drew already."""
    schedule = load_schedule(SHIPPED_DAY)
    ids = {c.id for c in schedule.channels}
    assert SWEEP["09:30:00"] == SWEEP["20:00:00"] == SWEEP["11:47:00"] == ids
    assert all(SWEEP[f"{hhmm}:00"] == ids for hhmm in PHOTOGRAPHED)
    assert SWEEP["11:45:05"] == ids  # the three parcours and the plenary change at 11:45
    assert SWEEP["10:30:05"] == {"main"}  # a plenary item: the parcours wait, unchanged
    tz = schedule.event.timezone
    last: dict[str, Any] = {}
    for at, due in SWEEP.items():
        instant = dt.datetime.combine(dt.date(2026, 7, 7), dt.time.fromisoformat(at), tz)
        docs = channel_documents(schedule, instant)
        for cid in ids - due:
            assert docs[cid] == last[cid], f"{at}: {cid} changed but is not checked"
        last.update({cid: docs[cid] for cid in due})


@pytest.mark.parametrize("at", list(SWEEP))
def test_no_screen_overflows_at(at: str, pages: Pages, tmp_path: Path) -> None:
    with run_server(SHIPPED_DAY, data_dir=tmp_path / "data", at=f"2026-07-07T{at}", speed=1) as s:
        problems: list[str] = []
        try:
            opened = [
                (pages.page(kind, label), kind, url, label)
                for kind, url, label in screens_of(s, SWEEP[at])
            ]
            for page, kind, url, _ in opened:
                open_page(page, kind, url)
            for page, kind, _, label in opened:
                problems += check_page(page, kind, f"{at} {label}")
        finally:
            pages.blank()
        errors, pages.errors[:] = list(pages.errors), []
    assert not problems, "\n".join(problems)
    assert not errors, "pages reported errors:\n" + "\n".join(errors)


def test_the_sweep_sees_an_overflow(pages: Pages, tmp_path: Path) -> None:
    """The check itself: a box past the right edge, a title spilling out of its card, and a
    page that scrolls sideways are each found; a clipped (ellipsised) title is not."""
    with run_server(SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T11:50", speed=1) as s:
        page = pages.page("timer", "timer/main")
        try:
            open_page(page, "timer", f"{s.base_url}/timer/main")
            assert check_page(page, "timer", "clean") == []
            page.evaluate(
                """() => {
                    const spill = document.createElement('div');
                    spill.id = 'spill';
                    spill.style.cssText = 'width: 200px; white-space: nowrap';
                    spill.textContent = 'Un titre très long qui ne tient pas dans sa boîte';
                    const clipped = document.createElement('div');
                    clipped.id = 'clipped';
                    clipped.style.cssText = 'width: 200px; white-space: nowrap;'
                        + ' overflow: hidden; text-overflow: ellipsis';
                    clipped.textContent = spill.textContent;
                    const wide = document.createElement('div');
                    wide.id = 'wide';
                    wide.style.cssText = 'position: absolute; left: 100px; width: 5000px;'
                        + ' height: 4px';
                    document.body.append(spill, clipped, wide);
                }"""
            )
            found = "\n".join(page.evaluate(OVERFLOWS))
        finally:
            pages.blank()
    assert "page scrolls sideways" in found, found
    assert "#wide spans 100–5100" in found, found
    assert "#spill: its text runs out of its box" in found, found
    assert "#clipped" not in found, found
