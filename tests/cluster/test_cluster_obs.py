"""A real OBS driven by a cluster: the leader killed around a cue, one switch per cue.

Three instances share the show; only the leader runs the switcher. The first leader is
killed just before the 11:45 cue of parcours-1 (Attente → Morlaix): the next leader takes
over after the cue and sets Morlaix once; it is killed in turn, and the third leader finds
Morlaix already on program and does not set it again. What OBS shows is read from OBS
(its ``CurrentProgramSceneChanged`` events, by an observer client), never from a server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "obs"))  # the OBS harness

from cluster_harness import SCHEDULE, Cluster  # noqa: E402
from obs_harness import ObsProcess, Xvfb, missing_binaries  # noqa: E402
from rehearsal import ProgramWatch, Regie, cue_wall_time, write_switcher_config  # noqa: E402

from control_room.core.scenes import scenes_needed  # noqa: E402
from control_room.schedule_file import load_schedule  # noqa: E402
from tests.support.server import eventually, settled  # noqa: E402

pytestmark = pytest.mark.obs

DAY = load_schedule(SCHEDULE)
SCENES = sorted({s for ch in DAY.channels for s in scenes_needed(DAY, ch.id)} | {"Idle"})
CUE = dt.datetime(2026, 7, 7, 11, 45, tzinfo=ZoneInfo("Europe/Paris"))
LEASE_MS = 1500


@pytest.fixture
def obs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObsProcess]:
    missing = missing_binaries()
    if missing:  # never a skip: make system-deps installs them
        pytest.fail(f"{', '.join(missing)} not installed (make system-deps)")
    display = Xvfb.start()
    instance = ObsProcess(display=display.display, root=tmp_path_factory.mktemp("obs-cluster"))
    try:
        instance.start()
        instance.setup_scenes_sync(SCENES, program="Idle")
        yield instance
    finally:
        instance.stop()
        display.stop()


def test_the_leader_killed_around_a_cue_switches_once(
    obs: ObsProcess, cluster: Cluster, tmp_path: Path
) -> None:
    config = write_switcher_config(
        tmp_path / "switcher.toml", {"parcours-1": (obs.url, "OBS_PASSWORD_P1")}
    )
    cluster.lease_ms = LEASE_MS
    cluster.at = "2026-07-07T11:44:20"
    cluster.extra_args = ("--switcher", str(config))
    asyncio.run(_scenario(obs, cluster))
    # Each instance journals the switches it made: one Morlaix for the one cue, in all. The
    # last one is audited on the third leader's writer thread after OBS answered: waited for.
    expected = ["Attente", "Morlaix", "Slate"]
    made = settled(lambda: made_switches(cluster), expected, what="the switches audited")
    assert made == expected


def made_switches(cluster: Cluster, nodes: Iterable[int] = range(3)) -> list[str]:
    """The program switches the instances journaled (killed or not), sorted."""
    made = []
    for i in nodes:
        db = sqlite3.connect(cluster.data_dir(i) / "journal.sqlite3")
        try:
            made += db.execute(
                "SELECT scene FROM switches WHERE result = 'ok' AND target = 'program'"
            ).fetchall()
        finally:
            db.close()
    return sorted(scene for (scene,) in made)


async def _scenario(obs: ObsProcess, cluster: Cluster) -> None:
    import os

    os.environ["OBS_PASSWORD_P1"] = obs.password  # inherited by the servers
    watch = await ProgramWatch(obs).connect()
    try:
        await asyncio.to_thread(cluster.start, 3)
        first = await asyncio.to_thread(cluster.wait_leader)
        await watch.wait_for("Attente")
        clock = (await asyncio.to_thread(cluster.node(first).get_json, "/-/health"))["clock"]
        cue = cue_wall_time(clock, CUE)
        assert time.time() < cue - 1, "the cluster started too late for the cue"
        await asyncio.sleep(cue - 0.3 - time.time())  # to a show instant: 0.3 s before the cue
        cluster.kill(first)
        second = await asyncio.to_thread(cluster.wait_leader, among=cluster.alive())
        switched = await watch.wait_for("Morlaix", after=cue)
        print(f"\n[cluster obs] Morlaix on program {switched - cue:.3f} s after the cue")
        # Killed once it audited the switch (a SIGKILL may lose a record not yet written).
        await asyncio.to_thread(
            eventually,
            lambda: "Morlaix" in made_switches(cluster, [second]),
            what="the second leader audited its switch",
        )
        cluster.kill(second)
        third = await asyncio.to_thread(cluster.wait_leader, among=cluster.alive())
        node = cluster.node(third)
        async with Regie(node.ws_url, cluster.token) as regie:
            await regie.until(
                lambda: (
                    regie.statuses.get("parcours-1", {}).get("connected") is True
                    and regie.statuses["parcours-1"].get("program_scene") == "Morlaix"
                ),
                what="the third leader's switcher connected, Morlaix on program",
            )
        # A switch the third leader must make: every earlier one (a second Morlaix) is
        # before it in OBS's events.
        status, body = await asyncio.to_thread(
            cluster.command, third, {"type": "slate", "channel": "parcours-1", "text": "x"},
            who="test",
        )  # fmt: skip
        assert status == 200, body
        await watch.wait_for("Slate", after=switched)
        # "Idle" is the fixture's own set-up (no channel ever asks for it), which a loaded OBS
        # may report after the watch subscribed: every other change is the cluster's.
        changes = [scene for when, scene in watch.changes if scene != "Idle"]
        assert changes == ["Attente", "Morlaix", "Slate"], changes
    finally:
        await watch.close()
