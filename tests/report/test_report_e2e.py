"""The report of a real server: a fast rehearsal, commands over HTTP, ``GET /report`` with
and without the token; then ``report`` and ``export`` from the data directory alone."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request
from pathlib import Path

import pytest

from control_room.cli import main
from tests.support.server import RunningServer, eventually, run_server
from tests.support.ws import WsClient

SHORT_DAY = Path(__file__).resolve().parents[1] / "e2e" / "short-day.yaml"


def fetch(
    server: RunningServer, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    req = urllib.request.Request(server.base_url + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read().decode(),
            )
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read().decode()


def hms(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).strftime("%H:%M:%S")


async def test_the_operator_reads_the_report_of_a_rehearsal_with_the_token_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    with run_server(SHORT_DAY, data_dir=data, at="2026-07-07T10:00:30", speed=10) as server:
        async with WsClient.connect(server.ws_url, hello={"role": "timer", "channels": ["main"]}):
            for command in (
                {"type": "delay", "channel": "main", "minutes": 2},
                {"type": "extend", "channel": "main", "minutes": 1},
                {"type": "hold", "channel": "main"},
                {"type": "release", "channel": "main"},
                {"type": "take", "channel": "main", "confirm": True},
            ):
                status, body = server.command(command, who="Ana")
                assert status == 200, body
            now = server.get_json("/api/state?channels=main")["channels"][0]["now"]
            assert now["id"] == "table-ronde"
            taken_at = hms(now["starts_at"])

            assert fetch(server, "/report")[0] == 401
            assert fetch(server, "/report?token=wrong")[0] == 401
            bearer = {"Authorization": f"Bearer {server.token}"}
            status, headers, html = fetch(server, "/report", bearer)
            assert status == 200 and headers["content-type"].startswith("text/html")
            assert re.fullmatch(r".*style-src 'sha256-[^']+'.*", headers["content-security-policy"])
            row = re.search(r'<tr class="segment[^"]*" data-id="ouverture">(.*?)</tr>', html, re.S)
            assert row is not None and f"10:00:00–{taken_at}" in row.group(1)
            assert re.search(r'data-id="table-ronde">.*?à l’antenne', html, re.S)
            for kind in (
                "Retard",
                "Prolongation",
                "Maintien",
                "Fin du maintien",
                "Prise d’antenne",
            ):
                assert f"<td>{kind}</td>" in html
            assert ">Ana<" in html

            def sampled() -> bool:
                page = fetch(server, f"/report?token={server.token}")
                return page[0] == 200 and 'class="presence-sample"' in page[2]

            eventually(sampled, what="the timer's presence in the report")
    # After the show: the data directory alone is enough.
    stored = list((data / "schedules").glob("0001-*.yaml"))
    assert len(stored) == 1 and stored[0].read_text(encoding="utf-8") == SHORT_DAY.read_text(
        encoding="utf-8"
    )
    assert main(["report", "--data-dir", str(data), "--at", "10:03"]) == 0
    text = capsys.readouterr().out
    assert "Interventions de la régie (5)" in text
    out = tmp_path / "day.json"
    assert main(["export", "--data-dir", str(data), "--format", "schedule.json",
                 "-o", str(out), "--at", "10:03"]) == 0  # fmt: skip
    events = json.loads(out.read_text(encoding="utf-8"))["schedule"]["x-control-room"]["events"]
    ouverture = next(e for e in events.values() if e["segment"] == "ouverture")
    assert hms(ouverture["actual_end"]) == taken_at
