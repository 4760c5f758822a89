"""The overlay never overflows its frame, on every channel, through the day.

At the instants the issue's rehearsal looked at (10:10, 10:45, 11:50, 13:30, 16:20, 18:40 on
7 July 2026), one server per instant, every channel's overlay at 1920×1080 and 1280×720 (one
page, resized to each frame), as it is and with the strap held in (``strap=on``, so every
panel is drawn): no horizontal scroll, every visible element inside the viewport, a clipped
text ends in an ellipsis, and no name breaks across lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.server import REPO, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"
VIEWPORTS = [(1920, 1080), (1280, 720)]
INSTANTS = ["10:10", "10:45", "11:50", "13:30", "16:20", "18:40"]

# What would not fit: scroll, elements out of the viewport, clipped texts without an
# ellipsis (a line-clamped block is clipped by lines, vertically), names on two lines.
MEASURE = """() => {
    const w = innerWidth, h = innerHeight, out = [];
    for (const n of document.body.querySelectorAll('*')) {
        if (!n.getClientRects().length) continue;
        const style = getComputedStyle(n);
        if (style.visibility === 'hidden') continue;
        const b = n.getBoundingClientRect();
        if (b.width === 0 && b.height === 0) continue;
        const name = n.id || n.className || n.tagName;
        if (b.left < -0.5 || b.top < -0.5 || b.right > w + 0.5 || b.bottom > h + 0.5) {
            out.push(`${name} out of the viewport: ${[b.left, b.top, b.right, b.bottom]}`);
        }
        const clipped = n.scrollWidth > n.clientWidth + 1 && style.overflowX === 'hidden';
        const stage = n === document.getElementById('stage');
        if (clipped && style.textOverflow !== 'ellipsis' && !stage) {
            out.push(`${name} clipped without an ellipsis (${n.scrollWidth} > ${n.clientWidth})`);
        }
    }
    const broken = [...document.querySelectorAll('#l3-people strong')].filter((n) => {
        if (!n.getClientRects().length) return false;
        const range = document.createRange();
        range.selectNodeContents(n);
        return range.getClientRects().length !== 1;
    }).map((n) => n.textContent);
    return {
        scrollW: document.documentElement.scrollWidth,
        scrollH: document.documentElement.scrollHeight,
        w, h, out, broken,
        names: document.querySelectorAll('#l3-people:not([hidden]) strong').length,
        shown: ['l3', 'parallel', 'slate', 'ticker']
            .filter((id) => !document.getElementById(id).hidden),
    };
}"""


@pytest.mark.parametrize("instant", INSTANTS)
def test_no_overlay_overflows_its_frame(tmp_path: Path, screens, instant: str) -> None:
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at=f"2026-07-07T{instant}", speed=1
    ) as server:
        doc = server.get_json("/api/state")
        channels = {c["id"]: c for c in doc["channels"]}
        assert len(channels) == 4
        for channel, state in channels.items():
            named = len(state["lower_third"]["people"])
            for query in ("", "?strap=on"):
                # One page per overlay, resized to each frame (as the day sweep does).
                screen = screens.open(
                    f"{server.base_url}/overlay/{channel}{query}", viewport=VIEWPORTS[0]
                )
                page = screen.page
                for width, height in VIEWPORTS:
                    page.set_viewport_size({"width": width, "height": height})
                    expect(page.locator("#l3")).to_be_visible()
                    screen.settle()
                    fit: dict[str, Any] = page.evaluate(MEASURE)
                    where = f"{channel}{query} at {instant}, {width}×{height}: {fit}"
                    assert fit["scrollW"] <= fit["w"] and fit["scrollH"] <= fit["h"], where
                    assert fit["out"] == [], where
                    assert fit["broken"] == [], where
                    if query and state["status"] == "on_air" and state["now"]["kind"] != "break":
                        # Held in, the strap names everyone the state names (or fits + N).
                        assert 0 < fit["names"] <= named or named == 0, where
                # Checked before closing (a closing context can log its socket's close).
                screens.close_one(screen, where)


def test_the_main_overlay_fits_with_every_parcours_interrupted_and_a_long_message(
    tmp_path: Path, screens
) -> None:
    # 11:50: the three parcours slated (each reads « Interruption momentanée », the longest
    # thing the box says of a parcours) and a long message to the viewers.
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T11:50", speed=1
    ) as server:
        for channel in ("parcours-1", "parcours-2", "parcours-3"):
            status, body = server.command(
                {"type": "slate", "channel": channel, "text": "Liaison interrompue"}
            )
            assert status == 200, body
        text = "Nous retrouvons les trois parcours dans un instant : " + "merci de patienter " * 12
        status, body = server.command(
            {"type": "message", "channel": "main", "audience": "viewers", "text": text}
        )
        assert status == 200, body
        for query in ("", "?box=full", "?position=top-right", "?lang=en"):
            screen = screens.open(f"{server.base_url}/overlay/main{query}", viewport=VIEWPORTS[0])
            page = screen.page
            for width, height in VIEWPORTS:
                page.set_viewport_size({"width": width, "height": height})
                expect(page.locator("#parallel li.off")).to_have_count(3)
                expect(page.locator("#ticker")).to_be_visible()
                screen.settle()
                fit: dict[str, Any] = page.evaluate(MEASURE)
                where = f"main{query}, {width}×{height}: {fit}"
                assert fit["scrollW"] <= fit["w"] and fit["scrollH"] <= fit["h"], where
                assert fit["out"] == [], where
            screens.close_one(screen, where)
