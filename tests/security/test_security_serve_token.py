"""The operator token is printed in full only by the run that makes it; later runs (and a
``$CONTROL_ROOM_TOKEN``) print it masked, with where it lives and the login URL."""

from __future__ import annotations

from pathlib import Path

from control_room.tokens import mask
from tests.security.helpers import LONG_DAY
from tests.support.server import run_server


def test_the_token_is_printed_once_then_masked(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with run_server(LONG_DAY, data_dir=data, at="10:30", generate_token=True) as first:
        made = first.output()
    token = (data / "token").read_text().strip()
    assert f"{first.base_url}/regie?token={token}" in made
    assert "printed this once" in made
    with run_server(LONG_DAY, data_dir=data, at="10:30", generate_token=True) as second:
        again = second.output()
    assert token not in again
    assert f"operator token {mask(token)} from {data / 'token'}" in again
    assert f"{second.base_url}/login" in again and f"{second.base_url}/regie\n" in again


def test_a_token_from_the_environment_is_never_printed(tmp_path: Path) -> None:
    with run_server(LONG_DAY, data_dir=tmp_path / "data", token="x" * 24) as s:
        text = s.output()
    assert "x" * 24 not in text and "xxxx…xxxx" in text and "$CONTROL_ROOM_TOKEN" in text
