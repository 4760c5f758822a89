"""Fixtures of the end-to-end tests: the real server in a subprocess."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import RunningServer, run_server

HERE = Path(__file__).resolve().parent
SHORT_DAY = HERE / "short-day.yaml"
LONG_DAY = HERE / "long-day.yaml"


@pytest.fixture
def long_day_server(tmp_path: Path) -> Iterator[RunningServer]:
    """A server in the middle of long segments: nothing changes by itself for an hour."""
    with run_server(LONG_DAY, data_dir=tmp_path / "data", at="2026-07-07T10:30", speed=1) as s:
        yield s
