"""The Switcher drives a real OBS: connect, follow, recover, report."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from obs_harness import ObsFactory, ObsProcess, eventually, program_scene, until

from control_room.clock import rehearsal_clock
from control_room.core.commands import Command, Slate
from control_room.core.scenes import scenes_needed
from control_room.core.schedule import Schedule
from control_room.core.schedule_yaml import parse_schedule
from control_room.core.timeline import JournalEntry, state
from control_room.journal import SwitchRecord
from control_room.obs import EventListener, ObsClient
from control_room.schedule_file import load_schedule
from control_room.switcher import (
    ClientFactory,
    ObsBinding,
    Switcher,
    SwitcherStatus,
)

pytestmark = pytest.mark.obs

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
DAY = load_schedule(ROOT / "schedules" / "rnct-2026-07-07.yaml")
DAY_SCENES = sorted({s for ch in DAY.channels for s in scenes_needed(DAY, ch.id)})


def at(hhmmss: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"2026-07-07T{hhmmss}").replace(tzinfo=PARIS)


class Recorder:
    """Collects what a Switcher reports, as the app would."""

    def __init__(self) -> None:
        self.attempts: list[SwitchRecord] = []
        self.statuses: list[SwitcherStatus] = []

    def attempt(self, attempt: SwitchRecord) -> None:
        self.attempts.append(attempt)

    def status(self, status: SwitcherStatus) -> None:
        self.statuses.append(status)


def make_switcher(
    obs: ObsProcess,
    recorder: Recorder,
    *,
    schedule: Schedule = DAY,
    channel: str = "parcours-1",
    start: str = "11:40",
    speed: float = 1.0,
    lead: float = 30.0,
    password_env: str = "CONTROL_ROOM_TEST_OBS_PASSWORD",
    client_factory: ClientFactory | None = None,
) -> Switcher:
    binding = ObsBinding(
        channel=channel,
        url=obs.url,
        password_env=password_env,
        preview_lead=dt.timedelta(seconds=lead),
        request_timeout=5.0,
    )
    return Switcher(
        schedule,
        binding,
        clock=rehearsal_clock(at(start), speed),
        on_record=recorder.attempt,
        on_status=recorder.status,
        backoff=(0.05, 0.2),
        **({} if client_factory is None else {"client_factory": client_factory}),
    )


@pytest.fixture
async def day_obs(obs: ObsProcess, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[ObsProcess]:
    monkeypatch.setenv("CONTROL_ROOM_TEST_OBS_PASSWORD", obs.password)
    await obs.setup_scenes(DAY_SCENES, program="Idle")
    yield obs


@pytest.fixture
async def running() -> AsyncIterator[Callable[[Switcher], Switcher]]:
    started: list[Switcher] = []

    def run(switcher: Switcher) -> Switcher:
        started.append(switcher)
        switcher.start()
        return switcher

    yield run
    for switcher in started:
        await switcher.aclose()


async def program_is(obs: ObsProcess, scene: str, timeout: float = 10.0) -> None:
    await eventually(
        lambda: program_scene(obs), lambda s: s == scene, timeout=timeout, what="program scene"
    )


def show(when: str, *commands: tuple[str, Command]) -> tuple[object, dt.datetime]:
    journal = [JournalEntry(i + 1, at(t), c) for i, (t, c) in enumerate(commands)]
    return state(DAY, journal, at(when)), at(when)


async def test_switcher_puts_obs_on_the_scene_of_now_when_it_connects(
    day_obs: ObsProcess, running: Callable[[Switcher], Switcher]
) -> None:
    recorder = Recorder()
    switcher = make_switcher(day_obs, recorder)
    switcher.update(state(DAY, [], at("11:50")))
    running(switcher)
    await program_is(day_obs, "Morlaix")
    await until(lambda: len(recorder.attempts) >= 1, what="the attempt is recorded")
    assert switcher.status.connected and switcher.status.error is None
    ok = [a for a in recorder.attempts if a.result == "ok"]
    assert [(a.scene, a.target, a.code) for a in ok] == [("Morlaix", "program", 100)]
    assert ok[0].show_at == at("11:50") and ok[0].duration_ms is not None


async def test_switcher_follows_every_change_and_reports_obs_program(
    day_obs: ObsProcess, running: Callable[[Switcher], Switcher]
) -> None:
    recorder = Recorder()
    switcher = running(make_switcher(day_obs, recorder))
    slate = Slate(channel="parcours-1", text="Coupure Morlaix")
    for when, commands, expected in [
        ("11:44", [], "Attente"),
        ("11:45", [], "Morlaix"),
        ("12:10", [("12:05", slate)], "Slate"),
        ("13:10", [], "Pause"),
        ("14:00", [], "Morlaix"),
    ]:
        switcher.update(
            state(
                DAY, [JournalEntry(i + 1, at(t), c) for i, (t, c) in enumerate(commands)], at(when)
            )
        )
        await program_is(day_obs, expected)
        await until(
            lambda: bool(recorder.attempts) and recorder.attempts[-1].scene == expected,
            what="recorded",
        )
        await until(lambda: switcher.status.program_scene == expected, what="status.program_scene")
    assert [a.scene for a in recorder.attempts if a.result == "ok"] == [
        "Attente", "Morlaix", "Slate", "Pause", "Morlaix"
    ]  # fmt: skip


async def test_latest_desired_scene_wins_without_a_backlog(
    day_obs: ObsProcess, running: Callable[[Switcher], Switcher]
) -> None:
    recorder = Recorder()
    switcher = running(make_switcher(day_obs, recorder))
    switcher.update(state(DAY, [], at("11:44")))
    await program_is(day_obs, "Attente")
    # A burst of changes in one tick of the loop: only the last one is sent.
    for when in ["11:46", "13:10", "11:44", "13:20", "14:10"]:
        switcher.update(state(DAY, [], at(when)))
    await program_is(day_obs, "Morlaix")
    await until(lambda: len(recorder.attempts) >= 2, what="the attempt is recorded")
    assert [a.scene for a in recorder.attempts] == ["Attente", "Morlaix"]


async def test_update_never_blocks_even_without_obs(
    running: Callable[[Switcher], Switcher],
) -> None:
    recorder = Recorder()
    dead = ObsProcess(display=":0", root=Path("/nonexistent"))  # nothing listens on its port
    switcher = running(make_switcher(dead, recorder, password_env="HOME"))
    loop = asyncio.get_running_loop()
    began = loop.time()
    for minute in range(100):
        switcher.update(state(DAY, [], at("11:40") + dt.timedelta(minutes=minute)))
    assert loop.time() - began < 1.0  # 100 updates; generous bound for a slow CI machine
    await until(lambda: switcher.status.error is not None, what="error")
    assert not switcher.status.connected
    assert "cannot connect" in (switcher.status.error or "")
    # One "unreachable" record per scene asked while down, not one per retry.
    scenes = [a.scene for a in recorder.attempts]
    assert scenes and all(a.result == "unreachable" for a in recorder.attempts)
    assert all(a != b for a, b in zip(scenes, scenes[1:], strict=False))


async def test_wrong_password_is_reported_once_and_nothing_is_sent(
    day_obs: ObsProcess,
    running: Callable[[Switcher], Switcher],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("CONTROL_ROOM_WRONG_PASSWORD", "not-the-password")
    recorder = Recorder()
    clients: list[ObsClient] = []

    def counting(binding: ObsBinding, password: str | None, on_event: EventListener) -> ObsClient:
        clients.append(ObsClient(binding.url, password=password, on_event=on_event))
        return clients[-1]

    switcher = make_switcher(
        day_obs, recorder, password_env="CONTROL_ROOM_WRONG_PASSWORD", client_factory=counting
    )
    switcher.update(state(DAY, [], at("11:50")))
    with caplog.at_level(logging.ERROR, logger="control_room.switcher"):
        running(switcher)
        # Let it retry a few times (backoff 0.05-0.2 s in this test).
        await until(lambda: len(clients) >= 5, what="five connection attempts")
    assert "rejected the password" in (switcher.status.error or "")
    assert "$CONTROL_ROOM_WRONG_PASSWORD" in (switcher.status.error or "")
    assert len([r for r in caplog.records if "rejected the password" in r.getMessage()]) == 1
    assert not switcher.status.connected
    assert await program_scene(day_obs) == "Idle"


async def test_manual_mode_leaves_obs_alone_and_auto_restores_the_show(
    day_obs: ObsProcess, running: Callable[[Switcher], Switcher]
) -> None:
    recorder = Recorder()
    switcher = running(make_switcher(day_obs, recorder))
    switcher.update(state(DAY, [], at("11:50")))
    await program_is(day_obs, "Morlaix")
    switcher.set_manual(True)
    async with day_obs.client() as client:
        await client.set_program_scene("Alpha")  # the operator takes over by hand
    switcher.update(state(DAY, [], at("13:10")))
    await until(
        lambda: switcher.status.program_scene == "Alpha", what="OBS reports the operator's scene"
    )
    assert switcher.status.manual and switcher.status.desired_scene == "Pause"
    assert await program_scene(day_obs) == "Alpha"
    switcher.set_manual(False)
    await program_is(day_obs, "Pause")


async def test_resend_sets_the_current_scene_again(
    day_obs: ObsProcess, running: Callable[[Switcher], Switcher]
) -> None:
    recorder = Recorder()
    switcher = running(make_switcher(day_obs, recorder))
    switcher.update(state(DAY, [], at("11:50")))
    await program_is(day_obs, "Morlaix")
    async with day_obs.client() as client:
        await client.set_program_scene("Beta")
    await program_is(day_obs, "Beta")
    switcher.resend()
    await program_is(day_obs, "Morlaix")
    await until(lambda: len(recorder.attempts) >= 2, what="the attempt is recorded")
    assert [a.scene for a in recorder.attempts] == ["Morlaix", "Morlaix"]


MISSING = """
event: {title: "T", date: 2026-07-07, timezone: Europe/Paris}
switcher: {scenes: {idle: "Idle"}}
sites:
  - {id: a, name: A, city: A, scene: "Scene Nobody Made"}
channels:
  - id: c
    title: C
    segments:
      - {id: s1, title: S1, kind: talk, start: "10:00", end: "11:00", site: a}
"""


async def test_unknown_scene_is_reported_once_and_retried_when_the_scene_appears(
    obs_factory: ObsFactory,
    running: Callable[[Switcher], Switcher],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    instance = obs_factory()
    await instance.astart()
    await instance.setup_scenes(["Idle"], program="Idle")
    monkeypatch.setenv("CONTROL_ROOM_TEST_OBS_PASSWORD", instance.password)
    schedule = parse_schedule(MISSING)
    recorder = Recorder()
    switcher = make_switcher(instance, recorder, schedule=schedule, channel="c", start="10:00")
    switcher.update(state(schedule, [], at("10:10")))
    with caplog.at_level(logging.ERROR, logger="control_room.switcher"):
        running(switcher)
        await until(lambda: switcher.status.error is not None, what="error")
        # Same state again (the server's safety ticks): no new attempt, no new log line.
        for _ in range(3):
            switcher.update(state(schedule, [], at("10:11")))
            await asyncio.sleep(0.05)
    assert switcher.status.error == "OBS has no scene 'Scene Nobody Made' (program, code 600)"
    refused = [a for a in recorder.attempts if a.result == "refused"]
    assert len(refused) == 1 and refused[0].code == 600
    assert "Scene Nobody Made" in refused[0].comment
    assert len([r for r in caplog.records if "no scene" in r.getMessage()]) == 1
    async with instance.client() as client:  # the operator creates the missing scene
        await client.create_scene("Scene Nobody Made")
    await program_is(instance, "Scene Nobody Made")
    await until(lambda: switcher.status.error is None, what="cleared")


async def test_killed_obs_comes_back_on_the_scene_of_now(
    obs_factory: ObsFactory,
    running: Callable[[Switcher], Switcher],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instance = obs_factory()
    await instance.astart()
    await instance.setup_scenes(DAY_SCENES)
    monkeypatch.setenv("CONTROL_ROOM_TEST_OBS_PASSWORD", instance.password)
    recorder = Recorder()
    switcher = running(make_switcher(instance, recorder))
    switcher.update(state(DAY, [], at("11:50")))
    await program_is(instance, "Morlaix")
    instance.kill()
    await until(lambda: not switcher.status.connected, what="disconnect")
    # While OBS is down the show moves on: a slate goes up.
    slate = JournalEntry(1, at("11:55"), Slate(channel="parcours-1", text="Coupure"))
    switcher.update(state(DAY, [slate], at("11:56")))
    await instance.astart()  # a fresh OBS: only its default scene "Scene"...
    await instance.setup_scenes(DAY_SCENES)  # ...until the operator's collection is back
    await program_is(instance, "Slate")
    await until(
        lambda: (recorder.attempts[-1].scene, recorder.attempts[-1].result) == ("Slate", "ok"),
        what="recorded",
    )
    unreachable = [a for a in recorder.attempts if a.result == "unreachable"]
    assert [a.scene for a in unreachable] == ["Slate"]
    assert recorder.attempts[-1].scene == "Slate" and recorder.attempts[-1].result == "ok"


async def test_studio_mode_previews_the_next_scene_a_lead_time_before_the_cue(
    obs_factory: ObsFactory,
    running: Callable[[Switcher], Switcher],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instance = obs_factory(studio_mode=True)
    await instance.astart()
    await instance.setup_scenes(DAY_SCENES, program="Attente")
    monkeypatch.setenv("CONTROL_ROOM_TEST_OBS_PASSWORD", instance.password)
    recorder = Recorder()
    # Rehearsal at 10x from 11:44:25; lead 30 s: the preview is due at 11:44:30 (0.5 s wall).
    switcher = make_switcher(instance, recorder, start="11:44:25", speed=10, lead=30)
    switcher.update(state(DAY, [], at("11:44:25")))
    running(switcher)
    # OBS's preview event can set the status before the request's answer is recorded.
    await until(
        lambda: (
            switcher.status.preview_scene == "Morlaix"
            and any(a.target == "preview" for a in recorder.attempts)
        ),
        what="preview set and its attempt recorded",
    )
    preview = [a for a in recorder.attempts if a.target == "preview"]
    assert [(a.scene, a.result) for a in preview] == [("Morlaix", "ok")]
    assert switcher.status.studio_mode and await program_scene(instance) == "Attente"
