"""The switcher watches a site's feed in a real OBS: an ffmpeg stream on loopback is
killed and restarted; the loss is seen, the site's reaction goes on program through the
one command path, the return behaves as configured, a flapping feed flips nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from feed_harness import Feed, add_feed_input, missing_ffmpeg
from obs_harness import ObsProcess, until
from rehearsal import ProgramWatch

from control_room.auth import OPERATOR
from control_room.clock import rehearsal_clock
from control_room.core.scenes import scenes_needed
from control_room.dispatch import Caller
from control_room.journal import Journal
from control_room.obs import ObsClient
from control_room.room import Room, SwitcherLink, build_room
from control_room.schedule_file import load_schedule
from control_room.switcher import parse_switcher_config, switcher_integration

pytestmark = pytest.mark.obs

ROOT = Path(__file__).resolve().parents[2]
DAY = load_schedule(ROOT / "schedules" / "rnct-2026-07-07.yaml")
PARIS = ZoneInfo("Europe/Paris")
CHANNEL = "parcours-1"  # Morlaix on air from 11:45
GRACE, STABLE = 1.0, 2.0
ENV = "CONTROL_ROOM_TEST_OBS_PASSWORD"


def feed_status(room: Room) -> dict[str, Any] | None:
    """Morlaix's feed as the régie last got it."""
    status = room.desk.feed_status.get(CHANNEL, {})
    return next((f for f in status.get("feeds", []) if f["site"] == "morlaix"), None)


def health(room: Room) -> str | None:
    status = feed_status(room)
    return None if status is None else str(status["health"])


def switcher_commands(room: Room) -> list[str]:
    return [e["command"]["type"] for e in room.show.journal_entries() if e["who"] == "switcher"]


async def playing(client: ObsClient, input_name: str, timeout: float = 20.0) -> None:
    """Wait until OBS's media cursor of ``input_name`` moves (frames arrive)."""
    deadline = time.monotonic() + timeout
    seen: set[int] = set()
    while len(seen) < 2:
        status = await client.get_media_input_status(input_name)
        if status.cursor:
            seen.add(status.cursor)
        if time.monotonic() > deadline:
            raise AssertionError(f"{input_name} does not play: {status}")
        await asyncio.sleep(0.1)  # polling interval of a condition


class Setup:
    def __init__(self, room: Room, feed: Feed, watch: ProgramWatch) -> None:
        self.room, self.feed, self.watch = room, feed, watch


Start = Callable[..., Awaitable[Setup]]


@pytest.fixture
async def start_feeds(
    obs: ObsProcess, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[Start]:
    """Start the room at 11:50 on parcours-1 (Morlaix on air) with a feed config."""
    if missing_ffmpeg():
        pytest.fail("ffmpeg not installed (make system-deps)")
    monkeypatch.setenv(ENV, obs.password)
    stack = AsyncExitStack()
    feeds: list[Feed] = []

    async def start(**site: Any) -> Setup:
        feed = Feed()
        feeds.append(feed)
        scene = f"Morlaix {feed.port}"  # OBS's input names are global: one per test
        await obs.setup_scenes(sorted(set(scenes_needed(DAY, CHANNEL))), program="Attente")
        feed.start()
        async with obs.client() as client:
            await add_feed_input(client, "Morlaix", scene, feed.obs_url)
            await playing(client, scene)  # the switcher starts with a feed that delivers
        lines = [f"{k} = {v!r}".replace("'", '"') for k, v in site.items()]
        config = parse_switcher_config(
            "feed_poll = 0.25\n"
            f'[channels.{CHANNEL}]\nurl = "{obs.url}"\npassword_env = "{ENV}"\n'
            f'[sites.morlaix]\nfeed = "{scene}"\ngrace = {GRACE}\nstable = {STABLE}\n'
            + "\n".join(lines),
            schedule=DAY,
        )
        at = dt.datetime(2026, 7, 7, 11, 50, tzinfo=PARIS)
        journal = Journal.open(tmp_path / f"data-{feed.port}")
        stack.callback(journal.close)
        room = build_room(DAY, rehearsal_clock(at, 1.0), journal, token="t")
        await room.start()
        stack.push_async_callback(room.stop)
        await stack.enter_async_context(switcher_integration(config)(SwitcherLink(room)))
        watch = await ProgramWatch(obs).connect()
        stack.push_async_callback(watch.close)
        await until(lambda: health(room) == "healthy", timeout=20, what="feed healthy")
        # The feed watcher and the switcher have connections of their own: the feed may be
        # found healthy before the switcher has put the site on program. Wait for both.
        if await watch.program() != "Morlaix":
            await watch.wait_for("Morlaix", timeout=20)
        assert await watch.program() == "Morlaix"
        return Setup(room, feed, watch)

    yield start
    await stack.aclose()
    for feed in feeds:
        feed.kill()


async def test_a_lost_feed_puts_the_slate_on_program_and_its_return_is_proposed(
    start_feeds: Start,
) -> None:
    s = await start_feeds(on_loss="slate", slate_text="Morlaix revient", on_return="propose")
    killed = time.time()
    s.feed.kill()
    seen = await s.watch.wait_for("Slate", after=killed, timeout=GRACE + 10)
    detection = seen - killed
    print(f"\nloss → slate on program: {detection:.2f} s (grace {GRACE} s)")
    assert detection <= GRACE + 2
    assert switcher_commands(s.room) == ["slate"]
    lost = feed_status(s.room)
    assert lost is not None and lost["lost"] and lost["reaction"] == "slate"
    assert lost["lost_at"] <= killed + 2.5  # the first bad reading: stall + a poll after
    channel = s.room.show.state.channel(CHANNEL)
    assert channel.slate is not None and channel.slate.text == "Morlaix revient"

    restarted = time.time()
    s.feed.start()
    await until(lambda: health(s.room) == "healthy", timeout=STABLE + 10, what="return")
    recovery = time.time() - restarted
    print(f"feed back → healthy: {recovery:.2f} s (stable {STABLE} s)")
    assert recovery >= STABLE
    back = feed_status(s.room)
    assert back is not None
    assert back["proposal"] == {"type": "slate_clear", "channel": CHANNEL}
    assert await s.watch.program() == "Slate"  # proposed, not done
    result = await s.room.dispatcher.submit(back["proposal"], Caller("régie", identity=OPERATOR))
    assert result.ok
    await s.watch.wait_for("Morlaix", after=restarted, timeout=10)
    await until(lambda: (feed_status(s.room) or {}).get("proposal") is None, what="cleared")
    assert switcher_commands(s.room) == ["slate"]


async def test_a_lost_feed_puts_the_fallback_site_on_air_and_returns_by_itself(
    start_feeds: Start,
) -> None:
    s = await start_feeds(on_loss="fallback", fallback="lille", on_return="auto")
    killed = time.time()
    s.feed.kill()
    seen = await s.watch.wait_for("Lille", after=killed, timeout=GRACE + 10)
    print(f"\nloss → fallback on program: {seen - killed:.2f} s")
    assert seen - killed <= GRACE + 2
    restarted = time.time()
    s.feed.start()
    back = await s.watch.wait_for("Morlaix", after=restarted, timeout=STABLE + 10)
    print(f"feed back → site back on program: {back - restarted:.2f} s")
    assert back - restarted >= STABLE
    assert switcher_commands(s.room) == ["site_override", "site_clear"]
    assert s.room.show.state.channel(CHANNEL).override is None


async def test_a_flapping_feed_causes_no_scene_flip_flop(start_feeds: Start) -> None:
    s = await start_feeds(on_loss="fallback", fallback="lille", on_return="auto")
    began = time.time()
    for _ in range(6):  # down 1 s, up 1 s
        s.feed.kill()
        await asyncio.sleep(1.0)
        s.feed.start()
        await asyncio.sleep(1.0)
    s.feed.kill()  # and finally down for good
    await asyncio.sleep(GRACE + 2)
    scenes = ["Morlaix"]
    for at, scene in s.watch.changes:
        if at >= began and scene != scenes[-1]:
            scenes.append(scene)
    print(f"\nprogram scenes while flapping: {scenes}")
    assert scenes in (["Morlaix"], ["Morlaix", "Lille"])  # at most one move, never back
    assert switcher_commands(s.room) in ([], ["site_override"])
