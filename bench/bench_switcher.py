"""Cue-to-program-scene latency: a rehearsal of the 7 July with four real OBS attached.

    python bench/bench_switcher.py [--speed 120] [--from 09:59:30] [--to 19:31] [--slates 10]

Starts Xvfb and four OBS Studio instances (main, parcours-1, -2, -3) with the day's
scenes, then the real server (``control-room serve --switcher``) rehearsing the day
from ``--from`` to ``--to`` at ``--speed``. On each OBS a client of its own records
every ``CurrentProgramSceneChanged`` event with its wall time of arrival.

- Scheduled cues: for every instant where a channel's scene must change (computed
  from the schedule with the pure engine), latency = OBS reports the new scene on
  program - the wall instant of the cue on the server's rehearsal clock.
- Operator commands: ``--slates`` slate up / slate down pairs on parcours-2 before
  11:45; latency = OBS reports the scene - the command POST is sent.

Also printed: the server's own cue-wake lateness (``/-/health``) and the OBS request
round trip the switcher recorded in the journal. OBS uses the Cut transition (a
fade reports the change only when the fade ends, 300 ms later by default). Figures
only, no assertion.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "obs"))

from obs_harness import ObsProcess, Xvfb, missing_binaries  # noqa: E402
from rehearsal import ProgramWatch, cue_wall_time, write_switcher_config  # noqa: E402

from control_room.core.scenes import desired_scene, scenes_needed  # noqa: E402
from control_room.core.schedule import Schedule  # noqa: E402
from control_room.core.timeline import next_change_after, state  # noqa: E402
from control_room.schedule_file import load_schedule  # noqa: E402
from tests.support.server import start_server  # noqa: E402

DAY = REPO / "schedules" / "rnct-2026-07-07.yaml"
CHANNELS = ("main", "parcours-1", "parcours-2", "parcours-3")


def expected_cues(
    schedule: Schedule, channel: str, t0: dt.datetime, t1: dt.datetime
) -> list[tuple[dt.datetime, str]]:
    """Every instant in (t0, t1] where the channel's scene changes, with the new scene."""
    out: list[tuple[dt.datetime, str]] = []
    previous = desired_scene(schedule, state(schedule, [], t0).channel(channel))
    t = t0
    while True:
        cue = next_change_after(schedule, [], t)
        if cue is None or cue > t1:
            return out
        scene = desired_scene(schedule, state(schedule, [], cue).channel(channel))
        if scene is not None and scene != previous:
            out.append((cue, scene))
            previous = scene
        t = cue


def summary(values: list[float]) -> str:
    if not values:
        return "no samples"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"n={len(values)} min={ordered[0]:.0f} median={statistics.median(ordered):.0f} "
        f"p95={p95:.0f} max={ordered[-1]:.0f} ms"
    )


async def run(args: argparse.Namespace) -> None:
    schedule = load_schedule(DAY)
    tz = ZoneInfo("Europe/Paris")
    t0 = dt.datetime.fromisoformat(f"2026-07-07T{args.start}").replace(tzinfo=tz)
    t1 = dt.datetime.fromisoformat(f"2026-07-07T{args.end}").replace(tzinfo=tz)
    scenes = sorted({s for ch in schedule.channels for s in scenes_needed(schedule, ch.id)})
    work = Path(tempfile.mkdtemp(prefix="bench-switcher-"))
    display = Xvfb.start()
    instances = {
        channel: ObsProcess(display=display.display, root=work / f"obs-{channel}")
        for channel in CHANNELS
    }
    watches: dict[str, ProgramWatch] = {}
    server = None
    try:
        for instance in instances.values():
            instance.root.mkdir(parents=True)
            instance.launch()
        for instance in instances.values():
            await instance.wait_ready()
            await instance.setup_scenes(scenes, program="Scene")
        for channel, instance in instances.items():
            watches[channel] = await ProgramWatch(instance).connect()
        config = write_switcher_config(
            work / "switcher.toml",
            {ch: (obs.url, f"OBS_PW_{i}") for i, (ch, obs) in enumerate(instances.items())},
        )
        env = {f"OBS_PW_{i}": obs.password for i, obs in enumerate(instances.values())}
        server = await asyncio.to_thread(
            start_server,
            DAY,
            data_dir=work / "data",
            at=t0.isoformat(),
            speed=args.speed,
            extra_args=["--switcher", str(config), "--log-level", "warning"],
            env=env,
        )
        clock = (await asyncio.to_thread(server.get_json, "/-/health"))["clock"]
        print(
            f"rehearsal {args.start} -> {args.end} at speed {args.speed:g} "
            f"({(t1 - t0).total_seconds() / args.speed:.0f} s), 4 OBS, Cut transition"
        )

        # Operator commands first (parcours-2, before its 11:45 cue).
        command_ms: list[float] = []
        p2 = watches["parcours-2"]
        await p2.wait_for("Attente")
        for _ in range(args.slates):
            for body, scene in (
                ({"type": "slate", "channel": "parcours-2", "text": "bench"}, "Slate"),
                ({"type": "slate_clear", "channel": "parcours-2"}, "Attente"),
            ):
                sent = time.time()
                status, answer = await asyncio.to_thread(server.command, body)
                assert status == 200, answer
                command_ms.append((await p2.wait_for(scene, after=sent) - sent) * 1000)

        # Scheduled cues, channel by channel, in show order.
        cue_ms: dict[str, list[float]] = {}
        rows: list[tuple[dt.datetime, str, str, float]] = []
        for channel in CHANNELS:
            cue_ms[channel] = []
            for cue, scene in expected_cues(schedule, channel, t0, t1):
                wall_cue = cue_wall_time(clock, cue)
                wait = wall_cue - time.time() + 30
                seen = await watches[channel].wait_for(scene, after=wall_cue - 0.005, timeout=wait)
                latency = (seen - wall_cue) * 1000
                cue_ms[channel].append(latency)
                rows.append((cue, channel, scene, latency))
        health = await asyncio.to_thread(server.get_json, "/-/health")
        _, journal = await asyncio.to_thread(
            server.request, "GET", "/api/journal", token=server.token
        )
    finally:
        for watch in watches.values():
            await watch.close()
        if server is not None:
            await asyncio.to_thread(server.stop)
        for instance in instances.values():
            instance.stop()
        display.stop()

    print("\nscheduled cues (show time, channel, scene, cue -> OBS program change):")
    for cue, channel, scene, latency in sorted(rows):
        print(f"  {cue.astimezone(tz):%H:%M:%S}  {channel:<11} {scene:<24} {latency:6.0f} ms")
    print("\ncue -> program scene, per channel:")
    for channel, values in cue_ms.items():
        print(f"  {channel:<11} {summary(values)}")
    every = [v for values in cue_ms.values() for v in values]
    print(f"  {'all':<11} {summary(every)}")
    print(f"\noperator command (HTTP POST) -> program scene: {summary(command_ms)}")
    late = health["cue_wake_late_ms"]
    print(
        f"server cue wake lateness: n={late['count']} median={late['median']:.1f} "
        f"max={late['max']:.1f} ms"
    )
    durations = [s["duration_ms"] for s in journal["switches"] if s["result"] == "ok"]
    print(f"switcher request round trip (SetCurrentProgramScene): {summary(durations)}")
    failed = [s for s in journal["switches"] if s["result"] != "ok"]
    print(f"switch attempts: {len(journal['switches'])}, not ok: {len(failed)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speed", type=float, default=120.0)
    parser.add_argument("--from", dest="start", default="09:59:30")
    parser.add_argument("--to", dest="end", default="19:31")
    parser.add_argument("--slates", type=int, default=10)
    args = parser.parse_args()
    missing = missing_binaries()
    if missing:
        sys.exit(f"bench_switcher: {', '.join(missing)} not installed")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
