"""Nothing acknowledged is lost: SIGKILLs at random instants, damaged journals, a mirror.

The harness is tests/support/crash.py; bench/crash.py and bench/damage.py run it longer.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

from conftest import LONG_DAY

from tests.support.crash import crash_trials, damage_cases
from tests.support.server import REPO, ServerFailed, start_server

AT = "2026-07-07T10:30"
WAL = "journal.sqlite3-wal"


def control_room(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "control_room", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def message(channel: str, i: int) -> dict[str, str]:
    return {"type": "message", "channel": channel, "audience": "viewers", "text": f"n°{i}"}


def refusal(data: Path, *extra: str) -> str:
    """Start serve on ``data`` expecting a refusal; its output."""
    try:
        server = start_server(LONG_DAY, data_dir=data, at=AT, speed=1, extra_args=extra)
    except ServerFailed as exc:
        assert "server exited with 1:" in str(exc) and "Traceback" not in str(exc), exc
        return str(exc)
    server.kill()
    raise AssertionError("the server started")


def test_ten_sigkills_at_random_instants_lose_no_acknowledged_command(tmp_path: Path) -> None:
    totals = crash_trials(10, seed=9, workdir=tmp_path)
    assert totals.failures == []
    assert (totals.trials, totals.lost, totals.duplicates, totals.mismatches) == (10, 0, 0, 0)
    assert totals.acknowledged > 50


def test_a_damaged_journal_is_refused_clearly_or_recovered_whole(tmp_path: Path) -> None:
    totals = damage_cases(12, seed=9, workdir=tmp_path)
    assert totals.failures == []
    assert totals.lost == totals.mismatches == totals.duplicates == 0
    assert totals.refused + totals.recovered == totals.trials == 12
    assert totals.refused > 0


def test_a_rehearsal_killed_before_its_first_command_resumes_later_never_earlier(
    tmp_path: Path,
) -> None:
    options = {"data_dir": tmp_path / "data", "at": "2026-07-07T10:17:40", "speed": 1}
    first = start_server(LONG_DAY, **options)
    before = datetime.fromisoformat(first.get_json("/-/health")["show_time"])
    first.kill()
    second = start_server(LONG_DAY, **options, token=first.token)
    try:
        after = datetime.fromisoformat(second.get_json("/-/health")["show_time"])
        assert "resuming the rehearsal" in second.output()
        assert after >= before
    finally:
        second.kill()


def test_a_lost_wal_is_refused_until_the_loss_is_accepted_and_journaled(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_server(LONG_DAY, data_dir=data, at=AT, speed=1)
    try:
        for i in range(5):
            status, _ = first.command(message("main", i))
            assert status == 200
    finally:
        first.kill()
    (data / WAL).unlink()
    output = refusal(data)
    assert "5 acknowledged commands (#1..#5) are missing" in output
    assert "--accept-journal-loss" in output
    accepted = start_server(
        LONG_DAY, data_dir=data, at=AT, speed=1, extra_args=["--accept-journal-loss"]
    )
    try:
        assert "journal: journal loss ACCEPTED by " in accepted.output()
        status, body = accepted.command({"type": "hold", "channel": "main"})
        assert status == 200 and body["seq"] == 1
    finally:
        accepted.stop()
    again = start_server(LONG_DAY, data_dir=data, at=AT, speed=1)
    again.stop()


def test_a_lost_wal_is_restored_whole_from_the_mirror(tmp_path: Path) -> None:
    data, mirror = tmp_path / "data", tmp_path / "other-disk" / "mirror"
    mirrored = ["--journal-mirror", str(mirror)]
    first = start_server(LONG_DAY, data_dir=data, at=AT, speed=1, extra_args=mirrored)
    assert f"journal: mirror {mirror} initialised (0 commands copied)" in first.output()
    try:
        for i in range(6):
            status, _ = first.command(message("lille", i))
            assert status == 200
    finally:
        first.kill()
    (data / WAL).unlink()
    output = refusal(data, *mirrored)
    hint = f"control-room restore --from {mirror} --data-dir {data}"
    assert f"The mirror {mirror} holds all of them (6 commands): restore it with `{hint}`" in (
        output
    )
    done = control_room("restore", "--from", str(mirror), "--data-dir", str(data))
    assert done.returncode == 0 and done.stdout.startswith("restored 6 commands"), done
    second = start_server(
        LONG_DAY, data_dir=data, at=AT, speed=1, token=first.token, extra_args=mirrored
    )
    try:
        assert f"mirror {mirror} up to date (6 commands)" in second.output()
        assert second.get_json("/-/health")["journal_entries"] == 6
    finally:
        second.stop()
