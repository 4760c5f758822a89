"""What a load balancer, systemd and Prometheus see: /-/ready, /-/health's status, /metrics."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from control_room.app import create_app
from control_room.clock import rehearsal_clock
from control_room.journal import Journal, SwitchRecord
from control_room.room import Room, SwitcherLink, build_room
from control_room.schedule_file import load_schedule
from control_room.wire import Role
from tests.api.conftest import SHORT_DAY, TOKEN, http, running

AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def test_ready_says_503_before_the_lifespan_then_200_then_503_while_stopping(
    app: Starlette, room: Room
) -> None:
    async with http(app) as client:
        before = await client.get("/-/ready")
        assert before.status_code == 503
        assert before.json() == {"ready": False, "status": "starting"}
        assert (await client.get("/-/health")).json()["status"] == "starting"
    async with running(app) as client:
        after = await client.get("/-/ready")
        assert after.status_code == 200
        assert after.json() == {"ready": True, "status": "ok"}
        health = (await client.get("/-/health")).json()
        assert health["status"] == "ok" and health["ok"] is True and health["seq"] == 1
    assert room.phase == "stopping"
    async with http(app) as client:
        assert (await client.get("/-/ready")).status_code == 503


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by (name, sorted labels)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_count_commands_journal_writes_screens_switches_and_slow_clients(
    client: httpx.AsyncClient, room: Room
) -> None:
    for command in (
        {"type": "extend", "channel": "main", "minutes": 2},
        {"type": "hold", "channel": "main"},
        {"type": "release", "channel": "parcours-1"},  # not held: refused
        {"type": "extend", "channel": "main"},  # no minutes: invalid
    ):
        await client.post("/api/commands", json=command, headers=AUTH)
    # refused at the door (no token): it never reaches the dispatcher, nor its histogram
    await client.post("/api/commands", json={"type": "hold", "channel": "main"})
    timer = room.hub.client(lambda text: asyncio.sleep(0), role=Role.TIMER, channels=None)
    room.hub.add(timer)
    slow = room.hub.client(lambda text: asyncio.sleep(0), role=Role.OVERLAY)
    room.hub.add(slow)
    room.hub.remove(slow, slow=True)
    link = SwitcherLink(room)
    now = datetime.now(UTC)
    ok = SwitchRecord("main", "Paris", "program", now, None, "ok", 100, "", 12.0)
    late = SwitchRecord("main", "Paris", "program", now, None, "timeout", None, "no answer", 2000.0)
    await link.record_switch(ok)
    await link.record_switch(late)

    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    found = samples(response.text)

    def outcome(name: str) -> float:
        return found[("control_room_command_seconds_count", (("outcome", name),))]

    assert (outcome("applied"), outcome("rejected"), outcome("invalid")) == (2, 1, 1)
    assert ("control_room_command_seconds_count", (("outcome", "unauthorized"),)) not in found
    assert found[("control_room_journal_entries", ())] == 2
    assert found[("control_room_journal_write_seconds_count", (("op", "append"),))] == 2
    assert found[("control_room_journal_write_seconds_count", (("op", "record_switch"),))] == 2
    assert found[("control_room_publications_total", ())] == room.show.publications == 3
    assert found[("control_room_screens", (("channel", "main"), ("role", "timer")))] == 1
    assert found[("control_room_screens", (("channel", "main"), ("role", "overlay")))] == 0
    assert found[("control_room_clients", ())] == 1
    assert found[("control_room_slow_clients_closed_total", ())] == 1
    switches = "control_room_switches_total"
    assert found[(switches, (("channel", "main"), ("result", "ok")))] == 1
    assert found[(switches, (("channel", "main"), ("result", "timeout")))] == 1
    assert found[("control_room_switch_failures_total", (("channel", "main"),))] == 1
    assert found[("control_room_switch_seconds_count", (("channel", "main"),))] == 2
    assert found[("control_room_switch_seconds_sum", (("channel", "main"),))] == 2.012
    assert found[("control_room_ready", ())] == 1
    room.hub.remove(timer)


async def test_each_cue_wake_up_is_observed_in_the_lateness_histogram(tmp_path: Path) -> None:
    # 0.3 s before main's 10:10 hard start: the alarm fires for real, once.
    clock = rehearsal_clock(datetime.fromisoformat("2026-07-07T10:09:59.7+02:00"), 1.0)
    journal = Journal.open(tmp_path / "data")
    room = build_room(load_schedule(SHORT_DAY), clock, journal, token=TOKEN, tick_seconds=0)
    try:
        async with running(create_app(room, web_dir=None)) as client:
            async with asyncio.timeout(5):
                while room.show.alarm.wakes == 0:
                    await asyncio.sleep(0.02)
            found = samples((await client.get("/metrics")).text)
    finally:
        journal.close()
    assert found[("control_room_cue_lateness_seconds_count", ())] == len(room.show.cues_late_ms)
    assert found[("control_room_cue_lateness_seconds_count", ())] >= 1
    assert found[("control_room_cue_lateness_seconds_bucket", (("le", "+Inf"),))] >= 1


async def test_two_apps_in_one_process_never_share_their_counters(room: Room) -> None:
    first, second = create_app(room, web_dir=None), create_app(room, web_dir=None)
    assert first.state.metrics.registry is not second.state.metrics.registry
