"""`control-room serve` refuses what it must, clearly; `control-room journal` prints the day."""

from __future__ import annotations

import csv
import io
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LONG_DAY

from tests.support.server import REPO, RunningServer, ServerFailed, run_server, start_server

BROKEN = REPO / "schedules" / "examples" / "broken.yaml"


def control_room(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "control_room", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env=env,
    )


def test_serve_refuses_a_broken_schedule_like_validate(tmp_path: Path) -> None:
    validate = control_room("validate", str(BROKEN))
    served = control_room("serve", str(BROKEN), "--port", "0", "--data-dir", str(tmp_path / "d"))
    assert served.returncode == 1 == validate.returncode
    assert served.stderr == validate.stderr
    assert "Traceback" not in served.stderr
    assert not (tmp_path / "d").exists()


def test_serve_refuses_a_corrupt_journal(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with run_server(LONG_DAY, data_dir=data, at="10:30"):
        pass
    (data / "journal.sqlite3").write_bytes(b"\x00garbage" * 512)
    for suffix in ("-wal", "-shm"):
        (data / f"journal.sqlite3{suffix}").unlink(missing_ok=True)
    with pytest.raises(ServerFailed) as failed:
        start_server(LONG_DAY, data_dir=data, at="10:30")
    assert "corrupt or belongs to another program" in str(failed.value)
    assert "Traceback" not in str(failed.value)


def test_serve_refuses_a_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "holiday-photos.txt").write_text("not ours")
    result = control_room("serve", str(LONG_DAY), "--port", "0", "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert "not a control-room data directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_another_clock_on_a_journal_in_use(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with run_server(LONG_DAY, data_dir=data, at="10:30", speed=10) as s:
        assert s.command({"type": "hold", "channel": "main"})[0] == 200
    other = control_room(
        "serve", str(LONG_DAY), "--port", "0", "--data-dir", str(data), "--at", "11:00"
    )
    assert other.returncode == 1
    assert "a different rehearsal needs its own --data-dir" in other.stderr
    real = control_room("serve", str(LONG_DAY), "--port", "0", "--data-dir", str(data))
    assert real.returncode == 1 and "the real show needs its own --data-dir" in real.stderr


def test_serve_refuses_a_data_dir_another_server_is_using(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with run_server(LONG_DAY, data_dir=data, at="10:30", speed=10) as first:
        second = control_room(
            "serve",
            str(LONG_DAY),
            "--port",
            "0",
            "--data-dir",
            str(data),
            "--at",
            "10:30",
            "--speed",
            "10",
        )
        assert second.returncode == 1
        assert "already in use by a running control-room serve" in second.stderr
        assert f"pid {first.process.pid}" in second.stderr
        assert first.get_json("/-/health")["ok"]


def test_serve_refuses_a_journal_written_for_another_schedule(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with run_server(LONG_DAY, data_dir=data, at="10:30", speed=10) as s:
        assert s.command({"type": "hold", "channel": "lille"})[0] == 200
    other = tmp_path / "other.yaml"
    text = LONG_DAY.read_text(encoding="utf-8")
    assert "- id: lille\n" in text
    other.write_text(text.replace("- id: lille\n", "- id: lille-bis\n"), encoding="utf-8")
    result = control_room(
        "serve",
        str(other),
        "--port",
        "0",
        "--data-dir",
        str(data),
        "--at",
        "10:30",
        "--speed",
        "10",
    )
    assert result.returncode == 1
    assert "journal entry #1 names channel 'lille'" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = control_room(
            "serve", str(LONG_DAY), "--port", str(port), "--data-dir", str(tmp_path / "d")
        )
    assert result.returncode == 1 and "cannot listen on 127.0.0.1" in result.stderr


def test_serve_prints_every_screen_and_stores_a_generated_token(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with run_server(LONG_DAY, data_dir=data, at="10:30", generate_token=True) as s:
        text = s.output()
        assert s.command({"type": "hold", "channel": "main"})[0] == 200
    token = (data / "token").read_text().strip()
    assert len(token) >= 20 and (data / "token").stat().st_mode & 0o077 == 0
    assert f"{s.base_url}/regie?token={token}" in text
    for path in ("/", "/overlay/main", "/overlay/lille", "/timer/main", "/timer/lille"):
        assert f"{s.base_url}{path}\n" in text, path
    # The token survives a restart.
    with run_server(LONG_DAY, data_dir=data, at="10:30", speed=1, generate_token=True) as again:
        assert again.token == token


def test_journal_prints_the_audit_log_as_a_table_and_as_csv(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with run_server(LONG_DAY, data_dir=data, at="10:30") as s:
        assert s.command({"type": "extend", "channel": "main", "minutes": 5}, who="Ana")[0] == 200
        assert s.command({"type": "slate", "channel": "lille", "text": "Coupure, 1"})[0] == 200
    table = control_room("journal", "--data-dir", str(data))
    assert table.returncode == 0, table.stderr
    assert "Journal of «Journée longue» 2026-07-07" in table.stdout
    assert "2 commands, 0 switcher attempts, 0 acknowledgements" in table.stdout
    assert "extend" in table.stdout and "Ana" in table.stdout
    as_csv = control_room("journal", "--data-dir", str(data), "--csv")
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == ["wall", "show", "kind", "ref", "who", "channel", "what", "detail"]
    assert [r[2:7] for r in rows[1:]] == [
        ["command", "#1", "Ana", "main", "extend"],
        ["command", "#2", "test", "lille", "slate"],
    ]
    assert rows[2][7] == '{"text": "Coupure, 1"}'
    assert rows[1][1].startswith("2026-07-07T10:30")
    missing = control_room("journal", "--data-dir", str(tmp_path / "nothing"))
    assert missing.returncode == 1 and "no control-room journal" in missing.stderr


def test_api_state_is_the_cli_state_document(long_day_server: RunningServer) -> None:
    import json

    s = long_day_server
    cli = control_room("state", str(LONG_DAY), "--at", "2026-07-07T12:30", "--json")
    assert cli.returncode == 0, cli.stderr
    served = s.get_json("/api/state?at=2026-07-07T12:30")
    expected = json.loads(cli.stdout)
    assert served["channels"] == expected["channels"] and served["at"] == expected["at"]
    assert served["seq"] is None and served["clock"]["rehearsal"] is True
    live = s.get_json("/api/state?channels=lille")
    assert [c["id"] for c in live["channels"]] == ["lille"] and live["seq"] >= 1
    assert s.request("GET", "/api/state?at=noon")[0] == 400
    schedule = s.get_json("/api/schedule")
    assert [c["id"] for c in schedule["channels"]] == ["main", "lille"]
    version = s.get_json("/-/version")
    assert version["protocol"] == 1 and version["event"]["title"] == "Journée longue"
