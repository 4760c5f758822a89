"""Fixtures of the cluster tests: a real redis-server, real control-room instances."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # cluster_harness
sys.path.insert(0, str(Path(__file__).parents[2]))  # tests.support.server

from cluster_harness import SCHEDULE, Cluster, RedisServer  # noqa: E402


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cluster(redis_server: RedisServer, tmp_path: Path) -> Iterator[Cluster]:
    """Three instances of the shipped day (rehearsal from 10:30, speed 1), not started."""
    made = Cluster(SCHEDULE, redis_server, tmp_path, token=secrets.token_urlsafe(12))
    try:
        yield made
    finally:
        made.stop()
