"""Undo, the safe take and the private notes through the real server (HTTP and websocket)."""

from __future__ import annotations

from pathlib import Path

from tests.support.server import run_server
from tests.support.ws import WsClient

DAY = Path(__file__).resolve().parents[2] / "schedules" / "rnct-2026-07-07.yaml"


def texts(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(texts(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(texts(v) for v in value)
    return ""


def main_of(state: dict) -> dict:
    return next(c for c in state["channels"] if c["id"] == "main")


async def test_an_undo_is_journaled_and_the_state_runs_as_if_the_entry_was_never_given(
    tmp_path: Path,
) -> None:
    with run_server(DAY, data_dir=tmp_path / "data", at="2026-07-07T10:20", speed=1) as s:
        status, body = s.command({"type": "extend", "channel": "main", "minutes": 5})
        assert status == 200 and main_of(body["state"])["now"]["ends_at"].startswith(
            "2026-07-07T10:35"
        )
        async with WsClient.connect(
            s.ws_url, hello={"role": "regie", "token": s.token, "name": "Ana"}
        ) as regie:
            await regie.wait_for(lambda m: m["type"] == "journal", what="the journal")
            result = await regie.command({"type": "undo", "seq": 1})
            assert result["ok"] and result["seq"] == 2
            entry = await regie.wait_for(
                lambda m: m["type"] == "journal" and not m["snapshot"], what="the undo entry"
            )
            undo = entry["entries"][0]
            assert undo["text"] == "undo #1 (extend main +5 min)" and undo["voids"] == [1]
        state = s.get_json("/api/state")
        assert main_of(state)["now"]["ends_at"].startswith("2026-07-07T10:30")
        _, journal = s.request("GET", "/api/journal", token=s.token)
        assert [e["voided_by"] for e in journal["entries"]] == [2, None]
        again, refused = s.command({"type": "undo", "seq": 1})
        assert again == 409 and "already undone" in refused["error"]


async def test_an_unsafe_take_is_refused_with_what_the_regie_needs_to_ask(tmp_path: Path) -> None:
    with run_server(DAY, data_dir=tmp_path / "data", at="2026-07-07T10:05", speed=1) as s:
        status, body = s.command({"type": "take", "channel": "main"})
        assert status == 409 and body["detail"]["code"] == "confirm"
        assert body["detail"]["starts"]["segment"] == "table-ronde"
        assert body["detail"]["ends"]["segment"] == "accueil"
        async with WsClient.connect(s.ws_url, hello={"role": "regie", "token": s.token}) as regie:
            result = await regie.command({"type": "take", "channel": "main"})
            assert not result["ok"] and result["detail"]["code"] == "confirm"
            confirmed = await regie.command({"type": "take", "channel": "main", "confirm": True})
            assert confirmed["ok"]


async def test_no_note_text_reaches_anonymous_readers_and_all_of_it_reaches_the_regie(
    tmp_path: Path,
) -> None:
    with run_server(DAY, data_dir=tmp_path / "data", at="2026-07-07T10:05", speed=1) as s:
        schedule = s.get_json("/api/schedule")
        _, private = s.request("GET", "/api/schedule", token=s.token)
        notes = [
            seg["notes"] for ch in private["channels"] for seg in ch["segments"] if seg["notes"]
        ]
        notes += [
            it["notes"]
            for ch in private["channels"]
            for seg in ch["segments"]
            for it in seg["items"]
            if it["notes"]
        ]
        assert len(notes) > 5
        assert not [n for n in notes if n in texts(schedule)]
        assert not [n for n in notes if n in texts(s.get_json("/api/state"))]
        _, regie_state = s.request("GET", "/api/state", token=s.token)
        assert main_of(regie_state)["now"]["notes"] in notes
        async with (
            WsClient.connect(s.ws_url, hello={"role": "overlay", "channels": ["main"]}) as overlay,
            WsClient.connect(s.ws_url, hello={"role": "regie", "token": s.token}) as regie,
        ):
            await overlay.wait_for(lambda m: len(overlay.states()) >= 2, what="snapshot")
            await regie.wait_for(lambda m: len(regie.states()) >= 2, what="snapshot")
            await regie.command({"type": "extend", "channel": "main", "minutes": 1})
            pushed = await overlay.wait_for(
                lambda m: m["type"] == "state" and m["cause"].get("kind") == "command",
                what="the extension",
            )
            assert not [n for n in notes if n in texts(overlay.states())]
            assert main_of(pushed["state"])["now"]["notes"] is None
            seen = await regie.wait_for(
                lambda m: m["type"] == "state" and m["cause"].get("kind") == "command",
                what="the extension on the régie",
            )
            assert main_of(seen["state"])["now"]["notes"] in notes
