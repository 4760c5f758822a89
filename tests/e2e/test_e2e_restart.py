"""A server killed with SIGKILL mid-show comes back in exactly the same state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import LONG_DAY

from tests.support.server import REPO, start_server
from tests.support.ws import WsClient

COMMANDS = [
    {"type": "hold", "channel": "main"},
    {"type": "delay", "channel": "lille", "minutes": 7},
    {"type": "extend", "channel": "lille", "minutes": 3},
    {"type": "message", "channel": "main", "audience": "moderators", "text": "Il reste 2 min"},
    {"type": "message", "channel": "lille", "audience": "viewers", "text": "Reprise à 12h10"},
    {"type": "slate", "channel": "lille", "text": "Liaison perdue — retour imminent"},
    {"type": "site_override", "channel": "main", "site": "lille"},
]
LATER = ["2026-07-07T11:00", "2026-07-07T12:30", "2026-07-07T14:05", "2026-07-07T23:00"]


def snapshot(server) -> dict:  # type: ignore[no-untyped-def]
    """What must survive: the state now and at later instants (without the moving 'at')."""
    now = server.get_json("/api/state")
    return {
        "now": now["channels"],
        **{t: server.get_json(f"/api/state?at={t}")["channels"] for t in LATER},
    }


async def test_sigkill_mid_show_then_restart_gives_the_same_state(tmp_path: Path) -> None:
    data = tmp_path / "data"
    options = {"data_dir": data, "at": "2026-07-07T10:30", "speed": 1}
    first = start_server(LONG_DAY, **options)
    try:
        async with WsClient.connect(
            first.ws_url, hello={"role": "regie", "token": first.token}
        ) as regie:
            for command in COMMANDS:
                result = await regie.command(command)
                assert result["ok"], (command, result)
        before = snapshot(first)
        seq_before = first.get_json("/-/health")["journal_entries"]
    finally:
        first.kill()  # SIGKILL: no shutdown, no flush beyond what was committed
    assert first.process.returncode == -9

    second = start_server(LONG_DAY, **options, token=first.token)
    try:
        assert "resuming the rehearsal" in second.output()
        assert f"{len(COMMANDS)} journal entries replayed" in second.output()
        after = snapshot(second)
        assert after == before
        assert second.get_json("/-/health")["journal_entries"] == seq_before == len(COMMANDS)
        main = next(c for c in after["now"] if c["id"] == "main")
        lille = next(c for c in after["now"] if c["id"] == "lille")
        assert main["held"] and main["site"]["id"] == "lille" and main["site_overridden"]
        assert main["messages"]["moderators"]["text"] == "Il reste 2 min"
        assert lille["slate"]["text"].startswith("Liaison perdue")
        assert lille["now"]["offset_seconds"] == 180
        # A screen reconnecting gets the same snapshot.
        async with WsClient.connect(second.ws_url, hello={"role": "viewer"}) as viewer:
            await viewer.request({"type": "ping", "t0": 0.0})  # the hello was taken before
            assert viewer.states()[-1]["state"]["channels"] == after["now"]
        # And the journal keeps counting from where it was.
        status, body = second.command({"type": "release", "channel": "main"})
        assert status == 200 and body["seq"] == len(COMMANDS) + 1
    finally:
        second.stop()

    audit = subprocess.run(
        [sys.executable, "-m", "control_room", "journal", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    lines = audit.stdout
    assert "8 commands" in lines
    assert "site_override" in lines and "Liaison perdue" in lines
