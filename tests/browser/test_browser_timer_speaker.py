"""The moderators' timer counts the speaker's slot, the end of a break, and fits the screen."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.server import REPO, run_server

pytestmark = pytest.mark.browser

SHIPPED_DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"
VIEWPORTS = [(1920, 1080), (1280, 720)]


def seconds_of(text: str) -> int:
    """ "12:34" / "1:02:03" / "+00:12" as signed seconds."""
    sign = -1 if text.startswith("+") else 1
    total = 0
    for part in text.lstrip("+").split(":"):
        total = total * 60 + int(part)
    return sign * total


def left_until(doc: dict, instant: str) -> float:
    return (
        dt.datetime.fromisoformat(instant) - dt.datetime.fromisoformat(doc["at"])
    ).total_seconds()


def countdown(page: Page) -> int:
    expect(page.locator("#t-count")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    return seconds_of(page.locator("#t-count").inner_text())


def test_the_big_number_counts_the_ministers_item_not_the_segment(tmp_path: Path, screens) -> None:
    # 10:16 on main: Marina FERRARI's 10-minute intervention (10:10-10:20, a `minister`),
    # inside the 10:00-10:30 welcome.
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:16", speed=1
    ) as server:
        page = screens.open(f"{server.base_url}/timer/main").page
        shown = countdown(page)
        doc = server.get_json("/api/state?channels=main")
        now = doc["channels"][0]["now"]
        assert now["item"]["title"] == "Intervention de Marina FERRARI"
        assert [p["name"] for p in now["item"]["people"]] == ["Marina FERRARI"]  # a minister
        item_left = left_until(doc, now["item"]["ends_at"])
        segment_left = left_until(doc, now["ends_at"])
        assert item_left < segment_left - 60  # the two really differ
        # ceil on the page, and a second may pass between the two readings.
        assert item_left - 2 <= shown <= item_left + 2, (shown, item_left)
        expect(page.locator("#t-label")).to_have_text("Temps restant")
        # The segment's time left is the secondary line, beside the speaker.
        sub = page.locator("#t-sub")
        expect(sub).to_contain_text("Intervention de Marina FERRARI")
        expect(sub).to_contain_text("séquence : reste")
        sub_left = seconds_of(re.search(r"reste (\S+)", sub.inner_text()).group(1))
        assert abs(sub_left - segment_left) <= 2, (sub_left, segment_left)
        # The colour follows the item: under 5 min is a warning (the segment has more left).
        expect(page.locator("#timer")).to_have_attribute("data-phase", "warning")


def test_in_the_lunch_break_of_the_block_the_main_timer_counts_to_the_resumption(
    tmp_path: Path, screens
) -> None:
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T13:30", speed=1
    ) as server:
        page = screens.open(f"{server.base_url}/timer/main").page
        expect(page.locator("#t-label")).to_have_text("Reprise dans")
        shown = countdown(page)
        doc = server.get_json("/api/state?channels=main")
        channel = doc["channels"][0]
        assert channel["now"]["item"]["kind"] == "break"
        resumes = channel.get("resumes_at") or channel["now"]["item"]["ends_at"]
        assert dt.datetime.fromisoformat(resumes).strftime("%H:%M") == "14:00"
        expected = left_until(doc, resumes)
        assert expected - 2 <= shown <= expected + 2, (shown, expected)
        expect(page.locator("#timer")).to_have_attribute("data-phase", "break")
        # « À suivre » is what resumes, at 14:00: the parcours, not the 16:15 plenary.
        expect(page.locator("#t-next-time")).to_have_text("14:00")
        expect(page.locator("#t-next-title")).to_have_text("Reprise des 3 parcours")


@pytest.mark.parametrize("at", ["2026-07-07T11:50", "2026-07-07T13:30"])
def test_no_timer_overflows_the_screen(tmp_path: Path, screens, at: str) -> None:
    with run_server(SHIPPED_DAY, data_dir=tmp_path / "data", at=at, speed=1) as server:
        channels = [c["id"] for c in server.get_json("/api/state")["channels"]]
        assert len(channels) == 4
        for channel in channels:
            for width, height in VIEWPORTS:
                screen = screens.open(
                    f"{server.base_url}/timer/{channel}", viewport=(width, height)
                )
                page = screen.page
                expect(page.locator("#t-clock")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))
                fit = page.evaluate(
                    """() => {
                        const box = (id) => document.getElementById(id).getBoundingClientRect();
                        const clock = box('t-clock'), foot = box('t-next-box');
                        const next = box('t-next-title');
                        const title = document.getElementById('t-next-title');
                        return {
                            scroll: document.documentElement.scrollWidth,
                            w: innerWidth,
                            h: innerHeight,
                            clock: [clock.left, clock.top, clock.right, clock.bottom],
                            foot: [foot.left, foot.top, foot.right, foot.bottom],
                            nextRight: next.right,
                            nextClipped: title.scrollWidth > title.clientWidth
                                ? getComputedStyle(title).textOverflow
                                : 'fits',
                        };
                    }"""
                )
                where = f"{channel} at {at}, {width}×{height}: {fit}"
                assert fit["scroll"] <= fit["w"], where
                left, top, right, bottom = fit["clock"]
                assert left >= 0 and top >= 0 and right <= fit["w"] and bottom <= fit["h"], where
                left, top, right, bottom = fit["foot"]
                assert left >= 0 and top >= 0 and right <= fit["w"] and bottom <= fit["h"], where
                assert fit["nextRight"] <= fit["w"], where
                assert fit["nextClipped"] in ("fits", "ellipsis"), where
                # Checked before closing: closing a context makes client.js's pagehide handler
                # call WebSocket.close(1001), which Chromium rejects (not the timer's doing).
                screens.close_one(screen, where)
