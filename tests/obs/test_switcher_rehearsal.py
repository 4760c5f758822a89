"""A rehearsal of the 7 July with the real server driving real OBS instances.

``control-room serve --switcher config.toml`` in a subprocess (tests/support/server.py),
rehearsal clock; OBS Studio under Xvfb (conftest.py). What OBS shows is read from
OBS itself (its CurrentProgramSceneChanged events), never from the server.

Cue-to-program latencies are printed (``pytest -s`` or ``-rP`` shows them); the
figures with more samples come from bench/bench_switcher.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from obs_harness import ObsFactory, ObsProcess, Xvfb
from rehearsal import ProgramWatch, Regie, cue_wall_time, write_switcher_config

from control_room.core.scenes import scenes_needed
from control_room.schedule_file import load_schedule
from tests.support.server import REPO, RunningServer, settled, start_server

pytestmark = pytest.mark.obs

SCHEDULE = REPO / "schedules" / "rnct-2026-07-07.yaml"
DAY = load_schedule(SCHEDULE)
DAY_SCENES = sorted({s for ch in DAY.channels for s in scenes_needed(DAY, ch.id)} | {"Idle"})
PARIS = ZoneInfo("Europe/Paris")
PARCOURS = {"parcours-1": "Morlaix", "parcours-2": "Lille", "parcours-3": "Lyon"}


def at(hhmmss: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"2026-07-07T{hhmmss}").replace(tzinfo=PARIS)


def env_name(channel: str) -> str:
    return "OBS_PASSWORD_" + channel.upper().replace("-", "_")


@pytest.fixture(scope="module")
def parcours_obs(
    obs: ObsProcess, xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ObsProcess]]:
    """One OBS per parcours (the session one for parcours-1), with the day's scenes."""
    extra = [
        ObsProcess(display=xvfb.display, root=tmp_path_factory.mktemp(f"obs-{name}"))
        for name in ("parcours-2", "parcours-3")
    ]
    try:
        for instance in extra:
            instance.launch()
        for instance in extra:
            asyncio.run(instance.wait_ready())
        instances = dict(zip(PARCOURS, [obs, *extra], strict=True))
        for instance in instances.values():
            instance.setup_scenes_sync(DAY_SCENES, program="Idle")
        yield instances
    finally:
        for instance in extra:
            instance.stop()


async def serve(
    tmp_path: Path,
    bindings: dict[str, ObsProcess],
    *,
    at_: str,
    speed: float = 1.0,
    passwords: dict[str, str] | None = None,
) -> RunningServer:
    config = write_switcher_config(
        tmp_path / "switcher.toml",
        {channel: (instance.url, env_name(channel)) for channel, instance in bindings.items()},
    )
    env = {env_name(channel): instance.password for channel, instance in bindings.items()}
    env.update(passwords or {})
    return await asyncio.to_thread(
        start_server,
        SCHEDULE,
        data_dir=tmp_path / "data",
        at=f"2026-07-07T{at_}",
        speed=speed,
        extra_args=["--switcher", str(config)],
        env=env,
    )


@pytest.fixture
async def servers() -> AsyncIterator[list[RunningServer]]:
    started: list[RunningServer] = []
    yield started
    for server in started:
        await asyncio.to_thread(server.stop)


@pytest.fixture
async def watches() -> AsyncIterator[list[ProgramWatch]]:
    opened: list[ProgramWatch] = []
    yield opened
    for watch in opened:
        await watch.close()


async def command(server: RunningServer, body: dict[str, Any]) -> float:
    """POST a command; return the wall time just before sending it."""
    sent = time.time()
    status, answer = await asyncio.to_thread(server.command, body)
    assert status == 200, answer
    return sent


def report(title: str, latencies_ms: list[float]) -> None:
    figures = ", ".join(f"{ms:.0f}" for ms in latencies_ms)
    median = statistics.median(latencies_ms)
    print(f"\n[switcher latency] {title}: {figures} ms (median {median:.0f} ms)")


async def test_program_follows_the_three_parcours_across_1145(
    parcours_obs: dict[str, ObsProcess],
    tmp_path: Path,
    servers: list[RunningServer],
    watches: list[ProgramWatch],
) -> None:
    for instance in parcours_obs.values():
        watches.append(await ProgramWatch(instance).connect())
    watch = dict(zip(PARCOURS, watches, strict=True))
    # 10 s of rehearsal before the cue: time for the server and the switchers to start
    # (several seconds on a loaded 2-core machine) and to put every OBS on the idle scene.
    server = await serve(tmp_path, parcours_obs, at_="11:44:50")
    servers.append(server)
    clock = (await asyncio.to_thread(server.get_json, "/-/health"))["clock"]
    cue = cue_wall_time(clock, at("11:45"))
    for channel in PARCOURS:
        before = await watch[channel].wait_for("Attente")
        assert before < cue, f"{channel}: the switcher was not connected before the cue"
    latencies = []
    for channel, scene in PARCOURS.items():
        switched = await watch[channel].wait_for(scene, after=cue - 5)
        assert switched >= cue, f"{channel} switched to {scene} before the cue"
        latencies.append((switched - cue) * 1000)
        assert await watch[channel].program() == scene
    report("11:45 cue -> Morlaix/Lille/Lyon on program", latencies)

    def ok_switches() -> dict[str, list[dict[str, Any]]]:
        _, journal = server.request("GET", "/api/journal", token=server.token)
        return {
            channel: [
                s for s in journal["switches"] if s["channel"] == channel and s["result"] == "ok"
            ]
            for channel in PARCOURS
        }

    def scenes(switches: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
        return {channel: [s["scene"] for s in found] for channel, found in switches.items()}

    # A switch is audited on the journal's writer thread once OBS answered: the program
    # can show the scene a moment before the journal holds the record.
    expected = {channel: ["Attente", scene] for channel, scene in PARCOURS.items()}
    await asyncio.to_thread(
        settled, lambda: scenes(ok_switches()), expected, what="switches audited"
    )
    audited = ok_switches()
    assert scenes(audited) == expected
    for ok in audited.values():
        assert ok[-1]["code"] == 100 and ok[-1]["duration_ms"] is not None
        show_at = dt.datetime.fromisoformat(ok[-1]["show_at"])
        assert ok[-1]["show_at"].endswith("+02:00")
        assert at("11:45") <= show_at < at("11:45:01")


async def test_slate_and_site_fallback_switch_scenes_and_come_back(
    obs: ObsProcess,
    tmp_path: Path,
    servers: list[RunningServer],
    watches: list[ProgramWatch],
) -> None:
    await obs.setup_scenes(DAY_SCENES, program="Idle")
    watch = await ProgramWatch(obs).connect()
    watches.append(watch)
    server = await serve(tmp_path, {"parcours-1": obs}, at_="11:50")
    servers.append(server)
    await watch.wait_for("Morlaix")
    latencies = []
    for body, scene in [
        ({"type": "slate", "channel": "parcours-1", "text": "Coupure Morlaix"}, "Slate"),
        ({"type": "slate_clear", "channel": "parcours-1"}, "Morlaix"),
        ({"type": "site_override", "channel": "parcours-1", "site": "paris-3zero"},
         "Paris - Maison 3Zéro"),
        ({"type": "site_clear", "channel": "parcours-1"}, "Morlaix"),
    ]:  # fmt: skip
        sent = await command(server, body)
        switched = await watch.wait_for(scene, after=sent)
        latencies.append((switched - sent) * 1000)
    report("operator command -> program (slate, clear, fallback, clear)", latencies)


async def test_killed_obs_comes_back_on_the_current_scene(
    obs_factory: ObsFactory,
    tmp_path: Path,
    servers: list[RunningServer],
) -> None:
    instance = obs_factory()
    await instance.astart()
    await instance.setup_scenes(DAY_SCENES, program="Idle")
    server = await serve(tmp_path, {"parcours-1": instance}, at_="11:50")
    servers.append(server)
    async with Regie(server.ws_url, server.token) as regie:
        await regie.until(
            lambda: regie.statuses.get("parcours-1", {}).get("program_scene") == "Morlaix",
            what="Morlaix on program",
        )
        instance.kill()
        await regie.until(
            lambda: not regie.statuses["parcours-1"]["connected"], what="switcher disconnected"
        )
        assert regie.statuses["parcours-1"]["error"]
        # The show goes on without OBS: the command is acknowledged and published.
        began = time.monotonic()
        await command(server, {"type": "slate", "channel": "parcours-1", "text": "Coupure"})
        assert time.monotonic() - began < 5
        await regie.until(
            lambda: regie.states[-1][1]["state"]["channels"][1]["slate"] is not None,
            what="slate published",
        )
        await instance.astart()  # OBS comes back, with only its default scene...
        await instance.setup_scenes(DAY_SCENES)  # ...until its collection is restored
        watch = await ProgramWatch(instance).connect()
        try:
            if await watch.program() != "Slate":
                await watch.wait_for("Slate")
        finally:
            await watch.close()
        await regie.until(
            lambda: (
                regie.statuses["parcours-1"]["connected"]
                and regie.statuses["parcours-1"]["error"] is None
            ),
            what="switcher reconnected, error cleared",
        )
    _, journal = await asyncio.to_thread(server.request, "GET", "/api/journal", token=server.token)
    results = [(s["scene"], s["result"]) for s in journal["switches"]]
    assert ("Slate", "unreachable") in results
    # Set on reconnect, unless OBS came back on it already: a scene already on program is
    # never set again (driver._connect; a new cluster leader relies on it).
    assert results[-1] in (("Slate", "ok"), ("Slate", "unreachable"))


async def test_wrong_password_is_reported_and_nothing_else_is_disturbed(
    obs: ObsProcess,
    tmp_path: Path,
    servers: list[RunningServer],
    watches: list[ProgramWatch],
) -> None:
    await obs.setup_scenes(DAY_SCENES, program="Idle")
    watch = await ProgramWatch(obs).connect()
    watches.append(watch)
    # parcours-1 with the right password; parcours-2 bound to the same OBS with a wrong one.
    server = await serve(
        tmp_path,
        {"parcours-1": obs, "parcours-2": obs},
        at_="11:44:56",
        passwords={env_name("parcours-2"): "wrong-password"},
    )
    servers.append(server)
    async with Regie(server.ws_url, server.token) as regie:

        def p2_error() -> str:
            return str(regie.statuses.get("parcours-2", {}).get("error") or "")

        await regie.until(lambda: "rejected the password" in p2_error(), what="p2 password error")
        assert env_name("parcours-2") in regie.statuses["parcours-2"]["error"]
        assert not regie.statuses["parcours-2"]["connected"]
        # The cue still reaches the screens, and parcours-1 still switches.
        await regie.until(
            lambda: (
                regie.states and regie.states[-1][1]["state"]["channels"][2]["status"] == "on_air"
            ),
            what="11:45 published",
        )
        await watch.wait_for("Morlaix")
        sent = await command(server, {"type": "slate", "channel": "parcours-1", "text": "x"})
        await watch.wait_for("Slate", after=sent)
        errors = [s for _, c, s in regie.status_log if c == "parcours-2" and s["error"]]
        assert len({s["error"] for s in errors}) == 1
    log = server.output()
    assert log.count("rejected the password") == 1, log


async def test_regie_manual_mode_and_resend(
    obs: ObsProcess,
    tmp_path: Path,
    servers: list[RunningServer],
    watches: list[ProgramWatch],
) -> None:
    await obs.setup_scenes(DAY_SCENES, program="Idle")
    watch = await ProgramWatch(obs).connect()
    watches.append(watch)
    server = await serve(tmp_path, {"parcours-1": obs}, at_="11:50")
    servers.append(server)
    async with Regie(server.ws_url, server.token) as regie:
        await watch.wait_for("Morlaix")
        assert (await regie.switcher("parcours-1", "manual"))["ok"]
        await regie.until(lambda: regie.statuses["parcours-1"]["manual"], what="manual")
        await command(server, {"type": "slate", "channel": "parcours-1", "text": "x"})
        await regie.until(
            lambda: regie.statuses["parcours-1"]["desired_scene"] == "Slate", what="desired"
        )
        assert await watch.program() == "Morlaix"  # left alone
        sent = time.time()
        assert (await regie.switcher("parcours-1", "auto"))["ok"]
        await watch.wait_for("Slate", after=sent)
        assert watch.client is not None
        await watch.client.set_program_scene("Beta")  # someone clicks in OBS
        await watch.wait_for("Beta", after=sent)
        assert (await regie.switcher("parcours-1", "resend"))["ok"]
        await watch.wait_for("Slate", after=time.time() - 0.5)
        refused = await regie.switcher("main", "resend")
        assert not refused["ok"] and "not bound" in refused["error"]


def run_check(config: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "control_room", "switcher", "check", str(SCHEDULE),
         "--config", str(config)],
        capture_output=True, text=True, cwd=REPO, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
    )  # fmt: skip


async def test_switcher_check_reports_the_scenes_obs_lacks(
    obs_factory: ObsFactory, tmp_path: Path
) -> None:
    instance = obs_factory()
    await instance.astart()
    await instance.setup_scenes(["Attente", "Slate", "Morlaix"])  # no "Pause", no fallbacks
    config = write_switcher_config(
        tmp_path / "switcher.toml", {"parcours-1": (instance.url, "PW1")}
    )
    result = await asyncio.to_thread(run_check, config, {"PW1": instance.password})
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["MISSING", "'Pause'"] for line in lines), result.stdout
    assert any("'Lille'" in line and "fallback only" in line for line in lines)
    assert any(line.split()[:2] == ["ok", "'Morlaix'"] for line in lines)
    await instance.setup_scenes(["Pause"])
    result = await asyncio.to_thread(run_check, config, {"PW1": instance.password})
    assert result.returncode == 0, result.stdout + result.stderr
    result = await asyncio.to_thread(run_check, config, {"PW1": "wrong"})
    assert result.returncode == 1 and "rejected the password" in result.stdout


async def test_main_channel_goes_from_paris_to_lille_and_back_on_cue(
    obs: ObsProcess,
    tmp_path: Path,
    servers: list[RunningServer],
    watches: list[ProgramWatch],
) -> None:
    await obs.setup_scenes(DAY_SCENES, program="Idle")
    watch = await ProgramWatch(obs).connect()
    watches.append(watch)
    # 17:40 at 120x: the 18:00 cue comes 10 s (wall) after the start, 18:10 5 s later.
    server = await serve(tmp_path, {"main": obs}, at_="17:40", speed=120)
    servers.append(server)
    clock = (await asyncio.to_thread(server.get_json, "/-/health"))["clock"]
    first = await watch.wait_for("Attente")  # the 17:45-18:00 gap
    latencies = []
    for cue, scene in [("18:00", "Lille"), ("18:10", "Paris - Maison 3Zéro")]:
        wall = cue_wall_time(clock, at(cue))
        assert first < wall, "the switcher was not connected before the cue"
        switched = await watch.wait_for(scene, after=wall - 0.005)
        latencies.append((switched - wall) * 1000)
    report("main 18:00 Lille, 18:10 back to Paris", latencies)
