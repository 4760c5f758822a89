"""Feed loss detection and recovery times, with a real OBS and a real ffmpeg stream.

    python bench/feeds.py [--drops 10] [--grace 1] [--stable 2] [--poll 0.25] [--on-loss slate]

Starts Xvfb and one OBS Studio with parcours-1's scenes and a media source reading an
ffmpeg test stream over UDP on loopback (as tests/obs/test_feeds_obs.py does), then the
room in-process at 11:50 (Morlaix on air) with the site's feed watched (``on_loss`` as
given, ``on_return = "auto"``). Each drop: ffmpeg is killed, then restarted once the
reaction is on program.

- detection: kill → the reaction's scene reported on program by OBS (a client of its own);
- recovery: restart → the site's scene back on program (auto return).

Both include the grace / stable time; the overhead above it is printed too. Figures
only, no assertion.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "obs"))

from feed_harness import Feed, add_feed_input, missing_ffmpeg  # noqa: E402
from obs_harness import ObsProcess, Xvfb, missing_binaries  # noqa: E402
from rehearsal import ProgramWatch  # noqa: E402

from control_room.clock import rehearsal_clock  # noqa: E402
from control_room.core.scenes import scenes_needed  # noqa: E402
from control_room.journal import Journal  # noqa: E402
from control_room.room import SwitcherLink, build_room  # noqa: E402
from control_room.schedule_file import load_schedule  # noqa: E402
from control_room.switcher import parse_switcher_config, switcher_integration  # noqa: E402

CHANNEL = "parcours-1"
INPUT = "Morlaix feed"


def line(name: str, values: list[float], floor: float) -> str:
    return (
        f"{name:<10} n={len(values):<3} min {min(values):5.2f} s  median "
        f"{statistics.median(values):5.2f} s  max {max(values):5.2f} s   "
        f"(above {floor:g} s: median {statistics.median(values) - floor:+.2f} s, "
        f"max {max(values) - floor:+.2f} s)"
    )


async def bench(args: argparse.Namespace, root: Path, display: str) -> None:
    day = load_schedule(REPO / "schedules" / "rnct-2026-07-07.yaml")
    obs = ObsProcess(display=display, root=root / "obs")
    (root / "obs").mkdir()
    await obs.astart()
    feed = Feed()
    try:
        await obs.setup_scenes(sorted(scenes_needed(day, CHANNEL)), program="Attente")
        feed.start()
        async with obs.client() as client:
            await add_feed_input(client, "Morlaix", INPUT, feed.obs_url)
        reaction = "Slate" if args.on_loss == "slate" else "Lille"
        config = parse_switcher_config(
            f"feed_poll = {args.poll}\n"
            f'[channels.{CHANNEL}]\nurl = "{obs.url}"\npassword_file = "{root / "pw"}"\n'
            f'[sites.morlaix]\nfeed = "{INPUT}"\ngrace = {args.grace}\nstable = {args.stable}\n'
            f'on_loss = "{args.on_loss}"\nfallback = "lille"\non_return = "auto"\n',
            schedule=day,
        )
        (root / "pw").write_text(obs.password)
        at = dt.datetime(2026, 7, 7, 11, 50, tzinfo=ZoneInfo("Europe/Paris"))
        journal = Journal.open(root / "data")
        room = build_room(day, rehearsal_clock(at, 1.0), journal, token="t")
        await room.start()
        watch = await ProgramWatch(obs).connect()
        detection: list[float] = []
        recovery: list[float] = []
        try:
            async with switcher_integration(config)(SwitcherLink(room)):
                await watch.wait_for("Morlaix", timeout=30)
                await asyncio.sleep(args.stable + 1)  # the feed settles
                for i in range(args.drops):
                    killed = time.time()
                    feed.kill()
                    seen = await watch.wait_for(reaction, after=killed, timeout=args.grace + 30)
                    detection.append(seen - killed)
                    restarted = time.time()
                    feed.start()
                    back = await watch.wait_for(
                        "Morlaix", after=restarted, timeout=args.stable + 30
                    )
                    recovery.append(back - restarted)
                    print(
                        f"drop {i + 1:2}: detected {detection[-1]:.2f} s, "
                        f"recovered {recovery[-1]:.2f} s"
                    )
                    await asyncio.sleep(1.0)
        finally:
            await watch.close()
            await room.stop()
            journal.close()
        print()
        print(
            f"grace {args.grace:g} s, stable {args.stable:g} s, poll {args.poll:g} s, "
            f"on_loss {args.on_loss}, on_return auto"
        )
        print(line("detection", detection, args.grace))
        print(line("recovery", recovery, args.stable))
    finally:
        feed.kill()
        obs.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drops", type=int, default=10)
    parser.add_argument("--grace", type=float, default=1.0)
    parser.add_argument("--stable", type=float, default=2.0)
    parser.add_argument("--poll", type=float, default=0.25)
    parser.add_argument("--on-loss", choices=("slate", "fallback"), default="slate")
    args = parser.parse_args()
    missing = missing_binaries() + (["ffmpeg"] if missing_ffmpeg() else [])
    if missing:
        print(f"missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.ERROR)
    display = Xvfb.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
            asyncio.run(bench(args, Path(tmp), display.display))
    finally:
        display.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
