"""The state by reference, joined in real Chromium, is exactly ``GET /api/state``.

The pages get the live document (ids, instants, flags, texts) and its patches, and join
them with the schedule (web/static/live-state.js) into the state document they always
read. Two proofs, both in the browser's own JavaScript:

- the join of the live document of the shipped day, at instants all through the day and
  after every kind of command, for each note scope, equals the state document the server
  builds (control_room.core.document) for the same state;
- pages of a running rehearsal (programme, overlay, timer, régie), after commands sent while
  the day moves at 10×, hold the same document as ``GET /api/state`` with the same token.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from control_room.core.commands import (
    Blackout,
    Command,
    Delay,
    Extend,
    Flash,
    Hold,
    LowerThird,
    Message,
    Release,
    SiteOverride,
    Slate,
    SlateClear,
    Take,
)
from control_room.core.document import (
    NOTES_ALL,
    NOTES_NONE,
    NoteScope,
    public_schedule,
    public_state,
    schedule_document,
    state_document,
)
from control_room.core.live_document import Instants, live_document, public_live
from control_room.core.timeline import CommandRejected, JournalEntry, Replay, ShowState
from control_room.schedule_file import load_schedule
from tests.browser.conftest import SHIPPED_DAY
from tests.support.server import RunningServer, eventually, run_server

JOIN = """async ([schedule, lives]) => {
  const { indexSchedule, joinState } = await import('/static/live-state.js');
  const index = indexSchedule(schedule);
  return lives.map((live) => joinState(index, live));
}"""

COMMANDS: list[Command] = [
    Extend(channel="main", minutes=3),
    Slate(channel="parcours-1", text="Coupure « réseau »"),
    Message(channel="main", audience="viewers", text="Reprise à 14 h"),
    Hold(channel="parcours-2"),
    Take(channel="main", confirm=True),
    LowerThird(channel="parcours-3", action="in"),
    Message(channel="parcours-1", audience="moderators", text="Concluez"),
    SiteOverride(channel="main", site="lille"),
    Flash(channel="parcours-2", seconds=30),
    Blackout(channel="parcours-3", on=True),
    Release(channel="parcours-2"),
    Delay(channel="parcours-3", minutes=-4),
    SlateClear(channel="parcours-1"),
    Extend(channel="parcours-1", seconds=-90),
]


def _day_states() -> list[ShowState]:
    """The shipped day every 6 minutes from 09:50 to 19:44, a command tried at each step."""
    schedule = load_schedule(SHIPPED_DAY)
    tz = schedule.event.timezone
    replay = Replay(schedule, [])
    t = dt.datetime(2026, 7, 7, 9, 50, 0, 250_000, tzinfo=tz)
    states: list[ShowState] = []
    seq = 0
    for step in range(100):
        states.append(replay.state(t)[0])
        command = COMMANDS[step % len(COMMANDS)]
        try:
            checked = replay.check(JournalEntry(seq + 1, t, command))
        except CommandRejected:
            pass
        else:
            replay.commit(checked)
            seq += 1
            states.append(replay.state(t + dt.timedelta(seconds=1))[0])
        t += dt.timedelta(minutes=6, microseconds=1)
    return states


def test_the_join_of_the_live_document_is_the_state_document_all_day(
    day: RunningServer, screens
) -> None:
    schedule = load_schedule(SHIPPED_DAY)
    page = screens.open(f"{day.base_url}/overlay/main").page
    instants = Instants.of(schedule).doc()
    states = _day_states()
    assert len(states) > 150
    scopes: list[NoteScope] = [NOTES_NONE, NOTES_ALL, frozenset({"parcours-1"})]
    for scope in scopes:
        plan = {**public_schedule(schedule_document(schedule), scope), "version": 1}
        lives = []
        for show in states:
            live = public_live(live_document(schedule, show), scope)
            lives.append({"instants": instants, **live})
        joined = page.evaluate(JOIN, [plan, lives])
        for show, got in zip(states, joined, strict=True):
            want = json.loads(json.dumps(public_state(state_document(schedule, show), scope)))
            assert got == want, f"at {want['at']}, scope {scope}"


def _page_state(page: Any) -> dict[str, Any] | None:
    state = page.evaluate("() => window.controlRoom.link.state")
    return state if isinstance(state, dict) else None


def _agree(server: RunningServer, page: Any, query: str, token: str | None) -> bool:
    status, want = server.request("GET", f"/api/state{query}", token=token)
    assert status == 200, want
    got = _page_state(page)
    return got is not None and got["channels"] == want["channels"] and got["event"] == want["event"]


def test_pages_of_a_rehearsal_hold_the_state_of_the_api_after_every_command(
    screens, tmp_path
) -> None:
    with run_server(
        SHIPPED_DAY, data_dir=tmp_path / "data", at="2026-07-07T11:43:30", speed=10
    ) as server:
        base = server.base_url
        pages = [
            (screens.open(f"{base}/").page, "", None),
            (screens.open(f"{base}/overlay/main").page, "?channels=main", None),
            (screens.open(f"{base}/timer/parcours-1").page, "?channels=parcours-1", None),
            (screens.open(f"{base}/regie?token={server.token}").page, "", server.token),
        ]
        commands: list[dict[str, Any] | None] = [
            None,  # the day moving by itself: 11:45, the parcours go on air
            {"type": "extend", "channel": "main", "minutes": 2},
            {"type": "slate", "channel": "parcours-1", "text": "Coupure"},
            {"type": "message", "channel": "main", "audience": "viewers", "text": "Bienvenue"},
            {"type": "hold", "channel": "parcours-1"},
            {"type": "message", "channel": "parcours-1", "audience": "moderators", "text": "5 min"},
            {"type": "take", "channel": "parcours-2", "confirm": True},
            {"type": "release", "channel": "parcours-1"},
            {"type": "slate_clear", "channel": "parcours-1"},
        ]
        eventually(
            lambda: (
                server.get_json("/api/state?channels=parcours-1")["channels"][0]["status"]
                == "on_air"
            ),
            timeout=30,
            what="11:45 on the rehearsal clock",
        )
        for command in commands:
            if command is not None:
                status, body = server.command(command)
                assert status == 200, body
            for page, query, token in pages:
                eventually(
                    lambda page=page, query=query, token=token: _agree(server, page, query, token),
                    timeout=15,
                    what=f"{page.url} holding GET /api/state{query} after {command}",
                )
        for page, _, _ in pages:
            link = page.evaluate(
                "() => ({s: window.controlRoom.link.snapshots, g: window.controlRoom.link.gaps,"
                " d: window.controlRoom.link.deltas})"
            )
            assert link["s"] == 1 and link["g"] == 0 and link["d"] >= 3, (page.url, link)
