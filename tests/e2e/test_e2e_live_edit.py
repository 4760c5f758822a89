"""Live edits on the real server: the schedule file edited while it serves, and POST
/api/schedule. Every screen follows a valid edit; an invalid one is refused, shown in the
régie, and the old version stays on air."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import LONG_DAY

from tests.support.server import run_server
from tests.support.ws import WsClient


def channel(message: dict, channel_id: str) -> dict:
    return next(c for c in message["state"]["channels"] if c["id"] == channel_id)


def now_title(message: dict, channel_id: str = "main") -> str | None:
    now = channel(message, channel_id)["now"]
    return None if now is None else now["title"]


async def test_an_edited_schedule_file_reaches_every_screen_and_a_broken_one_is_refused(
    tmp_path: Path,
) -> None:
    day = tmp_path / "day.yaml"
    original = LONG_DAY.read_text(encoding="utf-8")
    day.write_text(original, encoding="utf-8")
    with run_server(day, data_dir=tmp_path / "data", at="2026-07-07T10:30", speed=1) as s:
        async with (
            WsClient.connect(s.ws_url, hello={"role": "regie", "token": s.token}) as regie,
            WsClient.connect(s.ws_url, hello={"role": "overlay", "channels": ["main"]}) as overlay,
            WsClient.connect(s.ws_url, hello={"role": "timer", "channels": ["main"]}) as timer,
            WsClient.connect(s.ws_url, hello={"role": "viewer"}) as viewer,
        ):
            screens = (regie, overlay, timer, viewer)
            for screen in screens:
                await screen.request({"type": "ping", "t0": 0.0})  # its hello was taken before
            assert now_title(overlay.states()[-1]) == "Matinée"

            # A valid edit: a title and a speaker's time change.
            edited = original.replace('title: "Matinée"', 'title: "Matinée — ouverture"')
            saved = time.perf_counter()
            day.write_text(edited, encoding="utf-8")
            delays = []
            for screen in screens:
                pushed = await screen.wait_for(
                    lambda m: m["type"] == "state" and m["cause"]["kind"] == "schedule",
                    what="the edited schedule",
                )
                delays.append((time.perf_counter() - saved) * 1000)
                assert now_title(pushed) == "Matinée — ouverture"
                assert pushed["schedule_version"] == 2 and pushed["cause"]["version"] == 2
            print(f"\nedit saved → every screen updated: max {max(delays):.0f} ms")
            applied = await regie.wait_for(
                lambda m: m["type"] == "schedule" and m["ok"], what="the régie told"
            )
            assert applied["version"] == 2
            assert s.get_json("/api/schedule")["version"] == 2

            # A broken edit: refused with its line, shown in the régie, the old one on air.
            mark = len(regie.messages)
            day.write_text(edited.replace('start: "10:00"', 'start: "25:00"', 1), encoding="utf-8")
            refused = await regie.wait_for(
                lambda m: m["type"] == "schedule" and not m["ok"],
                after=mark,
                what="the refusal in the régie",
            )
            assert refused["outcome"] == "invalid"
            assert any("day.yaml:" in p and "25:00" in p for p in refused["problems"])
            state = s.get_json("/api/state")
            assert now_title({"state": state}) == "Matinée — ouverture"
            assert s.get_json("/api/schedule")["version"] == 2

            # The file fixed again: back to normal, a third version.
            day.write_text(edited.replace("Après-midi", "Après-midi (fin)"), encoding="utf-8")
            await regie.wait_for(
                lambda m: m["type"] == "schedule" and m["ok"] and m["version"] == 3,
                what="version 3",
            )
    versions = sorted(p.name for p in (tmp_path / "data" / "schedules").iterdir())
    assert [name[:4] for name in versions] == ["0001", "0002", "0003"]


async def test_a_posted_schedule_is_checked_and_an_orphaning_one_needs_force(
    tmp_path: Path,
) -> None:
    original = LONG_DAY.read_text(encoding="utf-8")
    with run_server(LONG_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:30", speed=1) as s:
        status, _ = s.command(
            {"type": "take", "channel": "lille", "segment": "suite", "confirm": True}
        )
        assert status == 200
        without = original.replace(
            '      - {id: suite, duration: 2h, title: "Suite", kind: workshop, site: lille}\n', ""
        )
        assert without != original

        def post(
            text: str, *, force: bool = False, token: str | None = s.token
        ) -> tuple[int, dict]:
            return s.request(
                "POST", "/api/schedule", body={"text": text, "force": force}, token=token
            )

        status, body = post(without, token=None)
        assert status == 401
        status, body = post("event: [")
        assert status == 422 and body["ok"] is False and body["problems"]
        status, body = post(without)
        assert status == 409 and body["orphans"] == [
            "journal entry #1 names segment 'suite' on lille"
        ]
        assert s.get_json("/api/schedule")["version"] == 1
        other_day = original.replace("date: 2026-07-07", "date: 2026-07-08")
        status, body = post(other_day)
        assert status == 409 and "another show" in body["error"]
        status, body = post(original)
        assert (status, body["unchanged"]) == (200, True)
        status, body = post(without, force=True)
        assert status == 200 and body["version"] == 2 and body["orphans"]
        state = s.get_json("/api/state")
        lille = next(c for c in state["channels"] if c["id"] == "lille")
        assert lille["now"]["id"] == "atelier"  # the orphaned take is skipped by the replay
